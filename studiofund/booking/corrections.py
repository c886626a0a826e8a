"""整改: correcting a booked voucher with a new entry, never by editing it.

``studiofund correct LEDGER VOUCHER --how refund|transfer|reverse`` and the desk's 冲销/整改 book
one correcting entry that carries ``corrects: "VOUCHER"`` and takes back what the voucher booked:

* ``refund`` (退回专户) — the payee paid the money back into the dedicated account;
* ``transfer`` (学校自有资金划回) — the host school bore the cost and moved it back into the
  dedicated account from its own funds;
* ``reverse`` (冲销) — the voucher is reversed so that it can be booked again properly (with
  ``record --corrects VOUCHER``: its invoice, signatures, the right category). The reversal
  carries the voucher's invoice numbers, which releases them for the re-booking.

The entry negates the voucher's postings (expense, dedicated account, any tax withheld), or — with
``--amount`` for a voucher of one expense and one bank posting — takes back that much. Its voucher
is the next free one of its year. The findings on the corrected voucher are then 已整改 when the
correction takes back their offending amount (:mod:`studiofund.checks.lifecycle`); the result
names them, rectified or still open.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

from studiofund.ledger.findings import ERROR, Finding
from studiofund.ledger.meta import text as meta_text
from studiofund.ledger.text import append_block, quote
from studiofund.money import CURRENCY, fmt, q2

from .accounts import BookingUsageError
from .record import locked_for_booking, _VOUCHER, attributable, next_voucher, refusals_as_usage_errors

DEDICATED = "Assets:Bank:Dedicated"
#: How a voucher is put right, and the words of the correcting entry.
HOWS = {"refund": "退回专户", "transfer": "学校自有资金划回专户", "reverse": "冲销"}


@dataclass(frozen=True)
class Correction:
    voucher: str  # the voucher corrected
    how: str  # refund | transfer | reverse
    date: datetime.date
    amount: Decimal | None = None  # part of it (a voucher of one expense and one bank posting)
    new_voucher: str | None = None  # None: the next free YYYY-NNN of the correction's year
    payee: str | None = None  # who pays back (refund: the voucher's payee; transfer: the host school)
    narration: str | None = None


@dataclass
class CorrectionResult:
    written: bool
    voucher: str  # the correcting entry's
    corrects: str
    filename: str
    lineno: int
    entry: str
    findings: list[Finding] = field(default_factory=list)  # new findings the correction brings
    corrected: list[Finding] = field(default_factory=list)  # the corrected voucher's findings, after

    @property
    def refused(self) -> bool:
        return any(f.severity == ERROR and f.is_open for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"written": self.written, "voucher": self.voucher, "corrects": self.corrects,
                "filename": self.filename, "lineno": self.lineno, "entry": self.entry,
                "findings": [f.to_json() for f in self.findings],
                "corrected": [f.to_json() for f in self.corrected]}


def _target(loaded, voucher: str) -> data.Transaction:
    found = [e for e in loaded.entries if type(e) is data.Transaction and meta_text(e.meta, "voucher") == voucher]
    if not found:
        raise BookingUsageError(f"账簿中没有凭证号为“{voucher}”的分录；请核对凭证号。")
    if len(found) > 1:
        raise BookingUsageError(f"凭证号“{voucher}”有 {len(found)} 笔分录（凭证号重复）；请先查清是哪一笔。")
    return found[0]


def _postings(entry: data.Transaction, amount: Decimal | None) -> list[tuple[str, Decimal]]:
    """The correcting postings: the voucher's negated, or ``amount`` of its one expense back."""
    postings = [(p.account, p.units.number) for p in entry.postings if p.units is not None]
    if amount is None:
        return [(account, -number) for account, number in postings]
    amount = q2(amount)
    expenses = [(a, n) for a, n in postings if a.startswith("Expenses:")]
    banks = [(a, n) for a, n in postings if a == DEDICATED]
    if len(postings) != 2 or len(expenses) != 1 or len(banks) != 1:
        raise BookingUsageError("这张凭证不止一个支出科目或涉及代扣个税，只能整笔整改（不给 --amount）。")
    if amount <= 0 or amount > expenses[0][1]:
        raise BookingUsageError(f"整改金额应大于 0 且不超过原支出 {fmt(expenses[0][1])} 元。")
    return [(DEDICATED, amount), (expenses[0][0], -amount)]


