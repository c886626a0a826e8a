"""Reconciliation (对账): statement lines meet the entries an officer booked by hand.

A finance officer often books a payment from the voucher before the bank statement arrives.
When the statement is imported, its line for that payment must not be added a second time: it is
*linked* to the hand-booked entry instead (the entry gains the line's ``bank-ref``).

A line and an entry are candidates for each other when the entry

* moves the dedicated account (``Assets:Bank:Dedicated``) by exactly the line's amount,
* carries no ``bank-ref`` yet (it came from no statement) and books no carried-forward balance,
* is dated within :data:`MATCH_DAYS` days of the line, and
* names the same party: the statement's counterparty and the entry's payee (or narration) agree
  after normalising (full-width forms, spaces, punctuation and company suffixes such as 有限公司
  dropped; one may contain the other). A line or an entry without a name contradicts nobody.

A line is linked only when the pairing is certain: it has exactly one candidate that no other
line wants, or exactly one candidate dated on its own day, or its candidates and the lines that
want them are interchangeable (same day, amount and party on both sides, so any pairing books
the same thing). Anything else is *ambiguous*: shown with every candidate, never guessed.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from beancount.core import data

from studiofund.ledger.meta import text as meta_text
from studiofund.policy.models import CARRY_FORWARD

from .statement import StatementLine

#: How many days a hand-booked entry's date may be from the bank's (booked at the invoice or
#: approval date, executed by the bank a few days later or earlier).
MATCH_DAYS = 7
BANK_REF = "bank-ref"

_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "公司")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def party(text: str | None) -> str:
    """A name for comparison: NFKC, no spaces or punctuation, without a company suffix."""
    name = _PUNCT.sub("", unicodedata.normalize("NFKC", text or "")).lower()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def names_agree(line: StatementLine, entry: data.Transaction) -> bool:
    """The line's counterparty and the entry's payee (or narration) name the same party, or
    one side names nobody."""
    theirs = party(line.counterparty)
    ours = party(entry.payee)
    if not theirs or not ours:
        return True
    if theirs in ours or ours in theirs:
        return True
    narration = party(entry.narration)
    return bool(narration) and theirs in narration


def bank_amount(entry: data.Transaction, account: str) -> Decimal | None:
    """What the entry moves the bank account by (None when it does not touch it)."""
    numbers = [p.units.number for p in entry.postings if p.account == account and p.units is not None]
    return sum(numbers, Decimal(0)) if numbers else None


def hand_booked(entries: list[data.Directive], account: str) -> list[data.Transaction]:
    """The entries a statement line may be linked to: transactions on the bank account that
    came from no statement and are not the carried-forward opening balance."""
    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or meta_text(entry.meta, BANK_REF):
            continue
        if any(p.account == CARRY_FORWARD for p in entry.postings):
            continue
        if bank_amount(entry, account) is not None:
            out.append(entry)
    return out


@dataclass
class Reconciliation:
    """The outcome for one statement's new lines: links, ambiguous lines, and the lines that
    match nothing (to be added)."""

    links: list[tuple[StatementLine, str, data.Transaction]] = field(default_factory=list)
    ambiguous: list[tuple[StatementLine, str, list[data.Transaction]]] = field(default_factory=list)
    unmatched: list[tuple[StatementLine, str]] = field(default_factory=list)


def _where(entry: data.Transaction) -> tuple:
    return (entry.date, str(entry.meta.get("filename", "")), int(entry.meta.get("lineno", 0) or 0))


def _alike(entries: list[data.Transaction], account: str) -> bool:
    first = entries[0]
    return all(e.date == first.date and party(e.payee) == party(first.payee)
               and bank_amount(e, account) == bank_amount(first, account) for e in entries)


def reconcile(lines: list[tuple[StatementLine, str]], pool: list[data.Transaction], account: str,
              claimed: set[int]) -> Reconciliation:
    """Link ``lines`` (each with its bank-ref) to entries of ``pool`` (hand-booked entries);
    ``claimed`` holds the ``id`` of entries linked before (by an earlier statement of the same
    import) and gains those linked here."""
    by_amount: dict[Decimal, list[data.Transaction]] = {}
    for entry in pool:
        by_amount.setdefault(bank_amount(entry, account), []).append(entry)
    window = datetime.timedelta(days=MATCH_DAYS)
    candidates: dict[int, list[data.Transaction]] = {}
    for i, (line, _) in enumerate(lines):
        found = [e for e in by_amount.get(line.amount, ())
                 if id(e) not in claimed and abs(e.date - line.date) <= window and names_agree(line, e)]
        candidates[i] = sorted(found, key=_where)

    result = Reconciliation()
    linked: dict[int, data.Transaction] = {}
    open_lines = {i for i, c in candidates.items() if c}

    def free(i: int) -> list[data.Transaction]:
        return [e for e in candidates[i] if id(e) not in claimed]

    def wants(j: int, entries: list[data.Transaction]) -> bool:
        theirs = {id(e) for e in free(j)}
        return any(id(e) in theirs for e in entries)

    def link(i: int, entry: data.Transaction) -> None:
        linked[i] = entry
        claimed.add(id(entry))
        open_lines.discard(i)

    changed = True
    while changed:
        changed = False
        for i in sorted(open_lines):
            mine = free(i)
            if not mine:
                open_lines.discard(i)
                changed = True
                continue
            rivals = [j for j in open_lines if j != i and wants(j, mine)]
            if len(mine) == 1 and not rivals:
                link(i, mine[0])
                changed = True
                continue
            same_day = [e for e in mine if e.date == lines[i][0].date]
            if len(same_day) == 1 and not any(
                    wants(j, same_day) and lines[j][0].date == lines[i][0].date for j in rivals):
                link(i, same_day[0])
                changed = True
        if changed:
            continue
        # Interchangeable lines and entries: the same day, amount and party on both sides.
        groups: dict[tuple, list[int]] = {}
        for i in sorted(open_lines):
            line = lines[i][0]
            key = (line.date, line.amount, party(line.counterparty), tuple(id(e) for e in free(i)))
            groups.setdefault(key, []).append(i)
        for members in groups.values():
            entries = free(members[0])
            others = [j for j in open_lines if j not in members and wants(j, entries)]
            if entries and not others and _alike(entries, account):
                for i, entry in zip(members, entries):
                    link(i, entry)
                changed = True

    for i, (line, key) in enumerate(lines):
        if i in linked:
            result.links.append((line, key, linked[i]))
        elif i in open_lines and free(i):
            result.ambiguous.append((line, key, free(i)))
        else:
            result.unmatched.append((line, key))
    return result
