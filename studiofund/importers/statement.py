"""From a table and its layout to the lines of a statement.

Rows after the header are data rows when their date cell holds a date (and nothing else).
Summary and trailer rows are skipped wherever they are — some banks put a subtotal after every
page, others a block of counts and totals at the end. They are known by a word (合计, 本页小计,
总计, 笔数, 打印时间 …) or by their shape: a row of counts, 收/支 words and amounts with no date
(``3,收,"80,012.34"``, ``0,0.00,1,20000000.00``), or a dated row whose 摘要 is a balance or a
total (``2020-03-31,本月合计,…``, ``2020-03-01,期初余额,…``). Any other row that is not a line is
an error naming the row: a file must never import half-read. A statement may run newest-first;
its lines are put in time order (the running balance decides when the dates cannot), and the
running balance must chain.
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

from .layout import BANK_NAMES, GENERIC, HeaderMatch, Layout, bank_hint, detect_layout, header_forms, normalise
from .table import Row, StatementError, Table, read_table

#: Words of summary and trailer rows, which are not statement lines.
SUMMARY_MARKERS = (
    "合计", "小计", "总计", "累计", "共计", "汇总", "笔数", "本页", "页次", "打印", "制表", "经办",
    "复核", "以下空白", "说明", "备注：", "注：", "查询时间", "下载时间", "导出时间", "期末余额", "期初余额",
    "total", "subtotal",
)

_CNY = {"人民币", "cny", "rmb", "156", "01", "本币", "人民币元", "¥"}

#: A cell that is all of a dated summary row's 摘要: a balance carried or a total.
_SUMMARY_CELL = re.compile(
    r"^(?:(?:本|当|上|下)?(?:日|月|年|页|期|季|次)?(?:期初|期末|初|末)?余额|承前页|过次页|承上页|转下页|上年结转|"
    r"(?:本|当|上)?(?:日|月|年|页|期|季)?(?:借方|贷方|发生额)?(?:合计|小计|总计|累计|共计))(?:[:：].*)?$"
)
#: Words of a counts-and-totals row besides its numbers (收 3 笔 …).
_SUMMARY_WORDS = {
    "收", "支", "借", "贷", "收入", "支出", "借方", "贷方", "来账", "往账", "转入", "转出", "笔", "元",
    "cr", "dr", "c", "d", "in", "out", "+", "-",
}
_COUNT = re.compile(r"^\d{1,6}(?:笔)?$")
_OPENING = re.compile(r"(?:期初|上日|上期|上月|承前)余额[:：]?\s*(-?[\d,，]+\.\d{1,2})")
_CLOSING = re.compile(r"(?:期末|本日|当前|本期)余额[:：]?\s*(-?[\d,，]+\.\d{1,2})")

#: Preamble keys (账号：…, 币种：…) and the statement field each gives.
_PREAMBLE_KEYS = {
    "账号": "account", "帐号": "account", "账户": "account", "查询账号": "account", "本方账号": "account",
    "客户账号": "account", "单位账号": "account", "账户号": "account", "账户账号": "account",
    "查询账户": "account", "账户号码": "account", "accountno": "account", "accountnumber": "account",
    "户名": "holder", "账户名称": "holder", "单位名称": "holder", "账户名": "holder", "客户名称": "holder",
    "账户户名": "holder", "客户名": "holder", "accountname": "holder",
    "币种": "currency", "币别": "currency", "货币": "currency", "currency": "currency",
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
    bank_label: str = ""
    serial_column: bool = False  # the file has a serial column that is unique per line
    stated_opening: Decimal | None = None  # a 期初余额 the file states (row or preamble)
    stated_closing: Decimal | None = None  # a 期末余额 the file states

    @property
    def uses_serial(self) -> bool:
        return self.serial_column

    @property
    def label(self) -> str:
        return self.bank_label or self.layout.label

    @property
    def opening_balance(self) -> Decimal | None:
        """The balance before the first line: the first line's balance less its amount, else
        the 期初余额 the file states."""
        first = self.lines[0] if self.lines else None
        if first is not None and first.balance is not None:
            return first.balance - first.amount
        return self.stated_opening

    @property
    def first_date(self) -> datetime.date | None:
        return self.lines[0].date if self.lines else None

    @property
    def last_date(self) -> datetime.date | None:
        return self.lines[-1].date if self.lines else None

    @property
    def closing_balance(self) -> Decimal | None:
        if self.lines and self.lines[-1].balance is not None:
            return self.lines[-1].balance
        return self.stated_closing

    def keys(self) -> list[str]:
        """Every line's ``bank-ref``: its serial; a serial the file gives to more than one line
        (a payment and its fee) with the line's computed key after it; without a serial the
        computed key alone."""
        if not self.uses_serial:
            return [line.key(False) for line in self.lines]
        repeated = Counter(line.serial for line in self.lines if line.serial)
        keys = []
        for line in self.lines:
            if line.serial and repeated[line.serial] > 1:
                keys.append(f"{line.serial}/{line.key(False).removeprefix('key-')[:8]}")
            else:
                keys.append(line.key(bool(line.serial)))
        return keys


# -- dates ---------------------------------------------------------------------------------------
_DATE_SEP = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?!\d)")
_TIME_SEP = re.compile(r"(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?")
_TIME_COMPACT = re.compile(r"^(\d{2})(\d{2})(\d{2})(?:\.\d+)?$")


def parse_date(text: str) -> tuple[datetime.date, str] | None:
    """``(date, time)`` of a date cell ('2020-06-12', '20200612 10:23:45', '2020年6月12日',
    ICBC's '2020-06-12-10.23.45.123456'), or None — also when anything but a time follows the
    date ('2020-03-01至2020-06-30' is a period, not a line's date)."""
    text = text.strip()
    serial = _EXCEL_SERIAL.match(text)
    if serial:  # a date cell that lost its date format: days since 1899-12-30
        days = Decimal(text)
        seconds = int((days % 1 * 86400).to_integral_value())
        moment = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=int(days), seconds=seconds)
        return moment.date(), moment.strftime("%H:%M:%S") if moment.time() != datetime.time() else ""
    m = _DATE_SEP.match(text) or _DATE_COMPACT.match(text)
    if not m:
        return None
    try:
        date = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    rest = text[m.end():]
    time = parse_time(rest)
    if not time and rest.strip(" -T:.0"):
        return None
    return date, time


#: An Excel serial date between 1982 and 2119 (a date cell whose format the export lost).
_EXCEL_SERIAL = re.compile(r"^[3-7]\d{4}(?:\.\d{3,})?$")
_TIME_DOTTED = re.compile(r"^(\d{1,2})\.(\d{2})\.(\d{2})(?:\.\d+)?$")
_TIME_WHOLE = re.compile(r"^(?:\d{1,2}[:：时]\d{1,2}(?:[:：分]\d{1,2}(?:秒|\.\d+)?)?|\d{6}(?:\.\d+)?|\d{1,2}\.\d{2}\.\d{2}(?:\.\d+)?)$")


def parse_time(text: str) -> str:
    """'10:23:45', '102345', '10:23', '10.23.45.000000' → 'HH:MM:SS'; anything else → ''."""
    text = text.strip().lstrip("-T").strip()
    if not _TIME_WHOLE.match(text):
        return ""
    m = _TIME_COMPACT.match(text) or _TIME_DOTTED.match(text) or _TIME_SEP.search(text)
    if not m:
        return ""
    h, mi, s = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if h > 23 or mi > 59 or s > 59:
        return ""
    return f"{h:02d}:{mi:02d}:{s:02d}"


# -- reading -------------------------------------------------------------------------------------
def read_statement(path: str | Path, layouts: list[Layout], *, table: Table | None = None,
                   bank_label: str | None = None) -> Statement:
    """Read and parse a statement with the best fitting layout (of the first sheet that has
    one); raises :class:`StatementError`. ``bank_label`` names the bank when only
    :data:`GENERIC` fits (``--bank`` was given)."""
    table = table or read_table(path)
    for rows in table.sheets:
        match = detect_layout(layouts, rows)
        if match is not None:
            return parse_statement(table._replace(rows=rows), match, bank_label=bank_label)
    names = "、".join(dict.fromkeys(layout.label for layout in layouts if layout is not GENERIC))
    raise StatementError(
        path,
        f"无法识别的对账单格式：前 {min(len(table.rows), 40)} 行中找不到表头（需要交易日期、金额（借方/贷方，"
        f"或金额加借贷标志）以及余额或对方户名等列）。支持：{names}及其他按表头可识别的格式；"
        "表头名称不同的银行请用 --mapping 指定列映射文件（见 docs/import.md）。",
    )


def statement_label(match: HeaderMatch, rows: tuple[Row, ...], bank_label: str | None = None) -> str:
    """The bank name shown for a statement: its layout's, or — for :data:`GENERIC` — the bank
    the title rows name (中国建设银行…), else the generic label."""
    if match.layout.columns:
        return match.layout.label
    if bank_label:
        return f"{bank_label}（按表头识别）"
    hint = bank_hint(rows, match.header_rows[0])
    return f"{BANK_NAMES[hint][0]}（按表头识别）" if hint else GENERIC.label


def parse_statement(table: Table, match: HeaderMatch, *, bank_label: str | None = None) -> Statement:
    """The statement of ``table`` whose header is ``match``."""
    layout, cols = match.layout, match.columns
    path = table.path
    header_end = match.header_rows[-1]
    above = table.rows[: match.header_rows[0]]
    preamble = _preamble(above)
    _check_currency(path, preamble.get("currency", ""), table.rows[match.header_rows[0]].number)
    needed_width = max(cols[f] for f in match.required) + 1
    stated: dict[str, Decimal] = _stated_balances(above)
    lines: list[StatementLine] = []
    parties: list[tuple[str, str, str, str]] = []  # payer account, payee account, payer, payee
    for row in table.rows[header_end + 1:]:
        if row.is_blank:
            continue
        parsed = parse_date(row.cell(cols["date"]))
        if parsed is None:
            if _is_summary(row) or _is_repeated_header(row, match) or _is_tally(row, cols):
                for key, value in _stated_balances((row,)).items():
                    stated.setdefault(key, value)
                continue
            if not row.cell(cols["date"]) and row.width <= max(2, needed_width // 3):
                continue  # a trailer note such as a bank's stamp line
            raise StatementError(
                path,
                f"无法识别的行（交易日期列为 {row.cell(cols['date'])!r}）：既不是交易明细也不是合计行。"
                "请检查文件是否被修改或截断，重新从网银下载后再导入。",
                row=row.number,
            )
        if _is_dated_summary(row, cols):
            _dated_balance(path, row, cols, stated, bool(lines))
            continue
        if row.width < needed_width:
            raise StatementError(
                path,
                f"该行不完整：只有 {row.width} 列，表头有 {len(match.names)} 列；文件可能被截断，请重新下载。",
                row=row.number,
            )
        date, time = parsed
        if not time and "time" in cols:
            time = _time_of(row.cell(cols["time"]))
        amount = _amount(path, row, match)
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
    uses_serial = layout.has_serial and "serial" in cols and any(line.serial for line in lines)
    statement = Statement(path, layout, account, preamble.get("holder", ""), tuple(lines),
                          bank_label=statement_label(match, table.rows, bank_label),
                          serial_column=uses_serial, stated_opening=stated.get("opening"),
                          stated_closing=stated.get("closing"))
    _check_unique(statement)
    return statement


def _time_of(cell: str) -> str:
    """The time of a time cell, which may hold the whole date and time."""
    parsed = parse_date(cell)
    return parsed[1] if parsed is not None else parse_time(cell)


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
            forms = header_forms(pieces[0])
            key = next((f for f in forms if f in _PREAMBLE_KEYS), normalise(pieces[0]))
            value = pieces[1].strip() if len(pieces) == 2 else ""
            if not value and i + 1 < len(cells) and (len(pieces) == 2 or key in _PREAMBLE_KEYS):
                value = cells[i + 1]
            fld = _PREAMBLE_KEYS.get(key)
            if fld and value and fld not in found:
                found[fld] = value.split()[0] if fld == "account" else value
    return found


def _check_currency(path: str, value: str, row: int) -> None:
    norm = normalise(value)
    if value and norm not in _CNY and not any(w in norm for w in ("人民币", "cny", "rmb")):
        raise StatementError(
            path, f"币种为 {value!r}：专项经费专户只能是人民币账户；请导出人民币账户的明细。", row=row
        )


def _is_summary(row: Row) -> bool:
    text = normalise("".join(row.cells))
    return any(marker in text for marker in SUMMARY_MARKERS)


def _is_number(text: str) -> bool:
    if not re.search(r"\d", text):
        return False
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


def _is_tally(row: Row, cols: dict[str, int]) -> bool:
    """A row of counts and totals with no date and no counterparty: ``3,收,"80,012.34"``
    (count, direction, total) or ``0,0.00,1,20000000.00`` (收入笔数, 收入金额, 支出笔数, 支出金额).
    It needs a count or a 收/支 word besides its numbers: a line that lost its date keeps its
    decimal amounts only, and is an error, not a summary."""
    if any(row.cell(cols.get(f)) for f in ("counterparty", "payer_name", "payee_name", "serial")):
        return False
    cells = [normalise(c) for c in row.cells if c]
    numbers = counts = words = 0
    for cell in cells:
        if _COUNT.match(cell):
            counts += 1
        elif cell in _SUMMARY_WORDS or cell.rstrip("笔") in _SUMMARY_WORDS:
            words += 1
        elif _is_number(cell):
            numbers += 1
        else:
            return False
    return (counts + numbers) >= 1 and (counts >= 1 or words >= 1) and numbers + counts + words >= 2


def _is_dated_summary(row: Row, cols: dict[str, int]) -> bool:
    """A dated row that is a balance or a total (期初余额, 本日合计, 承前页 …): its 摘要 (or
    another text cell) is just that, and it names no counterparty."""
    if row.cell(cols.get("counterparty")) or row.cell(cols.get("payer_name")) and row.cell(cols.get("payee_name")):
        return False
    date_col = cols["date"]
    return any(_SUMMARY_CELL.match(normalise(c)) for j, c in enumerate(row.cells) if c and j != date_col)


def _dated_balance(path: str, row: Row, cols: dict[str, int], stated: dict[str, Decimal],
                   after_lines: bool) -> None:
    """Keep the balance of a dated 期初余额 (before any line) or 期末余额 row."""
    text = normalise("".join(row.cells))
    balance = _optional_amount(path, row, cols.get("balance"), "余额")
    if balance is None:
        return
    if not after_lines and any(w in text for w in ("期初", "上日", "承前", "上月", "上年结转")):
        stated.setdefault("opening", balance)
    elif "余额" in text:
        stated["closing"] = balance


def _stated_balances(rows) -> dict[str, Decimal]:
    """期初余额 and 期末余额 written as text (``期初余额：12,000.00``) in preamble or trailer rows."""
    found: dict[str, Decimal] = {}
    for row in rows:
        text = " ".join(c for c in row.cells if c)
        text = re.sub(r"([:：])\s+", r"\1", text)
        for key, pattern in (("opening", _OPENING), ("closing", _CLOSING)):
            m = pattern.search(text)
            if m and key not in found:
                try:
                    found[key] = parse_amount(m.group(1).replace("，", ","))
                except ValueError:
                    pass
    return found


def _is_repeated_header(row: Row, match: HeaderMatch) -> bool:
    """A page header repeated inside the data (some exports repeat it on every page)."""
    date_col = match.columns["date"]
    return bool(row.cell(date_col)) and normalise(row.cell(date_col)) in match.names[date_col]


def _amount(path: str, row: Row, match: HeaderMatch) -> Decimal:
    layout, cols, mode = match.layout, match.columns, match.amount_mode
    if mode == "split":
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
    if mode == "signed":
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
    negative = re.fullmatch(r"[(（](.*)[)）]", text.strip())  # (3,250.00): an accountant's minus
    try:
        if negative:
            return -parse_amount(negative.group(1))
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


def _break(lines: list[StatementLine]) -> tuple[StatementLine, StatementLine] | None:
    """The first two consecutive lines whose running balance does not chain, or None."""
    for prev, cur in zip(lines, lines[1:]):
        if prev.balance is not None and cur.balance is not None and prev.balance + cur.amount != cur.balance:
            return prev, cur
    return None


def _chains(lines: list[StatementLine]) -> bool:
    return _break(lines) is None


def _in_time_order(lines: list[StatementLine]) -> list[StatementLine]:
    """Lines oldest first. A newest-first file is reversed; within equal dates and times the
    file's order (or its reverse, when only that chains the running balance) is kept."""
    first, last = (lines[0].date, lines[0].time), (lines[-1].date, lines[-1].time)
    if first > last or (first == last and not _chains(lines) and _chains(lines[::-1])):
        lines = lines[::-1]
    return sorted(lines, key=lambda line: (line.date, line.time or ""))  # stable


def _check_chain(path: str, lines: list[StatementLine]) -> None:
    found = _break(lines)
    if found is not None:
        prev, cur = found
        raise StatementError(
            path,
            f"余额不连续：上一笔（第 {prev.row} 行）余额 {fmt(prev.balance)} + 本笔发生额 {fmt(cur.amount)} "
            f"≠ 本笔余额 {fmt(cur.balance)}。文件可能缺行或被修改，请重新下载完整的对账单。",
            row=cur.row,
        )


def _check_unique(statement: Statement) -> None:
    """Two lines with the same key: the same line twice (a bank serial repeated for a fee and
    its payment is told apart by amount and balance, see :meth:`Statement.keys`)."""
    seen: dict[str, int] = {}
    for line, key in zip(statement.lines, statement.keys()):
        if key in seen:
            what = f"流水号 {line.serial}" if statement.uses_serial and line.serial else "日期、时间、金额、对方和余额"
            raise StatementError(
                statement.path, f"与第 {seen[key]} 行的{what}完全相同：同一笔交易出现了两次；请重新下载对账单。",
                row=line.row,
            )
        seen[key] = line.row
