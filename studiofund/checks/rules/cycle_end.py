"""The balance left when a studio's cycle ends goes back to the bureau, unless an assessment
approved the next cycle.

The cycle ends ``cycle_years`` after the declaration's ``cycle-start`` (2019-01-01 + 3 years →
2021-12-31). The balance of ``Assets:Bank:Dedicated`` at the end of that day is accounted for
when either

* the end-of-cycle assessment (the ``assessment`` of the cycle's last year) passes and the
  program lets a passing studio continue (``[assessment] cycle_continues``): the balance is
  carried into the next cycle; or
* what later transactions return to the bureau (money moved from the 专户 by a transaction on
  ``Liabilities:Refund:Bureau``) covers it.

Otherwise the rest is reported, once the cycle is over (the ledger has entries after its end,
or the end has passed) and the books reach its last year (an income or expense dated then or
later: a new ledger with only its opening balance expects nothing): an ``error`` when the studio does not continue (a failed end-of-cycle
assessment), a ``review`` when no end-of-cycle assessment is recorded (record it, or return the
balance). A studio that ends early — cancelled by an assessment, or disqualified (``custom
"studio-disqualified"``) — must return its balance at that day in the same way (``error``).
Programs without ``[cycle_end]`` (a school's own training fund) are not checked.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from studiofund.money import fmt_cn
from studiofund.policy.assessment import cycle_end_date
from studiofund.policy.models import REFUND

from ..framework import ERROR, REVIEW, Hit, RuleInfo, ledger_rule
from ..standing import studio_standing

CYCLE_END_BALANCE = RuleInfo(
    "cycle-end-balance",
    ERROR,
    "建设周期结束结余未退回",
    "cycle-end-balance",
    reads=("cycle_end", "cycle_years", "assessment.cycle_continues", "assessment.on_fail"),
)

_ZERO = Decimal(0)


@ledger_rule(CYCLE_END_BALANCE)
class CycleEndBalance:
    """The 专户's balance at the end of a cycle (or of the studio) is returned or carried into an
    approved next cycle."""


    def __init__(self, ctx):
        self.ctx = ctx

    def finish(self):
        ctx = self.ctx
        policy, studio = ctx.policy, ctx.studio
        if policy.cycle_end is None or studio is None or not ctx.txns:
            return
        standing = studio_standing(ctx.directives.assessments, studio, policy)
        found = self._first_unapproved_end(standing)
        if found is None:
            return
        end, severity, why, entry = found
        balance, returned = self._balance_and_returns(end)
        left = balance - returned
        if left <= _ZERO:
            return
        returned_text = f"其后已退回 {fmt_cn(returned)} 元，" if returned else "其后未见退回（应缴回经费），"
        yield Hit(
            entry,
            f"{why}：截至 {end} 专户结余 {fmt_cn(balance)} 元，{returned_text}尚有 {fmt_cn(left)} 元"
            "既未缴回，也未经考核批准转入下一周期。请将结余退回拨款单位（转入应缴回经费 "
            f"Liabilities:Refund:Bureau），或记录批准进入下一周期的期满考核结果（custom \"assessment\" "
            f"{end.year} \"合格\"）。",
            severity=severity,
            date=end,
            evidence=(f"end {end}", f"balance {balance:.2f}", f"returned {returned:.2f}"),
        )

    def _first_unapproved_end(self, standing):
        """``(date, severity, why, entry)`` of the first end whose balance must be returned, or
        None: the studio's early end (cancellation, disqualification) or the first cycle end that
        no passing end-of-cycle assessment carried over."""
        ctx = self.ctx
        policy, studio = ctx.policy, ctx.studio
        declaration = studio.entry
        stops = []
        if standing.ended is not None and standing.ended_how == "cancel":
            stops.append((standing.ended, f"{standing.ended_by.label()}，工作室已取消资格",
                          standing.ended_by.assessment.entry))
        disqualified = ctx.directives.disqualification
        if disqualified is not None:
            reason = f"（{disqualified.reason}）" if disqualified.reason else ""
            stops.append((disqualified.date, f"工作室已于 {disqualified.date} 被取消资格{reason}",
                          disqualified.entry))
        stop = min(stops, key=lambda s: s[0]) if stops else None
        last_date = ctx.entries[-1].date if ctx.entries else None
        kept_until = self._last_kept_year()
        today = datetime.date.today()
        continues = policy.assessment is not None and policy.assessment.cycle_continues
        number = 0
        while True:
            end = cycle_end_date(studio.cycle_start, policy.cycle_years, number)
            if stop is not None and stop[0] <= end:
                return stop[0], ERROR, stop[1], stop[2] or declaration
            # judged once the books reach the cycle's last year (a new, empty ledger expects
            # nothing) and the cycle is over: later entries, or the day has passed
            over = end < today or (last_date is not None and last_date > end)
            if not over or kept_until is None or kept_until < end.year:
                return None
            outcome = standing.for_year(end.year)
            period = f"建设周期（至 {end}）结束"
            if outcome is None:
                return end, REVIEW, f"{period}，账上没有期满考核结果", declaration
            if outcome.assessment.failed:
                return end, ERROR, f"{period}，{outcome.label()}", outcome.assessment.entry or declaration
            if not continues:
                return end, ERROR, f"{period}，本项目结余不转入下一周期", declaration
            number += 1  # carried into the next cycle, which an assessment approved

    def _last_kept_year(self) -> int | None:
        """The year of the last income or expense: how far the books are kept."""
        for txn in reversed(self.ctx.txns):
            if txn.shape.form.incomes or txn.shape.form.expenses:
                return txn.entry.date.year
        return None

    def _balance_and_returns(self, end: datetime.date) -> tuple[Decimal, Decimal]:
        """The 专户's balance at the end of ``end`` and what later transactions returned."""
        balance = returned = _ZERO
        for txn in self.ctx.txns:
            moved = sum((p.units.number for p in txn.dedicated if p.units is not None), _ZERO)
            if txn.entry.date <= end:
                balance += moved
            elif moved < 0 and any(p.account == REFUND or p.account.startswith(REFUND + ":")
                                   for p in txn.others):
                returned -= moved
        return balance, returned
