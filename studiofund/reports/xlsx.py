"""The printed forms as workbooks a finance office hands in (openpyxl).

* The usage report (经费使用情况表): one sheet per year — title, the studio block, 经费来源,
  经费支出 (by Chinese category: budget, actual, execution rate, share), 结余, 检查发现 (by rule,
  with its Chinese label, open or 已整改, and the vouchers behind it), 固定资产, the signature
  lines and a 盖章 area. A4 portrait, fitted to the page width — and to one page tall while the
  form fits on one page.
* The bureau's consolidation (汇总表): a summary sheet and one per district, A4 landscape with
  its header row repeated on every page, columns sized so that it prints at about nine-tenths
  of its size, not at five points.

Every cell is in a CJK font (宋体, which Excel and WPS have and LibreOffice substitutes); money
``#,##0.00``, rates ``0.0%``.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from studiofund.checks.registry import label as rule_label

from .text import finding_groups, report_title, status_label, voucher_list
from .usage import INCOME_LABELS, UsageReport

MONEY = "#,##0.00"
PERCENT = "0.0%"
FONT_NAME = "宋体"
COLUMNS = 6  # A..F
WIDTHS = {"A": 22, "B": 14, "C": 14, "D": 14, "E": 10, "F": 24}
#: A usage report up to this many rows is fitted onto one page.
ONE_PAGE_ROWS = 64

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def font(size: float = 10, bold: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def print_setup(ws: Worksheet, landscape: bool = False, one_page: bool = False) -> None:
    """A4, fitted to the page width (and to one page tall when ``one_page``)."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


