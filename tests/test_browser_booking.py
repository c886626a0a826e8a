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

from studiofund.web.app import build_app
from browser_support import ARTIFACTS, launch, serving
from test_web_fixtures import NANSHAN_SLUG, PASSWORDS, make_site

SCAN = b"%PDF-1.4\n% studiofund test scan\n" + b"0" * 2048


@pytest.fixture
def server(tmp_path):
    site = make_site(tmp_path)
    app = build_app([site.nanshan, site.futian], site.users, load=True)
    with serving(app) as base:
        yield base, site


def login(page, base: str, name: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url and url.rstrip("/") != base)


def test_officer_books_at_the_desk_and_auditor_opens_the_scan(server, tmp_path):
    base, site = server
    from playwright.sync_api import expect, sync_playwright

    scan = tmp_path / "发票扫描.pdf"
    scan.write_bytes(SCAN)
    slug = "/" + quote(NANSHAN_SLUG)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1100}, locale="zh-CN")
            login(page, base, "nanshan-officer")
            page.get_by_role("link", name="记账", exact=True).first.click()
            page.wait_for_selector("#sfd-form")
            page.fill("#sfd-date", "2020-12-01")
            page.fill("#sfd-payee", "深圳书城")
            page.fill("#sfd-narration", "购买《班主任工作漫谈》等图书")
            page.select_option("#sfd-account", label="图书资料购置")
            page.fill("#sfd-amount", "256.00")
            page.fill("#sfd-invoice-0", "24442000000000001111")
            # no signatures yet: the preview refuses, saving is blocked, and says what to do
            page.wait_for_selector('#sfd-findings .sfd-finding.error[data-rule="missing-signoff"]', timeout=15000)
            refusal = page.locator('#sfd-findings [data-rule="missing-signoff"]').inner_text()
            assert "缺少主持人签字" in refusal and "怎么办" in refusal
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
        finally:
            browser.close()
    assert (ARTIFACTS / "booking-saved.png").stat().st_size > 10_000
    kept = site.nanshan.parent / "nanshan.documents" / "Expenses" / "Materials" / "2020-12-01.2020-007.pdf"
    assert kept.read_bytes() == SCAN
    if os.environ.get("STUDIOFUND_UPDATE_DOCS"):
        import shutil

        docs = ARTIFACTS.parent / "docs"
        for name in ("booking-refused.png", "booking-saved.png"):
            shutil.copy(ARTIFACTS / name, docs / name)
