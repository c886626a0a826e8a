"""What arrived each year: the city grant against the program's standard, the district match
against its ratio.

A year is *over* once the ledger holds entries dated after it, or it lies before today's year;
only then can too little be called a shortfall. Too much is visible at once. Years from the
studio's cycle start (or its declaration, for books opened mid-cycle) through its last cycle
year are checked, but only those the books reach: a year after the last income or expense is
not yet kept, so a new, empty ledger expects nothing; a year in which the studio was
disqualified (``custom "studio-disqualified"``) or cancelled by an assessment, and any later
one, expects nothing, nor does a year whose grant an assessment reduced or stopped (that is
``assessment-funding``'s to judge).

Lvyuan (003 四（二）) sets the school's training fund as shares, not amounts: at least
``allocation.public_budget_share`` (5 %) of the declaration's ``public-budget:`` (年度公用经费预算) —
a floor, so more is no finding, and a declared ``allocation`` below it is reported on the
declaration — and principals' training (``[principal_training]``) at least ``salary_share``
(2.5 %) of ``principal-salaries:`` (校长工资总额) spent in each year that is over.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from beancount.core.data import Transaction

from studiofund.money import fmt_cn, fmt_share

from ...ledger.studio import funding_standard
from ...policy.models import CITY_GRANT as CITY, DISTRICT_GRANT as DISTRICT
from ..framework import ERROR, REVIEW, Hit, RuleInfo, ledger_rule
from ..standing import studio_standing

_ZERO = Decimal(0)

ALLOCATION_MISMATCH = RuleInfo(
    "allocation-mismatch", REVIEW, "拨款与标准不符", "allocation-mismatch",
    reads=("allocation.city", "allocation.per_studio", "allocation.income_accounts",
           "allocation.public_budget_share", "principal_training", "assessment.on_fail", "cycle_years"))
MATCHING_SHORTFALL = RuleInfo(
    "matching-shortfall", ERROR, "区级配套不足", "matching-shortfall",
    reads=("allocation.district_ratio", "cycle_years"))


def _received(txn, account: str) -> Decimal:
    total = _ZERO
    for posting in txn.incomes:
        if posting.account == account or posting.account.startswith(account + ":"):
            if posting.units is not None and posting.units.number is not None:
                total -= posting.units.number  # income postings are negative
    return total


class _GrantYears:
    """Grant income per year, the studio declaration, disqualification and the last date."""

    # Only transactions with income are visited; where the books end is read from the ledger's
    # tail once, in finish().
    visits = (Transaction,)

    def wants(self, form) -> bool:
        return bool(form.incomes)

    def __init__(self, ctx, accounts: tuple[str, ...]):
        self.ctx = ctx
        self.accounts = accounts
        self.totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        self.last_entry: dict[tuple[str, int], object] = {}
        disqualification = ctx.directives.disqualification
        self.disqualified: datetime.date | None = disqualification.date if disqualification else None
        self.last_date: datetime.date | None = None
        self.last_txn_year: int | None = None

    def visit_common(self, entry, txn) -> dict[str, Decimal]:
        got: dict[str, Decimal] = {}
        for account in self.accounts:
            amount = _received(txn, account)
            if amount:
                key = (account, entry.date.year)
                self.totals[key] += amount
                self.last_entry[key] = entry
                got[account] = amount
        return got

    def read_the_end(self) -> None:
        """The date of the last entry and the year of the last income or expense."""
        entries = self.ctx.entries
        if entries:
            self.last_date = entries[-1].date
        for entry in reversed(entries):
            if type(entry) is Transaction and any(
                    p.account.startswith(("Income:", "Expenses:")) for p in entry.postings):
                self.last_txn_year = entry.date.year
                break

    def year_is_over(self, year: int) -> bool:
        return year < datetime.date.today().year or (
            self.last_date is not None and self.last_date.year > year
        )

    def expected_years(self) -> range:
        studio = self.ctx.studio
        if studio is None or self.last_txn_year is None:
            return range(0)
        first = studio.cycle_start.year if studio.entry is None else max(studio.cycle_start.year, studio.entry.date.year)
        last = self.last_cycle_year()
        if self.disqualified is not None:
            last = min(last, self.disqualified.year - 1)
        standing = self.standing()
        if standing.ended is not None and standing.ended_how == "cancel":
            last = min(last, standing.ended.year - 1)
        return range(first, min(last, self.last_txn_year) + 1)

    def last_cycle_year(self) -> int:
        """The last year of the studio's last cycle: its first cycle, and each next one that a
        passing end-of-cycle assessment opened; a fund without cycles (no ``[cycle_end]``,
        lvyuan's school budget) is kept year after year."""
        policy, studio = self.ctx.policy, self.ctx.studio
        if policy.cycle_end is None:
            return 9999
        years, last = policy.cycle_years, studio.cycle_start.year + policy.cycle_years - 1
        continues = policy.assessment is not None and policy.assessment.cycle_continues
        while continues:
            outcome = self.standing().for_year(last)
            if outcome is None or outcome.assessment.failed:
                break
            last += years
        return last

    def standing(self):
        """The studio's assessments and their consequences (computed once)."""
        found = getattr(self, "_standing", None)
        if found is None:
            ctx = self.ctx
            found = self._standing = studio_standing(ctx.directives.assessments, ctx.studio, ctx.policy)
        return found

    def grant_reduced(self, year: int) -> bool:
        """An assessment reduced or stopped this year's grant (assessment-funding judges it)."""
        return self.standing().grant_limit(year)[0] in ("reduce", "stop", "cancel")


@ledger_rule(ALLOCATION_MISMATCH)
class AllocationMismatch(_GrantYears):
    """A year's grant (on the policy's ``allocation.income_accounts``, by default the city
    grant ``Income:Grant:City``) equals the program's standard: the policy's
    annual amount, or the studio's declared ``allocation`` where the amount is set per studio.
    More than the standard is reported on the income that exceeded it; less (or nothing) once
    the year is over, on the year's last grant (or the studio declaration if none came)."""

    def __init__(self, ctx):
        allocation = ctx.policy.allocation
        super().__init__(ctx, tuple(allocation.income_accounts))
        self.what = "、".join(ctx.policy.label(a) for a in self.accounts)
        studio = ctx.studio
        standard = funding_standard(studio, ctx.policy)
        self.standard = standard.city
        #: lvyuan: the least the year's fund may be (share × public budget); more is no finding
        self.minimum = standard.floor
        if self.minimum is not None:
            self.minimum_text = (f"年度公用经费预算 {fmt_cn(studio.public_budget)} 元的 "
                                 f"{fmt_share(allocation.public_budget_share)}（{fmt_cn(self.minimum)} 元）")
        if allocation.per_studio and studio is not None and studio.allocation is not None:
            self.source = "工作室声明的年度经费（allocation）"
        elif self.minimum is not None:
            self.source = f"按{self.minimum_text}应安排的经费"
        else:
            self.source = "工作室声明的年度经费（allocation）" if allocation.per_studio else "项目标准"
        self.flagged: set[int] = set()

    def year_total(self, year: int) -> Decimal:
        return sum((self.totals.get((a, year), _ZERO) for a in self.accounts), _ZERO)

    def last_of_year(self, year: int):
        found = [self.last_entry[(a, year)] for a in self.accounts if (a, year) in self.last_entry]
        return max(found, key=lambda e: (e.date, e.meta.get("lineno", 0))) if found else None

    def visit(self, entry, txn):
        got = self.visit_common(entry, txn)
        if self.standard is None or not got:
            return None
        year = entry.date.year
        total = self.year_total(year)
        if self.minimum is not None and total > self.standard:
            return None  # a share of the budget is a floor: more is no mismatch
        if total > self.standard and year not in self.flagged:
            self.flagged.add(year)
            return [Hit(
                entry,
                f"{year} 年{self.what}累计 {total:.2f} CNY，超过{self.source} {self.standard:.2f} CNY。"
                "请核对拨款文件：如含上年补拨或其他项目资金，应分别记账并注明；如系误拨，应退回。",
            )]
        return None

    def finish(self):
        self.read_the_end()
        yield from self._declared_below_the_share()
        yield from self._principal_training()
        if self.standard is None:
            return
        for year in self.expected_years():
            if year in self.flagged or not self.year_is_over(year) or self.grant_reduced(year):
                continue
            total = self.year_total(year)
            if total >= self.standard:
                continue
            entry = self.last_of_year(year)
            if entry is None:
                yield Hit(
                    self.ctx.studio.entry,
                    f"{year} 年度已结束，账上没有{self.what}（{self.source} {self.standard:.2f} CNY）。"
                    "请核对是否漏记拨款；如经费被减拨或停拨，请在账簿中注明依据。",
                    date=datetime.date(year, 12, 31),
                )
            else:
                yield Hit(
                    entry,
                    f"{year} 年{self.what}合计 {total:.2f} CNY，低于{self.source} {self.standard:.2f} CNY，"
                    f"差额 {self.standard - total:.2f} CNY。请核对是否漏记拨款；如经费被减拨，请注明依据。",
                )


    def _declared_below_the_share(self):
        """A declared ``allocation`` below the program's share of the public budget."""
        studio = self.ctx.studio
        if self.minimum is None or studio.allocation is None or studio.allocation >= self.minimum:
            return
        yield Hit(
            studio.entry,
            f"工作室声明的年度教师培训经费（allocation）{fmt_cn(studio.allocation)} 元，低于{self.minimum_text}，"
            f"差额 {fmt_cn(self.minimum - studio.allocation)} 元。请按不低于该比例安排教师培训经费，并更正声明。",
            evidence=(f"allocation {studio.allocation:.2f}", f"public-budget {studio.public_budget:.2f}",
                      f"minimum {self.minimum:.2f}"),
        )

    def _principal_training(self):
        """Each year that is over spends at least ``salary_share`` of the principals' salaries
        on their training (payments the policy's ``[principal_training]`` recognises)."""
        training, studio = self.ctx.policy.principal_training, self.ctx.studio
        if training is None or studio is None or studio.principal_salaries is None:
            return
        minimum = studio.principal_salaries * training.salary_share
        spent: dict[int, Decimal] = defaultdict(Decimal)
        for txn in self.ctx.txns:
            for posting in txn.expenses:
                if posting.units is None or posting.units.number is None:
                    continue
                if training.is_principal_training(posting.account, txn.meta, posting.meta):
                    spent[txn.entry.date.year] += posting.units.number
        share = fmt_share(training.salary_share)
        for year in self.expected_years():
            if not self.year_is_over(year) or spent[year] >= minimum:
                continue
            yield Hit(
                studio.entry,
                f"{year} 年校长培训支出 {fmt_cn(spent[year])} 元，低于校长工资总额 "
                f"{fmt_cn(studio.principal_salaries)} 元的 {share}（{fmt_cn(minimum)} 元），"
                f"差额 {fmt_cn(minimum - spent[year])} 元。校长培训支出记入 "
                f"{'、'.join(training.accounts)} 或标注 {training.meta_key}: \"校长\"；"
                "如有未标注的校长培训，请补记；否则请按规定安排校长培训经费。",
                date=datetime.date(year, 12, 31),
                evidence=(f"year {year} principal training {spent[year]:.2f}",
                          f"principal-salaries {studio.principal_salaries:.2f}", f"minimum {minimum:.2f}"),
            )


@ledger_rule(MATCHING_SHORTFALL)
class MatchingShortfall(_GrantYears):
    """Where the program sets a district match (``allocation.district_ratio``), the district's
    grant (``Income:Grant:District``) of a year that is over reaches ratio × the city grant the
    studio received that year."""

    def __init__(self, ctx):
        super().__init__(ctx, (CITY, DISTRICT))
        self.ratio = ctx.policy.allocation.district_ratio

    def visit(self, entry, txn):
        self.visit_common(entry, txn)
        return None

    def finish(self):
        self.read_the_end()
        if self.ratio is None:
            return
        years = set(self.expected_years())
        for account, year in sorted(self.totals):
            if account != CITY or year not in years or not self.year_is_over(year):
                continue
            city = self.totals[(CITY, year)]
            if city <= 0:
                continue
            district = self.totals.get((DISTRICT, year), _ZERO)
            minimum = city * self.ratio
            if district >= minimum:
                continue
            entry = self.last_entry.get((DISTRICT, year)) or self.last_entry[(CITY, year)]
            yield Hit(
                entry,
                f"{year} 年市级拨款 {city:.2f} CNY，区级配套应不低于 {minimum:.2f} CNY"
                f"（1:{self.ratio.normalize()}），实际到账 {district:.2f} CNY，差额 {minimum - district:.2f} CNY。"
                "请报告区教育行政部门补足配套经费，到账后记入 Income:Grant:District。",
            )
