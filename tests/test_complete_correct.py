"""Pending entries and corrections from the command line: `pending` lists the `!` entries with
what each lacks; `record --complete` fills one in (`*` only when no error remains); `correct`
books 退回/划回/冲销 entries that rectify a voucher's findings; `record --corrects` re-books.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from clirun import init_studio, run

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
STATEMENT = FIXTURES / "cmb_detail.csv"  # 8 lines; the fee and the two payments to 张三 are pending


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = init_studio(tmp_path / "studio.beancount", name="南山区李梅名班主任工作室",
                       host_school="深圳市南山区第二实验学校")
    result = run("import", STATEMENT, "--ledger", path)
    assert result.exit_code == 0, result.output
    return path


def txns(path: Path):
    entries, errors, _ = loader.load_file(str(path))
    assert not [e for e in errors if type(e).__name__ != "Finding"]
    return [e for e in entries if isinstance(e, data.Transaction)]


def by_ref(path: Path, ref: str):
    return next(t for t in txns(path) if t.meta.get("bank-ref") == ref)


def check(path: Path) -> dict:
    return json.loads(run("check", "--format", "json", path).stdout)


def test_pending_lists_the_bang_entries_with_what_they_lack(ledger):
    result = run("pending", ledger, "--format", "json")
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["pending"]
    assert [(i["bank_ref"], i["amount"], i["voucher"]) for i in items] == [
        ("SZ20200408001504", "5.50", None), ("SZ20200628004101", "1500.00", None),
        ("SZ20200628004102", "1500.00", None)]
    assert set(items[0]) == {"voucher", "bank_ref", "date", "amount", "payee", "narration", "missing"}
    assert items[1]["missing"][0] == "支出科目" and "凭证号" in items[1]["missing"] and "发票号码" in items[1]["missing"]
    text = run("pending", ledger).output
    assert "待补全的分录 3 笔" in text and "SZ20200628004101" in text and "--complete" in text


def test_complete_books_the_payment_in_place_of_the_pending_entry(ledger):
    before = len(txns(ledger))
    result = run("record", ledger, "--complete", "SZ20200628004101", "--account", "外聘专家讲课费",
                 "--payee-id", "440301199001011234", "--tax", "auto", "--approver", "李梅", "--reviewer", "王校长",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["written"] is True and answer["flag"] == "*" and answer["complete"] == "SZ20200628004101"
    entry = by_ref(ledger, "SZ20200628004101")
    assert entry.flag == "*" and entry.meta["voucher"] == answer["voucher"]
    postings = {p.account: p.units.number for p in entry.postings}
    # the bank line is the net: 1,500.00 paid = 1,675.00 gross − 175.00 withheld
    assert postings == {"Expenses:LecturerFees": Decimal("1675.00"), "Liabilities:Tax:Withheld": Decimal("-175.00"),
                        "Assets:Bank:Dedicated": Decimal("-1500.00")}
    assert entry.payee == "张三" and str(entry.date) == "2020-06-28"
    assert len(txns(ledger)) == before  # replaced, not added
    pending = json.loads(run("pending", ledger, "--format", "json").stdout)["pending"]
    assert "SZ20200628004101" not in {p["bank_ref"] for p in pending}
    # the bank-ref stays: importing the statement again adds nothing
    again = run("import", STATEMENT, "--ledger", ledger)
    assert again.exit_code == 0 and "没有新的流水" in again.output


def test_a_completion_with_errors_left_is_written_and_stays_pending(ledger):
    result = run("record", ledger, "--complete", "SZ20200628004102", "--account", "LecturerFees",
                 "--approver", "李梅", "--format", "json")
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["written"] is True and answer["flag"] == "!"
    assert {f["rule"] for f in answer["findings"] if f["severity"] == "error"} >= {"missing-signoff", "payee-undocumented"}
    entry = by_ref(ledger, "SZ20200628004102")
    assert entry.flag == "!" and entry.meta["approver"] == "李梅"
    voucher = entry.meta["voucher"]
    # completed again, by its voucher now, with what was missing
    done = run("record", ledger, "--complete", voucher, "--account", "LecturerFees", "--approver", "李梅",
               "--reviewer", "王校长", "--payee-id", "440301199001015678", "--tax", "auto")
    assert done.exit_code == 0, done.output
    entry = by_ref(ledger, "SZ20200628004102")
    assert entry.flag == "*" and entry.meta["voucher"] == voucher
    text = ledger.read_text(encoding="utf-8")
    assert text.count(f"凭证 {voucher}") == 1  # the first attempt's comment went with it


def test_complete_bad_usage(ledger):
    before = ledger.read_bytes()
    r = run("record", ledger, "--complete", "NOSUCH", "--account", "Materials")
    assert r.exit_code == 2 and "待补全" in r.output
    r = run("record", ledger, "--complete", "SZ20200628004101", "--account", "Materials", "--date", "2020-06-01")
    assert r.exit_code == 2 and "--date" in r.output
    r = run("record", ledger, "--account", "Materials")
    assert r.exit_code == 2 and "--narration" in r.output and "--complete" in r.output
    r = run("record", ledger, "--account", "Materials", "--narration", "图书")
    assert r.exit_code == 2 and "--date" in r.output and "--complete" in r.output
    assert ledger.read_bytes() == before


def test_the_bank_fee_is_completed_then_rectified_by_the_schools_transfer(ledger):
    """The decision of docs/rectification.md, end to end: the fee is completed (a voucher, still
    ! for its violation), the school transfers it back (`correct --how transfer`), the finding is
    已整改, and completing again makes it *."""
    r = run("record", ledger, "--complete", "SZ20200408001504", "--account", "银行手续费", "--voucher", "2020-009")
    assert r.exit_code == 1 and "保持 !" in r.output
    fee = by_ref(ledger, "SZ20200408001504")
    assert fee.flag == "!" and fee.meta["voucher"] == "2020-009"
    r = run("correct", ledger, "2020-009", "--how", "transfer", "--date", "2020-07-15", "--format", "json")
    assert r.exit_code == 0, r.output
    answer = json.loads(r.stdout)
    assert answer["written"] and answer["corrects"] == "2020-009"
    assert {f["rule"]: f["status"] for f in answer["corrected"]}["category-not-permitted"] == "rectified"
    transfer = next(t for t in txns(ledger) if t.meta.get("corrects") == "2020-009")
    assert transfer.payee == "深圳市南山区第二实验学校" and transfer.meta["correction"] == "transfer"
    assert {p.account: p.units.number for p in transfer.postings} == {
        "Assets:Bank:Dedicated": Decimal("5.50"), "Expenses:BankFees": Decimal("-5.50")}
    r = run("record", ledger, "--complete", "2020-009", "--account", "BankFees")
    assert r.exit_code == 0, r.output
    assert by_ref(ledger, "SZ20200408001504").flag == "*"
    fee_findings = [f for f in check(ledger)["ledgers"][0]["findings"] if f["voucher"] == "2020-009"]
    assert fee_findings and all(f["status"] == "rectified" for f in fee_findings)


BANQUET = """
2020-07-01 * "深圳某大酒店" "宴请来访专家晚宴"
  voucher: "2020-050"
  invoice: "44031111"
  approver: "李梅"
  reviewer: "王校长"
  Assets:Bank:Dedicated  -1200.00 CNY
  Expenses:Conference
