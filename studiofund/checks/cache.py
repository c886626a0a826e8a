"""A cache of each ledger's check result, keyed on what the result rests on — the way
Beancount caches a load, and for the same reason: the load is what costs.

An entry (one pickle a ledger under ``$STUDIOFUND_CACHE_DIR/check`` or
``${XDG_CACHE_HOME:-~/.cache}/studiofund/check``, as the validated policies and Beancount's own
loads are kept) holds the findings and what tells the files they rest on: the ledger and its
includes (Beancount's ``options_map["include"]``), the studio's own policy file and its
includes, and — through the salt — our code and bundled policies, Beancount's version and the
current year (a year is *over* once today is past it).

A lookup stats those files; no Beancount load is needed to know that nothing changed. As git's
index does, it trusts a file whose size, times, inode and device (:func:`studiofund.files.file_keys`)
are those kept, if it had last changed :data:`studiofund.files.RACY_NS` before they were kept;
a file changed later than that ("racily clean": a second edit within the same clock tick could
keep its times) has its content digest kept too, and is compared by content. A file rewritten
with the same text (new times) is a miss, as in Beancount's own cache: digesting every file for
that case cost each first check more than the rest of the cache (the 4.4 MB bench ledger:
0.064 G instructions, callgrind). Any problem reading or writing the cache is a miss, never an
error.

Limitation, shared with Beancount's own cache: a file matching an ``include`` glob that is
created later is not noticed until one of the listed files changes.
"""

from __future__ import annotations

import datetime
import hashlib
import pickle
import time
from pathlib import Path
from typing import Any

import beancount

from studiofund import files

FORMAT = 3


def _salt() -> str:
    return f"check:{FORMAT}:{beancount.__version__}:{datetime.date.today().year}"


def _entry_path(ledger: Path) -> Path:
    key = hashlib.sha256(str(Path(ledger).resolve()).encode()).hexdigest()
    return files.user_cache_dir("check") / f"{key}.pickle"


def lookup(ledger: Path) -> dict[str, Any] | None:
    """The cached check result of ``ledger`` if none of the files it rests on changed."""
    try:
        entry = pickle.loads(_entry_path(ledger).read_bytes())
        if entry["format"] == FORMAT and entry["salt"] == _salt() and _unchanged(entry):
            return entry["result"]
    except Exception:  # a cache is never a reason to fail: a broken entry is a miss
        pass
    return None


def _unchanged(entry: dict[str, Any]) -> bool:
    keys = files.file_keys(entry["files"])
    if keys is None:
        return False
    if keys == entry["keys"] and entry["engine"] == files.code_digest() and files.keys_settled(keys, entry["taken"]):
        return True
    return entry["digest"] is not None and files.content_digest(entry["files"], _salt()) == entry["digest"]


def store(ledger: Path, paths: list[str], result: dict[str, Any]) -> None:
    """Keep ``result`` for ``ledger``, resting on ``paths`` (silently skipped if it cannot be)."""
    keys = files.file_keys(paths)
    if keys is None:
        return
    taken = time.time_ns()
    digest = None
    if not files.keys_settled(keys, taken):  # racily clean: compared by content later
        digest = files.content_digest(paths, _salt())
        if digest is None:
            return
    entry = {"format": FORMAT, "salt": _salt(), "ledger": str(Path(ledger).resolve()), "files": paths,
             "keys": keys, "taken": taken, "engine": files.code_digest(), "digest": digest, "result": result}
    try:
        target = _entry_path(ledger)
        target.parent.mkdir(parents=True, exist_ok=True)
        # a pickle rather than JSON text: callgrind, a first check of the check bench's 682
        # findings, 0.028 G to write them as JSON, 0.009 G so
        files.atomic_replace(target, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError:
        pass
