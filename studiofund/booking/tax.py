"""The 劳务报酬 withholding of a payment to a person, as booked: the formula is the policy's
(:mod:`studiofund.policy.tax`, shared with the ``tax-withholding`` rule); here is what the entry
needs of it — the tax and what the person receives."""

from __future__ import annotations

from decimal import Decimal

from studiofund.money import q2
from studiofund.policy.tax import Withholding, labour_remuneration

LabourTax = Withholding


def labour_tax(amount: Decimal) -> Withholding:
    """The withholding on a 劳务报酬 payment of ``amount`` (gross, CNY), tax rounded to the cent."""
    return labour_remuneration(q2(amount))


def net_of(withholding: Withholding, tax: Decimal | None = None) -> Decimal:
    """What the person receives: the gross less the tax withheld (``tax``, or the formula's)."""
    return q2(withholding.income - (withholding.tax if tax is None else tax))
