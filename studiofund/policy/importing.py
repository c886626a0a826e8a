"""The importing section of a policy: how bank statement lines are booked.

Bank import (``studiofund import``, the beangulp importers) reads this section:

* ``payers`` — who pays a grant: regular expressions over the counterparty's name (the payer of
  an incoming line), tried in order; the first that matches gives the income account. District
  bureaus come before city bureaus, because 深圳市南山区教育局 names its city too.
* ``interest_keywords`` — words in the summary/purpose of an incoming line that make it interest
  (利息, 结息) → ``interest_account``.
* ``fee_keywords`` — words that make an outgoing line a bank fee (手续费, 工本费) →
  ``fee_account``, flagged ``!`` (no program permits bank fees; see docs/import.md).
* ``holding_account`` — where spending goes that no keyword of the program's categories places;
  flagged ``!`` so the officer completes voucher, invoice and signatures.
* ``other_income_account`` — incoming money from nobody in ``payers``, flagged ``!``.
* ``refund_account`` — money paid back to a bureau in ``payers`` (缴回经费), flagged ``!``.

The spending categories' own keywords live with each permitted account (``[[accounts]]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .fields import STRICT, FieldError, Frozen, check_account


@dataclass(kw_only=True, eq=False, repr=False)
class PayerRule(Frozen):
    """A grant payer: a regular expression over the counterparty's name → an income account."""

    __pydantic_config__ = STRICT

    #: Python regular expression, searched in the payer's name
    pattern: str
    account: str
    note: str = ""

    def __post_init__(self) -> None:
        try:
            re.compile(self.pattern)
        except re.error:
            raise FieldError("pattern", f"不是有效的正则表达式：{self.pattern!r}") from None
        check_account(self.account, "account")

    def matches(self, name: str) -> bool:
        return bool(name) and re.search(self.pattern, name) is not None


@dataclass(kw_only=True, eq=False, repr=False)
class ImportingPolicy(Frozen):
    """How ``studiofund import`` books the lines of a bank statement."""

    __pydantic_config__ = STRICT

    payers: tuple[PayerRule, ...] = ()
    interest_keywords: tuple[str, ...] = ()
    interest_account: str = "Income:Grant:Other"
    other_income_account: str = "Income:Grant:Other"
    fee_keywords: tuple[str, ...] = ()
    fee_account: str = "Expenses:BankFees"
    fee_label: str = "银行手续费（待处理）"
    holding_account: str = "Expenses:Unclassified"
    holding_label: str = "待分类支出"
    refund_account: str = "Liabilities:Refund:Bureau"

    def __post_init__(self) -> None:
        for name in ("interest_account", "other_income_account", "fee_account", "holding_account",
                     "refund_account"):
            check_account(getattr(self, name), name)

    def payer_account(self, name: str) -> str | None:
        """The income account of the first payer rule matching ``name``, or None."""
        for rule in self.payers:
            if rule.matches(name):
                return rule.account
        return None

    @staticmethod
    def _has_any(text: str, words: tuple[str, ...]) -> bool:
        return any(word and word in text for word in words)

    def is_interest(self, text: str) -> bool:
        return self._has_any(text, self.interest_keywords)

    def is_fee(self, text: str) -> bool:
        return self._has_any(text, self.fee_keywords)
