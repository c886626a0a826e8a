"""Files the package keeps for itself: atomic replacement, fingerprints and cache directories.

Our caches (validated policies, check results, consolidation results) rest on files: an entry
records each file's size and modification time and a digest of the contents, salted with the
digest of our own code. :func:`unchanged` compares sizes and times first (a stat per file) and
re-reads contents only when they differ (or were written just before the fingerprint), so a file
touched without a change still hits — the way Beancount's pickle cache checks a ledger's
includes, but by content where the times moved.

Ledgers are not written here: every change to a ledger goes through :mod:`studiofund.ledger`'s
writer, which locks and validates.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).parent
CACHE_ENV = "STUDIOFUND_CACHE_DIR"
#: File systems keep modification times coarsely (a clock tick, or seconds): a file written
#: this close before its fingerprint was taken may change again without its time moving, so
#: its content is compared (as git treats a "racily clean" file).
RACY_NS = 2_000_000_000


def atomic_replace(path: str | Path, data: bytes, mode: int = 0o644) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file in the same directory, fsync,
    rename): a crash leaves the old file or the new one. Raises OSError."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def user_cache_dir(kind: str) -> Path:
    """``$STUDIOFUND_CACHE_DIR/KIND``, else ``${XDG_CACHE_HOME:-~/.cache}/studiofund/KIND``."""
    base = os.environ.get(CACHE_ENV)
    if base:
        return Path(base) / kind
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "studiofund" / kind


@functools.lru_cache(maxsize=None)
def code_digest(root: Path = PACKAGE_DIR, suffixes: tuple[str, ...] = (".py", ".toml")) -> str:
    """The digest of the Python version and every file with one of ``suffixes`` under ``root``
    (by default: all of our code and bundled policies). Computed once per process."""
    h = hashlib.sha256(sys.version.encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in suffixes and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def file_stats(files: Iterable[str]) -> list[list[int]] | None:
    """Size and modification time (ns) of each file (None if one is missing)."""
    out = []
    for name in files:
        try:
            st = os.stat(name)
        except OSError:
            return None
        out.append([st.st_size, st.st_mtime_ns])
    return out


def content_digest(files: Iterable[str], salt: str) -> str | None:
    """Digest of ``salt``, our code and the files' names and contents (None if one cannot be read)."""
    h = hashlib.sha256(f"{salt}:{code_digest()}".encode())
    for name in files:
        try:
            data = Path(name).read_bytes()
        except OSError:
            return None
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(data).digest())
    return h.hexdigest()


def fingerprint(files: list[str], salt: str) -> dict[str, Any] | None:
    """What :func:`unchanged` compares later (None if a file cannot be read)."""
    stats = file_stats(files)
    digest = content_digest(files, salt)
    if stats is None or digest is None:
        return None
    return {"files": files, "stats": stats, "engine": code_digest(), "digest": digest, "taken": time.time_ns()}


def unchanged(entry: dict[str, Any], salt: str) -> bool:
    """Whether the files a fingerprinted entry rests on still hold what they held: the same
    sizes and times with the same code, or else the same content digest."""
    files = entry.get("files")
    if not files:
        return False
    stats = file_stats(files)
    if stats is None:
        return False
    settled = int(entry.get("taken", 0)) - RACY_NS
    if entry.get("engine") == code_digest() and entry.get("stats") == stats and all(t < settled for _, t in stats):
        return True
    return content_digest(files, salt) == entry.get("digest")
