"""Our load of a ledger is Beancount's: the same entries and errors as ``loader.load_file``,
from the public steps of its loader (parse, book, run the plugins, validate), without its
pickle cache beside the ledger."""

from __future__ import annotations

import inspect
from pathlib import Path

from beancount import loader
from beancount.parser import booking, parser

from studiofund.ledger.loading import load_entries

from ledgertext import studio, txn


def test_the_loader_steps_we_call_keep_their_signatures():
    assert list(inspect.signature(loader.run_transformations).parameters) == [
        "entries", "parse_errors", "options_map", "log_timings"]
    assert list(inspect.signature(loader.aggregate_options_map).parameters) == ["options_map", "other_options_map"]
    assert list(inspect.signature(loader.compute_input_hash).parameters) == ["filenames"]
    assert list(inspect.signature(booking.book).parameters)[:2] == ["incomplete_entries", "options_map"]
    assert "report_filename" in inspect.signature(parser.parse_file).parameters


def test_our_load_equals_beancounts_own_and_writes_no_cache(tmp_path):
    year = tmp_path / "2021.beancount"
    year.write_text(txn("2021-03-01", "某书店", "图书", "Expenses:Materials", "100.00"), encoding="utf-8")
    top = tmp_path / "studio.beancount"
    top.write_text(studio('include "2021.beancount"\n'), encoding="utf-8")

    entries, errors, options = load_entries(top)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["2021.beancount", "studio.beancount"]
    assert [e.narration for e in entries if hasattr(e, "narration")] == ["图书"]
    assert {"missing-invoice", "missing-signoff"} <= {e.rule for e in errors}  # the plugin ran
    # the ledger's files, then what the plugin's findings rest on (its policy files, its code file)
    ledger_files = [name for name in options["include"] if Path(name).parent == tmp_path]
    assert sorted(ledger_files) == [str(year), str(top)]
    assert all(name.endswith((".toml", ".txt", "plugin.py")) for name in options["include"] if name not in ledger_files)
    theirs, their_errors, their_options = loader.load_file(str(top))
    assert len(theirs) == len(entries) and len(their_errors) == len(errors)
    assert [type(e).__name__ for e in theirs] == [type(e).__name__ for e in entries]
    assert their_options["input_hash"] == options["input_hash"]


def _what_load_file_does(method) -> tuple[list[str], set[str]]:
    """The ``self.<part>.<method>()`` calls of a ``load_file`` in source order, and the
    attributes it sets on ``self``."""
    import ast
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
    calls, sets = [], set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Attribute)
                and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "self"):
            calls.append((node.lineno, node.col_offset, f"{node.func.value.attr}.{node.func.attr}"))
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for t in (target.elts if isinstance(target, ast.Tuple) else [target]):
                    if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self":
                        sets.add(t.attr)
    return [name for _, _, name in sorted(calls)], sets


def test_the_confined_fava_ledger_loads_as_favas_own_does():
    """``web/confine.py``'s ``ConfinedLedger.load_file`` follows Fava's ``FavaLedger.load_file``
    step by step (Fava has no public way to load a ledger its own way): if Fava calls another
    module's ``load_file`` or sets another attribute, re-read ``fava/core/__init__.py`` and
    update ``ConfinedLedger.load_file``."""
    from fava.core import FavaLedger

    from studiofund.web.confine import ConfinedLedger

    their_calls, their_sets = _what_load_file_does(FavaLedger.load_file)
    our_calls, our_sets = _what_load_file_does(ConfinedLedger.load_file)
    assert "accounts.load_file" in their_calls and "extensions.after_load_file" in their_calls
    assert our_calls == their_calls
    assert their_sets <= our_sets, their_sets - our_sets
