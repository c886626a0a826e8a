"""The figures of the 经费合规 page, from Fava's ledger and the usage report.

The numbers come from :func:`studiofund.reports.usage.build_report` (the same report as
``studiofund report``); this module only adapts Fava's ledger to what it reads
(:func:`loaded_from_fava`) and arranges the result for the template: income against the
program's standard, spending against budget, findings grouped by rule and severity, and the
claw-back and seal status.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from beancount.core import data

from studiofund.checks import registry
from studiofund.ledger.directives import Disqualification, SealMark, read_directives
from studiofund.ledger.findings import ERROR, REVIEW, SEVERITY_LABELS, STATUS_LABELS, Finding
from studiofund.ledger.loading import LoadedLedger, from_load
from studiofund.ledger.studio import funding_standard
from studiofund.money import ZERO
from studiofund.reports.usage import UsageReport, build_report, cycle_years, rate

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger

_PREFIX = re.compile(r"^(?:【[^】]*】)+")
_RECTIFIED_NOTE = re.compile(r"（已整改：[^）]*）$")
#: The group of rectified findings, shown after the open ones.
RECTIFIED_GROUP = "rectified"


def loaded_from_fava(ledger: FavaLedger, entries: list | None = None) -> LoadedLedger:
    """A :class:`LoadedLedger` over Fava's already loaded ledger (no second load).

    ``entries`` (sorted) replaces the ledger's entries, e.g. those passing Fava's filters; the
    studio declaration, policy and findings always come from the whole ledger.
    """
    loaded = from_load(Path(ledger.beancount_file_path), ledger.all_entries, list(ledger.load_errors),
                       ledger.options)
    if entries is not None:
        loaded.entries = list(entries)
    return loaded


def filtered_entries(ledger: FavaLedger, account: str | None, advanced: str | None) -> list | None:
    """Entries passing Fava's account and advanced filters (not the time filter: the report
    needs the years before for the opening balance); None when no such filter is set.

    Budget directives are kept whatever the filter, so budgets stay visible.
    """
    if not (account or (advanced and advanced.strip())):
        return None
    from fava.core import FilteredLedger

    kept = FilteredLedger(ledger, account=account or None, filter=advanced or None).entries
    ids = {id(e) for e in kept}
    budgets = [e for e in ledger.all_entries
               if isinstance(e, data.Custom) and e.type == "budget" and id(e) not in ids]
    return sorted([*kept, *budgets], key=data.entry_sortkey)


def default_year(ledger: FavaLedger, today: datetime.date | None = None) -> int:
    """The latest year with transactions, not after this year; else this year."""
    this_year = (today or datetime.date.today()).year
    years = sorted({e.date.year for e in ledger.all_entries if isinstance(e, data.Transaction)})
    past = [y for y in years if y <= this_year]
    return past[-1] if past else (years[0] if years else this_year)


# -- view model --------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeRow:
    key: str
    label: str
    actual: Decimal
    standard: Decimal | None
    note: str = ""

    @property
    def progress(self) -> float | None:
        if not self.standard:
            return None
        return float(self.actual / self.standard)

    @property
    def status(self) -> str:
        """'ok' (meets the standard), 'short' (below it), 'none' (no standard)."""
        if self.standard is None:
            return "none"
        return "ok" if self.actual >= self.standard else "short"


@dataclass(frozen=True)
class Matching:
    """District matching: actual district ÷ city against the program's minimum ratio."""

    required: Decimal | None
    actual: float | None

    @property
    def status(self) -> str:
        if self.required is None:
            return "none"
        if self.actual is None:
            return "short"
        return "ok" if Decimal(str(self.actual)) >= self.required else "short"


@dataclass(frozen=True)
class SpendRow:
    account: str
    label: str
    budget: Decimal | None
    actual: Decimal
    rate: float | None
    share: float | None
    permitted: bool

    @property
    def status(self) -> str:
        """'forbidden', 'over' (above budget), 'unbudgeted' or 'ok'."""
        if not self.permitted:
            return "forbidden"
        if self.budget is None:
            return "unbudgeted" if self.actual else "ok"
        return "over" if self.actual > self.budget else "ok"


@dataclass(frozen=True)
class FindingRow:
    date: datetime.date | None
    voucher: str | None
    message: str
    filename: str
    lineno: int
    entry_hash: str | None
    #: the correcting vouchers of a rectified finding (已整改)
    rectified_by: tuple[str, ...] = ()

    @property
    def journal_filter(self) -> str | None:
        """Fava's advanced filter that shows exactly this voucher's entry in the journal."""
        if not self.voucher:
            return None
        return f'voucher:"^{re.escape(self.voucher)}$"'

    @property
    def corrections_filter(self) -> str | None:
        """Fava's filter showing the finding's voucher with the entries that correct it."""
        if not self.voucher or not self.rectified_by:
            return None
        vouchers = "|".join(re.escape(v) for v in (self.voucher, *self.rectified_by))
        return f'voucher:"^({vouchers})$"'


