"""missing-invoice, duplicate-invoice, missing-signoff, asset-unregistered, payee-undocumented."""

from __future__ import annotations

import random
import re
import tomllib
from pathlib import Path

import pytest

from ledgertext import brief, findings, grant, load, studio, txn

from studiofund.checks.framework import run_checks
from studiofund.checks.rules.documents import _alternation, _search
from studiofund.policy import load_program
from studiofund.ledger.studio import load_studio_policy, parse_studio

FUNDS = grant("2020-01-10", "80000.00")
SIGNED = {"approver": "李梅", "reviewer": "王校长"}


# -- missing-invoice ----------------------------------------------------------------------------

def test_missing_invoice():
    body = FUNDS
    body += txn("2020-03-01", "新华书店", "购买班主任工作类图书", "Expenses:Materials", voucher="2020-010", **SIGNED)
    body += txn("2020-03-02", "新华书店", "购买图书", "Expenses:Materials", voucher="2020-011", invoice="04400123", **SIGNED)
    assert brief(studio(body), "missing-invoice") == [("2020-03-01", "2020-010", "error")]


def test_payments_to_persons_and_reversals_need_no_invoice():
    body = FUNDS
    body += txn("2020-03-01", "张教授", "专家讲座讲课费", "Expenses:LecturerFees", "1500.00", voucher="2020-012",
                payee_id="4403**********1234", raw_tax_withheld="100.00 CNY", **SIGNED)
    body += txn("2020-03-05", "新华书店", "退货冲回", "Expenses:Materials", "-100.00", voucher="2020-013")
    assert brief(studio(body), "missing-invoice") == []


def test_mixed_payment_with_a_person_still_needs_invoice():
    body = FUNDS + (
        '2020-03-01 * "某某会议中心" "会务费及专家讲课费"\n  voucher: "2020-014"\n'
        '  payee-id: "4403**********1234"\n  tax-withheld: 0.00 CNY\n'
        '  approver: "李梅"\n  reviewer: "王校长"\n'
        "  Expenses:Conference  2000.00 CNY\n  Expenses:LecturerFees  800.00 CNY\n  Assets:Bank:Dedicated\n\n"
    )
    assert brief(studio(body), "missing-invoice") == [("2020-03-01", "2020-014", "error")]


# -- duplicate-invoice --------------------------------------------------------------------------

def test_duplicate_invoice_names_the_first_use():
    body = FUNDS
    body += txn("2020-03-01", "新华书店", "图书", "Expenses:Materials", voucher="2020-020", invoice="04400123", **SIGNED)
    body += txn("2020-04-01", "新华书店", "图书", "Expenses:Materials", voucher="2020-021",
                invoice="04400999，04400123", **SIGNED)
    text = studio(body)
    assert brief(text, "duplicate-invoice") == [("2020-04-01", "2020-021", "error")]
    [finding] = findings(text, "duplicate-invoice")
    assert "04400123" in finding.message and "凭证 2020-020" in finding.message


def test_distinct_invoices_and_a_reversed_booking_are_not_duplicates():
    body = FUNDS
    body += txn("2020-03-01", "新华书店", "图书", "Expenses:Materials", voucher="2020-022", invoice="A1,A2", **SIGNED)
    body += txn("2020-03-02", "新华书店", "图书", "Expenses:Materials", voucher="2020-023", invoice="A3", **SIGNED)
    # booked on the wrong category, reversed, booked again with the same invoice
    body += txn("2020-03-03", "新华书店", "冲回错账", "Expenses:Materials", "-100.00", voucher="2020-024", invoice="A3")
    body += txn("2020-03-04", "新华书店", "重新入账", "Expenses:Research", voucher="2020-025", invoice="A3", **SIGNED)
    assert brief(studio(body), "duplicate-invoice") == []


# -- missing-signoff ----------------------------------------------------------------------------

