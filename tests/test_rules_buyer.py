"""invoice-buyer-mismatch: an e-invoice's buyer is the host school, not a person or another unit."""

from __future__ import annotations

from ledgertext import HOST_SCHOOL, brief, findings, grant, studio, txn

FUNDS = grant("2024-01-10", "80000.00")
SIGNED = {"approver": "李梅", "reviewer": "王校长"}
SCHOOL_ID = "12440305MB2C6170Q4"


def with_tax_id(text: str, tax_id: str = SCHOOL_ID) -> str:
    """The studio declaration with ``host-school-tax-id:``."""
    return text.replace(f'  host-school: "{HOST_SCHOOL}"\n', f'  host-school: "{HOST_SCHOOL}"\n  host-school-tax-id: "{tax_id}"\n', 1)


def paid(date: str, voucher: str, invoice: str, **buyer: str) -> str:
    return txn(date, "深圳市某某餐饮有限公司", "研讨会工作餐", "Expenses:Seminars", "600.00", voucher=voucher,
               invoice=invoice, **SIGNED, **buyer)


def test_buyer_by_name_tolerates_width_brackets_and_spaces():
    body = FUNDS
    body += paid("2024-03-01", "2024-001", "24442000000000000001", invoice_buyer="深圳市南山区第二实验学校")
    body += paid("2024-03-02", "2024-002", "24442000000000000002", invoice_buyer="深圳市南山区 第二实验学校")
    body += paid("2024-03-03", "2024-003", "24442000000000000003", invoice_buyer="深圳市南山区第三实验学校")
    text = studio(body, host_school="深圳市南山区第二实验学校")
    assert brief(text, "invoice-buyer-mismatch") == [("2024-03-03", "2024-003", "error")]
    [finding] = findings(text, "invoice-buyer-mismatch")
    assert "深圳市南山区第三实验学校" in finding.message and "不是主办学校" in finding.message


def test_brackets_in_the_school_name():
    body = FUNDS + paid("2024-03-01", "2024-001", "24442000000000000001", invoice_buyer="深圳市南山区实验教育集团(南头学校)")
    assert brief(studio(body, host_school="深圳市南山区实验教育集团（南头学校）"), "invoice-buyer-mismatch") == []


def test_buyer_by_tax_id_when_the_declaration_has_one():
    body = FUNDS
    # same id, old school name on the invoice: the id decides
    body += paid("2024-03-01", "2024-001", "24442000000000000001", invoice_buyer="深圳市南山区第二实验学校（旧名）",
                 invoice_buyer_tax_id=SCHOOL_ID.lower())
    # right name, another unit's id
    body += paid("2024-03-02", "2024-002", "24442000000000000002", invoice_buyer=HOST_SCHOOL,
                 invoice_buyer_tax_id="91440300MA5FXK8B7F")
    text = with_tax_id(studio(body))
    assert brief(text, "invoice-buyer-mismatch") == [("2024-03-02", "2024-002", "error")]
    [finding] = findings(text, "invoice-buyer-mismatch")
    assert "91440300MA5FXK8B7F" in finding.message and SCHOOL_ID in finding.message


def test_without_the_buyer_tax_id_the_name_is_compared_even_if_the_school_declares_one():
    body = FUNDS + paid("2024-03-01", "2024-001", "24442000000000000001", invoice_buyer="深圳市某某科技有限公司")
    assert brief(with_tax_id(studio(body)), "invoice-buyer-mismatch") == [("2024-03-01", "2024-001", "error")]


def test_a_person_as_buyer_is_an_error():
    body = FUNDS
    body += paid("2024-03-01", "2024-001", "24442000000000000001", invoice_buyer="个人", invoice_buyer_tax_id="440305198805060016")
    body += paid("2024-03-02", "2024-002", "24442000000000000002", invoice_buyer="李梅")
    text = with_tax_id(studio(body))
    assert brief(text, "invoice-buyer-mismatch") == [("2024-03-01", "2024-001", "error"), ("2024-03-02", "2024-002", "error")]
    assert all("购买方是个人" in f.message for f in findings(text, "invoice-buyer-mismatch"))


def test_entries_without_e_invoice_buyer_facts_are_not_judged():
    body = FUNDS + txn("2024-03-01", "新华书店", "图书", "Expenses:Materials", "300.00", voucher="2024-001",
                       invoice="04400123", **SIGNED)
    assert brief(studio(body), "invoice-buyer-mismatch") == []
