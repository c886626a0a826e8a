"""Reconciliation in `studiofund import`: statement lines that hand-booked entries already book
are linked (the entry gains the line's bank-ref), not added again; ambiguous ones are shown,
not guessed; balances that do not agree are refused with both figures and the fix.

The statement is tests/fixtures/banks/cmb_detail.csv (eight lines, 2020-03-10 … 2020-06-28,
closing balance 61,001.28; see make_fixtures.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from clirun import init_studio, run
from ledgertext import CMB_BOOKS, CMB_GRANT, CMB_WEBSITE, cmb_books as books, txn

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
STATEMENT = FIXTURES / "cmb_detail.csv"
D = Decimal

GRANT, BOOKS, WEBSITE = CMB_GRANT, CMB_BOOKS, CMB_WEBSITE


@pytest.fixture
def ledger(tmp_path) -> Path:
    return init_studio(tmp_path / "studio.beancount", name="南山区李梅名班主任工作室",
                       host_school="深圳市南山区第二实验学校")


def append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def load(path: Path):
    entries, errors, _ = loader.load_file(str(path))
    load_errors = [e for e in errors if type(e).__name__ != "Finding"]
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    return txns, load_errors


def bank_total(txns) -> Decimal:
    return sum((p.units.number for t in txns for p in t.postings if p.account == "Assets:Bank:Dedicated"), D(0))


def test_hand_booked_payments_are_linked_not_added_again(ledger):
    append(ledger, GRANT + BOOKS + WEBSITE)
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "新增 5 笔" in out and "对上手工分录 3 笔" in out
    # The summary names every match: the line and the voucher it was linked to.
    for voucher, serial in (("2020-001", "SZ20200310000101"), ("2020-002", "SZ20200408001503"),
                            ("2020-003", "SZ20200520003311")):
        assert f"凭证 {voucher}" in out and serial in out

    txns, load_errors = load(ledger)
    assert load_errors == []  # the closing balance assertion holds
    by_voucher = {t.meta.get("voucher"): t for t in txns if t.meta.get("voucher")}
    assert by_voucher["2020-001"].meta["bank-ref"] == "SZ20200310000101"
    assert by_voucher["2020-002"].meta["bank-ref"] == "SZ20200408001503"
    assert by_voucher["2020-003"].meta["bank-ref"] == "SZ20200520003311"
    # The hand-booked entries keep their own date, account and papers.
    assert by_voucher["2020-002"].date == datetime.date(2020, 4, 7)
    assert by_voucher["2020-002"].meta["invoice"] == "04400123"
    refs = [t.meta["bank-ref"] for t in txns if "bank-ref" in t.meta]
    assert sorted(refs) == sorted(["SZ20200310000101", "SZ20200325000212", "SZ20200408001503", "SZ20200408001504",
                                   "SZ20200520003311", "SZ20200621000001", "SZ20200628004101", "SZ20200628004102"])
    assert bank_total(txns) == D("61001.28")

    before = ledger.read_bytes()
    again = run("import", STATEMENT, "--ledger", ledger)
    assert again.exit_code == 0 and "没有新的流水" in again.output
    assert ledger.read_bytes() == before


def test_dry_run_shows_the_matches_and_writes_nothing(ledger):
    append(ledger, BOOKS)
    before = ledger.read_bytes()
    result = run("import", STATEMENT, "--ledger", ledger, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "对上：" in result.output and "凭证 2020-002" in result.output
    assert "SZ20200408001503" in result.output
    assert ledger.read_bytes() == before
    # The linked line is not among the entries to append.
    assert "SZ20200408001503" not in result.stdout and 'bank-ref: "SZ20200408001504"' in result.stdout


def test_a_payment_to_someone_else_is_not_linked(ledger):
    """Same amount and day, another payee: not the same payment; the balances then disagree and
    the refusal names the loose entry."""
    append(ledger, books(payee="深圳市某文具店"))
    before = ledger.read_bytes()
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 2
    assert "未做任何修改" in result.output
    assert "57,751.28" in result.output and "61,001.28" in result.output  # the ledger's and the bank's
    assert "凭证 2020-002" in result.output and "没有对上" in result.output
    assert ledger.read_bytes() == before


def test_a_hand_booked_entry_with_a_wrong_amount_is_named(ledger):
    append(ledger, GRANT + books(amount="3520.00"))
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 2
    assert "凭证 2020-002" in result.output and "-3,520.00" in result.output
    assert "bank-ref" in result.output  # the fix


def test_too_far_apart_in_time_is_not_a_match(ledger):
    append(ledger, books(date="2020-03-20"))
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 2 and "凭证 2020-002" in result.output


def two_fees(first: str = "2020-06-26", second: str = "2020-06-30") -> str:
    """Two 1,500.00 lecture fees to 张三, vouchers 2020-010 and 2020-011."""
    return "".join(txn(date, "张三", "讲座课酬", "Expenses:LecturerFees", "1500.00", voucher=voucher)
                   for date, voucher in ((first, "2020-010"), (second, "2020-011")))


TWO_FEES = two_fees()


def test_ambiguous_lines_are_shown_not_guessed(ledger):
    """Two 1,500.00 lines to 张三 on 06-28 and two hand-booked 1,500.00 payments to 张三 on
    06-26 and 06-30: either could be either. Neither line is linked nor added; the rest is
    imported and the balance still agrees."""
    append(ledger, TWO_FEES)
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert "待确认 2 笔" in result.output
    assert result.output.count("待确认：") == 2
    assert "凭证 2020-010" in result.output and "凭证 2020-011" in result.output
    assert "--link SZ20200628004101=凭证号" in result.output
    txns, load_errors = load(ledger)
    assert load_errors == []
    by_voucher = {t.meta.get("voucher"): t for t in txns if t.meta.get("voucher")}
    assert "bank-ref" not in by_voucher["2020-010"].meta and "bank-ref" not in by_voucher["2020-011"].meta
    assert bank_total(txns) == D("61001.28")

    # The officer decides: --link names the entry of each line.
    linked = run("import", STATEMENT, "--ledger", ledger,
                 "--link", "SZ20200628004101=2020-010", "--link", "SZ20200628004102=2020-011")
    assert linked.exit_code == 0, linked.output
    txns, load_errors = load(ledger)
    assert load_errors == []
    by_voucher = {t.meta.get("voucher"): t for t in txns if t.meta.get("voucher")}
    assert by_voucher["2020-010"].meta["bank-ref"] == "SZ20200628004101"
    assert by_voucher["2020-011"].meta["bank-ref"] == "SZ20200628004102"
    assert bank_total(txns) == D("61001.28")


def test_interchangeable_payments_are_paired_in_order(ledger):
    """Two identical hand-booked payments (same day, amount, payee) for two identical lines:
    any pairing books the same, so they are linked."""
    append(ledger, two_fees("2020-06-28", "2020-06-28"))
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert "对上手工分录 2 笔" in result.output and "待确认" not in result.output
    txns, load_errors = load(ledger)
    assert load_errors == []
    by_voucher = {t.meta.get("voucher"): t for t in txns if t.meta.get("voucher")}
    assert {by_voucher["2020-010"].meta["bank-ref"], by_voucher["2020-011"].meta["bank-ref"]} == {
        "SZ20200628004101", "SZ20200628004102"}


def test_a_hand_booked_entry_in_an_included_year_file_gains_its_bank_ref(ledger, tmp_path):
    year = tmp_path / "2020.beancount"
    year.write_text(BOOKS.lstrip(), encoding="utf-8")
    append(ledger, 'include "2020.beancount"\n')
    main_before = ledger.read_text(encoding="utf-8")
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert 'bank-ref: "SZ20200408001503"' in year.read_text(encoding="utf-8")
    assert ledger.read_text(encoding="utf-8").startswith(main_before)  # the top-level file only grows
    txns, load_errors = load(ledger)
    assert load_errors == [] and bank_total(txns) == D("61001.28")


def test_a_refused_write_leaves_included_files_as_they_were(ledger, tmp_path, monkeypatch):
    from studiofund.importers import write
    from studiofund.ledger.writer import LedgerWriteError

    year = tmp_path / "2020.beancount"
    year.write_text(BOOKS.lstrip(), encoding="utf-8")
    append(ledger, 'include "2020.beancount"\n')
    before = {p: p.read_bytes() for p in (ledger, year)}

    def refuse(writer, text, **kwargs):
        raise LedgerWriteError(f"{writer.path}：写入后账簿将无法正确加载；未做任何修改。")

    monkeypatch.setattr(write.LedgerWriter, "replace", refuse)
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 2 and "未做任何修改" in result.output
    assert {p: p.read_bytes() for p in before} == before


def test_a_carried_forward_balance_meets_the_statements_opening(tmp_path):
    """A ledger that starts with its carried-forward balance imports a statement that starts
    from it; the carry-forward entry itself is never linked to a line."""
    ledger = tmp_path / "studio.beancount"
    result = run("init", ledger, "--program", "shenzhen-district", "--name", "测试", "--host-school", "学校",
                 "--district", "南山区", "--start", "2021-01-01", "--opening-balance", "61001.28")
    assert result.exit_code == 0, result.output
    statement = tmp_path / "2021.csv"
    statement.write_text("交易日期,对方户名,支出,收入,账户余额,附言,交易流水号\n"
                         "2021/01/04,,,,61001.28,上年结转,\n"
                         "2021/03/02,深圳市教育局,,40000.00,101001.28,拨款,T1\n", encoding="utf-8")
    imported = run("import", statement, "--ledger", ledger)
    assert imported.exit_code == 0, imported.output
    assert "对上" not in imported.output
    txns, load_errors = load(ledger)
    assert load_errors == [] and bank_total(txns) == D("101001.28")


def test_a_link_that_names_no_line_or_no_entry_is_bad_usage(ledger):
    append(ledger, TWO_FEES)
    before = ledger.read_bytes()
    wrong_line = run("import", STATEMENT, "--ledger", ledger, "--link", "NOSUCH=2020-010")
    assert wrong_line.exit_code == 2 and "没有这个流水号" in wrong_line.output
    wrong_voucher = run("import", STATEMENT, "--ledger", ledger, "--link", "SZ20200628004101=2020-999")
    assert wrong_voucher.exit_code == 2 and "没有凭证号为 2020-999" in wrong_voucher.output
    malformed = run("import", STATEMENT, "--ledger", ledger, "--link", "SZ20200628004101")
    assert malformed.exit_code == 2 and "流水号=凭证号" in malformed.output
    assert ledger.read_bytes() == before


def test_a_statement_before_the_account_was_opened_is_refused_clearly(tmp_path):
    ledger = init_studio(tmp_path / "studio.beancount", start="2020-05-01")
    before = ledger.read_bytes()
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 2
    assert "早于账簿中专户" in result.output and "2020-05-01" in result.output and "未做任何修改" in result.output
    assert ledger.read_bytes() == before