def test_missing_signoff_where_the_program_demands_it():
    body = FUNDS
    body += txn("2020-03-01", "新华书店", "图书", "Expenses:Materials", voucher="2020-030", invoice="B1", approver="李梅")
    body += txn("2020-03-02", "新华书店", "图书", "Expenses:Materials", voucher="2020-031", invoice="B2", reviewer=" ")
    body += txn("2020-03-03", "新华书店", "图书", "Expenses:Materials", voucher="2020-032", invoice="B3", **SIGNED)
    text = studio(body, "shenzhen-city")
    assert brief(text, "missing-signoff") == [("2020-03-01", "2020-030", "error"), ("2020-03-02", "2020-031", "error")]
    first, second = findings(text, "missing-signoff")
    assert "reviewer" in first.message and "approver" not in first.message
    assert "approver" in second.message and "reviewer" in second.message
    assert "双方签字后，方可入账核销" in first.message


def test_no_signoff_demanded_elsewhere():
    body = FUNDS + txn("2020-03-01", "新华书店", "图书", "Expenses:Materials", voucher="2020-033", invoice="B4")
    assert brief(studio(body, "shenyang-studio"), "missing-signoff") == []


# -- asset-unregistered -------------------------------------------------------------------------

def test_asset_unregistered_at_and_above_threshold():
    body = FUNDS
    body += txn("2020-03-01", "京东", "笔记本电脑", "Expenses:Equipment", "1000.00", voucher="2020-040", invoice="C1", **SIGNED)
    body += txn("2020-03-02", "京东", "投影仪", "Expenses:Equipment", "4999.00", voucher="2020-041", invoice="C2",
                asset_id="ZC-2020-001", **SIGNED)
    body += txn("2020-03-03", "京东", "鼠标键盘", "Expenses:Equipment", "999.99", voucher="2020-042", invoice="C3", **SIGNED)
    body += txn("2020-03-04", "会议中心", "会务费", "Expenses:Conference", "5000.00", voucher="2020-043", invoice="C4", **SIGNED)
    text = studio(body)
    assert brief(text, "asset-unregistered") == [("2020-03-01", "2020-040", "error")]


def test_asset_id_on_the_posting_counts():
    body = FUNDS + (
        '2020-03-01 * "京东" "电脑两台"\n  voucher: "2020-044"\n  invoice: "C5"\n  approver: "李梅"\n  reviewer: "王"\n'
        '  Expenses:Equipment  3000.00 CNY\n    asset-id: "ZC-1"\n  Expenses:Equipment  3000.00 CNY\n'
        "  Assets:Bank:Dedicated\n\n"
    )
    # the second posting has no number
    assert brief(studio(body), "asset-unregistered") == [("2020-03-01", "2020-044", "error")]


def test_asset_accounts_follow_the_program():
    body = FUNDS + txn("2020-03-01", "某某电脑城", "笔记本电脑", "Expenses:Materials", "2000.00", voucher="2020-045",
                       invoice="C6")
    assert brief(studio(body, "shenyang-studio"), "asset-unregistered") == [("2020-03-01", "2020-045", "error")]
    # Materials is no asset account in Shenzhen: what cannot be told is not asked there …
    unclear = FUNDS + txn("2020-03-01", "某某公司", "购活动物品", "Expenses:Materials", "2000.00", voucher="2020-045",
                          invoice="C6")
    assert brief(studio(unclear, "shenyang-studio"), "asset-unregistered") == [("2020-03-01", "2020-045", "review")]
    assert brief(studio(unclear, "shenzhen-district"), "asset-unregistered") == []
    # … but a computer is a fixed asset on whatever account it was booked
    assert brief(studio(body, "shenzhen-district"), "asset-unregistered") == [("2020-03-01", "2020-045", "error")]
    desktop = FUNDS + txn("2020-03-01", "临朐县华硕电脑", "台式电脑", "Expenses:Research", "4500.00", voucher="2020-047",
                          invoice="C8")
    assert brief(studio(desktop, "county-research"), "asset-unregistered") == [("2020-03-01", "2020-047", "error")]
    # a service on such an account is none: a computer repaired, a platform's year
    repaired = FUNDS + txn("2020-03-01", "某某电脑城", "笔记本电脑维修", "Expenses:Research", "1200.00",
                           voucher="2020-048", invoice="C9")
    assert brief(studio(repaired, "county-research"), "asset-unregistered") == []


