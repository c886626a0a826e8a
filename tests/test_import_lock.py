"""`studiofund import` plans under the writer's lock: which statement lines are new, and where the
hand-booked entries to link stand, is decided from the ledger as read under the lock, so two
imports of the same statement at the same instant append its lines once and link each entry
once — also when that entry lives in an included year file.

Each round holds the ledger's lock while two import processes start, so that both are ready
before either may write (the race the old plan-before-the-lock lost), then lets them go.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from beancount import loader
from beancount.core import data
from filelock import FileLock

from clirun import init_studio, run
from ledgertext import CMB_BOOKS, CMB_GRANT, CMB_WEBSITE
from studiofund.ledger.writer import lock_path

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
STATEMENT = FIXTURES / "cmb_detail.csv"  # eight lines; three of them book hand-booked entries

HAND_BOOKED = CMB_GRANT + CMB_BOOKS + CMB_WEBSITE
ROUNDS = 10


def _import(ledger: Path) -> subprocess.Popen:
    env = dict(os.environ, STUDIOFUND_LOCK_TIMEOUT="120")
    return subprocess.Popen([sys.executable, "-m", "studiofund", "import", str(STATEMENT), "--ledger", str(ledger)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)


def _ledger(directory: Path) -> tuple[Path, Path]:
    directory.mkdir()
    ledger = init_studio(directory / "studio.beancount", name="南山区李梅名班主任工作室",
                         host_school="深圳市南山区第二实验学校")
    year = directory / "2020.beancount"
    year.write_text(HAND_BOOKED.lstrip(), encoding="utf-8")
    with open(ledger, "a", encoding="utf-8") as handle:
        handle.write('\ninclude "2020.beancount"\n')
    return ledger, year


def test_two_imports_of_one_statement_at_once_append_its_lines_once(tmp_path):
    for round_ in range(ROUNDS):
        ledger, year = _ledger(tmp_path / f"round{round_}")
        lock = FileLock(str(lock_path(ledger)))
        with lock:  # both processes start (and, before the fix, planned) while the lock is held
            first, second = _import(ledger), _import(ledger)
            time.sleep(2.0 if round_ % 2 == 0 else 0.3)
        outs = [p.communicate(timeout=180) for p in (first, second)]
        codes = [p.returncode for p in (first, second)]
        assert codes == [0, 0], outs
        said = "".join(out for out, _ in outs)
        assert said.count("新增 5 笔分录") == 1 and said.count("没有新的流水，账簿未改动。") == 1, outs

        entries, errors, _ = loader.load_file(str(ledger))
        assert [e for e in errors if type(e).__name__ != "Finding"] == []
        refs = [e.meta["bank-ref"] for e in entries if isinstance(e, data.Transaction) and "bank-ref" in e.meta]
        assert len(refs) == 8 and len(set(refs)) == 8  # every line once, linked or new
        assert year.read_text(encoding="utf-8").count("bank-ref:") == 3  # each included entry linked once


def test_an_import_refused_under_the_lock_leaves_the_included_year_file_as_it_was(tmp_path, monkeypatch):
    """The included year file is edited with the ledger, under the ledger's lock: when the new
    ledger is refused, the year file is put back."""
    from studiofund.ledger import writer

    ledger, year = _ledger(tmp_path / "refused")
    before = {p: p.read_bytes() for p in (ledger, year)}
    seen = {}
    real_load = writer._load

    def load(path, shown_as):
        if Path(path) == Path(shown_as):  # the ledger as it is
            return real_load(path, shown_as)
        seen["year"] = year.read_text(encoding="utf-8")  # validating the new text
        raise writer.LedgerWriteError(f"{shown_as}：写入后账簿将无法正确加载（测试）；未做任何修改。")

    monkeypatch.setattr(writer, "_load", load)
    result = run("import", STATEMENT, "--ledger", ledger)
    assert result.exit_code == 2 and "未做任何修改" in result.output
    assert seen["year"].count("bank-ref:") == 3  # the edit was in place while the new ledger was validated
    assert {p: p.read_bytes() for p in before} == before


def test_only_a_file_the_ledger_includes_may_be_edited_with_it(tmp_path):
    from studiofund.ledger.writer import LedgerWriteError, LedgerWriter

    ledger, year = _ledger(tmp_path / "includes")
    other = tmp_path / "other.beancount"
    other.write_text("; 别的文件\n", encoding="utf-8")
    with LedgerWriter(ledger) as w:
        assert "深圳书城" in w.read_included(year)
        policy = next(p for p in w.before().options_map["include"] if p.endswith(".toml"))  # the plugin's input
        for stranger in (other, ledger, Path(policy)):
            try:
                w.read_included(stranger)
            except LedgerWriteError as exc:
                assert "不是账簿" in str(exc)
            else:
                raise AssertionError(f"{stranger} was accepted as an include")
    assert other.read_text(encoding="utf-8") == "; 别的文件\n"
