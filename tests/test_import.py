"""`studiofund import`: every bank layout books the same eight lines the same way, a second
import adds nothing, and the closing balance is asserted.

The fixtures in tests/fixtures/banks/ hold one account's statement (2020-03-10 … 2020-06-28)
as each bank exports it (see make_fixtures.py): GBK/GB18030/UTF-8-BOM CSV, XLSX and XLS, with
preambles, two-row headers, newest-first order, subtotal and trailer rows.
"""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from clirun import init_studio, run


FIXTURES = Path(__file__).parent / "fixtures" / "banks"
D = Decimal

#: (date, flag, payee, counter account, amount on the dedicated account)
EXPECTED = [
    (datetime.date(2020, 3, 10), "*", "深圳市教育局", "Income:Grant:City", D("40000.00")),
    (datetime.date(2020, 3, 25), "*", "深圳市南山区教育局", "Income:Grant:District", D("40000.00")),
    (datetime.date(2020, 4, 8), "*", "深圳书城南山城", "Expenses:Materials", D("-3250.00")),
    (datetime.date(2020, 4, 8), "!", None, "Expenses:BankFees", D("-5.50")),
    (datetime.date(2020, 5, 20), "*", "深圳市智远信息技术有限公司", "Expenses:Network", D("-12800.00")),
    (datetime.date(2020, 6, 21), "*", None, "Income:Grant:Other", D("56.78")),
    (datetime.date(2020, 6, 28), "!", "张三", "Expenses:Unclassified", D("-1500.00")),
    (datetime.date(2020, 6, 28), "!", "张三", "Expenses:Unclassified", D("-1500.00")),
]
SERIALS = ["SZ20200310000101", "SZ20200325000212", "SZ20200408001503", "SZ20200408001504",
           "SZ20200520003311", "SZ20200621000001", "SZ20200628004101", "SZ20200628004102"]

#: fixture → (bank label shown, keyed by serial?)
LAYOUTS = {
    "icbc_historydetail.csv": ("中国工商银行", False),
    "icbc_transfer.xlsx": ("中国工商银行", False),
    "ccb_detail.xls": ("中国建设银行", True),
    "ccb_two_row.xlsx": ("中国建设银行", True),
    "boc_detail.csv": ("中国银行", True),
    "abc_detail.xls": ("中国农业银行", False),
    "bocom_detail.xlsx": ("交通银行", True),
    "cmb_detail.csv": ("招商银行", True),
    # Variants: units and an account block, summaries known by their shape, markup "xls" files.
    "ccb_units.xlsx": ("中国建设银行", True),
    "abc_tally.csv": ("中国农业银行", False),
    "abc_totals.xlsx": ("中国农业银行", False),
    "icbc_flagged.xls": ("中国工商银行", False),
    "icbc_spreadsheet.xls": ("中国工商银行", False),
    "boc_block.xlsx": ("中国银行", True),
    "bocom_split.csv": ("交通银行（按表头识别）", True),
    "cmb_html.xls": ("招商银行", True),
}


@pytest.fixture
def ledger(tmp_path) -> Path:
    return init_studio(tmp_path / "studio.beancount", name="南山区李梅名班主任工作室",
                       host_school="深圳市南山区第二实验学校")


def staged(tmp_path: Path, name: str) -> Path:
    """A copy of a fixture (imports must not depend on where the file lives)."""
    target = tmp_path / "downloads" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / name, target)
    return target


def imported(path: Path):
    entries, errors, _ = loader.load_file(str(path))
    txns = [e for e in entries if isinstance(e, data.Transaction) and "bank-ref" in e.meta]
    balances = [e for e in entries if isinstance(e, data.Balance)]
    load_errors = [e for e in errors if type(e).__name__ != "Finding"]
    return txns, balances, load_errors, entries


def abc_statement(path: Path, *rows: str, encoding: str = "gbk") -> Path:
    """A statement in the layout of ABC's detail export at ``path``: its header, then ``rows``
    (a line each), in ``encoding``."""
    header = "交易时间,收入金额,支出金额,本次余额,对方户名,对方账号,交易用途"
    path.write_bytes("".join(line + "\n" for line in (header, *rows)).encode(encoding))
    return path


