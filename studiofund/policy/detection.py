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

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CONTENT_RULES = ("three-public", "personal-consumption", "school-operating-cost")
ContentRule = Literal["three-public", "personal-consumption", "school-operating-cost"]
TextField = Literal["payee", "narration", "meta"]
HOST_SCHOOL = "{host-school}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _check_patterns(values: tuple[str, ...]) -> tuple[str, ...]:
    for pattern in values:
        if not pattern.strip():
            raise ValueError("empty pattern: remove it or write the words to match")
        try:
            re.compile(pattern.replace(HOST_SCHOOL, "X"))
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return values


class Threshold(_Strict):
    """Scores at which a content rule reports: ``review`` ≤ ``error``."""

    review: int = Field(default=2, ge=1, description="score from which a person must decide")
    error: int = Field(default=4, ge=1, description="score from which it is a violation")

    @model_validator(mode="after")
    def _ordered(self) -> Threshold:
        if self.error < self.review:
            raise ValueError(f"error ({self.error}) must not be below review ({self.review})")
        return self


class Signal(_Strict):
    """One kind of prohibited spending, recognised by its words and their context."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    rule: ContentRule
    label: str = Field(min_length=1, description="the kind in the documents' words, e.g. 公务接待费")
    terms: tuple[str, ...] = Field(min_length=1, description="regular expressions that point to it")
    weight: int = Field(ge=0, le=100, description="score when a term is present")
    fields: tuple[TextField, ...] = Field(
        default=("payee", "narration", "meta"), min_length=1, description="where terms are looked for"
    )
    innocent: tuple[str, ...] = Field(default=(), description="context that makes the term innocent")
    innocent_weight: int = Field(default=0, ge=0, le=100)
    innocent_meta: tuple[str, ...] = Field(
        default=(), description="metadata keys whose presence counts as innocent context"
    )
    suspicious: tuple[str, ...] = Field(default=(), description="context that confirms the term")
    suspicious_weight: int = Field(default=0, ge=0, le=100)
    accounts: dict[str, int] = Field(
        default_factory=dict, description="expense account (or parent) → score adjustment"
    )

    @field_validator("terms", "innocent", "suspicious")
    @classmethod
    def _patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_patterns(value)

    @field_validator("accounts")
    @classmethod
    def _expense_accounts(cls, value: dict[str, int]) -> dict[str, int]:
        for account in value:
            if not account.startswith("Expenses:"):
                raise ValueError(f"{account!r} is not an Expenses: account")
        return value

    @model_validator(mode="after")
    def _context_has_weight(self) -> Signal:
        if (self.innocent or self.innocent_meta) and not self.innocent_weight:
            raise ValueError(f"signal {self.id!r}: innocent context given but innocent_weight is 0")
        if self.suspicious and not self.suspicious_weight:
            raise ValueError(f"signal {self.id!r}: suspicious context given but suspicious_weight is 0")
        return self


class Transfer(_Strict):
    """Money leaving the dedicated account to anything but spending or an ``exempt`` account
    (another bank account, a receivable, cash) scores ``weight`` under ``rule``."""

    rule: ContentRule = "school-operating-cost"
    label: str = "专户资金转入其他账户"
    weight: int = Field(default=2, ge=0, le=100)
    exempt: tuple[str, ...] = Field(
        default=("Assets:Bank:Dedicated", "Liabilities:Refund:Bureau"),
        description="accounts (and their sub-accounts) money may move to without scoring",
    )


class DetectionPolicy(_Strict):
    """The ``[detection]`` table of a policy (bundled: ``programs/_detection.toml``)."""

    text_meta: tuple[str, ...] = Field(
        default=("purpose", "memo", "note", "description", "bank-memo"),
        description="transaction metadata keys whose text is read along with the narration",
    )
    masks: tuple[str, ...] = Field(default=(), description="innocent phrases removed before matching")
    thresholds: dict[ContentRule, Threshold] = Field(
        default_factory=lambda: {rule: Threshold() for rule in CONTENT_RULES}
    )
    advice: dict[ContentRule, str] = Field(
        default_factory=dict, description="what to do, per rule and severity-neutral"
    )
    corroboration: int = Field(
        default=1, ge=0, le=100,
        description="score added for each further term of a signal (up to two) and each further "
        "signal of the same rule; the strongest signal counts in full",
    )
    review_advice: str = Field(
        default="请核实用途：确属工作室正当支出的，由审核人在该笔加 reviewed: \"说明\"；否则按违规处理。"
    )
    signals: tuple[Signal, ...] = ()
    more_signals: tuple[Signal, ...] = Field(
        default=(), description="a program's or bureau's signals, added to the shared ones"
    )
    more_masks: tuple[str, ...] = Field(default=(), description="masks added to the shared ones")
    transfer: Transfer = Field(default_factory=Transfer)

    @field_validator("masks", "more_masks")
    @classmethod
    def _mask_patterns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _check_patterns(value)

    @model_validator(mode="after")
    def _unique_ids(self) -> DetectionPolicy:
        seen: set[str] = set()
        for signal in self.all_signals:
            if signal.id in seen:
                raise ValueError(f"signal id {signal.id!r} is used twice in detection signals")
            seen.add(signal.id)
        return self

    @property
    def all_signals(self) -> tuple[Signal, ...]:
        return self.signals + self.more_signals

    @property
    def all_masks(self) -> tuple[str, ...]:
        return self.masks + self.more_masks

    def threshold(self, rule: str) -> Threshold:
        return self.thresholds.get(rule) or Threshold()  # type: ignore[call-overload]
