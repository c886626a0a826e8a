"""three-public, personal-consumption, school-operating-cost: clear cases are errors, unclear
ones review, legitimate studio spending passes; the patterns are policy data."""

from __future__ import annotations

import pytest

from ledgertext import brief, findings, grant, papers, studio, txn

from studiofund.checks.rules.content import Detector
from studiofund.policy import PolicyError, load_policy_file, load_program

FUNDS = grant("2020-01-10", "40000.00")


def one(payee, narration, account="Expenses:Seminars", program="shenzhen-district", **meta):
    body = FUNDS + txn("2020-05-06", payee, narration, account, "800.00", voucher="2020-100",
                       **papers(**meta))
    return studio(body, program)


@pytest.mark.parametrize(
    "payee, narration, account",
    [
        ("某某大酒店", "接待市督导组工作餐", "Expenses:Seminars"),
        ("某某酒楼", "宴请区教育局检查组", "Expenses:Conference"),
        ("中国石化加油站", "公务车加油", "Expenses:FieldVisits"),
        ("某某汽修厂", "学校公务用车维修保养", "Expenses:OtherCollective"),
        ("中国国际航空公司", "工作室成员赴香港考察机票", "Expenses:FieldVisits"),
        ("某某旅行社", "赴日本东京学校访学团费", "Expenses:FieldVisits"),
        ("中国人民财产保险", "车辆交强险续保", "Expenses:OtherCollective"),
    ],
)
def test_three_public_clear_cases_are_errors(payee, narration, account):
    assert brief(one(payee, narration, account), "three-public") == [("2020-05-06", "2020-100", "error")]


@pytest.mark.parametrize(
    "payee, narration",
    [
        ("某某商贸有限公司", "购买购物卡"),
        ("某某超市", "教师节慰问品"),
        ("中国移动", "主持人手机话费充值"),
        ("某某烟酒行", "购买白酒两箱"),
        ("某某旅行社", "成员携家属赴三亚旅游"),
    ],
)
def test_personal_consumption_clear_cases_are_errors(payee, narration):
    assert brief(one(payee, narration), "personal-consumption") == [("2020-05-06", "2020-100", "error")]


@pytest.mark.parametrize(
    "payee, narration",
    [
        ("国家电网深圳供电局", "支付电费"),
        ("某某物业管理有限公司", "教学楼物业管理费"),
        ("某某建筑工程公司", "教学楼屋顶防水维修工程款"),
        ("某某食品公司", "教职工食堂伙食费"),
        ("深圳市南山区第二实验学校", "划转至学校基本户"),
    ],
)
def test_school_operating_cost_clear_cases_are_errors(payee, narration):
    assert brief(one(payee, narration), "school-operating-cost") == [("2020-05-06", "2020-100", "error")]


@pytest.mark.parametrize(
    "rule, payee, narration",
    [
        ("three-public", "某某文化传播公司", "接待外校教师交流活动"),  # hosting, but not clearly a reception
        ("three-public", "某某停车场", "停车费"),
        ("personal-consumption", "某某文化用品店", "活动纪念品"),
        ("school-operating-cost", "深圳市南山区第二实验学校", "场地使用费"),
        ("school-operating-cost", "某某学校", "归还学校垫付款"),
    ],
)
def test_ambiguous_cases_are_review(rule, payee, narration):
    assert brief(one(payee, narration), rule) == [("2020-05-06", "2020-100", "review")]


@pytest.mark.parametrize(
    "payee, narration, account",
    [
        ("某某酒店", "工作室成员赴杭州考察住宿费", "Expenses:FieldVisits"),
        ("某某餐饮公司", "班主任培训期间学员工作餐", "Expenses:Seminars"),
        ("滴滴出行", "工作室成员赴成员学校送教打车费", "Expenses:FieldVisits"),
        ("深圳会展中心", "粤港澳大湾区班主任论坛会务费", "Expenses:Conference"),
        ("深圳市福田区红岭中学", "联合教研活动场地费", "Expenses:Seminars"),
        ("京东", "购买工作室用笔记本电脑", "Expenses:Equipment"),
        ("新华书店", "购买《日本中小学班级管理》图书", "Expenses:Materials"),
        ("张教授", "邀请香港大学专家线上讲座讲课费", "Expenses:LecturerFees"),
        ("某某印刷厂", "印刷工作室成果集（个人成长案例）", "Expenses:Publication"),
    ],
)
def test_legitimate_studio_spending_is_not_flagged(payee, narration, account):
    text = one(payee, narration, account, payee_id="4403**********1234", raw_tax_withheld="0.00 CNY")
    for rule in ("three-public", "personal-consumption", "school-operating-cost"):
        assert brief(text, rule) == [], rule


