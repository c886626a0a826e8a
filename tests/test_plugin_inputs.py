"""What the plugin's findings rest on reaches Beancount's cache and Fava's watcher.

Beancount's loader keeps a load — the plugin's findings included — in ``.NAME.picklecache``
beside the ledger and trusts it while the files of ``options_map["include"]`` are unchanged;
Fava reloads when one of them changes. The plugin adds the policy files it read and its own code
stamp to that list, so a bureau's policy edit (or an upgrade of studiofund) changes what
``bean-check`` and Fava show, without the ledger being touched.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from beancount import loader
from fava.beans.load import load_uncached

from studiofund import plugin
from studiofund.policy import PROGRAMS_DIR

from ledgertext import BUREAU_POLICY, grant, studio, txn


@pytest.fixture
def cached_loads(monkeypatch):
    """Beancount's cached ``load_file`` as ``bean-check`` uses it, caching every load (not only
    those slower than a second), restored afterwards."""
    monkeypatch.setattr(loader, "PICKLE_CACHE_THRESHOLD", 0)
    loader.initialize(use_cache=True)
    yield loader.load_file
    monkeypatch.undo()
    loader.initialize(use_cache=os.getenv("BEANCOUNT_DISABLE_LOAD_CACHE") is None)


def bureau_ledger(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "bureau.toml"
    policy.write_text(BUREAU_POLICY, encoding="utf-8")
    body = grant("2021-01-05", "30000.00") + txn("2021-03-01", "某书店", "课题研究资料", "Expenses:Research", "100.00")
    text = studio(body, program="my-bureau").replace('  district: "南山区"', '  district: "南山区"\n  policy: "bureau.toml"')
    ledger = tmp_path / "s.beancount"
    ledger.write_text(text, encoding="utf-8")
    return ledger, policy


def rules(errors) -> set[str]:
    return {e.rule for e in errors if hasattr(e, "rule")}


def test_a_policy_edit_changes_the_cached_findings_without_touching_the_ledger(tmp_path, cached_loads):
    ledger, policy = bureau_ledger(tmp_path)
    _, errors, options = cached_loads(str(ledger))
    assert "category-not-permitted" not in rules(errors)
    assert (tmp_path / ".s.beancount.picklecache").exists()
    assert str(policy.resolve()) in options["include"]
    ledger_before = ledger.read_bytes(), ledger.stat().st_mtime_ns

    # the bureau no longer permits research: the cache must not answer with the old findings
    policy.write_text(BUREAU_POLICY.replace("Expenses:Research", "Expenses:Materials"), encoding="utf-8")
    _, errors, _ = cached_loads(str(ledger))
    assert "category-not-permitted" in rules(errors)
    assert (ledger.read_bytes(), ledger.stat().st_mtime_ns) == ledger_before

    # and back, through the cache again
    policy.write_text(BUREAU_POLICY, encoding="utf-8")
    _, errors, _ = cached_loads(str(ledger))
    assert "category-not-permitted" not in rules(errors)


def test_an_unchanged_ledger_and_policy_are_answered_from_the_cache(tmp_path, cached_loads, monkeypatch):
    ledger, _ = bureau_ledger(tmp_path)
    cached_loads(str(ledger))
    monkeypatch.setattr(plugin, "run_checks", lambda *a, **k: pytest.fail("the plugin ran again"))
    _, errors, _ = cached_loads(str(ledger))
    assert "missing-invoice" in rules(errors)


def test_an_upgrade_of_the_code_invalidates_the_cache(tmp_path, cached_loads, monkeypatch):
    """An install writes the package's files anew: the plugin's code stamp is among the inputs."""
    stamp = tmp_path / "plugin.py"
    stamp.write_text("# version 1\n", encoding="utf-8")
    monkeypatch.setattr(plugin, "CODE_STAMP", str(stamp))
    ledger, _ = bureau_ledger(tmp_path)
    _, _, options = cached_loads(str(ledger))
    assert str(stamp) in options["include"]
    runs = []
    real = plugin.run_checks
    monkeypatch.setattr(plugin, "run_checks", lambda *a, **k: runs.append(1) or real(*a, **k))
    cached_loads(str(ledger))
    assert runs == []  # nothing changed: the cache answers
    stamp.write_text("# version 2 (upgraded)\n", encoding="utf-8")
    cached_loads(str(ledger))
    assert runs == [1]  # the plugin ran again


def test_a_bundled_program_rests_on_its_files_and_their_includes(tmp_path):
    ledger = tmp_path / "s.beancount"
    ledger.write_text(studio(grant("2021-01-05", "30000.00"), program="shenzhen-district"), encoding="utf-8")
    _, _, options = load_uncached(str(ledger), is_encrypted=False)  # Fava's own load: uncached
    included = set(options["include"])
    assert str(ledger.resolve()) in included
    assert str((PROGRAMS_DIR / "shenzhen-district.toml").resolve()) in included
    assert str((PROGRAMS_DIR / "_standards.toml").resolve()) in included  # a TOML include of the program
    assert plugin.CODE_STAMP in included
    assert len(options["include"]) == len(included)  # each once


def test_a_broken_policy_file_is_watched_so_its_fix_is_seen(tmp_path, cached_loads):
    ledger, policy = bureau_ledger(tmp_path)
    policy.write_text(BUREAU_POLICY.replace('id = "my-bureau"', 'id = 5'), encoding="utf-8")
    _, errors, options = cached_loads(str(ledger))
    assert any(type(e).__name__ == "StudioConfigError" for e in errors)
    assert str(policy.resolve()) in options["include"]
    policy.write_text(BUREAU_POLICY, encoding="utf-8")
    _, errors, _ = cached_loads(str(ledger))
    assert not any(type(e).__name__ == "StudioConfigError" for e in errors)
    assert "missing-invoice" in rules(errors)


def test_fava_reloads_when_the_policy_changes(tmp_path):
    from fava.core import FavaLedger

    ledger, policy = bureau_ledger(tmp_path)
    fava = FavaLedger(str(ledger), poll_watcher=True)
    assert "category-not-permitted" not in rules(fava.load_errors)
    assert not fava.changed()
    policy.write_text(BUREAU_POLICY.replace("Expenses:Research", "Expenses:Materials"), encoding="utf-8")
    assert fava.changed()  # the watcher saw the policy file and reloaded
    assert "category-not-permitted" in rules(fava.load_errors)


def test_the_word_dictionary_is_an_input_of_the_findings(tmp_path, cached_loads):
    """The content rules segment text with ``_words.txt``: an edit of it alone invalidates."""
    ledger, _ = bureau_ledger(tmp_path)
    _, _, options = cached_loads(str(ledger))
    assert plugin.WORD_STAMP in options["include"]
    assert Path(plugin.WORD_STAMP).name == "_words.txt" and Path(plugin.WORD_STAMP).is_file()
