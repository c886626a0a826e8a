"""Completing a pending entry: ``record --complete REF`` and the desk's 补全.

``import`` books every bank line, but a line it cannot place in full becomes a pending ``!``
entry: no voucher, no invoice, no signatures, maybe the holding account 待分类支出. Completing it
books the same payment properly — date, payee, narration and amount stay the bank's (the officer
may reword the payee and narration), the account and the papers are the officer's, the
``bank-ref`` is kept (a second import still knows the line), and an entry without a voucher gets
the next free one of its year. The pending entry's lines are replaced by the completed entry.

The completed entry is ``*`` only when no ``error`` finding remains on it; while one does, it is
written with what was filled in and stays ``!`` (the result says what is still missing).

REF is the pending entry's ``bank-ref`` or its voucher (``studiofund pending`` lists both).
Money that came in (a grant from an unlisted payer, other income) and money that left for no
expense (a refund to the bureau, the tax paid to the tax office) are completed onto their
income or liability account (市级拨款, 区级配套, 其他收入, 应缴回经费, 应交个人所得税).
"""

from __future__ import annotations

from typing import Any

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from beancount.core import data

from studiofund.ledger.findings import ERROR
from studiofund.ledger.meta import text as meta_text
from studiofund.ledger.text import append_block, quote, remove_directives, same_file
from studiofund.money import CURRENCY, fmt, q2
from studiofund.policy.models import BASE_ACCOUNTS

from .accounts import BookingUsageError, resolve_account
from .attachments import Attachment
from .measures import Measures
from .pending import DEDICATED, Pending, pending_entries
from .record import (locked_for_booking, Payment, RecordResult, attributable, next_voucher, plan_payment,
                     refusals_as_usage_errors)
from .tax import labour_tax, net_of

#: Accounts a pending line may be completed onto besides the program's expense categories.
NON_EXPENSE = ("Income:Grant:City", "Income:Grant:District", "Income:Grant:Other", "Liabilities:Refund:Bureau",
               "Liabilities:Tax:Withheld")


@dataclass(frozen=True)
class Completion:
    """What the officer gives to complete a pending entry."""

    ref: str  # the pending entry's bank-ref or voucher
    account: str
    voucher: str | None = None
    invoices: tuple[str, ...] = ()
    approver: str | None = None
    reviewer: str | None = None
    payee_id: str | None = None
    tax: str | Decimal | None = None
    asset_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    amount: Decimal | None = None  # the gross of a payment to a person (else from the bank's net)
    payee: str | None = None  # a better wording than the bank's; None keeps it
    narration: str | None = None
    corrects: str | None = None  # the voucher this line corrects (a refund that came in)
    extra_meta: dict[str, str] = field(default_factory=dict)
    measures: Measures | None = None  # hours/title, persons/days (record's --hours … --days)


@dataclass
class CompletionResult(RecordResult):
    ref: str = ""
    completed: bool = False  # written (or, in a dry run, would be) as ``*``

    def to_json(self) -> dict:
        out = super().to_json()
        out["complete"] = self.ref
        out["flag"] = "*" if self.completed else "!"
        return out


def find_pending(loaded, ref: str) -> Pending:
    """The pending entry whose bank-ref or voucher is ``ref``; raises BookingUsageError."""
    ref = (ref or "").strip()
    items = pending_entries(loaded.entries, loaded.findings)
    found = [p for p in items if ref and (p.bank_ref == ref or p.voucher == ref)]
    if not found:
        known = "、".join(p.bank_ref or p.voucher or str(p.date) for p in items[:8]) or "（没有待补全的分录）"
        raise BookingUsageError(f"没有 bank-ref 或凭证号为“{ref}”的待补全（!）分录；待补全的有：{known}。"
                                "请用 studiofund pending 查看。")
    if len(found) > 1:
        raise BookingUsageError(f"“{ref}”对应 {len(found)} 笔待补全分录；请改用它们各自的 bank-ref。")
    return found[0]


def gross_of(net: Decimal) -> Decimal:
    """The 劳务报酬 whose payment after the withholding is ``net`` (the bank's line shows the net).
    The formula is monotone, so the cents are found by bisection."""
    low, high = q2(net), q2(net * 2 + 1000)
    while high - low > Decimal("0.01"):
        middle = q2((low + high) / 2)
        if net_of(labour_tax(middle)) < net:
            low = middle
        else:
            high = middle
    for candidate in (low, high):
        if net_of(labour_tax(candidate)) == net:
            return candidate
    raise BookingUsageError(f"实付 {fmt(net)} 元找不到对应的税前金额（按劳务报酬公式）；请用 --amount 给出税前金额、"
                            "--tax 给出实际代扣的税额。")


