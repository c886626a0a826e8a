"""Booking one payment from the dedicated account: plan the entry, run every check on the ledger
as it would be, write it through the writer — or refuse, writing nothing.

    payment = Payment(date, payee, narration, account="Materials", amount=Decimal("4040"), …)
    result = record(ledger_path, payment)            # RecordResult: written, voucher, findings …

:func:`plan_payment` is pure: the ledger as loaded (and its text) and a :class:`Payment` give a
:class:`Booking` — the entry's text, the new text of the ledger, the scans to keep, and the
refusals that need no load (a category the program does not permit, a sealed year).
:func:`record` takes the writer's lock, plans from the ledger read under it, and lets the writer
load the new text; the findings *attributable to the new entry* — its own, and those that arise
elsewhere because of it (an overdraft of a later payment) — decide: any ``error`` among them
refuses the write. Findings the ledger already had are not the new entry's.

Later work plugs in here: ``Payment.corrects`` (a correction's ``corrects:``), ``extra_meta``
(an e-invoice's ``invoice-items:``), ``Booking.replaces`` (completing a pending entry: its lines
are removed as the new entry is appended).
"""

from __future__ import annotations

from contextlib import contextmanager

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data
from beancount.ops.balance import BalanceError

from studiofund.ledger.findings import ERROR, Finding, format_message
from studiofund.ledger.loading import LedgerInputError, check_readable
from studiofund.ledger.meta import next_voucher
from studiofund.ledger.text import append_block, clean_text, quote, remove_directives
from studiofund.ledger.writer import (LedgerWouldNotLoad, LedgerWriter, SealedYearError,
                                      frozen_through)
from studiofund.money import CURRENCY, fmt, parse_amount, q2
from studiofund.policy.models import BASE_ACCOUNTS, TAX_WITHHELD

from .accounts import BookingUsageError, resolve_account
from .attachments import Attachment, PlacedScan, add_header_lines, place_scans
from .measures import Measures, measure_meta
from .tax import LabourTax, labour_tax

DEDICATED = "Assets:Bank:Dedicated"
_VOUCHER = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._/-]{0,39}$")


@dataclass(frozen=True)
class Payment:
    """One payment as the officer gives it (CLI options or the desk's form)."""

    date: datetime.date
    payee: str
    narration: str
    account: str  # short name, full name or the program's Chinese label
    amount: Decimal  # what the expense costs (gross for a payment to a person)
    voucher: str | None = None  # None: the next free YYYY-NNN of the year
    invoices: tuple[str, ...] = ()
    approver: str | None = None
    reviewer: str | None = None
    payee_id: str | None = None
    tax: str | Decimal | None = None  # "auto", an amount, or None
    asset_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    corrects: str | None = None  # the voucher this entry corrects (findings lifecycle)
    extra_meta: dict[str, str] = field(default_factory=dict)  # e.g. an e-invoice's invoice-items
    measures: Measures | None = None  # hours/title, persons/days: what the spending standards read


@dataclass
class Booking:
    """The planned entry."""

    voucher: str
    account: str
    entry_text: str  # the transaction (and any ``open`` it needs), as appended
    text: str  # the whole new text of the top-level file
    tax: LabourTax | None = None
    tax_amount: Decimal | None = None  # the tax booked (auto or given)
    scans: list[PlacedScan] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    refusals: list[Finding] = field(default_factory=list)  # found without loading
    replaces: Any = None  # a pending entry this one completes (its lines are removed)


@dataclass
class RecordResult:
    written: bool
    voucher: str
    filename: str
    lineno: int
    entry: str
    findings: list[Finding]
    tax: LabourTax | None = None
    tax_amount: Decimal | None = None
    documents: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        """CONTRACT.md's ``record --format json`` object (plus the tax and the documents)."""
        out: dict[str, Any] = {
            "written": self.written, "voucher": self.voucher, "filename": self.filename,
            "lineno": self.lineno, "entry": self.entry,
            "findings": [f.to_json() for f in self.findings],
        }
        if self.tax_amount is not None:
            out["tax"] = {"withheld": fmt(self.tax_amount),
                          "taxable": fmt(self.tax.taxable) if self.tax else None,
                          "explanation": self.tax.explain() if self.tax else None}
        if self.documents:
            out["documents"] = self.documents
        return out


