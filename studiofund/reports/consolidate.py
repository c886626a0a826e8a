"""The bureau's consolidation: one row a studio, totals by district and by program.

``consolidate(paths, year)`` loads every studio ledger in parallel (one process per core, or
the workers of a Dask cluster: :mod:`.runner`; a worker returns only the small report dict and
the ledger's invoice numbers, never entries), reuses cached results of unchanged ledgers
(:mod:`.cache`), and finds invoice numbers used in more than one studio (``duplicate-invoice``
across ledgers). The DuckDB engine (:mod:`.duck`) computes the same table with SQL over the
Parquet export (:mod:`.export`); ``export_ledgers`` writes that export.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import itertools
import json
import sys
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from beancount.core import data

import studiofund.plugin  # noqa: F401 - the ledgers' plugin, imported before workers fork
from studiofund.checks import registry
from studiofund.ledger.directives import read_directives
from studiofund.ledger.loading import LedgerInputError, load_ledger
from studiofund.ledger.meta import invoice_numbers
from studiofund.money import ZERO, fmt, q2

from . import cache as result_cache
from .runner import run
from .usage import INCOME_KEYS, FindingCounts, UsageReport, build_report, rate

# -- one ledger (runs in a worker) ------------------------------------------------------------


def summarize_ledger(path: str, year: int | None, cache_directory: str | None, dataset_directory: str | None = None,
                     years: list[int] | None = None, ledger: str | None = None,
                     load: Callable[[str], Any] = load_ledger) -> dict[str, Any]:
    """The per-ledger step: load and check one ledger, and return ``{"report": …, "invoices":
    …, "hashes": …, "files": […], "status": {…}}`` (or ``{"error": message}``): the report
    object, the ledger's invoice uses compressed and the hashes of its invoice numbers (both
    base64, see :func:`invoice_record`), the files it rests on, its standing in the year.

    ``ledger`` is the ledger's name as the user gave it (``path`` may be its absolute form, for
    a worker on another machine). With ``cache_directory`` the result is stored in the cache;
    with ``dataset_directory`` the ledger's Parquet rows of ``years`` (None: its cycle and every
    year with entries) are staged there (:mod:`.export`). Without ``year`` there is no report.
    ``load`` loads the ledger (the web server passes its confined load).
    """

    ledger = ledger or path
    try:
        loaded = load(path)
    except LedgerInputError as exc:
        return {"error": str(exc)}
    problem = loaded.problem()
    if problem:  # CONTRACT.md: a ledger that does not load is never a silent zero
        return {"error": problem}
    files = list(loaded.options_map.get("include") or [str(Path(path).resolve())])
    if loaded.studio is not None and loaded.studio.policy_file is not None:
        files.append(str(loaded.studio.policy_file))
    result: dict[str, Any] = {"files": files}
    if dataset_directory is not None:
        # pyarrow is imported only by the steps that write Parquet (0.18 s of imports, 2026-12-03)
        from .export import default_years, stage_ledger

        stage_ledger(dataset_directory, loaded, ledger, files, years if years is not None else default_years(loaded))
    if year is None:
        return result
    report = build_report(loaded, year).to_json()
    report["ledger"] = ledger
    invoices, hashes = invoice_record(_invoice_lines_of(loaded, path))
    result.update(report=report, invoices=invoices, hashes=hashes, status=studio_status(loaded, year))
    if cache_directory is not None:
        stamp = result_cache.store(Path(cache_directory), Path(path), year, files, result)
        if stamp is not None:  # what the run's snapshot records (not part of the cached result)
            result["stamp"] = stamp
    return result


def _invoice_lines_of(loaded, path: str) -> list[str]:
    """A ledger's invoice uses as "number\tdate\tvoucher\tfile\tlineno" lines (file empty for
    the top-level file). Plain loops, the key looked up before the type, the fields after the
    number built once an entry: 5.2 → 4.0 M instructions a 300-transaction ledger (callgrind)."""

    top = str(Path(path).resolve())
    lines = []
    for entry in loaded.entries:
        meta = entry.meta
        if not meta or "invoice" not in meta or not isinstance(entry, data.Transaction):
            continue
        if meta.get("invoice-kind") == "red":  # a red-letter invoice is no use of its numbers
            continue
        for posting in entry.postings:
            if posting.account.startswith("Expenses:"):
                break
        else:
            continue
        filename = meta.get("filename") or ""
        # the fields after the number, the same for every number of the entry
        rest = (f"\t{entry.date.isoformat()}\t{meta.get('voucher') or ''}\t{'' if filename == top else filename}"
                f"\t{meta.get('lineno') or 0}")
        for number in invoice_numbers(meta):
            lines.append(number + rest)
    return lines


def number_hash(number: str) -> int:
    """A stable 64-bit hash of an invoice number (the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(number.encode("utf-8"), digest_size=8).digest(), "little")


