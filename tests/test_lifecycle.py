"""The findings lifecycle: a finding on voucher V is rectified (已整改) when entries carrying
``corrects: "V"`` reverse the amount of V's offending postings; `check` exits 1 only for open
errors; reports count open and rectified findings apart.

Each test shows a small ledger and the findings it must and must not produce.
"""

from __future__ import annotations

import json

import pytest
from clirun import run
from ledgertext import SIGNED, studio, txn

GRANTS = (txn("2021-03-01", "深圳市教育局", "市级拨款", "Assets:Bank:Dedicated", "40000.00",
              counter="Income:Grant:City", voucher="2021-001")
          + txn("2021-03-05", "深圳市南山区教育局", "区级配套", "Assets:Bank:Dedicated", "40000.00",
                counter="Income:Grant:District", voucher="2021-002"))


def banquet(voucher: str = "2021-010", date: str = "2021-03-15", invoice: str = "44031111") -> str:
    return txn(date, "深圳某大酒店", "宴请来访专家晚宴", "Expenses:Conference", "1200.00",
               voucher=voucher, invoice=invoice, **SIGNED)


BANQUET = banquet()


def refund(amount: str, corrects: str = "2021-010") -> str:
    return txn("2021-04-02", "深圳某大酒店", "退回宴请费用（整改）", "Expenses:Conference", f"-{amount}",
               voucher="2021-020", corrects=corrects)


@pytest.fixture
def write_ledger(tmp_path):
    """A studio ledger (every account opened) around ``body``, written to a file."""

    def write(body: str):
        path = tmp_path / "studio.beancount"
        path.write_text(studio(body, cycle_start="2021-01-01"), encoding="utf-8")
        return path

    return write


def check_json(path):
    result = run("check", "--format", "json", path)
    doc = json.loads(result.stdout)
    return result.exit_code, doc, {(f["rule"], f["voucher"]): f for f in doc["ledgers"][0]["findings"]}


def test_an_open_violation_exits_1(write_ledger):
    code, doc, findings = check_json(write_ledger(GRANTS + BANQUET))
    assert code == 1
    assert findings[("three-public", "2021-010")]["status"] == "open"
    assert "rectified_by" not in findings[("three-public", "2021-010")]
    assert doc["summary"] == {"error": 1, "review": 0, "rectified": 0}


def test_a_refund_that_reverses_the_payment_rectifies_it(write_ledger):
    path = write_ledger(GRANTS + BANQUET + refund("1200.00"))
    code, doc, findings = check_json(path)
    assert code == 0  # no open error left
    finding = findings[("three-public", "2021-010")]
    assert finding["status"] == "rectified" and finding["rectified_by"] == ["2021-020"]
    assert finding["message"].startswith("【已整改】") and "2021-020" in finding["message"]
    # The refund itself is no spending: no finding of any rule on it.
    assert not [f for (rule, voucher), f in findings.items() if voucher == "2021-020"]
    assert doc["summary"] == {"error": 0, "review": 0, "rectified": 1}
    text = run("check", path).output
    assert "已整改 1 项" in text and "违规 0 项" in text


def test_a_partial_refund_leaves_it_open(write_ledger):
    code, doc, findings = check_json(write_ledger(GRANTS + BANQUET + refund("600.00")))
    assert code == 1
    assert findings[("three-public", "2021-010")]["status"] == "open"


def test_a_correction_of_another_voucher_does_not_count(write_ledger):
    other = refund("1200.00", corrects="2021-011")
    code, _, findings = check_json(write_ledger(GRANTS + BANQUET + other))
    assert code == 1 and findings[("three-public", "2021-010")]["status"] == "open"


def test_reversal_and_rebooking_rectify_a_missing_invoice(write_ledger):
    """冲销 and re-book: the reversal takes the expense back, the new entry books it with its
    invoice; the bank sees nothing, the finding is rectified, the re-booking has no finding."""
    payment = txn("2021-05-10", "深圳书城", "购买图书资料", "Expenses:Materials", "800.00", voucher="2021-030",
                  **SIGNED)
    fix = (txn("2021-06-01", "深圳书城", "冲销凭证 2021-030（缺发票）", "Expenses:Materials", "-800.00",
               voucher="2021-031", corrects="2021-030")
           + txn("2021-06-01", "深圳书城", "购买图书资料（重新入账）", "Expenses:Materials", "800.00",
                 voucher="2021-032", corrects="2021-030", invoice="44032222", **SIGNED))
    code, _, findings = check_json(write_ledger(GRANTS + payment))
    assert code == 1 and findings[("missing-invoice", "2021-030")]["status"] == "open"
    code, doc, findings = check_json(write_ledger(GRANTS + payment + fix))
    assert code == 0
    assert findings[("missing-invoice", "2021-030")]["rectified_by"] == ["2021-031", "2021-032"]
    assert not [f for (rule, voucher), f in findings.items() if voucher in ("2021-031", "2021-032")]