# -- the answer in text ------------------------------------------------------------------------

#: said when a payment booked (or tried) brings no finding
PASSED = "检查通过：这笔支出没有违规或待复核事项。"


def answer_text(head: str, entry: str, findings: list[Finding], notes: list[str] = (),
                passed: str = "") -> str:
    """A booking's answer as `studiofund record` and `correct` print it: ``head`` (what was
    done), the entry as booked (indented), ``notes`` (the tax, the attachments, the corrected
    voucher's findings …), then the findings the entry brings — 违规 before 待复核 — or
    ``passed`` when there is none."""
    out = [head, "", *("  " + line for line in entry.split("\n")), "", *notes]
    out += [f"违规：{f.message}" for f in findings if f.severity == ERROR]
    out += [f"待复核：{f.message}" for f in findings if f.severity != ERROR]
    if not findings and passed:
        out.append(passed)
    return "\n".join(out)


def render_text(result: RecordResult, head: str = "") -> str:
    """The text answer of a payment booked, refused or tried (dry run); ``head`` replaces the
    first line (a completion says what it completed)."""
    if not head and result.written:
        head = f"已记账：凭证 {result.voucher} → {result.filename}:{result.lineno}"
    elif not head and result.refused:
        head = f"未记账（凭证 {result.voucher}）：这笔支出有违规，账簿未改动。请按下列提示补齐或改正后重试。"
    elif not head:
        head = f"试运行：凭证 {result.voucher} 可以记账（未写入账簿）。"
    notes = []
    if result.tax_amount is not None:
        explained = f"（{result.tax.explain()}）" if result.tax else ""
        notes.append(f"代扣个人所得税 {result.tax_amount:,.2f} 元{explained}")
    notes += [f"附件：{name}" + ("（已保存到附件目录）" if result.written else "") for name in result.documents]
    return answer_text(head, result.entry, result.findings, notes, passed=PASSED)


# -- input ------------------------------------------------------------------------------------


def _text(value: str | None, what: str, required: bool = False) -> str | None:
    cleaned = clean_text(value) if value is not None else ""
    if not cleaned:
        if required:
            raise BookingUsageError(f"请填写{what}。")
        return None
    if len(cleaned) > 200:
        raise BookingUsageError(f"{what}太长（{len(cleaned)} 字）；请控制在 200 字以内。")
    return cleaned


