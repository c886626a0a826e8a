"""The usage report as the workbook a finance office hands in (openpyxl).

One sheet per year: title, the studio block, 经费来源 (income by source), 经费支出 (spending by
category with budget, actual, execution rate and share), 结余, 检查发现, 固定资产, and the
signature lines. Money is formatted ``#,##0.00``, rates ``0.0%``; the sheet prints on A4
portrait, fitted to the page width.
"""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.worksheet import Worksheet

from studiofund.checks.registry import label as rule_label

from .text import CONSOLIDATION_HEADER, consolidation_row, report_title, totals_row
from .usage import INCOME_LABELS, UsageReport

MONEY = "#,##0.00"
PERCENT = "0.0%"
COLUMNS = 6  # A..F
WIDTHS = {"A": 24, "B": 24, "C": 14, "D": 14, "E": 11, "F": 11}

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
BOLD = Font(bold=True)


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def print_setup(ws: Worksheet, landscape: bool = False) -> None:
    """A4, fitted to the page width, any number of pages tall."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE if landscape else ws.ORIENTATION_PORTRAIT
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5


class _Sheet:
    """A cursor over a worksheet: rows are appended top to bottom."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 0

    def put(self, values: list, *, money: tuple[int, ...] = (), percent: tuple[int, ...] = (),
            bold: bool = False, header: bool = False, border: bool = True,
            wrap: tuple[int, ...] = ()) -> int:
        self.row += 1
        for i, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=i, value=value)
            if i in wrap and value:  # long names wrap within their column, the row grows to fit
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                width = self.ws.column_dimensions[cell.column_letter].width or 10
                lines = -(-_display_width(str(value)) // max(int(width) - 1, 1))
                if lines > 1:
                    current = self.ws.row_dimensions[self.row].height or 15
                    self.ws.row_dimensions[self.row].height = max(current, 15 * lines)
            if i in money:
                cell.number_format = MONEY
            if i in percent:
                cell.number_format = PERCENT
            if bold or header:
                cell.font = BOLD
            if header:
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(horizontal="center")
            if border:
                cell.border = BORDER
        return self.row

    def section(self, title: str) -> int:
        self.row += 1
        self.ws.cell(row=self.row, column=1, value=title).font = Font(bold=True, size=12)
        return self.row

    def blank(self) -> None:
        self.row += 1


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet cell: CJK and full-width characters count two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def write_report_sheet(ws: Worksheet, report: UsageReport) -> None:
    """Fill ``ws`` with the usage report (layout: see the module doc)."""
    s = report.studio
    sheet = _Sheet(ws)
    for col, size in WIDTHS.items():
        ws.column_dimensions[col].width = size
    # title
    sheet.row = 1
    title = ws.cell(row=1, column=1, value=report_title(report))
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=COLUMNS)
    ws.row_dimensions[1].height = 30
    sheet.row = 2
    ws.cell(row=2, column=COLUMNS, value="金额单位：元").alignment = Alignment(horizontal="right")
    # studio block
    program = f"{s.program_name}（{s.program}）" if s.program_name else s.program
    sheet.put(["工作室名称", s.name, "年度", report.year, "", ""], wrap=(2,))
    sheet.put(["项目", program, "建设周期起", s.cycle_start.isoformat() if s.cycle_start else "", "", ""],
              wrap=(2,))
    sheet.put(["承担单位", s.host_school, "所属区（县）", s.district, "", ""], wrap=(2,))
    sheet.blank()
    # income
    sheet.section("一、经费来源")
    sheet.put(["项目", "", "", "金额", "", ""], header=True)
    sheet.put(["上年结余", "", "", _num(report.opening_balance), "", ""], money=(4,))
    for key in ("city", "district", "other"):
        sheet.put([INCOME_LABELS[key], "", "", _num(report.income.get(key)), "", ""], money=(4,))
    sheet.put([INCOME_LABELS["total"], "", "", _num(report.income_total), "", ""], money=(4,), bold=True)
    sheet.put(["可用经费合计", "上年结余＋本年收入", "", _num(report.available), "", ""], money=(4,), bold=True)
    sheet.blank()
    # spending
    sheet.section("二、经费支出")
    sheet.put(["支出科目", "科目代码", "预算", "实际支出", "执行率", "占比"], header=True)
    for line in report.spending:
        label = line.label if line.permitted else f"{line.label}（不在开支范围）"
        sheet.put([label, line.account, _num(line.budget), _num(line.actual), line.execution_rate,
                   report.share(line)], money=(3, 4), percent=(5, 6))
    budget_total = report.budget_total
    budget_rate = float(report.spending_total / budget_total) if budget_total else None
    sheet.put(["支出合计", "", _num(budget_total), _num(report.spending_total), budget_rate,
               1.0 if report.spending_total else None], money=(3, 4), percent=(5, 6), bold=True)
    sheet.blank()
    # balance
    sheet.section("三、结余")
    sheet.put(["缴回经费", "", "", _num(report.refunded), "", ""], money=(4,))
    sheet.put(["年末结余", "", "", _num(report.closing_balance), "", ""], money=(4,), bold=True)
    sheet.put(["经费执行率", "支出合计÷可用经费", "", report.execution_rate, "", ""], percent=(4,))
    sheet.blank()
    # findings
    f = report.findings
    sheet.section(f"四、检查发现（违规 {f.error} 项，待复核 {f.review} 项）")
    sheet.put(["问题类别", "规则", "", "次数", "", ""], header=True)
    for rule, n in sorted(f.by_rule.items()):
        sheet.put([rule_label(rule), rule, "", n, "", ""])
    if not f.by_rule:
        sheet.put(["（无）", "", "", 0, "", ""])
    if report.assessment_status:  # 考核结果: the status, then the assessments over C..F
        row = sheet.put(["考核结果", report.assessment_status, report.assessment or "—", "", "", ""], bold=True)
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=COLUMNS)
        cell = ws.cell(row=row, column=3)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        lines = -(-_display_width(str(cell.value)) // 48)
        ws.row_dimensions[row].height = max(15, 15 * lines)
    sheet.blank()
    # assets
    sheet.section("五、本年购置固定资产")
    sheet.put(["资产编号", "摘要", "日期", "金额", "科目", "凭证号"], header=True)
    for a in report.assets:
        sheet.put([a.asset_id, a.narration, a.date.isoformat(), _num(a.amount), a.account, a.voucher or ""],
                  money=(4,), wrap=(2, 5))
    if not report.assets:
        sheet.put(["（无）", "", "", None, "", ""])
    if report.load_errors:
        sheet.blank()
        sheet.put([f"注意：账簿有 {report.load_errors} 个加载错误，本表可能不完整。"], border=False)
    # signatures
    sheet.blank()
    sheet.blank()
    for who in ("主持人", "单位法定代表人", "财务负责人"):
        sheet.put([f"{who}（签字）：", "", "日期：", "    年   月   日", "", ""], border=False)
        sheet.blank()
    ws.print_area = f"A1:F{sheet.row}"
    print_setup(ws)


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

CONS_MONEY = tuple(range(5, 14))  # 1-based columns E..M
CONS_PERCENT = (14,)
CONS_WIDTHS = [28, 18, 24, 12] + [13] * 9 + [9, 7, 7, 14]


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:28] or "未注明"
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:25]}({n})"
        n += 1
    used.add(candidate)
    return candidate


