"""The dedicated account never goes below zero: spending never exceeds what was received."""

from __future__ import annotations

from decimal import Decimal

from beancount.core.data import Transaction

from ..findings import ERROR
from ..framework import DEDICATED, Hit, ledger_rule


@ledger_rule("overdraft", ERROR)
class Overdraft:
    """At the end of any day, the balance of ``Assets:Bank:Dedicated`` is not negative.

    The balance is taken at the end of the day so that a grant and a payment booked on the
    same day, in either order, are not an overdraft. Each payment of a day that ends below
    zero is reported: it was paid with money the studio had not received.
    """

    visits = (Transaction,)

    def __init__(self, ctx):
        self.balance = Decimal(0)
        self.day = None
        self.day_payments: list = []

    def _close_day(self):
        hits = None
        if self.balance < 0:
            hits = [
                Hit(
                    entry,
                    f"专户余额在 {entry.date} 日终为 {self.balance:.2f} CNY（本笔支出 {-amount:.2f} CNY）："
                    "支出超过了已到账经费。请核对拨款是否漏记，或将该笔支出移到经费到账之后。",
                )
                for entry, amount in self.day_payments
            ]
        self.day_payments = []
        return hits

    def visit(self, entry, txn):
        if txn is None:
            return None
        hits = None
        if entry.date != self.day:
            hits = self._close_day()
            self.day = entry.date
        for posting in entry.postings:
            if posting.account == DEDICATED and posting.units is not None:
                amount = posting.units.number
                self.balance += amount
                if amount < 0:
                    self.day_payments.append((entry, amount))
        return hits

    def finish(self):
        return self._close_day()