@dataclass(frozen=True)
class FindingGroup:
    rule: str
    label: str
    severity: str
    rows: tuple[FindingRow, ...]

    @property
    def severity_label(self) -> str:
        if self.severity == RECTIFIED_GROUP:
            return STATUS_LABELS["rectified"]
        return SEVERITY_LABELS.get(self.severity, self.severity)


@dataclass
class CompliancePage:
    """Everything the template shows for one studio and year."""

    year: int
    years: list[int]
    report: UsageReport
    program_name: str
    document: str
    allocation_clause: str
    income: list[IncomeRow]
    matching: Matching
    spending: list[SpendRow]
    findings: list[FindingGroup]
    #: the studio's disqualification, if any
    disqualification: Disqualification | None
    #: the year's last sealing or reopening directive, if any
    seal: SealMark | None
    filtered: bool
    has_studio: bool
    counts: dict[str, int] = field(default_factory=dict)
    #: the ledger lacks ``plugin "studiofund.plugin"`` (its findings are computed all the same)
    plugin_missing: bool = False

    @property
    def report_json(self) -> dict[str, Any]:
        return self.report.to_json()

    @property
    def budget_total(self) -> Decimal | None:
        return self.report.budget_total

    @property
    def budget_rate(self) -> float | None:
        return rate(self.report.spending_total, self.report.budget_total)


def _standards(loaded: LoadedLedger) -> tuple[Decimal | None, Decimal | None, Decimal | None, str]:
    """(city standard, district minimum, required ratio, clause) of the program."""
    policy, studio = loaded.policy, loaded.studio
    if policy is None:
        return None, None, None, ""
    standard = funding_standard(studio, policy)
    return standard.city, standard.district, standard.ratio, policy.allocation.clause


def _finding_rows(findings: list[Finding], year: int, keep: set[int] | None) -> list[FindingGroup]:
    from fava.beans.funcs import hash_entry

    groups: dict[tuple[str, str], list[FindingRow]] = {}
    for f in findings:
        if f.date is not None and f.date.year != year:
            continue
        if keep is not None and f.entry is not None and id(f.entry) not in keep:
            continue
        try:
            entry_hash = hash_entry(f.entry) if f.entry is not None else None
        except Exception:  # noqa: BLE001 - an entry Fava cannot hash: no link
            entry_hash = None
        message = _RECTIFIED_NOTE.sub("", _PREFIX.sub("", f.message).strip())
        row = FindingRow(f.date, f.voucher, message, f.filename, f.lineno, entry_hash, f.rectified_by)
        groups.setdefault((f.severity if f.is_open else RECTIFIED_GROUP, f.rule), []).append(row)
    order = {ERROR: 0, REVIEW: 1, RECTIFIED_GROUP: 2}
    result = []
    for (severity, rule), rows in sorted(groups.items(), key=lambda kv: (order.get(kv[0][0], 2), kv[0][1])):
        rows.sort(key=lambda r: (r.date or datetime.date.min, r.voucher or ""))
        result.append(FindingGroup(rule, registry.label(rule), severity, tuple(rows)))
    return result


def build_page(ledger: FavaLedger, year: int, account: str | None = None,
               advanced: str | None = None) -> CompliancePage:
    """The 经费合规 page of ``year`` for a Fava ledger (with Fava's account/advanced filters)."""

    entries = filtered_entries(ledger, account, advanced)
    loaded = loaded_from_fava(ledger, entries)
    report = build_report(loaded, year)

    city_std, district_std, ratio, clause = _standards(loaded)
    income = [
        IncomeRow("city", "市级拨款", report.income.get("city", ZERO), city_std),
        IncomeRow("district", "区级配套", report.income.get("district", ZERO), district_std,
                  f"不低于市级拨款的 {ratio:g} 倍" if ratio is not None else ""),
        IncomeRow("other", "其他收入", report.income.get("other", ZERO), None, "利息等"),
    ]
    city_actual = report.income.get("city", ZERO)
    matching = Matching(
        ratio,
        float(report.income.get("district", ZERO) / city_actual) if city_actual else None,
    )
    spending = [
        SpendRow(s.account, s.label, s.budget, s.actual, s.execution_rate, report.share(s), s.permitted)
        for s in report.spending
    ]
    keep = {id(e) for e in entries} if entries is not None else None
    groups = _finding_rows(loaded.findings, year, keep)
    counts = {ERROR: 0, REVIEW: 0, RECTIFIED_GROUP: 0}
    for g in groups:
        counts[g.severity] = counts.get(g.severity, 0) + len(g.rows)

    years = set(cycle_years(loaded, year)) | {
        e.date.year for e in ledger.all_entries if isinstance(e, data.Transaction)
    } | {year}
    policy = loaded.policy
    directives = read_directives(ledger.all_entries)
    return CompliancePage(
        year=year,
        years=sorted(years),
        report=report,
        program_name=policy.name if policy is not None else "",
        document=policy.document if policy is not None else "",
        allocation_clause=clause,
        income=income,
        matching=matching,
        spending=spending,
        findings=groups,
        disqualification=directives.disqualification,
        seal=next((m for m in reversed(directives.seals) if m.year == year), None),
        filtered=entries is not None,
        has_studio=loaded.studio is not None,
        counts=counts,
        plugin_missing=loaded.plugin_missing,
    )
