"""End to end in headless Chromium: an officer books at the 记账 desk, an auditor finds it.

The officer fills the form in Chinese, sees the refusal for the missing signatures, completes
the payment with a scan and saves it; the auditor logs in, sees the entry in the journal at once
(no restart) and opens the scan from the entry. Debian's chromium is required (as in
test_browser.py): without it this test fails, it does not skip.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import pytest

from browser_support import ARTIFACTS, fill_desk, login, officer_page, refusal, served_site
from test_web_fixtures import NANSHAN_SLUG

SCAN = b"%PDF-1.4\n% studiofund test scan\n" + b"0" * 2048


@pytest.fixture
def server(tmp_path):
    with served_site(tmp_path, futian=True) as served:
        yield served


def test_officer_books_at_the_desk_and_auditor_opens_the_scan(server, tmp_path):
    base, site = server
    from playwright.sync_api import expect

    scan = tmp_path / "发票扫描.pdf"
    scan.write_bytes(SCAN)
    slug = "/" + quote(NANSHAN_SLUG)
    with officer_page(base, 1100) as page:
        page.get_by_role("link", name="记账", exact=True).first.click()
        page.wait_for_selector("#sfd-form")
        fill_desk(page, date="2020-12-01", payee="深圳书城", narration="购买《班主任工作漫谈》等图书",
                  account="图书资料购置", amount="256.00", invoice="24442000000000001111")
        # no signatures yet: the preview refuses, saving is blocked, and says what to do
        refused = refusal(page, "missing-signoff")
        assert "缺少主持人签字" in refused and "怎么办" in refused
        assert page.locator("#sfd-save").is_disabled()
        assert page.locator("#sfd-preview-voucher").inner_text() == "凭证号 2020-007"
        page.screenshot(path=str(ARTIFACTS / "booking-refused.png"))

        page.fill("#sfd-approver", "李梅")
        page.fill("#sfd-reviewer", "张校长")
        page.wait_for_selector("#sfd-findings .sfd-ok", timeout=15000)
        page.set_input_files("#sfd-attach", str(scan))
        assert page.locator("#sfd-save").is_enabled()
        page.click("#sfd-save")
        expect(page.locator("#sfd-status")).to_contain_text("已记账", timeout=20000)
        assert page.locator("#sfd-status").inner_text() == "已记账：凭证 2020-007"
        page.screenshot(path=str(ARTIFACTS / "booking-saved.png"))
        page.goto(base + "/logout")

        # the auditor: the entry is in the journal at once, and its scan opens from it
        login(page, base, "nanshan-auditor")
        page.goto(f"{base}{slug}/journal/")
        expect(page.locator("article")).to_contain_text("深圳书城", timeout=15000)
        journal = page.locator("article").inner_text()
        assert "购买《班主任工作漫谈》等图书" in journal
        entries = page.request.get(f"{base}{slug}/api/journal").json()["data"]
        entry = next(e for e in entries if e.get("meta", {}).get("voucher") == "2020-007")
        assert entry["meta"]["document"] == "2020-12-01.2020-007.pdf"
        response = page.request.get(f"{base}{slug}/statement/?entry_hash={entry['entry_hash']}&key=document")
        assert response.status == 200 and response.body() == SCAN
        # and the auditor has no desk to write with
        page.goto(f"{base}{slug}/extension/Booking/")
        page.wait_for_selector("#sfd-readonly")
        assert page.locator("#sfd-form").count() == 0
    assert (ARTIFACTS / "booking-saved.png").stat().st_size > 10_000
    kept = site.nanshan.parent / "nanshan.documents" / "Expenses" / "Materials" / "2020-12-01.2020-007.pdf"
    assert kept.read_bytes() == SCAN
    if os.environ.get("STUDIOFUND_UPDATE_DOCS"):
        import shutil

        docs = ARTIFACTS.parent / "docs"
        for name in ("booking-refused.png", "booking-saved.png"):
            shutil.copy(ARTIFACTS / name, docs / name)
