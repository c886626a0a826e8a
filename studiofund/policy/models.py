"""The tables of a program's policy file (validated by pydantic when read).

A policy is what a bureau decides, as data: who funds how much, which spending categories are
permitted (with the Chinese labels of the document), whether each voucher needs two signatures,
the fixed-asset threshold, the clauses each rule cites, and the detection patterns of the checks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal

from .assessment import AssessmentPolicy, CycleEnd
from .detection import DetectionPolicy
from .fields import STRICT, FieldError, Frozen, check, check_account, check_id, check_range
from .importing import ImportingPolicy
from .standards import SpendingStandards

#: The accounts of CONTRACT.md's chart that the code names (one definition each).
DEDICATED = "Assets:Bank:Dedicated"
CITY_GRANT = "Income:Grant:City"
DISTRICT_GRANT = "Income:Grant:District"
OTHER_INCOME = "Income:Grant:Other"
CARRY_FORWARD = "Equity:CarryForward"
REFUND = "Liabilities:Refund:Bureau"

#: The chart of accounts of CONTRACT.md: every account a studio ledger may use, with its default
#: Chinese label. A program permits a subset of the ``Expenses:`` accounts.
BASE_ACCOUNTS: dict[str, str] = {
    DEDICATED: "专户",
    CITY_GRANT: "市级拨款",
    DISTRICT_GRANT: "区级配套",
    OTHER_INCOME: "其他收入",
    CARRY_FORWARD: "上年结转",
    REFUND: "应缴回经费",
    #: personal income tax withheld from payments to persons, until paid to the tax bureau
    "Liabilities:Tax:Withheld": "应交个人所得税",
}

#: The account of the 劳务报酬 tax a payment to a person withholds.
TAX_WITHHELD = "Liabilities:Tax:Withheld"

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


@dataclass(kw_only=True, eq=False, repr=False)
class PermittedAccount(Frozen):
    """One permitted spending category of the program."""

    __pydantic_config__ = STRICT

    account: str
    #: the category's name in the document, shown in reports
    label: str
    #: words in a bank line's purpose that suggest this category
    keywords: tuple[str, ...] = ()
    #: lecture fees, 课酬, 劳务: payments to a person need payee-id and tax-withheld
    pays_individuals: bool = False

    def __post_init__(self) -> None:
        if self.account not in EXPENSE_ACCOUNTS:
            known = ", ".join(EXPENSE_ACCOUNTS)
            raise FieldError("account", f"未知的支出科目 {self.account!r}；科目表中有：{known}")


@dataclass(kw_only=True, eq=False, repr=False)
class Allocation(Frozen):
    """What the program grants a studio each year."""

    __pydantic_config__ = STRICT

    #: the document's clause that sets the funding
    clause: str
    #: annual city grant, CNY
    city: Decimal | None = None
    #: district match as a multiple of the city grant (at least)
    district_ratio: Decimal | None = None
    #: the amount is set per studio (``init --allocation``)
    per_studio: bool = False
    #: the income accounts the annual allocation arrives on (allocation-mismatch)
    income_accounts: tuple[str, ...] = ("Income:Grant:City",)
    #: the year's fund is at least this share of the school's 年度公用经费预算, the studio
    #: declaration's ``public-budget:`` (lvyuan: 0.05)
    public_budget_share: Decimal | None = None
    note: str = ""

    def __post_init__(self) -> None:
        check_range(self.city, "city", 0)
        check_range(self.district_ratio, "district_ratio", 0)
        check_range(self.public_budget_share, "public_budget_share", 0, 1)
        for account in self.income_accounts:
            check(account.startswith("Income:"), "income_accounts", f"{account!r} 不是 Income: 科目")

    def district_minimum(self, city_amount: Decimal) -> Decimal | None:
        if self.district_ratio is None:
            return None
        return city_amount * self.district_ratio


@dataclass(kw_only=True, eq=False, repr=False)
class PrincipalTraining(Frozen):
    """``[principal_training]``: principals' training gets at least a share of their salaries
    (lvyuan 四（二）: 不低于校长工资总额的2.5%), the studio declaration's ``principal-salaries:``.

    A payment is principals' training when it is posted to one of ``accounts`` (or a sub-account),
    or when the transaction or the posting carries ``meta_key`` metadata containing one of
    ``meta_words`` (``trainee: "校长"``)."""

    __pydantic_config__ = STRICT

    #: the clause that sets the share (quoted in findings)
    clause: str
    #: the least share of the principals' total salaries spent on their training in a year
    salary_share: Decimal
    #: sub-accounts whose payments are principals' training (``init`` opens them)
    accounts: tuple[str, ...] = ("Expenses:Training:Principals",)
    #: the Chinese label of those accounts
    label: str = "校长培训费"
    meta_key: str = "trainee"
    meta_words: tuple[str, ...] = ("校长",)

    def __post_init__(self) -> None:
        check(bool(self.clause.strip()), "clause", "请引用文件中关于校长培训经费的条款")
        check_range(self.salary_share, "salary_share", 0, 1)
        for account in self.accounts:
            check_account(account, "accounts")
            check(account.startswith("Expenses:"), "accounts", f"{account!r} 不是 Expenses: 科目")
        check(bool(self.meta_key.strip()), "meta_key", "请写明元数据键名（如 trainee）")
        check(all(w.strip() for w in self.meta_words), "meta_words", "有空的词；请删去")

    def is_principal_training(self, account: str, meta: dict | None, posting_meta: dict | None) -> bool:
        """Whether a payment posted to ``account`` is principals' training."""
        if account in self.accounts or account.startswith(tuple(a + ":" for a in self.accounts)):
            return True
        for source in (posting_meta, meta):
            value = source.get(self.meta_key) if source else None
            if value is not None and any(w in str(value) for w in self.meta_words):
                return True
        return False


