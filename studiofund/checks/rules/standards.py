"""Spending stays within the spending standards (开支标准): a lecture fee per 学时 by the
lecturer's title, a training or meeting per person-day.

The caps are policy data with their sources (``[standards]``, :mod:`studiofund.policy.standards`):

* a **lecture fee** (a payment on ``standards.lecture.accounts``) carries ``hours:`` (学时) and
  ``title:`` (中级/副高/正高/院士, or a word the policy maps to one: 教授, 高级教师 …). The caps are
  after tax: the fee net of ``tax-withheld`` (or, without it, of the formula's tax) divided by the
  hours must not exceed the title's cap — an ``error`` when it does. A fee that could exceed a cap
  but whose ``hours:`` or ``title:`` is missing (more than the lowest cap for one 学时, or than the
  known title's cap) is a ``review`` asking for them; an unknown title is a ``review`` too;
* a **training or meeting** payment (``standards.training.accounts`` / ``standards.meeting.accounts``
  — 培训费, 食宿费 / 会务费, 学术研讨) with ``persons:`` and ``days:`` costs at most the class's cap
  per person-day; a payment without them is not measured.

Metadata may sit on the posting (several lecturers in one voucher) or on the transaction.
"""

from __future__ import annotations

from decimal import Decimal

from studiofund.ledger.meta import count, number, text
from studiofund.money import fmt_cn
from studiofund.policy.tax import labour_remuneration_tax

from ..framework import ERROR, REVIEW, Hit, RuleInfo, ledger_rule

OVER_STANDARD = RuleInfo(
    "over-standard",
    ERROR,
    "超过开支标准",
    "over-standard",
    reads=("standards.lecture", "standards.training", "standards.meeting", "accounts.label"),
)

_ZERO = Decimal(0)
_CENT = Decimal("0.005")


def _meta(posting, txn, key: str):
    """A posting's own metadata value, else the transaction's."""
    if posting.meta and posting.meta.get(key) is not None:
        return posting.meta
    return txn.meta


def _under(account: str, accounts: tuple[str, ...]) -> bool:
    return any(account == a or account.startswith(a + ":") for a in accounts)


def _ref(source: str) -> str:
    """The document and clause of a standard's source, without the quoted text."""
    return source.split("：", 1)[0]


def _num(value: Decimal) -> str:
    """``4`` for 4, ``1.5`` for 1.50: hours and persons read as people write them."""
    return f"{value.normalize():f}"


