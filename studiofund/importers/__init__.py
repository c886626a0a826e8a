"""Bank statement import: beangulp importers for the dedicated account's exports.

One module per bank (:mod:`.icbc`, :mod:`.ccb`, :mod:`.boc`, :mod:`.abchina`, :mod:`.bocom`,
:mod:`.cmb`) declares its layouts as data; :mod:`.generic` reads any other bank's layout from a
TOML column mapping. :mod:`.table` reads the files, :mod:`.layout` finds the header,
:mod:`.statement` parses the lines, :mod:`.booking` turns them into Beancount entries,
:mod:`.plan` decides what a ledger does not have yet, and :mod:`.importer` wraps it all as
``beangulp.Importer`` subclasses for beangulp's CLI and Fava's import page::

    from studiofund.importers import bank_importers
    CONFIG = bank_importers()
"""

from __future__ import annotations

from pathlib import Path

from . import abchina, boc, bocom, ccb, cmb, icbc
from .bank import Bank
from .generic import load_mapping
from .layout import Layout
from .table import StatementError

#: The built-in banks, by ``--bank`` name.
BANKS: dict[str, Bank] = {b.id: b for b in (icbc.BANK, ccb.BANK, boc.BANK, abchina.BANK, bocom.BANK, cmb.BANK)}


def builtin_layouts() -> list[Layout]:
    return [layout for bank in BANKS.values() for layout in bank.layouts]


def bank_importers(*, mappings: list[str | Path] = (), policy=None, account: str | None = None):
    """One :class:`~.importer.StatementImporter` per built-in bank, plus one per mapping file."""
    from .importer import BANK_ACCOUNT, StatementImporter

    extra = [load_mapping(m) for m in mappings]
    everyone = builtin_layouts() + [layout for bank in extra for layout in bank.layouts]
    return [
        StatementImporter(bank, policy=policy, account=account or BANK_ACCOUNT, candidates=everyone)
        for bank in list(BANKS.values()) + extra
    ]


__all__ = ["BANKS", "Bank", "Layout", "StatementError", "bank_importers", "builtin_layouts", "load_mapping"]