def _bought(narration, account="Expenses:Materials", program="shenyang-studio", **meta):
    body = FUNDS + txn("2020-03-01", "某某公司", narration, account, "2000.00", voucher="2020-046", invoice="C7",
                       **meta)
    return [(f.severity, f.evidence) for f in findings(studio(body, program), "asset-unregistered")]


@pytest.mark.parametrize("narration, account", [
    ("成套图书", "Expenses:Materials"),                 # books
    ("课题开题会会议室租赁", "Expenses:Research"),        # a rental
    ("课题调查问卷平台服务费", "Expenses:Research"),      # a platform fee
    ("课题研究报告印刷", "Expenses:Research"),           # printing
    ("工作室摄像机维修", "Expenses:Materials"),          # a repair: service wins over the equipment word
    ("网络研修专线费", "Expenses:Materials"),            # a carrier's line is a service
])
def test_asset_rule_needs_no_number_for_what_is_not_equipment(narration, account):
    """On an asset account where equipment is not the norm, what was bought decides."""
    assert _bought(narration, account) == []


@pytest.mark.parametrize("narration", [
    "投影仪灯泡3只",                 # a device's part, named after the device
    "笔记本电脑电池更换",
    "显示器支架、键盘鼠标套装",
    "电子白板安装调试",              # a service on a device
    "工作坊电脑系统重装及杀毒服务",
    "信息采集用移动硬盘4块",         # storage media
    "培训结业学员纪念品（定制笔记本）",  # a paper notebook
])
def test_asset_rule_parts_services_and_media_of_equipment_are_not_equipment(narration):
    assert _bought(narration) == []


@pytest.mark.parametrize("narration, word", [
    ("录音笔（课堂观察）", "录音笔"),
    ("生物显微镜6台", "显微镜"),
    ("音箱一对（培训教室）", "音箱"),
    # a device bought with its set-up is the device
    ("交互式白板（含安装调试）", "白板"),
])
def test_asset_rule_knows_recorders_instruments_and_speakers(narration, word):
    assert _bought(narration) == [("error", (f"词语“{word}”",))]


def test_asset_rule_decides_by_equipment_words_and_invoice_items():
    assert _bought("投影仪") == [("error", ("词语“投影”",))]
    assert _bought("采购", invoice_items="*计算机*笔记本电脑") == [("error", ("发票项目“*计算机*笔记本电脑”",))]
    # the invoice's items say it was a service, whatever the narration
    assert _bought("摄像机", invoice_items="*现代服务*拍摄服务费") == []


def test_asset_rule_asks_a_person_when_it_cannot_tell():
    [(severity, evidence)] = _bought("课题研究用品", "Expenses:Research")
    assert severity == "review" and evidence == ("2000.00 CNY ≥ 1000.00 CNY",)
    # reviewed: silences the review
    assert _bought("课题研究用品", "Expenses:Research", reviewed="审核人：确认为耗材") == []


@pytest.mark.parametrize("narration, account", [
    ("跨区论坛会务服务（布场、音响）", "Expenses:Materials"),   # a meeting's set-up and sound: a service
    ("学校办学质量数据采集服务", "Expenses:Materials"),          # data collected for a survey
])
def test_asset_rule_services_named_as_services_are_not_equipment(narration, account):
    assert _bought(narration, account) == []


def _bought_from(payee, narration, account, program="shenzhen-district", amount="2400.00"):
    body = FUNDS + txn("2020-03-01", payee, narration, account, amount, voucher="2020-049", invoice="C10")
    return [(f.severity, f.evidence, f.message) for f in findings(studio(body, program), "asset-unregistered")]


def test_asset_rule_asks_about_unnamed_goods_from_an_electronics_shop_on_any_account():
    # goods of unknown kind bought at an electronics shop may be a device, whatever the account
    [(severity, evidence, message)] = _bought_from("温州市鹿城区数码港电子商行", "录课用品一批", "Expenses:OtherCollective")
    assert severity == "review"
    assert evidence == ("收款方“温州市鹿城区数码港电子商行”为电器、数码、办公设备商店", "2400.00 CNY ≥ 1000.00 CNY")
    assert "收款方为电器、数码、办公设备商店，摘要和发票项目无法判断所购是否为设备" in message
    # named goods that are no equipment, an electronics repair shop, another seller, or under the threshold: nothing
    assert _bought_from("某某数码商行", "录课用U盘及存储卡", "Expenses:OtherCollective") == []
    assert _bought_from("某某家电维修服务部", "录课用品一批", "Expenses:OtherCollective") == []
    assert _bought_from("某某商贸有限公司", "录课用品一批", "Expenses:OtherCollective") == []
    assert _bought_from("某某数码商行", "录课用品一批", "Expenses:OtherCollective", amount="600.00") == []


