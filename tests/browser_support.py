"""What the browser tests share: where Debian's Chromium is and how it is started, and a web
app served on a free port of 127.0.0.1 from a thread."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

CHROMIUM = os.environ.get("STUDIOFUND_CHROMIUM", "/usr/bin/chromium")
#: headless on a machine without network: without the background-networking flags Chromium
#: keeps trying to reach Google's hosts
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve ``app`` until the block ends; yields its base URL."""
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=5)


def launch(playwright):
    """Debian's Chromium, headless (``make test`` installs it when run as root)."""
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk "
        "(make test installs them when run as root), or set STUDIOFUND_CHROMIUM"
    )
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


@contextmanager
def served_site(tmp_path: Path, *, appended: str = "", futian: bool = False) -> Iterator[tuple[str, object]]:
    """The web fixtures' site (test_web_fixtures.make_site) with ``appended`` written at the end of
    Nanshan's ledger, served until the block ends: yields the base URL and the site. Futian's
    ledger is served too when ``futian``."""
    from studiofund.web.app import build_app
    from test_web_fixtures import make_site

    site = make_site(tmp_path)
    with open(site.nanshan, "a", encoding="utf-8") as handle:
        handle.write(appended)
    ledgers = [site.nanshan, site.futian] if futian else [site.nanshan]
    with serving(build_app(ledgers, site.users, load=True)) as base:
        yield base, site


def fill_login(page, base: str, name: str, passwords: dict[str, str]) -> None:
    """Submit the login form as ``name`` (its password from ``passwords``)."""
    page.goto(base + "/login")
    page.fill("#username", name)
    page.fill("#password", passwords[name])
    page.click("button[type=submit]")


def login(page, base: str, name: str) -> None:
    """Log in as one of the web fixtures' users and wait until the login page is left."""
    from test_web_fixtures import PASSWORDS

    fill_login(page, base, name, PASSWORDS)
    page.wait_for_url(lambda url: "/login" not in url and url.rstrip("/") != base)


@contextmanager
def chromium(**options) -> Iterator:
    """A browser context of headless Chromium in Chinese (``options`` as for Playwright's
    ``new_context``), closed with its browser when the block ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        try:
            yield browser.new_context(locale="zh-CN", **options)
        finally:
            browser.close()


@contextmanager
def officer_page(base: str, height: int) -> Iterator:
    """A page 1440 wide and ``height`` high, logged in as Nanshan's officer; the screenshots'
    directory exists."""
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium(viewport={"width": 1440, "height": height}) as context:
        page = context.new_page()
        login(page, base, "nanshan-officer")
        yield page


def fill_desk(page, *, payee: str, narration: str, account: str, date: str | None = None,
              amount: str | None = None, invoice: str | None = None) -> None:
    """Fill the 记账 desk's form in the order an officer does; a field given as None is left as it is."""
    if date is not None:
        page.fill("#sfd-date", date)
    page.fill("#sfd-payee", payee)
    page.fill("#sfd-narration", narration)
    page.select_option("#sfd-account", label=account)
    if amount is not None:
        page.fill("#sfd-amount", amount)
    if invoice is not None:
        page.fill("#sfd-invoice-0", invoice)


def refusal(page, rule: str) -> str:
    """Wait until the desk's preview refuses with a finding of ``rule``; the finding's text."""
    page.wait_for_selector(f'#sfd-findings .sfd-finding.error[data-rule="{rule}"]', timeout=15000)
    return page.locator(f'#sfd-findings [data-rule="{rule}"]').inner_text()
