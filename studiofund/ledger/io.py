"""Writing ledgers safely: atomically, and never leaving one that no longer loads.

Every command that writes (``init``, ``import``, ``budget``, ``clawback``, ``close``, ``user``)
goes through :func:`atomic_write` or :func:`rewrite_ledger`: the new text is written to a
temporary file in the same directory, flushed and fsynced, checked, then renamed over the old
file (``os.replace`` is atomic on POSIX). A crash leaves the old file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .findings import Finding
from .uncached import load_uncached


class LedgerWriteError(Exception):
    """The write was refused; nothing was changed. ``errors`` are the Beancount errors the new
    text would have brought (their types tell a failed balance assertion from a syntax error)."""

    def __init__(self, message: str, errors: tuple = ()):
        super().__init__(message)
        self.errors = tuple(errors)


def atomic_write(path: str | Path, text: str, *, validate: Callable[[Path], None] | None = None,
                 mode: int | None = None) -> None:
    """Replace ``path`` with ``text`` atomically.

    ``validate`` is called with the temporary file's path before the rename; if it raises, the
    temporary file is removed and the original is untouched.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        elif path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o644)
        if validate is not None:
            validate(tmp)
        os.replace(tmp, path)
        _fsync_dir(directory)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def rewrite_ledger(path: str | Path, text: str) -> None:
    """Replace the ledger at ``path`` with ``text``, atomically, only if it still loads.

    "Still loads" means: the new text brings no Beancount error (syntax, balance, booking,
    an unreadable studio declaration) that the old file did not already have. Findings of
    the checks are not load errors. Raises :class:`LedgerWriteError` and writes nothing
    otherwise.
    """
    path = Path(path)
    before = {_error_key(e) for e in load_errors(path)} if path.exists() else set()

    def validate(tmp: Path) -> None:
        new = [e for e in load_errors(tmp) if _error_key(e) not in before]
        if new:
            lines = "; ".join(
                f"第 {e.source.get('lineno', '?')} 行：{e.message}" if e.source else e.message
                for e in new[:3]
            )
            raise LedgerWriteError(
                f"{path}：写入后账簿将无法正确加载（{lines}）；未做任何修改。", new
            )

    atomic_write(path, text, validate=validate)


def load_errors(path: Path) -> list:
    """Beancount's own errors of the ledger at ``path``: everything but check findings."""
    _, errors, _ = load_uncached(path)
    return [e for e in errors if not isinstance(e, Finding)]


def _error_key(error) -> str:
    return f"{type(error).__name__}:{error.message}"
