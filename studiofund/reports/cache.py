"""A cache of per-ledger consolidation results, keyed by the content of the ledger's files.

An entry is a small JSON file under ``.studiofund-cache/`` (or ``$STUDIOFUND_CACHE_DIR``), one
per (ledger, year). It stores the list of files the result rests on — the top-level file, its
includes (``options_map["include"]``) and the studio's own policy file — and a digest over their
contents plus the package's own code and bundled policies. A lookup compares the files' sizes
and modification times with those recorded (10,000 ledgers checked in well under a second) and
re-hashes a file only when they differ: no Beancount load is needed to know that a ledger is
unchanged, and a file touched without a change of content still hits.

Limitation: a file matching an ``include`` glob that is created later is not noticed until one
of the listed files changes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import studiofund

CACHE_ENV = "STUDIOFUND_CACHE_DIR"
DEFAULT_DIR = ".studiofund-cache"
FORMAT = 3


def cache_dir(explicit: str | Path | None = None) -> Path:
    return Path(explicit or os.environ.get(CACHE_ENV) or DEFAULT_DIR)


@functools.lru_cache(maxsize=1)
def engine_digest() -> str:
    """The studiofund version and the content of its code and bundled policies."""
    h = hashlib.sha256()
    try:
        from importlib.metadata import version

        h.update(version("studiofund").encode())
    except Exception:  # pragma: no cover - not installed
        pass
    root = Path(studiofund.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def files_digest(files: list[str], year: int) -> str | None:
    """Digest of the files' contents (None if one cannot be read)."""
    h = hashlib.sha256()
    h.update(f"{FORMAT}:{year}:{engine_digest()}".encode())
    for name in files:
        try:
            data = Path(name).read_bytes()
        except OSError:
            return None
        h.update(name.encode())
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def file_stats(files: list[str]) -> list[list[int]] | None:
    """Size and modification time (ns) of each file (None if one is missing)."""
    out = []
    for name in files:
        try:
            st = os.stat(name)
        except OSError:
            return None
        out.append([st.st_size, st.st_mtime_ns])
    return out


def unchanged(entry: dict[str, Any], year: int) -> bool:
    """Whether the files an entry (of the cache or the Parquet export) rests on still hold what
    they held: same sizes and times with the same code, or else the same content digest."""
    files = entry.get("files")
    if not files:
        return False
    stats = file_stats(files)
    if stats is None:
        return False
    if entry.get("engine") == engine_digest() and entry.get("stats") == stats:
        return True
    return files_digest(files, year) == entry.get("digest")


def fingerprint(files: list[str], year: int) -> dict[str, Any] | None:
    """What :func:`unchanged` compares later (None if a file cannot be read)."""
    stats = file_stats(files)
    digest = files_digest(files, year)
    if stats is None or digest is None:
        return None
    return {"files": files, "stats": stats, "engine": engine_digest(), "digest": digest}


def _entry_path(directory: Path, ledger: Path, year: int) -> Path:
    key = hashlib.sha256(f"{Path(ledger).resolve()}\0{year}".encode()).hexdigest()
    return directory / f"{key}.json"


def lookup(directory: Path, ledger: Path, year: int) -> dict[str, Any] | None:
    """The cached result of ``ledger`` for ``year`` if none of its files changed."""
    try:
        entry = json.loads(_entry_path(directory, ledger, year).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("format") != FORMAT or not unchanged(entry, year):
        return None
    return entry.get("result")


def store(directory: Path, ledger: Path, year: int, files: list[str], result: dict[str, Any]) -> None:
    """Store a result (atomically; a cache that cannot be written is silently skipped)."""
    stamp = fingerprint(files, year)
    if stamp is None:
        return
    entry = {"format": FORMAT, "ledger": str(Path(ledger).resolve()), "year": year, **stamp, "result": result}
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".entry.", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(entry, handle, ensure_ascii=False)
        os.replace(tmp, _entry_path(directory, ledger, year))
    except OSError:
        return
