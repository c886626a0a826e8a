"""Spending stays within the annual budget of each category (预算执行).

Budgets are Fava's own ``custom "budget" ACCOUNT "yearly" AMOUNT CNY`` directives, parsed by
:mod:`studiofund.ledger.directives` and summed by :mod:`studiofund.ledger.budgets` exactly as the
reports and Fava's charts read them.
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections import defaultdict

from ...ledger.budgets import year_budgets
from ..framework import REVIEW, Hit, RuleInfo, ledger_rule

OVER_BUDGET = RuleInfo("over-budget", REVIEW, "超预算支出", "over-budget", reads=("accounts.label",))


@ledger_rule(OVER_BUDGET)
class OverBudget:
    """A category's spending in a year exceeds its budget for that year (the budget of the
    account or of a parent account). The finding attaches to the transaction that pushed the
    category over; one finding per category and year. Review: the host may have had a budget
    adjustment approved that the ledger does not show yet."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.parents: dict[str, tuple[str, ...]] = {}

    def _with_parents(self, account: str) -> tuple[str, ...]:
        """``Expenses:A:B`` → (``Expenses:A``, ``Expenses:A:B``), computed once per account."""
        found = self.parents.get(account)
        if found is None:
            parts = account.split(":")
            found = self.parents[account] = tuple(
                ":".join(parts[:n]) for n in range(2, len(parts) + 1))
        return found

    def finish(self):
        budgets = self.ctx.directives.budgets
        if not budgets:
            return
        txns = self.ctx.txns
        for year, start, end in _years(txns):
            budget_of = year_budgets(budgets, year)
            if not budget_of:
                continue
            # The year's CNY expenses of each budgeted account (its own and its sub-accounts').
            # Which expense postings of a transaction count, and towards which budgets, its form
            # says: the postings are read form by form, at the form's positions in the year
            # (callgrind, the rule alone over the varied bench ledger, as bench/rules_pass.py
            # --varied counts it: 0.136 G with a walk of every transaction, 0.107 G so), each
            # read once whatever the budgets it counts towards, and put in date order by a
            # stable sort on the position alone: a form's postings come in date order, a
            # transaction's in their order (callgrind, the rule alone, bench/rules_pass.py:
            # 0.107 G -> 0.080 G on the check bench's ledger, 0.108 G -> 0.081 G on the varied one).
            spent: dict[str, list] = defaultdict(list)  # account → [(pairs, (position, posting, target) of the first)]
            for form, positions in self.ctx.forms:
                plan = self._plan(form, budget_of)
                if not plan:
                    continue
                lo = bisect.bisect_left(positions, start)
                hi = bisect.bisect_left(positions, end, lo)
                if lo == hi:
                    continue
                mine = positions[lo:hi]
                for i, targets in plan:
                    # (position, number) of the CNY expenses
                    pairs = [(p, u.number) for p in mine
                             if (u := txns[p].entry.postings[i].units).currency == "CNY" and u.number is not None]
                    if pairs:
                        for k, account in enumerate(targets):
                            spent[account].append((pairs, (pairs[0][0], i, k)))
            hits = []
            for account, lists in spent.items():
                if len(lists) == 1:
                    pairs = lists[0][0]
                else:
                    pairs = list(itertools.chain.from_iterable(pairs for pairs, _ in lists))
                    pairs.sort(key=_POSITION)
                budget = budget_of[account]
                numbers = list(map(_NUMBER, pairs))
                totals = list(itertools.accumulate(numbers))
                if max(totals) > budget:
                    first = min(key for _, key in lists)
                    hits.append((first, self._hit(account, year, budget, numbers, pairs, totals)))
            # the accounts in the order their first number comes
            hits.sort(key=_POSITION)
            for _, hit in hits:
                yield hit

    def _plan(self, form, budget_of) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """The expense postings of a form that count towards budgets: (position, the budgeted
        accounts it counts towards) of each."""
        plan = []
        for i in form.expenses:
            targets = tuple(a for a in self._with_parents(form.accounts[i]) if a in budget_of)
            if targets:
                plan.append((i, targets))
        return tuple(plan)

    def _hit(self, account, year, budget, spent, pairs, totals) -> Hit:
        """The finding on the payment that first took ``account`` over its budget for ``year``
        (``pairs``: the position in ``ctx.txns`` and number of each of ``spent``)."""
        if min(spent) >= 0:  # running totals only grow: bisect
            at = bisect.bisect_right(totals, budget)
        else:  # a reversal lowers them: the first one over
            at = next(i for i, total in enumerate(totals) if total > budget)
        entry, number = self.ctx.txns[pairs[at][0]].entry, spent[at]
        total = totals[at]
        return Hit(
            entry,
            f"{self.ctx.policy.label(account)}（{account}）{year} 年预算 {budget:.2f} CNY，"
            f"本笔 {number:.2f} CNY 入账后累计支出 {total:.2f} CNY，超出预算 "
            f"{total - budget:.2f} CNY。请按程序调整年度预算（custom \"budget\"）并报批，"
            "或核减支出；已获批准的，由审核人加 reviewed: \"批准文号\"。",
        )


_POSITION, _NUMBER = operator.itemgetter(0), operator.itemgetter(1)


def _years(txns):
    """The transactions (in date order) of each year, as ``(year, start, end)`` positions."""
    start = 0
    while start < len(txns):
        year = txns[start].entry.date.year
        end = bisect.bisect_left(txns, year + 1, lo=start, key=_year)
        yield year, start, end
        start = end


def _year(txn) -> int:
    return txn.entry.date.year
