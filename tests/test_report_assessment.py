"""考核结果: the studio's standing after its assessments in the usage report (text, JSON, XLSX)
and as a column of the bureau's consolidation."""

from __future__ import annotations

import io

from ledgertext import grant, studio
from openpyxl import load_workbook

from studiofund.ledger.loading import load_ledger
from studiofund.reports.consolidate import consolidate
from studiofund.reports.text import (CONSOLIDATION_HEADER, render_consolidation_csv,
                                     render_consolidation_table, render_table)
from studiofund.reports.usage import UsageReport, build_report
from studiofund.reports.xlsx import consolidation_workbook, report_workbook, to_bytes

YELLOW_CARD = '2021-01-15 custom "assessment" 2020 "不合格"\n  assessor: "市教育局"\n\n'


def write(tmp_path, name, body, **kw):
    path = tmp_path / f"{name}.beancount"
    path.write_text(studio(grant("2020-03-01", "80000.00") + grant("2021-03-01", "80000.00") + body,
                           program="shenzhen-city", cycle_start="2019-01-01", **kw), encoding="utf-8")
    return path


def test_report_line_json_and_xlsx(tmp_path):
    path = write(tmp_path, "yellow", YELLOW_CARD)
    loaded = load_ledger(path)
    before, after = build_report(loaded, 2019), build_report(loaded, 2020)
    assert (before.assessment_status, before.assessment) == ("未考核", "")
    assert (after.assessment_status, after.assessment) == ("黄牌警告", "2020 年度考核：不合格（黄牌警告）")
    assert "考核结果：黄牌警告（2020 年度考核：不合格（黄牌警告））" in render_table(after)
    doc = after.to_json()
    assert doc["assessment"] == {"status": "黄牌警告", "summary": "2020 年度考核：不合格（黄牌警告）"}
    assert UsageReport.from_json(doc).assessment_status == "黄牌警告"
    ws = load_workbook(io.BytesIO(to_bytes(report_workbook([after])))).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert ["考核结果", "黄牌警告", "2020 年度考核：不合格（黄牌警告）"] in [r[:3] for r in rows]


def test_a_program_without_assessments_shows_none(tmp_path):
    path = tmp_path / "school.beancount"
    path.write_text(studio(grant("2021-03-01", "60000.00"), program="lvyuan-training", allocation="60000.00"),
                    encoding="utf-8")
    report = build_report(load_ledger(path), 2021)
    assert report.assessment_status == "" and "考核结果" not in render_table(report)


def test_consolidation_column(tmp_path):
    write(tmp_path, "a-yellow", YELLOW_CARD)
    write(tmp_path, "b-cancelled", YELLOW_CARD + '2022-01-15 custom "assessment" 2021 "不合格"\n\n')
    write(tmp_path, "c-none", "")
    c = consolidate(sorted(tmp_path.glob("*.beancount")), 2021, jobs=1, use_cache=False)
    assert [r.to_json()["assessment"]["status"] for r in c.reports] == ["黄牌警告", "取消资格", "未考核"]
    assert CONSOLIDATION_HEADER[-1] == "考核结果"
    table = render_consolidation_table(c)
    assert "考核结果" in table and "取消资格" in table
    csv_lines = render_consolidation_csv(c).splitlines()
    assert csv_lines[0].rstrip().endswith("考核结果") and csv_lines[1].rstrip().endswith("黄牌警告")
    ws = load_workbook(io.BytesIO(to_bytes(consolidation_workbook(c))))["汇总"]
    values = [[cell.value for cell in row] for row in ws.iter_rows()]
    header = next(r for r in values if r and r[0] == "工作室")
    column = header.index("考核结果")
    assert [r[column] for r in values[values.index(header) + 1:][:3]] == ["黄牌警告", "取消资格", "未考核"]
