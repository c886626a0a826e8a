"""A red-letter e-invoice (红字发票) cancels its blue original: the spending on it is reversed.

When a seller cancels an invoice (退货、开票有误、服务取消), it issues a red invoice naming the blue
one (``invoice-kind: "red"``, ``invoice-original: "蓝字发票号码"``, written when the red invoice is
booked with ``record --einvoice``). The blue invoice then no longer supports the payment booked
on it: that payment must be reversed — a refund into the dedicated account, or a transfer to the
school's own funds — by entries that carry ``corrects: "<the payment's voucher>"``.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from ...ledger.meta import text
from ..framework import ERROR, Hit, RuleInfo, ledger_rule

INVOICE_CANCELLED = RuleInfo("invoice-cancelled", ERROR, "发票已被红字冲销，原支出未冲回", "invoice-cancelled")
_ZERO = Decimal(0)


def is_red(meta) -> bool:
    """An entry booked from a red-letter invoice."""
    return (text(meta, "invoice-kind") or "").lower() == "red"


def _reversed(txn) -> Decimal:
    """What a transaction takes back from expenses (its negative expense postings, as a positive sum)."""
    return -sum((p.units.number for p in txn.expenses if p.units is not None and p.units.number < 0), _ZERO)


@ledger_rule(INVOICE_CANCELLED)
class InvoiceCancelled:
    """A payment whose invoice a red invoice in the ledger cancels is reversed by correcting
    entries (``corrects:`` its voucher) of at least the red invoice's amount — the expense the red
    entry itself reverses, or, if it reverses none, the whole payment.

    A red invoice whose original is not in the ledger says nothing here (that invoice was never
    reimbursed from these funds)."""

    visits = (data.Transaction,)

    def __init__(self, ctx):
        self.ctx = ctx
        self.reds: list[tuple[object, str, Decimal]] = []  # (red entry, original number, its amount)
        self.corrected: dict[str, Decimal] = defaultdict(lambda: _ZERO)  # voucher → reversed by corrects

    def wants(self, form) -> bool:
        """Only the transactions that correct another or carry a red invoice are visited."""
        return "corrects" in form.keys or "invoice-kind" in form.keys

    def visit(self, entry, txn):
        meta = txn.meta
        target = text(meta, "corrects") if "corrects" in meta else None
        if target is not None:
            self.corrected[target] += _reversed(txn)
        if "invoice-kind" in meta and is_red(meta):
            original = text(meta, "invoice-original")
            if original:
                self.reds.append((txn, original, _reversed(txn)))
        return None

    def finish(self):
        if not self.reds:  # almost every ledger: no red invoice, no payment to look up
            return
        payments: dict[str, object] = {}  # invoice number → the first payment reimbursed on it
        for txn in self.ctx.txns:
            if txn.shape.form.paid and not ("invoice-kind" in txn.meta and is_red(txn.meta)):
                for number in txn.invoices:
                    payments.setdefault(number, txn)
        for red, original, amount in self.reds:
            payment = payments.get(original)
            if payment is None:
                continue
            paid = sum((p.units.number for p in payment.paid), _ZERO)
            needed = min(amount, paid) if amount > _ZERO else paid
            voucher = payment.voucher
            done = self.corrected.get(voucher, _ZERO) if voucher else _ZERO
            if done >= needed:
                continue
            red_number = text(red.meta, "invoice") or "（未载明号码）"
            red_voucher = f"（凭证 {red.voucher}）" if red.voucher else ""
            what = f"已冲回 {done:.2f} CNY，" if done > _ZERO else ""
            yield Hit(
                payment.entry,
                f"发票 {original} 已被 {red.entry.date} 的红字发票 {red_number}{red_voucher}冲销，这笔支出 "
                f"{paid:.2f} CNY 失去了合法票据：{what}应冲回 {needed:.2f} CNY。请将款项退回专户或转回学校自有资金，"
                f"并在冲回的分录上记 corrects: \"{voucher or '本笔凭证号'}\"。",
                evidence=(red_number, original),
            )
