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

**Facts of a shape.** Ledgers repeat themselves: the same payee, words, accounts and metadata
keys recur with other amounts, dates and voucher numbers. The pass groups the transactions by
their :class:`Shape` (built once per distinct shape) and a rule derives what a shape decides
once: a transaction rule may return :class:`Check` ``(check, facts)`` — ``facts(shape)`` is
asked once per shape and returns what the rule knows from the shape alone, or None when no
transaction of that shape can concern it; ``check(txn, facts)`` is called only for the
transactions of the shapes with facts. Books write a new narration for nearly every payment
but repeat a few :class:`Form` s (a shape without its payee and narration): facts that read only
the form are ``Check(check, facts, by_form=True)`` and asked once a form; a ledger rule's visits
are narrowed to the forms its ``wants(form)`` accepts; a rule's ``finish()`` walks
``ctx.forms`` (or ``ctx.of_forms(wanted)``), not every shape or transaction. Anything a rule
reads of the metadata's values or the amounts it reads from the transaction, never from the
shape.

Rules yield :class:`Hit` values — the entry and the problem in Chinese, saying what to do; the
framework turns them into :class:`Finding` s with the rule id, the severity, the voucher and the
clause the program's policy cites. ``reviewed:`` metadata silences ``review`` findings of its
entry, never ``error`` ones. Rules never raise for bad data: they report it.

:func:`run_checks` returns the findings in a defined order (:func:`in_order`: by entry, an
entry's findings by their rule's row in the rule table), not in the order rules reported them:
whether a rule reports in the pass or in ``finish()`` changes nothing anyone reads.
"""

from __future__ import annotations

import datetime
import gc
import operator
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

__all__ = ["ERROR", "REVIEW", "DEDICATED", "Hit", "Shape", "Txn", "Check", "Context", "RuleInfo",
           "transaction_rule", "transaction_rules", "ledger_rule", "ledger_rules", "run_checks", "in_order"]



class Hit(NamedTuple):
    """What a rule found. ``entry`` None means the studio as a whole (source: its declaration)."""

    entry: Any
    message: str
    severity: str | None = None  # overrides the rule's default (e.g. a content rule's "review")
    date: datetime.date | None = None
    rule: str | None = None  # which rule of a family found it (None: the function's only rule)
    evidence: tuple[str, ...] = ()  # the words, amounts or items that led to it


@dataclass(eq=False, slots=True)
class Form:
    """What every transaction of one form shares: the keys (not the values) of its metadata, the
    accounts of its postings and which of them are expenses, paid expenses (positive), incomes,
    the dedicated account's or others — a :class:`Shape` without its payee and narration. Books
    write a new narration for nearly every payment, but repeat a few forms: the check bench's
    19,998 transactions have 152 shapes and 14 forms, the varied ledger's
    (``bench_check.py --varied``) 18,905 shapes and the same 14 forms. What a rule derives from
    the form alone it derives once a form (:class:`Check` ``by_form``, a ledger rule's
    ``wants``), and a rule's ``finish()`` walks the forms (:attr:`Context.forms`), not the
    shapes."""

    keys: frozenset[str]  # the metadata keys the transactions carry
    accounts: tuple[str, ...]  # every posting's account, in order
    #: positions in ``entry.postings`` of the postings on ``Expenses:`` accounts, of those of them
    #: that are positive (what a payment pays for), on ``Income:`` accounts, on the dedicated
    #: account, and on none of these
    expenses: tuple[int, ...]
    paid: tuple[int, ...]
    incomes: tuple[int, ...]
    dedicated: tuple[int, ...]
    others: tuple[int, ...]
    paid_accounts: tuple[str, ...]  # the accounts of the ``paid`` postings


@dataclass(eq=False, slots=True)
class Shape:
    """What every transaction of one shape shares: its :class:`Form`, payee and narration. The
    pass builds one per distinct shape and hands it to the rules' per-shape facts
    (:class:`Check`), so what a shape decides is derived once, not once a transaction. Everything
    here is the same for every transaction of the shape; a rule that needs a metadata value or
    an amount reads it from the transaction. The form's fields are read from the form
    (``shape.form.paid``), not copied: a shape is built for nearly every payment of books
    whose narrations are all different (callgrind, the rules pass with no rule over the varied
    bench ledger, bench/rules_pass.py --varied: a copy of the form's eight fields in each of its
    18,905 shapes cost 0.025 G: 0.399 G with it, 0.374 G without)."""

    form: Form  # the form it shares with the shapes of other payees and narrations
    payee: str | None
    narration: str


@dataclass(slots=True)
class Txn:
    """A transaction, with its :class:`Shape`. The postings by kind are read through the shape
    when asked, not kept: the pass keeps a Txn for every transaction until the ledger rules
    finish, and every object more a transaction costs the garbage collector's walks of the heap."""

    entry: data.Transaction
    shape: Shape
    meta: dict[str, Any]  # the transaction's metadata ({} when it has none)

    @property
    def voucher(self) -> str | None:
        return text(self.meta, "voucher")

    @property
    def invoices(self) -> tuple[str, ...]:
        """The distinct invoice numbers of ``invoice:``, in order."""
        if "invoice" not in self.meta:
            return ()
        numbers = invoice_numbers(self.meta)
        return tuple(numbers) if len(numbers) < 2 else tuple(dict.fromkeys(numbers))

    @property
    def expenses(self) -> tuple[data.Posting, ...]:
        return _pick(self.entry.postings, self.shape.form.expenses)

    @property
    def paid(self) -> tuple[data.Posting, ...]:
        """The positive expense postings: what the transaction pays for."""
        return _pick(self.entry.postings, self.shape.form.paid)

    @property
    def incomes(self) -> tuple[data.Posting, ...]:
        return _pick(self.entry.postings, self.shape.form.incomes)

    @property
    def dedicated(self) -> tuple[data.Posting, ...]:
        """The postings on the dedicated account."""
        return _pick(self.entry.postings, self.shape.form.dedicated)

    @property
    def others(self) -> tuple[data.Posting, ...]:
        """The postings on neither Expenses, Income nor the dedicated account."""
        return _pick(self.entry.postings, self.shape.form.others)

    @property
    def is_expense(self) -> bool:
        return bool(self.shape.form.expenses)

    @property
    def is_income(self) -> bool:
        return bool(self.shape.form.incomes)


