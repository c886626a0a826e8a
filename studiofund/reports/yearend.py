"""Claw-back and closing a year, as plans: the new text of the ledger's top-level file.

Each ``plan_*`` function reads one :class:`LoadedLedger`, refuses with :class:`YearEndError`
(a Chinese message saying what to do) or returns a :class:`Plan`; the command line writes the
plan through :mod:`studiofund.ledger.writer` (locked, atomic, validated by reloading). Nothing here writes files.

Carry-forward. In a continuous ledger the dedicated account's balance before 1 January of Y+1
already *is* the next year's opening balance (上年结余); booking it again against
``Equity:CarryForward`` would count it twice (that account is for ledgers started with
``init --opening-balance``). So closing Y books the carry-forward as a balance assertion,
``Y+1-01-01 balance Assets:Bank:Dedicated <closing> CNY`` with ``carry-forward: "Y年结余结转"``:
the next year's opening balance, stated and checked by Beancount.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from studiofund.ledger.directives import DISQUALIFIED, REOPENED, SEALED, sealed_years
from studiofund.ledger.meta import next_voucher
from studiofund.ledger.seals import seal_digest
from studiofund.ledger.text import append_block, quote, read_text, remove_directives, same_file
from studiofund.money import CURRENCY, ZERO, fmt, fmt_cn, q2
from studiofund.policy.models import DEDICATED, REFUND

from .usage import build_report

CARRY_FORWARD_META = "carry-forward"


class YearEndError(Exception):
    """The change is refused; nothing is written."""


@dataclass(frozen=True)
class Plan:
    text: str  # the new text of the top-level file
    summary: str  # what was done, in Chinese


def _require_clean(loaded, action: str, replaced: set[int] = frozenset()) -> None:
    """Refuse on load errors, except failures of the balance assertions at ``replaced`` lines
    of the top-level file (the carry-forward a new close replaces)."""

    def replaced_entry(error) -> bool:
        entry = getattr(error, "entry", None)
        meta = getattr(entry, "meta", None) or {}
        return meta.get("lineno") in replaced and same_file(meta, loaded.path)

    errors = [e for e in list(loaded.load_errors) + list(loaded.config_errors) if not replaced_entry(e)]
    if errors:
        first = errors[0]
        where = ""
        if getattr(first, "source", None):
            where = f"{first.source.get('filename', '')}:{first.source.get('lineno', '')}："
        raise YearEndError(
            f"{loaded.path}：账簿有 {len(errors)} 个加载错误（{where}{first.message}），不能{action}；"
            f"请先运行 studiofund check {loaded.path} 修正。"
        )


def _read(loaded, text: str | None = None) -> str:
    """The top-level file's text: as the writer read it under its lock, when given."""
    return read_text(loaded.path) if text is None else text


def dedicated_balance(entries, through: datetime.date) -> Decimal:
    """The dedicated account's balance after every transaction dated on or before ``through``."""
    total = ZERO
    for entry in entries:
        if type(entry) is data.Transaction and entry.date <= through:
            for p in entry.postings:
                if p.account == DEDICATED and p.units is not None:
                    total += p.units.number
    return q2(total)


def refuse_if_sealed(loaded, date: datetime.date, action: str) -> None:
    """Refuse a new entry dated in a sealed year (it would change that year's digest)."""
    seals = sealed_years(loaded.entries)
    sealed = sorted(y for y in seals if y >= date.year)
    if sealed:
        year = sealed[0]
        raise YearEndError(
            f"{loaded.path}：{year} 年度已封账（{seals[year].entry.date}），{action}的日期 {date} 落在已封账期间；"
            f"如确需更正，请先 studiofund close {loaded.path} --year {year} --reopen --reason \"理由\"。"
        )


# -- claw-back ----------------------------------------------------------------------------------


