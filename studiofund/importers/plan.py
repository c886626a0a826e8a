"""What an import adds to a ledger: the lines it does not have yet, accounts to open, and the
closing balance — rendered as Beancount text to append.

A line is already in the ledger when an entry carries its ``bank-ref`` (the bank's serial, or
the computed key of date, time, amount, counterparty and balance). A balance assertion is
already there when the ledger asserts the same amount on the same day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from beancount.core import data
from beancount.parser import printer

from studiofund.ledger.meta import text as meta_text
from studiofund.money import CURRENCY, fmt

from .booking import Rules, book_statement
from .statement import Statement

BANK_REF = "bank-ref"


def existing_refs(entries: list[data.Directive]) -> set[str]:
    """The ``bank-ref`` of every entry of the ledger."""
    return {ref for e in entries if (ref := meta_text(getattr(e, "meta", None), BANK_REF))}


def is_duplicate(entry: data.Directive, refs: set[str], balances: set[tuple]) -> bool:
    if isinstance(entry, data.Balance):
        return (entry.date, entry.account, entry.amount.number) in balances
    ref = meta_text(getattr(entry, "meta", None), BANK_REF)
    return ref is not None and ref in refs


def existing_balances(entries: list[data.Directive]) -> set[tuple]:
    return {(e.date, e.account, e.amount.number) for e in entries if isinstance(e, data.Balance)}


@dataclass
class StatementResult:
    path: str
    bank: str
    lines: int
    new: list[data.Directive] = field(default_factory=list)
    skipped: int = 0

    @property
    def new_transactions(self) -> int:
        return sum(isinstance(e, data.Transaction) for e in self.new)


@dataclass
class ImportPlan:
    results: list[StatementResult]
    opens: list[data.Open]

    @property
    def entries(self) -> list[data.Directive]:
        return [*self.opens, *(e for r in self.results for e in r.new)]

    @property
    def is_empty(self) -> bool:
        return not self.entries


def plan_import(statements: list[Statement], existing: list[data.Directive], rules: Rules,
                labels: dict[str, str]) -> ImportPlan:
    """The entries that ``statements`` add to a ledger whose entries are ``existing``.

    ``labels`` gives the Chinese name of every account that may need opening.
    """
    refs = existing_refs(existing)
    balances = existing_balances(existing)
    results: list[StatementResult] = []
    for statement in statements:
        result = StatementResult(statement.path, statement.layout.label, len(statement.lines))
        for entry in book_statement(statement, rules):
            if is_duplicate(entry, refs, balances):
                result.skipped += isinstance(entry, data.Transaction)
                continue
            result.new.append(entry)
            if isinstance(entry, data.Balance):
                balances.add((entry.date, entry.account, entry.amount.number))
            else:
                refs.add(entry.meta[BANK_REF])
        results.append(result)
    opens = _missing_opens(results, existing, labels)
    return ImportPlan(results, opens)


def account_labels(policy=None, importing=None) -> dict[str, str]:
    """The Chinese name of every account an import may open: the chart, the program's own
    labels, and the fee and holding accounts of the importing policy."""
    from studiofund.policy.models import BASE_ACCOUNTS, EXPENSE_ACCOUNTS

    labels = {**BASE_ACCOUNTS, **EXPENSE_ACCOUNTS}
    if policy is not None:
        labels.update({a.account: a.label for a in policy.accounts})
        importing = importing or policy.importing
    if importing is not None:
        labels[importing.fee_account] = importing.fee_label
        labels[importing.holding_account] = importing.holding_label
    return labels


def _missing_opens(results: list[StatementResult], existing: list[data.Directive],
                   labels: dict[str, str]) -> list[data.Open]:
    return missing_opens([e for r in results for e in r.new], existing, labels)


def missing_opens(new: list[data.Directive], existing: list[data.Directive],
                  labels: dict[str, str]) -> list[data.Open]:
    """``open`` directives for the accounts ``new`` uses that ``existing`` never opens."""
    opened = {e.account: e.date for e in existing if isinstance(e, data.Open)}
    used: dict[str, datetime.date] = {}
    for entry in new:
        if isinstance(entry, data.Transaction):
            accounts = [p.account for p in entry.postings]
        elif isinstance(entry, data.Balance):
            accounts = [entry.account]
        else:
            continue
        for account in accounts:
            if account not in opened:
                used[account] = min(entry.date, used.get(account, entry.date))
    # Open with the ledger's first accounts, so an older statement imported later still fits.
    start = min(opened.values(), default=None)
    opens = []
    for account in sorted(used):
        meta = data.new_metadata("<studiofund import>", 0)
        meta["name"] = labels.get(account, account)
        date = min(start, used[account]) if start else used[account]
        opens.append(data.Open(meta, date, account, [CURRENCY], None))
    return opens


def render_plan(plan: ImportPlan) -> str:
    """The Beancount text of a plan: a comment per statement, then its entries."""
    out: list[str] = []
    if plan.opens:
        out.append("; 导入时新开的科目（待分类支出、银行手续费等需财务人员处理的科目）")
        out += [printer.format_entry(e) for e in plan.opens]
    for result in plan.results:
        if not result.new:
            continue
        dates = [e.date for e in result.new if isinstance(e, data.Transaction)]
        span = f"，{min(dates)} 至 {max(dates)}" if dates else ""
        out.append(
            f"; 导入 {result.bank} 对账单 {_basename(result.path)}：新增 {result.new_transactions} 笔{span}"
            f"（已有 {result.skipped} 笔跳过）。标记为 ! 的分录须补全凭证号、发票号和签字后改为 *。"
        )
        out += [printer.format_entry(e) for e in result.new]
    return "\n".join(out)


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def summary_lines(plan: ImportPlan) -> list[str]:
    """One line a statement for the terminal."""
    lines = []
    for r in plan.results:
        bal = next((e for e in r.new if isinstance(e, data.Balance)), None)
        tail = f"，期末余额 {fmt(bal.amount.number)} 元（断言于 {bal.date}）" if bal else ""
        lines.append(f"{r.path}（{r.bank}）：{r.lines} 笔流水，新增 {r.new_transactions} 笔，已存在 {r.skipped} 笔{tail}")
    return lines
