"""Terminal table and CSV renderings of usage reports and consolidations.

The terminal table aligns Chinese text by display width (a CJK character takes two columns).
CSV is UTF-8 with a BOM so that Excel opens it with the right encoding.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable

from studiofund.ledger.findings import SEVERITY_LABELS
from studiofund.checks.registry import label as rule_label
from studiofund.money import fmt, fmt_cn

from .usage import INCOME_LABELS, UsageReport

def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(0, size - width(text))
    return gap + text if right else text + gap


def _rows(rows: list[list[str]], right: Iterable[int], indent: str = "  ") -> list[str]:
    right = set(right)
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(pad(cell, widths[i], i in right) for i, cell in enumerate(row)).rstrip()
        for row in rows
    ]


# -- one studio --------------------------------------------------------------------------------


def report_title(report: UsageReport) -> str:
    return f"{report.studio.name}{report.year}年度经费使用情况表"


def render_table(report: UsageReport) -> str:
    """The usage report as a Chinese terminal table."""
    s = report.studio
    out = [report_title(report), "=" * width(report_title(report))]
    program = f"{s.program_name}（{s.program}）" if s.program_name else s.program
    out.append(f"项目：{program}")
    out.append(f"承担单位：{s.host_school}    所属区（县）：{s.district}")
    if report.assessment_status:
        detail = f"（{report.assessment}）" if report.assessment else ""
        out.append(f"考核结果：{report.assessment_status}{detail}")
    out.append(f"账簿：{report.ledger}")
    out.append("金额单位：元")
    out.append("")
    money = [
        ["一、上年结余", fmt_cn(report.opening_balance)],
        ["二、本年收入", ""],
    ]
    for key in ("city", "district", "other"):
        money.append([f"    {INCOME_LABELS[key]}", fmt_cn(report.income.get(key))])
    money.append([f"    {INCOME_LABELS['total']}", fmt_cn(report.income_total)])
    money.append(["可用经费合计（上年结余＋本年收入）", fmt_cn(report.available)])
    out += _rows(money, right=[1], indent="")
    out.append("")
    out.append("三、本年支出")
    rows = [["支出科目", "科目代码", "预算", "实际支出", "执行率", "占比"]]
    for line in report.spending:
        label = line.label if line.permitted else f"{line.label}（不在开支范围）"
        rows.append([label, line.account, fmt_cn(line.budget) if line.budget is not None else "—",
                     fmt_cn(line.actual), pct(line.execution_rate), pct(report.share(line))])
    if not report.spending:
        rows.append(["（本年无支出）", "", "", "", "", ""])
    budget_total = report.budget_total
    budget_rate = (float(report.spending_total / budget_total) if budget_total else None)
    rows.append(["支出合计", "", fmt_cn(budget_total) if budget_total is not None else "—",
                 fmt_cn(report.spending_total), pct(budget_rate), pct(1.0 if report.spending_total else None)])
    out += _rows(rows, right=[2, 3, 4, 5])
    out.append("")
    tail = [
        ["四、缴回经费", fmt_cn(report.refunded)],
        ["五、年末结余", fmt_cn(report.closing_balance)],
        ["经费执行率（支出合计 ÷ 可用经费）", pct(report.execution_rate)],
    ]
    out += _rows(tail, right=[1], indent="")
    out.append("")
    f = report.findings
    out.append(f"六、检查发现：违规 {f.error} 项，待复核 {f.review} 项，已整改 {f.rectified} 项（违规、待复核为未整改的）")
    if report.finding_lines:
        out += _rows(finding_rows(report), right=[], indent="    ")
    out.append("")
    out.append("七、本年购置固定资产")
    if report.assets:
        rows = [["资产编号", "日期", "摘要", "科目", "金额"]]
        rows += [[a.asset_id, a.date.isoformat(), a.narration, a.account, fmt_cn(a.amount)] for a in report.assets]
        out += _rows(rows, right=[4], indent="    ")
    else:
        out.append("    （无）")
    if report.load_errors:
        out.append("")
        out.append(f"注意：账簿有 {report.load_errors} 个加载错误，本表可能不完整；请先运行 studiofund check 修正。")
    out.append("")
    out.append("主持人（签字）：____________    单位法定代表人（签字）：____________    财务负责人（签字）：____________")
    out.append("日期：____年__月__日")
    return "\n".join(out)


def finding_groups(report: UsageReport) -> list[tuple[str, str, str, list]]:
    """The year's findings by rule and status: (rule, severity, status, lines), open first."""
    groups: dict[tuple[str, str, str], list] = {}
    for line in report.finding_lines:
        groups.setdefault((line.status, line.severity, line.rule), []).append(line)
    order = {("open", "error"): 0, ("open", "review"): 1}
    keys = sorted(groups, key=lambda k: (order.get((k[0], k[1]), 2), rule_label(k[2])))
    return [(rule, severity, status, groups[(status, severity, rule)]) for status, severity, rule in keys]


