"""The detection section of a policy: how the content rules recognise prohibited spending.

Three rules read the words of a transaction — payee, narration, some metadata — in Chinese:
``three-public`` (三公经费), ``personal-consumption`` (个人消费) and ``school-operating-cost``
(学校公用经费). What they look for is data, not code:

* a **signal** is one kind of prohibited spending (公务接待, 公务用车运行, 因公出国（境）,
  购物卡, 水电费 …): regular expressions (``terms``) that point to it, a ``weight``, and context
  — words that make the term innocent (``innocent``: 培训 next to 工作餐, 图书 next to 日本) or
  suspicious (``suspicious``: 督导组 next to 接待) — plus metadata keys whose presence clears it
  (``innocent_meta``: an ``asset-id`` on a tablet) and per-account adjustments (``accounts``);
* **masks** are phrases removed before any term is matched, so that a term inside an innocent
  compound never fires (粤港澳大湾区 contains 港澳; 个人所得税 contains 个人);
* a signal's score is its weight ± context (never below zero), plus ``corroboration`` for each
  further distinct term found (up to two); a rule's **score** on a transaction is its strongest
  signal's score plus ``corroboration`` for each further signal that scored; at ``thresholds[rule].error`` it is an ``error``, at
  ``thresholds[rule].review`` a ``review`` — a person decides — and below that nothing.

A program or a bureau's own policy file adds signals and masks with ``more_signals`` /
``more_masks`` (a list given as ``signals`` replaces the shared list instead).

A term may use ``{host-school}``: it stands for the studio's declared host school, so a payment
to the studio's own school is recognised whatever the school is called.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

from .fields import STRICT, check, check_id, check_patterns, check_range
from .patterns import UNKNOWN, anchors_of

CONTENT_RULES = ("three-public", "personal-consumption", "school-operating-cost")
ContentRule = Literal["three-public", "personal-consumption", "school-operating-cost"]
TextField = Literal["payee", "narration", "meta"]
HOST_SCHOOL = "{host-school}"


@dataclass(frozen=True, kw_only=True)
class Threshold:
    """Scores at which a content rule reports: ``review`` ≤ ``error``."""

    __pydantic_config__ = STRICT

    #: score from which a person must decide
    review: int = 2
    #: score from which it is a violation
    error: int = 4

    def __post_init__(self) -> None:
        check_range(self.review, "review", 1)
        check_range(self.error, "error", 1)
        check(self.error >= self.review, "error", f"error ({self.error}) must not be below review ({self.review})")


@dataclass(frozen=True, kw_only=True)
class Signal:
    """One kind of prohibited spending, recognised by its words and their context."""

    __pydantic_config__ = STRICT

    id: str
    rule: ContentRule
    #: the kind in the documents' words, e.g. 公务接待费
    label: str
    #: regular expressions that point to it
    terms: tuple[str, ...]
    #: score when a term is present
    weight: int
    #: where terms are looked for
    fields: tuple[TextField, ...] = ("payee", "narration", "meta")
    #: context that makes the term innocent
    innocent: tuple[str, ...] = ()
    innocent_weight: int = 0
    #: metadata keys whose presence counts as innocent context
    innocent_meta: tuple[str, ...] = ()
    #: context that confirms the term
    suspicious: tuple[str, ...] = ()
    suspicious_weight: int = 0
    #: expense account (or parent) → score adjustment
    accounts: dict[str, int] = field(default_factory=dict)

    @functools.cached_property
    def anchors(self) -> frozenset[str] | None | str:
        """Literal strings one of which every match of a term contains (None: unknown;
        :data:`~studiofund.policy.patterns.UNKNOWN` when a term names the host school).
        Computed once and kept with the cached policy: parsing the terms is the dear part."""
        if any(HOST_SCHOOL in term for term in self.terms):
            return UNKNOWN
        return anchors_of(self.terms)

    def __post_init__(self) -> None:
        check_id(self.id)
        check(bool(self.label), "label", "a signal needs a label")
        check(bool(self.terms), "terms", "a signal needs at least one term")
        check(bool(self.fields), "fields", "a signal needs at least one field")
        for name in ("weight", "innocent_weight", "suspicious_weight"):
            check_range(getattr(self, name), name, 0, 100)
        for name in ("terms", "innocent", "suspicious"):
            check_patterns(getattr(self, name), name, HOST_SCHOOL)
        for account in self.accounts:
            check(account.startswith("Expenses:"), "accounts", f"{account!r} is not an Expenses: account")
        if (self.innocent or self.innocent_meta) and not self.innocent_weight:
            check(False, "innocent_weight", f"signal {self.id!r}: innocent context given but innocent_weight is 0")
        if self.suspicious and not self.suspicious_weight:
            check(False, "suspicious_weight",
                  f"signal {self.id!r}: suspicious context given but suspicious_weight is 0")


@dataclass(frozen=True, kw_only=True)
class Transfer:
    """Money leaving the dedicated account to anything but spending or an ``exempt`` account
    (another bank account, a receivable, cash) scores ``weight`` under ``rule``."""

    __pydantic_config__ = STRICT

    rule: ContentRule = "school-operating-cost"
    label: str = "专户资金转入其他账户"
    weight: int = 2
    #: accounts (and their sub-accounts) money may move to without scoring
    exempt: tuple[str, ...] = ("Assets:Bank:Dedicated", "Liabilities:Refund:Bureau", "Liabilities:Tax:Withheld")

    def __post_init__(self) -> None:
        check_range(self.weight, "weight", 0, 100)


def _default_thresholds() -> dict[str, Threshold]:
    return {rule: Threshold() for rule in CONTENT_RULES}


@dataclass(frozen=True, kw_only=True)
class DetectionPolicy:
    """The ``[detection]`` table of a policy (bundled: ``programs/_detection.toml``)."""

    __pydantic_config__ = STRICT

    #: transaction metadata keys whose text is read along with the narration
    text_meta: tuple[str, ...] = ("purpose", "memo", "note", "description", "bank-memo")
    #: innocent phrases removed before matching
    masks: tuple[str, ...] = ()
    thresholds: dict[ContentRule, Threshold] = field(default_factory=_default_thresholds)
    #: what to do, per rule and severity-neutral
    advice: dict[ContentRule, str] = field(default_factory=dict)
    #: score added for each further term of a signal (up to two) and each further signal of the
    #: same rule; the strongest signal counts in full
    corroboration: int = 1
    review_advice: str = "请核实用途：确属工作室正当支出的，由审核人在该笔加 reviewed: \"说明\"；否则按违规处理。"
    signals: tuple[Signal, ...] = ()
    #: a program's or bureau's signals, added to the shared ones
    more_signals: tuple[Signal, ...] = ()
    #: masks added to the shared ones
    more_masks: tuple[str, ...] = ()
    transfer: Transfer = field(default_factory=Transfer)

    def __post_init__(self) -> None:
        check_range(self.corroboration, "corroboration", 0, 100)
        check_patterns(self.masks, "masks")
        check_patterns(self.more_masks, "more_masks")
        seen: set[str] = set()
        for signal in self.all_signals:
            check(signal.id not in seen, "signals", f"signal id {signal.id!r} is used twice in detection signals")
            seen.add(signal.id)

    def prepare(self) -> None:
        """Compute what the checks derive from the patterns, before the policy is cached."""
        for signal in self.all_signals:
            signal.anchors  # noqa: B018 (computes the cached property)

    @property
    def all_signals(self) -> tuple[Signal, ...]:
        return self.signals + self.more_signals

    @property
    def all_masks(self) -> tuple[str, ...]:
        return self.masks + self.more_masks

    def threshold(self, rule: str) -> Threshold:
        return self.thresholds.get(rule) or Threshold()  # type: ignore[call-overload]