def plan_correction(loaded, text: str, c: Correction) -> tuple[str, str, str]:
    """(the correcting voucher, the entry's text, the new ledger text)."""
    if c.how not in HOWS:
        raise BookingUsageError(f"整改方式“{c.how}”不正确：应为 refund（退回专户）、transfer（学校自有资金划回）"
                                "或 reverse（冲销，之后重新入账）。")
    target = _target(loaded, c.voucher)
    if c.date < target.date:
        raise BookingUsageError(f"整改日期 {c.date} 早于原凭证日期 {target.date}。")
    voucher = (c.new_voucher or "").strip() or next_voucher(loaded.entries, c.date.year)
    if not _VOUCHER.match(voucher):
        raise BookingUsageError(f"凭证号“{voucher}”不正确：请用字母、数字和“-”，如 {c.date.year}-031。")
    used = {meta_text(e.meta, "voucher") for e in loaded.entries if type(e) is data.Transaction}
    if voucher in used:
        raise BookingUsageError(f"凭证号 {voucher} 已被使用；请换一个，或不给 --voucher 自动编号。")
    if c.payee:
        payee = c.payee
    elif c.how == "transfer" and loaded.studio is not None:
        payee = loaded.studio.host_school
    else:
        payee = target.payee or "（未载明）"
    what = target.narration or "原支出"
    narration = c.narration or {
        "refund": f"退回：{what}（整改凭证 {c.voucher}）",
        "transfer": f"学校自有资金划回专户：{what}（整改凭证 {c.voucher}）",
        "reverse": f"冲销凭证 {c.voucher}：{what}（待重新入账）",
    }[c.how]
    lines = [f"{c.date} * {quote(payee)} {quote(narration)}", f"  voucher: {quote(voucher)}",
             f"  corrects: {quote(c.voucher)}", f"  correction: {quote(c.how)}"]
    invoice = meta_text(target.meta, "invoice")
    if c.how == "reverse" and invoice:  # the reversal releases the invoice for the re-booking
        lines.append(f"  invoice: {quote(invoice)}")
    lines += [f"  {account}  {fmt(number)} {CURRENCY}" for account, number in _postings(target, c.amount)]
    body = "\n".join(lines)
    header = f"; 整改（studiofund correct）：{HOWS[c.how]}，更正凭证 {c.voucher}"
    return voucher, body, append_block(text, f"{header}\n{body}")


class _Stop(Exception):
    pass


def correct(path: str | Path, c: Correction, *, dry_run: bool = False,
            timeout: float | None = None, load: Any = None) -> CorrectionResult:
    """Book the correction ``c`` in the ledger at ``path`` — or refuse when it would bring an
    ``error`` finding of its own. Raises :class:`BookingUsageError` for bad usage."""
    with locked_for_booking(path, timeout=timeout, load=load) as (path, writer, loaded):
        voucher, body, new_text = plan_correction(loaded, writer.read(), c)
        result = CorrectionResult(False, voucher, c.voucher, str(path), 0, body)

        def judge(after) -> None:
            mine = [f for f in after.findings if f.voucher == c.voucher]
            new = attributable(loaded.findings, after.findings)
            result.corrected = mine
            result.findings = [f for f in new if f.voucher != c.voucher]
            result.lineno = max((e.meta.get("lineno", 0) for e in after.entries if type(e) is data.Transaction
                                 and meta_text(e.meta, "voucher") == voucher), default=0)
            if dry_run or result.refused:
                raise _Stop

        try:
            with refusals_as_usage_errors("整改"):
                writer.replace(new_text, check=judge)
        except _Stop:
            return result
        result.written = True
        return result
