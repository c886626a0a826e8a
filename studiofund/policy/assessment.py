"""Assessments (考核) and what follows from them: each program's consequences as data, and the
pure calculation of a studio's standing from its recorded assessments.

A ledger records each assessment with the directive of CONTRACT.md::

    2022-01-20 custom "assessment" 2021 "不合格"
      assessor: "市教育局德育与体卫艺处"
      deadline: 2022-04-30           ; optional: the deadline for rectification (整改期限)
      rectified: 2022-04-20          ; optional: the date the rectification (整改) was accepted

The grades are 优秀 / 良好 / 合格 / 不合格; 不合格 fails, every other grade passes. The assessment of
the cycle's last year is the end-of-cycle assessment (期满考核): it decides whether the studio
continues into the next cycle.

What a failed yearly assessment brings differs by program (``[assessment]`` of its policy):

* Shenzhen (002 《建设方案》五（一）) — the first is a yellow card (``warning``), the second cancels
  the studio (``cancel``): ``on_fail = ["warning", "cancel"]``;
* Chifeng (004 第十七条) — next year's funds are reduced or stopped (``reduce``: not the full
  amount), and the studio is dissolved when the rectification ``deadline:`` passes without
  ``rectified:`` (``unrectified = "cancel"``: 整改不力的，工作室予以撤消);
* Shenyang (000 第十条) — disqualification and recovery of the unused funds: ``["cancel"]``;
* County (001 五（二）3) — the lead is replaced; funding is not affected: ``["none"]``.

``on_fail`` lists the consequence of the 1st, 2nd, … failure within one cycle; the last one
repeats. Nothing here reads a ledger: the rules and reports pass the assessments in.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from .fields import STRICT, Frozen, check

#: the grades of CONTRACT.md, best first
GRADES = ("优秀", "良好", "合格", "不合格")
FAILING = "不合格"

Consequence = Literal["none", "warning", "reduce", "stop", "cancel"]

#: how the consequences read in Chinese (status lines, findings)
CONSEQUENCE_LABELS: dict[str, str] = {
    "none": "不影响经费",
    "warning": "黄牌警告",
    "reduce": "减拨下一年度经费",
    "stop": "停拨下一年度经费",
    "cancel": "取消资格",
}


@dataclass(kw_only=True, eq=False, repr=False)
class AssessmentPolicy(Frozen):
    """``[assessment]``: what a program's yearly and end-of-cycle assessments decide."""

    __pydantic_config__ = STRICT

    #: the clause on the yearly assessment and its consequences (quoted in findings)
    clause: str
    #: the consequence of the 1st, 2nd, … failed yearly assessment within a cycle (last repeats)
    on_fail: tuple[Consequence, ...] = ("none",)
    #: what a failure brings when its rectification deadline (``deadline:``) passes without
    #: ``rectified:`` on or before it, from the deadline on; empty: rectification changes nothing
    unrectified: Consequence | None = None
    #: the clause on the end-of-cycle assessment (期满考核/评估)
    cycle_clause: str = ""
    #: a passing end-of-cycle grade lets the studio continue into (or apply for) the next cycle,
    #: so its balance may be carried; False: every cycle ends with its balance returned
    cycle_continues: bool = True

    def __post_init__(self) -> None:
        check(bool(self.clause.strip()), "clause", "请引用文件中关于考核的条款")
        check(bool(self.on_fail), "on_fail", '至少列出一种后果（如 ["none"]）')

    def consequence(self, failure_number: int) -> str:
        """The consequence of the ``failure_number``-th failure (1-based) within a cycle."""
        return self.on_fail[min(failure_number, len(self.on_fail)) - 1]


@dataclass(kw_only=True, eq=False, repr=False)
class CycleEnd(Frozen):
    """``[cycle_end]``: the balance left when a cycle ends goes back to the bureau unless the
    studio continues into an approved next cycle. Without the table (a school's own training
    fund, lvyuan) nothing is checked at the cycle's end."""

    __pydantic_config__ = STRICT

    #: the clause that earmarks the funds to the cycle (quoted in findings)
    clause: str

    def __post_init__(self) -> None:
        check(bool(self.clause.strip()), "clause", "请引用文件中关于建设周期经费的条款")


