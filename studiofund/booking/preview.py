"""The findings a planned payment would bring, against a ledger that is already loaded.

The web desk asks this as the officer types: loading the whole ledger again for every keystroke
would cost a full Beancount load. Here only the new entry's text is parsed; every rule runs over
the loaded entries plus the new ones, the balance assertions are checked again, and the findings
the ledger already had are set aside (:func:`~studiofund.booking.record.attributable`). Saving
still goes the full way (:func:`~studiofund.booking.record.record`: lock, reload, same checks).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from pathlib import Path

from beancount.core import data
from beancount.ops import balance
from beancount.parser import parser

from studiofund.checks.framework import run_checks
from studiofund.ledger.findings import ERROR, Finding
from studiofund.ledger.loading import from_load

from .record import Booking, Payment, attributable, load_error_message, plan_payment


@dataclass
class Preview:
    booking: Booking
    findings: list[Finding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)


def _balance_errors(entries, options_map) -> list:
    _, errors = balance.check(entries, options_map)
    return errors


def preview_payment(loaded, payment: Payment, *, replaces=None) -> Preview:
    """What booking ``payment`` in ``loaded`` (a :class:`~studiofund.ledger.loading.LoadedLedger`,
    e.g. of Fava's current load) would find — in place of the pending entry ``replaces`` when it
    completes one. Raises :class:`~studiofund.booking.accounts.BookingUsageError` for bad input."""
    booking = plan_payment(loaded, "", payment)
    if booking.refusals:
        return Preview(booking, list(booking.refusals))
    new_entries, errors, _ = parser.parse_string(booking.entry_text, report_filename=str(loaded.path))
    if errors:  # our own rendering: never expected, but say it rather than guess
        raise ValueError(f"internal: the planned entry does not parse: {errors[0].message}")
    # sorted already: the new entries go in by bisection
    entries = [e for e in loaded.entries if e is not replaces]
    for entry in new_entries:
        bisect.insort(entries, entry, key=data.entry_sortkey)
    findings = run_checks(entries, loaded.options_map, loaded.studio, loaded.policy)  # (pauses the collector)
    new = attributable(loaded.findings, findings)
    if any(type(e) is data.Balance and e.date > payment.date for e in loaded.entries):
        known = {e.message for e in loaded.load_errors}
        for error in _balance_errors(entries, loaded.options_map):
            if error.message not in known:
                new.append(Finding(dict(error.source or {}),
                                   f"【违规·beancount】凭证 {booking.voucher}：{load_error_message(error)}",
                                   None, "beancount", ERROR, booking.voucher, payment.date))
    return Preview(booking, new)


def loaded_from_fava(ledger: Any):
    """A :class:`~studiofund.ledger.loading.LoadedLedger` of a Fava ledger's current load."""
    return from_load(Path(ledger.beancount_file_path), list(ledger.all_entries), list(ledger.load_errors),
                     ledger.options)