@dataclass(kw_only=True, eq=False, repr=False)
class Policy(Frozen):
    """A funding program: one bundled TOML file, or a bureau's own via ``--policy FILE``."""

    __pydantic_config__ = STRICT

    id: str
    name: str
    #: 名师工作室 / 名校长工作室 / 名班主任工作室 …
    studio_kind: str
    issuer: str
    #: the source document's title
    document: str
    allocation: Allocation
    accounts: tuple[PermittedAccount, ...]
    #: the seed document this policy digests
    seed: str = ""
    cycle_years: int = 3
    dual_signoff: bool = False
    asset_threshold: Decimal = Decimal("1000")
    asset_accounts: tuple[str, ...] = ("Expenses:Equipment",)
    #: rule id → the clause that rule enforces
    citations: dict[str, str] = field(default_factory=dict)
    #: patterns of the content rules (三公, 个人消费, 公用经费)
    detection: DetectionPolicy = field(default_factory=DetectionPolicy)
    #: bank import: grant payers, interest, fees
    importing: ImportingPolicy = field(default_factory=ImportingPolicy)
    #: spending standards: lecture fee per 学时, training and meeting per person-day (over-standard)
    standards: SpendingStandards = field(default_factory=SpendingStandards)
    #: yearly and end-of-cycle assessments and their consequences (assessment-funding)
    assessment: AssessmentPolicy | None = None
    #: the balance at the end of a cycle (cycle-end-balance); None: not checked
    cycle_end: CycleEnd | None = None
    #: lvyuan: principals' training against their salaries
    principal_training: PrincipalTraining | None = None

    def __post_init__(self) -> None:
        check_id(self.id)
        check_range(self.cycle_years, "cycle_years", 1, 10)
        check_range(self.asset_threshold, "asset_threshold", 0)
        check(len(self.accounts) >= 1, "accounts", "至少需要一个允许的开支科目")
        seen: set[str] = set()
        for item in self.accounts:
            check(item.account not in seen, "accounts", f"科目 {item.account} 在 [[accounts]] 中列了两次")
            seen.add(item.account)
        if self.principal_training is not None:
            for account in self.principal_training.accounts:
                check(self.is_permitted(account), "principal_training.accounts",
                      f"{account} 不是本项目允许的开支科目（或其子科目）")

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
        training = self.principal_training
        if training is not None and account in training.accounts:
            return training.label
        for item in self.accounts:
            if account == item.account or account.startswith(item.account + ":"):
                return item.label
        return BASE_ACCOUNTS.get(account) or EXPENSE_ACCOUNTS.get(account) or account

    def cite(self, rule_id: str) -> str:
        """《document》clause — the citation a finding of ``rule_id`` carries."""
        clause = self.citations.get(rule_id) or self.citations.get("default", "")
        return f"《{self.document}》{clause}".strip()
