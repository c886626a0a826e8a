"""End to end in headless Chromium: an auditor logs in and reads the 经费合规 page.

Debian's chromium is required (``make test`` installs it); without it this test fails, it does
not skip. Screenshots go to ``artifacts/`` (login page and compliance page).
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import quote

import pytest

from browser_support import ARTIFACTS, launch, serving
from studiofund.web.app import build_app
from test_web_fixtures import FUTIAN_SLUG, NANSHAN_SLUG, PASSWORDS, make_site


@pytest.fixture
def server(tmp_path):
    site = make_site(tmp_path)
    app = build_app([site.nanshan, site.futian], site.users, load=True)
    with serving(app) as base:
        yield base


def test_auditor_logs_in_and_reads_compliance_page(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            # not logged in: the login page, in Chinese
            page.goto(server + "/")
            assert "/login" in page.url
            page.wait_for_selector("form input[name=username]")
            assert "登录" in page.title()
            page.screenshot(path=str(ARTIFACTS / "auditor-login.png"))

            # a wrong password stays on the login page with a message
            page.fill("#username", "nanshan-auditor")
            page.fill("#password", "wrong-password")
            page.click("button[type=submit]")
            assert page.locator(".error").inner_text().startswith("用户名或密码错误")

            page.fill("#username", "nanshan-auditor")
            page.fill("#password", PASSWORDS["nanshan-auditor"])
            page.click("button[type=submit]")
            # an auditor of one ledger lands on its 经费合规 page, not on the income statement
            page.wait_for_url("**/extension/Compliance/**")

            # 经费合规 is in Fava's sidebar too
            page.get_by_role("link", name="经费合规").first.click()
            page.wait_for_selector("#sf-compliance")
            page.wait_for_selector("#sf-findings table.sf-findings-table tbody tr")
            # our SVG chart, with data
            bars = page.locator("svg.sf-budget-chart rect.sf-bar-actual")
            assert bars.count() >= 3
            actuals = {bars.nth(i).get_attribute("data-actual") for i in range(bars.count())}
            assert "4040.00" in actuals
            # Fava's own chart component rendered its SVG with bars
            page.wait_for_selector("#sf-monthly svg rect", timeout=15000)
            assert page.locator("#sf-monthly svg rect").count() > 0
            # the findings table shows the three-public violation, grouped
            findings = page.locator("#sf-findings").inner_text()
            assert "三公经费" in findings and "2020-004" in findings
            # the logged-in user is shown, and the foreign ledger does not leak into the page
            page.wait_for_selector("#sf-user")
            html = page.content()
            assert "福田区" not in html and FUTIAN_SLUG not in html
            # Fava scrolls inside <article>: make the window as tall as the page for the picture
            height = page.evaluate("document.querySelector('article').scrollHeight")
            page.set_viewport_size({"width": 1440, "height": min(int(height) + 90, 4000)})
            page.wait_for_timeout(600)  # let the chart transitions finish before the picture
            page.screenshot(path=str(ARTIFACTS / "compliance-page.png"))

            # the finding's link opens Fava's journal on exactly that entry
            page.locator('details[data-rule="three-public"] a.sf-link', has_text="在日记账中查看").first.click()
            page.wait_for_url("**/journal/**")
            # a locator wait: Playwright's string predicates are eval(), which the server's CSP forbids
            page.locator("article").get_by_text("海鲜酒楼").first.wait_for(timeout=10000)
            journal = page.locator("article").inner_text()
            assert "接待检查组宴请" in journal and "新华书店" not in journal

            # an auditor cannot open the editor
            response = page.goto(f"{server}/{quote(NANSHAN_SLUG)}/editor/")
            assert response is not None and response.status == 403
        finally:
            browser.close()
    for name in ("auditor-login.png", "compliance-page.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
    if os.environ.get("STUDIOFUND_UPDATE_DOCS"):
        docs = ARTIFACTS.parent / "docs"
        docs.mkdir(exist_ok=True)
        for name in ("auditor-login.png", "compliance-page.png"):
            shutil.copy(ARTIFACTS / name, docs / name)
