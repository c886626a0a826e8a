"""The bureau's consolidation: one row a studio, totals by district and by program.

``consolidate(paths, year)`` loads every studio ledger in parallel (one process per core; a
worker returns only the small report dict and the ledger's invoice numbers, never entries),
reuses cached results of unchanged ledgers (:mod:`.cache`), and finds invoice numbers used in
more than one studio (``duplicate-invoice`` across ledgers).
"""

from __future__ import annotations

import multiprocessing
import zlib
import os
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from studiofund.money import ZERO, fmt, q2

from . import cache as result_cache
from .usage import INCOME_KEYS, FindingCounts, UsageReport, build_report, rate

# -- one ledger (runs in a worker) ------------------------------------------------------------


def summarize_ledger(path: str, year: int, cache_directory: str | None) -> dict[str, Any]:
    """Load one ledger and return ``{"report": …, "invoices": […], "files": […]}`` (or
    ``{"error": message}``). Stores the result in the cache when a directory is given."""
    from studiofund.ledger.loading import LedgerInputError, load_ledger
    from studiofund.ledger.meta import invoice_numbers

    try:
        loaded = load_ledger(path)
    except LedgerInputError as exc:
        return {"error": str(exc)}
    # one compact string a ledger ("number\tdate\tvoucher\tfile\tlineno" lines; file empty for
    # the top-level file): the main process keeps 200 strings, not 60,000 small lists
    top = str(Path(path).resolve())
    lines = []
    for entry in loaded.entries:
        if type(entry).__name__ != "Transaction" or not entry.meta or "invoice" not in entry.meta:
            continue
        if not any(p.account.startswith("Expenses:") for p in entry.postings):
            continue
        if entry.meta.get("invoice-kind") == "red":  # a red-letter invoice is no use of its numbers
            continue
        voucher = entry.meta.get("voucher")
        filename = entry.meta.get("filename") or ""
        where = "" if filename == top else filename
        for number in invoice_numbers(entry.meta):
            lines.append(f"{number}\t{entry.date.isoformat()}\t{voucher or ''}\t{where}\t{entry.meta.get('lineno') or 0}")
    invoices = "\n".join(lines)
    files = list(loaded.options_map.get("include") or [str(Path(path).resolve())])
    if loaded.studio is not None and loaded.studio.policy_file is not None:
        files.append(str(loaded.studio.policy_file))
    result = {"report": build_report(loaded, year).to_json(), "invoices": invoices, "files": files}
    if cache_directory is not None:
        result_cache.store(Path(cache_directory), Path(path), year, files, result)
    return result


# -- totals -------------------------------------------------------------------------------------


@dataclass
class Totals:
    """Summed figures of a group of studios."""

    studios: int = 0
    opening_balance: Decimal = ZERO
    income: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(INCOME_KEYS, ZERO))
    budget_total: Decimal = ZERO
    spending_total: Decimal = ZERO
    refunded: Decimal = ZERO
    closing_balance: Decimal = ZERO
    spending: dict[str, Decimal] = field(default_factory=dict)
    findings: FindingCounts = field(default_factory=FindingCounts)

    def add(self, report: UsageReport) -> None:
        self.studios += 1
        self.opening_balance += report.opening_balance
        for key in INCOME_KEYS:
            self.income[key] += report.income.get(key, ZERO)
        self.budget_total += report.budget_total or ZERO
        self.spending_total += report.spending_total
        self.refunded += report.refunded
        self.closing_balance += report.closing_balance
        for line in report.spending:
            self.spending[line.account] = self.spending.get(line.account, ZERO) + line.actual
        self.findings = self.findings + report.findings

    @property
    def income_total(self) -> Decimal:
        return q2(sum(self.income.values(), ZERO))

    @property
    def execution_rate(self) -> float | None:
        return rate(self.spending_total, self.opening_balance + self.income_total)

    def to_json(self) -> dict[str, Any]:
        income = {k: fmt(self.income[k]) for k in INCOME_KEYS}
        income["total"] = fmt(self.income_total)
        return {
            "studios": self.studios,
            "opening_balance": fmt(self.opening_balance),
            "income": income,
            "budget_total": fmt(self.budget_total),
            "spending_total": fmt(self.spending_total),
            "refunded": fmt(self.refunded),
            "closing_balance": fmt(self.closing_balance),
            "execution_rate": self.execution_rate,
            "spending": {a: fmt(v) for a, v in sorted(self.spending.items())},
            "findings": self.findings.to_json(),
        }


@dataclass(frozen=True)
class InvoiceUse:
    invoice: str
    ledger: str
    studio: str
    date: str
    voucher: str | None
    filename: str | None
    lineno: int | None

    def to_json(self) -> dict[str, Any]:
        return {"ledger": self.ledger, "studio": self.studio, "date": self.date, "voucher": self.voucher,
                "filename": self.filename, "lineno": self.lineno}


