"""studiofund.web.fava_ledgers speaks Fava's private ledger-registry protocol; these tests fail
loudly when Fava changes how it reads ``app.config["LEDGERS"]`` (then re-read
fava/application.py and fava/internal_api.py and update the adapter)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import fava
import fava.application
import fava.internal_api

from studiofund.web.fava_ledgers import CHECKED_FAVA, FavaLedgers

CHANGED = "Fava changed its ledger registry protocol: re-read fava/application.py and update studiofund/web/fava_ledgers.py"


def test_checked_fava_version():
    assert fava.__version__.startswith(CHECKED_FAVA + "."), CHANGED


def test_only_the_known_modules_read_the_registry():
    root = Path(fava.__file__).parent
    readers = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py")
                     if '"LEDGERS"' in p.read_text(encoding="utf-8"))
    assert readers == ["application.py", "internal_api.py"], CHANGED


def test_the_calls_fava_makes_are_the_ones_the_adapter_answers():
    filters = inspect.getsource(fava.application._setup_filters)
    routes = inspect.getsource(fava.application._setup_routes)
    ledger_data = inspect.getsource(fava.internal_api.get_ledger_data)
    # the ledger of a URL: ledgers[slug], a KeyError being a 404
    assert re.search(r'ledgers: _LedgerSlugLoader = fava_app\.config\["LEDGERS"\]\s+g\.ledger = ledgers\[g\.beancount_file_slug\]\s+except KeyError:\s+abort\(404\)', filters), CHANGED
    # "/" and "/<slug>/": first_slug() and ledgers[slug].fava_options.default_page
    calls = set(re.findall(r"ledgers(\.\w+\(|\[)", routes))
    assert calls == {".first_slug(", "["}, CHANGED
    assert "ledgers[g.beancount_file_slug].fava_options.default_page" in routes, CHANGED
    # the switcher: items(), reading each ledger's title only
    assert re.search(r'\(ledger\.options\["title"\], url_for\("index", bfile=file_slug\)\)\s+'
                     r'for \(file_slug, ledger\) in current_app\.config\["LEDGERS"\]\.items\(\)', ledger_data), CHANGED
    # create_app still puts its own loader where we replace it
    assert 'fava_app.config["LEDGERS"] = _LedgerSlugLoader(' in inspect.getsource(fava.application.create_app), CHANGED


def test_the_adapter_offers_what_fava_calls():
    for name in ("first_slug", "items", "__getitem__"):
        assert callable(getattr(FavaLedgers, name))
    assert not issubclass(FavaLedgers, fava.application._LedgerSlugLoader)
