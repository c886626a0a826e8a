"""The four foundation rules, each shown on a small ledger: the findings it must and must not give.

Written like Beancount's own plugin tests: the ledger is in the test; the assertion names the rule,
the line and the voucher.
"""

from __future__ import annotations

from beancount import loader
from ledgertext import findings as findings_in, load, studio, txn

from studiofund.ledger.findings import Finding


def ledger(body: str, program: str = "shenzhen-district") -> str:
    """A studio ledger of ``program`` declared, and with every account open, on 2021-01-01."""
    return studio(body, program, cycle_start="2021-01-01")


def line_of(text: str, line: str) -> int:
    """The line number of ``line`` in ``text`` (1-based), as a finding's source names it."""
    return text.splitlines().index(line) + 1


def city_grant(date: str = "2021-01-05", amount: str = "40000.00") -> str:
    return txn(date, "深圳市教育局", "市级工作室经费", "Assets:Bank:Dedicated", amount,
               counter="Income:Grant:City", voucher="2021-000")


GRANT = city_grant()


def pay(date: str, payee: str, narration: str, account: str, amount: str, voucher: str | None) -> str:
    """A payment of ``amount`` from the dedicated account."""
    return txn(date, payee, narration, account, amount, voucher=voucher)


AIR_TICKET = pay("2021-03-01", "中国国际航空", "机票", "Expenses:Travel", "1800.00", "2021-001")


def findings(body: str, rule: str | None = None) -> list[Finding]:
    """The studiofund findings (of ``rule``) of a ledger around ``body``, failing on load errors."""
    return findings_in(ledger(body), rule)


def summary(found: list[Finding]) -> list[tuple[str, str, str | None]]:
    return sorted((f.rule, f.severity, f.voucher) for f in found)


# -- category-not-permitted ----------------------------------------------------------------------

def test_category_not_permitted_flags_travel_in_shenzhen():
    found = findings(GRANT + AIR_TICKET, "category-not-permitted")
    assert summary(found) == [("category-not-permitted", "error", "2021-001")]
    assert "Expenses:Travel" in found[0].message and "第三条" in found[0].message


def test_category_permitted_and_subaccount_pass():
    found = findings(GRANT + "2021-01-01 open Expenses:Materials:Books CNY\n"
                     + pay("2021-03-01", "新华书店", "班主任工作用书", "Expenses:Materials:Books", "300.00", "2021-001")
                     + pay("2021-03-02", "某某调研公司", "课题问卷印制", "Expenses:Research", "500.00", "2021-002"),
                     "category-not-permitted")
    assert found == []


def test_travel_is_permitted_in_shenyang():
    text = ledger(GRANT + AIR_TICKET, "shenyang-studio")
    assert findings_in(text, "category-not-permitted") == []


# -- missing-voucher -----------------------------------------------------------------------------

def test_missing_voucher_on_income_and_expense():
    text = ledger(txn("2021-01-05", "深圳市教育局", "市级工作室经费", "Assets:Bank:Dedicated", "40000.00",
                      counter="Income:Grant:City", voucher=None)
                  + pay("2021-03-01", "新华书店", "图书", "Expenses:Materials", "300.00", None))
    found = findings_in(text, "missing-voucher")
    assert [(f.rule, f.lineno, f.voucher) for f in found] == [
        ("missing-voucher", line_of(text, '2021-01-05 * "深圳市教育局" "市级工作室经费"'), None),
        ("missing-voucher", line_of(text, '2021-03-01 * "新华书店" "图书"'), None)]
    assert "收入" in found[0].message and "支出" in found[1].message


def test_voucher_not_required_on_transfers_without_income_or_expense():
    found = findings(txn("2021-01-01", "上年结转", "期初余额", "Assets:Bank:Dedicated", "1200.00",
                         counter="Equity:CarryForward", voucher=None), "missing-voucher")
    assert found == []


# -- duplicate-voucher ---------------------------------------------------------------------------

def books_and_printing(second_voucher: str) -> str:
    return (pay("2021-03-01", "新华书店", "图书", "Expenses:Materials", "300.00", "2021-001")
            + pay("2021-03-02", "某某印务", "问卷印制", "Expenses:Research", "200.00", second_voucher))


def test_duplicate_voucher_reports_the_second_use_naming_the_first():
    found = findings(GRANT + books_and_printing("2021-001"), "duplicate-voucher")
    assert summary(found) == [("duplicate-voucher", "error", "2021-001")]
    assert found[0].entry.date.isoformat() == "2021-03-02"
    assert "2021-03-01" in found[0].message


def test_distinct_vouchers_pass():
    assert findings(GRANT + books_and_printing("2021-002"), "duplicate-voucher") == []


# -- overdraft -----------------------------------------------------------------------------------

def test_overdraft_when_paying_before_the_grant_arrives():
    found = findings(pay("2021-02-01", "新华书店", "图书", "Expenses:Materials", "300.00", "2021-001")
                     + city_grant("2021-03-01"), "overdraft")
    assert summary(found) == [("overdraft", "error", "2021-001")]
    assert "-300.00" in found[0].message


def test_same_day_grant_and_payment_in_either_order_is_no_overdraft():
    found = findings(pay("2021-03-01", "新华书店", "图书", "Expenses:Materials", "300.00", "2021-001")
                     + city_grant("2021-03-01"), "overdraft")
    assert found == []


def test_overdraft_every_payment_of_a_day_that_ends_negative():
    found = findings(city_grant(amount="100.00")
                     + pay("2021-03-01", "新华书店", "图书", "Expenses:Materials", "80.00", "2021-001")
                     + pay("2021-03-02", "某某印务", "问卷印制", "Expenses:Research", "50.00", "2021-002")
                     + pay("2021-03-02", "某某印务", "问卷装订", "Expenses:Research", "10.00", "2021-003"),
                     "overdraft")
    assert summary(found) == [("overdraft", "error", "2021-002"), ("overdraft", "error", "2021-003")]


# -- the framework -------------------------------------------------------------------------------

def test_no_studio_declaration_gives_one_clear_error():
    _, errors, _ = loader.load_string('option "operating_currency" "CNY"\nplugin "studiofund.plugin"\n')
    assert len(errors) == 1
    assert "工作室声明" in errors[0].message and "studiofund init" in errors[0].message


def test_unknown_program_gives_one_clear_error():
    _, errors, _ = load(ledger("", "no-such-program"))
    assert len(errors) == 1
    assert "no-such-program" in errors[0].message and "shenzhen-district" in errors[0].message


def test_findings_carry_source_rule_severity_voucher_and_citation():
    text = ledger(GRANT + AIR_TICKET)
    [f] = findings_in(text, "category-not-permitted")
    assert f.source["lineno"] == line_of(text, '2021-03-01 * "中国国际航空" "机票"')
    assert f.source["filename"] == "<string>"
    assert f.message.startswith("【违规·category-not-permitted】凭证 2021-001：")
    assert "依据：《深圳市第二批中小学名班主任工作室经费使用管理办法》" in f.message
    assert f.to_json()["voucher"] == "2021-001" and f.to_json()["date"] == "2021-03-01"
