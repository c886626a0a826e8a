"""Renderings of the usage report: the XLSX checked cell by cell, CSV, the table, the command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from studiofund.cli import main
from studiofund.ledger.loading import load_ledger
from studiofund.reports.usage import build_report
from studiofund.reports.xlsx import report_workbook

from test_report_usage import BODY


@pytest.fixture
def ledger(write_ledger):
    return write_ledger(BODY)


def _find(ws, text, column=1):
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == text:
            return row
    raise AssertionError(f"{text!r} not in column {column}")


def test_xlsx_cell_by_cell(ledger, tmp_path):
    out = tmp_path / "r.xlsx"
    result = CliRunner().invoke(main, ["report", str(ledger), "--year", "2020", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["2020年度"]
    ws = wb["2020年度"]
    assert ws["A1"].value == "测试名班主任工作室2020年度经费使用情况表"
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert (ws["A3"].value, ws["B3"].value, ws["D3"].value, ws["E3"].value) == ("工作室名称", "测试名班主任工作室", "年度", 2020)
    assert ws["B4"].value == "深圳市名班主任工作室（区属学校）"  # the program's Chinese name, not its id
    assert (ws["B5"].value, ws["E5"].value) == ("测试学校", "南山区")
    # income by source
    assert ws["A9"].value == "上年结余" and ws["D9"].value == 2500.0
    assert ws["D9"].number_format == "#,##0.00"
    assert (ws["A10"].value, ws["D10"].value) == ("市级拨款", 40000.0)
    assert (ws["A11"].value, ws["D11"].value) == ("区级配套", 30000.0)
    assert (ws["A12"].value, ws["D12"].value) == ("其他收入", 12.34)
    assert (ws["A13"].value, ws["D13"].value) == ("收入合计", 70012.34)
    assert ws["D14"].value == 72512.34
    # spending by Chinese category; no account codes on the form
    head = _find(ws, "支出科目")
    assert [ws.cell(row=head, column=c).value for c in range(1, 7)] == ["支出科目", "预算", "实际支出", "执行率", "占比", "说明"]
    row = _find(ws, "图书资料购置")
    assert [ws.cell(row=row, column=c).value for c in range(2, 6)] == [3000.0, 4040.0, 1.3467, 0.1563]
    assert ws.cell(row=row, column=2).number_format == "#,##0.00"
    assert ws.cell(row=row, column=4).number_format == "0.0%"
    equipment = _find(ws, "办公设备购置")
    assert ws.cell(row=equipment, column=2).value is None and ws.cell(row=equipment, column=4).value is None
    travel = _find(ws, "差旅费")
    assert ws.cell(row=travel, column=6).value == "不在本项目开支范围内"
    total = _find(ws, "支出合计")
    assert ws.cell(row=total, column=2).value == 28000.0
    assert ws.cell(row=total, column=3).value == 25840.0
    every = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert not [v for v in every if v.startswith(("Expenses:", "Income:", "Assets:"))]
    # balance
    assert ws.cell(row=_find(ws, "缴回经费"), column=4).value == 1000.0
    closing = _find(ws, "年末结余")
    assert ws.cell(row=closing, column=4).value == 45672.34
    rate = _find(ws, "经费执行率（支出合计÷可用经费）")
    assert ws.cell(row=rate, column=4).value == 0.3564
    assert ws.cell(row=rate, column=4).number_format == "0.0%"
    # findings by Chinese rule label, with the vouchers behind them
    finding = _find(ws, "超出开支范围")
    assert [ws.cell(row=finding, column=c).value for c in (2, 3, 4)] == ["违规", 1, "2020-007"]
    assert not [v for v in every if v == "category-not-permitted"]
    # fixed assets: the category in Chinese
    asset = _find(ws, "ZC-2020-01")
    assert [ws.cell(row=asset, column=c).value for c in range(2, 7)] == ["笔记本电脑", "2020-07-01", 6000.0, "办公设备购置", "2020-006"]
    # signatures and the 盖章 area
    for who in ("主持人（签字）：", "单位法定代表人（签字）："):
        assert _find(ws, who)
    assert ws.cell(row=_find(ws, "主持人（签字）："), column=4).value == "财务负责人（签字）："
    seal = _find(ws, "承担单位（盖章）")
    assert ws.cell(row=seal, column=4).value == "主管部门审核意见（盖章）"
    assert ws.row_dimensions[seal].height >= 60
    # CJK font everywhere
    assert {c.font.name for r in ws.iter_rows() for c in r if c.value is not None} == {"宋体"}
    # print setup: A4 portrait, fit to width, one page tall for a form this size
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "portrait"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 1
    assert ws.column_dimensions["A"].width >= 20


def test_xlsx_lists_rectified_findings_with_their_corrections(write_ledger, tmp_path):
    refund = """
