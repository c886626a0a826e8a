"""A cache of validated policies, so that checking a ledger does not validate (or even import
pydantic) each time.

An entry is keyed by the policy file's path and content and by the code of the policy tables;
it lists every file the policy included with the hash of its content, and holds the validated
:class:`~studiofund.policy.models.Policy` pickled. A changed file, include or model gives a
miss; any problem reading or writing the cache is a miss, never an error. The directory is
``$STUDIOFUND_CACHE_DIR/policy`` or ``${XDG_CACHE_HOME:-~/.cache}/studiofund/policy``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

_CODE = ("models.py", "detection.py", "importing.py", "fields.py", "patterns.py", "cache.py",
         "standards.py", "assessment.py")


def cache_dir() -> Path:
    base = os.environ.get("STUDIOFUND_CACHE_DIR")
    if base:
        return Path(base) / "policy"
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "studiofund" / "policy"


def _code_stamp() -> str:
    here = Path(__file__).parent
    parts = [sys.version, *(f"{n}:{(here / n).stat().st_mtime_ns}" for n in _CODE)]
    return "|".join(parts)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_path(path: Path, content: bytes) -> Path:
    key = _digest(f"{path}\0{_code_stamp()}\0".encode() + content)
    return cache_dir() / f"{key}.pickle"


def lookup(path: Path) -> tuple[Any, list[Path]] | None:
    """The cached policy of the file at ``path`` and the other files it included, or None."""
    try:
        entry = _entry_path(path, path.read_bytes())
        with open(entry, "rb") as handle:
            files, policy = pickle.load(handle)
        for name, digest in files:
            if _digest(Path(name).read_bytes()) != digest:
                return None
        return policy, [Path(name) for name, _ in files]
    except Exception:  # a cache is never a reason to fail
        return None


def store(path: Path, files: list[Path], policy: Any) -> None:
    """Remember ``policy`` for ``path`` (whose reading included ``files``)."""
    try:
        entry = _entry_path(path, path.read_bytes())
        entry.parent.mkdir(parents=True, exist_ok=True)
        listed = [(str(f), _digest(f.read_bytes())) for f in files if f != path]
        import tempfile  # only on a miss: its imports cost more than a cache hit

        fd, tmp = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump((listed, policy), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except Exception:
        try:
            os.unlink(tmp)  # type: ignore[possibly-undefined]
        except Exception:
            pass
