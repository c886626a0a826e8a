"""The rule framework: how a rule is written and registered, and one pass over the entries.

A rule is one of two shapes, registered with the :class:`~.registry.RuleInfo` of each rule id
it reports (see :mod:`.registry` and docs/architecture.md):

* a **transaction rule** — a function ``rule(ctx)``, called once per check run with the
  :class:`Context`, that returns the per-transaction check ``check(txn: Txn) -> Iterable[Hit] |
  None`` (``@transaction_rule(INFO)``). What it needs of the policy is looked up once, in
  ``rule(ctx)``, and kept in the closure. Several rule ids that read the same facts of a
  transaction — the papers of a payment, the three content rules scoring the same words — form
  a **family** checked by one function (``@transaction_rules(INFO_A, INFO_B, …)``), each hit
  naming its ``rule``;
* a **ledger rule** — a class built with the :class:`Context`, whose ``visit(entry, txn)`` sees
  every entry in date order (or only the kinds its ``visits`` attribute names) and whose
  ``finish()`` reports what only the whole ledger shows (``@ledger_rule(INFO)``). A rule that
  only sums transactions reads ``ctx.txns`` in ``finish()`` rather than visiting each one; a
  rule about our directives reads them parsed, from ``ctx.directives``.

Rules yield :class:`Hit` values — the entry and the problem in Chinese, saying what to do; the
framework turns them into :class:`Finding` s with the rule id, the severity, the voucher and the
clause the program's policy cites. ``reviewed:`` metadata silences ``review`` findings of its
entry, never ``error`` ones. Rules never raise for bad data: they report it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from beancount.core import data

from ..ledger.directives import Directives, Studio, read_directives
from ..ledger.meta import invoice_numbers, text
from ..policy import Policy
from ..policy.models import DEDICATED
from . import registry
from ..ledger.findings import ERROR, REVIEW, Finding, format_message
from .lifecycle import settle
from .registry import Rule, RuleInfo

__all__ = ["ERROR", "REVIEW", "DEDICATED", "Hit", "Txn", "Context", "RuleInfo", "transaction_rule",
           "transaction_rules", "ledger_rule", "run_checks"]



class Hit(NamedTuple):
    """What a rule found. ``entry`` None means the studio as a whole (source: its declaration)."""

    entry: Any
    message: str
    severity: str | None = None  # overrides the rule's default (e.g. a content rule's "review")
    date: datetime.date | None = None
    rule: str | None = None  # which rule of a family found it (None: the function's only rule)
    evidence: tuple[str, ...] = ()  # the words, amounts or items that led to it


@dataclass(slots=True)
class Txn:
    """A transaction with the facts most rules need, computed once per transaction."""

    entry: data.Transaction
    voucher: str | None
    expenses: tuple[data.Posting, ...]
    incomes: tuple[data.Posting, ...]
    paid: tuple[data.Posting, ...]  # the positive expense postings: what the transaction pays for
    others: tuple[data.Posting, ...]  # postings on neither Expenses, Income nor the dedicated account
    meta: dict[str, Any]  # the transaction's metadata ({} when it has none)
    #: the distinct invoice numbers of ``invoice:``, in order (read by the papers rule and the
    #: red-invoice rule: split once, not once a rule)
    invoices: tuple[str, ...] = ()

    @property
    def is_expense(self) -> bool:
        return bool(self.expenses)

    @property
    def is_income(self) -> bool:
        return bool(self.incomes)

    @property
    def dedicated(self) -> tuple[data.Posting, ...]:
        """The postings on the dedicated account — read from the entry when asked, not kept: the
        pass keeps a Txn for every transaction until the ledger rules finish, and a tuple fewer
        a payment (20,000 objects on the check bench) spares CPython a full collection of the
        heap (callgrind: the rules pass −0.09 G instructions, and Beancount's pad plugin after
        it no longer collects the whole heap)."""
        return tuple(p for p in self.entry.postings if p.account == DEDICATED)

    @classmethod
    def of(cls, entry: data.Transaction) -> Txn:
        # Tuples grown by concatenation rather than five lists turned into five tuples: a
        # transaction has two or three postings, and the groups it has none on stay the one
        # empty tuple (the pass keeps a Txn for every transaction: fewer objects made and kept,
        # fewer garbage collections of the heap)
        expenses = incomes = paid = others = ()
        for posting in entry.postings:
            account = posting.account
            if account.startswith("Expenses:"):
                expenses += (posting,)
                number = posting.units.number if posting.units is not None else None
                if isinstance(number, Decimal) and number > 0:
                    paid += (posting,)
            elif account.startswith("Income:"):
                incomes += (posting,)
            elif account != DEDICATED:
                others += (posting,)
        meta = entry.meta or {}
        invoices = ()
        if "invoice" in meta:
            numbers = invoice_numbers(meta)
            invoices = tuple(numbers) if len(numbers) < 2 else tuple(dict.fromkeys(numbers))
        # a payment's expense postings are usually all paid: one tuple for both
        if len(paid) == len(expenses):
            paid = expenses
        return cls(entry, text(meta, "voucher"), expenses, incomes, paid, others, meta, invoices)


@dataclass
class Context:
    """What every rule may read: the studio, its policy, Beancount's options, our directives."""

    studio: Studio | None
    policy: Policy
    options_map: dict[str, Any]
    #: every entry of the ledger, for a ledger rule's ``finish()`` that must look again at
    #: what it did not keep while visiting
    entries: list = field(default_factory=list)
    #: every transaction's :class:`Txn`, in date order, filled by the pass
    txns: list = field(default_factory=list)
    #: our custom directives, parsed (the declaration, seals, budgets, assessments …)
    directives: Directives = field(default_factory=Directives)
    #: expense account → the positions in ``txns`` of the transactions paying on it (a
    #: positive posting), filled by the pass; read through :meth:`payments_on`
    paying: dict[str, list[int]] = field(default_factory=dict)

    def payments_on(self, wanted: Callable[[str], bool]) -> list[Txn]:
        """The transactions (in date order) paying on an expense account that ``wanted``
        accepts: a ledger rule about a few categories (lecture fees, pay to persons, training)
        reads these in ``finish()`` instead of walking every transaction."""
        lists = [positions for account, positions in self.paying.items() if wanted(account)]
        positions = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
        txns = self.txns
        return [txns[i] for i in positions]


