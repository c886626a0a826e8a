"""Budgets: the amount of Fava's own ``custom "budget"`` directives over a period, computed the
way Fava computes it (the directives are parsed by :mod:`.directives`).

    2021-01-01 custom "budget" Expenses:Research "yearly" 8000.00 CNY

A budget stays in force until the next budget directive of the same account (Fava's rule), so
the budget of a year is what Fava's charts show for that year: the sum, over the days of the
year, of the budget active on that day divided by the days of its period. For the yearly
directives ``studiofund budget`` writes (dated 1 January) this is exactly the amount written.

This does not import Fava (``fava.core`` costs more than half a second to import, paid by
every report and every consolidation worker); it follows ``fava.core.budgets``.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from studiofund.money import CURRENCY, q2

from .directives import Budget, BudgetDict


def _period_days(period: str, day: datetime.date) -> int:
    if period == "yearly":
        return 366 if calendar.isleap(day.year) else 365
    if period == "quarterly":
        first = (day.month - 1) // 3 * 3 + 1
        return sum(calendar.monthrange(day.year, m)[1] for m in range(first, first + 3))
    if period == "monthly":
        return calendar.monthrange(day.year, day.month)[1]
    if period == "weekly":
        return 7
    return 1


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def budget_between(budgets: list[Budget], start: datetime.date, end: datetime.date,
                   currency: str = CURRENCY) -> Decimal | None:
    """The budget of ``budgets`` (one account's) from ``start`` to ``end`` (exclusive).

    None when no budget is in force on any day of the interval. Exact for the usual case:
    each active budget contributes ``number × days / days_of_its_period``, grouped by period
    length before dividing.
    """
    items = [b for b in budgets if b.currency == currency]
    if not items:
        return None
    # (index of the budget in force, days in its period) → number of days
    counts: dict[tuple[int, int], int] = defaultdict(int)
    active = -1
    day = start
    # Walk the interval in stretches over which the budget in force and the length of its
    # period do not change (up to the next budget, the next month), not day by day.
    while day < end:
        while active + 1 < len(items) and items[active + 1].date <= day:
            active += 1
        stop = items[active + 1].date if active + 1 < len(items) else end
        stop = min(end, stop, _next_month(day))
        if active >= 0:
            counts[(active, _period_days(items[active].period, day))] += (stop - day).days
        day = stop
    if not counts:
        return None
    total = sum((items[i].number * n / days for (i, days), n in counts.items()), Decimal(0))
    return q2(total)


def year_budgets(budgets: BudgetDict, year: int) -> dict[str, Decimal]:
    """Account → the year's budget, for every account with a budget in force in ``year``."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    out: dict[str, Decimal] = {}
    for account, items in budgets.items():
        amount = budget_between(items, start, end)
        if amount is not None:
            out[account] = amount
    return out
