"""The private APIs of dependencies we use, each from one adapter module: these tests fail
loudly when a new version of the dependency changes what the adapter relies on."""

from __future__ import annotations

import inspect
from pathlib import Path

from beancount import loader

from studiofund.ledger.uncached import load_uncached

from ledgertext import studio, txn


def test_beancount_loader_load_still_takes_sources_and_three_options():
    """``studiofund.ledger.uncached`` calls ``loader._load([(filename, True)], None, None, None)``."""
    params = list(inspect.signature(loader._load).parameters)
    assert params == ["sources", "log_timings", "extra_validations", "encoding"]


def test_the_uncached_load_equals_beancounts_own_and_writes_no_cache(tmp_path):
    year = tmp_path / "2021.beancount"
    year.write_text(txn("2021-03-01", "某书店", "图书", "Expenses:Materials", "100.00"), encoding="utf-8")
    top = tmp_path / "studio.beancount"
    top.write_text(studio('include "2021.beancount"\n'), encoding="utf-8")

    entries, errors, options = load_uncached(top)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021.beancount", "studio.beancount"]
    assert [e.narration for e in entries if hasattr(e, "narration")] == ["图书"]
    assert {"missing-invoice", "missing-signoff"} <= {e.rule for e in errors}  # the plugin ran
    # the ledger's files, then what the plugin's findings rest on (its policy files, its code file)
    ledger_files = [name for name in options["include"] if Path(name).parent == tmp_path]
    assert sorted(ledger_files) == [str(year), str(top)]
    assert all(name.endswith((".toml", ".txt", "plugin.py")) for name in options["include"] if name not in ledger_files)
    theirs, their_errors, _ = loader.load_file(str(top))
    assert len(theirs) == len(entries) and len(their_errors) == len(errors)