def direct_account(policy, name: str, pending: Pending, corrects: str | None) -> str | None:
    """The account of a line booked as it stands (bank against one account), or None for a payment
    ``record`` plans: an income or liability account; the importer's fee account (银行手续费: no
    program permits it — completed, it keeps its finding until the fee is transferred back); or,
    for money that came back (``--corrects``), the expense it takes back."""
    typed = " ".join(str(name).split())
    importing = policy.importing
    special = {importing.fee_account: importing.fee_label}
    for account in (*NON_EXPENSE, *special):
        label = special.get(account) or BASE_ACCOUNTS.get(account) or policy.label(account)
        names = {account, account.rsplit(":", 1)[1], label, re.sub(r"[（(].*?[）)]", "", label)}
        if typed in names:
            return account
    if pending.amount < 0:  # money came in: onto an expense only as the refund of a voucher
        account = resolve_account(policy, typed)
        if not corrects:
            raise BookingUsageError(f"这笔流水是收入（{fmt(-pending.amount)} 元）：记入支出科目 {account} 即冲减支出，"
                                    "须用 --corrects 凭证号 指明它退回的是哪张凭证；否则请选择 市级拨款、区级配套或其他收入。")
        return account
    return None


def completion_payment(pending: Pending, c: Completion, policy) -> Payment:
    """The payment the pending entry is, with the officer's account and papers."""
    account = resolve_account(policy, c.account)
    paid = pending.amount
    person = any(a.pays_individuals and (account == a.account or account.startswith(a.account + ":"))
                 for a in policy.accounts)
    amount = paid
    if person and c.tax not in (None, ""):
        if c.amount is not None:
            amount = q2(c.amount)
        elif isinstance(c.tax, str) and c.tax.strip().lower() == "auto":
            amount = gross_of(paid)
        else:
            raise BookingUsageError("给出了代扣税额时，请同时用 --amount 给出税前金额。")
    elif c.amount is not None and q2(c.amount) != paid:
        raise BookingUsageError(f"银行实付 {fmt(paid)} 元，--amount {fmt(c.amount)} 元与之不符；补全时金额取自银行流水。")
    return Payment(
        date=pending.date, payee=c.payee or pending.payee or "（未载明）", narration=c.narration or pending.narration
        or "银行流水", account=account, amount=amount, voucher=c.voucher or pending.voucher, invoices=c.invoices,
        approver=c.approver, reviewer=c.reviewer, payee_id=c.payee_id, tax=c.tax, asset_id=c.asset_id,
        attachments=c.attachments, corrects=c.corrects, measures=c.measures,
        extra_meta={**({"bank-ref": pending.bank_ref} if pending.bank_ref else {}), **c.extra_meta},
    )


def _simple_text(loaded, text: str, pending: Pending, c: Completion, account: str, flag: str) -> tuple[str, str, str]:
    """(voucher, entry text, new ledger text) of a line completed onto an income or liability."""
    entry = pending.entry
    voucher = (c.voucher or pending.voucher or next_voucher(loaded.entries, pending.date.year)).strip()
    bank = -pending.amount
    payee = c.payee or pending.payee
    head = f"{pending.date} {flag} " + (f"{quote(payee)} " if payee else "")
    lines = [head + quote(c.narration or pending.narration or "银行流水"), f"  voucher: {quote(voucher)}"]
    if pending.bank_ref:
        lines.append(f"  bank-ref: {quote(pending.bank_ref)}")
    if c.invoices:
        lines.append(f"  invoice: {quote(','.join(c.invoices))}")
    for key, value in (("approver", c.approver), ("reviewer", c.reviewer), ("corrects", c.corrects)):
        if value:
            lines.append(f"  {key}: {quote(value)}")
    lines += [f"  {DEDICATED}  {fmt(bank)} {CURRENCY}", f"  {account}  {fmt(-bank)} {CURRENCY}"]
    body = "\n".join(lines)
    new_text = remove_directives(text, {entry.meta["lineno"]})
    return voucher, body, append_block(new_text, f"; 补全待处理分录（studiofund record --complete）凭证 {voucher}\n{body}")


