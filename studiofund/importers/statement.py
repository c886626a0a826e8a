"""From a table and its layout to the lines of a statement.

Rows after the header are data rows when their date cell holds a date. Summary and trailer rows
(合计, 本页小计, 总计, 笔数, 打印时间 …) are skipped wherever they are — some banks put a
subtotal after every page. Any other row that is not a line is an error naming the row: a file
must never import half-read. A statement may run newest-first; its lines are put in time order
(the running balance decides when the dates cannot), and the running balance must chain.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from studiofund.money import ZERO, fmt, parse_amount

from .layout import HeaderMatch, Layout, detect_layout, normalise
from .table import Row, StatementError, Table, read_table

#: Words of summary and trailer rows, which are not statement lines.
SUMMARY_MARKERS = (
    "合计", "小计", "总计", "累计", "共计", "汇总", "笔数", "本页", "页次", "打印", "制表", "经办",
    "复核", "以下空白", "说明", "备注：", "注：", "查询时间", "下载时间", "导出时间", "期末余额", "期初余额",
    "total", "subtotal",
)

_CNY = {"人民币", "cny", "rmb", "156", "01", "本币", "人民币元"}

#: Preamble keys (账号：…, 币种：…) and the statement field each gives.
_PREAMBLE_KEYS = {
    "账号": "account", "帐号": "account", "账户": "account", "查询账号": "account", "本方账号": "account",
    "accountno": "account", "accountnumber": "account",
    "户名": "holder", "账户名称": "holder", "单位名称": "holder", "账户名": "holder", "客户名称": "holder",
    "币种": "currency", "币别": "currency", "currency": "currency",
}


class StatementLine(NamedTuple):
    """One line of a bank statement. ``amount`` is signed: positive money came in."""

    row: int
    date: datetime.date
    time: str  # "HH:MM:SS" or ""
    amount: Decimal
    balance: Decimal | None
    counterparty: str
    counterparty_account: str
    summary: str
    purpose: str
    serial: str

    def key(self, use_serial: bool) -> str:
        """The line's ``bank-ref``: the bank's serial, else a key of what identifies it."""
        if use_serial and self.serial:
            return self.serial
        parts = [self.date.isoformat(), self.time, fmt(self.amount), self.counterparty,
                 fmt(self.balance) if self.balance is not None else ""]
        digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:16]
        return f"key-{digest}"


@dataclass(frozen=True)
class Statement:
    """A parsed statement file: its layout, the account it is of, and its lines in time order."""

    path: str
    layout: Layout
    account_number: str
    holder: str
    lines: tuple[StatementLine, ...]

    @property
    def uses_serial(self) -> bool:
        return self.layout.has_serial and "serial" in self.layout.columns

    @property
    def first_date(self) -> datetime.date | None:
        return self.lines[0].date if self.lines else None

    @property
    def last_date(self) -> datetime.date | None:
        return self.lines[-1].date if self.lines else None

    @property
    def closing_balance(self) -> Decimal | None:
        return self.lines[-1].balance if self.lines else None

    def keys(self) -> list[str]:
        return [line.key(self.uses_serial) for line in self.lines]


# -- dates ---------------------------------------------------------------------------------------
_DATE_SEP = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?!\d)")
_TIME_SEP = re.compile(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?")
_TIME_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{2})(?:\.\d+)?$")


def parse_date(text: str) -> tuple[datetime.date, str] | None:
    """``(date, time)`` of a date cell ('2020-06-12', '20200612 10:23:45', '2020年6月12日'), or None."""
    text = text.strip()
    m = _DATE_SEP.match(text) or _DATE_COMPACT.match(text)
    if not m:
        return None
    try:
        date = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return date, parse_time(text[m.end():])


def parse_time(text: str) -> str:
    """'10:23:45', '102345', '10:23' → 'HH:MM:SS'; anything else → ''."""
    text = text.strip().lstrip("T").strip()
    m = _TIME_COMPACT.match(text) or _TIME_SEP.search(text)
    if not m:
        return ""
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        return ""
    return f"{h:02d}:{mi:02d}:{s:02d}"


# -- reading -------------------------------------------------------------------------------------
def read_statement(path: str | Path, layouts: list[Layout], *, table: Table | None = None) -> Statement:
    """Read and parse a statement with the first fitting layout; raises :class:`StatementError`."""
    table = table or read_table(path)
    match = detect_layout(layouts, table.rows)
    if match is None:
        names = "、".join(layout.label for layout in layouts)
        raise StatementError(
            path,
            f"无法识别的对账单格式：前 {min(len(table.rows), 40)} 行中找不到表头（需要交易日期、金额等列）。"
            f"支持：{names}；其他银行请用 --mapping 指定列映射文件（见 docs/import.md）。",
        )
    return parse_statement(table, match)


def parse_statement(table: Table, match: HeaderMatch) -> Statement:
    """The statement of ``table`` whose header is ``match``."""
    layout, cols = match.layout, match.columns
    path = table.path
    header_end = match.header_rows[-1]
    preamble = _preamble(table.rows[: match.header_rows[0]])
    _check_currency(path, preamble.get("currency", ""), table.rows[match.header_rows[0]].number)
    needed_width = max(cols[f] for f in layout.required) + 1
    lines: list[StatementLine] = []
    parties: list[tuple[str, str, str, str]] = []  # payer account, payee account, payer, payee
    for row in table.rows[header_end + 1:]:
        if row.is_blank:
            continue
        parsed = parse_date(row.cell(cols["date"]))
        if parsed is None:
            if _is_summary(row) or _is_repeated_header(row, match):
                continue
            if not row.cell(cols["date"]) and row.width <= max(2, needed_width // 3):
                continue  # a trailer note such as a bank's stamp line
            raise StatementError(
                path,
                f"无法识别的行（交易日期列为 {row.cell(cols['date'])!r}）：既不是交易明细也不是合计行。"
                "请检查文件是否被修改或截断，重新从网银下载后再导入。",
                row=row.number,
            )
        if row.width < needed_width:
            raise StatementError(
                path,
                f"该行不完整：只有 {row.width} 列，表头有 {len(match.names)} 列；文件可能被截断，请重新下载。",
                row=row.number,
            )
        date, time = parsed
        if not time and "time" in cols:
            time = parse_time(row.cell(cols["time"]))
        amount = _amount(path, row, layout, cols)
        balance = _optional_amount(path, row, cols.get("balance"), "余额")
        if "currency" in cols:
            _check_currency(path, row.cell(cols["currency"]), row.number)
        parties.append(tuple(row.cell(cols.get(f)) for f in ("payer_account", "payee_account", "payer_name", "payee_name")))
        lines.append(
            StatementLine(
                row=row.number,
                date=date,
                time=time,
                amount=amount,
                balance=balance,
                counterparty=row.cell(cols.get("counterparty")),
                counterparty_account=row.cell(cols.get("counterparty_account")),
                summary=row.cell(cols.get("summary")),
                purpose=_join(row.cell(cols.get("purpose")), row.cell(cols.get("remark"))),
                serial=row.cell(cols.get("serial")) if layout.has_serial else "",
            )
        )
    if not lines:
        raise StatementError(path, "对账单中没有交易明细；请确认查询的日期范围后重新导出。")
    account = preamble.get("account", "")
    own_column = cols.get("own_account")
    if own_column is not None and not account:
        values = Counter(r.cell(own_column) for r in table.rows[header_end + 1:] if r.cell(own_column))
        account = values.most_common(1)[0][0] if values else ""
    if "payer_account" in cols and "payee_account" in cols:
        account, lines = _counterparties(path, lines, parties, account)
    lines = _in_time_order(lines)
    _check_chain(path, lines)
    _check_unique(path, lines, layout.has_serial and "serial" in cols)
    return Statement(path, layout, account, preamble.get("holder", ""), tuple(lines))


def _join(*parts: str) -> str:
    seen: list[str] = []
    for part in parts:
        if part and part not in seen:
            seen.append(part)
    return "；".join(seen)


def _preamble(rows: tuple[Row, ...]) -> dict[str, str]:
    """Key/value pairs above the header: '账号：755912345678901', or '账号' | '755…' cells."""
    found: dict[str, str] = {}
    for row in rows:
        cells = [c for c in row.cells if c]
        for i, cell in enumerate(cells):
            pieces = re.split(r"[:：]", cell, maxsplit=1)
            key = normalise(pieces[0])
            value = pieces[1].strip() if len(pieces) == 2 else ""
            if not value and i + 1 < len(cells) and (len(pieces) == 2 or key in _PREAMBLE_KEYS):
                value = cells[i + 1]
            fld = _PREAMBLE_KEYS.get(key)
            if fld and value and fld not in found:
                found[fld] = value.split()[0] if fld == "account" else value
    return found


def _check_currency(path: str, value: str, row: int) -> None:
    if value and normalise(value) not in _CNY:
        raise StatementError(
            path, f"币种为 {value!r}：专项经费专户只能是人民币账户；请导出人民币账户的明细。", row=row
        )


def _is_summary(row: Row) -> bool:
    text = normalise("".join(row.cells))
    return any(marker in text for marker in SUMMARY_MARKERS)


def _is_repeated_header(row: Row, match: HeaderMatch) -> bool:
    """A page header repeated inside the data (some exports repeat it on every page)."""
    date_col = match.columns["date"]
    return bool(row.cell(date_col)) and normalise(row.cell(date_col)) in match.names[date_col]


def _amount(path: str, row: Row, layout: Layout, cols: dict[str, int]) -> Decimal:
    if layout.amount_mode == "split":
        out = _optional_amount(path, row, cols["debit"], "借方（支出）金额")
        into = _optional_amount(path, row, cols["credit"], "贷方（收入）金额")
        if out is None and into is None:
            raise StatementError(path, "借方、贷方金额都是空的；文件可能被截断，请重新下载。", row=row.number)
        out, into = abs(out or ZERO), abs(into or ZERO)
        if out and into:
            raise StatementError(path, f"同一行既有支出 {fmt(out)} 又有收入 {fmt(into)}；请核对文件。", row=row.number)
        return into - out
    value = _optional_amount(path, row, cols["amount"], "金额")
    if value is None:
        raise StatementError(path, "金额是空的；文件可能被截断，请重新下载。", row=row.number)
    if layout.amount_mode == "signed":
        return value
    mark = normalise(row.cell(cols["direction"]))
    if mark in {normalise(m) for m in layout.debit_marks}:
        return -abs(value)
    if mark in {normalise(m) for m in layout.credit_marks}:
        return abs(value)
    raise StatementError(
        path, f"借贷标志 {row.cell(cols['direction'])!r} 无法识别（应为 借/贷）；请核对文件。", row=row.number
    )


def _optional_amount(path: str, row: Row, col: int | None, what: str) -> Decimal | None:
    text = row.cell(col)
    if not text.strip("-— "):
        return None
    try:
        return parse_amount(text)
    except ValueError:
        raise StatementError(path, f"{what} {text!r} 不是有效金额；请核对文件。", row=row.number) from None


def _counterparties(path: str, lines: list[StatementLine], parties: list[tuple[str, str, str, str]],
                    account: str) -> tuple[str, list[StatementLine]]:
    """BOC style: payer and payee columns; ours is the account on every line, the counterparty
    is the other side of each line."""
    if not account:
        common = None
        for payer, payee, _, _ in parties:
            sides = {a for a in (payer, payee) if a}
            common = sides if common is None else common & sides
        if common and len(common) == 1:
            account = next(iter(common))
    fixed = []
    for line, (payer, payee, payer_name, payee_name) in zip(lines, parties):
        if account and payer == account:
            we_pay = True
        elif account and payee == account:
            we_pay = False
        else:
            we_pay = line.amount < 0
        if account and payer == account and line.amount > 0 and payee != account:
            raise StatementError(path, f"本方账号 {account} 是付款人，但交易金额为正；请核对文件。", row=line.row)
        name, acct = (payee_name, payee) if we_pay else (payer_name, payer)
        fixed.append(line._replace(counterparty=line.counterparty or name,
                                   counterparty_account=line.counterparty_account or acct))
    return account, fixed


def _chains(lines: list[StatementLine]) -> bool:
    for prev, cur in zip(lines, lines[1:]):
        if prev.balance is None or cur.balance is None:
            continue
        if prev.balance + cur.amount != cur.balance:
            return False
    return True


def _in_time_order(lines: list[StatementLine]) -> list[StatementLine]:
    """Lines oldest first. A newest-first file is reversed; within equal dates and times the
    file's order (or its reverse, when only that chains the running balance) is kept."""
    first, last = (lines[0].date, lines[0].time), (lines[-1].date, lines[-1].time)
    if first > last or (first == last and not _chains(lines) and _chains(lines[::-1])):
        lines = lines[::-1]
    return sorted(lines, key=lambda line: (line.date, line.time or ""))  # stable


def _check_chain(path: str, lines: list[StatementLine]) -> None:
    for prev, cur in zip(lines, lines[1:]):
        if prev.balance is None or cur.balance is None:
            continue
        if prev.balance + cur.amount != cur.balance:
            raise StatementError(
                path,
                f"余额不连续：上一笔（第 {prev.row} 行）余额 {fmt(prev.balance)} + 本笔发生额 {fmt(cur.amount)} "
                f"≠ 本笔余额 {fmt(cur.balance)}。文件可能缺行或被修改，请重新下载完整的对账单。",
                row=cur.row,
            )


def _check_unique(path: str, lines: list[StatementLine], use_serial: bool) -> None:
    seen: dict[str, int] = {}
    for line in lines:
        key = line.key(use_serial)
        if key in seen:
            what = f"流水号 {line.serial}" if use_serial and line.serial else "日期、时间、金额、对方和余额"
            raise StatementError(
                path, f"与第 {seen[key]} 行的{what}完全相同：同一笔交易出现了两次；请重新下载对账单。", row=line.row
            )
        seen[key] = line.row
