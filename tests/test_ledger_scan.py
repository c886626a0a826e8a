"""Finding studios in a directory: each file's scan is remembered by its size, times and inode,
and an edited file is read again."""

from __future__ import annotations

import os

import pytest

from studiofund import files
from studiofund.ledger import loading
from studiofund.ledger.loading import find_ledgers, year_outside_books

from ledgertext import studio


@pytest.fixture
def reads(monkeypatch, tmp_path):
    """The files the scan reads (a fresh process each time: the process's memo emptied)."""
    seen: list[str] = []
    real = loading.read_source

    def counting(path, **kwargs):
        seen.append(os.path.basename(path))
        return real(path, **kwargs)

    monkeypatch.setattr(loading, "read_source", counting)
    monkeypatch.setattr(loading, "_SCANNED", {})
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    return seen


def new_process(monkeypatch, reads: list[str]) -> None:
    monkeypatch.setattr(loading, "_SCANNED", {})
    reads.clear()


def ledgers(tmp_path):
    root = tmp_path / "studios"
    root.mkdir()
    for name in ("a", "b", "c"):
        text = studio(program="shenzhen-district", name=f"{name}工作室", district="南山区", host_school="学校",
                      cycle_start="2019-01-01", accounts=("Assets:Bank:Dedicated",))
        (root / f"{name}.beancount").write_text(text, encoding="utf-8")
    (root / "notes.beancount").write_text("2020-01-01 open Assets:Cash CNY\n", encoding="utf-8")
    return root


def settle(path, seconds_ago: int = 60) -> None:
    """Give a file a modification time in the past (its change time stays now)."""
    when = os.stat(path).st_mtime_ns - seconds_ago * 1_000_000_000
    os.utime(path, ns=(when, when))


def edit_same_size(path, *changes: tuple[str, str]) -> None:
    text = path.read_text(encoding="utf-8")
    size = os.stat(path).st_size
    for old, new in changes:
        assert old in text and len(old.encode()) == len(new.encode())
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    assert os.stat(path).st_size == size


#: a studio ledger's text no longer declaring a studio nor running our plugin, at the same size
UNDECLARE = (('custom "studio"', 'custom "stuxio"'), ('plugin "studiofund.plugin"', 'plugin "studiofund.plugxn"'))


def test_an_unchanged_directory_is_found_again_without_reading_a_file(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(files, "RACY_NS", 0)  # the files count as settled at once
    root = ledgers(tmp_path)
    first = find_ledgers([root])
    assert sorted(p.name for p in first) == ["a.beancount", "b.beancount", "c.beancount"]
    assert sorted(reads) == ["a.beancount", "b.beancount", "c.beancount", "notes.beancount"]

    new_process(monkeypatch, reads)
    assert find_ledgers([root]) == first
    assert year_outside_books(first, 2018, 2026)  # the cycle starts, from the index too
    assert reads == []


def test_a_ledger_edited_to_the_same_size_is_read_again(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(files, "RACY_NS", 0)
    root = ledgers(tmp_path)
    find_ledgers([root])
    assert year_outside_books(find_ledgers([root]), 2018, 2026)  # 2018 is before every cycle

    # the declaration of b taken away, and a's cycle start moved to 2017, sizes unchanged
    edit_same_size(root / "b.beancount", *UNDECLARE)
    edit_same_size(root / "a.beancount", ("cycle-start: 2019", "cycle-start: 2017"))
    new_process(monkeypatch, reads)
    found = find_ledgers([root])
    assert sorted(p.name for p in found) == ["a.beancount", "c.beancount"]
    assert sorted(reads) == ["a.beancount", "b.beancount"]
    assert year_outside_books(found, 2018, 2026) == ""


def test_an_edit_that_puts_the_modification_time_back_is_read_again(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(files, "RACY_NS", 0)
    root = ledgers(tmp_path)
    path = root / "c.beancount"
    settle(path)
    before = os.stat(path)
    find_ledgers([root])

    edit_same_size(path, *UNDECLARE)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # size and mtime as scanned
    new_process(monkeypatch, reads)
    assert sorted(p.name for p in find_ledgers([root])) == ["a.beancount", "b.beancount"]
    assert reads == ["c.beancount"]


def test_a_file_changed_just_before_the_scan_is_not_trusted(tmp_path, monkeypatch, reads):
    # a second edit in the same clock tick would leave size and times as they were: a file
    # written within the racy window is read again on every run until it settles
    root = ledgers(tmp_path)
    find_ledgers([root])
    new_process(monkeypatch, reads)
    find_ledgers([root])
    assert len(reads) == 4


def test_a_file_whose_time_was_set_back_just_before_the_scan_is_not_trusted(tmp_path, monkeypatch, reads):
    # its modification time is old, but its change time is now: it counts as changed just now
    root = ledgers(tmp_path)
    for path in root.iterdir():
        settle(path)
    find_ledgers([root])
    new_process(monkeypatch, reads)
    find_ledgers([root])
    assert len(reads) == 4


def test_settled_means_every_time_lies_the_racy_window_before_the_record(monkeypatch):
    monkeypatch.setattr(files, "RACY_NS", 10)
    assert files.settled([0, 89], taken=100)
    assert not files.settled([0, 90], taken=100)  # the change time, say, too recent
    assert files.stats_hold([[5, 89]], [[5, 89]], taken=100)
    assert not files.stats_hold([[5, 90]], [[5, 90]], taken=100)
    assert not files.stats_hold([[5, 80]], [[6, 80]], taken=100)


def test_a_directory_listed_with_a_broken_index_is_read_as_without_one(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(files, "RACY_NS", 0)
    root = ledgers(tmp_path)
    find_ledgers([root])
    [index] = (files.user_cache_dir("scan")).glob("*.json")
    index.write_text('{"salt": "x", "files": {"' + str(root / "a.beancount") + '": [1, 2]}}', encoding="utf-8")
    new_process(monkeypatch, reads)
    assert sorted(p.name for p in find_ledgers([root])) == ["a.beancount", "b.beancount", "c.beancount"]
    assert len(reads) == 4


def test_without_the_index_every_file_is_read_and_nothing_is_written(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(files, "RACY_NS", 0)
    root = ledgers(tmp_path)
    find_ledgers([root])
    new_process(monkeypatch, reads)
    assert len(find_ledgers([root], use_index=False)) == 3 and len(reads) == 4
    for index in files.user_cache_dir("scan").glob("*.json"):
        index.unlink()
    find_ledgers([root], use_index=False)
    assert not any(files.user_cache_dir("scan").glob("*.json"))
