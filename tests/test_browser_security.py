"""In headless Chromium: an officer's Fava has no editor or import in the sidebar, the pages
work under the server's Content-Security-Policy, and logging out really ends the session.

Debian's chromium is required (``make test`` installs it); without it this test fails.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from studiofund.web.app import build_app
from browser_support import chromium, fill_login, serving
from web_world import NANSHAN, PASSWORDS, make_world


@pytest.fixture
def server(tmp_path):
    world = make_world(tmp_path)
    app = build_app([world.nanshan, world.futian], world.users, load=True, cache_directory=tmp_path / "cache")
    try:
        with serving(app) as base:
            yield base
    finally:
        app.config["STUDIOFUND_OVERVIEW"].close()


@contextmanager
def signed_in(server: str, name: str):
    """Headless Chromium's context and page after the login form is sent as ``name``, and the
    Content-Security-Policy violations its console reports from then on."""
    with chromium() as context:
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        fill_login(page, server, name, PASSWORDS)
        yield context, page, blocked


def test_officer_sees_no_editor_and_logout_ends_the_session(server):
    with signed_in(server, "nanshan-officer") as (context, page, blocked):
        page.wait_for_url("**/extension/Compliance/**")  # one ledger: its 经费合规 page
        page.wait_for_selector("aside a[href$='/journal/']")

        # the sidebar: journal and query yes; editor, import and the add-entry button hidden
        assert page.locator("aside a[href$='/journal/']").first.is_visible()
        assert page.locator("aside a[href$='/query/']").first.is_visible()
        for selector in ("aside a[href$='/editor/']", "aside a[href$='/import/']", "a[href='#add-transaction']"):
            assert page.locator(selector).count() == 0 or not page.locator(selector).first.is_visible(), selector

        # a query runs on the query page (its result comes back through the guarded shell)
        page.goto(f"{server}{NANSHAN}/query/?query_string=SELECT%20narration")
        # (locator waits: Playwright's string predicates are eval(), which the CSP forbids)
        page.locator("article").get_by_text("购买图书资料").first.wait_for(timeout=15000)
        page.goto(f"{server}{NANSHAN}/journal/")
        page.locator("article").get_by_text("新华书店").first.wait_for(timeout=15000)
        assert blocked == [], blocked

        # the editor by URL: refused in Chinese
        response = page.goto(f"{server}{NANSHAN}/editor/")
        assert response is not None and response.status == 403
        assert "记账" in page.content()

        # logging out ends the session on the server: the old cookie no longer opens anything
        cookie = next(c for c in context.cookies() if c["name"] == "studiofund_session")
        page.goto(server + "/logout")
        assert "/login" in page.url
        context.add_cookies([{**cookie}])
        response = page.goto(f"{server}{NANSHAN}/income_statement/")
        assert "/login" in page.url


def test_overview_scripts_run_under_the_csp(server):
    """The overview's inline script (sorting) is allowed by its hash; an injected one would not be."""
    with signed_in(server, "city-auditor") as (_, page, blocked):
        page.wait_for_load_state()
        page.goto(server + "/?year=2020")
        header = page.locator("#studios thead th").first
        header.wait_for(timeout=60000)
        header.click()
        assert header.get_attribute("aria-sort") == "ascending"  # the page's script ran
        assert blocked == [], blocked
        # a script the page did not ship is refused by the browser
        page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.sfInjected = 1'; document.body.append(s); }""")
        assert page.evaluate("() => window.sfInjected === undefined")
