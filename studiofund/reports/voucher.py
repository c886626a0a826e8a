"""The 记账凭证 of a booked entry, as a library call (the web prints it).

A voucher shows what a finance office's 记账凭证 shows: the unit (the studio and its host
school), the date, the voucher number, for every posting a line of 摘要, 会计科目 (the Chinese
name, the account code beside it), 借方 and 贷方 amounts, the total in figures and in capitals
(人民币大写), 附件张数, the invoice numbers, the payee, the signatures (主持人, 审核人) and the
status the checks give the entry (合规, 违规…, 已整改…, 整改凭证…).

Debit and credit follow Beancount's signs: a positive posting is a debit (借方), a negative one a
credit (贷方) — a payment debits the expense and credits the dedicated account.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

from studiofund.ledger.meta import invoice_numbers, text
from studiofund.money import ZERO, q2

from .journal import account_labels, attachments, entry_status, findings_by_entry, findings_of, label_of

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UNITS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _four(n: int) -> str:
    """A number below 10,000 in capitals, zeros inside written once (1005 → 壹仟零伍)."""
    out, zero = "", False
    for i, unit in reversed(list(enumerate(_UNITS))):
        digit = n // 10 ** i % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out


def rmb_upper(amount: Decimal) -> str:
    """An amount in capitals as on a voucher (《支付结算办法》's way of writing amounts):
    6800 → 陆仟捌佰元整, 1234.56 → 壹仟贰佰叁拾肆元伍角陆分, 0.05 → 伍分, 100000.10 → 壹拾万元零壹角.
    Tens are written 壹拾, never a bare 拾, so that nothing can be put in front."""
    value = q2(amount)
    sign = "负" if value < 0 else ""
    cents = int(abs(value) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "零元整"
    whole = ""
    groups = []
    n = yuan
    while n:
        groups.append(n % 10000)
        n //= 10000
    zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero = bool(whole)
            continue
        if whole and (zero or group < 1000):
            whole += "零"
        whole += _four(group) + _GROUPS[index]
        zero = False
    out = sign + (whole + "元" if whole else "")
    if jiao == 0 and fen == 0:
        return out + "整"
    if jiao:
        out += ("零" if whole and yuan % 10 == 0 else "") + _DIGITS[jiao] + "角"
    elif whole:
        out += "零"
    if fen:
        out += _DIGITS[fen] + "分"
    return out


@dataclass(frozen=True)
class VoucherLine:
    summary: str
    account: str
    label: str
    debit: Decimal | None
    credit: Decimal | None


@dataclass(frozen=True)
class VoucherSheet:
    """One 记账凭证."""

    studio: str
    host_school: str
    date: datetime.date
    voucher: str
    payee: str
    narration: str
    lines: tuple[VoucherLine, ...]
    attachments: int
    invoices: tuple[str, ...]
    approver: str
    reviewer: str
    status: str
    pending: bool
    filename: str
    lineno: int

    @property
    def total(self) -> Decimal:
        return q2(sum((line.debit or ZERO for line in self.lines), ZERO))

    @property
    def total_credit(self) -> Decimal:
        return q2(sum((line.credit or ZERO for line in self.lines), ZERO))

    @property
    def total_words(self) -> str:
        return rmb_upper(self.total)


def _sheet(entry: data.Transaction, loaded, labels, by_entry) -> VoucherSheet:
    meta = entry.meta or {}
    summary = entry.narration or entry.payee or ""
    lines = []
    for posting in entry.postings:
        if posting.units is None:
            continue
        number = q2(posting.units.number)
        lines.append(VoucherLine(summary, posting.account, label_of(posting.account, labels, loaded.policy),
                                 number if number > 0 else None, -number if number < 0 else None))
    lines.sort(key=lambda line: line.debit is None)  # debits first, as a voucher is written
    documents = attachments(meta)
    invoices = tuple(invoice_numbers(meta))
    studio = loaded.studio
    return VoucherSheet(
        studio=studio.name if studio is not None else "",
        host_school=getattr(studio, "host_school", "") if studio is not None else "",
        date=entry.date, voucher=text(meta, "voucher") or "", payee=entry.payee or "",
        narration=entry.narration or "", lines=tuple(lines),
        attachments=documents or len(invoices), invoices=invoices,
        approver=text(meta, "approver") or "", reviewer=text(meta, "reviewer") or "",
        status=entry_status(entry, findings_of(by_entry, entry)), pending=entry.flag == "!",
        filename=str(meta.get("filename", "")), lineno=int(meta.get("lineno", 0) or 0),
    )


def vouchers(loaded, year: int | None = None, voucher: str | None = None) -> list[VoucherSheet]:
    """The vouchers of the ledger (of ``year``, or only ``voucher``), in date and number order.
    Transactions without a voucher number (pending ``!`` entries) are no vouchers yet."""
    labels = account_labels(loaded)
    by_entry = findings_by_entry(loaded.findings)
    out = []
    for entry in loaded.entries:
        if type(entry) is not data.Transaction:
            continue
        number = text(entry.meta, "voucher")
        if not number or (year is not None and entry.date.year != year) or (voucher and number != voucher):
            continue
        out.append(_sheet(entry, loaded, labels, by_entry))
    return sorted(out, key=lambda v: (v.date, v.voucher))
