"""An e-invoice read twice — in one studio or in two — is duplicate-invoice; its red letter is not a use."""

from __future__ import annotations

from ledgertext import brief, grant, studio, txn

from studiofund.importers.einvoice import booking_facts, read_einvoice
from studiofund.reports.consolidate import consolidate

from test_einvoice import FIXTURES

SIGNED = {"approver": "李梅", "reviewer": "王校长"}


def booked(voucher: str, fixture: str, account: str = "Expenses:Seminars", **extra: str) -> str:
    """An entry as booking from the e-invoice writes it (the metadata of booking_facts)."""
    facts = booking_facts(read_einvoice(FIXTURES / fixture))
    meta = {key.replace("-", "_"): value for key, value in facts.meta.items()}
    return txn(facts.date.isoformat(), facts.payee, "研讨会工作餐", account, f"{facts.amount:.2f}", voucher=voucher,
               **meta, **SIGNED, **extra)


def test_the_same_e_invoice_read_twice_in_one_studio():
    body = grant("2024-01-10", "80000.00") + booked("2024-001", "blue_catering.xml") + booked("2024-002", "blue_catering.xml")
    assert brief(studio(body), "duplicate-invoice") == [("2024-05-20", "2024-002", "error")]


def test_the_same_e_invoice_in_two_studios_and_a_red_letter_that_is_no_use(tmp_path):
    funds = grant("2024-01-10", "80000.00")
    a = tmp_path / "a.beancount"
    a.write_text(studio(funds + booked("2024-001", "blue_catering.xml")).replace("测试工作室", "甲工作室"), encoding="utf-8")
    b = tmp_path / "b.beancount"
    b.write_text(studio(funds + booked("2024-005", "blue_catering.xml")).replace("测试工作室", "乙工作室"), encoding="utf-8")
    # a third studio books the red invoice that cancels it, carrying the blue number as well
    red = booked("2024-009", "red_catering.xml", corrects="2024-001")
    red = red.replace('invoice: "24442000000012349999"', 'invoice: "24442000000012349999, 24442000000012345678"')
    c = tmp_path / "c.beancount"
    c.write_text(studio(funds + red).replace("测试工作室", "丙工作室"), encoding="utf-8")
    out = consolidate([a, b, c], 2024, jobs=1, use_cache=False).to_json()
    [duplicate] = out["duplicate_invoices"]
    assert duplicate["invoice"] == "24442000000012345678"
    assert sorted((u["studio"], u["voucher"]) for u in duplicate["uses"]) == [("乙工作室", "2024-005"), ("甲工作室", "2024-001")]


def test_a_typed_full_width_number_is_the_same_invoice():
    body = grant("2024-01-10", "80000.00") + booked("2024-001", "blue_catering.xml")
    body += txn("2024-06-01", "粤香楼", "工作餐", "Expenses:Seminars", "1060.00", voucher="2024-002",
                invoice="２４４４２０００００００１２３４５６７８", **SIGNED)
    assert brief(studio(body), "duplicate-invoice") == [("2024-06-01", "2024-002", "error")]
