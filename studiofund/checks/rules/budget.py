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
        txns = self.ctx.txns
        for year, start, end in _years(txns):
            budget_of = year_budgets(budgets, year)
            if not budget_of:
                continue
            # The year's CNY expenses of each budgeted account (its own and its sub-accounts'),
            # in date order. Which expense postings of a transaction count, and towards which
            # budgets, its form says: the postings are read form by form, at the form's
            # positions in the year, then put in date order by a sort in C (callgrind, the rule
            # alone over the varied bench ledger, as bench/rules_pass.py --varied counts it:
            # 0.136 G with a walk of every transaction, 0.107 G so).
            spent: dict[str, list] = defaultdict(list)  # account → [((position, posting, target), number)]
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
                    units = [txns[p].entry.postings[i].units for p in mine]
                    for k, account in enumerate(targets):
                        spent[account] += [((p, i, k), u.number) for p, u in zip(mine, units)
                                           if u.currency == "CNY" and u.number is not None]
            # each account's numbers in date order (a transaction's postings in their order);
            # the accounts in the order their first number comes
            ordered = sorted(((sorted(pairs), account) for account, pairs in spent.items() if pairs),
                             key=lambda found: found[0][0][0])
            for pairs, account in ordered:
                budget = budget_of[account]
                numbers = [number for _, number in pairs]
                totals = list(itertools.accumulate(numbers))
                if max(totals) > budget:
                    payments = [txns[where[0]].entry for where, _ in pairs]
                    yield self._hit(account, year, budget, numbers, payments, totals)

    def _plan(self, form, budget_of) -> tuple[tuple[int, tuple[str, ...]], ...]:
        """The expense postings of a form that count towards budgets: (position, the budgeted
        accounts it counts towards) of each."""
        plan = []
        for i in form.expenses:
            targets = tuple(a for a in self._with_parents(form.accounts[i]) if a in budget_of)
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
    """The transactions (in date order) of each year, as ``(year, start, end)`` positions."""
    start = 0
    while start < len(txns):
        year = txns[start].entry.date.year
        end = bisect.bisect_left(txns, year + 1, lo=start, key=_year)
        yield year, start, end
        start = end


def _year(txn) -> int:
    return txn.entry.date.year
