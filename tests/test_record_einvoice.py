"""`studiofund record --einvoice FILE` and the desk's e-invoice: filled from the invoice, checked, kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import run
from studiofund.ledger.loading import load_ledger
from studiofund.ledger.writer import append_to_ledger

FIXTURES = Path(__file__).parent / "fixtures" / "einvoice"
SCHOOL = "深圳市南山区第一实验学校（集团）"
SCHOOL_ID = "12440305MB2C6170Q4"
SIGNED = ("--approver", "李梅", "--reviewer", "王建国")
GRANT = '''2024-01-10 * "深圳市教育局" "市级拨款"
  voucher: "2024-001"
  Assets:Bank:Dedicated  80000.00 CNY
  Income:Grant:City
'''


@pytest.fixture
def ledger(tmp_path) -> Path:
    path = tmp_path / "nanshan.beancount"
    result = run("init", path, "--program", "shenzhen-city", "--name", "测试工作室", "--host-school", SCHOOL,
                 "--district", "南山区", "--start", "2024-01-01")
    assert result.exit_code == 0, result.output
    append_to_ledger(path, GRANT)
    return path


def record(ledger: Path, *args: str):
    result = run("record", ledger, *args, "--format", "json")
    payload = json.loads(result.stdout) if result.exit_code in (0, 1) and result.stdout.startswith("{") else None
    return result, payload


def entry_of(ledger: Path, voucher: str):
    [entry] = [e for e in load_ledger(ledger).entries
               if type(e).__name__ == "Transaction" and e.meta.get("voucher") == voucher]
    return entry


def test_payee_amount_date_number_items_buyer_and_scan_come_from_the_invoice(ledger):
    result, out = record(ledger, "--einvoice", FIXTURES / "mixed_items.xml", "--narration", "研讨会用品与工作餐",
                         "--account", "Seminars", *SIGNED)
    assert result.exit_code == 0, result.output
    assert out["written"] is True
    entry = entry_of(ledger, out["voucher"])
    assert entry.payee == "深圳市惠民百货超市有限公司"
    assert entry.date.isoformat() == "2024-09-12"
    assert entry.meta["invoice"] == "24442000000023456789"
    assert entry.meta["invoice-items"] == "*文具*中性笔; *纸制品*A4复印纸; *餐饮服务*工作餐"
    assert entry.meta["invoice-buyer"] == SCHOOL and entry.meta["invoice-buyer-tax-id"] == SCHOOL_ID
    assert "invoice-kind" not in entry.meta
    [expense] = [p for p in entry.postings if p.account.startswith("Expenses:")]
    assert str(expense.units.number) == "1025.00"
    # the file itself is the entry's scan, linked with document:
    document = entry.meta["document"]
    assert document.endswith(".xml")
    kept = list(ledger.parent.rglob(document))
    assert len(kept) == 1 and kept[0].read_bytes() == (FIXTURES / "mixed_items.xml").read_bytes()


def test_a_given_amount_must_be_the_invoices(ledger):
    before = ledger.read_text(encoding="utf-8")
    result, _ = record(ledger, "--einvoice", FIXTURES / "blue_catering.xml", "--narration", "工作餐",
                       "--account", "Seminars", "--amount", "1000.00", *SIGNED)
    assert result.exit_code == 1
    assert "1000.00" in result.output and "1060.00" in result.output and "金额不符" in result.output
    assert ledger.read_text(encoding="utf-8") == before
    assert not [p for p in ledger.parent.rglob("*.xml")]
    result, out = record(ledger, "--einvoice", FIXTURES / "blue_catering.xml", "--narration", "工作餐",
                         "--account", "Seminars", "--amount", "1060", *SIGNED)
    assert result.exit_code == 0, result.output


def test_a_bad_file_is_bad_input(ledger):
    before = ledger.read_text(encoding="utf-8")
    for name in ("truncated.xml", "without_data.ofd", "wrong_root.xml"):
        result, _ = record(ledger, "--einvoice", FIXTURES / name, "--narration", "工作餐", "--account", "Seminars",
                           *SIGNED)
        assert result.exit_code == 2, result.output
        assert name in result.output and "Traceback" not in result.output
    assert ledger.read_text(encoding="utf-8") == before


def test_a_person_as_buyer_is_refused(ledger):
    result, out = record(ledger, "--einvoice", FIXTURES / "person_buyer.xml", "--narration", "住宿",
                         "--account", "FieldVisits", *SIGNED)
    assert result.exit_code == 1
    assert out["written"] is False
    assert "invoice-buyer-mismatch" in {f["rule"] for f in out["findings"]}


def test_a_red_invoice_reverses_its_blue_payment(ledger):
    result, blue = record(ledger, "--einvoice", FIXTURES / "blue_catering.xml", "--narration", "研讨会工作餐",
                          "--account", "Seminars", *SIGNED)
    assert result.exit_code == 0, result.output
    # without --corrects the blue payment would stand on a cancelled invoice: refused
    result, out = record(ledger, "--einvoice", FIXTURES / "red_catering.xml", "--narration", "红字发票退款",
                         "--account", "Seminars")
    assert result.exit_code == 1
    assert "invoice-cancelled" in {f["rule"] for f in out["findings"]}
    result, red = record(ledger, "--einvoice", FIXTURES / "red_catering.xml", "--narration", "红字发票退款",
                         "--account", "Seminars", "--corrects", blue["voucher"])
    assert result.exit_code == 0, result.output
    entry = entry_of(ledger, red["voucher"])
    assert entry.meta["invoice-kind"] == "red" and entry.meta["invoice-original"] == "24442000000012345678"
    assert entry.meta["corrects"] == blue["voucher"]
    amounts = {p.account: str(p.units.number) for p in entry.postings}
    assert amounts == {"Expenses:Seminars": "-1060.00", "Assets:Bank:Dedicated": "1060.00"}
    loaded = load_ledger(ledger)
    assert not [f for f in loaded.findings if f.rule in ("duplicate-invoice", "invoice-cancelled")]


def test_the_same_invoice_booked_twice_is_refused(ledger):
    args = ("--einvoice", FIXTURES / "blue_catering.xml", "--narration", "工作餐", "--account", "Seminars", *SIGNED)
    assert record(ledger, *args)[0].exit_code == 0
    result, out = record(ledger, *args)
    assert result.exit_code == 1
    assert "duplicate-invoice" in {f["rule"] for f in out["findings"]}


def test_text_output_and_json_of_a_mismatch(ledger):
    result = run("record", ledger, "--einvoice", FIXTURES / "blue_catering.xml", "--narration", "工作餐",
                 "--account", "Seminars", "--amount", "99.00", *SIGNED, "--format", "json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["written"] is False and "1060.00" in out["error"]


def test_without_einvoice_date_payee_and_amount_are_needed(ledger):
    result = run("record", ledger, "--narration", "图书", "--account", "Materials", "--invoice", "24442000000000000001")
    assert result.exit_code == 2
    assert "--date、--payee、--amount" in result.output


# -- the desk ------------------------------------------------------------------------------------


def _desk_invoice(fixture: str = "blue_catering.xml", **replace: str) -> dict:
    import base64

    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return {"name": fixture, "content": base64.b64encode(text.encode("utf-8")).decode()}


def test_the_desk_books_from_an_uploaded_e_invoice(tmp_path):
    from test_web_booking import BOOK, PREVIEW, post
    from test_web_fixtures import make_site

    from studiofund.web.app import build_app

    site = make_site(tmp_path)
    client = build_app([site.nanshan, site.futian], site.users, secret=b"test-secret", load=True).test_client()
    school = {SCHOOL: "南山区实验学校", f"<BuyerIdNum>{SCHOOL_ID}</BuyerIdNum>": "<BuyerIdNum></BuyerIdNum>"}
    body = {"narration": "研讨会工作餐", "account": "Seminars", "date": "2020-12-02", "approver": "李梅",
            "reviewer": "张校长", "einvoice": _desk_invoice(**school)}
    preview = post(client, PREVIEW, body)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    before = site.nanshan.read_bytes()
    mismatch = post(client, BOOK, {**body, "amount": "1000.00"})
    assert mismatch.status_code == 422 and "1060.00" in mismatch.get_json()["error"]
    assert site.nanshan.read_bytes() == before
    bad = post(client, BOOK, {**body, "einvoice": _desk_invoice("truncated.xml")})
    assert bad.status_code == 400 and "truncated.xml" in bad.get_json()["error"]
    booked = post(client, BOOK, body)
    assert booked.status_code == 200, booked.get_data(as_text=True)
    data = booked.get_json()
    text = site.nanshan.read_text(encoding="utf-8")
    assert '"深圳市南山区粤香楼餐饮有限公司" "研讨会工作餐"' in text
    assert 'invoice: "24442000000012345678"' in text and 'invoice-items: "*餐饮服务*餐费"' in text
    assert 'invoice-buyer: "南山区实验学校"' in text and "1060.00 CNY" in text
    kept = list((site.nanshan.parent / "nanshan.documents").rglob(f"*{data['voucher']}.xml"))
    assert len(kept) == 1
    # the same invoice as someone else's buyer is refused with the rule's finding
    other = post(client, BOOK, {**body, "einvoice": _desk_invoice("mixed_items.xml")})
    assert other.status_code == 422
    assert "invoice-buyer-mismatch" in {f["rule"] for f in other.get_json()["findings"]}


def test_an_ofd_carrying_the_invoice_books_and_is_kept_as_the_scan(ledger):
    result, out = record(ledger, "--einvoice", FIXTURES / "with_data.ofd", "--narration", "研讨会用品与工作餐",
                         "--account", "Seminars", "--date", "2024-09-20", *SIGNED)
    assert result.exit_code == 0, result.output
    entry = entry_of(ledger, out["voucher"])
    assert entry.date.isoformat() == "2024-09-20"  # the given payment date is kept
    assert entry.meta["invoice"] == "24442000000023456789" and entry.meta["document"].endswith(".ofd")
