"""The pydantic models of a program's policy file.

A policy is what a bureau decides, as data: who funds how much, which spending categories are
permitted (with the Chinese labels of the document), whether each voucher needs two signatures,
the fixed-asset threshold, the clauses each rule cites, and the detection patterns of the checks.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .detection import DetectionPolicy
from .importing import ImportingPolicy

#: The chart of accounts of CONTRACT.md: every account a studio ledger may use, with its default
#: Chinese label. A program permits a subset of the ``Expenses:`` accounts.
BASE_ACCOUNTS: dict[str, str] = {
    "Assets:Bank:Dedicated": "专户",
    "Income:Grant:City": "市级拨款",
    "Income:Grant:District": "区级配套",
    "Income:Grant:Other": "其他收入",
    "Equity:CarryForward": "上年结转",
    "Liabilities:Refund:Bureau": "应缴回经费",
}

EXPENSE_ACCOUNTS: dict[str, str] = {
    "Expenses:Research": "课题研究费",
    "Expenses:Publication": "成果出版费",
    "Expenses:Training": "学习培训费",
    "Expenses:Materials": "资料费",
    "Expenses:Travel": "差旅费",
    "Expenses:Transport": "交通费",
    "Expenses:BoardLodging": "食宿费",
    "Expenses:LecturerFees": "外聘教师讲课费",
    "Expenses:Seminars": "学术研讨与交流",
    "Expenses:Equipment": "办公设备购置",
    "Expenses:Conference": "会务费",
    "Expenses:Network": "网络建设费",
    "Expenses:FieldVisits": "外出指导和考察参观",
    "Expenses:OfficeSupplies": "办公用品",
    "Expenses:InfoCollection": "信息采集",
    "Expenses:Venue": "场地",
    "Expenses:Labor": "其他必要劳务",
    "Expenses:OtherCollective": "其他集体性支出",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class PermittedAccount(_Strict):
    """One permitted spending category of the program."""

    account: str
    label: str = Field(description="the category's name in the document, shown in reports")
    keywords: tuple[str, ...] = Field(
        default=(), description="words in a bank line's purpose that suggest this category"
    )
    pays_individuals: bool = Field(
        default=False, description="lecture fees, 课酬, 劳务: payments to a person need payee-id"
    )

    @field_validator("account")
    @classmethod
    def _known_expense_account(cls, value: str) -> str:
        if value not in EXPENSE_ACCOUNTS:
            known = ", ".join(EXPENSE_ACCOUNTS)
            raise ValueError(f"unknown expense account {value!r}; the chart has: {known}")
        return value


class Allocation(_Strict):
    """What the program grants a studio each year."""

    city: Decimal | None = Field(default=None, ge=0, description="annual city grant, CNY")
    district_ratio: Decimal | None = Field(
        default=None, ge=0, description="district match as a multiple of the city grant (≥)"
    )
    per_studio: bool = Field(
        default=False, description="the amount is set per studio (`init --allocation`)"
    )
    income_accounts: tuple[str, ...] = Field(
        default=("Income:Grant:City",),
        description="the income accounts the annual allocation arrives on (allocation-mismatch)",
    )
    note: str = ""
    clause: str = Field(description="the document's clause that sets the funding")

    def district_minimum(self, city_amount: Decimal) -> Decimal | None:
        if self.district_ratio is None:
            return None
        return city_amount * self.district_ratio


class Policy(_Strict):
    """A funding program: one bundled TOML file, or a bureau's own via ``--policy FILE``."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    studio_kind: str = Field(description="名师工作室 / 名校长工作室 / 名班主任工作室 …")
    issuer: str
    document: str = Field(description="the source document's title")
    seed: str = Field(default="", description="the seed document this policy digests")
    cycle_years: int = Field(default=3, ge=1, le=10)
    allocation: Allocation
    dual_signoff: bool = False
    asset_threshold: Decimal = Field(default=Decimal("1000"), ge=0)
    asset_accounts: tuple[str, ...] = ("Expenses:Equipment",)
    accounts: tuple[PermittedAccount, ...] = Field(min_length=1)
    citations: dict[str, str] = Field(
        default_factory=dict, description="rule id → the clause that rule enforces"
    )
    detection: DetectionPolicy = Field(
        default_factory=DetectionPolicy,
        description="patterns of the content rules (三公, 个人消费, 公用经费)",
    )
    importing: ImportingPolicy = Field(
        default_factory=ImportingPolicy, description="bank import: grant payers, categories"
    )

    @model_validator(mode="after")
    def _accounts_unique(self) -> Policy:
        seen: set[str] = set()
        for item in self.accounts:
            if item.account in seen:
                raise ValueError(f"account {item.account} is listed twice in [[accounts]]")
            seen.add(item.account)
        return self

    # -- derived views -------------------------------------------------------------------------
    @functools.cached_property
    def permitted(self) -> frozenset[str]:
        return frozenset(a.account for a in self.accounts)

    @functools.cached_property
    def _permitted_prefixes(self) -> tuple[str, ...]:
        return tuple(p + ":" for p in self.permitted)

    def is_permitted(self, account: str) -> bool:
        """A permitted category or one of its sub-accounts (``Expenses:Materials:Books``)."""
        return account in self.permitted or account.startswith(self._permitted_prefixes)

    def label(self, account: str) -> str:
        """The Chinese label of an account as this program names it."""
        for item in self.accounts:
            if account == item.account or account.startswith(item.account + ":"):
                return item.label
        return BASE_ACCOUNTS.get(account) or EXPENSE_ACCOUNTS.get(account) or account

    def cite(self, rule_id: str) -> str:
        """《document》clause — the citation a finding of ``rule_id`` carries."""
        clause = self.citations.get(rule_id) or self.citations.get("default", "")
        return f"《{self.document}》{clause}".strip()