2020-09-01 * "铁路" "退回差旅费（整改）"
  voucher: "2020-020"
  corrects: "2020-007"
  Assets:Bank:Dedicated  800.00 CNY
  Expenses:Travel  -800.00 CNY
"""
    path = write_ledger(BODY + refund)
    out = tmp_path / "r.xlsx"
    assert CliRunner().invoke(main, ["report", str(path), "--year", "2020", "--format", "xlsx", "-o", str(out)]).exit_code == 0
    ws = load_workbook(out)["2020年度"]
    row = _find(ws, "超出开支范围")
    assert [ws.cell(row=row, column=c).value for c in (2, 3, 4)] == ["已整改", 1, "2020-007（由 2020-020 整改）"]
    heading = next(c.value for r in ws.iter_rows() for c in r if str(c.value or "").startswith("四、检查发现"))
    # both findings on 2020-007 (not permitted, no sign-off) are put right by the refund
    assert heading.endswith("已整改 2 项）")


def test_xlsx_cycle_has_a_sheet_per_year(ledger):
    loaded = load_ledger(ledger)
    from studiofund.reports.usage import build_cycle

    wb = report_workbook(build_cycle(loaded))
    assert wb.sheetnames == ["2019年度", "2020年度", "2021年度"]


def test_json_command_matches_library(ledger):
    result = CliRunner().invoke(main, ["report", str(ledger), "--year", "2020", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == build_report(load_ledger(ledger), 2020).to_json()


def test_cycle_json(ledger):
    result = CliRunner().invoke(main, ["report", str(ledger), "--cycle", "--format", "json"])
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert obj["cycle"] == {"start": 2019, "end": 2021}
    assert [y["year"] for y in obj["years"]] == [2019, 2020, 2021]


def test_csv_has_bom_and_figures(ledger, tmp_path):
    out = tmp_path / "r.csv"
    result = CliRunner().invoke(main, ["report", str(ledger), "--year", "2020", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "工作室,年度,类别,科目代码,项目,预算,金额,执行率,占比"
    assert "测试名班主任工作室,2020,支出,Expenses:Materials,图书资料购置,3000.00,4040.00,1.3467,0.1563" in lines
    assert "测试名班主任工作室,2020,结余,,年末结余,,45672.34,0.3564," in lines
    assert all(line.startswith("测试名班主任工作室,2020,") for line in lines[1:])


def test_table_is_chinese(ledger):
    result = CliRunner().invoke(main, ["report", str(ledger), "--year", "2020"])
    assert result.exit_code == 0
    assert "测试名班主任工作室2020年度经费使用情况表" in result.output
    assert "45,672.34" in result.output and "134.7%" in result.output
    assert "财务负责人（签字）" in result.output


def test_bad_input(ledger, tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["report", str(tmp_path / "nope.beancount"), "--year", "2020"])
    assert r.exit_code == 2 and "不存在" in r.output
    r = runner.invoke(main, ["report", str(ledger)])
    assert r.exit_code == 2 and "--year" in r.output
    r = runner.invoke(main, ["report", str(ledger), "--year", "2020", "--format", "xlsx"])
    assert r.exit_code == 2 and "-o" in r.output
    before = ledger.read_bytes()
    r = runner.invoke(main, ["report", str(ledger), "--year", "2020", "-o", str(ledger)])
    assert r.exit_code == 2 and ledger.read_bytes() == before
