"""End to end in headless Chromium: at the 记账 desk an officer completes a pending bank line
(补全) and puts a violation right (冲销/整改); the 经费合规 page then shows it 已整改.
Debian's chromium is required (as in test_browser.py): without it this test fails."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from beancount import loader
from beancount.core import data

from browser_support import ARTIFACTS, officer_page, served_site
from pendingtext import pending
from test_web_fixtures import NANSHAN_SLUG

PENDING = "\n" + pending("2020-12-10", "深圳书城南山城", "转账支出；购书", "SZ20201210000777", "256.00")


@pytest.fixture
def server(tmp_path):
    with served_site(tmp_path, appended=PENDING) as served:
        yield served


def test_officer_completes_a_pending_line_and_rectifies_a_violation(server):
    base, site = server
    from playwright.sync_api import expect

    slug = "/" + quote(NANSHAN_SLUG)
    with officer_page(base, 1400) as page:
        page.goto(f"{base}{slug}/extension/Booking/")
        page.wait_for_selector("#sfd-form")
        # 补全: the bank line fills the form; the officer chooses the category and the papers
        page.click('button.sfd-complete[data-ref="SZ20201210000777"]')
        expect(page.locator("#sfd-completing")).to_be_visible()
        assert page.locator("#sfd-amount").input_value() == "256.00"
        assert page.locator("#sfd-amount").get_attribute("readonly") is not None
        page.select_option("#sfd-account", label="图书资料购置")
        page.fill("#sfd-invoice-0", "24442000000000007777")
        page.fill("#sfd-approver", "李梅")
        page.fill("#sfd-reviewer", "张校长")
        page.wait_for_selector("#sfd-findings .sfd-ok", timeout=15000)
        page.click("#sfd-save")
        expect(page.locator("#sfd-status")).to_contain_text("已补全", timeout=20000)
        assert page.locator('#sfd-pending tr[data-ref="SZ20201210000777"]').count() == 0
        # 冲销/整改: the banquet 2020-004 refunded
        page.click('button.sfd-pick-correct[data-voucher="2020-004"]')
        assert page.locator("#sfd-correct-voucher").input_value() == "2020-004"
        page.select_option("#sfd-correct-how", "refund")
        page.fill("#sfd-correct-date", "2020-12-20")
        page.click("#sfd-correct-save")
        expect(page.locator("#sfd-correct-status")).to_contain_text("已整改", timeout=20000)
        page.screenshot(path=str(ARTIFACTS / "desk-rectified.png"), full_page=True)
        # the 经费合规 page, loaded again, shows it 已整改
        page.goto(f"{base}{slug}/extension/Compliance/?time=2020")
        expect(page.locator('details[data-severity="rectified"][data-rule="three-public"]')).to_be_visible(
            timeout=20000)
    entries, _, _ = loader.load_file(str(site.nanshan))
    completed = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("bank-ref") == "SZ20201210000777"]
    assert len(completed) == 1 and completed[0].flag == "*"
    assert [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("corrects") == "2020-004"]
