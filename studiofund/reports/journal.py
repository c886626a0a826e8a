"""The 经费使用台账: the year's entries of a studio's fund, one line each, as a library call.

``build_journal(loaded, year)`` lists, in date order, every transaction of the year that moves
the dedicated account or books income or spending: date, voucher, payee and 摘要, the Chinese
category, what came in and went out of the dedicated account, the running balance, the invoice
numbers, the signatures, the attachments and the finding status (合规, 违规/待复核 with the
rule labels, 已整改 with the correcting vouchers, 待补全 for a pending ``!`` entry). The first
line is the balance carried from last year (as the usage report's 上年结余: the dedicated
account's balance before 1 January plus what the year books against ``Equity:CarryForward``);
the totals close it.

Renderings: :func:`render_table` (terminal), :func:`render_csv` (UTF-8 with BOM, the studio on
every line), :func:`journal_workbook` (XLSX for A4 landscape: fitted to the page width, the
header row repeated on every page, a CJK font).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from studiofund.ledger.findings import ERROR
from studiofund.checks.lifecycle import corrected_vouchers
from studiofund.checks.registry import label as rule_label
from studiofund.ledger.meta import invoice_numbers, text
from studiofund.money import ZERO, fmt, fmt_cn, q2

from .text import _rows, pad, to_csv, width
from .usage import CARRY_FORWARD, DEDICATED, REFUND, StudioInfo, studio_info
from .xlsx import Sheet, font, print_setup


@dataclass(frozen=True)
class JournalRow:
    """One line of the 台账."""

    date: datetime.date
    voucher: str | None
    payee: str
    narration: str
    category: str  # the Chinese labels of the entry's income/expense (or other) accounts
    income: Decimal | None  # into the dedicated account
    spending: Decimal | None  # out of the dedicated account
    balance: Decimal  # the dedicated account after this line
    invoice: str
    approver: str
    reviewer: str
    attachments: int
    status: str
    pending: bool = False  # a ``!`` entry
    filename: str = ""
    lineno: int = 0

    @property
    def summary(self) -> str:
        """摘要 as the 台账 shows it: payee and narration."""
        return "：".join(p for p in (self.payee, self.narration) if p)

    @property
    def signatures(self) -> str:
        parts = [f"主持人 {self.approver}" if self.approver else "", f"审核 {self.reviewer}" if self.reviewer else ""]
        return "；".join(p for p in parts if p)


@dataclass
class Journal:
    studio: StudioInfo
    year: int
    opening_balance: Decimal
    rows: list[JournalRow] = field(default_factory=list)
    ledger: str = ""

    @property
    def income_total(self) -> Decimal:
        return q2(sum((r.income or ZERO for r in self.rows), ZERO))

    @property
    def spending_total(self) -> Decimal:
        return q2(sum((r.spending or ZERO for r in self.rows), ZERO))

    @property
    def closing_balance(self) -> Decimal:
        return q2(self.opening_balance + self.income_total - self.spending_total)

    @property
    def title(self) -> str:
        return f"{self.studio.name}{self.year}年度专项经费使用台账"


def account_labels(loaded) -> dict[str, str]:
    """The Chinese name of every account: its ``open`` directive's ``name:``, else the program's."""
    labels = {}
    for entry in loaded.entries:
        if isinstance(entry, data.Open):
            name = text(entry.meta, "name")
            if name:
                labels[entry.account] = name
    return labels


def label_of(account: str, labels: dict[str, str], policy) -> str:
    if account in labels:
        return labels[account]
    if policy is not None:
        return policy.label(account)
    return account


def _category(entry: data.Transaction, labels, policy) -> str:
    accounts = [p.account for p in entry.postings if p.account != DEDICATED]
    main = [a for a in accounts if a.startswith(("Expenses:", "Income:"))] or accounts
    return "、".join(dict.fromkeys(label_of(a, labels, policy) for a in main))


def attachments(meta) -> int:
    """How many scans an entry links (``document:`` metadata, several separated by commas)."""
    values = set()
    for key, value in (meta or {}).items():
        if key.startswith("document") and isinstance(value, str):
            values.update(v.strip() for v in value.split(",") if v.strip())
    return len(values)


def entry_status(entry: data.Transaction, findings: list) -> str:
    """合规, or what the checks say about the entry; an entry that corrects others says so."""
    parts = []
    if entry.flag == "!":
        parts.append("待补全")
    open_errors = [f for f in findings if f.is_open and f.severity == ERROR]
    open_reviews = [f for f in findings if f.is_open and f.severity != ERROR]
    rectified = [f for f in findings if not f.is_open]
    if open_errors:
        parts.append("违规：" + "、".join(dict.fromkeys(rule_label(f.rule) for f in open_errors)))
    if open_reviews:
        parts.append("待复核：" + "、".join(dict.fromkeys(rule_label(f.rule) for f in open_reviews)))
    if rectified:
        by = dict.fromkeys(v for f in rectified for v in f.rectified_by)
        parts.append(f"已整改（凭证 {'、'.join(by)}）")
    corrects = corrected_vouchers(entry.meta)
    if corrects:
        parts.append(f"整改凭证（冲回 {'、'.join(corrects)}）")
    return "；".join(parts) or "合规"


def _where(meta) -> tuple[str, int]:
    return str((meta or {}).get("filename", "")), int((meta or {}).get("lineno", 0) or 0)


def findings_by_entry(findings) -> dict[tuple[str, int], list]:
    """The findings of each entry, keyed by the entry's file and line."""
    by_entry: dict[tuple[str, int], list] = defaultdict(list)
    for f in findings:
        if f.entry is not None:
            by_entry[_where(getattr(f.entry, "meta", None))].append(f)
    return by_entry


