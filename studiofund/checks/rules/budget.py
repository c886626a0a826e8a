"""Spending stays within the annual budget of each category (预算执行).

Budgets are Fava's own ``custom "budget" ACCOUNT "yearly" AMOUNT CNY`` directives, read by
:mod:`studiofund.budget` exactly as the reports and Fava's charts read them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beancount.core.data import Custom

from ..findings import REVIEW
from ..framework import Hit, ledger_rule

_ZERO = Decimal(0)


@ledger_rule("over-budget", REVIEW)
class OverBudget:
    """A category's spending in a year exceeds its budget for that year (the budget of the
    account or of a parent account). The finding attaches to the transaction that pushed the
    category over; one finding per category and year. Review: the host may have had a budget
    adjustment approved that the ledger does not show yet."""

    visits = (Custom,)

    def __init__(self, ctx):
        self.ctx = ctx
        self.budget_entries: list = []
        self.parents: dict[str, tuple[str, ...]] = {}

    def visit(self, entry, txn):
        # Only note the budgets: most ledgers have none, and those that do are summed once in
        # finish(), for the budgeted accounts alone.
        if entry.type == "budget":
            self.budget_entries.append(entry)

    def _with_parents(self, account: str) -> tuple[str, ...]:
        """``Expenses:A:B`` → (``Expenses:A``, ``Expenses:A:B``), computed once per account."""
        found = self.parents.get(account)
        if found is None:
            parts = account.split(":")
            found = self.parents[account] = tuple(
                ":".join(parts[:n]) for n in range(2, len(parts) + 1))
        return found

    def finish(self):
        if not self.budget_entries:
            return
        from studiofund.budget import parse_budgets, year_budgets

        budgets, _ = parse_budgets(self.budget_entries)
        policy = self.ctx.policy
        totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        over: set[tuple[str, int]] = set()
        year = None
        for txn in self.ctx.txns:
            if not txn.expenses:
                continue
            entry = txn.entry
            if entry.date.year != year:
                year = entry.date.year
                budget_of = year_budgets(budgets, year)
                targets: dict[str, tuple[str, ...]] = {}  # account → its budgeted ancestors
            if not budget_of:
                continue
            for posting in txn.expenses:
                units = posting.units
                if units is None or units.number is None or units.currency != "CNY":
                    continue
                budgeted = targets.get(posting.account)
                if budgeted is None:
                    budgeted = targets[posting.account] = tuple(
                        a for a in self._with_parents(posting.account) if a in budget_of)
                for account in budgeted:
                    key = (account, year)
                    if key in over:
                        continue
                    total = totals[key] = totals[key] + units.number
                    budget = budget_of[account]
                    if total > budget:
                        over.add(key)
                        yield Hit(
                            entry,
                            f"{policy.label(account)}（{account}）{year} 年预算 {budget:.2f} CNY，"
                            f"本笔 {units.number:.2f} CNY 入账后累计支出 {total:.2f} CNY，超出预算 "
                            f"{total - budget:.2f} CNY。请按程序调整年度预算（custom \"budget\"）并报批，"
                            "或核减支出；已获批准的，由审核人加 reviewed: \"批准文号\"。",
                        )
