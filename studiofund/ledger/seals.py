"""What a seal of a year covers: the canonical text of every entry dated on or before its
31 December, and the digest of those texts that ``studio-sealed`` records.

The canonical text of an entry is Beancount's printer output without source metadata
(``filename``, ``lineno``, and the loader's ``__…`` keys), so reformatting the file, moving
entries between included files or reordering them does not break a seal; changing a date, an
amount, an account, a narration or a metadata value does. Entries the loader synthesises after
the plugins have run (``pad`` transactions, a failed balance's difference) are left out or
normalised so the digest is the same inside the plugin and after a full load. The sealing and
reopening directives themselves are left out.

Used by ``studiofund close`` (the digest it records), the ``sealed-period-changed`` rule (the
digest it compares) and the writer's period lock (the entries a change may not touch).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable

from beancount.core import data
from beancount.core.flags import FLAG_PADDING
from beancount.parser.printer import format_entry

from .directives import DIGEST_PREFIX, REOPENED, SEALED


def canonical(entry: data.Directive) -> str | None:
    """The entry's text for the digest, or None for entries the digest leaves out."""
    kind = type(entry)
    if kind is data.Custom and entry.type in (SEALED, REOPENED):
        return None
    if kind is data.Transaction and entry.flag == FLAG_PADDING:
        return None
    if kind is data.Balance and entry.diff_amount is not None:
        entry = entry._replace(diff_amount=None)
    return format_entry(entry)


def digest_texts(texts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for text in sorted(texts):
        h.update(text.encode("utf-8"))
        h.update(b"\x00")
    return DIGEST_PREFIX + h.hexdigest()


def seal_digest(entries: Iterable[data.Directive], year: int) -> tuple[str, int]:
    """The digest of every entry dated on or before 31 December of ``year``, and their count."""
    last = datetime.date(year, 12, 31)
    texts = [t for e in entries if e.date <= last and (t := canonical(e)) is not None]
    return digest_texts(texts), len(texts)