# -- registration -------------------------------------------------------------------------------


def transaction_rules(*infos: RuleInfo) -> Callable[[Any], Any]:
    """Register one transaction rule function for the rule ids of a family."""
    def decorator(impl: Any) -> Any:
        for info in infos:
            registry.register(info, "transaction", impl)
        return impl

    return decorator


def transaction_rule(info: RuleInfo) -> Callable[[Any], Any]:
    return transaction_rules(info)


def ledger_rule(info: RuleInfo) -> Callable[[Any], Any]:
    def decorator(impl: Any) -> Any:
        registry.register(info, "ledger", impl)
        return impl

    return decorator


# -- running ------------------------------------------------------------------------------------


def run_checks(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    studio: Studio | None,
    policy: Policy,
    only: Iterable[str] | None = None,
    directives: Directives | None = None,
) -> list[Finding]:
    """Run every registered rule (or ``only`` those ids) over ``entries`` in one pass."""
    wanted = set(only) if only is not None else None
    enabled = {r.id: r for r in registry.rules() if wanted is None or r.id in wanted}
    if directives is None:
        directives = read_directives(entries)
    ctx = Context(studio, policy, options_map, entries, directives=directives)
    findings: list[Finding] = []

    def emit(rules: dict[str | None, Rule], hits: Iterable[Hit] | None) -> None:
        for hit in hits or ():
            rule = rules.get(hit.rule)
            if rule is not None:
                finding = _to_finding(rule, hit, ctx)
                if finding is not None:
                    findings.append(finding)

    # A family is built once, whichever of its ids are enabled; each check or rule object is
    # kept with the enabled ids it may report (None: a hit that names no rule, the only one).
    families: dict[Any, dict[str | None, Rule]] = {}
    for rule in enabled.values():
        own = families.setdefault(rule.impl, {})
        own[rule.id] = rule
    for impl, own in families.items():
        if len([r for r in registry.rules() if r.impl is impl]) == 1:
            own[None] = next(iter(own.values()))
    txn_checks = [(own, impl(ctx)) for impl, own in families.items()
                  if next(iter(own.values())).kind == "transaction"]
    ledger_rules = [(own, impl(ctx)) for impl, own in families.items()
                    if next(iter(own.values())).kind == "ledger"]

    # the visitors of each kind of entry (a ledger rule's ``visits``; all kinds by default)
    visitors: dict[type, list] = {kind: [] for kind in data.ALL_DIRECTIVES}
    for own, rule in ledger_rules:
        if hasattr(rule, "visit"):
            for kind in getattr(rule, "visits", data.ALL_DIRECTIVES):
                visitors[kind].append((own, rule.visit))
    txn_visitors = visitors[data.Transaction]

    txns, paying = ctx.txns, ctx.paying
    for entry in entries:
        if type(entry) is data.Transaction:
            txn = Txn.of(entry)
            position = len(txns)
            txns.append(txn)
            for posting in txn.paid:
                on = paying.get(posting.account)
                if on is None:
                    paying[posting.account] = [position]
                elif on[-1] != position:
                    on.append(position)
            for own, check in txn_checks:
                hits = check(txn)
                if hits:
                    emit(own, hits)
            for own, visit in txn_visitors:
                hits = visit(entry, txn)
                if hits:
                    emit(own, hits)
        else:
            for own, visit in visitors[type(entry)]:
                hits = visit(entry, None)
                if hits:
                    emit(own, hits)
    for own, rule in ledger_rules:
        if hasattr(rule, "finish"):
            emit(own, rule.finish())
    return settle(findings, entries, policy)


def _to_finding(rule: Rule, hit: Hit, ctx: Context) -> Finding | None:
    severity = hit.severity or rule.info.severity
    entry = hit.entry
    meta = (getattr(entry, "meta", None) or {}) if entry is not None else {}
    if severity == REVIEW and meta.get("reviewed"):
        return None
    voucher = text(meta, "voucher")
    source = meta if entry is not None else (ctx.studio.meta if ctx.studio else {})
    date = hit.date or getattr(entry, "date", None)
    message = format_message(rule.id, severity, voucher, hit.message, ctx.policy.cite(rule.info.citation))
    return Finding(source, message, entry, rule.id, severity, voucher, date, tuple(hit.evidence))
