"""`studiofund journal`: the 经费使用台账 — every line of the year with its running balance,
category in Chinese, papers and finding status; table, CSV with BOM, XLSX for A4 landscape."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from clirun import run
from ledgertext import SIGNED, studio, txn
from studiofund.ledger.loading import load_ledger
from studiofund.reports.journal import build_journal

BODY = (
    txn("2021-01-01", "上年结转", "期初余额", "Assets:Bank:Dedicated", "1000.00", counter="Equity:CarryForward",
        voucher=None)
    + txn("2021-03-01", "深圳市教育局", "市级拨款", "Assets:Bank:Dedicated", "40000.00", counter="Income:Grant:City",
          voucher="2021-001")
    + txn("2021-03-05", "深圳市南山区教育局", "区级配套", "Assets:Bank:Dedicated", "40000.00",
          counter="Income:Grant:District", voucher="2021-002")
    + txn("2021-03-10", "深圳书城", "购买图书资料", "Expenses:Materials", "1500.00", voucher="2021-003",
          invoice="44030001", **SIGNED, document="2021-003-发票.pdf")
    + "".join(txn(date, "深圳某大酒店", "宴请来访专家晚宴", "Expenses:Conference", amount, voucher=voucher,
                  invoice=invoice, **SIGNED)
              for date, amount, voucher, invoice in (("2021-03-15", "1200.00", "2021-004", "44030002"),
                                                     ("2021-03-20", "800.00", "2021-005", "44030003")))
    + txn("2021-04-02", "深圳某大酒店", "退回宴请费用（整改）", "Expenses:Conference", "-1200.00", voucher="2021-006",
          corrects="2021-004")
    # A pending line, as an import leaves it: flagged, no voucher, no papers.
    + """2021-04-08 ! "张三" "转账支出"
  bank-ref: "SZ1"
  Assets:Bank:Dedicated  -300.00 CNY
  Expenses:LecturerFees
"""
)


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "studio.beancount"
    path.write_text(studio(BODY, cycle_start="2021-01-01"), encoding="utf-8")
    return path


def test_the_journal_lists_every_line_with_balance_category_and_status(ledger):
    journal = build_journal(load_ledger(ledger), 2021)
    assert journal.opening_balance == Decimal("1000.00")  # the carried-forward balance opens the year
    got = [(r.voucher, r.category, r.income, r.spending, r.balance, r.status) for r in journal.rows]
    D = Decimal
    assert got == [
        ("2021-001", "市级拨款", D("40000.00"), None, D("41000.00"), "合规"),
        ("2021-002", "区级配套", D("40000.00"), None, D("81000.00"), "合规"),
        ("2021-003", "图书资料购置", None, D("1500.00"), D("79500.00"), "合规"),
        ("2021-004", "会务费", None, D("1200.00"), D("78300.00"), "已整改（凭证 2021-006）"),
        ("2021-005", "会务费", None, D("800.00"), D("77500.00"), "违规：三公经费支出"),
        ("2021-006", "会务费", D("1200.00"), None, D("78700.00"), "整改凭证（冲回 2021-004）"),
        (None, "外聘专家讲课费", None, D("300.00"), D("78400.00"),
         "待补全；违规：缺少双方签字、个人劳务缺少身份信息或代扣个税、缺少凭证号"),
    ]
    row = journal.rows[2]
    assert (row.invoice, row.approver, row.reviewer, row.attachments) == ("44030001", "李梅", "王校长", 1)
    assert journal.rows[-1].pending
    assert journal.closing_balance == Decimal("78400.00")
    # The 台账 closes on the usage report's closing balance.
    report = json.loads(run("report", ledger, "--year", "2021", "--format", "json").stdout)
    assert Decimal(report["closing_balance"]) == journal.closing_balance
    assert Decimal(report["opening_balance"]) == journal.opening_balance


def test_table(ledger):
    result = run("journal", ledger, "--year", "2021")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "测试工作室2021年度专项经费使用台账" in out
    assert "上年结余" in out and "本年合计" in out and "78,400.00" in out
    assert "已整改（凭证 2021-006）" in out and "违规：三公经费支出" in out


def test_csv_has_bom_and_the_studio_on_every_line(ledger, tmp_path):
    out = tmp_path / "台账.csv"
    result = run("journal", ledger, "--year", "2021", "--format", "csv", "-o", out)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "工作室,日期,凭证号,收款/付款单位,摘要,科目,收入,支出,余额,发票号码,主持人,审核人,附件,检查状态"
    assert all(line.startswith("测试工作室,") for line in lines[1:])
    assert "测试工作室,2021-03-10,2021-003,深圳书城,购买图书资料,图书资料购置,,1500.00,79500.00,44030001,李梅,王校长,1,合规" in lines
    assert lines[-1] == "测试工作室,2021-12-31,,,本年合计,,81200.00,3800.00,78400.00,,,,,"


def test_xlsx_prints_on_a4_landscape(ledger, tmp_path):
    out = tmp_path / "台账.xlsx"
    result = run("journal", ledger, "--year", "2021", "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    ws = load_workbook(out).active
    assert ws["A1"].value == "测试工作室2021年度专项经费使用台账"
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 4, 6, 7, 8, 13)] == [
        "日期", "凭证号", "摘要", "收入", "支出", "余额", "检查状态"]
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3"  # the header row on every printed page
    assert sum(ws.column_dimensions[chr(64 + c)].width for c in range(1, 14)) <= 170
    assert {c.font.name for r in ws.iter_rows() for c in r if c.value is not None} == {"宋体"}
    rows = {ws.cell(row=r, column=2).value: r for r in range(4, ws.max_row + 1)}
    r = rows["2021-003"]
    assert ws.cell(row=r, column=7).value == 1500.0 and ws.cell(row=r, column=7).number_format == "#,##0.00"
    assert ws.cell(row=r, column=8).value == 79500.0
    total = next(r for r in range(4, ws.max_row + 1) if ws.cell(row=r, column=4).value == "本年合计")
    assert [ws.cell(row=total, column=c).value for c in (6, 7, 8)] == [81200.0, 3800.0, 78400.0]


def test_a_year_without_entries_has_its_opening_and_closing(ledger):
    journal = build_journal(load_ledger(ledger), 2022)
    assert journal.rows == [] and journal.opening_balance == journal.closing_balance == Decimal("78400.00")


def test_bad_input(ledger, tmp_path):
    assert run("journal", tmp_path / "nope.beancount", "--year", "2021").exit_code == 2
    r = run("journal", ledger, "--year", "2021", "--format", "xlsx")
    assert r.exit_code == 2 and "-o" in r.output
    r = run("journal", ledger)
    assert r.exit_code == 2 and "--year" in r.output
    before = ledger.read_bytes()
    r = run("journal", ledger, "--year", "2021", "--format", "csv", "-o", ledger)
    assert r.exit_code == 2 and ledger.read_bytes() == before


def test_dates_are_the_entries_own(ledger):
    journal = build_journal(load_ledger(ledger), 2021)
    assert [r.date for r in journal.rows][:2] == [datetime.date(2021, 3, 1), datetime.date(2021, 3, 5)]
