"""A cache of per-ledger consolidation results, keyed by the content of the ledger's files.

An entry is a small JSON file under ``.studiofund-cache/`` (or ``$STUDIOFUND_CACHE_DIR``), one
per (ledger, year). It stores the list of files the result rests on — the top-level file, its
includes (``options_map["include"]``) and the studio's own policy file — and a digest over their
contents plus the package's own code and bundled policies. A lookup compares the files' sizes
and modification times with those recorded (10,000 ledgers checked in well under a second) and
re-hashes a file only when they differ: no Beancount load is needed to know that a ledger is
unchanged, and a file touched without a change of content still hits.

A consolidation also keeps a snapshot of its outcome (:func:`store_run`, under ``runs/``): the
same ledgers named the same way for the same year, none of their files changed by size or time,
are answered from that one file without reading 10,000 entries and summing them again. Any
change, and a file changed too shortly before its result was taken, sends the run back to the
entries.

Limitation: a file matching an ``include`` glob that is created later is not noticed until one
of the listed files changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from studiofund import files
from studiofund.files import CACHE_ENV, resolved

DEFAULT_DIR = ".studiofund-cache"
FORMAT = 5


def cache_dir(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get(CACHE_ENV) or DEFAULT_DIR)


def unchanged(entry: dict[str, Any], year: int, seen: dict | None = None) -> bool:
    """Whether the files an entry (of the cache or the Parquet export) rests on still hold what
    they held: same sizes and times with the same code, or else the same content digest
    (``seen``: the stats of this run, :func:`studiofund.files.file_stats`)."""
    return files.unchanged(entry, f"{FORMAT}:{year}", seen)


def fingerprint(paths: list[str], year: int) -> dict[str, Any] | None:
    """What :func:`unchanged` compares later (None if a file cannot be read)."""
    return files.fingerprint(paths, f"{FORMAT}:{year}")


def _entry_path(directory: Path, ledger: Path, year: int) -> Path:
    key = hashlib.sha256(f"{resolved(ledger)}\0{year}".encode()).hexdigest()
    return directory / f"{key}.json"


def lookup(directory: Path, ledger: Path, year: int, seen: dict | None = None) -> dict[str, Any] | None:
    """The cached result of ``ledger`` for ``year`` if none of its files changed (``seen``:
    the stats of this run, shared by the lookups of one consolidation)."""
    entry = lookup_entry(directory, ledger, year, seen)
    return entry.get("result") if entry is not None else None


def lookup_entry(directory: Path, ledger: Path, year: int, seen: dict | None = None) -> dict[str, Any] | None:
    """The cache entry of ``ledger`` for ``year`` (its ``result`` and its :func:`stamp`) if none
    of its files changed."""
    seen = {} if seen is None else seen
    now = time.time_ns()
    try:
        entry = json.loads(_entry_path(directory, ledger, year).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or not unchanged(entry, year, seen):
        return None
    # the stamp of a hit is this lookup's (the stats from ``seen``: no second stat): the files
    # held this content when they had these stats, whether equal to the recorded ones or
    # touched since with the same content
    entry["stats"], entry["taken"] = files.file_stats(entry["files"], seen), now
    return entry


def stamp(entry: dict[str, Any]) -> list:
    """What a result rests on, as a run snapshot records it: [files, their stats, when taken]."""
    return [entry["files"], entry["stats"], entry["taken"]]


def store(directory: Path, ledger: Path, year: int, paths: list[str], result: dict[str, Any]) -> list | None:
    """Store a result (atomically; a cache that cannot be written is silently skipped) and
    return its :func:`stamp` (None if not stored)."""
    taken = fingerprint(paths, year)
    if taken is None:
        return None
    entry = {"format": FORMAT, "ledger": resolved(ledger), "year": year, **taken, "result": result}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # no fsync: an entry a ledger, recomputed when lost (files.atomic_replace)
        files.atomic_replace(_entry_path(directory, ledger, year), json.dumps(entry, ensure_ascii=False).encode(),
                             durable=False)
    except OSError:
        return None
    return stamp(entry)


# -- snapshots of whole runs ---------------------------------------------------------------------

RUNS = "runs"
#: snapshots kept (the most recently written): one a set of ledgers and year consolidated
KEEP_RUNS = 8


def _run_path(directory: Path, ledgers: list[Path], year: int) -> Path:
    names = "\0".join(str(p) for p in ledgers)
    key = hashlib.sha256(f"{FORMAT}\0{year}\0{os.getcwd()}\0{names}".encode()).hexdigest()
    return directory / RUNS / f"{key}.json"


def lookup_run(directory: Path, ledgers: list[Path], year: int, seen: dict | None = None) -> dict[str, Any] | None:
    """The outcome stored by :func:`store_run` for exactly these ledgers (named as then, from
    the same working directory) and ``year``, if every file it rests on has the size and
    modification time recorded, settled before its result was taken, and our code is the same:
    a stat a file, no content read (a file touched without a change sends the run back to the
    entries, which compare contents). ``seen``: see :func:`lookup`."""
    try:
        run = json.loads(_run_path(directory, ledgers, year).read_bytes())
        if run.get("format") != FORMAT or run.get("year") != year or run.get("ledgers") != [str(p) for p in ledgers]:
            return None
        if run.get("engine") != files.code_digest():
            return None
        names, recorded, taken = run["files"], run["stats"], int(run["taken"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not files.stats_hold(recorded, files.file_stats(names, seen), taken):
        return None
    return run.get("result")


def store_run(directory: Path, ledgers: list[Path], year: int, stamps: list[list], result: dict[str, Any]) -> None:
    """Store the outcome of consolidating ``ledgers`` for ``year`` with the :func:`stamp` of
    each ledger's result. Not stored when a file changed during the run (two stamps disagree)."""
    stats: dict[str, list[int]] = {}
    taken = None  # the earliest: every file must have settled before it
    for paths, their_stats, when in stamps:
        for name, stat in zip(paths, their_stats):
            if stats.setdefault(name, stat) != stat:
                return
        taken = min(taken, when) if taken is not None else when
    if taken is None:
        return
    run = {"format": FORMAT, "year": year, "ledgers": [str(p) for p in ledgers], "engine": files.code_digest(),
           "files": list(stats), "stats": list(stats.values()), "taken": taken, "result": result}
    path = _run_path(directory, ledgers, year)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        files.atomic_replace(path, json.dumps(run, ensure_ascii=False).encode())
        _prune(path.parent)
    except OSError:
        return


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP_RUNS` most recently written snapshots."""
    snapshots = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in snapshots[KEEP_RUNS:]:
        old.unlink(missing_ok=True)