def _write_rows(ws: Worksheet, title: str, reports: list, totals: list[tuple[str, object]]) -> None:

    sheet = _Sheet(ws)
    for i, size in enumerate(CONS_WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = size
    cell = ws.cell(row=1, column=1, value=title)
    cell.font = Font(bold=True, size=16)
    cell.alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CONSOLIDATION_HEADER))
    ws.cell(row=2, column=len(CONSOLIDATION_HEADER), value="金额单位：元").alignment = Alignment(horizontal="right")
    sheet.row = 2
    sheet.put(CONSOLIDATION_HEADER, header=True)
    ws.freeze_panes = "B4"
    for report in reports:
        values = consolidation_row(report)
        sheet.put([_num(v) if isinstance(v, Decimal) else v for v in values],
                  money=CONS_MONEY, percent=CONS_PERCENT)
    for label, t in totals:
        values = totals_row(label, t)
        sheet.put([_num(v) if isinstance(v, Decimal) else v for v in values],
                  money=CONS_MONEY, percent=CONS_PERCENT, bold=True)
    ws.print_title_rows = "3:3"
    print_setup(ws, landscape=True)


def consolidation_workbook(c) -> Workbook:
    """A summary sheet (every studio, totals by district, by program and overall) and one sheet
    per district; a sheet of invoices used by more than one studio when there are any."""
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    totals = [(f"合计·{name}", t) for name, t in c.by_district().items()]
    totals += [(f"合计·{name}", t) for name, t in c.by_program().items()]
    totals.append(("总计", c.total()))
    _write_rows(summary, f"{c.year}年度名师工作室专项经费使用情况汇总表", c.reports, totals)
    used = {"汇总"}
    for district, t in c.by_district().items():
        ws = wb.create_sheet(_sheet_name(district, used))
        reports = [r for r in c.reports if (r.studio.district or "（未注明）") == district]
        _write_rows(ws, f"{district}{c.year}年度名师工作室专项经费使用情况表", reports, [(f"合计·{district}", t)])
    if c.duplicates:
        ws = wb.create_sheet(_sheet_name("重复发票", used))
        sheet = _Sheet(ws)
        sheet.put(["发票号码", "工作室", "日期", "凭证号", "账簿", "行号"], header=True)
        for number, uses in c.duplicates.items():
            for u in uses:
                sheet.put([number, u.studio, u.date, u.voucher or "", u.filename or u.ledger, u.lineno])
        for col, size in zip("ABCDEF", (22, 28, 12, 12, 40, 8)):
            ws.column_dimensions[col].width = size
        print_setup(ws, landscape=True)
    return wb


def add_table_sheet(wb: Workbook, name: str, title: str, header: list[str], rows: list[list], *,
                    money: list[int] = (), percent: list[int] = (), index: int | None = None) -> Worksheet:
    """A sheet of one table (the web's 全区汇总): title, header, rows; ``money``/``percent`` are
    0-based columns. Inserted at ``index`` (default: last)."""
    ws = wb.create_sheet(name, index)
    sheet = _Sheet(ws)
    cell = ws.cell(row=1, column=1, value=title)
    cell.font = Font(bold=True, size=16)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet.row = 2
    sheet.put(header, header=True)
    ws.freeze_panes = "B4"
    money_cols = tuple(i + 1 for i in money)
    percent_cols = tuple(i + 1 for i in percent)
    for values in rows:
        sheet.put([_num(v) if isinstance(v, Decimal) else v for v in values], money=money_cols, percent=percent_cols)
    for i, text in enumerate(header, start=1):
        width = max([_display_width(str(text))] + [_display_width(str(r[i - 1] or "")) for r in rows[:200]])
        ws.column_dimensions[ws.cell(row=3, column=i).column_letter].width = min(max(width + 2, 8), 40)
    ws.print_title_rows = "3:3"
    if index == 0:
        wb.active = 0
    print_setup(ws, landscape=True)
    return ws
