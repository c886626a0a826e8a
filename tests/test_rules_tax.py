"""tax-withholding: the tax withheld on a payment to a person against the 劳务报酬 formula
(tolerance 1.00) — the planted wrong amounts are found, their correct twins are not."""

from __future__ import annotations

import pytest
from ledgertext import brief, findings, grant, studio, txn

RULE = "tax-withholding"


def fee(date, voucher, amount, tax, account="Expenses:LecturerFees", **meta):
    meta.setdefault("payee_id", "4403**********1234")
    if tax is not None:
        meta["raw_tax_withheld"] = f"{tax} CNY"
    return txn(date, "张教授", "专题讲座讲课费", account, amount, voucher=voucher, **meta)


@pytest.mark.parametrize(
    "amount, right, wrong",
    [
        ("600.00", "0.00", "120.00"),  # ≤ 800: nothing to withhold (wrong: 20 % of the whole)
        ("1000.00", "40.00", "0.00"),  # (1000 − 800) × 20 %
        ("1000.00", "40.00", "200.00"),  # 20 % of the whole fee
        ("3000.00", "440.00", "480.00"),  # wrong: 3000 × 80 % × 20 % (that deduction is for > 4,000)
        ("5000.00", "800.00", "840.00"),  # wrong: (5000 − 800) × 20 %
        ("30000.00", "5200.00", "4800.00"),  # wrong: 20 % rate instead of 30 % − 2,000
        ("70000.00", "15400.00", "14800.00"),  # wrong: 30 % − 2,000 instead of 40 % − 7,000
    ],
)
def test_wrong_tax_is_found_and_its_right_twin_is_not(amount, right, wrong):
    text = studio(grant("2021-01-05", "80000.00")
                  + fee("2021-03-01", "2021-101", amount, right)
                  + fee("2021-03-02", "2021-102", amount, wrong))
    assert brief(text, RULE) == [("2021-03-02", "2021-102", "error")]
    (finding,) = findings(text, RULE)
    assert f"应为 {float(right):,.2f} 元" in finding.message and "预扣" in finding.message


def test_within_one_yuan_passes_and_beyond_it_does_not():
    text = studio(grant("2021-01-05", "80000.00")
                  + fee("2021-03-01", "2021-101", "1000.00", "41.00")
                  + fee("2021-03-02", "2021-102", "1000.00", "39.00")
                  + fee("2021-03-03", "2021-103", "1000.00", "41.01"))
    assert brief(text, RULE) == [("2021-03-03", "2021-103", "error")]


def test_the_formula_applies_to_the_gross_fee():
    """The expense is the fee before tax (CONTRACT.md): 50 on 1,000 is wrong even though it is
    what 1,050 would owe; 40 on the fee booked gross with the bank paying 960 net is right."""
    text = studio(grant("2021-01-05", "80000.00")
                  + fee("2021-03-01", "2021-101", "1000.00", "50.00")
                  + """
2021-03-02 * "张教授" "专题讲座讲课费"
  voucher: "2021-102"
  payee-id: "4403**********1234"
  tax-withheld: 40.00 CNY
  Expenses:LecturerFees  1000.00 CNY
  Assets:Bank:Dedicated  -960.00 CNY
  Liabilities:Tax:Withheld  -40.00 CNY
""", extra_accounts=("Liabilities:Tax:Withheld",))
    assert brief(text, RULE) == [("2021-03-01", "2021-101", "error")]


def test_missing_tax_is_payee_undocumented_not_this_rule():
    text = studio(grant("2021-01-05", "80000.00") + fee("2021-03-01", "2021-101", "1000.00", None))
    assert brief(text, RULE) == []
    assert brief(text, "payee-undocumented") == [("2021-03-01", "2021-101", "error")]


def test_each_person_of_a_voucher_is_checked_on_their_own_fee():
    text = studio(grant("2021-01-05", "80000.00") + """
2021-04-01 * "讲课费" "三位专家讲课费"
  voucher: "2021-201"
  payee-id: "见附表"
  Expenses:LecturerFees  1000.00 CNY
    tax-withheld: 40.00 CNY
  Expenses:LecturerFees  5000.00 CNY
    tax-withheld: 800.00 CNY
  Expenses:LecturerFees  2000.00 CNY
    tax-withheld: 400.00 CNY
  Assets:Bank:Dedicated
""")
    (finding,) = findings(text, RULE)
    assert finding.voucher == "2021-201" and "2,000.00" in finding.message and "240.00" in finding.message


def test_labour_fees_of_chifeng_are_checked_and_other_spending_is_not():
    text = studio(grant("2021-01-05", "50000.00")
                  + fee("2021-05-01", "2021-301", "2000.00", "0.00", account="Expenses:Labor")
                  + fee("2021-05-02", "2021-302", "2000.00", "240.00", account="Expenses:Labor")
                  + txn("2021-05-03", "新华书店", "图书", "Expenses:Materials", "2000.00", voucher="2021-303",
                        invoice="123", raw_tax_withheld="0.00"),
                  program="chifeng", allocation="50000.00")
    assert brief(text, RULE) == [("2021-05-01", "2021-301", "error")]


def test_a_reversal_is_not_a_payment():
    text = studio(grant("2021-01-05", "80000.00")
                  + fee("2021-03-01", "2021-101", "1000.00", "40.00")
                  + fee("2021-03-05", "2021-102", "-1000.00", "0.00"))
    assert brief(text, RULE) == []


def test_payments_on_several_person_accounts_are_each_checked_once_in_date_order():
    """The rule reads the pass's index of payments by account: a voucher paying on two of the
    persons' sub-accounts is checked once (one finding per wrong posting, not one per account
    it appears under), and the findings follow the dates across accounts."""
    def paid(date, voucher, postings):
        lines = [f'{date} * "工作室" "专家讲课费"', f'  voucher: "{voucher}"', '  payee-id: "4403**********1234"']
        total = 0
        for account, amount in postings:
            lines += [f"  {account}  {amount} CNY", "    tax-withheld: 0.00 CNY"]
            total += float(amount)
        lines.append(f"  Assets:Bank:Dedicated  -{total:.2f} CNY")
        return "\n" + "\n".join(lines) + "\n"

    a, b = "Expenses:LecturerFees:Alpha", "Expenses:LecturerFees:Beta"
    text = studio(grant("2021-01-05", "80000.00")
                  + paid("2021-03-01", "2021-101", [(b, "1000.00")])
                  + paid("2021-03-02", "2021-102", [(a, "1000.00"), (b, "2000.00")])
                  + paid("2021-03-03", "2021-103", [(a, "1000.00")]), extra_accounts=(a, b))
    found = findings(text, RULE)
    assert [(f.voucher, f.evidence[0]) for f in found] == [
        ("2021-101", "gross 1000.00"), ("2021-102", "gross 1000.00"), ("2021-102", "gross 2000.00"),
        ("2021-103", "gross 1000.00")]
