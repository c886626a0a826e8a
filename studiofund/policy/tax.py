"""Personal income tax withheld on 劳务报酬 (lecture fees, 课酬, 劳务费 paid to a person).

The one implementation of the formula: ``studiofund record --tax auto`` books it and the
``tax-withholding`` rule checks a recorded ``tax-withheld`` against it. It is the law's
预扣预缴 of 劳务报酬所得 (《个人所得税扣缴申报管理办法（试行）》, 国家税务总局公告2018年第61号,
第八条 and its 附件 “个人所得税预扣率表二”):

* 预扣预缴应纳税所得额 = income − 800 when the income is at most 4,000, otherwise income × (1 − 20 %);
* tax = taxable × rate − quick deduction: 20 % up to 20,000 of taxable income, 30 % − 2,000 up to
  50,000, 40 % − 7,000 above.

Amounts are ``Decimal``; the tax is rounded to the cent (half up).
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from studiofund.money import ZERO, q2

#: where the formula comes from (quoted in findings and docs)
SOURCE = "《个人所得税扣缴申报管理办法（试行）》（国家税务总局公告2018年第61号）第八条 劳务报酬所得预扣预缴"

#: income up to this amount is reduced by a fixed 800; above it by 20 %
FIXED_DEDUCTION_LIMIT = Decimal("4000")
FIXED_DEDUCTION = Decimal("800")
PROPORTIONAL_SHARE = Decimal("0.8")

#: (taxable income up to, rate, quick deduction) — 个人所得税预扣率表二（劳务报酬所得适用）
BRACKETS: tuple[tuple[Decimal | None, Decimal, Decimal], ...] = (
    (Decimal("20000"), Decimal("0.20"), Decimal("0")),
    (Decimal("50000"), Decimal("0.30"), Decimal("2000")),
    (None, Decimal("0.40"), Decimal("7000")),
)

#: how far a recorded ``tax-withheld`` may differ from the formula (CONTRACT.md: 1.00)
TOLERANCE = Decimal("1.00")


class Withholding(NamedTuple):
    """The formula applied to one payment: what it taxes, at which rate, and the tax."""

    income: Decimal
    taxable: Decimal
    rate: Decimal
    quick_deduction: Decimal
    tax: Decimal

    def explain(self) -> str:
        """The working in Chinese, for messages: 应纳税所得额 × 税率 − 速算扣除数 = 税额."""
        if self.taxable <= ZERO:
            return f"收入 {q2(self.income)} 元不超过 800 元，应预扣税额 0.00 元"
        if self.income <= FIXED_DEDUCTION_LIMIT:
            base = f"{q2(self.income)} − 800"
        else:
            base = f"{q2(self.income)} × 80%"
        minus = f" − {self.quick_deduction:.0f}" if self.quick_deduction else ""
        return (f"应纳税所得额 {base} = {q2(self.taxable)} 元，"
                f"应预扣税额 {q2(self.taxable)} × {self.rate * 100:.0f}%{minus} = {self.tax} 元")


def labour_remuneration(income: Decimal) -> Withholding:
    """The withholding on one payment of 劳务报酬 of ``income`` (gross, CNY)."""
    income = Decimal(income)
    if income <= ZERO:
        return Withholding(income, ZERO, BRACKETS[0][1], ZERO, q2(0))
    if income <= FIXED_DEDUCTION_LIMIT:
        taxable = max(income - FIXED_DEDUCTION, ZERO)
    else:
        taxable = income * PROPORTIONAL_SHARE
    for limit, rate, deduction in BRACKETS:
        if limit is None or taxable <= limit:
            break
    tax = q2(max(taxable * rate - deduction, ZERO))
    return Withholding(income, taxable, rate, deduction, tax)


def labour_remuneration_tax(income: Decimal) -> Decimal:
    """The tax to withhold on ``income`` of 劳务报酬, two places."""
    return labour_remuneration(income).tax
