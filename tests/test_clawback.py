"""Claw-back: the disqualification and the refund of the unused balance."""

from __future__ import annotations

from clirun import run

from studiofund.ledger.loading import load_ledger
from studiofund.reports.usage import build_report

from test_close import BODY


def test_clawback_moves_the_balance_and_reports_it_as_refunded(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    r = run("clawback", path, "--date", "2020-06-30", "--reason", "年度考核不合格")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert '2020-06-30 custom "studio-disqualified" "年度考核不合格"' in text
    assert "  Assets:Bank:Dedicated  -20960.00 CNY\n  Liabilities:Refund:Bureau  20960.00 CNY" in text
    assert 'voucher: "2020-003"' in text
    loaded = load_ledger(path)
    assert not loaded.load_errors
    out = build_report(loaded, 2020).to_json()
    assert out["refunded"] == "20960.00"
    assert out["closing_balance"] == "0.00"


def test_later_spending_is_after_disqualification(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    assert run("clawback", path, "--date", "2020-06-30", "--reason", "撤销").exit_code == 0
    path.write_text(path.read_text(encoding="utf-8") + '\n2020-08-01 * "书店" "图书"\n  voucher: "2020-010"\n'
                    '  invoice: "7777"\n  Expenses:Materials  10.00 CNY\n  Assets:Bank:Dedicated\n', encoding="utf-8")
    rules = {f.rule for f in load_ledger(path).findings}
    assert "after-disqualification" in rules


def test_refuses_a_second_clawback(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    assert run("clawback", path, "--date", "2020-06-30", "--reason", "撤销").exit_code == 0
    before = path.read_bytes()
    r = run("clawback", path, "--date", "2021-06-30", "--reason", "再次")
    assert r.exit_code == 2 and "不能重复追回" in r.output
    assert path.read_bytes() == before


def test_refuses_bad_input_without_writing(write_ledger, tmp_path):
    path = write_ledger(BODY, program="shenyang-studio")
    before = path.read_bytes()
    r = run("clawback", path, "--date", "2020-13-01", "--reason", "x")
    assert r.exit_code == 2
    r = run("clawback", path, "--date", "2020-06-30", "--reason", "  ")
    assert r.exit_code == 2 and "--reason" in r.output
    # overdrawn on that date: the refund is unknown
    r = run("clawback", path, "--date", "2020-01-15", "--reason", "x")
    assert r.exit_code == 0  # balance 0: the disqualification alone is recorded
    assert "无需缴回" in r.output
    assert "Liabilities:Refund:Bureau  " not in path.read_text(encoding="utf-8")
    path.write_bytes(before)
    # inside a sealed year
    assert run("close", path, "--year", 2020).exit_code == 0
    sealed = path.read_bytes()
    r = run("clawback", path, "--date", "2020-06-30", "--reason", "x")
    assert r.exit_code == 2 and "已封账" in r.output
    assert path.read_bytes() == sealed
    r = run("clawback", tmp_path / "missing.beancount", "--date", "2020-06-30", "--reason", "x")
    assert r.exit_code == 2


def test_refuses_an_overdrawn_account(write_ledger):
    body = BODY.replace("Expenses:Materials  4040.00 CNY", "Expenses:Materials  40400.00 CNY")
    path = write_ledger(body, program="shenyang-studio")
    before = path.read_bytes()
    r = run("clawback", path, "--date", "2020-06-30", "--reason", "x")
    assert r.exit_code == 2 and "透支" in r.output
    assert path.read_bytes() == before