def test_asset_rule_on_the_equipment_account_stays_an_error():
    assert _bought("会议签到系统", "Expenses:Equipment", program="shenzhen-district", approver="李", reviewer="王") \
        == [("error", ("2000.00 CNY ≥ 1000.00 CNY",))]
    # a service paid on the equipment account is no asset as far as its words tell: a person confirms
    assert _bought("录播系统年度维保", "Expenses:Equipment", program="shenzhen-district", approver="李", reviewer="王") \
        == [("review", ("词语“维保”",))]
    # not when the service comes with the purchase, nor when only the seller is no equipment shop
    assert _bought("投影仪（含三年维保）", "Expenses:Equipment", program="shenzhen-district", approver="李", reviewer="王") \
        == [("error", ("2000.00 CNY ≥ 1000.00 CNY",))]



def test_asset_rule_a_database_used_or_a_digital_publisher_sells_no_equipment():
    """Blind corpus 7: a literature database's fee on Research is the use of a resource (数据库,
    使用费, 检索, 下载); a digital publisher (…数字出版…, 知网, 万方) sells no equipment."""
    assert _bought_from("某某数字出版技术股份有限公司", "课题研究资料费", "Expenses:Research", program="shenyang-studio") == []
    assert _bought("课题研究文献数据库使用费", "Expenses:Research") == []
    assert _bought("文献检索下载服务", "Expenses:Research") == []
    # goods of unknown kind from a seller that says nothing are still asked
    [(severity, _)] = _bought("课题研究用品", "Expenses:Research")
    assert severity == "review"

# -- payee-undocumented -------------------------------------------------------------------------

def test_payee_undocumented():
    body = FUNDS
    body += txn("2020-03-01", "张教授", "讲课费", "Expenses:LecturerFees", "1500.00", voucher="2020-050", **SIGNED)
    body += txn("2020-03-02", "李老师", "讲课费", "Expenses:LecturerFees", "800.00", voucher="2020-051",
                payee_id="2101**********0011", **SIGNED)
    body += txn("2020-03-03", "王老师", "讲课费", "Expenses:LecturerFees", "800.00", voucher="2020-052",
                payee_id="2101**********0012", tax_withheld="不扣", **SIGNED)
    body += txn("2020-03-04", "赵老师", "讲课费", "Expenses:LecturerFees", "800.00", voucher="2020-053",
                payee_id="2101**********0013", raw_tax_withheld="0.00 CNY", **SIGNED)
    body += txn("2020-03-05", "钱老师", "讲课费", "Expenses:LecturerFees", "3000.00", voucher="2020-054",
                payee_id="2101**********0014", tax_withheld="440.00", **SIGNED)
    text = studio(body)
    assert brief(text, "payee-undocumented") == [
        ("2020-03-01", "2020-050", "error"),
        ("2020-03-02", "2020-051", "error"),
        ("2020-03-03", "2020-052", "error"),
    ]
    first = findings(text, "payee-undocumented")[0]
    assert "payee-id" in first.message and "tax-withheld" in first.message and "张教授" in first.message


def test_payee_rules_follow_the_programs_individual_categories():
    # 劳务 pays persons in Chifeng; Conference never does
    labor = txn("2020-03-01", "孙某", "劳务费", "Expenses:Labor", "500.00", voucher="2020-055", invoice="D1")
    conf = txn("2020-03-02", "会议中心", "会务费", "Expenses:Conference", "500.00", voucher="2020-056", invoice="D2")
    text = studio(FUNDS + labor + conf, "chifeng", allocation="50000.00")
    assert brief(text, "payee-undocumented") == [("2020-03-01", "2020-055", "error")]


# -- one family, rules asked for one by one ------------------------------------------------------