def status_label(severity: str, status: str) -> str:
    return "已整改" if status == "rectified" else SEVERITY_LABELS.get(severity, severity)


def voucher_list(lines) -> str:
    """The vouchers behind findings: ``2020-015、2020-021（由 2020-031 整改）``."""
    out = []
    for line in lines:
        name = line.voucher or (line.date.isoformat() if line.date else "（整个账簿）")
        if line.rectified_by:
            name += f"（由 {'、'.join(line.rectified_by)} 整改）"
        out.append(name)
    return "、".join(dict.fromkeys(out))


def finding_rows(report: UsageReport) -> list[list[str]]:
    """问题类别 | 性质 | 次数 | 涉及凭证, one row a rule and status."""
    rows = [["问题类别", "性质", "次数", "涉及凭证"]]
    for rule, severity, status, lines in finding_groups(report):
        rows.append([rule_label(rule), status_label(severity, status), str(len(lines)), voucher_list(lines)])
    return rows


CSV_HEADER = ["工作室", "年度", "类别", "科目代码", "项目", "预算", "金额", "执行率", "占比"]


def report_rows(report: UsageReport) -> list[list[str]]:
    """The report as flat rows (CSV): one row a figure, each naming the studio."""
    rows = [[report.studio.name, *row] for row in _figure_rows(report)]
    return rows


def _figure_rows(report: UsageReport) -> list[list[str]]:
    y = str(report.year)
    rows = [[y, "上年结余", "", "上年结余", "", fmt(report.opening_balance), "", ""]]
    for key in ("city", "district", "other"):
        rows.append([y, "收入", "", INCOME_LABELS[key], "", fmt(report.income.get(key)), "", ""])
    rows.append([y, "收入", "", INCOME_LABELS["total"], "", fmt(report.income_total), "", ""])
    for line in report.spending:
        label = line.label if line.permitted else f"{line.label}（不在开支范围）"
        rows.append([y, "支出", line.account, label, fmt(line.budget), fmt(line.actual),
                     _num(line.execution_rate), _num(report.share(line))])
    rows.append([y, "支出", "", "支出合计", fmt(report.budget_total), fmt(report.spending_total), "", ""])
    rows.append([y, "缴回", "", "缴回经费", "", fmt(report.refunded), "", ""])
    rows.append([y, "结余", "", "年末结余", "", fmt(report.closing_balance), _num(report.execution_rate), ""])
    for rule, severity, status, lines in finding_groups(report):
        kind = "检查发现（已整改）" if status == "rectified" else "检查发现"
        rows.append([y, kind, rule, f"{rule_label(rule)}：{voucher_list(lines)}", "", str(len(lines)), "", ""])
    for a in report.assets:
        rows.append([y, "固定资产", a.account, f"{a.asset_id} {a.narration}", "", fmt(a.amount), "", ""])
    return rows


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def render_csv(reports: list[UsageReport]) -> str:
    """One report (or a cycle of them, year by year) as CSV with a BOM."""
    rows: list[list[str]] = []
    for report in reports:
        rows += report_rows(report)
    return to_csv(CSV_HEADER, rows)


# -- consolidation -----------------------------------------------------------------------------

