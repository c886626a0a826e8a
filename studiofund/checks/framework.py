"""The rule framework: one registry, one pass over the entries.

A rule is one of two shapes, each registered with its id and severity:

* a **transaction rule** — a function ``rule(ctx)``, called once per check run with the
  :class:`Context`, that returns the per-transaction check ``check(txn: Txn) -> Iterable[Hit] |
  None`` (``@transaction_rule("category-not-permitted", ERROR)``). The check is called for every
  transaction, so the common case (None: nothing found) should cost as little as possible; what
  it needs of the policy is looked up once, in ``rule(ctx)``, and kept in the closure. Several
  rule ids that read the same facts of a transaction — the papers of a payment, the three
  content rules scoring the same words — form a **family** checked by one function
  (``@transaction_rules({"missing-invoice": ERROR, …})``), each hit naming its ``rule``: one
  call per transaction, not one per rule;
* a **ledger rule** — a class built with the :class:`Context`, whose ``visit(entry, txn)`` sees
  every entry in date order (or only the kinds its ``visits`` attribute names) and whose
  ``finish()`` reports what only the whole ledger shows (``@ledger_rule("over-budget",
  REVIEW)``). A rule that only sums transactions reads ``ctx.txns`` in ``finish()`` rather than
  visiting each one.

Rules yield :class:`Hit` values — the entry and the problem in Chinese, saying what to do; the
framework turns them into :class:`Finding` s with the rule id, the severity, the voucher and the
clause the program's policy cites. ``reviewed:`` metadata silences ``review`` findings of its
entry, never ``error`` ones. Rules never raise for bad data: they report it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from beancount.core import data

from .findings import ERROR, REVIEW, Finding, format_message

DEDICATED = "Assets:Bank:Dedicated"


class Hit(NamedTuple):
    """What a rule found. ``entry`` None means the studio as a whole (source: its declaration)."""

    entry: Any
    message: str
    severity: str | None = None  # overrides the rule's default (e.g. a content rule's "review")
    date: datetime.date | None = None
    rule: str | None = None  # which rule of a family found it (None: the function's only rule)


class Txn:
    """A transaction with the facts most rules need, computed once per transaction.

    A slotted class rather than a NamedTuple: the rules read its fields some twenty times a
    transaction, and a slot is read several times faster than a NamedTuple field.
    """

    __slots__ = ("entry", "voucher", "expenses", "incomes", "paid", "others", "dedicated", "meta")

    entry: data.Transaction
    voucher: str | None
    expenses: tuple[data.Posting, ...]
    incomes: tuple[data.Posting, ...]
    paid: tuple[data.Posting, ...]  # the positive expense postings: what the transaction pays for
    others: tuple[data.Posting, ...]  # postings on neither Expenses, Income nor the dedicated account
    dedicated: tuple[data.Posting, ...]  # the postings on the dedicated account
    meta: dict[str, Any]  # the transaction's metadata ({} when it has none)

    @property
    def is_expense(self) -> bool:
        return bool(self.expenses)

    @property
    def is_income(self) -> bool:
        return bool(self.incomes)


@dataclass
class Context:
    """What every rule may read: the studio, its policy, Beancount's options."""

    studio: Any
    policy: Any
    options_map: dict[str, Any]
    #: every entry of the ledger, for a ledger rule's ``finish()`` that must look again at
    #: what it did not keep while visiting (only when it has to: the sealing digest, the
    #: spending after a disqualification)
    entries: list = field(default_factory=list)
    #: every transaction's :class:`Txn`, in date order, filled by the pass: a ledger rule that
    #: only sums (the budget) reads them in ``finish()`` instead of visiting each transaction
    txns: list = field(default_factory=list)


@dataclass(frozen=True)
class RuleSpec:
    id: str
    severity: str
    kind: str  # "transaction" | "ledger"
    impl: Any


REGISTRY: dict[str, RuleSpec] = {}


def _register(rule_id: str, severity: str, kind: str) -> Callable[[Any], Any]:
    if severity not in (ERROR, REVIEW):
        raise ValueError(f"severity must be {ERROR!r} or {REVIEW!r}")

    def decorator(impl: Any) -> Any:
        if rule_id in REGISTRY:
            raise ValueError(f"rule {rule_id!r} registered twice")
        REGISTRY[rule_id] = RuleSpec(rule_id, severity, kind, impl)
        return impl

    return decorator


def transaction_rules(rules: dict[str, str]) -> Callable[[Any], Any]:
    """Register one transaction rule function for several rule ids (``{id: default severity}``)."""

    def decorator(impl: Any) -> Any:
        for rule_id, severity in rules.items():
            _register(rule_id, severity, "transaction")(impl)
        return impl

    return decorator


def transaction_rule(rule_id: str, severity: str) -> Callable[[Any], Any]:
    return transaction_rules({rule_id: severity})


def ledger_rule(rule_id: str, severity: str) -> Callable[[Any], Any]:
    return _register(rule_id, severity, "ledger")


_new_txn = object.__new__
_ZERO = Decimal(0)
_NONE = ()  # the empty posting list, shared: most transactions lack most kinds
EXPENSE, INCOME, OWN, OTHER = range(4)


def _kind(account: str) -> int:
    if account.startswith("Expenses:"):
        return EXPENSE
    if account.startswith("Income:"):
        return INCOME
    return OWN if account == DEDICATED else OTHER