_ACCOUNT = operator.attrgetter("account")
_ZERO = Decimal(0)  # a Decimal compared with a Decimal: no int converted each time


def _pick(postings: list[data.Posting], positions: tuple[int, ...]) -> tuple[data.Posting, ...]:
    return tuple([postings[i] for i in positions]) if positions else ()


def _layout(accounts: tuple[str, ...]) -> tuple[tuple[int, ...], ...]:
    """The positions of the expense, income, dedicated and other postings of ``accounts``."""
    groups: tuple[list[int], ...] = ([], [], [], [])
    for i, account in enumerate(accounts):
        kind = (0 if account.startswith("Expenses:") else 1 if account.startswith("Income:")
                else 2 if account == DEDICATED else 3)
        groups[kind].append(i)
    return tuple(tuple(group) for group in groups)


def _paid(postings: list[data.Posting], expenses: tuple[int, ...]) -> tuple[int, ...]:
    """The positions among ``expenses`` whose number is positive."""
    paid = []
    for i in expenses:
        units = postings[i].units
        number = units.number if units is not None else None
        if isinstance(number, Decimal) and number > _ZERO:
            paid.append(i)
    return expenses if len(paid) == len(expenses) else tuple(paid)


class Check(NamedTuple):
    """A transaction rule's check with its facts of a shape: ``facts(shape)`` is asked once per
    distinct :class:`Shape` and returns what the rule derives from the shape alone, or None when
    no transaction of that shape can concern the rule; ``check(txn, facts)`` is then called for
    each transaction of a shape with facts, and for no other. ``by_form``: the facts read only
    the shape's :class:`Form` (not its payee or narration) and are asked once per form, with
    the form."""

    check: Callable[[Txn, Any], Iterable[Hit] | None]
    facts: Callable[[Shape], Any]
    by_form: bool = False


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
    #: every :class:`Form` of the ledger with the positions in ``txns`` of its transactions (in
    #: date order), filled by the pass: a rule's ``finish()`` that reads only forms walks these
    #: (14 on the varied bench ledger), not the shapes (18,905) or the transactions (19,998)
    forms: list[tuple[Form, list[int]]] = field(default_factory=list)

    def of_forms(self, wanted: Callable[[Form], bool]) -> list[Txn]:
        """The transactions (in date order) of the forms that ``wanted`` accepts: a ledger rule
        about a few kinds of transactions (grants, lecture fees, pay to persons) reads these in
        ``finish()`` instead of walking every transaction."""
        lists = [positions for form, positions in self.forms if wanted(form)]
        positions = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
        txns = self.txns
        return [txns[i] for i in positions]

    def payments_on(self, wanted: Callable[[str], bool]) -> list[Txn]:
        """The transactions (in date order) paying on an expense account that ``wanted``
        accepts (a positive posting)."""
        return self.of_forms(lambda form: any(wanted(account) for account in form.paid_accounts))


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


