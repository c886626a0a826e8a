"""Every custom directive of a studio ledger, parsed into typed values with errors.

In the manner of Fava's ``fava/core/budgets.py``: each ``parse_*`` function takes the ledger's
entries and returns ``(values, errors)``; nothing raises for bad data and nothing is guessed.
:func:`read_directives` reads them all in one pass (the plugin does this once per check).

    2020-01-01 custom "studio" "shenzhen-district"        ; the declaration (one per ledger)
      name: "南山区李梅名班主任工作室"
      host-school: "深圳市南山区第二实验学校"
      district: "南山区"
      cycle-start: 2019-01-01
      allocation: 40000.00 CNY         ; programs whose amount is set per studio
      policy: "policy/my-bureau.toml"  ; a bureau's own policy file, relative to the ledger
      members: "张三, 李四"             ; the studio's members (comma-separated)
      host: "李梅"                      ; its host (主持人)
      public-budget: 2000000.00 CNY    ; lvyuan: the school's 年度公用经费预算
      principal-salaries: 300000.00 CNY ; lvyuan: 校长工资总额
      host-school-tax-id: "12440300MB2C12345X" ; the host school's 统一社会信用代码
    2021-09-01 custom "studio-disqualified" "第二次考核不合格"       ; studiofund clawback
    2021-01-15 custom "studio-sealed" 2020 "sha256:…"              ; studiofund close
      entries: 412
    2021-03-01 custom "studio-reopened" 2020 "更正凭证 2020-031"    ; close --reopen
    2021-01-01 custom "budget" Expenses:Research "yearly" 8000.00 CNY  ; Fava's own budgets
    2021-03-01 custom "assessment" 2020 "不合格"                    ; a yearly assessment
      assessor: "第三方评估机构"
      deadline: 2021-06-30             ; the rectification deadline (整改期限), optional
      rectified: 2021-06-20            ; when the rectification was accepted, optional
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NamedTuple

from beancount.core import data

from studiofund.policy.assessment import GRADES, Assessment
from studiofund.policy.fields import Frozen

STUDIO = "studio"
DISQUALIFIED = "studio-disqualified"
SEALED = "studio-sealed"
REOPENED = "studio-reopened"
BUDGET = "budget"
ASSESSMENT = "assessment"

#: The periods of Fava's budget directive.
PERIODS = ("daily", "weekly", "monthly", "quarterly", "yearly")
DIGEST_PREFIX = "sha256:"


class DirectiveError(NamedTuple):
    """A directive that cannot be read: its source, what is wrong and what to write instead."""

    source: dict[str, Any]
    message: str
    entry: Any


class StudioConfigError(NamedTuple):
    """The ledger cannot be checked: no declaration, unknown program, broken policy file."""

    source: dict[str, Any]
    message: str
    entry: Any


# -- the studio declaration --------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class Studio(Frozen):
    program: str
    name: str
    host_school: str
    district: str
    cycle_start: datetime.date
    allocation: Decimal | None = None
    policy_file: Path | None = None
    members: tuple[str, ...] = ()
    host: tuple[str, ...] = ()
    public_budget: Decimal | None = None
    principal_salaries: Decimal | None = None
    host_school_tax_id: str = ""
    #: the ``custom "studio"`` directive itself (its date: books opened mid-cycle start then)
    entry: data.Custom | None = field(default=None, compare=False, repr=False)
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


_NAMES = re.compile(r"[,，、;；]+")


def _meta_text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value).strip()


def _names(meta: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in _NAMES.split(_meta_text(meta, key)) if n.strip())


def _amount(value: Any) -> Decimal | None:
    """A metadata amount (``40000.00 CNY``, a number or numeric text) as Decimal, else None."""
    number = getattr(value, "number", value)
    try:
        return Decimal(str(number).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def parse_studio(entries: Iterable[data.Directive]) -> tuple[Studio | None, list[StudioConfigError]]:
    """Find and read the studio declaration. Returns ``(studio, errors)``."""
    decls = [e for e in entries if type(e) is data.Custom and e.type == STUDIO]
    return _studio_of(decls)


def declared_studio(entries: Iterable[data.Directive]) -> Studio | None:
    """The studio of the ledger's first declaration, as :func:`parse_studio` reads it (None
    without one, or when it is incomplete), without reading the rest of the ledger for a second
    declaration — an error :func:`parse_studio` reports, which does not change the studio. A
    ledger declares its studio among its first entries: after a load, finding it this way
    instead of looking at every entry saved a first check of the check bench 0.02 G
    instructions (callgrind, ``bench/check_phases.py``)."""
    first = next((e for e in entries if type(e) is data.Custom and e.type == STUDIO), None)
    return _studio_of([first])[0] if first is not None else None


def _studio_of(decls: list[data.Custom]) -> tuple[Studio | None, list[StudioConfigError]]:
    if not decls:
        return None, [
            StudioConfigError(
                data.new_metadata("<studiofund>", 0),
                "账簿缺少工作室声明（custom \"studio\"）：请用 `studiofund init` 新建账簿，"
                "或补上 `YYYY-MM-DD custom \"studio\" \"项目编号\"` 及 name、host-school、district、"
                "cycle-start 元数据。",
                None,
            )
        ]
    errors: list[StudioConfigError] = []
    decl = decls[0]
    for extra in decls[1:]:
        errors.append(
            StudioConfigError(extra.meta, "一个账簿只能有一个工作室声明；请删除多余的 custom \"studio\"。", extra)
        )
    meta = decl.meta
    program = str(decl.values[0].value).strip() if decl.values else ""
    missing = [k for k in ("name", "host-school", "district") if not _meta_text(meta, k)]
    if not program:
        missing.insert(0, "项目编号（custom \"studio\" 后的字符串）")
    if missing:
        errors.append(
            StudioConfigError(meta, f"工作室声明缺少：{'、'.join(missing)}；请补全后重试。", decl)
        )
        return None, errors
    cycle_start = meta.get("cycle-start", decl.date)
    if not isinstance(cycle_start, datetime.date):
        errors.append(StudioConfigError(meta, "cycle-start 应为日期（如 2019-01-01）。", decl))
        cycle_start = decl.date
    amounts: dict[str, Decimal | None] = {}
    for key in ("allocation", "public-budget", "principal-salaries"):
        value = meta.get(key)
        amounts[key] = None if value is None else _amount(value)
        if value is not None and amounts[key] is None:
            errors.append(StudioConfigError(meta, f"{key} 不是金额：{value!r}（应如 40000.00 CNY）。", decl))
    policy_file = None
    if _meta_text(meta, "policy"):
        base = Path(meta.get("filename", ".")).parent
        policy_file = (base / _meta_text(meta, "policy")).resolve()
    studio = Studio(
        program=program,
        name=_meta_text(meta, "name"),
        host_school=_meta_text(meta, "host-school"),
        district=_meta_text(meta, "district"),
        cycle_start=cycle_start,
        allocation=amounts["allocation"],
        policy_file=policy_file,
        members=_names(meta, "members"),
        host=_names(meta, "host"),
        public_budget=amounts["public-budget"],
        principal_salaries=amounts["principal-salaries"],
        host_school_tax_id=_meta_text(meta, "host-school-tax-id"),
        entry=decl,
        meta=meta,
    )
    return studio, errors


# -- disqualification ---------------------------------------------------------------------------


class Disqualification(NamedTuple):
    """``custom "studio-disqualified" "REASON"``: the studio lost its funding on ``date``."""

    date: datetime.date
    reason: str
    entry: data.Custom


def parse_disqualifications(entries: Iterable[data.Directive]) -> tuple[list[Disqualification], list[DirectiveError]]:
    """Every disqualification, in date order (the first one is what counts)."""
    return _disqualifications([e for e in entries if type(e) is data.Custom and e.type == DISQUALIFIED])


def _disqualifications(customs: list[data.Custom]) -> tuple[list[Disqualification], list[DirectiveError]]:
    values = []
    for entry in customs:
        reason = entry.values[0].value if entry.values else ""
        values.append(Disqualification(entry.date, str(reason).strip(), entry))
    return values, []


# -- sealing a year ----------------------------------------------------------------------------


class SealMark(NamedTuple):
    """One ``studio-sealed`` or ``studio-reopened`` directive."""

    year: int
    sealed: bool  # True: sealed; False: reopened
    date: datetime.date
    digest: str | None  # sealed: the recorded digest (None: missing or not ``sha256:…``)
    count: int | None  # sealed: the recorded number of entries
    reason: str  # reopened: why
    entry: data.Custom


def _year(value: Any) -> int | None:
    try:
        year = int(value)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return year if 1900 <= year <= 9999 else None


def _count(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError, ArithmeticError):
        return None


def parse_seals(entries: Iterable[data.Directive]) -> tuple[list[SealMark], list[DirectiveError]]:
    """The sealing and reopening directives in ledger order; one without a year is an error
    (never guessed from its date)."""
    return _seals([e for e in entries if type(e) is data.Custom and e.type in (SEALED, REOPENED)])


def _seals(customs: list[data.Custom]) -> tuple[list[SealMark], list[DirectiveError]]:
    marks: list[SealMark] = []
    errors: list[DirectiveError] = []
    for entry in customs:
        values = [v.value for v in entry.values]
        year = _year(values[0]) if values else None
        if year is None:
            errors.append(DirectiveError(
                entry.meta, f"{entry.type} 指令缺少年度（应为 custom \"{entry.type}\" 2020 …）。", entry))
            continue
        text = str(values[1]).strip() if len(values) > 1 and isinstance(values[1], str) else ""
        if entry.type == SEALED:
            digest = text if text.startswith(DIGEST_PREFIX) else None
            marks.append(SealMark(year, True, entry.date, digest, _count((entry.meta or {}).get("entries")), "", entry))
        else:
            marks.append(SealMark(year, False, entry.date, None, None, text, entry))
    return marks, errors


def active_seals(marks: Iterable[SealMark]) -> dict[int, SealMark]:
    """Year → its seal, for every year whose last sealing/reopening directive is a seal."""
    state: dict[int, SealMark] = {}
    for mark in marks:
        state[mark.year] = mark
    return {year: mark for year, mark in state.items() if mark.sealed}


def sealed_years(entries: Iterable[data.Directive]) -> dict[int, SealMark]:
    """The sealed years of a ledger (year → its seal), for a writer's period lock.

    A seal of year Y covers every entry dated on or before 31 December of Y, so a change dated
    in or before the latest sealed year breaks a seal.
    """
    marks, _ = parse_seals(entries)
    return active_seals(marks)


# -- budgets (Fava's own directive) ------------------------------------------------------------


class Budget(NamedTuple):
    """One ``custom "budget" ACCOUNT "PERIOD" AMOUNT`` directive."""

    account: str
    date: datetime.date
    period: str  # one of PERIODS
    number: Decimal
    currency: str
    meta: dict[str, Any]


BudgetDict = dict[str, list[Budget]]


def parse_budgets(entries: Iterable[data.Directive]) -> tuple[BudgetDict, list[DirectiveError]]:
    """The budget directives by account (in date order), as ``fava.core.budgets.parse_budgets``."""
    return _budgets([e for e in entries if type(e) is data.Custom and e.type == BUDGET])


def _budgets(customs: list[data.Custom]) -> tuple[BudgetDict, list[DirectiveError]]:
    budgets: BudgetDict = defaultdict(list)
    errors: list[DirectiveError] = []
    for entry in customs:
        try:
            account = entry.values[0].value
            period = str(entry.values[1].value).lower()
            amount = entry.values[2].value
            number, currency = amount.number, amount.currency
        except (IndexError, AttributeError, TypeError):
            errors.append(DirectiveError(entry.meta, "预算指令格式应为：custom \"budget\" 科目 \"yearly\" 金额 CNY。", entry))
            continue
        if period not in PERIODS:
            errors.append(DirectiveError(entry.meta, f"预算周期 {period!r} 无效；应为 yearly（或 monthly 等）。", entry))
            continue
        budgets[str(account)].append(Budget(str(account), entry.date, period, number, currency, entry.meta))
    for items in budgets.values():
        items.sort(key=lambda b: b.date)
    return dict(budgets), errors


# -- assessments --------------------------------------------------------------------------------


def _rectified(entry: data.Custom) -> datetime.date | None:
    """The date a failed assessment's rectification was accepted (``rectified: 2022-04-30``);
    ``rectified: TRUE`` or a note counts from the assessment's own date; None without it."""
    value = (entry.meta or {}).get("rectified")
    if value is None or value is False:
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text or text.upper() in ("FALSE", "否", "未整改"):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return entry.date


