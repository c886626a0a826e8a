"""The former writing functions, now thin names for :mod:`studiofund.ledger.writer` (the one
write path: locked, atomic, validated, refusing sealed years). New code imports the writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .findings import Finding
from .uncached import load_uncached
from .writer import LedgerWriteError, LockedFile, rewrite_ledger  # noqa: F401


def atomic_write(path: str | Path, text: str, *, validate: Callable[[Path], None] | None = None,
                 mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` under the file's lock, atomically (``validate(tmp)`` may
    refuse before the rename; ``mode`` applies to a new file, an existing one keeps its own)."""
    with LockedFile(path, new_mode=0o644 if mode is None else mode) as f:
        f.read_bytes()
        f.commit(text.encode("utf-8"), validate or (lambda tmp: None))


def load_errors(path: Path) -> list:
    """Beancount's own errors of the ledger at ``path``: everything but check findings."""
    _, errors, _ = load_uncached(path)
    return [e for e in errors if not isinstance(e, Finding)]
