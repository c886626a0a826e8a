"""The year-end usage report (经费使用情况表) of one studio, as a library call.

``build_report(loaded, year)`` computes the report from one :class:`LoadedLedger` in one pass
over its entries; ``UsageReport.to_json()`` is CONTRACT.md's JSON object. This module imports
neither click nor Fava: the command line, the consolidation workers and the web extension all
call it.

Figures (CONTRACT.md, Reports):

* ``opening_balance`` (上年结余) = the dedicated account's balance before 1 January plus what the
  year books against ``Equity:CarryForward``;
* ``income`` by source: ``Income:Grant:City`` → city (市级拨款), ``Income:Grant:District`` →
  district (区级配套), any other income → other (其他收入);
* ``spending``: every expense account with activity in the year (permitted or not) and every
  account with a budget in force, with the program's label, budget, actual, execution rate
  (actual ÷ budget) and share (actual ÷ spending total);
* ``refunded`` (缴回) = what the year moved to ``Liabilities:Refund:Bureau``;
* ``closing_balance`` (结余) = opening + income total − spending total − refunded;
* overall ``execution_rate`` = spending total ÷ (opening + income total).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from studiofund.checks.standing import assessment_status
from studiofund.ledger.budgets import year_budgets
from studiofund.ledger.directives import parse_assessments, parse_budgets
from studiofund.money import ZERO, fmt, q2
from studiofund.policy.models import (CARRY_FORWARD, CITY_GRANT, DEDICATED, DISTRICT_GRANT, EXPENSE_ACCOUNTS,
                                      REFUND)

INCOME_SOURCES = {CITY_GRANT: "city", DISTRICT_GRANT: "district"}
INCOME_KEYS = ("city", "district", "other")
INCOME_LABELS = {"city": "市级拨款", "district": "区级配套", "other": "其他收入", "total": "收入合计"}
ASSET_META = "asset-id"


def rate(numerator: Decimal, denominator: Decimal | None) -> float | None:
    """A ratio rounded to four places, or None when there is nothing to divide by."""
    if denominator is None or denominator == 0:
        return None
    return float((numerator / denominator).quantize(Decimal("0.0001")))


def _money(value: Any) -> Decimal | None:
    return None if value is None else q2(Decimal(str(value)))


@dataclass(frozen=True)
class StudioInfo:
    name: str
    program: str
    host_school: str
    district: str
    program_name: str = ""
    cycle_start: datetime.date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "program": self.program,
            "host_school": self.host_school,
            "district": self.district,
            "program_name": self.program_name,
            "cycle_start": self.cycle_start.isoformat() if self.cycle_start else None,
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> StudioInfo:
        start = obj.get("cycle_start")
        return cls(obj.get("name", ""), obj.get("program", ""), obj.get("host_school", ""),
                   obj.get("district", ""), obj.get("program_name", ""),
                   datetime.date.fromisoformat(start) if start else None)


@dataclass(frozen=True)
class SpendingLine:
    """One spending category of the year."""

    account: str
    label: str
    budget: Decimal | None
    actual: Decimal
    permitted: bool

    @property
    def execution_rate(self) -> float | None:
        return rate(self.actual, self.budget)


@dataclass(frozen=True)
class AssetLine:
    """A fixed asset bought in the year (an expense posting with ``asset-id``)."""

    asset_id: str
    amount: Decimal
    date: datetime.date
    narration: str
    account: str
    voucher: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"asset-id": self.asset_id, "amount": fmt(self.amount), "date": self.date.isoformat(),
                "narration": self.narration, "account": self.account, "voucher": self.voucher}


@dataclass(frozen=True)
class FindingCounts:
    """The year's findings: ``error`` and ``review`` count the open ones (``by_rule`` too);
    ``rectified`` counts those put right by correcting entries (``rectified_by_rule``)."""

    error: int = 0
    review: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    rectified: int = 0
    rectified_by_rule: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"error": self.error, "review": self.review, "by_rule": dict(sorted(self.by_rule.items())),
                "rectified": self.rectified, "rectified_by_rule": dict(sorted(self.rectified_by_rule.items()))}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> FindingCounts:
        return cls(int(obj.get("error", 0)), int(obj.get("review", 0)), dict(obj.get("by_rule") or {}),
                   int(obj.get("rectified", 0)), dict(obj.get("rectified_by_rule") or {}))

    def __add__(self, other: FindingCounts) -> FindingCounts:
        return FindingCounts(self.error + other.error, self.review + other.review,
                             dict(Counter(self.by_rule) + Counter(other.by_rule)),
                             self.rectified + other.rectified,
                             dict(Counter(self.rectified_by_rule) + Counter(other.rectified_by_rule)))


@dataclass(frozen=True)
class FindingLine:
    """One finding of the year as the printed report lists it: the voucher behind it."""

    rule: str
    severity: str
    status: str  # open | rectified
    voucher: str | None
    date: datetime.date | None
    rectified_by: tuple[str, ...] = ()


@dataclass
class UsageReport:
    """One studio's year: the figures of the 经费使用情况表."""

    studio: StudioInfo
    year: int
    opening_balance: Decimal
    income: dict[str, Decimal]  # city, district, other
    spending: list[SpendingLine]
    refunded: Decimal
    findings: FindingCounts
    assets: list[AssetLine]
    ledger: str = ""
    load_errors: int = 0
    #: 考核结果: the studio's standing after its assessments up to the year (黄牌警告, 取消资格 …;
    #: "" for a program without assessments) and the assessments as one line
    assessment_status: str = ""
    assessment: str = ""
    #: every finding of the year with its voucher (the printed form lists them; not in the JSON,
    #: which ``check --format json`` already gives finding by finding)
    finding_lines: list[FindingLine] = field(default_factory=list)

    # -- derived figures -------------------------------------------------------------------------
    @property
    def income_total(self) -> Decimal:
        return q2(sum((self.income.get(k, ZERO) for k in INCOME_KEYS), ZERO))

    @property
    def spending_total(self) -> Decimal:
        return q2(sum((s.actual for s in self.spending), ZERO))

    @property
    def budget_total(self) -> Decimal | None:
        budgets = [s.budget for s in self.spending if s.budget is not None]
        return q2(sum(budgets, ZERO)) if budgets else None

    @property
    def available(self) -> Decimal:
        """What the year had to spend: opening balance plus the year's income."""
        return q2(self.opening_balance + self.income_total)

    @property
    def closing_balance(self) -> Decimal:
        return q2(self.opening_balance + self.income_total - self.spending_total - self.refunded)

    @property
    def execution_rate(self) -> float | None:
        return rate(self.spending_total, self.available)

    def share(self, line: SpendingLine) -> float | None:
        return rate(line.actual, self.spending_total)

    # -- JSON ------------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """CONTRACT.md's report object (amounts as two-place strings, rates to four places)."""
        income = {k: fmt(self.income.get(k, ZERO)) for k in INCOME_KEYS}
        income["total"] = fmt(self.income_total)
        return {
            "studio": self.studio.to_json(),
            "ledger": self.ledger,
            "year": self.year,
            "opening_balance": fmt(self.opening_balance),
            "income": income,
            "spending": [
                {
                    "account": s.account,
                    "label": s.label,
                    "budget": fmt(s.budget) if s.budget is not None else None,
                    "actual": fmt(s.actual),
                    "execution_rate": s.execution_rate,
                    "share": self.share(s),
                    "permitted": s.permitted,
                }
                for s in self.spending
            ],
            "budget_total": fmt(self.budget_total) if self.budget_total is not None else None,
            "spending_total": fmt(self.spending_total),
            "refunded": fmt(self.refunded),
            "closing_balance": fmt(self.closing_balance),
            "execution_rate": self.execution_rate,
            "findings": self.findings.to_json(),
            "assets": [a.to_json() for a in self.assets],
            "load_errors": self.load_errors,
            "assessment": {"status": self.assessment_status, "summary": self.assessment},
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> UsageReport:
        """The inverse of :meth:`to_json` (consolidation workers and the cache send JSON)."""
        f = obj.get("findings") or {}
        return cls(
            studio=StudioInfo.from_json(obj.get("studio") or {}),
            year=int(obj["year"]),
            opening_balance=_money(obj.get("opening_balance")) or ZERO,
            income={k: _money(obj.get("income", {}).get(k)) or ZERO for k in INCOME_KEYS},
            spending=[
                SpendingLine(s["account"], s.get("label", s["account"]), _money(s.get("budget")),
                             _money(s.get("actual")) or ZERO, bool(s.get("permitted", True)))
                for s in obj.get("spending", [])
            ],
            refunded=_money(obj.get("refunded")) or ZERO,
            findings=FindingCounts.from_json(f),
            assets=[
                AssetLine(a["asset-id"], _money(a["amount"]), datetime.date.fromisoformat(a["date"]),
                          a.get("narration", ""), a.get("account", ""), a.get("voucher"))
                for a in obj.get("assets", [])
            ],
            ledger=obj.get("ledger", ""),
            load_errors=int(obj.get("load_errors", 0)),
            assessment_status=(obj.get("assessment") or {}).get("status", ""),
            assessment=(obj.get("assessment") or {}).get("summary", ""),
        )


# -- computing ---------------------------------------------------------------------------------


def studio_info(loaded) -> StudioInfo:
    studio, policy = loaded.studio, loaded.policy
    if studio is None:
        return StudioInfo(name=str(getattr(loaded, "path", "")), program="", host_school="", district="")
    return StudioInfo(studio.name, studio.program, studio.host_school, studio.district,
                      policy.name if policy is not None else "", studio.cycle_start)


def _label(policy, account: str) -> str:
    if policy is not None:
        return policy.label(account)

    return EXPENSE_ACCOUNTS.get(account, account)


def _income_key(account: str) -> str:
    for prefix, key in INCOME_SOURCES.items():
        if account == prefix or account.startswith(prefix + ":"):
            return key
    return "other"


def _asset_lines(entry: data.Transaction) -> list[AssetLine]:
    for p in entry.postings:
        if p.meta and ASSET_META in p.meta:
            break
    else:  # the common case, no asset: building the lists below for every transaction was 2 of a
           # report's 6.8 M instructions (callgrind, a 300-transaction ledger)
        if (entry.meta or {}).get(ASSET_META) in (None, ""):
            return []
    voucher = (entry.meta or {}).get("voucher")
    voucher = str(voucher) if voucher not in (None, "") else None
    expenses = [p for p in entry.postings if p.account.startswith("Expenses:") and p.units is not None]
    lines = [
        AssetLine(str(p.meta[ASSET_META]), q2(p.units.number), entry.date, entry.narration or "",
                  p.account, voucher)
        for p in expenses if p.meta and p.meta.get(ASSET_META) not in (None, "")
    ]
    txn_asset = (entry.meta or {}).get(ASSET_META)
    if not lines and txn_asset not in (None, "") and expenses:
        # the transaction's asset-id belongs to its largest expense posting
        p = max(expenses, key=lambda p: p.units.number)
        lines.append(AssetLine(str(txn_asset), q2(p.units.number), entry.date, entry.narration or "",
                               p.account, voucher))
    return lines


def build_report(loaded, year: int) -> UsageReport:
    """The usage report of ``year`` from one loaded ledger (no reloading, no side effects)."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    before = ZERO  # dedicated balance before the year
    carried = ZERO  # booked against Equity:CarryForward in the year
    income = dict.fromkeys(INCOME_KEYS, ZERO)
    spent: dict[str, Decimal] = {}
    refunded = ZERO
    assets: list[AssetLine] = []
    Transaction = data.Transaction
    for entry in loaded.entries:
        if type(entry) is not Transaction:
            continue
        date = entry.date
        if date >= end:
            break  # entries are sorted by date
        if date < start:
            for p in entry.postings:
                if p.account == DEDICATED and p.units is not None:
                    before += p.units.number
            continue
        for p in entry.postings:
            if p.units is None:
                continue
            account, number = p.account, p.units.number
            root = account.split(":", 1)[0]
            if root == "Expenses":
                spent[account] = spent.get(account, ZERO) + number
            elif root == "Income":
                key = _income_key(account)
                income[key] -= number
            elif account == CARRY_FORWARD:
                carried -= number
            elif account == REFUND or account.startswith(REFUND + ":"):
                refunded += number
        assets.extend(_asset_lines(entry))

    policy = loaded.policy
    budgets, _ = parse_budgets(loaded.entries)
    assessments, _ = parse_assessments(loaded.entries)
    status, summary = assessment_status(assessments, loaded.studio, policy, year)
    budget_of = year_budgets(budgets, year)
    accounts = set(spent) | set(budget_of)
    order = {a.account: i for i, a in enumerate(policy.accounts)} if policy is not None else {}
    spending = [
        SpendingLine(
            account=account,
            label=_label(policy, account),
            budget=budget_of.get(account),
            actual=q2(spent.get(account, ZERO)),
            permitted=policy.is_permitted(account) if policy is not None else True,
        )
        for account in sorted(accounts, key=lambda a: (order.get(a, len(order)), a))
    ]

    counts: Counter = Counter()
    by_rule: Counter = Counter()
    rectified: Counter = Counter()
    lines: list[FindingLine] = []
    for f in loaded.findings:
        if f.date is not None and f.date.year != year:
            continue
        if f.is_open:
            counts[f.severity] += 1
            by_rule[f.rule] += 1
        else:
            rectified[f.rule] += 1
        lines.append(FindingLine(f.rule, f.severity, f.status, f.voucher, f.date, tuple(f.rectified_by)))
    lines.sort(key=lambda x: (x.status != "open", x.rule, x.date or datetime.date.min, x.voucher or ""))

    return UsageReport(
        studio=studio_info(loaded),
        year=year,
        opening_balance=q2(before + carried),
        income={k: q2(v) for k, v in income.items()},
        spending=spending,
        refunded=q2(refunded),
        findings=FindingCounts(counts.get("error", 0), counts.get("review", 0), dict(by_rule),
                               sum(rectified.values()), dict(rectified)),
        assets=assets,
        ledger=str(loaded.path),
        load_errors=len(loaded.load_errors) + len(loaded.config_errors),
        assessment_status=status,
        assessment=summary,
        finding_lines=lines,
    )


def cycle_years(loaded, year: int | None = None) -> list[int]:
    """The years of the studio's cycle (cycle-start year … + cycle_years − 1).

    Without a studio declaration, ``year`` alone (or the years with entries).
    """
    studio, policy = loaded.studio, loaded.policy
    if studio is None:
        if year is not None:
            return [year]
        years = sorted({e.date.year for e in loaded.entries if isinstance(e, data.Transaction)})
        return years or [datetime.date.today().year]
    n = policy.cycle_years if policy is not None else 3
    first = studio.cycle_start.year
    return list(range(first, first + n))


def build_cycle(loaded, year: int | None = None) -> list[UsageReport]:
    """The report of every year of the studio's cycle, year by year."""
    return [build_report(loaded, y) for y in cycle_years(loaded, year)]