def plan_clawback(loaded, date: datetime.date, reason: str, text: str | None = None) -> Plan:
    """Record the disqualification and move the whole dedicated balance at ``date`` to
    ``Liabilities:Refund:Bureau``."""
    reason = reason.strip()
    if not reason:
        raise YearEndError("请用 --reason 写明撤销（追回）的原因，如 \"年度考核不合格\"。")
    _require_clean(loaded, "追回经费")
    earlier = [e for e in loaded.entries if type(e) is data.Custom and e.type == DISQUALIFIED]
    if earlier:
        first = earlier[0]
        why = first.values[0].value if first.values else ""
        raise YearEndError(
            f"{loaded.path}：已于 {first.date} 记录工作室撤销（{why}），"
            f"第 {first.meta.get('lineno')} 行；不能重复追回经费。"
        )
    refuse_if_sealed(loaded, date, "追回")
    balance = dedicated_balance(loaded.entries, date)
    if balance < 0:
        raise YearEndError(
            f"{loaded.path}：{date} 专户余额为 {fmt_cn(balance)} 元（透支），无法确定应缴回金额；"
            "请先核对拨款与支出（studiofund check），再追回。"
        )
    block = [
        "; 工作室撤销，未使用经费缴回（studiofund clawback）",
        f"{date} custom {quote(DISQUALIFIED)} {quote(reason)}",
    ]
    if balance > 0:
        voucher = next_voucher(loaded.entries, date.year)
        block += [
            f'{date} * "教育局" {quote("工作室撤销，缴回未使用经费：" + reason)}',
            f"  voucher: {quote(voucher)}",
            f"  {DEDICATED}  {fmt(-balance)} {CURRENCY}",
            f"  {REFUND}  {fmt(balance)} {CURRENCY}",
        ]
        summary = (f"已记录 {date} 工作室撤销（{reason}），专户余额 {fmt_cn(balance)} 元转入应缴回经费"
                   f"（{REFUND}），凭证号 {voucher}。")
    else:
        summary = f"已记录 {date} 工作室撤销（{reason}）；专户余额为 0，无需缴回。"
    return Plan(append_block(_read(loaded, text), "\n".join(block)), summary)


# -- closing a year -----------------------------------------------------------------------------


def plan_close(loaded, year: int, today: datetime.date | None = None, *, text: str | None = None) -> Plan:
    """Seal ``year`` and assert its closing balance as the next year's opening balance."""
    today = today or datetime.date.today()
    if year > today.year:
        raise YearEndError(f"{year} 年度尚未开始，不能封账。")
    seals = sealed_years(loaded.entries)
    if year in seals:
        raise YearEndError(
            f"{loaded.path}：{year} 年度已于 {seals[year].entry.date} 封账，不能重复封账；"
            f"如需更正，请先 studiofund close {loaded.path} --year {year} --reopen --reason \"理由\"。"
        )
    next_day = datetime.date(year + 1, 1, 1)
    # a carry-forward of an earlier close of this year (before a reopen) is replaced
    old = {
        e.meta["lineno"] for e in loaded.entries
        if type(e) is data.Balance and e.date == next_day and e.account == DEDICATED
        and (e.meta or {}).get(CARRY_FORWARD_META) is not None and same_file(e.meta, loaded.path)
    }
    _require_clean(loaded, "封账", old)
    seal_date = max(today, next_day)
    digest, count = seal_digest(loaded.entries, year)
    closing = dedicated_balance(loaded.entries, datetime.date(year, 12, 31))
    text = remove_directives(_read(loaded, text), old)
    others = [
        e for e in loaded.entries
        if type(e) is data.Balance and e.date == next_day and e.account == DEDICATED
        and (e.meta or {}).get(CARRY_FORWARD_META) is None
    ]
    block = [f"; {year} 年度封账（studiofund close）：{year}年结余结转为 {year + 1} 年期初余额（上年结余）"]
    if not others:
        block += [
            f"{next_day} balance {DEDICATED}  {fmt(closing)} {CURRENCY}",
            f"  {CARRY_FORWARD_META}: {quote(f'{year}年结余结转')}",
        ]
    block += [
        f"{seal_date} custom {quote(SEALED)} {year} {quote(digest)}",
        f"  entries: {count}",
    ]
    report = build_report(loaded, year)
    summary = (f"{year} 年度已封账（{count} 条记录，{digest[:19]}…）；年末结余 {fmt_cn(report.closing_balance)} 元，"
               f"专户余额 {fmt_cn(closing)} 元结转为 {year + 1} 年期初余额。")
    if report.closing_balance != closing:
        summary += (f"\n注意：经费使用情况表的年末结余（{fmt_cn(report.closing_balance)}）与专户余额"
                    f"（{fmt_cn(closing)}）不一致，有收支未经专户；请核对。")
    return Plan(append_block(text, "\n".join(block)), summary)


def plan_reopen(loaded, year: int, reason: str, today: datetime.date | None = None, *,
                text: str | None = None) -> Plan:
    """Reopen a sealed year; the reopening stays on record."""
    today = today or datetime.date.today()
    reason = reason.strip()
    if not reason:
        raise YearEndError("重新开账须用 --reason 写明理由（将留档）。")
    seals = sealed_years(loaded.entries)
    if year not in seals:
        raise YearEndError(f"{loaded.path}：{year} 年度未封账（或已重新开账），无需重新开账。")
    date = max(today, seals[year].entry.date)
    block = [
        f"; {year} 年度重新开账（studiofund close --reopen）",
        f"{date} custom {quote(REOPENED)} {year} {quote(reason)}",
    ]
    summary = (f"{year} 年度已重新开账（理由：{reason}），记录留档；更正后请再运行 "
               f"studiofund close {loaded.path} --year {year} 封账。")
    return Plan(append_block(_read(loaded, text), "\n".join(block)), summary)
