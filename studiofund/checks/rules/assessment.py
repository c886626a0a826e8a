"""Grants and spending agree with the studio's last assessment (考核结果).

The ledger records each assessment (CONTRACT.md)::

    2021-01-20 custom "assessment" 2020 "不合格"
      assessor: "市教育局"
      deadline: 2021-04-30       ; optional: the rectification deadline (整改期限)
      rectified: 2021-04-20      ; optional: the date the rectification (整改) was accepted

What a failure brings is the program's policy (``[assessment]``, see
:mod:`studiofund.policy.assessment`); this rule reports what the books show against it:

* after an assessment that **cancels** the studio (Shenzhen's second 不合格, Shenyang's first;
  Chifeng's 不合格 whose rectification ``deadline:`` passed without ``rectified:``) or a failed
  **end-of-cycle** assessment (the studio does not continue), every grant received and every
  payment dated after that day (the deadline; the cycle's last day for the end-of-cycle grade) —
  ``error``; spending after a ``studio-disqualified`` directive is left to ``after-disqualification``;
* a program grant in the year after a failure whose consequence is **stop** — ``error``;
* a **full** grant — the year's program grants reaching the standard — in the year after a
  failure whose consequence is to **reduce** it (Chifeng: 视情况减拨或停拨) — ``review``: a reduced
  grant is what the document wants, the full amount needs the bureau's reason.

A first 不合格 in Shenzhen is a yellow card (黄牌警告): no finding, it shows in the studio's
status (report line 考核结果, the 经费合规 page).
"""

from __future__ import annotations

import bisect
from decimal import Decimal

from beancount.core.data import Transaction

from studiofund.ledger.directives import ASSESSMENT
from studiofund.money import fmt_cn
from studiofund.policy.assessment import CONSEQUENCE_LABELS
from studiofund.policy.models import CITY_GRANT, DISTRICT_GRANT

from ..framework import ERROR, REVIEW, Hit, RuleInfo, ledger_rule
from ..standing import studio_standing
from .disqualification import spent

ASSESSMENT_FUNDING = RuleInfo(
    "assessment-funding",
    ERROR,
    "拨款或支出与考核结果不符",
    "assessment-funding",
    reads=("assessment.on_fail", "assessment.unrectified", "cycle_years", "allocation.city",
           "allocation.per_studio", "allocation.income_accounts"),
)

GRANTS = (CITY_GRANT, DISTRICT_GRANT)
_ZERO = Decimal(0)


def _received(txn, accounts: tuple[str, ...]) -> Decimal:
    """What a transaction receives on ``accounts`` (income postings are negative)."""
    total = _ZERO
    for posting in txn.incomes:
        if posting.account in accounts or posting.account.startswith(tuple(a + ":" for a in accounts)):
            if posting.units is not None and posting.units.number is not None:
                total -= posting.units.number
    return total


def _with_income(form) -> bool:
    return bool(form.incomes)


@ledger_rule(ASSESSMENT_FUNDING)
class AssessmentFunding:
    """Grants and spending after an assessment stay within what its consequence allows."""


    def __init__(self, ctx):
        self.ctx = ctx
        self.policy = ctx.policy

    def _standard(self) -> Decimal | None:
        allocation = self.policy.allocation
        if allocation.per_studio:
            return self.ctx.studio.allocation if self.ctx.studio is not None else None
        return allocation.city

    def finish(self):
        ctx = self.ctx
        for error in ctx.directives.errors:  # an assessment that cannot be read is not ignored
            if error.entry is not None and error.entry.type == ASSESSMENT:
                yield Hit(error.entry, f"{error.message}该考核结果未被采用，请更正。")
        if self.policy.assessment is None or ctx.studio is None or not ctx.directives.assessments:
            return
        standing = self.standing = studio_standing(ctx.directives.assessments, ctx.studio, self.policy)
        ended, by = standing.ended, standing.ended_by
        yield from self._grants(standing)
        if ended is not None:
            yield from self._spending_after(ended, by)

    # -- grants -------------------------------------------------------------------------------
    def _grants(self, standing):
        standard = self._standard()
        standard_accounts = tuple(self.policy.allocation.income_accounts)
        reduced_total: dict[int, Decimal] = {}
        flagged_full: set[int] = set()
        ended = standing.ended
        for txn in self.ctx.of_forms(_with_income):  # the few grants, not every transaction
            amount = _received(txn, GRANTS)
            if amount <= 0:
                continue
            entry = txn.entry
            if ended is not None and entry.date > ended:
                yield Hit(entry, f"{self._ended_text(self.standing)}此后不得再拨付或接收工作室经费；"
                                 f"本笔于 {entry.date} 到账 {fmt_cn(amount)} 元。请将该款退回拨款单位"
                                 "（记入应缴回经费 Liabilities:Refund:Bureau），或补记撤销该考核结果的复评。",
                          evidence=(f"grant {amount:.2f}", f"ended {ended}"))
                continue
            year = entry.date.year
            limit, outcome = standing.grant_limit(year, entry.date)
            if outcome is None or limit in ("full", "cancel"):
                continue
            # reducing or stopping concerns the program's own grant (allocation.income_accounts),
            # not what another budget adds (Chifeng's district funds, 第十一条)
            part = _received(txn, standard_accounts)
            if part <= 0:
                continue
            what = outcome.label()
            if limit == "stop":
                yield Hit(entry, f"{what}：应{CONSEQUENCE_LABELS['stop']}，"
                                 f"但 {entry.date} 到账 {year} 年度拨款 {fmt_cn(part)} 元。"
                                 "请核对拨款依据；如系复评合格，请补记复评结果；否则应退回该款。",
                          evidence=(f"grant {part:.2f}", f"assessment {outcome.assessment.year} "
                                    f"{outcome.assessment.grade}"))
            elif limit == "reduce" and standard is not None:
                total = reduced_total[year] = reduced_total.get(year, _ZERO) + part
                if total >= standard and year not in flagged_full:
                    flagged_full.add(year)
                    yield Hit(entry, f"{what}：{year} 年度经费应减拨，但本年累计到账 {fmt_cn(total)} 元，"
                                     f"已达足额标准 {fmt_cn(standard)} 元。请核对拨款文件：如教育局决定不减拨，"
                                     "请记录依据（reviewed:）；否则应退回多拨部分。",
                              severity=REVIEW,
                              evidence=(f"year {year} grants {total:.2f}", f"standard {standard:.2f}"))

    # -- spending after the studio ended ------------------------------------------------------------
    def _spending_after(self, ended, by):
        entries = self.ctx.entries
        disqualified = self.ctx.directives.disqualification
        start = bisect.bisect_right(entries, ended, key=lambda e: e.date)
        for entry in entries[start:]:
            if type(entry) is not Transaction:
                continue
            if disqualified is not None and entry.date > disqualified.date:
                break  # after-disqualification reports these
            amount = spent(entry)
            if amount > 0:
                yield Hit(entry, f"{self._ended_text(self.standing)}此后不得再使用工作室经费；本笔支出 "
                                 f"{fmt_cn(amount)} 元发生在 {entry.date}。请冲回该笔，将未使用经费退回"
                                 "（记入应缴回经费 Liabilities:Refund:Bureau）。",
                          evidence=(f"spent {amount:.2f}", f"ended {ended}"))

    @staticmethod
    def _ended_text(standing) -> str:
        by, ended = standing.ended_by, standing.ended
        if standing.ended_how == "cancel":
            return f"{by.label()}，工作室已于 {ended} 取消资格，"
        return f"{by.label()}，工作室于 {ended} 建设周期结束后不再继续，"
