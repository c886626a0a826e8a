"""The one writer: locked, atomic, validated, refusing sealed years, nothing left behind.

Concurrency: pairs of writers at once (threads and processes) on an 8,000-transaction ledger,
each appending its own entry computed from the text it read under the lock — every update must
survive. Fault injection: an exception at each step of a write leaves the old file, no ``.tmp``
file and no staged scan.
"""

from __future__ import annotations

import errno
import importlib.util
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from clirun import init_studio, run
from studiofund.ledger import writer
from studiofund.ledger.loading import load_ledger
from studiofund.ledger.text import remove_directives, split_lines
from studiofund.ledger.writer import (LedgerBusyError, LedgerWriteError, LedgerWriter, LockedFile,
                                      SealedYearError, append_to_ledger, update_ledger)

BENCH = Path(__file__).resolve().parent.parent / "bench"
BIN = Path(sys.executable).parent


def leftovers(directory: Path) -> list[str]:
    """Temporary files a failed write would leave (the lock file stays by design)."""
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".tmp"))


def grant(voucher: str, date: str = "2021-03-01", amount: str = "10.00") -> str:
    return (f'{date} * "深圳市教育局" "市级拨款"\n  voucher: "{voucher}"\n'
            f"  Assets:Bank:Dedicated  {amount} CNY\n  Income:Grant:City\n")


@pytest.fixture
def studio(tmp_path) -> Path:
    path = init_studio(tmp_path / "studio.beancount", start="2020-01-01")
    append_to_ledger(path, grant("2020-001", "2020-03-01", "40000.00"))
    return path


# -- concurrency ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_check", BENCH / "bench_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("big") / "big.beancount"
    module.generate(path, 8000)
    return path


def _append(path: str, voucher: str) -> None:
    append_to_ledger(path, grant(voucher, "2024-12-30"))


def _vouchers(path: Path, prefix: str) -> list[str]:
    return [line.split('"')[1] for line in path.read_text(encoding="utf-8").split("\n")
            if line.startswith(f'  voucher: "{prefix}')]


def _assert_loads(path: Path, before_errors: int) -> None:
    loaded = load_ledger(path)
    assert not loaded.parse_errors
    assert len(loaded.load_errors) == before_errors


PAIRS = 10  # of threads, and as many of processes: 20 pairs (bench/bench_writers.py runs more)


def test_two_threads_at_once_lose_no_update(big_ledger):
    """Pairs of threads, each writer appending its own entry: every entry is in the ledger."""
    errors_before = len(load_ledger(big_ledger).load_errors)
    for pair in range(PAIRS):
        threads = [threading.Thread(target=_append, args=(big_ledger, f"T{pair:02d}-{side}")) for side in "ab"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    written = _vouchers(big_ledger, "T")
    assert sorted(written) == sorted(f"T{p:02d}-{s}" for p in range(PAIRS) for s in "ab")
    _assert_loads(big_ledger, errors_before)
    assert leftovers(big_ledger.parent) == []


def test_two_processes_at_once_lose_no_update(big_ledger):
    """Pairs of processes, started together: every entry is in the ledger."""
    errors_before = len(load_ledger(big_ledger).load_errors)
    ctx = multiprocessing.get_context("fork")
    for pair in range(PAIRS):
        procs = [ctx.Process(target=_append, args=(str(big_ledger), f"P{pair:02d}-{side}")) for side in "ab"]
        for p in procs:
            p.start()
        for p in procs:
            p.join(timeout=120)
            assert p.exitcode == 0
    written = _vouchers(big_ledger, "P")
    assert sorted(written) == sorted(f"P{p:02d}-{s}" for p in range(PAIRS) for s in "ab")
    _assert_loads(big_ledger, errors_before)
    assert leftovers(big_ledger.parent) == []


def test_two_budget_commands_at_once_keep_both_budgets(big_ledger):
    """The case that lost an update every time before the writer: two `budget` runs at once."""
    for pair, (a, b) in enumerate([("Research", "Materials")]):
        cmds = [[str(BIN / "studiofund"), "budget", str(big_ledger), "--year", "2024", "--allow-over",
                 "--set", f"{account}={1000 + pair}"] for account in (a, b)]
        procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for c in cmds]
        for p in procs:
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err.decode()
        text = big_ledger.read_text(encoding="utf-8")
        for account in (a, b):
            assert f'2024-01-01 custom "budget" Expenses:{account} "yearly" {1000 + pair}.00 CNY' in text


