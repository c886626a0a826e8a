"""After a studio is disqualified, its funds are recovered: nothing more is spent.

The disqualification is the directive ``studiofund clawback`` writes (format fixed)::

    2021-09-01 custom "studio-disqualified" "第二次考核不合格"

together with the refund ``Assets:Bank:Dedicated -X / Liabilities:Refund:Bureau X``, which
returns money and is not spending.
"""

from __future__ import annotations

import bisect
from decimal import Decimal

from beancount.core.data import Transaction

from ...policy.models import DEDICATED, REFUND
from ..framework import ERROR, Hit, RuleInfo, ledger_rule

AFTER_DISQUALIFICATION = RuleInfo("after-disqualification", ERROR, "取消资格后仍有支出", "after-disqualification")
_ZERO = Decimal(0)


def spent(entry) -> Decimal:
    """What a transaction spends: its positive expense postings, or — with none — the money it
    takes out of the dedicated account to anything but the refund to the bureau."""
    expenses = _ZERO
    outflow = _ZERO
    refund = False
    for posting in entry.postings:
        units = posting.units
        if units is None or units.number is None:
            continue
        if posting.account.startswith("Expenses:"):
            if units.number > 0:
                expenses += units.number
        elif posting.account == DEDICATED:
            if units.number < 0:
                outflow -= units.number
        elif posting.account == REFUND or posting.account.startswith(REFUND + ":"):
            refund = True
    if expenses:
        return expenses
    return _ZERO if refund else outflow


@ledger_rule(AFTER_DISQUALIFICATION)
class AfterDisqualification:
    """No spending is dated after the studio's disqualification (``custom
    "studio-disqualified"``): the unused balance is recovered (回收未使用的活动经费)."""

    def __init__(self, ctx):
        self.entries = ctx.entries
        self.disqualification = ctx.directives.disqualification

    def finish(self):
        # Only a disqualified studio has anything to look at: the entries dated after it.
        if self.disqualification is None:
            return
        date, reason = self.disqualification.date, self.disqualification.reason
        entries = self.entries
        start = bisect.bisect_right(entries, date, key=_date)
        why = f"（{reason}）" if reason else ""
        for entry in entries[start:]:
            if type(entry) is not Transaction:
                continue
            amount = spent(entry)
            if amount > 0:
                yield Hit(
                    entry,
                    f"工作室已于 {date} 被取消资格{why}，此后不得再使用专项经费；"
                    f"本笔支出 {amount:.2f} CNY 发生在取消资格之后。请冲回该笔，"
                    "将款项退回专户并记入应缴回经费（Liabilities:Refund:Bureau）。",
                )


def _date(entry):
    return entry.date