def invoice_record(lines: list[str]) -> tuple[str, str]:
    """A ledger's invoice uses as the main process keeps them: the lines compressed, and the
    sorted distinct hashes of their numbers as 64-bit integers — both base64 text, so that
    10,000 ledgers' worth (3 million uses) costs some 50 MB, and reading them back from the
    cache costs no parsing of lines."""
    text = "\n".join(lines).encode("utf-8")
    hashes = array("Q", sorted({number_hash(line.split("\t", 1)[0]) for line in lines}))
    if sys.byteorder != "little":  # pragma: no cover - the cache is written little-endian
        hashes.byteswap()
    return (base64.b64encode(zlib.compress(text, 1)).decode("ascii") if lines else "",
            base64.b64encode(hashes.tobytes()).decode("ascii"))


def studio_status(loaded, year: int) -> dict[str, Any]:
    """The studio's standing in ``year``: the year sealed (``close``), the claw-back date, and
    the grade of the year's assessment (``custom "assessment" YEAR "GRADE"``; the last one)."""

    directives = read_directives(loaded.entries)
    disqualification = directives.disqualification
    grades = [a.grade for a in directives.assessments if a.year == year]
    return {
        "sealed": year in directives.sealed,
        "disqualified": disqualification.date.isoformat() if disqualification else None,
        "assessment": grades[-1] if grades else None,
    }