def test_a_second_writer_waits_then_gives_up_with_a_clear_message(studio):
    before = studio.read_bytes()
    with LedgerWriter(studio):
        with pytest.raises(LedgerBusyError, match="正在写入这个文件.*稍后重试"):
            with LedgerWriter(studio, timeout=0.2) as w:
                w.replace(w.read() + "\n")
    assert studio.read_bytes() == before


def test_the_change_is_computed_from_the_text_read_under_the_lock(studio):
    """update_ledger hands the change function the current text: a write made while another
    writer waited is the base of the waiting writer's change."""
    started = threading.Event()
    release = threading.Event()

    def slow_first():
        with LedgerWriter(studio) as w:
            started.set()
            release.wait(5)
            w.replace(w.read() + "\n" + grant("2020-101"))

    first = threading.Thread(target=slow_first)
    first.start()
    started.wait(5)
    second = threading.Thread(target=update_ledger, args=(studio, lambda text, _: text + "\n" + grant("2020-102")))
    second.start()
    release.set()
    first.join()
    second.join()
    assert sorted(_vouchers(studio, "2020-1")) == ["2020-101", "2020-102"]


# -- validation and sealed years ----------------------------------------------------------------------


def test_a_ledger_that_would_not_load_is_refused(studio):
    before = studio.read_bytes()
    with pytest.raises(LedgerWriteError, match="无法正确加载.*未做任何修改"):
        append_to_ledger(studio, '2021-02-01 * "x" "y"\n  Assets:Bank:Dedicated 1.00 CNY\n  Expenses:Unopened\n')
    assert studio.read_bytes() == before
    assert leftovers(studio.parent) == []


def test_a_caller_check_refuses_before_the_rename(studio):
    before = studio.read_bytes()

    def refuse(after):
        assert any(getattr(e, "meta", {}).get("voucher") == "2020-009" for e in after.entries)
        raise LedgerWriteError("不行")

    with pytest.raises(LedgerWriteError, match="不行"):
        append_to_ledger(studio, grant("2020-009"), check=refuse)
    assert studio.read_bytes() == before


def test_the_new_load_names_the_ledger_not_the_temporary_file(studio):
    after = append_to_ledger(studio, grant("2020-010", "2020-05-01"))
    entry = next(e for e in after.entries if (e.meta or {}).get("voucher") == "2020-010")
    assert entry.meta["filename"] == str(studio.resolve())
    assert after.options_map["filename"] == str(studio.resolve())


def _sealed(studio: Path) -> Path:
    result = run("close", studio, "--year", "2020")
    assert result.exit_code == 0, result.output
    return studio


@pytest.mark.parametrize("change, words", [
    (lambda text: text + "\n" + grant("2020-050", "2020-06-01"), "不得新增或改动"),
    (lambda text: text.replace("40000.00 CNY", "40001.00 CNY"), "不得新增或改动"),
    (lambda text: remove_directives(text, {_line_of(text, "open Expenses:Network")}), "不得删除"),
    (lambda text: "\n".join(l for l in text.split("\n") if "studio-sealed" not in l and "entries:" not in l),
     "删除了封账记录"),
])
def test_a_sealed_year_is_not_changed(studio, change, words):
    _sealed(studio)
    before = studio.read_bytes()
    with pytest.raises(SealedYearError, match=words):
        update_ledger(studio, lambda text, _: change(text))
    assert studio.read_bytes() == before


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(split_lines(text), start=1) if needle in line)


def test_a_year_after_the_sealed_one_and_a_reopened_year_are_written(studio):
    _sealed(studio)
    append_to_ledger(studio, grant("2021-001", "2021-03-01"))
    assert run("close", studio, "--year", "2020", "--reopen", "--reason", "更正").exit_code == 0
    append_to_ledger(studio, '2020-07-01 note Assets:Bank:Dedicated "更正说明"\n')
    assert "更正说明" in studio.read_text(encoding="utf-8")


# -- fault injection -------------------------------------------------------------------------------


class Killed(BaseException):
    """Stands for the process being interrupted at that point (not an Exception)."""


def _boom(exc):
    def fail(*args, **kwargs):
        raise exc
    return fail