def as_tuples(txns):
    out = []
    for t in txns:
        bank = next(p for p in t.postings if p.account == "Assets:Bank:Dedicated")
        other = next(p for p in t.postings if p.account != "Assets:Bank:Dedicated")
        assert other.units.number == -bank.units.number and bank.units.currency == "CNY"
        out.append((t.date, t.flag, t.payee, other.account, bank.units.number))
    return out


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_each_layout_imports_the_exact_entries(ledger, tmp_path, name):
    label, by_serial = LAYOUTS[name]
    statement = staged(tmp_path, name)
    result = run("import", statement, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert label in result.output and "新增 8 笔" in result.output

    txns, balances, load_errors, entries = imported(ledger)
    assert load_errors == []
    assert as_tuples(txns) == EXPECTED
    refs = [t.meta["bank-ref"] for t in txns]
    if by_serial:
        assert refs == SERIALS
    else:
        assert all(r.startswith("key-") for r in refs) and len(set(refs)) == 8
    # Grant sources and totals.
    by_account: dict[str, Decimal] = {}
    for t in txns:
        for p in t.postings:
            by_account[p.account] = by_account.get(p.account, D(0)) + p.units.number
    assert by_account["Income:Grant:City"] == D("-40000.00")
    assert by_account["Income:Grant:District"] == D("-40000.00")
    assert by_account["Income:Grant:Other"] == D("-56.78")
    assert by_account["Assets:Bank:Dedicated"] == D("61001.28")
    # The closing balance, the day after the last line.
    assert [(b.date, b.account, b.amount.number) for b in balances] == [
        (datetime.date(2020, 6, 29), "Assets:Bank:Dedicated", D("61001.28"))
    ]
    # The holding and fee accounts were opened with their Chinese labels.
    opens = {e.account: e for e in entries if isinstance(e, data.Open)}
    assert opens["Expenses:Unclassified"].meta["name"] == "待分类支出"
    assert opens["Expenses:BankFees"].meta["name"].startswith("银行手续费")

    before = ledger.read_bytes()
    again = run("import", statement, "--ledger", ledger)
    assert again.exit_code == 0, again.output
    assert "没有新的流水" in again.output
    assert ledger.read_bytes() == before


def test_import_is_append_only(ledger, tmp_path):
    original = ledger.read_bytes()
    result = run("import", staged(tmp_path, "cmb_detail.csv"), "--ledger", ledger)
    assert result.exit_code == 0, result.output
    text = ledger.read_bytes()
    assert text.startswith(original)
    assert text.count(b"bank-ref:") == 8


def test_same_lines_from_another_layout_of_the_same_bank_are_not_added_twice(ledger, tmp_path):
    """The computed key does not depend on the layout: ICBC's two exports of one account agree."""
    assert run("import", staged(tmp_path, "icbc_historydetail.csv"), "--ledger", ledger).exit_code == 0
    before = ledger.read_bytes()
    result = run("import", staged(tmp_path, "icbc_transfer.xlsx"), "--ledger", ledger)
    assert result.exit_code == 0 and "新增 0 笔" in result.output
    assert ledger.read_bytes() == before


def test_dry_run_prints_and_writes_nothing(ledger, tmp_path):
    before = ledger.read_bytes()
    result = run("import", staged(tmp_path, "boc_detail.csv"), "--ledger", ledger, "--dry-run")
    assert result.exit_code == 0, result.output
    assert ledger.read_bytes() == before
    out = result.stdout
    assert '2020-03-10 * "深圳市教育局" "2020年名班主任工作室专项经费；拨款"' in out
    assert "Income:Grant:City      -40000.00 CNY" in out
    assert "2020-06-29 balance Assets:Bank:Dedicated" in out and "61001.28 CNY" in out
    assert 'bank-ref: "SZ20200628004102"' in out
    assert "open Expenses:Unclassified" in out


def test_an_unknown_bank_is_read_by_its_headers(ledger, tmp_path):
    """华夏银行 is no built-in bank: its headers (交易日期, 对方户名, 支出, 收入, 账户余额, 交易流水)
    are the common ones, so it imports without a mapping, keyed by its serial."""
    statement = staged(tmp_path, "hxb_detail.csv")
    result = run("import", statement, "--ledger", ledger)
    assert result.exit_code == 0, result.output
    assert "通用格式（按表头识别）" in result.output
    txns, balances, load_errors, _ = imported(ledger)
    assert load_errors == []
    assert as_tuples(txns) == EXPECTED
    assert [t.meta["bank-ref"] for t in txns] == SERIALS
    again = run("import", statement, "--ledger", ledger)
    assert again.exit_code == 0 and "没有新的流水" in again.output


def test_generic_mapping_imports_any_other_bank(ledger, tmp_path):
    """Headers no bank and no common name use (记录日, 出账, 进账, 结余 …) need a mapping file."""
    text = (FIXTURES / "hxb_detail.csv").read_bytes().decode("gb18030")
    text = text.replace("交易日期,对方户名,对方账号,支出,收入,账户余额,附言,交易流水", "记录日,往来单位,往来账号,出账,进账,结余,附言,交易流水")
    statement = tmp_path / "hxb.csv"
    statement.write_bytes(text.encode("gb18030"))
    mapping = tmp_path / "hxb.toml"
    mapping.write_text(
        'id = "hxb"\nlabel = "华夏银行"\nsignature = ["交易流水", "结余"]\n[columns]\ndate = "记录日"\n'
        'debit = "出账"\ncredit = "进账"\nbalance = "结余"\ncounterparty = "往来单位"\n'
        'counterparty_account = "往来账号"\npurpose = "附言"\nserial = "交易流水"\n', encoding="utf-8")
    unknown = run("import", statement, "--ledger", ledger)
    assert unknown.exit_code == 2 and "无法识别的对账单格式" in unknown.output
    result = run("import", statement, "--ledger", ledger, "--mapping", mapping)
    assert result.exit_code == 0, result.output
    assert "华夏银行" in result.output
    txns, balances, load_errors, _ = imported(ledger)
    assert load_errors == []
    assert [(d, f, p, a, n) for d, f, p, a, n in as_tuples(txns)] == EXPECTED
    assert [t.meta["bank-ref"] for t in txns] == SERIALS
    assert balances[0].amount.number == D("61001.28")
    again = run("import", statement, "--ledger", ledger, "--bank", "hxb", "--mapping", mapping)
    assert again.exit_code == 0 and "没有新的流水" in again.output


def test_overlapping_statement_adds_only_new_lines_and_its_own_balance(ledger, tmp_path):
    """A later statement that repeats the last days of the previous one."""
    first = tmp_path / "march.csv"
    second = tmp_path / "march_april.csv"
    header = "交易日期,对方户名,支出,收入,账户余额,附言,交易流水\n"
    first.write_text(header + "2020/03/10,深圳市教育局,,40000.00,40000.00,拨款,A1\n", encoding="utf-8")
    second.write_text(
        header
        + "2020/03/10,深圳市教育局,,40000.00,40000.00,拨款,A1\n"
        + "2020/04/02,深圳市某文化传播有限公司,1200.00,,38800.00,学术研讨会会务费,A2\n",
        encoding="utf-8",
    )
    mapping = staged(tmp_path, "hxb_mapping.toml")
    assert run("import", first, "--ledger", ledger, "--mapping", mapping).exit_code == 0
    result = run("import", second, "--ledger", ledger, "--mapping", mapping)
    assert result.exit_code == 0, result.output
    txns, balances, load_errors, _ = imported(ledger)
    assert load_errors == []
    assert [(t.meta["bank-ref"], t.postings[1].account) for t in txns] == [
        ("A1", "Income:Grant:City"), ("A2", "Expenses:Seminars"),
    ]
    assert [(b.date, b.amount.number) for b in balances] == [
        (datetime.date(2020, 3, 11), D("40000.00")), (datetime.date(2020, 4, 3), D("38800.00")),
    ]


def test_two_identical_payments_with_different_balances_both_import(ledger, tmp_path):
    statement = abc_statement(
        tmp_path / "abc.csv",
        "2020-03-10 10:00:00,50000.00,,50000.00,沈阳市财政局,1,拨款",
        "2020-03-12 09:00:00,,800.00,49200.00,李四,2,",
        "2020-03-12 09:00:00,,800.00,48400.00,李四,2,",
        "合计,50000.00,1600.00,,,,",
    )
    assert run("import", statement, "--ledger", ledger).exit_code == 0
    txns, balances, _, _ = imported(ledger)
    assert [t.postings[0].units.number for t in txns] == [D("50000.00"), D("-800.00"), D("-800.00")]
    assert len({t.meta["bank-ref"] for t in txns}) == 3
    assert balances[-1].amount.number == D("48400.00")
    before = ledger.read_bytes()
    assert run("import", statement, "--ledger", ledger).exit_code == 0
    assert ledger.read_bytes() == before


def test_a_statement_whose_opening_balance_the_ledger_lacks_is_refused_with_both_figures(ledger, tmp_path):
    """The first statement of a ledger without its carried-forward balance: refused, nothing
    written; the message gives both balances, the difference and the entry that fixes it."""
    statement = tmp_path / "later.csv"
    statement.write_text(
        "交易日期,对方户名,支出,收入,账户余额,附言,交易流水\n"
        "2020/09/01,深圳书城,300.00,,9700.00,图书,B1\n",
        encoding="utf-8",
    )
    before = ledger.read_bytes()
    result = run("import", statement, "--ledger", ledger, "--mapping", FIXTURES / "hxb_mapping.toml")
    assert result.exit_code == 2
    assert "余额" in result.output and "未做任何修改" in result.output
    assert "10,000.00 元" in result.output and "0.00 元" in result.output  # the statement's and the ledger's
    assert '"上年结转"' in result.output and "Assets:Bank:Dedicated  10000.00 CNY" in result.output
    assert ledger.read_bytes() == before


def test_policy_keywords_follow_the_ledgers_program(tmp_path):
    """The same purpose is placed by the studio's own program: 培训 is permitted in Shenyang."""
    path = tmp_path / "sy.beancount"
    assert run("init", path, "--program", "shenyang-studio", "--name", "沈阳测试工作室", "--host-school", "沈阳某校",
               "--district", "和平区", "--start", "2021-01-01").exit_code == 0
    statement = abc_statement(
        tmp_path / "sy.csv",
        "2021-03-01 10:00:00,25000.00,,25000.00,沈阳市教育局,1,名优教师工作室经费",
        "2021-03-05 10:00:00,,2000.00,23000.00,沈阳市和平区教师进修学校,2,骨干教师培训费",
        "2021-03-06 10:00:00,10000.00,,33000.00,沈阳市和平区财政局,3,配套",
        encoding="gb18030",
    )
    assert run("import", statement, "--ledger", path).exit_code == 0
    txns, _, load_errors, _ = imported(path)
    assert load_errors == []
    assert [(t.flag, t.postings[1].account) for t in txns] == [
        ("*", "Income:Grant:City"), ("*", "Expenses:Training"), ("*", "Income:Grant:District"),
    ]


@pytest.mark.parametrize("payer,account", [
    ("深圳市教育局", "Income:Grant:City"),
    ("沈阳市财政局", "Income:Grant:City"),
    ("国家金库深圳市分库", "Income:Grant:City"),
    ("深圳市南山区教育局", "Income:Grant:District"),
    ("沈阳市和平区财政局", "Income:Grant:District"),
    ("宁城县教育局", "Income:Grant:District"),
    ("国家金库深圳市南山区支库", "Income:Grant:District"),
    ("深圳市智远信息技术有限公司", None),
    ("", None),
])
def test_bundled_payer_patterns(payer, account):
    from studiofund.policy import load_program

    assert load_program("shenzhen-district").importing.payer_account(payer) == account


def test_importing_policy_is_validated():
    from studiofund.policy import PolicyError, validate_table
    from studiofund.policy.importing import ImportingPolicy

    def check(data):
        return validate_table(ImportingPolicy, data, "bureau.toml")

    with pytest.raises(PolicyError, match="正则") as bad_pattern:
        check({"payers": [{"pattern": "(市教育局", "account": "Income:Grant:City"}]})
    assert bad_pattern.value.field == "payers[0].pattern"
    with pytest.raises(PolicyError) as bad_account:
        check({"holding_account": "待分类"})
    assert bad_account.value.field == "holding_account"
    with pytest.raises(PolicyError) as unknown:
        check({"fee_words": ["手续费"]})
    assert unknown.value.field == "fee_words"


def test_refund_to_a_bureau_settles_the_liability(ledger, tmp_path):
    statement = abc_statement(
        tmp_path / "abc.csv",
        "2020-03-10 10:00:00,40000.00,,40000.00,深圳市教育局,1,拨款",
        "2020-12-20 10:00:00,,40000.00,0.00,深圳市教育局,1,缴回未使用经费",
    )
    assert run("import", statement, "--ledger", ledger).exit_code == 0
    txns, balances, _, _ = imported(ledger)
    assert [(t.flag, t.postings[1].account) for t in txns] == [
        ("*", "Income:Grant:City"), ("!", "Liabilities:Refund:Bureau"),
    ]
    assert balances[-1].amount.number == D("0.00")
