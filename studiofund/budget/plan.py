"""Setting a year's budget (``studiofund budget``) as a plan: the new text of the ledger.

The year's budget lines of the accounts being set are replaced by
``Y-01-01 custom "budget" Expenses:X "yearly" AMOUNT CNY``. Validation: only the program's
permitted accounts; the year's total budget may not exceed what the year will have available —
the opening balance (上年结余) plus the program's allocation (city grant and the district's
minimum match, or the studio's declared allocation; or what the year actually received, if more)
— unless ``allow_over``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from studiofund.ledger.budgets import year_budgets
from studiofund.ledger.directives import BUDGET, parse_budgets
from studiofund.ledger.studio import funding_standard
from studiofund.money import CURRENCY, ZERO, fmt, fmt_cn, parse_money, q2
from studiofund.ledger.text import append_block, read_text, remove_directives, same_file
from studiofund.reports.usage import build_report
from studiofund.reports.yearend import YearEndError, refuse_if_sealed


class BudgetPlanError(Exception):
    """The budget is refused; nothing is written (message in Chinese)."""


@dataclass(frozen=True)
class BudgetPlan:
    text: str
    summary: str
    total: Decimal
    available: Decimal


def resolve_account(policy, name: str) -> str:
    """``Research``, ``Expenses:Research`` or the program's label (``教育研究``) → the account."""
    name = name.strip()
    for item in policy.accounts:
        if name in (item.account, item.account.split(":", 1)[1], item.label):
            return item.account
    if name.lower() in {a.account.split(":", 1)[1].lower(): a for a in policy.accounts}:
        return next(a.account for a in policy.accounts if a.account.split(":", 1)[1].lower() == name.lower())
    allowed = "、".join(f"{a.account.split(':', 1)[1]}（{a.label}）" for a in policy.accounts)
    raise BudgetPlanError(f"{name} 不是项目 {policy.id} 允许的开支科目；可用科目：{allowed}。")


def parse_settings(policy, settings: list[str]) -> dict[str, Decimal]:
    """``["Research=8000", …]`` → account → amount; raises :class:`BudgetPlanError`."""
    out: dict[str, Decimal] = {}
    for item in settings:
        if "=" not in item:
            raise BudgetPlanError(f"--set {item!r} 格式应为 科目=金额，如 --set Research=8000。")
        name, _, value = item.partition("=")
        account = resolve_account(policy, name)
        if account in out:  # which of the two was meant? not the last one by accident
            raise BudgetPlanError(f"--set 给了两次 {account} 的预算（{name.strip()}）；每个科目只写一次。")
        try:
            amount = parse_money(value)
        except ValueError as exc:
            raise BudgetPlanError(f"--set {name.strip()}={value}：{exc}") from None
        out[account] = amount
    return out


def plan_budget(loaded, year: int, settings: dict[str, Decimal], allow_over: bool = False, *,
                text: str | None = None) -> BudgetPlan:
    if loaded.policy is None:
        raise BudgetPlanError(f"{loaded.path}：账簿没有可用的工作室声明或策略，无法判断允许的开支科目；"
                              "请先运行 studiofund check 修正。")
    if not settings:
        raise BudgetPlanError("请至少给出一个 --set 科目=金额。")
    try:
        refuse_if_sealed(loaded, datetime.date(year, 1, 1), "预算")
    except YearEndError as exc:
        raise BudgetPlanError(str(exc)) from None
    replaced = [
        e for e in loaded.entries
        if isinstance(e, data.Custom) and e.type == BUDGET and e.date.year == year
        and e.values and str(e.values[0].value) in settings
    ]
    elsewhere = [e for e in replaced if not same_file(e.meta, loaded.path)]
    if elsewhere:
        e = elsewhere[0]
        raise BudgetPlanError(f"{e.meta.get('filename')}:{e.meta.get('lineno')}：{year} 年的预算行在被包含的文件中，"
                              "budget 命令只改主账簿文件；请在该文件中手工修改或删除后重试。")
    # the year's budgets after the change
    kept = [e for e in loaded.entries if not any(e is r for r in replaced)]
    budgets, _ = parse_budgets(kept)
    in_force = year_budgets(budgets, year)
    in_force.update(settings)
    total = q2(sum(in_force.values(), ZERO))
    report = build_report(loaded, year)
    allocation = funding_standard(loaded.studio, loaded.policy).total
    income = max(allocation or ZERO, report.income_total)
    available = q2(report.opening_balance + income)
    if total > available and not allow_over:
        source = f"项目核定拨款 {fmt_cn(allocation)}" if allocation is not None else "本年已到账收入"
        if allocation is not None and report.income_total > allocation:
            source = f"本年已到账收入 {fmt_cn(report.income_total)}"
        raise BudgetPlanError(
            f"{year} 年预算合计 {fmt_cn(total)} 元，超过本年可用经费 {fmt_cn(available)} 元"
            f"（上年结余 {fmt_cn(report.opening_balance)} ＋ {source}）；请核减预算，"
            "或确有追加经费时加 --allow-over。"
        )
    if text is None:  # the writer passes the text it read under its lock
        text = read_text(loaded.path)
    text = remove_directives(text, {e.meta["lineno"] for e in replaced})
    lines = [f"; {year} 年度经费预算（studiofund budget）"]
    for account, amount in sorted(settings.items(), key=lambda kv: kv[0]):
        lines.append(f'{year}-01-01 custom "{BUDGET}" {account} "yearly" {fmt(amount)} {CURRENCY}')
    text = append_block(text, "\n".join(lines))
    names = "、".join(f"{loaded.policy.label(a)} {fmt_cn(v)}" for a, v in sorted(settings.items()))
    summary = f"{year} 年预算已写入：{names}；全年预算合计 {fmt_cn(total)} 元，可用经费 {fmt_cn(available)} 元。"
    if total > available:
        summary += "（已按 --allow-over 超出可用经费）"
    return BudgetPlan(text, summary, total, available)