# -- a studio's standing -----------------------------------------------------------------------


class Assessment(NamedTuple):
    """One recorded assessment (the ``assessment`` directive)."""

    year: int
    grade: str
    date: datetime.date
    rectified: datetime.date | None = None
    assessor: str = ""
    entry: Any = None  # the directive, for findings
    deadline: datetime.date | None = None  # 整改期限

    def unrectified_since(self, today: datetime.date) -> datetime.date | None:
        """The deadline, when it passed before ``today`` without rectification (else None)."""
        if not self.failed or self.deadline is None or self.deadline >= today:
            return None
        if self.rectified is not None and self.rectified <= self.deadline:
            return None
        return self.deadline

    @property
    def failed(self) -> bool:
        return self.grade == FAILING


class Outcome(NamedTuple):
    """An assessment with what it brings under the program's policy."""

    assessment: Assessment
    #: the end-of-cycle assessment (of the cycle's last year)
    cycle_end: bool
    #: "" for a pass; else a key of CONSEQUENCE_LABELS
    consequence: str
    #: which failure within its cycle (1, 2, …); 0 for a pass
    failure_number: int
    #: what the failure brings once its rectification deadline passed unmet ("" if nothing)
    unrectified: str = ""
    #: the deadline that passed unmet
    unrectified_since: datetime.date | None = None

    def label(self) -> str:
        """``2020 年度考核：不合格（第 2 次不合格，取消资格）``, ``期满考核（2021 年）：优秀``."""
        a = self.assessment
        text = f"期满考核（{a.year} 年）：{a.grade}" if self.cycle_end else f"{a.year} 年度考核：{a.grade}"
        notes = []
        if self.failure_number > 1:
            notes.append(f"第 {self.failure_number} 次不合格")
        if self.consequence and self.consequence != "none":
            notes.append(CONSEQUENCE_LABELS[self.consequence])
        if self.cycle_end and a.failed:
            notes.append("不进入下一周期")
        if a.failed and a.rectified:
            notes.append(f"{a.rectified} 已整改")
        elif a.failed and a.deadline and not self.unrectified:
            notes.append(f"限 {a.deadline} 前整改")
        if self.unrectified:
            notes.append(f"整改期限 {self.unrectified_since} 已过未整改，{CONSEQUENCE_LABELS[self.unrectified]}")
        return text + (f"（{'，'.join(notes)}）" if notes else "")


@dataclass
class Standing:
    """A studio's assessments under its program's policy, and what they allow."""

    outcomes: list[Outcome] = field(default_factory=list)
    #: the date the studio lost its status by assessment (a ``cancel``, an unmet rectification
    #: deadline whose consequence cancels, or a failed end-of-cycle assessment), the outcome that
    #: did it and how: "cancel" | "cycle"
    ended: datetime.date | None = None
    ended_by: Outcome | None = None
    ended_how: str = ""
    #: assessments whose grade is not one of GRADES (reported, otherwise ignored)
    unknown: list[Assessment] = field(default_factory=list)

    def for_year(self, year: int) -> Outcome | None:
        """The outcome of the assessment of ``year`` (the latest recorded one)."""
        found = [o for o in self.outcomes if o.assessment.year == year]
        return found[-1] if found else None

    def grant_limit(self, year: int, on: datetime.date | None = None) -> tuple[str, Outcome | None]:
        """What the assessment of the year before allows ``year``'s grant (received ``on``) to be:
        ``"full"``, ``"reduce"`` (less than the standard), ``"stop"`` (nothing) or ``"cancel"`` —
        with the outcome that decides it. After an unmet rectification deadline the policy's
        ``unrectified`` consequence replaces the failure's own."""
        before = self.for_year(year - 1)
        if before is None:
            return "full", None
        since = before.unrectified_since
        if before.unrectified and (on is None or on >= since):
            return before.unrectified, before
        if before.consequence in ("", "none", "warning"):
            return "full", before
        return before.consequence, before

    def summary(self, up_to_year: int | None = None) -> str:
        """The status line (考核结果) of the assessments up to ``up_to_year``; "" with none."""
        shown = [o for o in self.outcomes if up_to_year is None or o.assessment.year <= up_to_year]
        return "；".join(o.label() for o in shown)

    def state(self, up_to_year: int | None = None) -> str:
        """One word for a table column: 未考核 / 合格 / 黄牌警告 / 减拨 … / 取消资格."""
        shown = [o for o in self.outcomes if up_to_year is None or o.assessment.year <= up_to_year]
        if not shown:
            return "未考核"
        if self.ended_by is not None and self.ended_by in shown:
            return "取消资格" if self.ended_how == "cancel" else "不进入下一周期"
        last = shown[-1]
        if last.unrectified:
            return CONSEQUENCE_LABELS[last.unrectified]
        if last.consequence and last.consequence != "none":
            return CONSEQUENCE_LABELS[last.consequence]
        return last.assessment.grade