class Sheet:
    """A cursor over a worksheet: rows are appended top to bottom, every cell in a CJK font."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 0

    def put(self, values: list, *, money: tuple[int, ...] = (), percent: tuple[int, ...] = (),
            bold: bool = False, header: bool = False, border: bool = True,
            wrap: tuple[int, ...] = (), merge: tuple[tuple[int, int], ...] = ()) -> int:
        """Append a row; ``merge`` joins column spans (first, last) into one cell."""
        self.row += 1
        for i, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=i, value=value)
            cell.font = font(bold=bold or header)
            cell.alignment = Alignment(wrap_text=i in wrap or header, vertical="center",
                                       horizontal="center" if header else None)
            if i in money:
                cell.number_format = MONEY
            if i in percent:
                cell.number_format = PERCENT
            if header:
                cell.fill = HEADER_FILL
            if border:
                cell.border = BORDER
        for first, last in merge:
            self.ws.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
        self.fit_height(values, wrap + tuple(i for i in range(1, len(values) + 1) if header), merge)
        return self.row

    def fit_height(self, values: list, wrapped, merge) -> None:
        """Grow the row so wrapped text shows whole (spreadsheets do not on their own)."""
        spans = {first: last for first, last in merge}
        lines = 1
        for i in set(wrapped):
            value = values[i - 1] if i - 1 < len(values) else None
            if not value:
                continue
            width = sum(self.ws.column_dimensions[get_column_letter(c)].width or 10
                        for c in range(i, spans.get(i, i) + 1))
            lines = max(lines, -(-display_width(str(value)) // max(int(width) - 1, 1)))
        if lines > 1:
            self.ws.row_dimensions[self.row].height = 14 * lines

    def section(self, title: str) -> int:
        self.row += 1
        self.ws.cell(row=self.row, column=1, value=title).font = font(12, bold=True)
        return self.row

    def blank(self) -> None:
        self.row += 1


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: CJK and full-width characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _title(ws: Worksheet, text: str, columns: int, size: int = 16) -> None:
    cell = ws.cell(row=1, column=1, value=text)
    cell.font = font(size, bold=True)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    ws.row_dimensions[1].height = 28
    unit = ws.cell(row=2, column=columns, value="金额单位：元")
    unit.font = font()
    unit.alignment = Alignment(horizontal="right")


def write_report_sheet(ws: Worksheet, report: UsageReport) -> None:
    """Fill ``ws`` with the usage report (layout: see the module doc)."""
    s = report.studio
    sheet = Sheet(ws)
    for col, size in WIDTHS.items():
        ws.column_dimensions[col].width = size
    _title(ws, report_title(report), COLUMNS)
    sheet.row = 2
    program = s.program_name or s.program
    pair = ((2, 3), (5, 6))
    sheet.put(["工作室名称", s.name, "", "年度", report.year, ""], wrap=(2,), merge=pair)
    sheet.put(["项目", program, "", "建设周期起", s.cycle_start.isoformat() if s.cycle_start else "", ""],
              wrap=(2,), merge=pair)
    sheet.put(["承担单位", s.host_school, "", "所属区（县）", s.district, ""], wrap=(2,), merge=pair)
    sheet.blank()

    sheet.section("一、经费来源")
    wide = ((1, 3), (4, 6))
    sheet.put(["项目", "", "", "金额", "", ""], header=True, merge=wide)
    sheet.put(["上年结余", "", "", _num(report.opening_balance), "", ""], money=(4,), merge=wide)
    for key in ("city", "district", "other"):
        sheet.put([INCOME_LABELS[key], "", "", _num(report.income.get(key)), "", ""], money=(4,), merge=wide)
    sheet.put([INCOME_LABELS["total"], "", "", _num(report.income_total), "", ""], money=(4,), bold=True, merge=wide)
    sheet.put(["可用经费合计（上年结余＋本年收入）", "", "", _num(report.available), "", ""], money=(4,), bold=True,
              merge=wide)
    sheet.blank()

    sheet.section("二、经费支出")
    sheet.put(["支出科目", "预算", "实际支出", "执行率", "占比", "说明"], header=True)
    for line in report.spending:
        note = "不在本项目开支范围内" if not line.permitted else ""
        sheet.put([line.label, _num(line.budget), _num(line.actual), line.execution_rate, report.share(line), note],
                  money=(2, 3), percent=(4, 5), wrap=(1, 6))
    if not report.spending:
        sheet.put(["（本年无支出）", None, None, None, None, ""])
    budget_total = report.budget_total
    budget_rate = float(report.spending_total / budget_total) if budget_total else None
    sheet.put(["支出合计", _num(budget_total), _num(report.spending_total), budget_rate,
               1.0 if report.spending_total else None, ""], money=(2, 3), percent=(4, 5), bold=True)
    sheet.blank()

    sheet.section("三、结余")
    sheet.put(["缴回经费", "", "", _num(report.refunded), "", ""], money=(4,), merge=wide)
    sheet.put(["年末结余", "", "", _num(report.closing_balance), "", ""], money=(4,), bold=True, merge=wide)
    sheet.put(["经费执行率（支出合计÷可用经费）", "", "", report.execution_rate, "", ""], percent=(4,), merge=wide)
    sheet.blank()

    f = report.findings
    sheet.section(f"四、检查发现（违规 {f.error} 项，待复核 {f.review} 项，已整改 {f.rectified} 项）")
    sheet.put(["问题类别", "性质", "次数", "涉及凭证", "", ""], header=True, merge=((4, 6),))
    for rule, severity, status, lines in finding_groups(report):
        sheet.put([rule_label(rule), status_label(severity, status), len(lines), voucher_list(lines), "", ""],
                  wrap=(1, 4), merge=((4, 6),))
    if not report.finding_lines:
        sheet.put(["（无）", "", 0, "", "", ""], merge=((4, 6),))
    if report.assessment_status:  # 考核结果: the status, then the assessments over C..F
        sheet.put(["考核结果", report.assessment_status, report.assessment or "—", "", "", ""], bold=True,
                  wrap=(3,), merge=((3, 6),))
    sheet.blank()

    sheet.section("五、本年购置固定资产")
    sheet.put(["资产编号", "名称", "购置日期", "金额", "科目", "凭证号"], header=True)
    labels = {line.account: line.label for line in report.spending}
    for a in report.assets:
        sheet.put([a.asset_id, a.narration, a.date.isoformat(), _num(a.amount), labels.get(a.account, a.account),
                   a.voucher or ""], money=(4,), wrap=(2, 5))
    if not report.assets:
        sheet.put(["（无）", "", "", None, "", ""])
    if report.load_errors:
        sheet.blank()
        sheet.put([f"注意：账簿有 {report.load_errors} 个加载错误，本表可能不完整。"], border=False)

    sheet.blank()
    for left, right in (("主持人（签字）：", "财务负责人（签字）："), ("单位法定代表人（签字）：", "填报日期：")):
        sheet.put([left, "", "", right, "", ""], border=False)
        sheet.blank()
    _seal_area(sheet)
    ws.print_area = f"A1:F{sheet.row}"
    print_setup(ws, one_page=sheet.row <= ONE_PAGE_ROWS)


def _seal_area(sheet: Sheet) -> None:
    """Two boxes for the stamps: the host school's and the supervising bureau's (盖章)."""
    ws = sheet.ws
    sheet.row += 1
    top = sheet.row
    boxes = ((1, 3, "承担单位（盖章）"), (4, 6, "主管部门审核意见（盖章）"))
    for first, last, text in boxes:
        cell = ws.cell(row=top, column=first, value=text)
        cell.font = font(bold=True)
        cell.alignment = Alignment(vertical="top", horizontal="left")
        date = ws.cell(row=top + 1, column=first, value="年    月    日")
        date.font = font()
        date.alignment = Alignment(vertical="bottom", horizontal="right")
        ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=last)
        ws.merge_cells(start_row=top + 1, start_column=first, end_row=top + 1, end_column=last)
        for row in (top, top + 1):
            for col in range(first, last + 1):
                ws.cell(row=row, column=col).border = Border(
                    left=_thin if col == first else None, right=_thin if col == last else None,
                    top=_thin if row == top else None, bottom=_thin if row == top + 1 else None)
    ws.row_dimensions[top].height = 70
    ws.row_dimensions[top + 1].height = 20
    sheet.row = top + 1


def report_workbook(reports: list[UsageReport]) -> Workbook:
    """One sheet per report (a year, or each year of the cycle)."""
    wb = Workbook()
    first = wb.active
    for i, report in enumerate(reports):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = f"{report.year}年度"
        write_report_sheet(ws, report)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- consolidation -----------------------------------------------------------------------------

#: (header, width, kind) of the consolidation's columns; kind: text, money, percent, count.
CONS_COLUMNS = (
    ("工作室", 22, "text"), ("所属区（县）", 9, "text"), ("项目", 14, "text"),
    ("上年结余", 12, "money"), ("市级拨款", 12, "money"), ("区级配套", 12, "money"), ("其他收入", 10, "money"),
    ("收入合计", 12, "money"), ("预算合计", 12, "money"), ("支出合计", 12, "money"), ("缴回经费", 10, "money"),
    ("年末结余", 12, "money"), ("执行率", 7, "percent"), ("违规", 5, "count"), ("待复核", 5, "count"),
    ("已整改", 5, "count"), ("考核结果", 10, "wrap"),
)
CONS_MONEY = tuple(i for i, c in enumerate(CONS_COLUMNS, start=1) if c[2] == "money")
CONS_PERCENT = tuple(i for i, c in enumerate(CONS_COLUMNS, start=1) if c[2] == "percent")


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:28] or "未注明"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:25]}({n})"
        n += 1
    used.add(candidate)
    return candidate


def _figures(x) -> list:
    """The money, rate and counts of a report or of totals, in the columns' order."""
    return [_num(x.opening_balance), _num(x.income["city"]), _num(x.income["district"]),
            _num(x.income["other"]), _num(x.income_total), _num(x.budget_total), _num(x.spending_total),
            _num(x.refunded), _num(x.closing_balance), x.execution_rate, x.findings.error, x.findings.review,
            x.findings.rectified]