def test_a_family_run_for_one_rule_reports_only_that_rule():
    """The papers are checked by one function; asked for one rule id, only its findings come."""
    body = FUNDS
    # no invoice, no signatures: missing-invoice and missing-signoff both apply
    body += txn("2020-03-01", "新华书店", "图书", "Expenses:Materials", voucher="2020-030")
    entries, _, options = load(studio(body))
    declared, _ = parse_studio(entries)
    policy = load_studio_policy(declared)
    every = {f.rule for f in run_checks(entries, options, declared, policy)}
    assert {"missing-invoice", "missing-signoff"} <= every
    only = run_checks(entries, options, declared, policy, only=["missing-signoff"])
    assert [f.rule for f in only] == ["missing-signoff"]


# -- what a payment bought: the asset words are searched as one alternation would be -------------

ASSET_FIELDS = ("equipment", "equipment_items", "not_equipment", "not_equipment_items", "not_equipment_payees",
                "equipment_payees")


def _texts(patterns, rng) -> list[str]:
    """Texts made of the patterns' literal words and pieces of them, with fillers between: many
    hold several words, some at one position (笔记本 and 笔记本电脑), some words cut short."""
    words = [p for p in patterns if re.escape(p) == p] + ["笔记本", "本", "租", "维保", "*", "配套", "（", "）", "、"]
    fillers = ["", "", "购买", "一批", "含三年", "的", "年度", " ", "*办公用品*", "*计算机配套产品*"]
    out = []
    for _ in range(1500):
        parts = []
        for _ in range(rng.randint(1, 4)):
            word = rng.choice(words)
            if len(word) > 1 and rng.random() < 0.3:
                word = word[: rng.randint(1, len(word) - 1)]
            parts += [rng.choice(fillers), word]
        out.append("".join(parts))
    return out


@pytest.mark.parametrize("field", ASSET_FIELDS)
def test_the_asset_words_are_found_as_one_alternation_finds_them(field):
    """``documents._Alternation`` (literal words by ``str.find``, the rest compiled alone)
    answers what ``re`` answers for the alternation of the same patterns: the leftmost match, the
    first listed pattern where several match there — on the texts of the corpora and on made
    ones."""
    patterns = getattr(load_program("shenzhen-district").detection.assets, field)
    assert patterns
    whole = re.compile("|".join(f"(?:{p})" for p in patterns))
    corpus = Path(__file__).with_name("corpus")
    texts = [str(v) for path in sorted(corpus.glob("*.toml"))
             for case in tomllib.loads(path.read_text(encoding="utf-8")).get("cases", [])
             for v in (case if isinstance(case, list) else case.values()) if isinstance(v, str)]
    texts += _texts(patterns, random.Random(field))
    split = _alternation(patterns)
    for text in texts:
        m = whole.search(text) if text else None
        assert _search(split, text) == (m.group(0) if m else ""), text
        # the yes-or-no of the papers' first look (its alternation of what a match needs)
        assert split.occurs(text) == (m is not None), text


@pytest.mark.parametrize("patterns", [
    ("电脑", "电脑桌", "笔记本(?!本)", "笔记本", "本"),
    ("电脑桌", "电脑", "笔记本", "笔记本(?!本)", "(?<=笔)记"),
])
def test_where_several_asset_words_match_at_one_place_the_first_listed_wins(patterns):
    whole = re.compile("|".join(f"(?:{p})" for p in patterns))
    split = _alternation(patterns)
    texts = ["购买电脑桌", "笔记本电脑", "笔记本本", "笔记本", "记本电脑桌", "电脑", "无关", "本"]
    for text in texts + _texts(patterns, random.Random(len(patterns[0]))):
        m = whole.search(text)
        assert _search(split, text) == (m.group(0) if m else ""), text


# -- blind corpus 9's kinds ----------------------------------------------------------------------

