"""`studiofund record`: every refusal reason, nothing written on refusal, vouchers, scans, tax."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from clirun import init_studio, run
from studiofund.booking.preview import preview_payment
from studiofund.booking.record import Payment
from studiofund.booking.tax import labour_tax, net_of
from studiofund.ledger.loading import load_ledger
from studiofund.ledger.writer import append_to_ledger
from studiofund.money import q2

GRANT = '''{date} * "深圳市教育局" "市级拨款"
  voucher: "{voucher}"
  Assets:Bank:Dedicated  {amount} CNY
  Income:Grant:City
'''
SIGNED = ("--approver", "李梅", "--reviewer", "王建国")


def funded(path: Path, program: str = "shenzhen-city", amount: str = "80000.00") -> Path:
    init_studio(path, program=program, start="2021-01-01")
    append_to_ledger(path, GRANT.format(date="2021-02-01", voucher="2021-001", amount=amount))
    return path


@pytest.fixture
def shenzhen(tmp_path) -> Path:
    return funded(tmp_path / "nanshan.beancount")


@pytest.fixture
def shenyang(tmp_path) -> Path:
    return funded(tmp_path / "shenyang.beancount", program="shenyang-studio", amount="25000.00")


def record(ledger: Path, *args: str, fmt: str = "json"):
    result = run("record", ledger, *args, "--format", fmt)
    payload = json.loads(result.output) if fmt == "json" and result.exit_code in (0, 1) else None
    return result, payload


def book(ledger: Path, *extra: str, date="2021-03-10", payee="新华书店", narration="购买班主任工作图书",
         account="Materials", amount="300.00", invoice: str | None = "24442000000000000001", signed=True,
         fmt="json"):
    args = ["--date", date, "--payee", payee, "--narration", narration, "--account", account, "--amount", amount]
    if invoice:
        args += ["--invoice", invoice]
    if signed:
        args += list(SIGNED)
    return record(ledger, *args, *extra, fmt=fmt)


def tmp_files(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.endswith(".tmp")]


# -- a clean payment ---------------------------------------------------------------------------------


def test_a_complete_payment_is_written_with_the_next_voucher(shenzhen):
    result, out = book(shenzhen)
    assert result.exit_code == 0, result.output
    assert out["written"] is True and out["voucher"] == "2021-002" and out["findings"] == []
    assert out["filename"] == str(shenzhen)
    lines = shenzhen.read_text(encoding="utf-8").split("\n")
    assert lines[out["lineno"] - 1].startswith('2021-03-10 * "新华书店" "购买班主任工作图书"')
    assert out["entry"].startswith('2021-03-10 * "新华书店"')
    assert out["entry"] in shenzhen.read_text(encoding="utf-8")
    loaded = load_ledger(shenzhen)
    assert not loaded.load_errors and not loaded.findings
    # the next one of the year, and the first of the next year
    assert book(shenzhen, invoice="24442000000000000002")[1]["voucher"] == "2021-003"
    assert book(shenzhen, date="2022-01-05", invoice="24442000000000000003")[1]["voucher"] == "2022-001"


@pytest.mark.parametrize("account", ["Materials", "Expenses:Materials", "图书资料购置", "materials"])
def test_the_account_by_short_name_full_name_or_chinese_label(shenzhen, account):
    result, out = book(shenzhen, account=account)
    assert result.exit_code == 0, result.output
    assert "Expenses:Materials  300.00 CNY" in out["entry"]


def test_text_output_speaks_chinese(shenzhen):
    result, _ = book(shenzhen, fmt="text")
    assert result.exit_code == 0
    assert "已记账：凭证 2021-002" in result.output and "检查通过" in result.output


def test_dry_run_writes_nothing(shenzhen):
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, "--dry-run")
    assert result.exit_code == 0 and out["written"] is False and out["voucher"] == "2021-002"
    assert shenzhen.read_bytes() == before and tmp_files(shenzhen.parent) == []


# -- refusals --------------------------------------------------------------------------------------------


def refused(ledger: Path, result, out, rule: str) -> None:
    assert result.exit_code == 1, result.output
    assert out["written"] is False
    rules = {f["rule"] for f in out["findings"] if f["severity"] == "error"}
    assert rule in rules, out["findings"]
    assert all(f["message"] for f in out["findings"])


def assert_unchanged(ledger: Path, before: bytes) -> None:
    assert ledger.read_bytes() == before
    assert tmp_files(ledger.parent) == []
    assert not any(p.is_file() for p in (ledger.parent / f"{ledger.stem}.documents").rglob("*"))


REFUSALS = {
    "missing-signoff": dict(signed=False),
    "missing-invoice": dict(invoice=None),
    "category-not-permitted": dict(account="Travel"),  # Shenzhen never opened it
    "asset-unregistered": dict(account="Equipment", amount="4999.00", narration="工作室用笔记本电脑"),
    "overdraft": dict(amount="80000.01"),
    "three-public": dict(payee="某某海鲜酒楼", narration="接待检查组宴请", account="Conference"),
    "payee-undocumented": dict(account="LecturerFees", payee="王教授", narration="专家讲座课酬", invoice=None),
}


@pytest.mark.parametrize("rule", list(REFUSALS))
def test_each_refusal_writes_nothing(shenzhen, tmp_path, rule):
    scan = tmp_path / "发票.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, "--attach", str(scan), **REFUSALS[rule])
    refused(shenzhen, result, out, rule)
    assert_unchanged(shenzhen, before)


def test_a_duplicate_invoice_is_refused(shenzhen):
    assert book(shenzhen)[0].exit_code == 0
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, narration="又一笔")
    refused(shenzhen, result, out, "duplicate-invoice")
    assert_unchanged(shenzhen, before)


def test_a_duplicate_voucher_is_refused(shenzhen):
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, "--voucher", "2021-001")
    refused(shenzhen, result, out, "duplicate-voucher")
    assert_unchanged(shenzhen, before)


def test_a_sealed_year_is_refused(shenzhen):
    assert run("close", shenzhen, "--year", "2021").exit_code == 0
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, date="2021-12-30")
    refused(shenzhen, result, out, "sealed-period-changed")
    assert_unchanged(shenzhen, before)
    # the next year is open
    assert book(shenzhen, date="2022-01-10")[0].exit_code == 0


def test_spending_after_disqualification_is_refused(shenzhen):
    assert run("clawback", shenzhen, "--date", "2021-06-30", "--reason", "年度考核不合格").exit_code == 0
    append_to_ledger(shenzhen, GRANT.format(date="2021-07-01", voucher="2021-090", amount="100.00"))
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, date="2021-07-02", amount="50.00")
    refused(shenzhen, result, out, "after-disqualification")
    assert_unchanged(shenzhen, before)


def test_an_overdraft_it_causes_on_a_later_payment_is_the_new_entry_s(shenzhen):
    assert book(shenzhen, date="2021-05-01", amount="79000.00")[0].exit_code == 0
    before = shenzhen.read_bytes()
    # earlier and within the balance itself, but the later payment no longer is
    result, out = book(shenzhen, date="2021-04-01", amount="2000.00", invoice="24442000000000000009")
    refused(shenzhen, result, out, "overdraft")
    assert any(f["voucher"] == "2021-002" for f in out["findings"])
    assert_unchanged(shenzhen, before)


def test_findings_already_in_the_ledger_do_not_refuse_a_clean_payment(shenzhen):
    append_to_ledger(shenzhen, '2021-02-10 * "某某海鲜酒楼" "接待检查组宴请"\n  voucher: "2021-050"\n'
                               '  invoice: "999"\n  Expenses:Conference  800.00 CNY\n  Assets:Bank:Dedicated\n')
    assert load_ledger(shenzhen).findings  # the ledger has its own errors
    result, out = book(shenzhen)
    assert result.exit_code == 0 and out["written"] and out["findings"] == []


def test_an_account_of_no_program_is_bad_usage(shenzhen):
    before = shenzhen.read_bytes()
    for account in ("Expenses:Banquets", "吃饭", "Assets:Bank:Dedicated"):
        result = run("record", shenzhen, "--date", "2021-03-01", "--payee", "x", "--narration", "y",
                     "--account", account, "--amount", "10")
        assert result.exit_code == 2 and "不是任何经费项目的支出科目" in result.output, result.output
    assert shenzhen.read_bytes() == before


@pytest.mark.parametrize("args, words", [
    (["--amount", "-5"], "金额不能为负"),
    (["--amount", "12.345"], "超过两位小数"),
    (["--amount", "abc"], "不是金额"),
    (["--payee", "  "], "--payee 不能为空"),
    (["--voucher", "2021 001"], "凭证号"),
    (["--invoice", "发票一"], "发票号码"),
    (["--tax", "auto"], "不是支付给个人的科目"),
    (["--attach", "/nonexistent/scan.pdf"], "附件不存在"),
])
def test_bad_input_exits_2_and_writes_nothing(shenzhen, args, words):
    before = shenzhen.read_bytes()
    base = {"--date": "2021-03-01", "--payee": "新华书店", "--narration": "图书", "--account": "Materials",
            "--amount": "10"}
    for key, value in zip(args[::2], args[1::2]):
        base[key] = value
    flat = [x for kv in base.items() for x in kv]
    result = run("record", shenzhen, *flat, *SIGNED)
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert shenzhen.read_bytes() == before


def test_an_unreadable_ledger_is_bad_usage(tmp_path):
    result = run("record", tmp_path / "missing.beancount", "--date", "2021-03-01", "--payee", "x",
                 "--narration", "y", "--account", "Materials", "--amount", "1")
    assert result.exit_code == 2 and "文件不存在" in result.output


# -- scans -------------------------------------------------------------------------------------------


def test_a_scan_is_kept_by_voucher_and_linked(shenzhen, tmp_path):
    scan = tmp_path / "invoice-photo.JPG"
    scan.write_bytes(b"\xff\xd8\xff scan")
    result, out = book(shenzhen, "--attach", str(scan))
    assert result.exit_code == 0, result.output
    kept = shenzhen.parent / "nanshan.documents" / "Expenses" / "Materials" / "2021-03-10.2021-002.jpg"
    assert kept.read_bytes() == b"\xff\xd8\xff scan"
    assert out["documents"] == ["2021-03-10.2021-002.jpg"]
    assert 'document: "2021-03-10.2021-002.jpg"' in out["entry"]
    loaded = load_ledger(shenzhen)
    assert not loaded.load_errors
    txn = next(e for e in loaded.entries if getattr(e, "meta", {}).get("voucher") == "2021-002")
    doc = next(e for e in loaded.entries if type(e).__name__ == "Document" and e.filename == str(kept))
    assert "dok-2021-03-10" in txn.links and "dok-2021-03-10" in doc.links  # Fava's link_documents


def test_an_older_ledger_gets_the_documents_option_and_the_plugin(tmp_path):
    ledger = tmp_path / "old.beancount"
    funded(ledger)
    text = ledger.read_text(encoding="utf-8")
    text = text.replace('option "documents" "old.documents"\n', "").replace('plugin "fava.plugins.link_documents"\n', "")
    ledger.write_text(text, encoding="utf-8")
    scan = tmp_path / "s.pdf"
    scan.write_bytes(b"%PDF-1.4")
    result, out = book(ledger, "--attach", str(scan))
    assert result.exit_code == 0, result.output
    new = ledger.read_text(encoding="utf-8")
    assert 'option "documents" "old.documents"' in new
    assert new.index('plugin "fava.plugins.link_documents"') < new.index('plugin "studiofund.plugin"')
    assert (tmp_path / "old.documents" / "Expenses" / "Materials" / "2021-03-10.2021-002.pdf").exists()


def test_a_documents_folder_outside_the_ledger_directory_is_never_written(tmp_path):
    ledger = tmp_path / "in" / "s.beancount"
    ledger.parent.mkdir()
    funded(ledger)
    (tmp_path / "elsewhere").mkdir()
    text = ledger.read_text(encoding="utf-8").replace('option "documents" "s.documents"', 'option "documents" "../elsewhere"')
    ledger.write_text(text, encoding="utf-8")
    scan = tmp_path / "s.pdf"
    scan.write_bytes(b"%PDF-1.4")
    result, _ = book(ledger, "--attach", str(scan))
    assert result.exit_code == 0, result.output
    assert not any((tmp_path / "elsewhere").rglob("*.pdf"))
    assert any((ledger.parent / "s.documents").rglob("*.pdf"))


def test_an_unsupported_attachment_is_bad_usage(shenzhen, tmp_path):
    evil = tmp_path / "run.py"
    evil.write_text("print('x')")
    result, _ = book(shenzhen, "--attach", str(evil))
    assert result.exit_code == 2 and "类型不受支持" in result.output


# -- tax --------------------------------------------------------------------------------------------


#: labour remuneration at the boundaries of its deduction and its rates: amount, taxable, tax
LABOUR_TAX_BOUNDARIES = """
     800.00      0.00      0.00
     800.01      0.01      0.00
    1000.00    200.00     40.00
    4000.00   3200.00    640.00
    4000.01   3200.01    640.00
    4001.00   3200.80    640.16
   20000.00  16000.00   3200.00
   25000.00  20000.00   4000.00
   25000.01  20000.01   4000.00
   25100.00  20080.00   4024.00
   50000.00  40000.00  10000.00
   62500.00  50000.00  13000.00
   62500.01  50000.01  13000.00
   63000.00  50400.00  13160.00
