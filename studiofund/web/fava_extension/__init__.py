"""The 经费合规 page: a Fava extension every studio ledger declares.

    2020-01-01 custom "fava-extension" "studiofund.web.fava_extension"

For the year of Fava's time filter (or the latest year with entries) and Fava's account and
advanced filters it shows income by source against the program's standard and the matching
ratio, spending per category against budget (an SVG chart with execution rates), the monthly
spending (Fava's own bar chart, with budgets), the findings grouped by rule and severity with a
link to each entry, and the claw-back and seal status.
"""

from __future__ import annotations

from typing import Any

from fava.ext import FavaExtensionBase, extension_endpoint

from studiofund.money import fmt_cn
from studiofund.web.scope import current_access

from .page import build_page, default_year
from .svg import budget_chart
from .vouchers import Vouchers  # noqa: F401 - Fava finds the extension classes of this module


class Compliance(FavaExtensionBase):
    """经费合规 — what an auditor of a studio's earmarked funds came to see."""

    report_title = "经费合规"
    has_js_module = True

    def page(self) -> Any:
        """The page's figures for the current request (year and filters from the URL)."""
        from flask import request

        year = self.selected_year()
        if year is None:
            year = default_year(self.ledger)
        return build_page(self.ledger, year, request.args.get("account"), request.args.get("filter"))

    def selected_year(self) -> int | None:
        """The year of Fava's time filter (its first day's year), None without one."""
        from flask import request

        from fava.context import g

        if not request.args.get("time"):
            return None
        date_range = g.filtered.date_range
        return date_range.begin.year if date_range else None

    @staticmethod
    def money(value: Any) -> str:
        """1,234.50 (empty for None)."""
        return fmt_cn(value) if value is not None else "—"

    @staticmethod
    def pct(rate: float | None) -> str:
        return "—" if rate is None else f"{rate * 100:.1f}%"

    def budget_chart(self, page: Any) -> Any:
        return budget_chart(page.spending)

    def fava_charts(self, page: Any) -> list[Any]:
        """Fava's own chart components: monthly spending with budgets, and where it went."""
        from flask import request

        from fava.context import g
        from fava.core import FilteredLedger
        from fava.internal_api import BarChart, HierarchyChart
        from fava.util.date import Month

        if request.args.get("time"):
            filtered = g.filtered
        else:
            filtered = FilteredLedger(
                self.ledger,
                account=request.args.get("account") or None,
                filter=request.args.get("filter") or None,
                time=str(page.year),
            )
        monthly = self.ledger.charts.interval_totals(filtered, Month, "Expenses", g.conv)
        tree = self.ledger.charts.hierarchy(filtered, "Expenses", g.conv)
        return [
            BarChart(f"{page.year} 年每月支出", list(monthly)),
            HierarchyChart("支出结构", tree),
        ]

    def can_edit(self) -> bool:
        access = current_access()
        return access is None or not access.read_only

    @extension_endpoint("whoami")
    def whoami(self) -> dict[str, Any]:
        """Who is logged in (for the page header's name and logout link)."""
        access = current_access()
        if access is None or access.user is None:
            return {"name": None, "role": None, "login": False}
        return {"name": access.user.name, "role": access.user.role,
                "role_label": access.user.role_label, "login": True}


# The 记账 desk lives in its own module; imported here so that Fava, which registers every
# extension class it finds in this module, offers it to every ledger that declares the module.
from .booking import Booking  # noqa: E402,F401