def parse_assessments(entries: Iterable[data.Directive]) -> tuple[list[Assessment], list[DirectiveError]]:
    """Every assessment, in ledger order (:class:`studiofund.policy.assessment.Assessment`: the
    program's policy decides what each brings)."""
    return _assessments([e for e in entries if type(e) is data.Custom and e.type == ASSESSMENT])


def _assessments(customs: list[data.Custom]) -> tuple[list[Assessment], list[DirectiveError]]:
    values: list[Assessment] = []
    errors: list[DirectiveError] = []
    usage = f"应为 custom \"{ASSESSMENT}\" 2020 \"良好\"，等级为{'、'.join(GRADES)}之一"
    for entry in customs:
        raw = [v.value for v in entry.values]
        year = _year(raw[0]) if raw else None
        grade = str(raw[1]).strip() if len(raw) > 1 and isinstance(raw[1], str) else ""
        if year is None or grade not in GRADES or len(raw) != 2:
            errors.append(DirectiveError(entry.meta, f"考核指令无法读取（{usage}）。", entry))
            continue
        deadline = (entry.meta or {}).get("deadline")
        if deadline is not None and not isinstance(deadline, datetime.date):
            errors.append(DirectiveError(entry.meta, f"整改期限 deadline 应为日期（如 2022-04-30），而不是 {deadline!r}。", entry))
            deadline = None
        values.append(Assessment(year, grade, entry.date, _rectified(entry), _meta_text(entry.meta or {}, "assessor"),
                                 entry, deadline))
    return values, errors


