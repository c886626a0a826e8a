"""A self-contained SVG chart: spending per category against budget, with execution rates.

Drawn on the server (no JavaScript, no network), so it shows in any browser, in a printed page
and in the tests. Each category is one row: a pale bar for the budget, a solid bar for what was
spent (teal within budget, red above it or when the category is not permitted, slate without a
budget), a marker at the budget, and the execution rate on the right.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

from studiofund.money import fmt, fmt_cn

from .page import SpendRow

COLORS = {"ok": "#13878f", "over": "#d92d20", "forbidden": "#d92d20", "unbudgeted": "#64748b"}
WIDTH = 760
LABEL_W = 150
RIGHT_W = 190
ROW_H = 50
TOP = 34
BOTTOM = 30


def _nice_max(value: Decimal) -> Decimal:
    """A round axis maximum ≥ value (1, 2, 2.5, 5 × 10ⁿ)."""
    if value <= 0:
        return Decimal(1000)
    exp = len(str(int(value))) - 1
    base = Decimal(10) ** exp
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= base * step:
            return base * step
    return base * 10


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def budget_chart(rows: Sequence[SpendRow]) -> Markup:
    """The chart's ``<svg>`` element (empty-state text when there is nothing to draw)."""
    if not rows:
        return Markup('<p class="sf-empty">本年度没有支出，也没有预算。</p>')
    top_value = max([r.actual for r in rows] + [r.budget or Decimal(0) for r in rows])
    axis_max = _nice_max(top_value)
    bar_w = WIDTH - LABEL_W - RIGHT_W
    height = TOP + ROW_H * len(rows) + BOTTOM

    def x(value: Decimal) -> float:
        return LABEL_W + float(value / axis_max) * bar_w

    parts = [
        f'<svg class="sf-budget-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-label="各开支科目预算与实际支出" xmlns="http://www.w3.org/2000/svg">',
        # legend
        f'<g class="sf-legend" font-size="12" fill="#475467">'
        f'<rect x="{LABEL_W}" y="8" width="14" height="10" rx="2" fill="#cfe9ea"/>'
        f'<text x="{LABEL_W + 20}" y="17">预算</text>'
        f'<rect x="{LABEL_W + 64}" y="8" width="14" height="10" rx="2" fill="{COLORS["ok"]}"/>'
        f'<text x="{LABEL_W + 84}" y="17">实际支出（预算内）</text>'
        f'<rect x="{LABEL_W + 206}" y="8" width="14" height="10" rx="2" fill="{COLORS["over"]}"/>'
        f'<text x="{LABEL_W + 226}" y="17">超预算 / 不允许的科目</text>'
        f'<text x="{WIDTH - 8}" y="17" text-anchor="end">执行率</text></g>',
    ]
    # grid
    for i in range(5):
        value = axis_max * i / 4
        gx = x(value)
        parts.append(
            f'<line x1="{gx:.1f}" x2="{gx:.1f}" y1="{TOP - 6}" y2="{height - BOTTOM + 4}" '
            f'stroke="#e4e7ec" stroke-dasharray="{"0" if i == 0 else "3 3"}"/>'
            f'<text x="{gx:.1f}" y="{height - 10}" font-size="11" fill="#667085" '
            f'text-anchor="middle">{escape(fmt_cn(value).removesuffix(".00"))}</text>'
        )
    for i, row in enumerate(rows):
        y = TOP + i * ROW_H
        mid = y + ROW_H / 2
        color = COLORS.get(row.status, COLORS["ok"])
        title = (f"{row.label}（{row.account}）：实际 {fmt_cn(row.actual)} 元"
                 + (f"，预算 {fmt_cn(row.budget)} 元，执行率 {_pct(row.rate)}" if row.budget is not None else "，无预算")
                 + ("；不在本项目允许的开支范围内" if not row.permitted else ""))
        parts.append(f'<g class="sf-row" data-account="{escape(row.account)}"><title>{escape(title)}</title>')
        label_color = "#b42318" if not row.permitted else "#1f2a37"
        parts.append(
            f'<text x="{LABEL_W - 12}" y="{mid + 5:.1f}" font-size="14" text-anchor="end" '
            f'fill="{label_color}">{escape(row.label)}</text>'
        )
        if row.budget is not None:
            parts.append(
                f'<rect class="sf-bar-budget" x="{LABEL_W}" y="{mid - 13:.1f}" '
                f'width="{max(x(row.budget) - LABEL_W, 1):.1f}" height="26" rx="4" fill="#cfe9ea" '
                f'data-budget="{fmt(row.budget)}"/>'
            )
        width = max(x(row.actual) - LABEL_W, 0 if row.actual == 0 else 2)
        parts.append(
            f'<rect class="sf-bar-actual" x="{LABEL_W}" y="{mid - 7:.1f}" width="{width:.1f}" '
            f'height="14" rx="3" fill="{color}" data-actual="{fmt(row.actual)}" '
            f'data-budget="{fmt(row.budget) if row.budget is not None else ""}" '
            f'data-rate="{"" if row.rate is None else row.rate}"/>'
        )
        if row.budget is not None:
            bx = x(row.budget)
            parts.append(
                f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="{mid - 16:.1f}" y2="{mid + 16:.1f}" '
                f'stroke="#0f5c63" stroke-width="2"/>'
            )
        rate_color = color if row.status in ("over", "forbidden") else "#0f5c63"
        parts.append(
            f'<text x="{WIDTH - 8}" y="{mid - 2:.1f}" font-size="16" font-weight="600" text-anchor="end" '
            f'fill="{rate_color}">{_pct(row.rate) if row.budget is not None else "无预算"}</text>'
            f'<text x="{WIDTH - 8}" y="{mid + 15:.1f}" font-size="11" text-anchor="end" fill="#667085">'
            f'{escape(fmt_cn(row.actual))}'
            f'{(" / " + escape(fmt_cn(row.budget))) if row.budget is not None else ""}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
