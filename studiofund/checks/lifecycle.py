"""The lifecycle of a finding: open, or rectified (已整改) by correcting entries.

Booked entries are never edited or deleted (that would destroy the audit trail). A finding on
voucher V is put right by new entries that carry ``corrects: "V"``: a refund into the dedicated
account, a transfer of the cost to the school's own funds, or a reversal followed by a proper
re-booking. The finding is **rectified** when those entries reverse the amount of V's offending
postings — for each offending expense account of V, the correcting entries take back (post
negative amounts to it) at least what V put there:

* ``category-not-permitted``: the postings on categories the program does not permit;
* every other finding of an expense: V's expense postings (``Txn.paid``).

What the correction books in their place (a re-booking on a permitted category, with its
invoice and signatures) is an entry of its own and is checked like any other. A finding that
names no voucher, is about no expense, or reports a sealed year changed stays open: no
correcting entry can put those right.

:func:`settle` is the last step of a check run, so the plugin, ``studiofund check``, the reports
and the web page all see the same statuses.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from beancount.core import data

from ..ledger.meta import text
from ..ledger.findings import Finding

CORRECTS = "corrects"
#: Findings that no correcting entry can put right.
NOT_RECTIFIABLE = frozenset({"sealed-period-changed", "beancount", "studio-config"})
_CENT = Decimal("0.005")


def corrected_vouchers(meta) -> list[str]:
    """The vouchers an entry's ``corrects:`` names (one, or several separated by commas)."""
    value = text(meta, CORRECTS)
    if value is None:
        return []
    return [v.strip() for v in value.replace("，", ",").replace("、", ",").split(",") if v.strip()]


def corrections(entries) -> dict[str, list[data.Transaction]]:
    """Voucher → the transactions that correct it, in date order."""
    found: dict[str, list[data.Transaction]] = defaultdict(list)
    for entry in entries:
        # most entries correct nothing: the key is looked for before any text is read
        if type(entry) is data.Transaction and entry.meta and CORRECTS in entry.meta:
            for voucher in corrected_vouchers(entry.meta):
                found[voucher].append(entry)
    return found


def _paid(entry: data.Transaction, keep=None) -> dict[str, Decimal]:
    """What ``entry`` puts on each expense account (its positive expense postings)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for p in entry.postings:
        if p.account.startswith("Expenses:") and p.units is not None and p.units.number > 0:
            if keep is None or keep(p.account):
                out[p.account] += p.units.number
    return out


def _taken_back(fixes: list[data.Transaction]) -> dict[str, Decimal]:
    """What correcting entries take back from each expense account (their negative postings)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for entry in fixes:
        for p in entry.postings:
            if p.account.startswith("Expenses:") and p.units is not None and p.units.number < 0:
                out[p.account] -= p.units.number
    return out


def fixer_name(entry: data.Transaction) -> str:
    """A correcting entry as the finding names it: its voucher, else its date and line."""
    return text(entry.meta, "voucher") or f"{entry.date}（第 {entry.meta.get('lineno', '?')} 行）"


def rectified_by(finding: Finding, fixes: dict[str, list[data.Transaction]], policy=None) -> tuple[str, ...]:
    """The correcting entries that rectify ``finding``, or () while it is open."""
    entry = finding.entry
    if finding.rule in NOT_RECTIFIABLE or not finding.voucher or type(entry) is not data.Transaction:
        return ()
    mine = [e for e in fixes.get(finding.voucher, ()) if e is not entry]
    if not mine:
        return ()
    keep = None
    if finding.rule == "category-not-permitted" and policy is not None:
        keep = lambda account: not policy.is_permitted(account)  # noqa: E731
    offending = _paid(entry, keep)
    if not offending:
        return ()
    back = _taken_back(mine)
    if all(back.get(account, Decimal(0)) + _CENT >= amount for account, amount in offending.items()):
        return tuple(dict.fromkeys(fixer_name(e) for e in mine))
    return ()


def settle(findings: list[Finding], entries, policy=None) -> list[Finding]:
    """``findings`` with the status of each: rectified ones marked, with their correcting
    vouchers and a message that says so."""
    fixes = corrections(entries)
    if not fixes:
        return findings
    out = []
    for finding in findings:
        by = rectified_by(finding, fixes, policy)
        out.append(finding.rectify(by) if by else finding)
    return out