def cycle_of(year: int, cycle_start: datetime.date, cycle_years: int) -> int:
    """The number (0, 1, …) of the cycle ``year`` belongs to; negative before the first."""
    return (year - cycle_start.year) // cycle_years


def cycle_end_date(cycle_start: datetime.date, cycle_years: int, number: int = 0) -> datetime.date:
    """The last day of cycle ``number`` (cycle 0 starts at ``cycle_start``)."""
    years = cycle_years * (number + 1)
    try:
        after = cycle_start.replace(year=cycle_start.year + years)
    except ValueError:  # 29 February
        after = cycle_start.replace(year=cycle_start.year + years, day=28)
    return after - datetime.timedelta(days=1)


def standing(
    assessments: list[Assessment],
    policy: AssessmentPolicy | None,
    cycle_start: datetime.date,
    cycle_years: int,
    today: datetime.date | None = None,
) -> Standing:
    """The studio's standing: each assessment's outcome in date order, and whether (and when)
    an assessment ended the studio. The latest assessment recorded for a year replaces an
    earlier one (a re-assessment, 复评). A rectification deadline counts once it is before
    ``today``."""
    today = today or datetime.date.today()
    result = Standing()
    latest: dict[int, Assessment] = {}
    for a in sorted(assessments, key=lambda a: (a.date, a.year)):
        if a.grade not in GRADES:
            result.unknown.append(a)
            continue
        latest[a.year] = a
    failures: dict[int, int] = {}
    for a in sorted(latest.values(), key=lambda a: (a.year, a.date)):
        cycle = cycle_of(a.year, cycle_start, cycle_years)
        is_cycle_end = cycle >= 0 and (a.year - cycle_start.year) % cycle_years == cycle_years - 1
        consequence, number = "", 0
        if a.failed:
            number = failures[cycle] = failures.get(cycle, 0) + 1
            consequence = policy.consequence(number) if policy is not None else "none"
            if is_cycle_end and consequence != "cancel":
                consequence = "none"  # no next year in this cycle: the studio ends with it
        unrectified, since = "", a.unrectified_since(today)
        if policy is not None and policy.unrectified and since is not None:
            unrectified = policy.unrectified
        outcome = Outcome(a, is_cycle_end, consequence, number, unrectified, since if unrectified else None)
        result.outcomes.append(outcome)
        if result.ended is not None:
            continue
        if consequence == "cancel":
            result.ended, result.ended_by, result.ended_how = a.date, outcome, "cancel"
        elif unrectified == "cancel":
            result.ended, result.ended_by, result.ended_how = since, outcome, "cancel"
        elif is_cycle_end and a.failed:
            # the studio ends with its cycle: it is not continued into the next one
            end = cycle_end_date(cycle_start, cycle_years, cycle)
            result.ended, result.ended_by, result.ended_how = end, outcome, "cycle"
    return result
