"""Spending stays within the annual budget of each category (预算执行).

Budgets are Fava's own ``custom "budget" ACCOUNT "yearly" AMOUNT CNY`` directives, read by
:mod:`studiofund.budget` exactly as the reports and Fava's charts read them.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beancount.core.data import Custom, Transaction

from ..findings import REVIEW
from ..framework import Hit, ledger_rule

_ZERO = Decimal(0)


@ledger_rule("over-budget", REVIEW)
class OverBudget:
    """A category's spending in a year exceeds its budget for that year (the budget of the
    account or of a parent account). The finding attaches to the transaction that pushed the
    category over; one finding per category and year. Review: the host may have had a budget
    adjustment approved that the ledger does not show yet."""

    visits = (Custom, Transaction)

    def __init__(self, ctx):
        self.ctx = ctx
        self.budget_entries: list = []
        # (account, year) → [(entry, amount)] in date order, for each account and its parents
        self.spent: dict[tuple[str, int], list] = defaultdict(list)
        self.parents: dict[str, tuple[str, ...]] = {}

    def visit(self, entry, txn):
        if txn is None:
            if type(entry) is Custom and entry.type == "budget":
                self.budget_entries.append(entry)
            return
        year = entry.date.year
        for posting in txn.expenses:
            units = posting.units
            if units is None or units.number is None or units.currency != "CNY":
                continue
            for account in self._with_parents(posting.account):
                self.spent[(account, year)].append((entry, units.number))

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
        years = sorted({year for _, year in self.spent})
        policy = self.ctx.policy
        for year in years:
            for account, budget in sorted(year_budgets(budgets, year).items()):
                total = _ZERO
                for entry, amount in self.spent.get((account, year), ()):
                    total += amount
                    if total > budget:
                        yield Hit(
                            entry,
                            f"{policy.label(account)}（{account}）{year} 年预算 {budget:.2f} CNY，"
                            f"本笔 {amount:.2f} CNY 入账后累计支出 {total:.2f} CNY，超出预算 "
                            f"{total - budget:.2f} CNY。请按程序调整年度预算（custom \"budget\"）并报批，"
                            "或核减支出；已获批准的，由审核人加 reviewed: \"批准文号\"。",
                        )
                        break