@ledger_rule(OVER_STANDARD)
class OverStandard:
    """Lecture fees per 学时 by title (after tax) and training or meeting costs per person-day
    within the caps of the policy's ``[standards]``."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.policy = ctx.policy
        standards = self.standards = ctx.policy.standards
        self.lecture = standards.lecture
        self.daily = standards.daily()
        self.accounts = tuple(
            (self.lecture.accounts if self.lecture else ())
            + tuple(a for s in self.daily for a in s.accounts)
        )

    def finish(self):
        if not self.accounts:
            return
        lecture_accounts = self.lecture.accounts if self.lecture is not None else ()
        # account → (a lecture fee?, its per-person-day standard or None), for the few dozen
        # accounts a ledger has; None for an account no standard measures
        kinds: dict[str, tuple[bool, object] | None] = {}

        def kind_of(account: str) -> tuple[bool, object] | None:
            if account not in kinds:
                lecture = _under(account, lecture_accounts)
                standard = self.standards.daily_for(account)
                kinds[account] = (lecture, standard) if lecture or standard else None
            return kinds[account]

        def plan_of(form) -> tuple[tuple[int, ...], tuple]:
            """The positions of the form's lecture fees, and each per-person-day standard with the
            positions of the paid postings it measures (in the order the postings come)."""
            lectures, daily = [], {}
            for i in form.paid:
                kind = kind_of(form.accounts[i])
                if kind is not None:
                    if kind[0]:
                        lectures.append(i)
                    if kind[1] is not None:
                        daily.setdefault(id(kind[1]), (kind[1], []))[1].append(i)
            return tuple(lectures), tuple((standard, tuple(at)) for standard, at in daily.values())

        # form → plan_of(form): what a payment's postings are measured by is grouped once a form,
        # not once a payment, and a payment without ``persons`` is passed over before its postings
        # are gathered (callgrind, the rule alone over the check bench's 6,014 payments on the
        # measured categories, bench/rules_pass.py: 0.066 G -> 0.051 G)
        plans: dict[object, tuple] = {}
        # only the payments on the categories a standard measures (indexed by the pass)
        for txn in self.ctx.payments_on(kind_of):
            form = txn.shape.form
            plan = plans.get(form)
            if plan is None:
                plan = plans[form] = plan_of(form)
            lectures, daily = plan
            postings = txn.entry.postings
            for i in lectures:
                hit = self._lecture(txn, postings[i])
                if hit is not None:
                    yield hit
            for standard, positions in daily:
                first = postings[positions[0]]
                if "persons" not in txn.meta and not (first.meta and "persons" in first.meta):
                    continue  # not measured (most payments on these categories): no number read
                hit = self._per_person_day(txn, [postings[i] for i in positions], standard)
                if hit is not None:
                    yield hit

    # -- lecture fees ---------------------------------------------------------------------------
    def _lecture(self, txn, posting) -> Hit | None:
        lecture = self.lecture
        gross = posting.units.number
        tax = number(_meta(posting, txn, "tax-withheld"), "tax-withheld")
        recorded = tax is not None
        if not lecture.after_tax:
            tax = _ZERO
        elif not recorded:
            tax = labour_remuneration_tax(gross)
        net = gross - tax
        hours = count(_meta(posting, txn, "hours"), "hours")
        if hours is not None and hours <= 0:
            hours = None
        title_text = text(_meta(posting, txn, "title"), "title")
        title = lecture.title_of(title_text) if title_text else None
        # most fees are within their cap: decide before writing any message
        if hours is not None and title is not None:
            cap = lecture.caps[title]
            if net / hours <= cap + _CENT:
                return None
        elif net / (hours or 1) <= (lecture.caps[title] if title is not None else lecture.lowest) + _CENT:
            return None  # something is missing, but no title's cap could be exceeded

        who = f"“{txn.entry.payee}”" if txn.entry.payee else "讲课人"
        if not lecture.after_tax:
            basis = f"讲课费 {fmt_cn(gross)} 元"
        elif recorded:
            basis = f"讲课费 {fmt_cn(gross)} 元，扣除代扣个税 {fmt_cn(tax)} 元后为 {fmt_cn(net)} 元"
        else:
            basis = f"讲课费 {fmt_cn(gross)} 元，未记代扣个税，按预扣公式扣税 {fmt_cn(tax)} 元后为 {fmt_cn(net)} 元"
        evidence = (f"gross {gross:.2f}", f"after-tax {net:.2f}",
                    f"hours {_num(hours)}" if hours else "hours ?", f"title {title_text or '?'}")
        if hours is not None and title is not None:
            return Hit(
                txn.entry,
                f"支付给{who}的{basis}，共 {_num(hours)} 学时，每学时 {fmt_cn(net / hours)} 元，"
                f"超过{title}职称标准每学时 {fmt_cn(cap)} 元（税后），超标 {fmt_cn(net - cap * hours)} 元。"
                f"请按标准核减并追回超标部分，或补充按规定审批的依据。标准：{_ref(lecture.source)}",
                evidence=evidence,
            )
        caps = "、".join(f"{t} {fmt_cn(c)}" for t, c in lecture.caps.items())
        missing = []
        if hours is None:
            missing.append("学时 hours:")
        if title_text is None:
            missing.append("职称 title:")
        if title_text is not None and title is None:
            problem = f"职称“{title_text}”不在讲课费标准之列"
            ask = f"请将 title: 写为{'、'.join(lecture.caps)}之一" + (f"，并补记{'、'.join(missing)}" if missing else "")
        else:
            problem = f"未记{'和'.join(missing)}，无法核对是否超过讲课费标准"
            ask = f"请补记{'和'.join(missing)}"
        return Hit(
            txn.entry,
            f"支付给{who}的{basis}，{problem}（税后每学时：{caps} 元）。{ask}。标准：{_ref(lecture.source)}",
            severity=REVIEW,
            evidence=evidence,
        )

    # -- training and meetings ------------------------------------------------------------------
    def _per_person_day(self, txn, postings, standard) -> Hit | None:
        first = postings[0]
        persons = count(_meta(first, txn, "persons"), "persons")
        days = count(_meta(first, txn, "days"), "days")
        if persons is None or days is None or persons <= 0 or days <= 0:
            return None
        amount = sum((p.units.number for p in postings), _ZERO)
        person_days = persons * days
        per = amount / person_days
        cap = standard.cap
        if per <= cap + _CENT:
            return None
        labels = "、".join(dict.fromkeys(self.policy.label(p.account) for p in postings))
        why = f"（{standard.why}）" if standard.why else ""
        return Hit(
            txn.entry,
            f"{labels} {fmt_cn(amount)} 元，{_num(persons)} 人 × {_num(days)} 天 = {_num(person_days)} 人天，"
            f"每人每天 {fmt_cn(per)} 元，超过{standard.label}{standard.applies}标准每人每天 {fmt_cn(cap)} 元"
            f"{why}，超标 {fmt_cn(amount - cap * person_days)} 元。请核对人数、天数，超标部分不得列支。"
            f"标准：{_ref(standard.source)}",
            evidence=(f"amount {amount:.2f}", f"persons {_num(persons)}", f"days {_num(days)}",
                      f"cap {cap:.2f}"),
        )