def ledger_rules(*infos: RuleInfo) -> Callable[[Any], Any]:
    """Register one ledger rule class for the rule ids of a family."""
    def decorator(impl: Any) -> Any:
        for info in infos:
            registry.register(info, "ledger", impl)
        return impl

    return decorator


def ledger_rule(info: RuleInfo) -> Callable[[Any], Any]:
    return ledger_rules(info)


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
    # The pass keeps a Txn and a Shape for each transaction until the rules finish, and makes no
    # reference cycles worth collecting: the collector, which walks the whole heap (the loaded
    # ledger) each time the survivors reach a quarter of it, is paused for the pass: a first
    # check of the varied bench ledger (callgrind, `studiofund check`, policy cached) 15.79 G
    # without the pause, 15.23 G with it (one full collection fewer); the check bench's rules
    # pass (bench/rules_pass.py) 0.937 G without, 0.920 G with.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_checks(entries, options_map, studio, policy, only, directives)
    finally:
        if collecting:
            gc.enable()


def _run_checks(entries, options_map, studio, policy, only, directives) -> list[Finding]:
    wanted = set(only) if only is not None else None
    every = registry.rules()
    enabled = {r.id: r for r in every if wanted is None or r.id in wanted}
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
        if len([r for r in every if r.impl is impl]) == 1:
            own[None] = next(iter(own.values()))
    txn_checks = [(own, impl(ctx)) for impl, own in families.items()
                  if next(iter(own.values())).kind == "transaction"]
    ledger_rules = [(own, impl(ctx)) for impl, own in families.items()
                    if next(iter(own.values())).kind == "ledger"]

    # the visitors of each kind of entry (a ledger rule's ``visits``; all kinds by default); a
    # visitor of transactions may narrow them to the forms it ``wants``
    visitors: dict[type, list] = {kind: [] for kind in data.ALL_DIRECTIVES}
    for own, rule in ledger_rules:
        if hasattr(rule, "visit"):
            for kind in getattr(rule, "visits", data.ALL_DIRECTIVES):
                visitors[kind].append((own, rule))
    txn_visitors = visitors.pop(data.Transaction)
    visitors = {kind: [(own, rule.visit) for own, rule in found] for kind, found in visitors.items()}

    def calls_of_form(form: Form) -> list:
        """The checks and visits that look at transactions of ``form`` whatever their payee and
        narration, with their facts."""
        calls = []
        for own, check in txn_checks:
            if isinstance(check, Check):
                if check.by_form:
                    facts = check.facts(form)
                    if facts is not None:
                        calls.append((own, check.check, facts))
            else:
                calls.append((own, _every(check), None))
        for own, rule in txn_visitors:
            if not hasattr(rule, "wants") or rule.wants(form):
                calls.append((own, _visit(rule.visit), None))
        return calls

    by_shape = [check for own, check in txn_checks if isinstance(check, Check) and not check.by_form]
    by_shape_owners = [own for own, check in txn_checks if isinstance(check, Check) and not check.by_form]

    def calls_of(shape: Shape, form_calls: list) -> list:
        """The checks and visits that look at transactions of ``shape``, with their facts."""
        calls = form_calls
        for own, check in zip(by_shape_owners, by_shape):
            facts = check.facts(shape)
            if facts is not None:
                if calls is form_calls:
                    calls = list(form_calls)
                calls.append((own, check.check, facts))
        return calls

    # The memos of the pass: the shape of each transaction, built once per distinct payee,
    # narration, metadata keys, accounts and paid postings, with the rules' facts of it and the
    # checks that look at it — a rule derives what a shape decides once, not once a transaction,
    # and a transaction is passed only to the rules its shape concerns (callgrind, the pass alone
    # over the check bench's 19,998 transactions of 152 shapes, bench/rules_pass.py: 1.82 G with
    # every rule deriving its facts per transaction, 1.26 G with the shapes; in a whole first
    # check, bench/check_phases.py, 1.96 G → 1.30 G); and the form of each shape (its keys,
    # accounts and paid postings) with the facts that read only those, derived once a form, and
    # the forms walked in finish(): on the varied bench ledger (18,905 shapes, 14 forms) the
    # rules pass without the content rules (bench/rules_pass.py --varied --skip-rules content)
    # 3.40 G on main at 72d1c4a, 1.10 G with the forms, the papers' searches below, over-budget
    # read by forms and the collector paused.
    shapes: dict[tuple, tuple[Shape, list, list[int]]] = {}
    forms: dict[tuple, tuple[Form, list, list[int]]] = {}
    layouts: dict[tuple[str, ...], tuple[tuple[int, ...], ...]] = {}
    txns = ctx.txns
    for entry in entries:
        if type(entry) is data.Transaction:
            postings = entry.postings
            meta = entry.meta or {}
            # most transactions have two postings: their accounts unpacked rather than mapped
            # (callgrind, the accounts of the check bench's 19,998 transactions: 56 M
            # instructions with tuple(map(attrgetter)), 29 M so)
            if len(postings) == 2:
                first, second = postings
                accounts = (first.account, second.account)
            else:
                accounts = tuple(map(_ACCOUNT, postings))
            layout = layouts.get(accounts)
            if layout is None:
                layout = layouts[accounts] = _layout(accounts)
            expenses = layout[0]
            if len(expenses) == 1:  # most payments: one expense posting, paid if positive
                units = postings[expenses[0]].units
                number = units.number if units is not None else None
                paid = expenses if isinstance(number, Decimal) and number > _ZERO else ()
            else:
                paid = _paid(postings, expenses)
            keys = tuple(meta)
            key = (entry.payee, entry.narration, keys, accounts, paid)
            found = shapes.get(key)
            if found is None:
                form_key = (keys, accounts, paid)
                of_form = forms.get(form_key)
                if of_form is None:
                    _, incomes, dedicated, others = layout
                    form = Form(frozenset(meta), accounts, expenses, paid, incomes, dedicated, others,
                                tuple([accounts[i] for i in paid]))
                    of_form = forms[form_key] = (form, calls_of_form(form), [])
                    ctx.forms.append((form, of_form[2]))
                form, form_calls, form_positions = of_form
                shape = Shape(form, entry.payee, entry.narration)
                found = shapes[key] = (shape, calls_of(shape, form_calls), form_positions)
            shape, calls, positions = found
            positions.append(len(txns))
            txn = Txn(entry, shape, meta)
            txns.append(txn)
            for own, check, facts in calls:
                hits = check(txn, facts)
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
    # only the transactions whose shape carries ``corrects:`` can rectify a finding
    correcting = sorted(i for form, positions in ctx.forms if "corrects" in form.keys for i in positions)
    return in_order(settle(findings, [txns[i].entry for i in correcting], policy))