def _write_rows(ws: Worksheet, title: str, reports: list, totals: list[tuple[str, object]]) -> None:
    sheet = Sheet(ws)
    for i, (_, size, _) in enumerate(CONS_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = size
    _title(ws, title, len(CONS_COLUMNS))
    sheet.row = 2
    sheet.put([c[0] for c in CONS_COLUMNS], header=True)
    ws.row_dimensions[3].height = 30
    ws.freeze_panes = "B4"
    for report in reports:
        s = report.studio
        sheet.put([s.name, s.district, s.program_name or s.program, *_figures(report), report.assessment_status],
                  money=CONS_MONEY, percent=CONS_PERCENT, wrap=(1, 3, len(CONS_COLUMNS)))
    for label, t in totals:
        sheet.put([label, "", "", *_figures(t), ""], money=CONS_MONEY, percent=CONS_PERCENT, bold=True, wrap=(1,))
    ws.print_title_rows = "3:3"
    ws.print_area = f"A1:{get_column_letter(len(CONS_COLUMNS))}{sheet.row}"
    print_setup(ws, landscape=True)


def consolidation_workbook(c) -> Workbook:
    """A summary sheet (every studio, totals by district, by program and overall) and one sheet
    per district; a sheet of invoices used by more than one studio when there are any."""
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    names = {r.studio.program: r.studio.program_name for r in c.reports if r.studio.program_name}
    totals = [(f"合计·{name}", t) for name, t in c.by_district().items()]
    totals += [(f"合计·{names.get(name, name)}", t) for name, t in c.by_program().items()]
    totals.append(("总计", c.total()))
    _write_rows(summary, f"{c.year}年度名师工作室专项经费使用情况汇总表", c.reports, totals)
    used = {"汇总"}
    for district, t in c.by_district().items():
        ws = wb.create_sheet(_sheet_name(district, used))
        reports = [r for r in c.reports if (r.studio.district or "（未注明）") == district]
        _write_rows(ws, f"{district}{c.year}年度名师工作室专项经费使用情况表", reports, [(f"合计·{district}", t)])
    if c.duplicates:
        ws = wb.create_sheet(_sheet_name("重复发票", used))
        for col, size in zip("ABCDEF", (22, 28, 12, 12, 40, 8)):
            ws.column_dimensions[col].width = size
        sheet = Sheet(ws)
        sheet.put(["发票号码", "工作室", "日期", "凭证号", "账簿", "行号"], header=True)
        for number, uses in c.duplicates.items():
            for u in uses:
                sheet.put([number, u.studio, u.date, u.voucher or "", u.filename or u.ledger, u.lineno], wrap=(2, 5))
        ws.print_title_rows = "1:1"
        print_setup(ws, landscape=True)
    return wb


def add_table_sheet(wb: Workbook, name: str, title: str, header: list[str], rows: list[list], *,
                    money: list[int] = (), percent: list[int] = (), index: int | None = None) -> Worksheet:
    """A sheet of one table (the web's 全区汇总): title, header, rows; ``money``/``percent`` are
    0-based columns. Inserted at ``index`` (default: last)."""
    ws = wb.create_sheet(name, index)
    sheet = Sheet(ws)
    cell = ws.cell(row=1, column=1, value=title)
    cell.font = font(16, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.row = 2
    sheet.put(header, header=True)
    ws.freeze_panes = "B4"
    money_cols = tuple(i + 1 for i in money)
    percent_cols = tuple(i + 1 for i in percent)
    for values in rows:
        sheet.put([_num(v) if isinstance(v, Decimal) else v for v in values], money=money_cols, percent=percent_cols)
    for i, text in enumerate(header, start=1):
        width = max([display_width(str(text))] + [display_width(str(r[i - 1] or "")) for r in rows[:200]])
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = min(max(width + 2, 8), 40)
    ws.print_title_rows = "3:3"
    if index == 0:
        wb.active = 0
    print_setup(ws, landscape=True)
    return ws