CONSOLIDATION_HEADER = ["工作室", "项目", "承担单位", "所属区（县）", "上年结余", "市级拨款", "区级配套",
                        "其他收入", "收入合计", "预算合计", "支出合计", "缴回经费", "年末结余", "执行率",
                        "违规", "待复核", "已整改", "考核结果"]


def consolidation_row(report: UsageReport) -> list:
    """The figures of one studio (or a total) in the consolidation's columns, as values."""
    s = report.studio
    return [s.name, s.program, s.host_school, s.district, report.opening_balance,
            report.income.get("city"), report.income.get("district"), report.income.get("other"),
            report.income_total, report.budget_total, report.spending_total, report.refunded,
            report.closing_balance, report.execution_rate, report.findings.error, report.findings.review,
            report.findings.rectified, report.assessment_status]


def totals_row(label: str, totals) -> list:
    return [label, "", "", "", totals.opening_balance, totals.income["city"], totals.income["district"],
            totals.income["other"], totals.income_total, totals.budget_total, totals.spending_total,
            totals.refunded, totals.closing_balance, totals.execution_rate, totals.findings.error,
            totals.findings.review, totals.findings.rectified, ""]


def _cells(values: list, money=fmt_cn) -> list[str]:
    out = []
    for i, v in enumerate(values):
        if i == 13:
            out.append(pct(v))
        elif v is None:
            out.append("—" if i >= 4 else "")
        elif i in range(4, 13):
            out.append(money(v))
        else:
            out.append(str(v))
    return out


def render_consolidation_table(c) -> str:
    title = f"{c.year}年度名师工作室专项经费使用情况汇总表"
    out = [title, "=" * width(title), f"工作室 {len(c.reports)} 个；金额单位：元", ""]
    keep = [0, 3, 1, 4, 8, 10, 11, 12, 13, 14, 15, 16, 17]
    header = [CONSOLIDATION_HEADER[i] for i in keep]
    rows = [header] + [[_cells(consolidation_row(r))[i] for i in keep] for r in c.reports]
    if not c.reports:
        rows.append(["（没有工作室账簿）"] + [""] * (len(keep) - 1))
    out += _rows(rows, right=range(3, len(keep) - 1))
    for title, groups in (("按区（县）合计", c.by_district()), ("按项目合计", c.by_program())):
        out += ["", title]
        rows = [header] + [[_cells(totals_row(f"{name}（{t.studios}个）", t))[i] for i in keep]
                           for name, t in groups.items()]
        out += _rows(rows, right=range(3, len(keep) - 1))
    out += ["", "总计"]
    t = c.total()
    out += _rows([header, [_cells(totals_row(f"全部（{t.studios}个）", t))[i] for i in keep]],
                 right=range(3, len(keep) - 1))
    out += ["", f"跨工作室重复使用的发票（duplicate-invoice）：{len(c.duplicates) or '无'}"
            + (" 张" if c.duplicates else "")]
    for number, uses in c.duplicates.items():
        where = "；".join(f"{u.studio} {u.date} 凭证 {u.voucher or '—'}（{u.filename}:{u.lineno}）" for u in uses)
        out.append(f"  发票 {number}：{where}")
    if c.errors:
        out += ["", "无法读取的账簿："] + [f"  {e}" for e in c.errors]
    return "\n".join(out)


def _csv_cells(values: list) -> list[str]:
    out = []
    for i, v in enumerate(values):
        if i == 13:
            out.append(_num(v))
        elif i in range(4, 13):
            out.append(fmt(v))
        else:
            out.append("" if v is None else str(v))
    return out


def render_consolidation_csv(c) -> str:
    rows = [_csv_cells(consolidation_row(r)) for r in c.reports]
    for name, t in c.by_district().items():
        rows.append(_csv_cells(totals_row(f"合计·{name}", t)))
    for name, t in c.by_program().items():
        rows.append(_csv_cells(totals_row(f"合计·{name}", t)))
    rows.append(_csv_cells(totals_row("总计", c.total())))
    return to_csv(CONSOLIDATION_HEADER, rows)