# -- totals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figures:
    """A studio's figures as the totals sum them (its report's properties, computed once)."""

    opening_balance: Decimal
    income: tuple[tuple[str, Decimal], ...]
    budget_total: Decimal
    spending_total: Decimal
    refunded: Decimal
    closing_balance: Decimal
    spending: tuple[tuple[str, Decimal], ...]
    findings: FindingCounts

    @classmethod
    def of(cls, r: UsageReport) -> _Figures:
        return cls(r.opening_balance, tuple((k, r.income.get(k, ZERO)) for k in INCOME_KEYS), r.budget_total or ZERO,
                   r.spending_total, r.refunded, r.closing_balance, tuple((s.account, s.actual) for s in r.spending),
                   r.findings)


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
        self.add_figures(_Figures.of(report))

    def add_figures(self, f: _Figures) -> None:
        """Add one studio's figures (computed once for the three groupings it belongs to)."""
        self.studios += 1
        self.opening_balance += f.opening_balance
        income = self.income
        for key, value in f.income:
            income[key] += value
        self.budget_total += f.budget_total
        self.spending_total += f.spending_total
        self.refunded += f.refunded
        self.closing_balance += f.closing_balance
        spending = self.spending
        for account, actual in f.spending:
            spending[account] = spending.get(account, ZERO) + actual
        self._counts(f.findings)

    def _counts(self, counts: FindingCounts) -> None:
        # plain dict sums: FindingCounts' own "+" builds two Counters a studio (a second for
        # 10,000 studios and three groupings)
        mine = self.findings
        if not (counts.error or counts.review or counts.rectified or counts.by_rule or counts.rectified_by_rule):
            return
        by_rule = dict(mine.by_rule)
        for rule, n in counts.by_rule.items():
            by_rule[rule] = by_rule.get(rule, 0) + n
        rectified = dict(mine.rectified_by_rule)
        for rule, n in counts.rectified_by_rule.items():
            rectified[rule] = rectified.get(rule, 0) + n
        self.findings = FindingCounts(mine.error + counts.error, mine.review + counts.review,
                                      {k: v for k, v in by_rule.items() if v > 0}, mine.rectified + counts.rectified,
                                      {k: v for k, v in rectified.items() if v > 0})

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
    #: each studio's standing in the year (:func:`studio_status`), parallel to ``reports``
    statuses: list[dict[str, Any]] = field(default_factory=list)
    #: totals computed elsewhere (the DuckDB engine's SQL): (all, by district, by program)
    computed_totals: tuple[Totals, dict[str, Totals], dict[str, Totals]] | None = None
    engine: str = "local"
    #: each studio's row of the JSON already encoded (from the workers' and the cache's report
    #: objects), parallel to ``reports``: 10,000 rows are not built and encoded again
    rows: list[str] | None = None
    #: renderings kept with the figures they render (a server answers the same one many times)
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    def _totals(self) -> tuple[Totals, dict[str, Totals], dict[str, Totals]]:
        """All, by district, by program — in one pass, each studio's figures computed once."""
        if self.computed_totals is not None:
            return self.computed_totals
        if "totals" not in self.memo:
            everything, districts, programs = Totals(), {}, {}
            for r in self.reports:
                f = _Figures.of(r)
                everything.add_figures(f)
                districts.setdefault(r.studio.district or UNNAMED, Totals()).add_figures(f)
                programs.setdefault(r.studio.program or UNNAMED, Totals()).add_figures(f)
            self.memo["totals"] = (everything, dict(sorted(districts.items())), dict(sorted(programs.items())))
        return self.memo["totals"]

    def total(self) -> Totals:
        return self._totals()[0]

    def group(self, key: Callable[[UsageReport], str]) -> dict[str, Totals]:
        groups: dict[str, Totals] = {}
        for r in self.reports:
            groups.setdefault(key(r), Totals()).add(r)
        return dict(sorted(groups.items()))

    def by_district(self) -> dict[str, Totals]:
        return self._totals()[1]

    def by_program(self) -> dict[str, Totals]:
        return self._totals()[2]

    def status_of(self, index: int) -> dict[str, Any]:
        return self.statuses[index] if index < len(self.statuses) else dict(NO_STATUS)

    def row_texts(self) -> list[str]:
        """Each studio's row (report object and ``status``), JSON-encoded."""
        if self.rows is not None:
            return self.rows
        return [json.dumps({**r.to_json(), "status": self.status_of(i)}, ensure_ascii=False)
                for i, r in enumerate(self.reports)]

    def _rest(self) -> dict[str, Any]:
        """Totals, shared invoices and errors as JSON (kept by a run's snapshot: a rerun does
        not sum 10,000 studios again to write them)."""
        if "rest" in self.memo:
            return self.memo["rest"]
        return {
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

    def to_json(self) -> dict[str, Any]:
        """CONTRACT.md's consolidation object, plus ``duplicate_invoices`` and ``errors``; each
        studio's report object gains ``status`` (seal, claw-back, assessment)."""
        return {"year": self.year, "studios": [json.loads(row) for row in self.row_texts()], **self._rest()}

    def dumps(self) -> str:
        """:meth:`to_json` as text: one line a studio and the totals indented — readable, and
        written by the C encoder (10,000 studios in well under a second)."""
        if "json" in self.memo:
            return self.memo["json"]
        rest = self._rest()
        rows = self.row_texts()
        studios = "[]" if not rows else "[\n    " + ",\n    ".join(rows) + "\n  ]"
        parts = [f'  "year": {json.dumps(self.year)}', f'  "studios": {studios}']
        for key, value in rest.items():
            text = json.dumps(value, ensure_ascii=False, indent=2) if key == "totals" else \
                json.dumps(value, ensure_ascii=False)
            parts.append(f"  {json.dumps(key)}: " + text.replace("\n", "\n  "))
        self.memo["json"] = "{\n" + ",\n".join(parts) + "\n}\n"
        return self.memo["json"]


UNNAMED = "（未注明）"
NO_STATUS = {"sealed": False, "disqualified": None, "assessment": None}


def _invoice_lines(invoices: bytes):
    """The uses of a ledger's compressed invoice lines, split into fields."""
    text = zlib.decompress(invoices).decode("utf-8") if invoices else ""
    for line in text.split("\n") if text else ():
        yield line.split("\t")


def find_duplicates(results: list[tuple[UsageReport, bytes, bytes]], year: int) -> dict[str, list[InvoiceUse]]:
    """Invoice numbers used in more than one ledger, where at least one use is in ``year``.

    ``results`` are (report, compressed invoice lines, hashes of the distinct numbers) of each
    ledger (:func:`invoice_record`). The hashes of all ledgers are counted at once (pyarrow, in
    C: 3 million numbers in a fraction of a second); only the ledgers holding a hash counted
    twice are decompressed, and their uses compared exactly, so a hash collision reports
    nothing and no shared number is missed.
    """
    # pyarrow: 0.3 s of imports, for a consolidation that takes a second or more anyway
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = [pa.Array.from_buffers(pa.uint64(), len(h) // 8, [None, pa.py_buffer(h)]) for _, _, h in results]
    if sum(len(c) for c in chunks) < 2:
        return {}
    hashes = pa.concat_arrays(chunks)
    # sorted, a hash used twice stands next to itself: 3 million hashes sort in less than half
    # the time value_counts takes to count them (its hash table misses the CPU caches)
    ordered = pc.take(hashes, pc.sort_indices(hashes))
    later = ordered.slice(1)
    shared = pc.unique(later.filter(pc.equal(later, ordered.slice(0, len(ordered) - 1))))
    if len(shared) == 0:
        return {}
    starts = list(itertools.accumulate((len(c) for c in chunks), initial=0))
    holders = sorted({bisect.bisect_right(starts, i) - 1
                      for i in pc.indices_nonzero(pc.is_in(hashes, value_set=shared)).to_pylist()})
    wanted = set(shared.to_pylist())
    uses: dict[str, list[InvoiceUse]] = defaultdict(list)
    for report, invoices, _ in (results[i] for i in holders):
        for number, date, voucher, where, lineno in _invoice_lines(invoices):
            if number_hash(number) in wanted:
                uses[number].append(InvoiceUse(number, report.ledger, report.studio.name, date,
                                               voucher or None, where or report.ledger, int(lineno)))
    prefix = f"{year}-"
    out = {}
    for number, items in sorted(uses.items()):
        if len({u.ledger for u in items}) > 1 and any(u.date.startswith(prefix) for u in items):
            out[number] = sorted(items, key=lambda u: (u.date, u.ledger))
    return out


# -- orchestration ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerSummary:
    """One ledger's result as the main process keeps it (a few kilobytes)."""

    report: UsageReport
    row: str  # the studio's row of the JSON (report object and status), encoded
    invoices: bytes  # compressed invoice lines
    hashes: bytes  # sorted distinct 64-bit hashes of the invoice numbers
    status: dict[str, Any]


def compact(result: dict[str, Any]) -> LedgerSummary | str:
    """A worker's (or the cache's) result as kept by the main process — or the error message."""
    if "error" in result:
        return result["error"]
    status = result.get("status") or dict(NO_STATUS)
    report = result["report"]
    row = json.dumps({**report, "status": status}, ensure_ascii=False)
    return LedgerSummary(UsageReport.from_json(report), row, base64.b64decode(result["invoices"]),
                         base64.b64decode(result["hashes"]), status)


def preload() -> None:
    """Import what every worker needs before forking, so workers share it."""
    import beancount.loader  # noqa: F401
    import beancount.parser.printer  # noqa: F401

    registry.discover()


def preload_export() -> None:
    preload()
    # pyarrow is imported only by the steps that write Parquet (0.18 s of imports, 2026-12-03)
    from . import export  # noqa: F401


class Progress:
    """What a long run reports: ``start(total, done)`` once, then ``advance()`` per ledger."""

    def start(self, total: int, done: int) -> None:  # pragma: no cover - interface
        pass

    def advance(self) -> None:  # pragma: no cover - interface
        pass


def _paths(ledger: Path, scheduler: str | None) -> dict[str, str]:
    """The step's ``path`` (absolute for a cluster: its workers have another working directory)
    and ``ledger`` (the name the user gave, which reports show)."""
    return {"path": str(ledger.resolve()) if scheduler else str(ledger), "ledger": str(ledger)}


def consolidate(
    ledgers: list[Path],
    year: int,
    *,
    jobs: int | None = None,
    cache_directory: Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Consolidation:
    """The consolidation of ``ledgers`` (files, already expanded) for ``year``.

    ``engine`` "local" sums the studios' reports here; "duckdb" exports every ledger's rows as
    Parquet (:mod:`.export`, kept under the cache directory) and computes the table with
    DuckDB SQL (:mod:`.duck`). ``scheduler`` runs the per-ledger step on that Dask cluster.
    Interrupted (Ctrl-C), a run keeps what it finished in the cache: run it again to resume.
    """
    if engine == "duckdb":
        # DuckDB and pyarrow are imported only for this engine (0.17-0.25 s of imports, 2026-12-03)
        from .duck import consolidate_duckdb

        return consolidate_duckdb(ledgers, year, jobs=jobs, cache_directory=cache_directory, use_cache=use_cache,
                                  progress=progress, scheduler=scheduler)
    if engine != "local":
        raise ValueError(f"unknown engine {engine!r}")
    cache_directory = result_cache.cache_dir(cache_directory) if use_cache else None
    seen: dict = {}  # the files' stats of this run: the shared policy and code files stat'ed once
    if cache_directory is not None:
        stored = result_cache.lookup_run(cache_directory, ledgers, year, seen)
        try:
            consolidation = from_snapshot(year, stored) if stored is not None else None
        except (KeyError, TypeError, ValueError, AttributeError):  # a damaged snapshot: from the entries
            consolidation = None
        if consolidation is not None:
            if progress:
                progress.start(len(ledgers), len(ledgers))
            return consolidation
    results: dict[int, Any] = {}
    stamps: dict[int, list] = {}  # what each result rests on, for the run's snapshot
    calls = []
    for i, path in enumerate(ledgers):
        entry = result_cache.lookup_entry(cache_directory, path, year, seen) if cache_directory is not None else None
        if entry is not None:
            hit = entry["result"]
            hit["report"]["ledger"] = str(path)  # as given this time
            results[i] = compact(hit)
            stamps[i] = result_cache.stamp(entry)
        else:
            directory = str(cache_directory.resolve()) if cache_directory is not None else None
            calls.append((i, {**_paths(path, scheduler), "year": year, "cache_directory": directory}))
    cached = len(results)
    if progress:
        progress.start(len(ledgers), cached)

    def on_result(i: int, result: dict[str, Any]) -> None:
        if "stamp" in result:
            stamps[i] = result.pop("stamp")
        results[i] = compact(result)
        if progress:
            progress.advance()

    run(summarize_ledger, calls, on_result, jobs=jobs, scheduler=scheduler, preload=preload)
    consolidation = assemble(year, [results.pop(i) for i in range(len(ledgers))])
    consolidation.cached = cached
    if cache_directory is not None and not consolidation.errors and len(stamps) == len(ledgers):
        result_cache.store_run(cache_directory, ledgers, year, [stamps[i] for i in range(len(ledgers))],
                               snapshot(consolidation))
    return consolidation


def snapshot(consolidation: Consolidation) -> dict[str, Any]:
    """What a run's snapshot keeps of a consolidation: each studio's row as encoded, and the
    rest of the JSON (totals, shared invoices, errors)."""
    return {"rows": consolidation.row_texts(), "rest": consolidation._rest()}


def from_snapshot(year: int, stored: dict[str, Any]) -> Consolidation:
    """The consolidation a run's :func:`snapshot` keeps (every ledger counted as cached). Its
    JSON is written from the snapshot as it is; the reports are read back from the rows only
    when something asks for them (a table, a workbook: 10,000 reports take a second)."""
    rows = [str(row) for row in stored["rows"]]
    rest = stored["rest"]
    duplicates = {item["invoice"]: [InvoiceUse(item["invoice"], **use) for use in item["uses"]]
                  for item in rest["duplicate_invoices"]}
    parsed = _ParsedRows(rows)
    consolidation = Consolidation(year=year, reports=parsed.reports(), duplicates=duplicates,
                                  errors=list(rest["errors"]), statuses=parsed.statuses(), rows=rows,
                                  cached=len(rows))
    consolidation.memo["rest"] = {"totals": dict(rest["totals"]), "duplicate_invoices": list(rest["duplicate_invoices"]),
                                  "errors": consolidation.errors}
    return consolidation


class _ParsedRows:
    """The reports and statuses of encoded rows, decoded once, when first asked for."""

    def __init__(self, rows: list[str]):
        self.rows = rows
        self._objects: list[dict[str, Any]] | None = None
        self._reports: list[UsageReport] | None = None

    def objects(self) -> list[dict[str, Any]]:
        if self._objects is None:
            self._objects = [json.loads(row) for row in self.rows]
        return self._objects

    def reports(self) -> Sequence[UsageReport]:
        return _Lazy(len(self.rows), self._all_reports)

    def statuses(self) -> Sequence[dict[str, Any]]:
        return _Lazy(len(self.rows), lambda: [o.get("status") or dict(NO_STATUS) for o in self.objects()])

    def _all_reports(self) -> list[UsageReport]:
        if self._reports is None:
            self._reports = [UsageReport.from_json(o) for o in self.objects()]
        return self._reports


class _Lazy(Sequence):
    """A list computed on first access (its length known before)."""

    def __init__(self, length: int, compute: Callable[[], list]):
        self._length = length
        self._compute = compute
        self._items: list | None = None

    def _all(self) -> list:
        if self._items is None:
            self._items = self._compute()
        return self._items

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        return self._all()[index]

    def __iter__(self):
        return iter(self._all())


def assemble(year: int, results: list[Any]) -> Consolidation:
    """The consolidation of per-ledger results (:func:`compact` values, in the order the
    ledgers were given): rows ordered by district, program, studio and ledger."""
    rows: list[LedgerSummary] = []
    errors: list[str] = []
    for result in results:
        if isinstance(result, str):
            errors.append(result)
        else:
            rows.append(result)
    rows.sort(key=lambda row: (row.report.studio.district, row.report.studio.program, row.report.studio.name,
                               row.report.ledger))
    return Consolidation(
        year=year,
        reports=[r.report for r in rows],
        duplicates=find_duplicates([(r.report, r.invoices, r.hashes) for r in rows], year),
        errors=errors,
        statuses=[r.status for r in rows],
        rows=[r.row for r in rows],
    )


@dataclass
class ExportResult:
    directory: Path
    ledgers: int
    exported: int  # loaded and written in this run (the others were up to date)
    errors: list[str]


def export_ledgers(
    ledgers: list[Path],
    directory: Path,
    *,
    years: list[int] | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    on_wait: Callable[[], None] | None = None,
) -> ExportResult:
    """Write ``ledgers`` as Parquet into ``directory`` (:mod:`.export`); ``years`` None: each
    ledger's cycle and every year with entries. Unchanged ledgers are not loaded again."""
    from .export import Dataset  # pyarrow: 0.18 s of imports (2026-12-03), only for Parquet

    dataset = Dataset(directory)
    with dataset.locked(on_wait):
        errors, loaded = stage_ledgers(dataset, ledgers, years, jobs=jobs, scheduler=scheduler, progress=progress)
    return ExportResult(directory, len(ledgers), loaded - len(errors), [errors[i] for i in sorted(errors)])


def stage_ledgers(dataset, ledgers: list[Path], years: list[int] | None, *, year: int | None = None,
                  cache_directory: Path | None = None, jobs: int | None = None, scheduler: str | None = None,
                  progress: Progress | None = None) -> tuple[dict[int, str], int]:
    """Load every ledger whose rows in ``dataset`` (locked by the caller) are not current for
    ``years`` and write them (with its report of ``year`` into the cache, when both are given).
    Returns the unreadable ledgers' messages by position and how many ledgers were loaded."""
    errors: dict[int, str] = {}
    calls = []
    for i, path in enumerate(ledgers):
        if dataset.current(path, years) is not None:
            continue
        wanted = sorted(set(years) | set(dataset.known_years(path))) if years is not None else None
        calls.append((i, {**_paths(path, scheduler), "year": year,
                          "cache_directory": str(cache_directory.resolve()) if cache_directory is not None else None,
                          "dataset_directory": str(dataset.directory.resolve()), "years": wanted}))
    if progress:
        progress.start(len(ledgers), len(ledgers) - len(calls))

    def on_result(i: int, result: dict[str, Any]) -> None:
        if "error" in result:
            errors[i] = result["error"]
        if progress:
            progress.advance()

    try:
        run(summarize_ledger, calls, on_result, jobs=jobs, scheduler=scheduler, preload=preload_export)
    finally:
        dataset.compact()  # what was staged before an interruption is kept
    return errors, len(calls)