def in_order(findings: list[Finding]) -> list[Finding]:
    """``findings`` in their defined order (docs/checks.md, "The order of findings"): by their
    entry's place in the ledger — its date, its kind as Beancount orders a day's entries (opens
    and balances first), its line and file; a finding on no entry first — then by the rank of
    their rule in the rule table (:func:`.registry.ranks`); one rule's findings of one entry stay
    in the order the rule reported them. So the order of an entry's findings (the journal's
    检查状态, a booking's answer) does not depend on whether a rule reports during the pass or
    in ``finish()``. Computed from the findings alone (callgrind, the bench's 682 findings:
    0.001 G; looking their entries up in the ledger's 40,000 cost 0.02 G)."""
    if len(findings) < 2:
        return findings
    rank = registry.ranks()
    return sorted(findings, key=lambda f: (*_place(f.entry), rank[f.rule]))


def _place(entry: Any) -> tuple:
    """Where ``entry`` sits in the ledger: Beancount's order of entries (``data.entry_sortkey``:
    date, kind, line), then its file; None (the studio as a whole) before every entry."""
    if entry is None:
        return (datetime.date.min, 0, 0, "")
    meta = entry.meta or {}
    return (entry.date, data.SORT_ORDER.get(type(entry), 0), meta.get("lineno") or 0, meta.get("filename") or "")


def _every(check: Callable[[Txn], Any]) -> Callable[[Txn, Any], Any]:
    """A check without facts of a shape: called for every transaction."""
    return lambda txn, facts: check(txn)


def _visit(visit: Callable[[Any, Txn], Any]) -> Callable[[Txn, Any], Any]:
    return lambda txn, facts: visit(txn.entry, txn)


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