def _invoices(numbers: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for raw in numbers:
        for number in re.split(r"[,，、;；\s]+", str(raw)):
            if not number:
                continue
            if not re.fullmatch(r"[0-9A-Za-z-]{1,40}", number):
                raise BookingUsageError(f"发票号码“{number}”不正确：只能是数字和字母（数电票为 20 位数字）。")
            if number not in out:
                out.append(number)
    return out


def tax_amount_of(payment: Payment, amount: Decimal) -> tuple[LabourTax | None, Decimal | None]:
    if payment.tax is None or payment.tax == "":
        return None, None
    if isinstance(payment.tax, str) and payment.tax.strip().lower() == "auto":
        computed = labour_tax(amount)
        return computed, computed.tax
    try:
        given = parse_amount(payment.tax)
    except ValueError:
        raise BookingUsageError(f"--tax 应为 auto 或金额，而不是“{payment.tax}”。") from None
    if given < 0 or given >= amount:
        raise BookingUsageError(f"代扣个人所得税 {given} 元不合理（应在 0 与支付金额 {amount} 元之间）。")
    return labour_tax(amount), given


def _finding(rule: str, message: str, policy, voucher: str, date, source: dict) -> Finding:
    return Finding(source, format_message(rule, ERROR, voucher, message, policy.cite(rule)),
                   None, rule, ERROR, voucher, date)


# -- planning ---------------------------------------------------------------------------------


def _opened(entries) -> set[str]:
    return {e.account for e in entries if type(e) is data.Open}


def plan_payment(loaded, text: str, payment: Payment, *, replaces=None, flag: str = "*") -> Booking:
    """The entry for ``payment`` in the ledger ``loaded`` (whose top-level text is ``text``).
    ``replaces`` is a pending entry of that text the new one completes (its lines are removed);
    ``flag`` is the new entry's flag (``!`` while a completed entry still has errors).

    Raises :class:`BookingUsageError` for bad input (exit 2)."""
    policy = loaded.policy
    problem = loaded.problem(writing=True)
    if problem:
        raise BookingUsageError(problem)
    payee = _text(payment.payee, "收款方（--payee）", required=True)
    narration = _text(payment.narration, "摘要（--narration）", required=True)
    account = resolve_account(policy, payment.account)
    amount = q2(payment.amount)
    if amount != payment.amount:
        raise BookingUsageError(f"金额 {payment.amount} 最多两位小数（精确到分）。")
    red = payment.extra_meta.get("invoice-kind") == "red"
    if amount <= 0 and not (red and amount < 0):  # a red-letter invoice books money coming back
        raise BookingUsageError("金额应大于 0（冲销请用更正凭证）。")
    if red and payment.tax:
        raise BookingUsageError("红字发票冲回的分录不代扣个人所得税（--tax）。")
    date = payment.date
    opened = [e.date for e in loaded.entries if type(e) is data.Open and e.account == DEDICATED]
    if opened and date < min(opened):  # before the books: bad usage, not a finding
        raise BookingUsageError(f"日期（--date）{date} 早于账簿的开始日期（专户 {DEDICATED} 于 {min(opened)} 开设）；请核对付款日期。")
    voucher = _text(payment.voucher, "凭证号") or next_voucher(loaded.entries, date.year)
    if not _VOUCHER.match(voucher):
        raise BookingUsageError(f"凭证号“{voucher}”不正确：请用字母、数字和“-”，如 {date.year}-018。")
    invoices = _invoices(payment.invoices)
    pays_person = any(a.pays_individuals and (account == a.account or account.startswith(a.account + ":"))
                      for a in policy.accounts)
    tax, tax_amount = tax_amount_of(payment, amount)
    if tax_amount is not None and not pays_person:
        raise BookingUsageError(f"{policy.label(account)}不是支付给个人的科目，不能代扣个人所得税（--tax）。"
                                "讲课费、课酬、劳务费等支付给个人的科目才需要。")
    measured = measure_meta(policy, account, payment.measures)
    source = {"filename": str(loaded.path), "lineno": 0}
    booking = Booking(voucher, account, "", text, tax, tax_amount, replaces=replaces)

    # refusals that need no load: the category, a sealed year
    if not policy.is_permitted(account):
        allowed = "、".join(f"{a.label}（{a.account}）" for a in policy.accounts)
        booking.refusals.append(_finding(
            "category-not-permitted",
            f"科目 {account}（{policy.label(account)}）不在本项目允许的开支范围内（金额 {fmt(amount)} CNY），未记账。"
            f"请改记到允许的科目：{allowed}；不属于其中任何一类的支出不得由专项经费列支。",
            policy, voucher, date, source))
    last, seals = frozen_through(loaded.entries)
    if last is not None and date <= last:
        year = max(seals)
        booking.refusals.append(_finding(
            "sealed-period-changed",
            f"{year} 年度已于 {seals[year].date} 封账，日期 {date} 落在已封账期间，未记账。已报送的年度账目不得改动；"
            f"如确需补记，请先用 studiofund close --year {year} --reopen --reason \"理由\" 留痕开账。",
            policy, voucher, date, source))
    if booking.refusals:
        booking.entry_text = render_entry(date, payee, narration, account, amount, voucher, invoices, payment,
                                          tax_amount, [], flag, measured)
        return booking

    scans, header = place_scans(Path(loaded.path), loaded.options_map, account, date, voucher,
                                list(payment.attachments))
    booking.scans = scans
    booking.attachments = list(payment.attachments)
    opened = _opened(loaded.entries)
    opens = []
    if account not in opened:  # permitted, never opened in this (older) ledger
        opens.append(f"{date} open {account} {CURRENCY}\n  name: {quote(policy.label(account))}")
    if tax_amount and TAX_WITHHELD not in opened:  # the one-time migration of an older ledger
        opens.append(f"{date} open {TAX_WITHHELD} {CURRENCY}\n  name: {quote(BASE_ACCOUNTS[TAX_WITHHELD])}")
    entry = render_entry(date, payee, narration, account, amount, voucher, invoices, payment, tax_amount,
                         [s.name for s in scans], flag, measured)
    booking.entry_text = "\n".join(opens + [entry])
    new_text = text
    if booking.replaces is not None:  # before the header lines move every line number
        new_text = remove_directives(new_text, {booking.replaces.meta["lineno"]})
    new_text = add_header_lines(new_text, header)
    booking.text = append_block(new_text, f"; 记账（studiofund record）凭证 {voucher}\n" + booking.entry_text)
    return booking


def render_entry(date, payee, narration, account, amount, voucher, invoices, payment, tax_amount,
                 documents: list[str], flag: str = "*", measured: list[tuple[str, str]] = ()) -> str:
    lines = [f"{date} {flag} {quote(payee)} {quote(narration)}", f"  voucher: {quote(voucher)}"]
    if invoices:
        lines.append(f"  invoice: {quote(','.join(invoices))}")
    for key, value in (("approver", payment.approver), ("reviewer", payment.reviewer),
                       ("payee-id", payment.payee_id), ("asset-id", payment.asset_id),
                       ("corrects", payment.corrects)):
        value = clean_text(value) if value else ""
        if value:
            lines.append(f"  {key}: {quote(value)}")
    if tax_amount is not None:
        lines.append(f"  tax-withheld: {fmt(tax_amount)}")
    for key, rendered in measured:  # numbers unquoted, the title quoted (measures.measure_meta)
        lines.append(f"  {key}: {rendered}")
    for key, value in payment.extra_meta.items():
        lines.append(f"  {key}: {quote(value)}")
    for i, name in enumerate(documents):
        lines.append(f"  {'document' if i == 0 else f'document-{i + 1}'}: {quote(name)}")
    lines.append(f"  {account}  {fmt(amount)} {CURRENCY}")
    if tax_amount:
        lines.append(f"  {TAX_WITHHELD}  {fmt(-tax_amount)} {CURRENCY}")
    lines.append(f"  {DEDICATED}  {fmt(-(amount - (tax_amount or 0)))} {CURRENCY}")
    return "\n".join(lines)


# -- which findings are the new entry's ---------------------------------------------------------


def finding_key(finding) -> tuple:
    """What identifies a finding across two loads of a ledger whose lines moved: the rule, the
    severity, the entry's date, voucher and words — not line numbers nor amounts in the text."""
    entry = getattr(finding, "entry", None)
    return (finding.rule, finding.severity, finding.voucher, finding.date, type(entry).__name__,
            getattr(entry, "payee", None), getattr(entry, "narration", None),
            getattr(entry, "type", None))


def attributable(before: list, after: list) -> list:
    """The findings of ``after`` that ``before`` did not have (counted, so a second copy of a
    finding counts as new)."""
    left = Counter(finding_key(f) for f in before)
    out = []
    for finding in after:
        key = finding_key(finding)
        if left[key] > 0:
            left[key] -= 1
        else:
            out.append(finding)
    return out


def _entry_line(after, voucher: str, path: Path) -> int:
    """The line of the new entry (the last transaction of the top-level file with its voucher)."""
    names = {str(Path(path).resolve()), str(path)}
    lines = [e.meta.get("lineno", 0) for e in after.entries
             if type(e) is data.Transaction and (e.meta or {}).get("voucher") == voucher
             and e.meta.get("filename") in names]
    return max(lines, default=0)


# -- recording ----------------------------------------------------------------------------------


class _Stop(Exception):
    """Ends the writer's check without writing (a refusal or a dry run)."""


def load_error_message(error) -> str:
    """A Beancount error the new entry would cause, in the officer's words."""
    entry = getattr(error, "entry", None)
    if isinstance(error, BalanceError) and type(entry) is data.Balance:
        expected = entry.amount
        # Beancount's own figure (its English message, or as ledger.loading put it in Chinese)
        found = re.search(r"(?:accumulated|账上为) (-?[\d.]+)", error.message)
        actual = f"，届时余额为 {Decimal(found.group(1)):,.2f}" if found else ""
        return (f"记账后 {entry.date} 的余额核对（{entry.account} 应为 {expected.number:,.2f} {expected.currency}）"
                f"将不成立{actual}。这笔支出的日期早于该核对日：请核对日期是否有误；"
                "如确为当时的支出，须先查明那次核对的银行对账单。")
    return f"记账后账簿将无法正确加载：{error.message.rstrip('。')}。请核对日期、金额和科目。"


def _load_error_findings(errors, policy, voucher, date) -> list[Finding]:
    out = []
    for error in errors:
        source = dict(getattr(error, "source", None) or {})
        out.append(Finding(source, f"【违规·beancount】凭证 {voucher}：{load_error_message(error)}未记账。",
                           None, "beancount", ERROR, voucher, date))
    return out


@contextmanager
def refusals_as_usage_errors(done: str):
    """The writer's refusal of a sealed year or of a text that would not load, as the
    :class:`BookingUsageError` of a command that rewrites an entry (``done``: 补全, 整改 — what
    the ledger would be after)."""
    try:
        yield
    except SealedYearError as exc:
        raise BookingUsageError(str(exc)) from None
    except LedgerWouldNotLoad as exc:
        raise BookingUsageError(f"{done}后账簿将无法正确加载：{exc}") from None


@contextmanager
def locked_for_booking(path: str | Path, *, timeout: float | None, load: Any = None):
    """``(path, writer, loaded)``: the ledger at ``path`` readable, locked by its writer (``load``:
    the server's confined one) and usable for a write — the opening every booking command shares.
    An unreadable or unusable ledger is a :class:`BookingUsageError`."""
    try:
        path = check_readable(path)
    except LedgerInputError as exc:
        raise BookingUsageError(str(exc)) from None
    with LedgerWriter(path, timeout=timeout, load=load) as writer:
        loaded = writer.before()
        problem = loaded.problem(writing=True)
        if problem:
            raise BookingUsageError(problem)
        yield path, writer, loaded


def record(path: str | Path, payment: Payment, *, dry_run: bool = False, timeout: float | None = None,
           load: Any = None) -> RecordResult:
    """Book ``payment`` in the ledger at ``path`` — or refuse. Raises :class:`BookingUsageError`
    for bad usage or an unreadable ledger, :class:`~studiofund.ledger.writer.LedgerWriteError`
    when the write itself fails (busy, disk)."""
    with locked_for_booking(path, timeout=timeout, load=load) as (path, writer, loaded):
        booking = plan_payment(loaded, writer.read(), payment)
        result = RecordResult(False, booking.voucher, str(path), 0, booking.entry_text, [],
                              booking.tax, booking.tax_amount, [s.name for s in booking.scans])
        if booking.refusals:
            result.lineno = writer.read().count("\n") + 3
            result.findings = booking.refusals
            return result
        for scan, attachment in zip(booking.scans, booking.attachments):
            writer.stage(scan.path, attachment.data)

        def check(after) -> None:
            result.findings = attributable(loaded.findings, after.findings)
            result.lineno = _entry_line(after, booking.voucher, path)
            if dry_run or result.refused:
                raise _Stop

        try:
            writer.replace(booking.text, check=check)
        except _Stop:
            return result
        except SealedYearError as exc:
            result.findings = [_finding("sealed-period-changed", str(exc), loaded.policy, booking.voucher,
                                        payment.date, {"filename": str(path), "lineno": 0})]
            return result
        except LedgerWouldNotLoad as exc:
            result.findings = _load_error_findings(exc.errors, loaded.policy, booking.voucher, payment.date)
            return result
        result.written = True
        return result