def findings_of(by_entry, entry) -> list:
    return by_entry.get(_where(entry.meta), [])


def build_journal(loaded, year: int) -> Journal:
    """The 台账 of ``year`` from one loaded ledger."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    labels = account_labels(loaded)
    policy = loaded.policy
    by_entry = findings_by_entry(loaded.findings)
    opening = ZERO
    txns = []
    for entry in loaded.entries:
        if type(entry) is not data.Transaction or entry.date >= end:
            continue
        bank = sum((p.units.number for p in entry.postings if p.account == DEDICATED and p.units is not None), ZERO)
        if entry.date < start:
            opening += bank
            continue
        if any(p.account == CARRY_FORWARD for p in entry.postings):
            opening += bank  # the carried-forward balance opens the year, as in the usage report
            continue
        touches = any(p.account == DEDICATED or p.account.startswith(("Expenses:", "Income:")) or
                      p.account.startswith(REFUND) for p in entry.postings)
        if touches:
            txns.append((entry, bank))
    journal = Journal(studio_info(loaded), year, q2(opening), ledger=str(loaded.path))
    balance = journal.opening_balance
    for entry, bank in txns:
        balance = q2(balance + bank)
        meta = entry.meta or {}
        filename, lineno = _where(meta)
        journal.rows.append(JournalRow(
            date=entry.date,
            voucher=text(meta, "voucher"),
            payee=entry.payee or "",
            narration=entry.narration or "",
            category=_category(entry, labels, policy),
            income=q2(bank) if bank > 0 else None,
            spending=q2(-bank) if bank < 0 else None,
            balance=balance,
            invoice="、".join(invoice_numbers(meta)),
            approver=text(meta, "approver") or "",
            reviewer=text(meta, "reviewer") or "",
            attachments=attachments(meta),
            status=entry_status(entry, by_entry.get((filename, lineno), [])),
            pending=entry.flag == "!",
            filename=filename,
            lineno=lineno,
        ))
    return journal


# -- renderings ---------------------------------------------------------------------------------

HEADER = ["日期", "凭证号", "收款/付款单位", "摘要", "科目", "收入", "支出", "余额", "发票号码", "主持人", "审核人",
          "附件", "检查状态"]


def _money(value: Decimal | None, render=fmt_cn) -> str:
    return "" if value is None else render(value)


def _clip(value: str, size: int) -> str:
    """Text cut to ``size`` display columns for the terminal (the CSV and XLSX keep it whole)."""
    if width(value) <= size:
        return value
    out = ""
    for ch in value:
        if width(out + ch) > size - 1:
            break
        out += ch
    return out + "…"


def render_table(journal: Journal) -> str:
    """The 台账 as a Chinese terminal table."""
    s = journal.studio
    out = [journal.title, "=" * width(journal.title),
           f"承担单位：{s.host_school}    项目：{s.program_name or s.program}    所属区（县）：{s.district}",
           "金额单位：元", ""]
    rows = [["日期", "凭证号", "摘要", "科目", "收入", "支出", "余额", "发票号码", "签字", "检查状态"]]
    rows.append([f"{journal.year}-01-01", "", "上年结余", "", "", "", fmt_cn(journal.opening_balance), "", "", ""])
    for r in journal.rows:
        rows.append([r.date.isoformat(), r.voucher or "—", _clip(r.summary, 30), _clip(r.category, 16),
                     _money(r.income), _money(r.spending), fmt_cn(r.balance), _clip(r.invoice, 18),
                     _clip(r.signatures, 24), r.status])
    rows.append(["", "", "本年合计", "", fmt_cn(journal.income_total), fmt_cn(journal.spending_total),
                 fmt_cn(journal.closing_balance), "", "", ""])
    out += _rows(rows, right=[4, 5, 6], indent="")
    if not journal.rows:
        out.append(pad("（本年没有收支）", 20))
    return "\n".join(out)


def render_csv(journal: Journal) -> str:
    """The 台账 as CSV (UTF-8 with BOM): the studio on every line, then the columns of HEADER."""
    name = journal.studio.name
    rows = [[name, f"{journal.year}-01-01", "", "", "上年结余", "", "", "", fmt(journal.opening_balance),
             "", "", "", "", ""]]
    for r in journal.rows:
        rows.append([name, r.date.isoformat(), r.voucher or "", r.payee, r.narration, r.category,
                     _money(r.income, fmt), _money(r.spending, fmt), fmt(r.balance), r.invoice, r.approver,
                     r.reviewer, str(r.attachments), r.status])
    rows.append([name, f"{journal.year}-12-31", "", "", "本年合计", "", fmt(journal.income_total),
                 fmt(journal.spending_total), fmt(journal.closing_balance), "", "", "", "", ""])
    return to_csv(["工作室", *HEADER], rows)


#: (width, kind) of the XLSX columns, in HEADER's order; about 160 columns wide in all, so A4
#: landscape prints it at nine-tenths of its size.
XLSX_COLUMNS = ((11, "text"), (9, "text"), (16, "wrap"), (24, "wrap"), (14, "wrap"), (11, "money"),
                (11, "money"), (12, "money"), (13, "wrap"), (8, "text"), (8, "text"), (6, "count"), (18, "wrap"))


def journal_workbook(journal: Journal) -> Workbook:
    """The 台账 as a workbook that prints on A4 landscape."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"{journal.year}年度台账"
    for i, (size, _) in enumerate(XLSX_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = size
    columns = len(HEADER)
    title = ws.cell(row=1, column=1, value=journal.title)
    title.font = font(16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws.row_dimensions[1].height = 28
    s = journal.studio
    info = ws.cell(row=2, column=1, value=f"承担单位：{s.host_school}    项目：{s.program_name or s.program}    "
                                           f"所属区（县）：{s.district}")
    info.font = font()
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns - 2)
    unit = ws.cell(row=2, column=columns, value="金额单位：元")
    unit.font = font()
    unit.alignment = Alignment(horizontal="right")
    sheet = Sheet(ws)
    sheet.row = 2
    sheet.put(HEADER, header=True)
    ws.row_dimensions[3].height = 28
    money = tuple(i for i, (_, kind) in enumerate(XLSX_COLUMNS, start=1) if kind == "money")
    wrap = tuple(i for i, (_, kind) in enumerate(XLSX_COLUMNS, start=1) if kind == "wrap")
    sheet.put([f"{journal.year}-01-01", "", "", "上年结余", "", None, None, float(journal.opening_balance),
               "", "", "", None, ""], money=money, wrap=wrap)
    for r in journal.rows:
        sheet.put([r.date.isoformat(), r.voucher or "", r.payee, r.narration, r.category,
                   float(r.income) if r.income is not None else None,
                   float(r.spending) if r.spending is not None else None, float(r.balance), r.invoice,
                   r.approver, r.reviewer, r.attachments or None, r.status], money=money, wrap=wrap)
    sheet.put(["", "", "", "本年合计", "", float(journal.income_total), float(journal.spending_total),
               float(journal.closing_balance), "", "", "", None, ""], money=money, bold=True)
    sheet.blank()
    sheet.put(["记账：", "", "", "财务负责人（签字）：", "", "", "主持人（签字）：", "", "", "", "日期：", "", ""],
              border=False)
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:{get_column_letter(columns)}{sheet.row}"
    print_setup(ws, landscape=True)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    return wb
