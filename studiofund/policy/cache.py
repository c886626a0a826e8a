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
import pickle
from pathlib import Path
from typing import Any

from studiofund.files import atomic_replace, code_digest, read_source, user_cache_dir

POLICY_DIR = Path(__file__).parent


def cache_dir() -> Path:
    return user_cache_dir("policy")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry_path(path: Path, content: bytes) -> Path:
    # the policy tables' code: every module of this package (their dataclasses are pickled)
    code = code_digest(POLICY_DIR, (".py",))
    key = _digest(f"{path}\0{code}\0".encode() + content)
    return cache_dir() / f"{key}.pickle"


def lookup(path: Path) -> tuple[Any, list[Path]] | None:
    """The cached policy of the file at ``path`` and the other files it included, or None."""
    try:
        content, _ = read_source(path, max_line=None)  # never a FIFO or device
        if content is None:
            return None
        entry = _entry_path(path, content)
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
        content, _ = read_source(path, max_line=None)
        if content is None:
            return
        entry = _entry_path(path, content)
        entry.parent.mkdir(parents=True, exist_ok=True)
        listed = [(str(f), _digest(f.read_bytes())) for f in files if f != path]
        atomic_replace(entry, pickle.dumps((listed, policy), protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # a cache that cannot be written is skipped
        pass