class _Stop(Exception):
    pass


#: The comment lines our writers put above an entry (removed with the entry they introduce).
OUR_COMMENTS = ("; 记账（studiofund record）", "; 补全待处理分录")


def _without_our_comment(text: str, entry):
    """``text`` without the comment line of ours right above ``entry``, and ``entry`` with its
    line number as it then is (so that a re-completed entry leaves no stray comment behind)."""
    lines = text.split("\n")
    lineno = entry.meta["lineno"]
    if lineno >= 2 and lines[lineno - 2].startswith(OUR_COMMENTS):
        del lines[lineno - 2]
        return "\n".join(lines), entry._replace(meta={**entry.meta, "lineno": lineno - 1})
    return text, entry


def complete(path: str | Path, completion: Completion, *, dry_run: bool = False,
             timeout: float | None = None, load: Any = None) -> CompletionResult:
    """Complete the pending entry ``completion.ref`` of the ledger at ``path``. Raises
    :class:`BookingUsageError` for bad usage, :class:`~studiofund.ledger.writer.LedgerWriteError`
    when the write itself fails."""
    with locked_for_booking(path, timeout=timeout, load=load) as (path, writer, loaded):
        pending = find_pending(loaded, completion.ref)
        entry = pending.entry
        if not same_file(entry.meta, path):
            raise BookingUsageError(f"{entry.meta.get('filename')}:{entry.meta.get('lineno')}：这笔待补全分录不在顶层账簿文件中；"
                                    "请在该文件中直接补全，或把它移到顶层文件后再用 --complete。")
        text, entry = _without_our_comment(writer.read(), entry)
        pending.entry = entry
        simple = direct_account(loaded.policy, completion.account, pending, completion.corrects)
        if simple is not None and completion.measures is not None and completion.measures.given():
            raise BookingUsageError(f"{loaded.policy.label(simple)}不是讲课费、培训、会议或食宿支出，"
                                    "不能填写学时、职称、人数或天数。")

        def plan(flag: str):
            if simple is not None:
                voucher, body, new_text = _simple_text(loaded, text, pending, completion, simple, flag)
                return voucher, body, new_text, None
            booking = plan_payment(loaded, text, completion_payment(pending, completion, loaded.policy), replaces=entry,
                                   flag=flag)
            return booking.voucher, booking.entry_text, booking.text, booking

        voucher, body, new_text, booking = plan("*")
        result = CompletionResult(False, voucher, str(path), 0, body, [], ref=completion.ref)
        if booking is not None:
            result.tax, result.tax_amount = booking.tax, booking.tax_amount
            result.documents = [s.name for s in booking.scans]
            if booking.refusals and any(f.rule == "sealed-period-changed" for f in booking.refusals):
                result.findings = booking.refusals
                return result
            for scan, attachment in zip(booking.scans, booking.attachments):
                writer.stage(scan.path, attachment.data)

        def judge(after) -> None:
            result.findings = _findings_of(loaded, after, voucher, pending)
            result.lineno = _line_of(after, voucher, path)
            result.completed = not any(f.severity == ERROR and f.is_open for f in result.findings)
            if dry_run or not result.completed:
                raise _Stop

        try:
            with refusals_as_usage_errors("补全"):
                writer.replace(new_text, check=judge)
            result.written = True
            return result
        except _Stop:
            if dry_run:
                return result
        # errors remain: write what was filled in, still pending (!)
        voucher, body, new_text, booking = plan("!")
        result.entry = body

        def keep(after) -> None:
            result.findings = _findings_of(loaded, after, voucher, pending)
            result.lineno = _line_of(after, voucher, path)

        writer.replace(new_text, check=keep)
        result.written = True
        return result


def _findings_of(before, after, voucher: str, pending: Pending) -> list:
    """The findings of the completed entry, and any the completion brought elsewhere."""

    def mine(finding) -> bool:
        return finding.voucher == voucher and getattr(finding.entry, "date", None) == pending.date

    own = [f for f in after.findings if mine(f)]
    return own + [f for f in attributable(before.findings, after.findings) if not mine(f)]


def _line_of(after, voucher: str, path: Path) -> int:
    lines = [e.meta.get("lineno", 0) for e in after.entries
             if type(e) is data.Transaction and meta_text(e.meta, "voucher") == voucher and same_file(e.meta, path)]
    return max(lines, default=0)