def txn_builder() -> Callable[[data.Transaction], Txn]:
    """The function that makes a transaction's :class:`Txn` (for one check run: it remembers
    the kind of each account it has seen, a ledger has a few dozen)."""
    kinds: dict[str, int] = {}

    def make_txn(entry: data.Transaction) -> Txn:
        expenses = incomes = paid = others = dedicated = _NONE
        for posting in entry.postings:
            account = posting.account
            kind = kinds.get(account)
            if kind is None:
                kind = kinds[account] = _kind(account)
            if kind == EXPENSE:
                expenses += (posting,)
                units = posting.units
                if units is not None and units.number.__class__ is Decimal and units.number > _ZERO:
                    paid += (posting,)
            elif kind == OWN:
                dedicated += (posting,)
            elif kind == INCOME:
                incomes += (posting,)
            else:
                others += (posting,)
        meta = entry.meta or {}
        voucher = meta.get("voucher")
        if voucher is not None:
            voucher = (voucher if voucher.__class__ is str else str(voucher)).strip() or None
        # filled slot by slot: an __init__ would be one more Python frame per transaction
        txn = _new_txn(Txn)
        txn.entry, txn.voucher, txn.meta = entry, voucher, meta
        txn.expenses, txn.incomes, txn.paid = expenses, incomes, paid
        txn.others, txn.dedicated = others, dedicated
        return txn

    return make_txn


def load_rules() -> dict[str, RuleSpec]:
    """Import the rule modules (which register themselves) and return the registry."""
    from . import rules  # noqa: F401  (import for registration)

    return REGISTRY


def run_checks(
    entries: list[data.Directive],
    options_map: dict[str, Any],
    studio: Any,
    policy: Any,
    only: Iterable[str] | None = None,
) -> list[Finding]:
    """Run every registered rule (or ``only`` those ids) over ``entries`` in one pass."""
    registry = load_rules()
    specs = [s for s in registry.values() if only is None or s.id in set(only)]
    enabled = {s.id: s for s in specs}
    ctx = Context(studio, policy, options_map, entries)
    ledger_rules = [(s, s.impl(ctx)) for s in specs if s.kind == "ledger"]
    # a family is built once, whichever of its ids are enabled (its hits of others are dropped)
    txn_rules = {s.impl: s for s in specs if s.kind == "transaction"}
    findings: list[Finding] = []

    def emit(spec: RuleSpec, hits: Iterable[Hit] | None) -> None:
        for hit in hits or ():
            rule = spec if hit.rule is None else enabled.get(hit.rule)
            if rule is None:
                continue
            finding = _to_finding(rule, hit, ctx)
            if finding is not None:
                findings.append(finding)

    # A ledger rule may say which kinds of entries it visits (``visits = (data.Custom,)``),
    # and which transactions: ``txn_filter = "incomes"`` offers it only those whose Txn field
    # of that name is not empty. The visitors of each kind are listed once.
    visitors: dict[type, list] = {}

    def visitors_of(kind: type) -> list:
        found = visitors.get(kind)
        if found is None:
            found = visitors[kind] = [
                (spec, rule.visit) for spec, rule in ledger_rules
                if hasattr(rule, "visit") and kind in (getattr(rule, "visits", None) or (kind,))
                and (kind is not data.Transaction or getattr(rule, "txn_filter", None) is None)
            ]
        return found

    filtered: dict[str, list] = {}
    for spec, rule in ledger_rules:
        name = getattr(rule, "txn_filter", None)
        if name is not None and hasattr(rule, "visit"):
            filtered.setdefault(name, []).append((spec, rule.visit))
    txn_filtered = list(filtered.items())

    # The hot loop: rules return None (or an empty result) for almost every entry, so the
    # call to emit() is made only when something was found.
    txn_checks = [(spec, rule(ctx)) for rule, spec in txn_rules.items()]
    txn_visitors = visitors_of(Transaction := data.Transaction)
    txns = ctx.txns
    make_txn = txn_builder()
    for entry in entries:
        if type(entry) is Transaction:
            txn = make_txn(entry)
            txns.append(txn)
            for spec, check in txn_checks:
                hits = check(txn)
                if hits:
                    emit(spec, hits)
            for spec, visit in txn_visitors:
                hits = visit(entry, txn)
                if hits:
                    emit(spec, hits)
            for name, group in txn_filtered:
                if getattr(txn, name):
                    for spec, visit in group:
                        hits = visit(entry, txn)
                        if hits:
                            emit(spec, hits)
        else:
            for spec, visit in visitors_of(type(entry)):
                hits = visit(entry, None)
                if hits:
                    emit(spec, hits)
    for spec, rule in ledger_rules:
        if hasattr(rule, "finish"):
            emit(spec, rule.finish())
    return findings


def _to_finding(spec: RuleSpec, hit: Hit, ctx: Context) -> Finding | None:
    severity = hit.severity or spec.severity
    entry = hit.entry
    meta = (getattr(entry, "meta", None) or {}) if entry is not None else {}
    if severity == REVIEW and meta.get("reviewed"):
        return None
    voucher = meta.get("voucher")
    voucher = str(voucher) if voucher not in (None, "") else None
    source = meta if entry is not None else (ctx.studio.meta if ctx.studio else {})
    date = hit.date or getattr(entry, "date", None)
    message = format_message(spec.id, severity, voucher, hit.message, ctx.policy.cite(spec.id))
    return Finding(source, message, entry, spec.id, severity, voucher, date)