"""


def _with_banquet(ledger: Path) -> Path:
    with open(ledger, "a", encoding="utf-8") as handle:
        handle.write(BANQUET)
    return ledger


def test_correct_refund_rectifies_and_partial_does_not(ledger):
    _with_banquet(ledger)
    part = run("correct", ledger, "2020-050", "--how", "refund", "--date", "2020-07-20", "--amount", "600",
               "--format", "json")
    assert part.exit_code == 0, part.output
    statuses = {f["rule"]: f["status"] for f in json.loads(part.stdout)["corrected"]}
    assert statuses["three-public"] == "open"
    rest = run("correct", ledger, "2020-050", "--how", "refund", "--date", "2020-07-21", "--amount", "600")
    assert rest.exit_code == 0, rest.output
    assert "已整改" in rest.output
    found = [f for f in check(ledger)["ledgers"][0]["findings"] if f["voucher"] == "2020-050"]
    assert found and all(f["status"] == "rectified" for f in found)
    assert sorted(found[0]["rectified_by"]) == sorted(
        t.meta["voucher"] for t in txns(ledger) if t.meta.get("corrects") == "2020-050")


def test_correct_answers_in_text_with_the_entry_and_the_corrected_findings(ledger):
    _with_banquet(ledger)
    part = run("correct", ledger, "2020-050", "--how", "refund", "--date", "2020-07-20", "--amount", "600")
    assert part.exit_code == 0, part.output
    lines = part.output.split("\n")
    assert lines[0].startswith("已记整改凭证 ") and "（退回专户，更正凭证 2020-050）→ " in lines[0]
    assert lines[1] == "" and lines[2].startswith("  2020-07-20 * ") and '    corrects: "2020-050"' in lines
    assert any(line.startswith("凭证 2020-050 的检查发现：仍未整改：") and "three-public" in line for line in lines)
    rest = run("correct", ledger, "2020-050", "--how", "refund", "--date", "2020-07-21", "--amount", "600")
    assert any(line.startswith("凭证 2020-050 的检查发现：已整改：") for line in rest.output.split("\n"))
    assert "仍未整改" not in rest.output


def test_reverse_then_rebook_with_corrects(ledger):
    """冲销 and 重新入账: the reversal takes the payment back; `record --corrects` books it again on
    a permitted category with its papers — the original's findings are 已整改."""
    _with_banquet(ledger)
    r = run("correct", ledger, "2020-050", "--how", "reverse", "--date", "2020-07-20")
    assert r.exit_code == 0, r.output
    reversal = next(t for t in txns(ledger) if t.meta.get("corrects") == "2020-050")
    assert {p.account: p.units.number for p in reversal.postings} == {
        "Assets:Bank:Dedicated": Decimal("1200.00"), "Expenses:Conference": Decimal("-1200.00")}
    rebook = run("record", ledger, "--date", "2020-07-20", "--payee", "深圳某会议服务有限公司",
                 "--narration", "工作室研讨会会务费（重新入账）", "--account", "会务费", "--amount", "1200",
                 "--invoice", "44031199", "--approver", "李梅", "--reviewer", "王校长", "--corrects", "2020-050")
    assert rebook.exit_code == 0, rebook.output
    new = next(t for t in txns(ledger) if t.meta.get("corrects") == "2020-050" and t is not reversal
               and any(p.units.number > 0 and p.account.startswith("Expenses:") for p in t.postings))
    assert new.meta["invoice"] == "44031199"
    found = [f for f in check(ledger)["ledgers"][0]["findings"] if f["voucher"] == "2020-050"]
    assert found and all(f["status"] == "rectified" for f in found)


@pytest.mark.parametrize("args, words", [
    (["2099-999", "--how", "refund"], "没有凭证号"),
    (["2020-050", "--how", "refund", "--date", "2020-06-01"], "早于原凭证日期"),
    (["2020-050", "--how", "refund", "--amount", "5000"], "不超过原支出"),
    (["2020-050", "--how", "refund", "--voucher", "2020-050"], "已被使用"),
])
def test_correct_bad_usage(ledger, args, words):
    _with_banquet(ledger)
    before = ledger.read_bytes()
    r = run("correct", ledger, *args)
    assert r.exit_code == 2 and words in r.output, r.output
    assert ledger.read_bytes() == before


def test_correct_dry_run_writes_nothing(ledger):
    _with_banquet(ledger)
    before = ledger.read_bytes()
    r = run("correct", ledger, "2020-050", "--how", "refund", "--date", "2020-07-20", "--dry-run")
    assert r.exit_code == 0 and "试运行" in r.output and 'corrects: "2020-050"' in r.output
    assert ledger.read_bytes() == before
