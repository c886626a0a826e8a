"""Closing a year: the seal, the carry-forward, sealed-period-changed, reopening, refusals."""

from __future__ import annotations

import datetime

from clirun import run
from ledgertext import open_accounts, txn

from studiofund.ledger.loading import load_ledger
from studiofund.reports.usage import build_report

#: A grant in 2020 and 2021 and one payment in 2020; the tests edit its text
#: ("Expenses:Materials  4040.00 CNY", '"书店" "图书"', '"2021-001"').
BODY = (
    open_accounts("2019-01-01", "Assets:Bank:Dedicated", "Income:Grant:City", "Liabilities:Refund:Bureau",
                  "Expenses:Research", "Expenses:Materials")
    + "\n"
    + txn("2020-03-01", "市教育局", "拨款", "Assets:Bank:Dedicated", "25000.00", counter="Income:Grant:City",
          voucher="2020-001")
    + txn("2020-04-01", "书店", "图书", "Expenses:Materials", "4040.00", voucher="2020-002", invoice="1001")
    + txn("2021-03-01", "市教育局", "拨款", "Assets:Bank:Dedicated", "25000.00", counter="Income:Grant:City",
          voucher="2021-001")
)


def sealed_findings(path):
    return [f for f in load_ledger(path).findings if f.rule == "sealed-period-changed"]


def test_close_seals_and_carries_forward(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    r = run("close", path, "--year", 2020)
    assert r.exit_code == 0, r.output
    assert "2020 年度已封账" in r.output
    text = path.read_text(encoding="utf-8")
    assert '2021-01-01 balance Assets:Bank:Dedicated  20960.00 CNY\n  carry-forward: "2020年结余结转"' in text
    assert 'custom "studio-sealed" 2020 "sha256:' in text
    loaded = load_ledger(path)
    assert not loaded.load_errors
    assert not sealed_findings(path)
    # the next year's report opens with the closing balance
    assert build_report(loaded, 2021).to_json()["opening_balance"] == "20960.00"
    assert build_report(loaded, 2020).to_json()["closing_balance"] == "20960.00"


def test_change_in_sealed_year_is_reported_naming_the_year(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    assert run("close", path, "--year", 2020).exit_code == 0
    # a change after the sealed year is fine
    path.write_text(path.read_text(encoding="utf-8").replace('"2021-001"', '"2021-009"'), encoding="utf-8")
    assert not sealed_findings(path)
    # reformatting (spacing) does not break the seal either
    path.write_text(path.read_text(encoding="utf-8").replace("Expenses:Materials  4040.00 CNY",
                                                             "Expenses:Materials      4040.00   CNY"), encoding="utf-8")
    assert not sealed_findings(path)
    # changing the narration of a 2020 entry does
    path.write_text(path.read_text(encoding="utf-8").replace('"书店" "图书"', '"书店" "图书资料"'), encoding="utf-8")
    found = sealed_findings(path)
    assert len(found) == 1
    assert found[0].severity == "error"
    assert "2020 年度已于" in found[0].message and found[0].date.year == 2020
    # an entry added in the sealed year: the count is named too
    path.write_text(path.read_text(encoding="utf-8") + '\n2020-12-30 * "补记" "补记"\n  voucher: "2020-003"\n'
                    '  Expenses:Research  1.00 CNY\n  Assets:Bank:Dedicated\n', encoding="utf-8")
    assert "现在" in sealed_findings(path)[0].message


def test_refuses_closing_twice_and_reopen_rules(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    assert run("close", path, "--year", 2020).exit_code == 0
    before = path.read_bytes()
    r = run("close", path, "--year", 2020)
    assert r.exit_code == 2 and "不能重复封账" in r.output
    assert path.read_bytes() == before
    r = run("close", path, "--year", 2020, "--reopen")
    assert r.exit_code == 2 and "--reason" in r.output
    r = run("close", path, "--year", 2019, "--reopen", "--reason", "x")
    assert r.exit_code == 2 and "未封账" in r.output
    assert path.read_bytes() == before

    r = run("close", path, "--year", 2020, "--reopen", "--reason", "更正图书金额")
    assert r.exit_code == 0, r.output
    assert 'custom "studio-reopened" 2020 "更正图书金额"' in path.read_text(encoding="utf-8")
    # change the amount while reopened: no sealed finding (the carry-forward now fails, though)
    path.write_text(path.read_text(encoding="utf-8").replace("Expenses:Materials  4040.00 CNY",
                                                             "Expenses:Materials  4000.00 CNY"), encoding="utf-8")
    assert not sealed_findings(path)
    # close again: the carry-forward is replaced, the year sealed again, the reopening kept
    r = run("close", path, "--year", 2020)
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert text.count("carry-forward:") == 1 and "balance Assets:Bank:Dedicated  21000.00 CNY" in text
    assert text.count('"studio-sealed" 2020') == 2 and '"studio-reopened" 2020' in text
    loaded = load_ledger(path)
    assert not loaded.load_errors and not sealed_findings(path)


def test_refuses_a_ledger_with_load_errors(write_ledger):
    path = write_ledger(BODY + "\n2020-05-01 balance Assets:Bank:Dedicated  1.00 CNY\n", program="shenyang-studio")
    before = path.read_bytes()
    r = run("close", path, "--year", 2020)
    assert r.exit_code == 2 and "加载错误" in r.output
    assert path.read_bytes() == before


def test_refuses_a_future_year_and_missing_file(write_ledger, tmp_path):
    path = write_ledger(BODY, program="shenyang-studio")
    r = run("close", path, "--year", 2999)  # not a year of books at all
    assert r.exit_code == 2 and "--year 2999" in r.output and "不是合理的年度" in r.output
    r = run("close", path, "--year", datetime.date.today().year + 1)  # after the ledger's books
    assert r.exit_code == 2 and "晚于账簿" in r.output
    r = run("close", tmp_path / "none.beancount", "--year", 2020)
    assert r.exit_code == 2


def test_sealing_two_years(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    assert run("close", path, "--year", 2020).exit_code == 0
    assert run("close", path, "--year", 2021).exit_code == 0
    assert not sealed_findings(path)
    path.write_text(path.read_text(encoding="utf-8").replace('"书店" "图书"', '"书店" "图书资料"'), encoding="utf-8")
    years = sorted(f.date.year for f in sealed_findings(path))
    assert years == [2020, 2021]