"""


@pytest.mark.parametrize("amount, taxable, tax", [row.split() for row in LABOUR_TAX_BOUNDARIES.strip().splitlines()])
def test_labour_tax_at_its_boundaries(amount, taxable, tax):
    computed = labour_tax(Decimal(amount))
    assert q2(computed.taxable) == Decimal(taxable)
    assert computed.tax == Decimal(tax)
    assert net_of(computed) == Decimal(amount) - Decimal(tax)


def test_a_lecture_fee_books_gross_net_and_the_tax(shenyang):
    result, out = book(shenyang, "--payee-id", "2101**********1234", "--tax", "auto", account="外聘教师讲课费",
                       payee="王教授", narration="专家讲座课酬", amount="5000.00", invoice=None, signed=False)
    assert result.exit_code == 0, result.output
    assert out["tax"]["withheld"] == "800.00"  # 5000 × 80% × 20%
    entry = out["entry"]
    assert "Expenses:LecturerFees  5000.00 CNY" in entry
    assert "Liabilities:Tax:Withheld  -800.00 CNY" in entry
    assert "Assets:Bank:Dedicated  -4200.00 CNY" in entry
    assert "tax-withheld: 800.00" in entry and 'payee-id: "2101**********1234"' in entry
    # paying the withheld tax to the tax bureau is an ordinary, permitted movement
    append_to_ledger(shenyang, '2021-04-15 * "国家税务总局沈阳市和平区税务局" "代缴个人所得税（劳务报酬）"\n'
                               '  voucher: "2021-010"\n  Liabilities:Tax:Withheld  800.00 CNY\n'
                               '  Assets:Bank:Dedicated  -800.00 CNY\n')
    loaded = load_ledger(shenyang)
    assert not loaded.load_errors
    assert [f for f in loaded.findings if f.voucher == "2021-010"] == []  # the tax payment
    assert [f for f in loaded.findings if f.severity == "error"] == []


def test_a_lecture_fee_under_800_records_zero_tax(shenyang):
    result, out = book(shenyang, "--payee-id", "2101**********1234", "--tax", "auto", account="LecturerFees",
                       payee="李老师", narration="讲座课酬", amount="600.00", invoice=None, signed=False)
    assert result.exit_code == 0
    assert "tax-withheld: 0.00" in out["entry"] and "Liabilities" not in out["entry"]
    assert "Assets:Bank:Dedicated  -600.00 CNY" in out["entry"]


def test_a_given_tax_amount_is_booked_and_a_wrong_one_refused(shenyang):
    result, out = book(shenyang, "--payee-id", "X", "--tax", "40.50", account="LecturerFees",
                       payee="李老师", narration="讲座课酬", amount="1000.00", invoice=None, signed=False)
    assert result.exit_code == 0, result.output  # the formula's 40.00, within the rule's 1.00
    assert "Liabilities:Tax:Withheld  -40.50 CNY" in out["entry"]
    before = shenyang.read_bytes()
    result, out = book(shenyang, "--payee-id", "X", "--tax", "123.45", account="LecturerFees",
                       payee="李老师", narration="讲座课酬", amount="1000.00", invoice=None, signed=False)
    refused(shenyang, result, out, "tax-withholding")
    assert shenyang.read_bytes() == before


def test_an_older_ledger_gets_the_tax_account_opened_once(tmp_path):
    ledger = tmp_path / "old.beancount"
    funded(ledger, program="shenyang-studio")
    text = ledger.read_text(encoding="utf-8")
    text = text.replace('2021-01-01 open Liabilities:Tax:Withheld CNY\n  name: "应交个人所得税"\n', "")
    assert "Liabilities:Tax:Withheld" not in text
    ledger.write_text(text, encoding="utf-8")
    for n, amount in enumerate(("5000.00", "3000.00")):
        result, out = book(ledger, "--payee-id", "X", "--tax", "auto", account="LecturerFees",
                           payee="王教授", narration="讲座课酬", amount=amount, invoice=None, signed=False)
        assert result.exit_code == 0, result.output
    assert ledger.read_text(encoding="utf-8").count("open Liabilities:Tax:Withheld") == 1


def test_a_payment_to_a_person_without_id_and_tax_says_what_to_add(shenyang):
    result, out = book(shenyang, account="LecturerFees", payee="王教授", narration="讲座课酬",
                       amount="5000.00", invoice=None, signed=False)
    refused(shenyang, result, out, "payee-undocumented")
    message = next(f["message"] for f in out["findings"] if f["rule"] == "payee-undocumented")
    assert "payee-id" in message and "tax-withheld" in message


def test_a_payment_before_a_balance_assertion_it_breaks_is_refused_in_words(shenzhen):
    append_to_ledger(shenzhen, "2021-06-01 balance Assets:Bank:Dedicated  80000.00 CNY\n")
    before = shenzhen.read_bytes()
    result, out = book(shenzhen, date="2021-05-01")
    refused(shenzhen, result, out, "beancount")
    message = out["findings"][0]["message"]
    assert "2021-06-01 的余额核对" in message and "79,700.00" in message and "未记账" in message
    assert_unchanged(shenzhen, before)
    # the desk's fast preview says the same
    loaded = load_ledger(shenzhen)
    preview = preview_payment(loaded, Payment(datetime.date(2021, 5, 1), "新华书店", "图书", "Materials",
                                              Decimal("300.00"), invoices=("1",), approver="甲", reviewer="乙"))
    assert preview.refused and any(f.rule == "beancount" and "余额核对" in f.message for f in preview.findings)
    # after the assertion the same payment is booked
    assert book(shenzhen, date="2021-06-02")[0].exit_code == 0