def test_a_category_not_permitted_is_rectified_by_rebooking_on_a_permitted_one(write_ledger):
    """差旅费 is not a category of shenzhen-district: moved to 外出指导和考察参观 by a
    correction that takes the travel posting back and books the same amount there."""
    travel = txn("2021-05-20", "中国国际航空", "赴杭州考察学习机票", "Expenses:Travel", "2300.00",
                 voucher="2021-040", invoice="44033333", **SIGNED)
    fix = txn("2021-06-10", "中国国际航空", "调整科目：赴杭州考察学习机票", "Expenses:Travel", "-2300.00",
              counter="Expenses:FieldVisits", voucher="2021-041", corrects="2021-040", invoice="44033333", **SIGNED)
    open_ = write_ledger(GRANTS + travel)
    code, _, findings = check_json(open_)
    assert code == 1 and findings[("category-not-permitted", "2021-040")]["status"] == "open"
    fixed = write_ledger(GRANTS + travel + fix)
    code, _, findings = check_json(fixed)
    assert findings[("category-not-permitted", "2021-040")]["rectified_by"] == ["2021-041"]
    # The correction's negative posting on Travel is no spending there; its FieldVisits posting
    # is permitted. (The invoice it repeats is the same invoice moved, not a second claim.)
    assert ("category-not-permitted", "2021-041") not in findings


def test_a_finding_without_a_voucher_stays_open(write_ledger):
    payment = txn("2021-05-10", "深圳书城", "购买图书资料", "Expenses:Materials", "300.00", voucher=None,
                  invoice="44034444", **SIGNED)
    code, _, findings = check_json(write_ledger(GRANTS + payment))
    assert code == 1 and findings[("missing-voucher", None)]["status"] == "open"


def test_the_report_counts_open_and_rectified_apart(write_ledger):
    path = write_ledger(GRANTS + BANQUET + refund("1200.00") + banquet("2021-011", "2021-03-16", "44031112"))
    result = run("report", path, "--year", "2021", "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert findings["error"] == 1 and findings["by_rule"] == {"three-public": 1}
    assert findings["rectified"] == 1 and findings["rectified_by_rule"] == {"three-public": 1}
    from studiofund.ledger.loading import load_ledger
    from studiofund.reports.usage import build_report

    lines = build_report(load_ledger(path), 2021).finding_lines
    assert [(x.voucher, x.status, x.rectified_by) for x in lines] == [
        ("2021-011", "open", ()), ("2021-010", "rectified", ("2021-020",))]
    table = run("report", path, "--year", "2021").output
    assert "已整改 1 项" in table


FEE = """
2021-04-08 ! "" "汇划手续费"
  voucher: "2021-050"
  reviewed: "经核实为银行扣收"
  Assets:Bank:Dedicated  -5.50 CNY
  Expenses:BankFees
"""


def test_a_bank_fee_is_a_violation_that_reviewed_does_not_clear(write_ledger, tmp_path):
    """The decision of docs/rectification.md: a fee on the dedicated account is not permitted;
    ``reviewed:`` silences review findings only; the school's transfer back rectifies it."""
    path = tmp_path / "fee.beancount"
    path.write_text(studio(GRANTS + FEE, cycle_start="2021-01-01", extra_accounts=("Expenses:BankFees",)),
                    encoding="utf-8")
    code, _, findings = check_json(path)
    assert code == 1 and findings[("category-not-permitted", "2021-050")]["status"] == "open"
    back = txn("2021-04-30", "深圳市南山区第二实验学校", "划回专户手续费（学校公用经费负担）", "Expenses:BankFees",
               "-5.50", voucher="2021-051", corrects="2021-050")
    path.write_text(studio(GRANTS + FEE + back, cycle_start="2021-01-01", extra_accounts=("Expenses:BankFees",)),
                    encoding="utf-8")
    code, _, findings = check_json(path)
    assert code == 0
    assert findings[("category-not-permitted", "2021-050")]["rectified_by"] == ["2021-051"]
    assert ("category-not-permitted", "2021-051") not in findings


def test_both_engines_count_rectified_findings(write_ledger, tmp_path):
    from studiofund.reports.consolidate import consolidate

    path = write_ledger(GRANTS + BANQUET + refund("1200.00"))
    local = consolidate([path], 2021, use_cache=False).to_json()
    duck = consolidate([path], 2021, use_cache=False, engine="duckdb").to_json()
    assert local == duck
    assert local["totals"]["all"]["findings"]["rectified"] == 1
    assert local["totals"]["all"]["findings"]["rectified_by_rule"] == {"three-public": 1}
    assert local["studios"][0]["findings"]["error"] == 0
