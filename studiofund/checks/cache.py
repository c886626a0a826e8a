"""A cache of each ledger's check result, keyed on what the result rests on — the way
Beancount caches a load, and for the same reason: the load is what costs.

An entry (one JSON file a ledger under ``$STUDIOFUND_CACHE_DIR/check`` or
``${XDG_CACHE_HOME:-~/.cache}/studiofund/check``) holds the findings and the fingerprint of the
files they rest on: the ledger and its includes (Beancount's ``options_map["include"]``), the
studio's own policy file and its includes, and — through the salt — our code and bundled
policies, Beancount's version and the current year (a year is *over* once today is past it).
A lookup stats those files (:func:`studiofund.files.unchanged`); no Beancount load is needed to
know that nothing changed. Any problem reading or writing the cache is a miss, never an error.

Limitation, shared with Beancount's own cache: a file matching an ``include`` glob that is
created later is not noticed until one of the listed files changes.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import Any

import beancount

from studiofund import files

FORMAT = 1


def _salt() -> str:
    return f"check:{FORMAT}:{beancount.__version__}:{datetime.date.today().year}"


def _entry_path(ledger: Path) -> Path:
    key = hashlib.sha256(str(Path(ledger).resolve()).encode()).hexdigest()
    return files.user_cache_dir("check") / f"{key}.json"


def lookup(ledger: Path) -> dict[str, Any] | None:
    """The cached check result of ``ledger`` if none of the files it rests on changed."""
    try:
        entry = json.loads(_entry_path(ledger).read_text(encoding="utf-8"))
        if entry.get("format") == FORMAT and files.unchanged(entry, _salt()):
            return entry["result"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def store(ledger: Path, paths: list[str], result: dict[str, Any]) -> None:
    """Keep ``result`` for ``ledger``, resting on ``paths`` (silently skipped if it cannot be)."""
    stamp = files.fingerprint(paths, _salt())
    if stamp is None:
        return
    entry = {"format": FORMAT, "ledger": str(Path(ledger).resolve()), **stamp, "result": result}
    try:
        target = _entry_path(ledger)
        target.parent.mkdir(parents=True, exist_ok=True)
        files.atomic_replace(target, json.dumps(entry, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass
