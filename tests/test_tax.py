"""The 劳务报酬 withholding formula (CONTRACT.md): the one implementation that `record --tax auto`
books and the tax-withholding rule checks against."""

from __future__ import annotations

from decimal import Decimal

import pytest

from studiofund.policy.tax import labour_remuneration, labour_remuneration_tax


@pytest.mark.parametrize(
    "income, tax",
    [
        ("0.00", "0.00"),
        ("500.00", "0.00"),  # below the 800 deduction
        ("800.00", "0.00"),
        ("801.00", "0.20"),
        ("1000.00", "40.00"),  # (1000 − 800) × 20 %
        ("2000.00", "240.00"),
        ("3999.99", "640.00"),  # (3999.99 − 800) × 20 % = 639.998
        ("4000.00", "640.00"),  # both deductions agree at 4,000
        ("4000.01", "640.00"),  # 4000.01 × 80 % × 20 % = 640.0016
        ("5000.00", "800.00"),  # 5000 × 80 % × 20 %
        ("25000.00", "4000.00"),  # taxable 20,000: the last amount at 20 %
        ("25001.00", "4000.24"),  # taxable 20,000.80 × 30 % − 2,000
        ("30000.00", "5200.00"),  # 24,000 × 30 % − 2,000
        ("62500.00", "13000.00"),  # taxable 50,000 × 30 % − 2,000
        ("70000.00", "15400.00"),  # 56,000 × 40 % − 7,000
    ],
)
def test_formula(income, tax):
    assert labour_remuneration_tax(Decimal(income)) == Decimal(tax)


def test_brackets_meet_without_a_jump():
    """The quick deductions make the tax continuous where the rate changes."""
    for edge in (Decimal("25000"), Decimal("62500")):  # taxable 20,000 and 50,000
        below = labour_remuneration_tax(edge)
        above = labour_remuneration_tax(edge + Decimal("0.01"))
        assert Decimal(0) <= above - below <= Decimal("0.01")


def test_explanation_shows_the_working():
    assert labour_remuneration(Decimal("1000")).explain() == (
        "应纳税所得额 1000.00 − 800 = 200.00 元，应预扣税额 200.00 × 20% = 40.00 元")
    assert labour_remuneration(Decimal("30000")).explain() == (
        "应纳税所得额 30000.00 × 80% = 24000.00 元，应预扣税额 24000.00 × 30% − 2000 = 5200.00 元")
    assert "不超过 800 元" in labour_remuneration(Decimal("600")).explain()