# -- all at once --------------------------------------------------------------------------------


@dataclass(eq=False, repr=False)
class Directives(Frozen):
    """Every custom directive of ours in a ledger, parsed."""

    studio: Studio | None = None
    disqualifications: tuple[Disqualification, ...] = ()
    seals: tuple[SealMark, ...] = ()
    budgets: BudgetDict = field(default_factory=dict)
    assessments: tuple[Assessment, ...] = ()
    #: the directive errors other than the studio declaration's (those are ``studio_errors``)
    errors: tuple[DirectiveError, ...] = ()
    studio_errors: tuple[StudioConfigError, ...] = ()

    @property
    def disqualification(self) -> Disqualification | None:
        """The studio's (first) disqualification."""
        return self.disqualifications[0] if self.disqualifications else None

    @property
    def sealed(self) -> dict[int, SealMark]:
        return active_seals(self.seals)


def read_directives(entries: Iterable[data.Directive]) -> Directives:
    """Parse every directive of ours in one pass over the entries."""
    kinds: dict[str, list[data.Custom]] = defaultdict(list)
    for entry in entries:
        if type(entry) is data.Custom:
            kinds[entry.type].append(entry)
    studio, studio_errors = _studio_of(kinds[STUDIO])
    disqualifications, e1 = _disqualifications(kinds[DISQUALIFIED])
    seals, e2 = _seals(sorted(kinds[SEALED] + kinds[REOPENED], key=data.entry_sortkey))
    budgets, e3 = _budgets(kinds[BUDGET])
    assessments, e4 = _assessments(kinds[ASSESSMENT])
    return Directives(studio, tuple(disqualifications), tuple(seals), budgets, tuple(assessments),
                      tuple(e1 + e2 + e3 + e4), tuple(studio_errors))
