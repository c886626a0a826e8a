"""Booking a payment from its e-invoice (``record --einvoice FILE``, the desk's e-invoice upload).

The invoice fills in what the officer would retype: the payee (the seller), the amount (价税合计),
the date (开票日期) and the invoice number; it adds what only the file knows — the items
(``invoice-items:``, what the content rules read) and the buyer (``invoice-buyer:``,
``invoice-buyer-tax-id:``, what ``invoice-buyer-mismatch`` reads), and for a red-letter invoice
``invoice-kind: "red"`` and ``invoice-original:`` — and keeps the file itself as the entry's scan
(``document:``). What the officer gives still counts: a given date or payee is kept; a given
amount must be the invoice's, or nothing is booked (both figures are shown).

A red-letter invoice is booked as what it is, money coming back: the expense reversed
(a negative amount on the category, the refund into the dedicated account), with ``--corrects``
naming the payment of the blue invoice it cancels.
"""

from __future__ import annotations

import dataclasses

from studiofund.importers.einvoice import EInvoice, EInvoiceError, booking_facts, parse_einvoice
from studiofund.money import fmt, q2

from .accounts import BookingUsageError
from .attachments import Attachment
from .record import Payment


class EInvoiceMismatch(Exception):
    """The payment as given disagrees with its e-invoice: refused (exit 1), nothing written."""


def apply_einvoice(payment: Payment, einvoice: Attachment) -> tuple[Payment, EInvoice]:
    """``payment`` completed from the e-invoice ``einvoice`` (its file name and bytes).

    ``payment.date``, ``payee`` and ``amount`` may be None: the invoice gives them. Raises
    :class:`BookingUsageError` for a file that is no e-invoice (exit 2) and
    :class:`EInvoiceMismatch` for an amount that is not the invoice's (exit 1)."""
    try:
        inv = parse_einvoice(einvoice.data, einvoice.name)
    except EInvoiceError as exc:
        raise BookingUsageError(str(exc)) from None
    facts = booking_facts(inv)
    if payment.amount is not None:
        given = q2(payment.amount)
        # a red invoice's amount may be typed as printed (negative) or as the refund (positive)
        same = given == facts.amount or (inv.kind == "red" and given == -facts.amount)
        if not same:
            raise EInvoiceMismatch(
                f"金额不符，未记账：填写的金额为 {fmt(given)} 元，电子发票 {inv.number} 的价税合计为 "
                f"{fmt(facts.amount)} 元（{inv.seller.name}）。请核对：按发票金额记账可不填金额；"
                "若一笔支出对应多张发票，请分别记账。"
            )
    invoices = (inv.number, *[n for n in payment.invoices if n != inv.number])
    meta = {key: value for key, value in facts.meta.items() if key != "invoice"}
    meta.update(payment.extra_meta)
    filled = dataclasses.replace(
        payment,
        date=payment.date or facts.date,
        payee=payment.payee or facts.payee,
        amount=facts.amount,
        invoices=invoices,
        extra_meta=meta,
        attachments=(einvoice, *payment.attachments),
    )
    return filled, inv
