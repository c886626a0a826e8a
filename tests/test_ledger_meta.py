"""The metadata readers of studiofund.ledger.meta that other rules build on."""

from studiofund.ledger.meta import (
    InvoiceItem,
    format_invoice_items,
    invoice_items,
    item_category,
    parse_invoice_items,
)


def test_invoice_items_split_on_semicolons_with_their_category():
    meta = {"invoice-items": "*餐饮服务*餐费; *住宿服务*住宿费；*酒*白酒 汾酒青花30"}
    assert invoice_items(meta) == [
        InvoiceItem("*餐饮服务*餐费", "餐饮服务"),
        InvoiceItem("*住宿服务*住宿费", "住宿服务"),
        InvoiceItem("*酒*白酒 汾酒青花30", "酒"),
    ]


def test_invoice_items_without_asterisks_have_no_category():
    assert parse_invoice_items("会议费") == [InvoiceItem("会议费", None)]
    assert parse_invoice_items("＊预付卡销售和充值＊购物卡") == [InvoiceItem("＊预付卡销售和充值＊购物卡", "预付卡销售和充值")]


def test_blank_or_absent_invoice_items_are_no_items():
    assert invoice_items(None) == []
    assert invoice_items({}) == []
    assert invoice_items({"invoice-items": "  "}) == []
    assert parse_invoice_items("*餐饮服务*餐费;;  ") == [InvoiceItem("*餐饮服务*餐费", "餐饮服务")]


def test_item_category_reads_only_a_leading_short_name():
    assert item_category("*成品油*92号汽油") == "成品油"
    assert item_category("餐费*餐饮服务*") is None
    assert item_category("") is None


def test_formatted_items_parse_back_to_the_same_names():
    names = ["*餐饮服务*餐费", "*文具*签字笔; 黑色"]
    value = format_invoice_items(names)
    assert value == "*餐饮服务*餐费; *文具*签字笔， 黑色"
    assert [item.name for item in parse_invoice_items(value)] == ["*餐饮服务*餐费", "*文具*签字笔， 黑色"]
