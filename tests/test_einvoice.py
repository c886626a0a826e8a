"""Reading 数电票 XML and OFD files (studiofund.importers.einvoice) and ``studiofund invoice read``.

The fixtures in tests/fixtures/einvoice/ are written by make_fixtures.py there, to the published
structure; every field is read exactly."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from clirun import run
from studiofund.importers.einvoice import EInvoiceError, Item, Party, parse_einvoice, read_einvoice
from studiofund.policy import PolicyError
from studiofund.policy.taxcodes import category_of_code, load_tax_categories

FIXTURES = Path(__file__).parent / "fixtures" / "einvoice"
SCHOOL = Party("深圳市南山区第一实验学校（集团）", "12440305MB2C6170Q4")
D = Decimal


def test_the_committed_fixtures_are_what_the_generator_writes(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    for written in tmp_path.iterdir():
        assert written.read_bytes() == (FIXTURES / written.name).read_bytes(), written.name


def test_blue_invoice_every_field():
    inv = read_einvoice(FIXTURES / "blue_catering.xml")
    assert inv.number == "24442000000012345678"
    assert inv.date == datetime.date(2024, 5, 20)
    assert inv.kind == "blue" and inv.original_number is None
    assert inv.seller == Party("深圳市南山区粤香楼餐饮有限公司", "91440300MA5FXK8B7F")
    assert inv.buyer == SCHOOL
    assert inv.items == (
        Item(name="*餐饮服务*餐费", category="餐饮服务", code="3070401000000000000", quantity=D("1"), unit="次",
             unit_price=D("1000"), amount=D("1000.00"), tax_rate=D("0.06"), tax=D("60.00"), total=D("1060.00")),
    )
    assert (inv.amount, inv.tax, inv.total) == (D("1000.00"), D("60.00"), D("1060.00"))
    assert inv.remark == "工作室研讨活动"


def test_red_invoice_names_the_blue_one_it_cancels_and_keeps_negative_amounts():
    inv = read_einvoice(FIXTURES / "red_catering.xml")
    assert inv.number == "24442000000012349999"
    assert inv.date == datetime.date(2024, 6, 3)
    assert inv.kind == "red"
    assert inv.original_number == "24442000000012345678"
    assert (inv.amount, inv.tax, inv.total) == (D("-1000.00"), D("-60.00"), D("-1060.00"))
    assert inv.items[0].total == D("-1060.00") and inv.items[0].quantity == D("-1")


def test_red_invoice_without_red_element_takes_the_original_from_the_remark():
    text = (FIXTURES / "red_catering.xml").read_text(encoding="utf-8")
    start, end = text.index("<SpecificInformation>"), text.index("</SpecificInformation>") + len("</SpecificInformation>")
    inv = parse_einvoice((text[:start] + "<SpecificInformation/>" + text[end:]).encode(), "red.xml")
    assert inv.kind == "red" and inv.original_number == "24442000000012345678"


def test_without_the_blue_red_label_a_negative_invoice_is_red():
    text = (FIXTURES / "red_catering.xml").read_text(encoding="utf-8")
    text = text.replace("<LabelCode>N</LabelCode><LabelName>是否蓝字发票标志</LabelName>", "")
    assert parse_einvoice(text.encode(), "red.xml").kind == "red"
    blue = (FIXTURES / "blue_catering.xml").read_text(encoding="utf-8")
    blue = blue.replace("<LabelCode>Y</LabelCode><LabelName>是否蓝字发票标志</LabelName>", "")
    assert parse_einvoice(blue.encode(), "blue.xml").kind == "blue"


def test_mixed_items_each_with_its_category_rate_and_amounts():
    inv = read_einvoice(FIXTURES / "mixed_items.xml")
    assert [(i.name, i.category, i.code) for i in inv.items] == [
        ("*文具*中性笔", "文具", "1060201070000000000"),
        ("*纸制品*A4复印纸", "纸制品", "1060105010000000000"),
        ("*餐饮服务*工作餐", "餐饮服务", "3070401000000000000"),
    ]
    assert [i.tax_rate for i in inv.items] == [D("0.13"), D("0.13"), D("0.06")]  # "6%" read as 0.06
    assert [(i.amount, i.tax, i.total) for i in inv.items] == [
        (D("265.49"), D("34.51"), D("300.00")), (D("110.62"), D("14.38"), D("125.00")), (D("566.04"), D("33.96"), D("600.00")),
    ]
    assert [i.quantity for i in inv.items] == [D("10"), D("5"), D("20")]
    assert inv.items[0].unit_price == D("26.548672566372") and inv.items[0].unit == "盒"
    assert (inv.amount, inv.tax, inv.total) == (D("942.15"), D("82.85"), D("1025.00"))


def test_person_as_buyer_is_read_as_printed():
    inv = read_einvoice(FIXTURES / "person_buyer.xml")
    assert inv.buyer == Party("个人", "440305198805060016")
    assert inv.items[0].category == "住宿服务"


def test_prepaid_card_rate_stays_in_words():
    inv = read_einvoice(FIXTURES / "prepaid_card.xml")
    item = inv.items[0]
    assert (item.category, item.code, item.tax_rate, item.tax) == ("预付卡销售和充值", "6010000000000000000", "不征税", D("0.00"))


def test_an_item_without_asterisks_takes_its_category_from_the_code():
    item = read_einvoice(FIXTURES / "code_only.xml").items[0]
    assert (item.name, item.category) == ("研学考察服务费", "旅游服务")


def test_ofd_with_attached_invoice_data_reads_like_the_xml():
    from_ofd = read_einvoice(FIXTURES / "with_data.ofd")
    from_xml = read_einvoice(FIXTURES / "mixed_items.xml")
    assert from_ofd.to_json() == from_xml.to_json()
    assert "original_invoice.xml" in from_ofd.source


@pytest.mark.parametrize(
    "name, words",
    [
        ("malformed.xml", ["malformed.xml", "不是有效的 XML", "第 2 行", "开始标签与结束标签不匹配"]),
        ("truncated.xml", ["truncated.xml", "XML 不完整", "重新下载"]),
        ("wrong_root.xml", ["wrong_root.xml", "<Invoice>", "<EInvoice>"]),
        ("missing_number.xml", ["missing_number.xml", "没有发票号码"]),
        ("without_data.ofd", ["without_data.ofd", "没有附带数电票的结构化数据", "24442000000023456789", "XML 文件"]),
        ("broken.ofd", ["broken.ofd", "OFD 文件无法打开"]),
    ],
)
def test_bad_files_get_a_chinese_error_naming_the_file(name, words):
    with pytest.raises(EInvoiceError) as caught:
        read_einvoice(FIXTURES / name)
    for word in words:
        assert word in str(caught.value)


def test_an_xml_bomb_or_external_entity_is_refused_unparsed():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        "<EInvoice><Header><EIid>&lol2;</EIid></Header></EInvoice>"
    )
    with pytest.raises(EInvoiceError, match="DTD 或实体声明"):
        parse_einvoice(bomb.encode(), "bomb.xml")
    external = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><EInvoice>&e;</EInvoice>'
    with pytest.raises(EInvoiceError, match="DTD 或实体声明"):
        parse_einvoice(external.encode(), "external.xml")


def test_other_bad_input():
    with pytest.raises(EInvoiceError, match="空的"):
        parse_einvoice(b"  \n", "empty.xml")
    with pytest.raises(EInvoiceError, match="PDF"):
        parse_einvoice(b"%PDF-1.7 ...", "invoice.pdf")
    with pytest.raises(EInvoiceError, match="不存在"):
        read_einvoice(FIXTURES / "no-such-file.xml")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("readme.txt", "not an OFD")
    with pytest.raises(EInvoiceError, match="没有 OFD.xml"):
        parse_einvoice(zipped.getvalue(), "x.ofd")


def test_inconsistent_totals_are_refused():
    text = (FIXTURES / "blue_catering.xml").read_text(encoding="utf-8")
    text = text.replace("<TotalTax-includedAmount>1060.00<", "<TotalTax-includedAmount>1600.00<")
    with pytest.raises(EInvoiceError, match="价税合计 1600.00 不等于"):
        parse_einvoice(text.encode(), "tampered.xml")


def test_a_non_numeric_amount_or_date_is_an_error_naming_the_field():
    text = (FIXTURES / "blue_catering.xml").read_text(encoding="utf-8")
    with pytest.raises(EInvoiceError, match="第 1 个开票项目的金额 'abc'"):
        parse_einvoice(text.replace("<Amount>1000.00<", "<Amount>abc<").encode(), "bad.xml")
    with pytest.raises(EInvoiceError, match="开票日期 '20-05-2024'"):
        parse_einvoice(text.replace("<IssueTime>2024-05-20<", "<IssueTime>20-05-2024<").encode(), "bad.xml")


def test_namespaces_gbk_and_datetime_issue_times_are_read():
    text = (FIXTURES / "blue_catering.xml").read_text(encoding="utf-8")
    namespaced = text.replace("<EInvoice>", '<EInvoice xmlns="urn:example:einvoice">')
    assert parse_einvoice(namespaced.encode(), "ns.xml").number == "24442000000012345678"
    undeclared_gbk = text.replace('<?xml version="1.0" encoding="utf-8"?>\n', "").encode("gb18030")
    assert parse_einvoice(undeclared_gbk, "gbk.xml").seller.name == "深圳市南山区粤香楼餐饮有限公司"
    declared_gbk = text.replace('encoding="utf-8"', 'encoding="GBK"').encode("gbk")
    assert parse_einvoice(declared_gbk, "gbk.xml").buyer == SCHOOL
    with_time = text.replace("<IssueTime>2024-05-20<", "<IssueTime>2024-05-21 09:30:00<")
    assert parse_einvoice(with_time.encode(), "t.xml").date == datetime.date(2024, 5, 21)


def test_tax_code_categories_longest_prefix_first():
    assert category_of_code("3070401000000000000") == "餐饮服务"
    assert category_of_code("3070402000000000000") == "住宿服务"
    assert category_of_code("1070101010200000000") == "成品油"
    assert category_of_code("6010000000000000000") == "预付卡销售和充值"
    assert category_of_code("3079900000000000000") == "生活服务"
    assert category_of_code("9990000000000000000") is None
    assert category_of_code(None) is None


def test_a_broken_tax_code_table_names_file_and_field(tmp_path):
    bad = tmp_path / "codes.toml"
    bad.write_text('[tax-code-categories]\n"30704x" = "餐饮服务"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_tax_categories(bad)
    assert "codes.toml" in str(caught.value) and "tax-code-categories.30704x" in str(caught.value)


# ----------------------------------------------------------------- the command


def test_invoice_read_json_is_the_contract_shape():
    result = run("invoice", "read", FIXTURES / "red_catering.xml", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"number", "date", "kind", "original_number", "seller", "buyer", "items", "amount", "tax", "total"}
    assert data["number"] == "24442000000012349999"
    assert data["date"] == "2024-06-03"
    assert (data["kind"], data["original_number"]) == ("red", "24442000000012345678")
    assert data["seller"] == {"name": "深圳市南山区粤香楼餐饮有限公司", "tax_id": "91440300MA5FXK8B7F"}
    assert data["buyer"] == {"name": SCHOOL.name, "tax_id": SCHOOL.tax_id}
    assert (data["amount"], data["tax"], data["total"]) == ("-1000.00", "-60.00", "-1060.00")
    item = data["items"][0]
    assert {k: item[k] for k in ("name", "category", "code", "quantity", "amount", "tax_rate", "tax", "total")} == {
        "name": "*餐饮服务*餐费", "category": "餐饮服务", "code": "3070401000000000000", "quantity": "-1",
        "amount": "-1000.00", "tax_rate": "0.06", "tax": "-60.00", "total": "-1060.00",
    }


def test_invoice_read_text_speaks_chinese():
    result = run("invoice", "read", FIXTURES / "mixed_items.xml")
    assert result.exit_code == 0, result.output
    assert "发票号码：24442000000023456789" in result.output
    assert "类    型：蓝字发票" in result.output
    assert "*餐饮服务*工作餐  [类别 餐饮服务；编码 3070401000000000000]" in result.output
    assert "税率 6%" in result.output and "价税合计：1,025.00 元" in result.output


@pytest.mark.parametrize("name", ["malformed.xml", "truncated.xml", "wrong_root.xml", "missing_number.xml", "without_data.ofd"])
def test_invoice_read_of_a_bad_file_exits_2_with_the_file_named(name):
    result = run("invoice", "read", FIXTURES / name)
    assert result.exit_code == 2
    assert "错误：电子发票" in result.output and name in result.output
    assert "Traceback" not in result.output


# ----------------------------------------------------------------- what a booking takes from it


def test_booking_facts_of_a_blue_invoice():
    from studiofund.importers.einvoice import booking_facts

    facts = booking_facts(read_einvoice(FIXTURES / "mixed_items.xml"))
    assert facts.payee == "深圳市惠民百货超市有限公司"
    assert facts.date == datetime.date(2024, 9, 12)
    assert facts.amount == D("1025.00")
    assert facts.meta == {
        "invoice": "24442000000023456789",
        "invoice-items": "*文具*中性笔; *纸制品*A4复印纸; *餐饮服务*工作餐",
        "invoice-buyer": SCHOOL.name,
        "invoice-buyer-tax-id": SCHOOL.tax_id,
    }


def test_booking_facts_of_a_red_invoice_and_of_an_item_without_short_name():
    from studiofund.importers.einvoice import booking_facts

    red = booking_facts(read_einvoice(FIXTURES / "red_catering.xml"))
    assert red.amount == D("-1060.00")
    assert (red.meta["invoice-kind"], red.meta["invoice-original"]) == ("red", "24442000000012345678")
    coded = booking_facts(read_einvoice(FIXTURES / "code_only.xml"))
    assert coded.meta["invoice-items"] == "*旅游服务*研学考察服务费"
    assert "invoice-kind" not in coded.meta


def test_an_ofd_member_that_unpacks_too_large_is_not_read():
    from studiofund.importers import einvoice

    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
        archive.writestr("Doc_0/Attachs/original_invoice.xml", b" " * (einvoice.MAX_MEMBER_BYTES + 10))
    assert len(zipped.getvalue()) < 100_000  # a small file that unpacks to more than the limit
    with pytest.raises(EInvoiceError, match="过大"):
        parse_einvoice(zipped.getvalue(), "bomb.ofd")
