"""Spending stays within the annual budget of each category (预算执行).

Budgets are Fava's own ``custom "budget" ACCOUNT "yearly" AMOUNT CNY`` directives, parsed by
:mod:`studiofund.ledger.directives` and summed by :mod:`studiofund.ledger.budgets` exactly as the
reports and Fava's charts read them.
"""

from __future__ import annotations

import bisect
import itertools
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
        for year, txns in _years(self.ctx.txns):
            budget_of = year_budgets(budgets, year)
            if not budget_of:
                continue
            # The year's CNY expenses of each budgeted account (its own and its sub-accounts'),
            # in date order: one append per posting here, the sums in C below. Which expense
            # postings of a transaction count, and towards which budgets, its shape says: decided
            # once per shape.
            numbers: dict[str, list] = defaultdict(list)  # account → the numbers spent on it
            payments: dict[str, list] = defaultdict(list)  # account → the entry of each number
            counted: dict[object, tuple] = {}  # shape → ((position, its budgeted accounts), …)
            # the same plan for every shape of the same accounts (10 layouts against 152 shapes
            # on the check bench: the rule 0.105 G -> 0.101 G instructions, callgrind)
            layouts: dict[tuple, tuple] = {}
            for txn in txns:
                shape = txn.shape
                plan = counted.get(shape)
                if plan is None:
                    layout = (shape.accounts, shape.expenses)
                    plan = layouts.get(layout)
                    if plan is None:
                        plan = layouts[layout] = self._plan(shape, budget_of)
                    counted[shape] = plan
                if not plan:
                    continue
                postings = txn.entry.postings
                for i, targets in plan:
                    units = postings[i].units
                    if units.currency == "CNY" and units.number is not None:
                        for account in targets:
                            numbers[account].append(units.number)
                            payments[account].append(txn.entry)
            for account, spent in numbers.items():
                budget = budget_of[account]
                totals = list(itertools.accumulate(spent))
                if max(totals) > budget:
                    yield self._hit(account, year, budget, spent, payments[account], totals)

    def _plan(self, shape, budget_of) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """The expense postings of a shape that count towards budgets: (position, the budgeted
        accounts it counts towards) of each."""
        plan = []
        for i in shape.expenses:
            targets = tuple(a for a in self._with_parents(shape.accounts[i]) if a in budget_of)
            if targets:
                plan.append((i, targets))
        return tuple(plan)

    def _hit(self, account, year, budget, spent, payments, totals) -> Hit:
        """The finding on the payment that first took ``account`` over its budget for ``year``."""
        if min(spent) >= 0:  # running totals only grow: bisect
            at = bisect.bisect_right(totals, budget)
        else:  # a reversal lowers them: the first one over
            at = next(i for i, total in enumerate(totals) if total > budget)
        entry, number = payments[at], spent[at]
        total = totals[at]
        return Hit(
            entry,
            f"{self.ctx.policy.label(account)}（{account}）{year} 年预算 {budget:.2f} CNY，"
            f"本笔 {number:.2f} CNY 入账后累计支出 {total:.2f} CNY，超出预算 "
            f"{total - budget:.2f} CNY。请按程序调整年度预算（custom \"budget\"）并报批，"
            "或核减支出；已获批准的，由审核人加 reviewed: \"批准文号\"。",
        )


def _years(txns):
    """The transactions (in date order) of each year, as ``(year, slice)``."""
    start = 0
    while start < len(txns):
        year = txns[start].entry.date.year
        end = bisect.bisect_left(txns, year + 1, lo=start, key=_year)
        yield year, txns[start:end]
        start = end


def _year(txn) -> int:
    return txn.entry.date.year
