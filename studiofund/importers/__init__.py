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

from .bank import Bank
from .generic import load_mapping
from .layout import GENERIC, Layout
from .sources import BANKS, GENERIC_BANK, UnknownBank, builtin_layouts, choose, read_statements
from .table import StatementError


def bank_importers(*, mappings: list[str | Path] = (), policy=None, account: str | None = None):
    """One :class:`~.importer.StatementImporter` per built-in bank, one per mapping file, and
    one for statements that only the common headers read (any other bank)."""
    # beangulp (and through it Beancount's loader) is imported only for Fava and beangulp's CLI:
    # `studiofund record`, `import` and `invoice read` import this package without needing it
    # (0.02-0.03 s of the 0.28-0.33 s their command modules take to import; time.perf_counter,
    # 2026-12-03).
    from .importer import BANK_ACCOUNT, StatementImporter

    extra = [load_mapping(m) for m in mappings]
    everyone = [layout for bank in extra for layout in bank.layouts] + builtin_layouts()
    return [
        StatementImporter(bank, policy=policy, account=account or BANK_ACCOUNT, candidates=everyone)
        for bank in list(BANKS.values()) + extra + [GENERIC_BANK]
    ]


__all__ = ["BANKS", "GENERIC", "Bank", "Layout", "StatementError", "UnknownBank", "bank_importers",
           "builtin_layouts", "choose", "load_mapping", "read_statements"]
