"""The dedicated account never goes below zero: spending never exceeds what was received."""

from __future__ import annotations

import itertools
from decimal import Decimal

from ..framework import ERROR, Hit, RuleInfo, ledger_rule

_ZERO = Decimal(0)


OVERDRAFT = RuleInfo("overdraft", ERROR, "专户透支", "overdraft")


@ledger_rule(OVERDRAFT)
class Overdraft:
    """At the end of any day, the balance of ``Assets:Bank:Dedicated`` is not negative.

    The balance is taken at the end of the day so that a grant and a payment booked on the
    same day, in either order, are not an overdraft. Each payment of a day that ends below
    zero is reported: it was paid with money the studio had not received.
    """

    def __init__(self, ctx):
        self.txns = ctx.txns

    def finish(self):
        txns = self.txns
        # The balance after each movement, summed in C: if it never dips below zero, no day
        # ends below zero — the common case, settled without looking at days. The movements are
        # the postings at the dedicated account's positions of each transaction's shape (read
        # there rather than through Txn.dedicated: no tuple made a transaction)
        moves = [units.number for txn in txns for i in txn.shape.form.dedicated
                 if (units := txn.entry.postings[i].units) is not None]
        running = list(itertools.accumulate(moves))
        if not running or min(running) >= _ZERO:
            return
        balance = _ZERO
        day = None
        start = 0  # where the current day began in txns
        for i, txn in enumerate(txns):
            entry = txn.entry
            if entry.date != day:
                if balance < _ZERO:
                    yield from _day_payments(txns[start:i], balance)
                day, start = entry.date, i
            for posting in txn.dedicated:
                if posting.units is not None:
                    balance += posting.units.number
        if balance < _ZERO:
            yield from _day_payments(txns[start:], balance)


def _day_payments(day_txns, balance):
    for txn in day_txns:
        entry = txn.entry
        for posting in txn.dedicated:
            if posting.units is not None and posting.units.number < 0:
                amount = posting.units.number
                yield Hit(
                    entry,
                    f"专户余额在 {entry.date} 日终为 {balance:.2f} CNY（本笔支出 {-amount:.2f} CNY）："
                    "支出超过了已到账经费。请核对拨款是否漏记，或将该笔支出移到经费到账之后。",
                )
