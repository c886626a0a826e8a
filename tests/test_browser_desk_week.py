"""A new finance officer books a week of payments at the 记账 desk, in headless Chromium, without
ever seeing Beancount syntax (issue 10, "How it will be judged").

Monday books from a bookshop (refused first: the signatures are missing; signed, booked);
Tuesday a lecture fee to an outside expert with 学时 and 职称, the tax computed to the cent (the
preview first refuses 2 学时 as over the 副高 standard; the true 4 学时 pass); Wednesday a training
meeting's 会务费 with 人数 and 天数; Thursday books from an uploaded e-invoice; Friday completes a
bank line that the import left pending. After each step the page's visible text is searched for
the ledger's syntax; at the end the ledger itself is read: five entries, vouchers in sequence,
each with what the officer typed. Debian's chromium is required (as in test_browser.py): without
it this test fails, it does not skip.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from browser_support import ARTIFACTS, fill_desk, officer_page, refusal, served_site
from pendingtext import pending

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "einvoice"))
import make_fixtures as einvoices  # noqa: E402  (the e-invoice fixtures' writer)

sys.path.pop(0)

#: what `studiofund import` left: a bank line still to complete
PENDING = "\n" + pending("2020-12-11", "深圳南山印刷厂", "转账支出；印制成果集", "SZ20201211000888", "1280.00")

#: What the officer must never read: account names, CNY amount lines, entry heads with a flag,
#: metadata keys, Beancount's directive words.
SYNTAX = [
    ("an account name", re.compile(r"\b(?:Assets|Liabilities|Equity|Income|Expenses)(?::[A-Za-z0-9-]+)+")),
    ("an amount in CNY", re.compile(r"\d\s*CNY\b")),
    ("txn", re.compile(r"\btxn\b")),
    ("a ledger file", re.compile(r"\.beancount\b")),
    ("a directive", re.compile(r"\b(?:custom|open|close|balance|pad|option|plugin|include)\s+\"")),
    ("an entry head", re.compile(r"\d{4}-\d{2}-\d{2}\s+(?:[*!]|txn|open|custom|document)\s")),
    ("a flag", re.compile(r"（[*!]）|[为成持] [*!]|^\s*[*!]\s*$", re.M)),
    ("a metadata key", re.compile(r"(?<![A-Za-z-])(?:voucher|invoice|approver|reviewer|payee-id|tax-withheld|asset-id|"
                                  r"hours|title|persons|days|corrects|bank-ref|document|invoice-items|invoice-buyer|"
                                  r"reviewed|name)\s*:")),
]
#: Latin words the desk may show: file types the upload takes.
LATIN_OK = {"PDF", "OFD", "XML"}


def no_syntax(page, step: str) -> str:
    """The visible text of the page, after checking that it shows no Beancount syntax."""
    text = page.locator("body").inner_text()
    for what, pattern in SYNTAX:
        found = pattern.search(text)
        assert found is None, f"{step}: the page shows {what}: …{text[max(0, found.start() - 60):found.end() + 60]}…"
    desk = page.locator("#sf-desk").inner_text()
    latin = set(re.findall(r"[A-Za-z]{3,}", desk)) - LATIN_OK
    assert not latin, f"{step}: the desk shows English or syntax: {sorted(latin)}"
    return text


@pytest.fixture
def server(tmp_path):
    with served_site(tmp_path, appended=PENDING) as served:
        yield served


def einvoice(tmp_path: Path) -> Path:
    """A 数电票 of a bookshop to the host school (the fixtures' writer, this week's date)."""
    xml = einvoices.einvoice_xml(
        number="24442000000000004444", issued="2020-12-10",
        seller=("深圳书城南山城", einvoices.uscc("91440300MA5G7BK2X")),
        buyer=("南山区实验学校", einvoices.uscc("12440305MB2C6171Q")),
        items=[{"name": "*图书*班主任工作漫谈", "unit": "本", "quantity": "20", "unit_price": "38",
                "amount": Decimal("672.57"), "rate": "0.13", "tax": Decimal("87.43"), "code": "1060101010000000000"}])
    path = tmp_path / "数电票-深圳书城.xml"
    path.write_text(xml, encoding="utf-8")
    return path


def test_a_new_officer_books_a_week_without_seeing_beancount(server, tmp_path):
    base, site = server
    from playwright.sync_api import expect

    invoice_file = einvoice(tmp_path)
    with officer_page(base, 1400) as page:
        page.get_by_role("link", name="记账", exact=True).first.click()
        page.wait_for_selector("#sfd-form")
        desk_url = page.url
        no_syntax(page, "the desk")

        def saved(voucher: str) -> None:
            page.wait_for_selector("#sfd-findings .sfd-ok, #sfd-findings .sfd-finding.review", timeout=15000)
            expect(page.locator("#sfd-save")).to_be_enabled()
            expect(page.locator("#sfd-preview-voucher")).to_have_text(f"凭证号 {voucher}")
            page.click("#sfd-save")
            expect(page.locator("#sfd-status")).to_have_text(f"已记账：凭证 {voucher}", timeout=20000)
            no_syntax(page, f"saved {voucher}")

        # Monday: books from the bookshop; the signatures are not there yet
        fill_desk(page, date="2020-12-07", payee="深圳书城南山城", narration="购买《给教师的建议》等班主任工作用书",
                  account="图书资料购置", amount="486.00", invoice="24442000000000001207")
        refused = refusal(page, "missing-signoff")
        assert page.locator("#sfd-save").is_disabled()
        assert "违规，不能保存" in refused and "怎么办" in refused
        no_syntax(page, "the missing signatures")
        page.screenshot(path=str(ARTIFACTS / "week-refused.png"))
        page.fill("#sfd-approver", "李梅")
        page.fill("#sfd-reviewer", "张校长")
        saved("2020-007")

        # Tuesday: a lecture fee to an outside expert, 学时 and 职称; the tax to the cent
        fill_desk(page, date="2020-12-08", payee="陈志远", narration="班主任专业成长专题讲座讲课费", account="外聘专家讲课费")
        expect(page.locator("#sfd-hours")).to_be_visible()
        expect(page.locator("#sfd-persons")).to_be_hidden()
        page.fill("#sfd-amount", "1850.50")
        page.fill("#sfd-payee-id", "440305197502183516")
        page.fill("#sfd-hours", "2")
        page.select_option("#sfd-title", "副高")
        # 1,850.50 − 210.10 = 1,640.40 after tax over 2 学时: 820.20 > 500
        over = refusal(page, "over-standard")
        assert "每学时 820.20 元" in over and "副高" in over and "怎么办" in over
        assert page.locator("#sfd-save").is_disabled()
        expect(page.locator("#sfd-tax")).to_contain_text("代扣个人所得税 210.10 元，实付 1640.40 元")
        no_syntax(page, "the lecture fee over the standard")
        page.screenshot(path=str(ARTIFACTS / "week-over-standard.png"))
        page.fill("#sfd-hours", "4")  # the timetable says 4 学时
        page.wait_for_selector("#sfd-findings .sfd-ok", timeout=15000)
        lines = page.locator("#sfd-preview table").inner_text()
        assert "应交个人所得税" in lines and "210.10" in lines and "1640.40" in lines
        saved("2020-008")

        # Wednesday: a banquet is asked for first — refused, whatever its category —
        fill_desk(page, date="2020-12-09", payee="海鲜酒楼", narration="接待来访专家宴请", account="会务费", amount="1600.00")
        assert "三公" in refusal(page, "three-public")
        assert page.locator("#sfd-save").is_disabled()
        no_syntax(page, "the banquet")
        # — then the training meeting's 会务费, 30 people for 2 days
        fill_desk(page, payee="深圳南山会议中心", narration="班主任专题培训会会务费（场地、资料）", account="会务费")
        expect(page.locator("#sfd-persons")).to_be_visible()
        expect(page.locator("#sfd-hours")).to_be_hidden()
        page.fill("#sfd-amount", "5400.00")
        page.fill("#sfd-invoice-0", "24442000000000001207")  # Monday's, typed by mistake
        assert "凭证 2020-007" in refusal(page, "duplicate-invoice")
        no_syntax(page, "the invoice booked twice")
        page.fill("#sfd-invoice-0", "24442000000000001209")
        page.fill("#sfd-persons", "30")
        page.fill("#sfd-days", "2")
        saved("2020-009")

        # Thursday: from the bookshop's e-invoice: payee, amount and number come from the file
        page.fill("#sfd-date", "2020-12-10")
        page.set_input_files("#sfd-einvoice", str(invoice_file))
        expect(page.locator('[data-file-name="sfd-einvoice"]')).to_have_text(invoice_file.name)
        page.fill("#sfd-narration", "购买班主任工作类图书")
        page.select_option("#sfd-account", label="图书资料购置")
        expect(page.locator("#sfd-payee")).to_have_value("深圳书城南山城", timeout=15000)
        expect(page.locator("#sfd-amount")).to_have_value("760.00")
        expect(page.locator("#sfd-invoice-0")).to_have_value("24442000000000004444")
        # the wrong file first? choosing another one replaces what the first filled in
        other = tmp_path / "另一张数电票.xml"
        other.write_text(invoice_file.read_text(encoding="utf-8").replace("24442000000000004444", "24442000000000005555")
                         .replace(">672.57<", ">584.07<").replace(">87.43<", ">75.93<")
                         .replace(">760.00<", ">660.00<"), encoding="utf-8")
        page.set_input_files("#sfd-einvoice", str(other))
        expect(page.locator("#sfd-amount")).to_have_value("660.00", timeout=15000)
        expect(page.locator("#sfd-invoice-0")).to_have_value("24442000000000005555")
        page.set_input_files("#sfd-einvoice", str(invoice_file))
        expect(page.locator("#sfd-amount")).to_have_value("760.00", timeout=15000)
        expect(page.locator("#sfd-invoice-0")).to_have_value("24442000000000004444")
        saved("2020-010")

        # Friday: the bank line the import could not place
        page.click('button.sfd-complete[data-ref="SZ20201211000888"]')
        expect(page.locator("#sfd-completing")).to_be_visible()
        no_syntax(page, "completing")
        page.select_option("#sfd-account", label="教育教学科研成果出版")
        page.fill("#sfd-invoice-0", "24442000000000001211")
        page.wait_for_selector("#sfd-findings .sfd-ok", timeout=15000)
        page.click("#sfd-save")
        expect(page.locator("#sfd-status")).to_have_text("已补全：凭证 2020-011 已入账", timeout=20000)
        expect(page.locator("#sfd-pending-none")).to_be_visible()  # nothing left to complete
        assert page.locator("#sfd-invoice-0").input_value() == ""  # the form is ready for the next one
        no_syntax(page, "completed")
        page.screenshot(path=str(ARTIFACTS / "week-done.png"))

        # reloaded, the desk knows the week: nothing pending, the next voucher of 2020 is 012
        page.goto(desk_url)
        page.wait_for_selector("#sfd-form")
        assert page.locator('#sfd-pending tr[data-ref="SZ20201211000888"]').count() == 0
        fill_desk(page, date="2020-12-14", payee="深圳书城南山城", narration="购书", account="图书资料购置", amount="10.00")
        expect(page.locator("#sfd-preview-voucher")).to_have_text("凭证号 2020-012", timeout=15000)
        no_syntax(page, "reloaded")

    # the ledger: five entries of the week, in voucher sequence, with what the officer typed
    entries, errors, _ = loader.load_file(str(site.nanshan))
    assert not [e for e in errors if type(e).__name__ != "Finding"]
    week = [e for e in entries if isinstance(e, data.Transaction)
            and datetime_in_week(e.date) and e.meta.get("voucher")]
    assert [e.meta["voucher"] for e in week] == ["2020-007", "2020-008", "2020-009", "2020-010", "2020-011"]
    assert all(e.flag == "*" for e in week)
    books, lecture, meeting, from_invoice, completed = week
    assert books.meta["approver"] == "李梅" and books.meta["reviewer"] == "张校长"
    assert lecture.meta["hours"] == Decimal(4) and lecture.meta["title"] == "副高"
    assert lecture.meta["tax-withheld"] == Decimal("210.10")
    assert {p.account: p.units.number for p in lecture.postings} == {
        "Expenses:LecturerFees": Decimal("1850.50"), "Liabilities:Tax:Withheld": Decimal("-210.10"),
        "Assets:Bank:Dedicated": Decimal("-1640.40")}
    assert meeting.meta["persons"] == Decimal(30) and meeting.meta["days"] == Decimal(2)
    assert from_invoice.payee == "深圳书城南山城" and from_invoice.meta["invoice"] == "24442000000000004444"
    kept = site.nanshan.parent / "nanshan.documents" / "Expenses" / "Materials" / from_invoice.meta["document"]
    assert kept.read_bytes() == invoice_file.read_bytes()
    assert completed.meta["bank-ref"] == "SZ20201211000888"
    assert [p.account for p in completed.postings if p.account.startswith("Expenses:")] == ["Expenses:Publication"]


def datetime_in_week(date) -> bool:
    return "2020-12-07" <= date.isoformat() <= "2020-12-11"