@dataclass
class Consolidation:
    year: int
    reports: list[UsageReport]
    duplicates: dict[str, list[InvoiceUse]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # unreadable ledgers
    cached: int = 0

    def total(self) -> Totals:
        t = Totals()
        for r in self.reports:
            t.add(r)
        return t

    def group(self, key: Callable[[UsageReport], str]) -> dict[str, Totals]:
        groups: dict[str, Totals] = {}
        for r in self.reports:
            groups.setdefault(key(r), Totals()).add(r)
        return dict(sorted(groups.items()))

    def by_district(self) -> dict[str, Totals]:
        return self.group(lambda r: r.studio.district or "（未注明）")

    def by_program(self) -> dict[str, Totals]:
        return self.group(lambda r: r.studio.program or "（未注明）")

    def to_json(self) -> dict[str, Any]:
        """CONTRACT.md's consolidation object, plus ``duplicate_invoices`` and ``errors``."""
        return {
            "year": self.year,
            "studios": [r.to_json() for r in self.reports],
            "totals": {
                "all": self.total().to_json(),
                "by_district": {k: v.to_json() for k, v in self.by_district().items()},
                "by_program": {k: v.to_json() for k, v in self.by_program().items()},
            },
            "duplicate_invoices": [
                {"rule": "duplicate-invoice", "invoice": inv, "uses": [u.to_json() for u in uses]}
                for inv, uses in self.duplicates.items()
            ],
            "errors": self.errors,
        }


def _invoice_lines(invoices: str | bytes):
    """The lines of a ledger's compact invoice string (kept compressed by the main process)."""
    if isinstance(invoices, bytes):
        invoices = zlib.decompress(invoices).decode("utf-8") if invoices else ""
    for line in invoices.split("\n") if invoices else ():
        yield line.split("\t")


_BITMAP_BITS = 1 << 24  # 2 MiB a bitmap: few false candidates for millions of invoices
_BITMAP_MASK = _BITMAP_BITS - 1
_BITMAP_BYTES = _BITMAP_BITS // 8


def find_duplicates(results: list[tuple[UsageReport, str | bytes]], year: int) -> dict[str, list[InvoiceUse]]:
    """Invoice numbers used in more than one ledger, where at least one use is in ``year``.

    Memory does not grow with the number of invoices: the first pass marks each ledger's
    distinct numbers, by hash, in two fixed bitmaps (seen once, seen in a second ledger); the
    uses of the numbers marked twice are then read again from the compact strings and compared
    exactly, so a hash collision reports nothing and no shared number is missed.
    """
    seen, twice = bytearray(_BITMAP_BYTES), bytearray(_BITMAP_BYTES)
    for _, invoices in results:
        for h in {hash(number) & _BITMAP_MASK for number, *_ in _invoice_lines(invoices)}:
            byte, bit = h >> 3, 1 << (h & 7)
            if seen[byte] & bit:
                twice[byte] |= bit
            else:
                seen[byte] |= bit
    del seen

    def shared(number: str) -> bool:
        h = hash(number) & _BITMAP_MASK
        return bool(twice[h >> 3] & (1 << (h & 7)))

    uses: dict[str, list[InvoiceUse]] = defaultdict(list)
    for report, invoices in results:
        for number, date, voucher, where, lineno in _invoice_lines(invoices):
            if shared(number):
                uses[number].append(InvoiceUse(number, report.ledger, report.studio.name, date,
                                               voucher or None, where or report.ledger, int(lineno)))
    prefix = f"{year}-"
    out = {}
    for number, items in sorted(uses.items()):
        if len({u.ledger for u in items}) > 1 and any(u.date.startswith(prefix) for u in items):
            out[number] = sorted(items, key=lambda u: (u.date, u.ledger))
    return out


# -- orchestration ------------------------------------------------------------------------------


def _compact(result: dict[str, Any]) -> tuple[UsageReport, str] | str:
    """A worker's (or the cache's) result as kept by the main process: the report object and
    the compact invoice string, or the error message."""
    if "error" in result:
        return result["error"]
    invoices = result["invoices"]
    return UsageReport.from_json(result["report"]), zlib.compress(invoices.encode("utf-8")) if invoices else b""


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def _preload() -> None:
    """Import what every worker needs before forking, so workers share it."""
    import beancount.loader  # noqa: F401
    import beancount.parser.printer  # noqa: F401

    import studiofund.plugin  # noqa: F401
    from studiofund.checks import registry
    from studiofund.ledger.loading import load_ledger  # noqa: F401

    registry.discover()


def consolidate(
    ledgers: list[Path],
    year: int,
    *,
    jobs: int | None = None,
    cache_directory: Path | None = None,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Consolidation:
    """The consolidation of ``ledgers`` (files, already expanded) for ``year``."""
    cache_directory = result_cache.cache_dir(cache_directory) if use_cache else None
    results: dict[int, Any] = {}
    pending: list[int] = []
    for i, path in enumerate(ledgers):
        hit = result_cache.lookup(cache_directory, path, year) if cache_directory is not None else None
        if hit is not None:
            results[i] = _compact(hit)
        else:
            pending.append(i)
    cached = len(results)
    done = cached
    total = len(ledgers)
    if progress:
        progress(done, total)
    jobs = jobs or os.cpu_count() or 1
    directory = str(cache_directory) if cache_directory is not None else None
    if len(pending) <= 1 or jobs == 1:
        for i in pending:
            results[i] = _compact(summarize_ledger(str(ledgers[i]), year, directory))
            done += 1
            if progress:
                progress(done, total)
    else:
        _preload()
        with ProcessPoolExecutor(max_workers=min(jobs, len(pending)), mp_context=_context()) as pool:
            futures = {pool.submit(summarize_ledger, str(ledgers[i]), year, directory): i for i in pending}
            for future in as_completed(futures):
                # drop our reference at once: a finished future holds its whole result
                results[futures.pop(future)] = _compact(future.result())
                done += 1
                if progress:
                    progress(done, total)
    reports: list[tuple[UsageReport, str | bytes]] = []
    errors: list[str] = []
    for i in range(total):
        result = results.pop(i)
        if isinstance(result, str):
            errors.append(result)
        else:
            reports.append(result)
    reports.sort(key=lambda ri: (ri[0].studio.district, ri[0].studio.program, ri[0].studio.name, ri[0].ledger))
    return Consolidation(
        year=year,
        reports=[r for r, _ in reports],
        duplicates=find_duplicates(reports, year),
        errors=errors,
        cached=cached,
    )