FAULTS = {
    "mkstemp": ("tempfile", "mkstemp", OSError(errno.EACCES, "Permission denied")),
    "disk full while writing": ("os", "write", OSError(errno.ENOSPC, "No space left on device")),
    "fsync": ("os", "fsync", OSError(errno.EIO, "I/O error")),
    "chmod": ("os", "chmod", Killed()),
    "reload": ("writer", "_load", MemoryError("crash while reloading")),
    "seal check": ("writer", "refuse_sealed_changes", Killed()),
    "rename": ("os", "replace", OSError(errno.EIO, "I/O error")),
    "interrupted rename": ("os", "replace", Killed()),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_at_any_step_leaves_the_old_file_and_nothing_else(studio, monkeypatch, fault):
    module_name, attr, exc = FAULTS[fault]
    module = {"os": writer.os, "tempfile": writer.tempfile, "writer": writer}[module_name]
    scan = studio.parent / "studio.documents" / "Expenses" / "Materials" / "2020-05-01.2020-011.pdf"
    if fault == "seal check":
        _sealed(studio)
    before = studio.read_bytes()
    files_before = sorted(p.name for p in studio.parent.rglob("*"))
    monkeypatch.setattr(module, attr, _boom(exc))
    with pytest.raises((LedgerWriteError, type(exc))):
        with LedgerWriter(studio) as w:
            w.stage(scan, b"%PDF-1.4 scan")
            w.replace(w.read() + "\n" + grant("2021-011", "2021-05-01"))
    monkeypatch.undo()
    assert studio.read_bytes() == before
    assert leftovers(studio.parent) == []
    assert not scan.exists()
    assert sorted(p.name for p in studio.parent.rglob("*")) == files_before


def test_a_full_disk_says_so_in_chinese(studio, monkeypatch):
    monkeypatch.setattr(writer.os, "write", _boom(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(LedgerWriteError, match="写入失败（磁盘空间不足）"):
        append_to_ledger(studio, grant("2020-012"))


def test_a_full_disk_halfway_through_a_file(studio, monkeypatch):
    real = os.write
    calls = {"n": 0}

    def partial(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            return real(fd, bytes(data[: len(data) // 3]))
        raise OSError(errno.ENOSPC, "No space left on device")

    before = studio.read_bytes()
    monkeypatch.setattr(writer.os, "write", partial)
    with pytest.raises(LedgerWriteError, match="磁盘空间不足"):
        append_to_ledger(studio, grant("2020-013"))
    monkeypatch.undo()
    assert studio.read_bytes() == before
    assert leftovers(studio.parent) == []


def test_a_staged_scan_is_written_with_the_ledger(studio):
    scan = studio.parent / "studio.documents" / "Expenses" / "Materials" / "2020-05-01.2020-014.pdf"
    with LedgerWriter(studio) as w:
        w.stage(scan, b"%PDF-1.4 scan")
        w.replace(w.read() + "\n" + grant("2020-014", "2020-05-01"))
    assert scan.read_bytes() == b"%PDF-1.4 scan"
    assert "2020-014" in studio.read_text(encoding="utf-8")


# -- other files -----------------------------------------------------------------------------------


def test_users_file_keeps_its_mode(tmp_path):
    users = tmp_path / "users.toml"
    assert run("user", "add", users, "甲", "--role", "auditor", "--password-stdin", input="password-1\n").exit_code == 0
    assert users.stat().st_mode & 0o777 == 0o600
    os.chmod(users, 0o400)
    result = run("user", "add", users, "乙", "--role", "officer", "--password-stdin", input="password-2\n")
    assert result.exit_code == 0, result.output
    assert users.stat().st_mode & 0o777 == 0o400
    assert "乙" in users.read_text(encoding="utf-8") and "甲" in users.read_text(encoding="utf-8")
    assert leftovers(tmp_path) == []


def test_locked_file_outside_its_block_is_an_error(tmp_path):
    f = LockedFile(tmp_path / "x.txt")
    with pytest.raises(RuntimeError):
        f.replace("x")


# -- text edits split on "\n" only ---------------------------------------------------------------------


def test_budget_after_a_narration_with_a_line_separator_replaces_the_right_directive(studio):
    """#11: an imported 用途 holding U+2028 made `budget` delete the wrong directive."""
    odd = '2020-04-01 * "某单位" "用途\u2028第二行\x0c第三行\r第四"\n  voucher: "2020-020"\n' \
          '  Assets:Bank:Dedicated  1.00 CNY\n  Income:Grant:Other\n'
    with open(studio, "a", encoding="utf-8", newline="") as handle:
        handle.write("\n" + odd)
    assert run("budget", studio, "--year", "2020", "--set", "Research=1000").exit_code == 0
    assert run("budget", studio, "--year", "2020", "--set", "Research=2000").exit_code == 0
    text = studio.read_bytes().decode("utf-8")
    assert odd in text
    assert 'Expenses:Research "yearly" 2000.00 CNY' in text
    assert 'Expenses:Research "yearly" 1000.00 CNY' not in text
    assert len(split_lines(text)) == text.count("\n") + (0 if text.endswith("\n") else 1)
