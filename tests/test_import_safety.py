"""Fault injection: a crash in the middle of writing leaves the ledger as it was."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from clirun import init_studio, run

from studiofund.ledger import writer as ledger_io

FIXTURES = Path(__file__).parent / "fixtures" / "banks"


@pytest.fixture
def ledger(tmp_path) -> Path:
    return init_studio(tmp_path / "studio.beancount")


class Killed(Exception):
    """Stands for the process dying at that point."""


def leftovers(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.tmp"))


@contextmanager
def left_intact(ledger: Path):
    """What the block does must leave ``ledger`` byte for byte as it was, with no temporary file beside it."""
    before = ledger.read_bytes()
    yield
    assert ledger.read_bytes() == before
    assert leftovers(ledger.parent) == []


def test_crash_at_the_rename_leaves_the_ledger_intact(ledger, monkeypatch):
    def crash(src, dst):
        raise OSError(28, "No space left on device")

    with left_intact(ledger):
        monkeypatch.setattr(ledger_io.os, "replace", crash)
        result = run("import", FIXTURES / "ccb_detail.xls", "--ledger", ledger)
        assert result.exit_code == 2 and "写入失败" in result.output


def test_crash_halfway_through_writing_the_new_text(ledger, monkeypatch):
    """The process dies after writing part of the new file: the old file is what remains."""
    real_write = os.write

    def half_write(fd, data):
        real_write(fd, bytes(data[: len(data) // 2]))
        raise Killed("killed mid-write")

    with left_intact(ledger):
        monkeypatch.setattr(ledger_io.os, "write", half_write)
        with pytest.raises(Killed):
            run("import", FIXTURES / "boc_detail.csv", "--ledger", ledger)
        monkeypatch.undo()


def test_crash_during_the_reload_check_leaves_the_ledger_intact(ledger, monkeypatch):
    real = ledger_io._load

    def flaky(path, shown_as):
        if path != shown_as:  # the check of the new text (a temporary file)
            raise MemoryError("crash while reloading")
        return real(path, shown_as)

    with left_intact(ledger):
        monkeypatch.setattr(ledger_io, "_load", flaky)
        with pytest.raises(MemoryError):
            run("import", FIXTURES / "abc_detail.xls", "--ledger", ledger)


def test_after_a_failed_write_the_import_succeeds_once(ledger, monkeypatch):
    monkeypatch.setattr(ledger_io.os, "replace", lambda s, d: (_ for _ in ()).throw(OSError(5, "I/O error")))
    assert run("import", FIXTURES / "cmb_detail.csv", "--ledger", ledger).exit_code == 2
    monkeypatch.undo()
    assert run("import", FIXTURES / "cmb_detail.csv", "--ledger", ledger).exit_code == 0
    once = ledger.read_bytes()
    assert once.count(b"bank-ref:") == 8
    assert run("import", FIXTURES / "cmb_detail.csv", "--ledger", ledger).exit_code == 0
    assert ledger.read_bytes() == once


def test_a_ledger_that_would_not_load_is_not_written(ledger, tmp_path):
    """An existing conflicting balance assertion: the import is refused, nothing written."""
    with open(ledger, "a", encoding="utf-8") as handle:
        handle.write("\n2020-06-29 balance Assets:Bank:Dedicated  0.00 CNY\n")
    before = ledger.read_bytes()
    result = run("import", FIXTURES / "cmb_detail.csv", "--ledger", ledger)
    assert result.exit_code == 2 and "未做任何修改" in result.output
    assert ledger.read_bytes() == before
