"""The usage report's figures against hand-computed numbers."""

from __future__ import annotations

import json

import pytest
from ledgertext import open_accounts, txn

from studiofund.ledger.loading import load_ledger
from studiofund.reports.usage import UsageReport, build_cycle, build_report


def bought(date: str, payee: str, narration: str, account: str, amount: str, voucher: str, invoice: str) -> str:
    return txn(date, payee, narration, account, amount, voucher=voucher, invoice=invoice)


def granted(date: str, payer: str, narration: str, amount: str, account: str, voucher: str | None) -> str:
    return txn(date, payer, narration, "Assets:Bank:Dedicated", amount, counter=account, voucher=voucher)


BODY = (
    open_accounts("2019-01-01", "Assets:Bank:Dedicated", "Income:Grant:City", "Income:Grant:District",
                  "Income:Grant:Other", "Equity:CarryForward", "Liabilities:Refund:Bureau", "Expenses:Research",
                  "Expenses:Materials", "Expenses:Equipment", "Expenses:Conference", "Expenses:Travel")
    + "\n"
    + granted("2019-01-01", "上年结转", "期初余额", "1000.00", "Equity:CarryForward", None)
    + granted("2019-05-01", "市教育局", "2019 拨款", "40000.00", "Income:Grant:City", "2019-001")
    + bought("2019-06-01", "书店", "图书", "Expenses:Materials", "39000.00", "2019-002", "9001")
    + """
2020-01-01 custom "budget" Expenses:Research "yearly" 20000.00 CNY
2020-01-01 custom "budget" Expenses:Materials "yearly" 3000.00 CNY
2020-01-01 custom "budget" Expenses:Conference "yearly" 5000.00 CNY

"""
    + granted("2020-01-02", "结转", "补记结转", "500.00", "Equity:CarryForward", "2020-000")
    + granted("2020-03-01", "市教育局", "2020 市级拨款", "40000.00", "Income:Grant:City", "2020-001")
    + granted("2020-03-15", "区教育局", "2020 区级配套", "30000.00", "Income:Grant:District", "2020-002")
    + granted("2020-06-21", "银行", "利息", "12.34", "Income:Grant:Other", "2020-003")
    + bought("2020-04-01", "书店", "图书资料", "Expenses:Materials", "4040.00", "2020-004", "1001")
    + bought("2020-05-01", "研究院", "课题研究", "Expenses:Research", "15000.00", "2020-005", "1002")
    # The asset-id sits on the posting: written as is.
    + """2020-07-01 * "电脑城" "笔记本电脑"
  voucher: "2020-006"
  invoice: "1003"
  Expenses:Equipment  6000.00 CNY
    asset-id: "ZC-2020-01"
  Assets:Bank:Dedicated

"""
    + bought("2020-08-01", "铁路", "差旅", "Expenses:Travel", "800.00", "2020-007", "1004")
    + granted("2020-12-20", "区教育局", "缴回", "-1000.00", "Liabilities:Refund:Bureau", "2020-008")
    + bought("2021-02-01", "书店", "图书", "Expenses:Materials", "100.00", "2021-001", "2001")
)


@pytest.fixture
def loaded(write_ledger):
    return load_ledger(write_ledger(BODY))


def test_figures_against_hand_computed(loaded):
    report = build_report(loaded, 2020)
    out = report.to_json()
    # opening: 1000 + 40000 − 39000 = 2000 before 2020, + 500 carried forward in 2020
    assert out["opening_balance"] == "2500.00"
    assert out["income"] == {"city": "40000.00", "district": "30000.00", "other": "12.34",
                             "total": "70012.34"}
    by_account = {s["account"]: s for s in out["spending"]}
    assert list(by_account) == ["Expenses:Research", "Expenses:Materials", "Expenses:Equipment",
                                "Expenses:Conference", "Expenses:Travel"]
    assert by_account["Expenses:Materials"] == {
        "account": "Expenses:Materials", "label": "图书资料购置", "budget": "3000.00",
        "actual": "4040.00", "execution_rate": 1.3467, "share": 0.1563, "permitted": True}
    # 15000 / 20000
    assert by_account["Expenses:Research"]["execution_rate"] == 0.75
    assert by_account["Expenses:Research"]["label"] == "教育研究"
    # budgeted but unused
    assert by_account["Expenses:Conference"]["actual"] == "0.00"
    assert by_account["Expenses:Conference"]["execution_rate"] == 0.0
    # no budget → null rate; travel is not permitted in shenzhen-district but is listed
    assert by_account["Expenses:Equipment"]["budget"] is None
    assert by_account["Expenses:Equipment"]["execution_rate"] is None
    assert by_account["Expenses:Travel"]["permitted"] is False
    assert by_account["Expenses:Travel"]["actual"] == "800.00"
    # 4040 + 15000 + 6000 + 800
    assert out["spending_total"] == "25840.00"
    assert out["refunded"] == "1000.00"
    # 2500 + 70012.34 − 25840 − 1000
    assert out["closing_balance"] == "45672.34"
    # 25840 / 72512.34 = 0.35635…
    assert out["execution_rate"] == 0.3564
    assert out["budget_total"] == "28000.00"
    assert out["assets"] == [{"asset-id": "ZC-2020-01", "amount": "6000.00", "date": "2020-07-01",
                              "narration": "笔记本电脑", "account": "Expenses:Equipment",
                              "voucher": "2020-006"}]
    assert out["studio"]["name"] == "测试名班主任工作室"
    assert out["studio"]["district"] == "南山区"
    assert out["year"] == 2020
    # the closing balance is next year's opening
    assert build_report(loaded, 2021).to_json()["opening_balance"] == "45672.34"


def test_findings_of_the_year_are_counted(loaded):
    report = build_report(loaded, 2020)
    travel = [f for f in loaded.findings if f.rule == "category-not-permitted" and f.date.year == 2020]
    assert travel, "the travel expense of 2020 is not a permitted category of shenzhen-district"
    assert report.findings.by_rule["category-not-permitted"] == len(travel)
    expected_errors = sum(1 for f in loaded.findings if f.severity == "error"
                          and (f.date is None or f.date.year == 2020))
    assert report.findings.error == expected_errors


def test_json_round_trip_and_serialisable(loaded):
    out = build_report(loaded, 2020).to_json()
    again = UsageReport.from_json(json.loads(json.dumps(out))).to_json()
    assert again == out


def test_year_without_activity_is_zeros(loaded):
    out = build_report(loaded, 2030).to_json()
    assert out["income"]["total"] == "0.00"
    assert out["spending"] == [] or all(s["actual"] == "0.00" for s in out["spending"])
    assert out["spending_total"] == "0.00"
    assert out["opening_balance"] == out["closing_balance"] == "45572.34"
    assert out["execution_rate"] == 0.0


def test_empty_year_before_any_entry(loaded):
    out = build_report(loaded, 1990).to_json()
    assert out["opening_balance"] == "0.00" and out["closing_balance"] == "0.00"
    assert out["execution_rate"] is None
    assert out["spending"] == []


def test_cycle_is_year_by_year(loaded):
    reports = build_cycle(loaded)
    assert [r.year for r in reports] == [2019, 2020, 2021]
    y2019, y2020, y2021 = reports
    # 2019: opening 1000 (carried forward), income 40000, spent 39000
    assert (y2019.opening_balance, y2019.income_total, y2019.spending_total) == (1000, 40000, 39000)
    assert y2019.closing_balance == 2000
    assert y2020.opening_balance == y2019.closing_balance + 500  # the 2020 carry-forward entry
    assert y2021.opening_balance == y2020.closing_balance
