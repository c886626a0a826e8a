"""Red-letter invoices: invoice-cancelled, and the blue/red pair is not a duplicate-invoice."""

from __future__ import annotations

from ledgertext import brief, findings, grant, studio, txn

FUNDS = grant("2024-01-10", "80000.00")
SIGNED = {"approver": "李梅", "reviewer": "王校长"}
BLUE, RED = "24442000000012345678", "24442000000012349999"


def blue_payment(voucher: str = "2024-010", amount: str = "1060.00") -> str:
    return txn("2024-05-20", "深圳市粤香楼餐饮有限公司", "研讨会工作餐", "Expenses:Seminars", amount, voucher=voucher,
               invoice=BLUE, invoice_items="*餐饮服务*餐费", **SIGNED)


def red_entry(voucher: str = "2024-020", amount: str = "-1060.00", invoice: str = RED, **extra: str) -> str:
    """The red invoice booked as a refund into the dedicated account (expense reversed)."""
    return txn("2024-06-03", "深圳市粤香楼餐饮有限公司", "红字发票退款", "Expenses:Seminars", amount, voucher=voucher,
               invoice=invoice, invoice_kind="red", invoice_original=BLUE, **extra)


def test_red_invoice_reversing_its_blue_payment_through_corrects_is_fine():
    text = studio(FUNDS + blue_payment() + red_entry(corrects="2024-010"))
    assert brief(text, "invoice-cancelled") == []
    assert brief(text, "duplicate-invoice") == []


def test_red_invoice_whose_original_payment_is_not_reversed_is_flagged_on_the_payment():
    text = studio(FUNDS + blue_payment() + red_entry())  # refund booked, but not linked with corrects
    assert brief(text, "invoice-cancelled") == [("2024-05-20", "2024-010", "error")]
    [finding] = findings(text, "invoice-cancelled")
    assert RED in finding.message and BLUE in finding.message and 'corrects: "2024-010"' in finding.message


def test_a_separate_correcting_entry_counts_and_a_partial_one_does_not():
    partial = txn("2024-06-05", "深圳市粤香楼餐饮有限公司", "退款", "Expenses:Seminars", "-500.00", voucher="2024-021",
                  corrects="2024-010")
    text = studio(FUNDS + blue_payment() + red_entry() + partial)
    assert brief(text, "invoice-cancelled") == [("2024-05-20", "2024-010", "error")]
    assert "已冲回 500.00 CNY" in findings(text, "invoice-cancelled")[0].message
    whole = partial.replace("-500.00", "-1060.00")
    assert brief(studio(FUNDS + blue_payment() + red_entry() + whole), "invoice-cancelled") == []


def test_a_partial_red_invoice_needs_only_its_own_amount_reversed():
    text = studio(FUNDS + blue_payment() + red_entry(amount="-300.00", corrects="2024-010"))
    assert brief(text, "invoice-cancelled") == []


def test_a_red_invoice_whose_blue_is_not_in_the_ledger_says_nothing():
    assert brief(studio(FUNDS + red_entry()), "invoice-cancelled") == []


def test_the_void_blue_invoice_is_not_free_to_be_reimbursed_again():
    again = txn("2024-07-01", "深圳市粤香楼餐饮有限公司", "工作餐", "Expenses:Seminars", "1060.00", voucher="2024-030",
                invoice=BLUE, **SIGNED)
    text = studio(FUNDS + blue_payment() + red_entry(corrects="2024-010", invoice=f"{RED},{BLUE}") + again)
    assert brief(text, "duplicate-invoice") == [("2024-07-01", "2024-030", "error")]


def test_a_red_entry_booked_with_positive_postings_is_not_a_duplicate_of_its_blue():
    # an officer who booked the red invoice as a (positive) payment carrying both numbers
    odd = txn("2024-06-03", "深圳市粤香楼餐饮有限公司", "红字发票", "Expenses:Seminars", "1.00", voucher="2024-020",
              invoice=f"{RED},{BLUE}", invoice_kind="red", invoice_original=BLUE, **SIGNED)
    assert brief(studio(FUNDS + blue_payment() + odd), "duplicate-invoice") == []
    # the same entry without the red mark is a duplicate
    plain = odd.replace('  invoice-kind: "red"\n', "")
    assert brief(studio(FUNDS + blue_payment() + plain), "duplicate-invoice") == [("2024-06-03", "2024-020", "error")]