def test_asset_rule_reckons_a_fixed_asset_by_its_unit_price():
    """A fixed asset is reckoned by its unit value (≥ 1,000): a batch whose words give a unit price
    below the threshold is no asset, whatever the total; a count alone does not divide it (a batch
    of like furniture is managed as fixed assets)."""
    assert _bought("课堂观察用录音笔8支（单价260）") == []
    assert _bought("学生实验用显微镜5台 每台380元") == []
    assert _bought("录课话筒 6只×320元") == []
    # a unit price at or above the threshold, or none, leaves the equipment an asset
    assert _bought("录课话筒 2只×1000元") == [("error", ("词语“话筒”",))]
    assert _bought("培训室课桌椅10套") == [("error", ("词语“课桌”",))]
    # a unit price written with its thousands grouped is read whole, not as its first group
    assert _bought("录课话筒 2只 单价1,200元") == [("error", ("词语“话筒”",))]
    assert _bought("录课话筒 2只×1，200元") == [("error", ("词语“话筒”",))]


def test_asset_rule_stationery_and_art_supplies_are_consumables():
    assert _bought("送教用练习本、签字笔、手工纸一批") == []
    assert _bought("美术课例研究用水彩颜料、蜡笔") == []
    # goods named by nothing are still asked
    [(severity, _)] = _bought("送教用品一批")
    assert severity == "review"


def test_a_misspelt_rental_is_a_rental():
    # 租凭 for 租赁: an LED screen hired for a day is a service, not equipment bought
    assert _bought_from("某某会展服务有限公司", "论坛舞台LED大屏租凭2天", "Expenses:Conference") == []
    assert _bought_from("某某会展服务有限公司", "论坛舞台LED大屏租赁2天", "Expenses:Conference") == []
    assert _bought_from("某某电子有限公司", "购LED大屏1块", "Expenses:Conference")[0][0] == "error"


def test_asset_rule_services_commissioned_or_recorded_and_their_sellers():
    """Blind corpus 8: a survey's analysis commissioned, an event filmed and edited are services;
    a media company and a university sell services and research."""
    assert _bought("论坛全程录像及剪辑", "Expenses:Materials") == []
    assert _bought("委托开展课题调研 数据分析费", "Expenses:Research") == []
    assert _bought_from("某某影视传媒有限公司", "成果展示活动", "Expenses:Materials", program="shenyang-studio") == []
    assert _bought_from("某某师范大学", "课题合作", "Expenses:Research", program="shenyang-studio") == []
    # a camera bought is still one
    assert _bought("论坛用摄像机1台") == [("error", ("词语“摄像机”",))]


def test_asset_rule_an_electronics_technology_company_paid_for_nothing_said():
    """Blind corpus 10: an …电子科技有限公司 sells devices as an electronics shop does."""
    [(severity, evidence, _)] = _bought_from("某某电子科技有限公司", "付款", "Expenses:Research", program="county-research",
                                            amount="1880.00")
    assert severity == "review"
    assert evidence[0] == "收款方“某某电子科技有限公司”为电器、数码、办公设备商店"
    # a service named, or under the threshold, is none
    assert _bought_from("某某电子科技有限公司", "录播系统维护服务费", "Expenses:Research", program="county-research") == []
    assert _bought_from("某某电子技术有限公司", "付款", "Expenses:Research", program="county-research",
                        amount="680.00") == []


@pytest.mark.parametrize("patterns", [
    ("电脑", "笔记本(?!本|册)", "服务器(?!.{0,4}(?:租|续费))", "[Ii][Pp]ad"),
    ("(?i:ipad)", "电脑"),  # an inline flag: its anchors would match in one case only
    (r"\d+台", "电脑"),  # a pattern with no literal anchor
    (r"a\.b", "a+b", r"\(c\)"),  # anchors with characters re reads as syntax
])
def test_whether_any_asset_word_occurs_is_what_the_alternation_answers(patterns):
    """``_Alternation.occurs`` (one alternation of the literal words and the other patterns'
    anchors first) answers whether the whole alternation matches."""
    whole = re.compile("|".join(f"(?:{p})" for p in patterns))
    split = _alternation(patterns)
    texts = ["IPAD", "ipad", "iPad", "笔记本", "笔记本册", "服务器", "服务器租用", "3台电脑", "3台", "a+b", "aab",
             "a.b", "axb", "(c)", "c", "无关", "电"]
    for text in texts + _texts(patterns, random.Random(len(patterns))):
        assert split.occurs(text) == (whole.search(text) is not None), text