def test_income_and_refunds_are_not_read():
    body = (
        txn("2020-01-10", "深圳市教育局", "市级拨款（含接待费标准说明）", "Assets:Bank:Dedicated", "40000.00",
            counter="Income:Grant:City")
        + "2020-12-01 * \"市教育局\" \"划转退回市教育局\"\n  Assets:Bank:Dedicated  -100.00 CNY\n"
        "  Liabilities:Refund:Bureau\n\n"
    )
    text = studio(body)
    for rule in ("three-public", "personal-consumption", "school-operating-cost"):
        assert brief(text, rule) == [], rule


def test_metadata_text_is_read():
    body = FUNDS + txn("2020-05-06", "某某商贸有限公司", "采购", "Expenses:Seminars", "500.00",
                       voucher="2020-101", purpose="春节慰问品", **papers())
    assert brief(studio(body), "personal-consumption") == [("2020-05-06", "2020-101", "error")]


def test_transfer_to_another_account_is_school_cost():
    body = FUNDS + txn("2020-05-06", "某某学校", "资金调整", "Assets:Receivable:School", "500.00",
                       voucher="2020-102")
    text = studio(body, extra_accounts=("Assets:Receivable:School",))
    assert brief(text, "school-operating-cost") == [("2020-05-06", "2020-102", "review")]


def test_reviewed_silences_review_but_never_error():
    body = FUNDS
    body += txn("2020-05-06", "某某停车场", "停车费", voucher="2020-103", reviewed="学员大巴停车，已核", **papers())
    body += txn("2020-05-07", "中国石化加油站", "公务车加油", voucher="2020-104", reviewed="已核", **papers())
    text = studio(body)
    assert brief(text, "three-public") == [("2020-05-07", "2020-104", "error")]


def test_message_is_chinese_cites_the_clause_and_says_what_to_do():
    [finding] = findings(one("某某大酒店", "宴请督导组"), "three-public")
    assert finding.message.startswith("【违规·three-public】凭证 2020-100：")
    assert "公务接待" in finding.message and "宴请" in finding.message
    assert "冲回" in finding.message
    assert "依据：《深圳市第二批中小学名班主任工作室经费使用管理办法》第三条" in finding.message


def test_every_program_cites_the_content_rules():
    from studiofund.policy import bundled_ids

    for program in bundled_ids():
        policy = load_program(program)
        for rule in ("three-public", "personal-consumption", "school-operating-cost"):
            assert policy.citations.get(rule), (program, rule)


def test_every_program_detects_with_the_shared_patterns():
    for program in ("shenyang-studio", "chifeng", "lvyuan-training", "county-research"):
        text = one("某某大酒店", "宴请督导组", "Expenses:Materials", program=program)
        assert [f.severity for f in findings(text, "three-public")] == ["error"], program


# -- policy data ------------------------------------------------------------------------------

def _policy_with(tmp_path, detection: str):
    base = load_program("shenzhen-district")
    path = tmp_path / "bureau.toml"
    path.write_text(
        'include = ["' + str((__import__("studiofund.policy", fromlist=["PROGRAMS_DIR"]).PROGRAMS_DIR
                             / "shenzhen-district.toml")) + '"]\n' + detection,
        encoding="utf-8",
    )
    return base, path


def test_a_bureau_can_add_its_own_signal(tmp_path):
    _, path = _policy_with(tmp_path, """
[[detection.more_signals]]
id = "lottery"
rule = "personal-consumption"
label = "彩票"
terms = ['彩票']
weight = 4
""")
    policy = load_policy_file(path)
    det = Detector(policy.detection, "某校")
    from beancount.parser import parser

    entries, _, _ = parser.parse_string(
        '2020-01-01 * "体彩中心" "购买彩票"\n  Expenses:Seminars  10.00 CNY\n  Assets:Bank:Dedicated\n'
    )
    verdict = det.assess(entries[0])["personal-consumption"]
    assert verdict.severity == "error" and verdict.matches[0].label == "彩票"


@pytest.mark.parametrize(
    "snippet, field",
    [
        ("[[detection.more_signals]]\nid = \"x\"\nrule = \"three-public\"\nlabel = \"x\"\nterms = ['(']\nweight = 2\n",
         "detection.more_signals[0].terms"),
        ("[[detection.more_signals]]\nid = \"x\"\nrule = \"no-such-rule\"\nlabel = \"x\"\nterms = ['a']\nweight = 2\n",
         "detection.more_signals[0].rule"),
        ("[detection.thresholds.three-public]\nreview = 5\nerror = 3\n", "detection.thresholds.three-public.error"),
    ],
)
def test_bad_detection_data_names_the_field(tmp_path, snippet, field):
    _, path = _policy_with(tmp_path, snippet)
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert info.value.field == field
