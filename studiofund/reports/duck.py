"""The DuckDB engine of ``consolidate``: the bureau's table computed with SQL over the Parquet
tables of :mod:`.export`.

Every ledger of the run is exported (or found up to date) in a dataset under the cache
directory; one DuckDB connection then reads the partition files and computes, in SQL, each
studio's figures (opening balance, income by source, spending by category against budget,
refunds, findings, fixed assets), the totals by district and by program (``GROUPING SETS``) and
the invoice numbers used by more than one studio. Python only rounds rates to four places the
way the local engine does, orders the rows, and shapes the JSON: the figures equal the local
engine's to the cent (``tests/test_engines.py``).
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from studiofund.money import ZERO, q2
from studiofund.policy.models import DEDICATED

from . import cache as result_cache
from .consolidate import UNNAMED, Consolidation, InvoiceUse, Progress, Totals, stage_ledgers
from .export import TABLES, Dataset, ledger_key, staged_schema
from .usage import INCOME_KEYS, AssetLine, FindingCounts, SpendingLine, StudioInfo, UsageReport



def _is(account_column: str, account: str) -> str:
    """An account or one of its sub-accounts."""
    return f"({account_column} = '{account}' OR {account_column} LIKE '{account}:%')"


# Each studio's money figures for the year: sums over its postings, rounded to cents as the
# usage report rounds them (half up).
FIGURES_SQL = f"""
CREATE TEMP TABLE figures AS
SELECT ledger_key,
  round(coalesce(sum(number) FILTER (WHERE year < $year AND account = '{DEDICATED}'), 0)
        - coalesce(sum(number) FILTER (WHERE year = $year AND account = 'Equity:CarryForward'), 0), 2)
    AS opening_balance,
  round(-coalesce(sum(number) FILTER (WHERE year = $year AND {_is('account', 'Income:Grant:City')}), 0), 2) AS city,
  round(-coalesce(sum(number) FILTER (WHERE year = $year AND {_is('account', 'Income:Grant:District')}), 0), 2)
    AS district,
  round(-coalesce(sum(number) FILTER (WHERE year = $year AND account LIKE 'Income:%'
        AND NOT {_is('account', 'Income:Grant:City')} AND NOT {_is('account', 'Income:Grant:District')}), 0), 2)
    AS other,
  round(coalesce(sum(number) FILTER (WHERE year = $year AND {_is('account', 'Liabilities:Refund:Bureau')}), 0), 2)
    AS refunded
FROM postings
WHERE year <= $year AND number IS NOT NULL AND ledger_key IN (SELECT ledger_key FROM run)
GROUP BY ledger_key
"""

# The spending lines: every expense account booked in the year, and every account with a
# budget in force, with the program's label and whether it permits the account.
LINES_SQL = """
CREATE TEMP TABLE lines AS
WITH spent AS (
  SELECT ledger_key, account, round(sum(number), 2) AS actual
  FROM postings
  WHERE year = $year AND account LIKE 'Expenses:%' AND number IS NOT NULL
    AND ledger_key IN (SELECT ledger_key FROM run)
  GROUP BY ledger_key, account)
SELECT a.ledger_key, a.account, a.label, a.permitted, a.position, a.budget,
       coalesce(s.actual, 0) AS actual
FROM accounts a LEFT JOIN spent s ON s.ledger_key = a.ledger_key AND s.account = a.account
WHERE a.year = $year AND a.ledger_key IN (SELECT ledger_key FROM run)
  AND (s.account IS NOT NULL OR a.budget IS NOT NULL)
"""

# A rectified finding (已整改) counts apart from the open ones: its "severity" here is 'rectified'.
FINDINGS_SQL = """
SELECT ledger_key, CASE WHEN status = 'rectified' THEN 'rectified' ELSE severity END AS severity, rule,
       count(*) AS n
FROM findings
WHERE year = $year AND ledger_key IN (SELECT ledger_key FROM run)
GROUP BY ALL
"""

# Fixed assets bought in the year: expense postings carrying their own asset-id; a
# transaction's asset-id goes to its largest expense posting when no posting has one.
ASSETS_SQL = """
WITH e AS (
  SELECT * FROM postings
  WHERE year = $year AND account LIKE 'Expenses:%' AND number IS NOT NULL
    AND ledger_key IN (SELECT ledger_key FROM run)),
own AS (SELECT * FROM e WHERE asset_id IS NOT NULL),
fallback AS (
  SELECT * EXCLUDE (rn) FROM (
    SELECT e.*, row_number() OVER (PARTITION BY ledger_key, entry_index ORDER BY number DESC, posting_index) AS rn
    FROM e
    WHERE txn_asset_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM own WHERE own.ledger_key = e.ledger_key AND own.entry_index = e.entry_index))
  WHERE rn = 1)
SELECT ledger_key, coalesce(asset_id, txn_asset_id) AS asset_id, round(number, 2) AS amount, date,
       coalesce(narration, '') AS narration, account, voucher, entry_index, posting_index
FROM (SELECT * FROM own UNION ALL SELECT * FROM fallback)
ORDER BY ledger_key, entry_index, posting_index
"""

# The figures of every studio of the run, and their sums by district and by program.
ROWS_SQL = """
CREATE TEMP TABLE rows AS
WITH spent AS (
  SELECT ledger_key, sum(actual) AS spending_total, round(sum(budget), 2) AS budget_total
  FROM lines GROUP BY ledger_key),
counts AS (
  SELECT ledger_key, sum(n) FILTER (WHERE severity = 'error') AS errors,
         sum(n) FILTER (WHERE severity = 'review') AS reviews,
         sum(n) FILTER (WHERE severity = 'rectified') AS rectified
  FROM finding_counts GROUP BY ledger_key)
SELECT r.pos, s.ledger_key,
       coalesce(nullif(s.studio_district, ''), $unnamed) AS district_key,
       coalesce(nullif(s.program, ''), $unnamed) AS program_key,
       coalesce(f.opening_balance, 0) AS opening_balance, coalesce(f.city, 0) AS city,
       coalesce(f.district, 0) AS district_income, coalesce(f.other, 0) AS other,
       coalesce(sp.budget_total, 0) AS budget_total, coalesce(sp.spending_total, 0) AS spending_total,
       coalesce(f.refunded, 0) AS refunded,
       coalesce(f.opening_balance, 0) + coalesce(f.city, 0) + coalesce(f.district, 0) + coalesce(f.other, 0)
         - coalesce(sp.spending_total, 0) - coalesce(f.refunded, 0) AS closing_balance,
       coalesce(c.errors, 0) AS errors, coalesce(c.reviews, 0) AS reviews, coalesce(c.rectified, 0) AS rectified
FROM run r JOIN studio_rows s ON s.pos = r.pos
LEFT JOIN figures f ON f.ledger_key = s.ledger_key
LEFT JOIN spent sp ON sp.ledger_key = s.ledger_key
LEFT JOIN counts c ON c.ledger_key = s.ledger_key
"""

TOTALS_SQL = """
SELECT grouping(district_key) AS no_district, grouping(program_key) AS no_program, district_key, program_key,
       count(*) AS studios, sum(opening_balance), sum(city), sum(district_income), sum(other), sum(budget_total),
       sum(spending_total), sum(refunded), sum(closing_balance), sum(errors), sum(reviews), sum(rectified)
FROM rows
GROUP BY GROUPING SETS ((), (district_key), (program_key))
"""

TOTAL_SPENDING_SQL = """
SELECT grouping(r.district_key) AS no_district, grouping(r.program_key) AS no_program,
       r.district_key, r.program_key, l.account, sum(l.actual)
FROM rows r JOIN lines l ON l.ledger_key = r.ledger_key
GROUP BY GROUPING SETS ((l.account), (r.district_key, l.account), (r.program_key, l.account))
"""

TOTAL_RULES_SQL = """
SELECT grouping(district_key) AS no_district, grouping(program_key) AS no_program,
       district_key, program_key, rectified, rule, sum(n)
FROM (SELECT r.district_key, r.program_key, c.severity = 'rectified' AS rectified, c.rule, c.n
      FROM rows r JOIN finding_counts c ON c.ledger_key = r.ledger_key)
GROUP BY GROUPING SETS ((rectified, rule), (district_key, rectified, rule), (program_key, rectified, rule))
"""

# Invoice numbers used by transactions with an expense posting in more than one studio of the
# run, at least one of the uses dated in the year (any year's uses are listed); the entry of a
# red-letter invoice (``invoice-kind: "red"``) is no use.
DUPLICATES_SQL = """
WITH tx AS (
  SELECT ledger_key, entry_index, any_value(date) AS date, any_value(voucher) AS voucher,
         any_value(filename) AS filename, any_value(lineno) AS lineno, any_value(invoices) AS invoices
  FROM postings
  WHERE len(invoices) > 0 AND ledger_key IN (SELECT ledger_key FROM run)
  GROUP BY ledger_key, entry_index
  HAVING bool_or(account LIKE 'Expenses:%')
     -- a red-letter invoice's entry is no use of the numbers it carries
     AND coalesce(any_value(json_extract_string(meta, '$."invoice-kind"')), '') <> 'red'),
uses AS (
  SELECT r.pos, r.ledger, s.ledger_file, s.name, tx.entry_index, tx.date, tx.voucher, tx.filename, tx.lineno,
         unnest(tx.invoices) AS invoice, unnest(range(len(tx.invoices))) AS k
  FROM tx JOIN run r ON r.ledger_key = tx.ledger_key JOIN studio_rows s ON s.pos = r.pos),
shared AS (
  SELECT invoice FROM uses GROUP BY invoice
  HAVING count(DISTINCT ledger) > 1 AND bool_or(year(date) = $year))
SELECT u.* FROM uses u JOIN shared USING (invoice)
"""


def _files_sql(files: list[str]) -> str:
    return "[" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "]"


def open_dataset(dataset: Dataset, con: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table of the dataset (an empty table when none)."""
    con = con or duckdb.connect()
    for table in TABLES:
        files = dataset.table_files(table)
        if files:
            con.execute(f"CREATE OR REPLACE VIEW {table} AS SELECT * FROM read_parquet({_files_sql(files)}, "
                        "hive_partitioning = true, hive_types = {'year': INTEGER, 'district': VARCHAR})")
        else:
            empty = staged_schema(table).empty_table()  # noqa: F841 - read by DuckDB below
            con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM empty")
    return con


def query(dataset: Dataset, ledgers: list[tuple[int, str]], year: int) -> Consolidation:
    """The consolidation of ``ledgers`` ((position, name) pairs, all up to date in the dataset)."""
    con = open_dataset(dataset)
    run_arrow = pa.table({"pos": [p for p, _ in ledgers], "ledger": [name for _, name in ledgers],
                    "ledger_key": [ledger_key(name) for _, name in ledgers]})  # noqa: F841 - read by DuckDB
    con.execute("CREATE TEMP TABLE run AS SELECT * FROM run_arrow")
    params = {"year": year}
    con.execute("""CREATE TEMP TABLE studio_rows AS
                   SELECT r.pos, s.* EXCLUDE (ledger) FROM run r JOIN studios s
                   ON s.ledger_key = r.ledger_key AND s.year = $year""", params)
    con.execute(FIGURES_SQL, params)
    con.execute(LINES_SQL, params)
    con.execute(f"CREATE TEMP TABLE finding_counts AS {FINDINGS_SQL}", params)
    con.execute(ROWS_SQL, {"unnamed": UNNAMED})

    studios = _fetch_dicts(con, "SELECT * FROM studio_rows")
    missing = {p for p, _ in ledgers} - {s["pos"] for s in studios}
    if missing:  # the export guarantees every ledger's row for the year
        raise RuntimeError(f"DuckDB engine: no studio row for {len(missing)} ledger(s) in {year}")
    figures = {r["ledger_key"]: r for r in _fetch_dicts(con, "SELECT * FROM figures")}
    lines: dict[str, list[dict]] = defaultdict(list)
    for row in _fetch_dicts(con, "SELECT * FROM lines"):
        lines[row["ledger_key"]].append(row)
    def no_counts() -> dict[str, Any]:
        return {"error": 0, "review": 0, "by_rule": {}, "rectified": 0, "rectified_by_rule": {}}

    counts: dict[str, dict[str, Any]] = defaultdict(no_counts)
    for key, severity, rule, n in con.execute("SELECT * FROM finding_counts").fetchall():
        c = counts[key]
        if severity in ("error", "review", "rectified"):
            c[severity] += int(n)
        by_rule = c["rectified_by_rule" if severity == "rectified" else "by_rule"]
        by_rule[rule] = by_rule.get(rule, 0) + int(n)
    assets: dict[str, list[AssetLine]] = defaultdict(list)
    for row in _fetch_dicts(con, ASSETS_SQL, params):
        assets[row["ledger_key"]].append(AssetLine(row["asset_id"], q2(row["amount"]), row["date"], row["narration"],
                                                   row["account"], row["voucher"]))
    names = dict(ledgers)
    reports: list[tuple[UsageReport, dict[str, Any]]] = []
    for s in studios:
        key = s["ledger_key"]
        f = figures.get(key, {})
        c = counts.get(key) or no_counts()
        spending = [SpendingLine(row["account"], row["label"], row["budget"], q2(row["actual"]), row["permitted"])
                    for row in sorted(lines.get(key, []), key=lambda r: (r["position"], r["account"]))]
        report = UsageReport(
            studio=StudioInfo(s["name"], s["program"], s["host_school"], s["studio_district"], s["program_name"],
                              s["cycle_start"]),
            year=year,
            opening_balance=q2(f.get("opening_balance", ZERO)),
            income={"city": q2(f.get("city", ZERO)), "district": q2(f.get("district", ZERO)),
                    "other": q2(f.get("other", ZERO))},
            spending=spending,
            refunded=q2(f.get("refunded", ZERO)),
            findings=FindingCounts(c["error"], c["review"], c["by_rule"], c["rectified"], c["rectified_by_rule"]),
            assets=assets.get(key, []),
            ledger=names[s["pos"]],
            load_errors=s["load_errors"],
            assessment_status=s["assessment_status"] or "",
            assessment=s["assessment_summary"] or "",
        )
        status = {"sealed": bool(s["sealed"]),
                  "disqualified": s["disqualified"].isoformat() if s["disqualified"] else None,
                  "assessment": s["assessment"]}
        reports.append((report, status))
    reports.sort(key=lambda rs: (rs[0].studio.district, rs[0].studio.program, rs[0].studio.name, rs[0].ledger))
    return Consolidation(
        year=year,
        reports=[r for r, _ in reports],
        statuses=[s for _, s in reports],
        duplicates=_duplicates(con, params),
        computed_totals=_totals(con),
        engine="duckdb",
    )


def _fetch_dicts(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or {})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _totals(con: duckdb.DuckDBPyConnection) -> tuple[Totals, dict[str, Totals], dict[str, Totals]]:
    everything = Totals()
    by_district: dict[str, Totals] = {}
    by_program: dict[str, Totals] = {}

    def target(no_district: int, no_program: int, district: str, program: str) -> Totals:
        if no_district and no_program:
            return everything
        if not no_district:
            return by_district.setdefault(district, Totals())
        return by_program.setdefault(program, Totals())

    for (no_d, no_p, district, program, studios, opening, city, district_income, other, budget, spending, refunded,
         closing, errors, reviews, rectified) in con.execute(TOTALS_SQL).fetchall():
        t = target(no_d, no_p, district, program)
        t.studios = int(studios)
        t.opening_balance = q2(opening)
        t.income = dict(zip(INCOME_KEYS, (q2(city), q2(district_income), q2(other)), strict=True))
        t.budget_total = q2(budget)
        t.spending_total = q2(spending)
        t.refunded = q2(refunded)
        t.closing_balance = q2(closing)
        t.findings = FindingCounts(int(errors), int(reviews), {}, int(rectified), {})
    for no_d, no_p, district, program, account, actual in con.execute(TOTAL_SPENDING_SQL).fetchall():
        target(no_d, no_p, district, program).spending[account] = q2(actual)
    for no_d, no_p, district, program, rectified, rule, n in con.execute(TOTAL_RULES_SQL).fetchall():
        t = target(no_d, no_p, district, program)
        f = t.findings
        if rectified:
            t.findings = FindingCounts(f.error, f.review, f.by_rule, f.rectified, {**f.rectified_by_rule, rule: int(n)})
        else:
            t.findings = FindingCounts(f.error, f.review, {**f.by_rule, rule: int(n)}, f.rectified, f.rectified_by_rule)
    return everything, dict(sorted(by_district.items())), dict(sorted(by_program.items()))


def _duplicates(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> dict[str, list[InvoiceUse]]:
    uses: dict[str, list[tuple]] = defaultdict(list)
    for u in _fetch_dicts(con, DUPLICATES_SQL, params):
        filename = u["filename"] or ""
        where = u["ledger"] if filename in ("", u["ledger_file"]) else filename
        use = InvoiceUse(u["invoice"], u["ledger"], u["name"], u["date"].isoformat(), u["voucher"], where,
                         int(u["lineno"] or 0))
        uses[u["invoice"]].append(((use.date, use.ledger, u["pos"], u["entry_index"], u["k"]), use))
    return {number: [use for _, use in sorted(items, key=lambda item: item[0])]
            for number, items in sorted(uses.items())}


def consolidate_duckdb(ledgers: list[Path], year: int, *, jobs: int | None = None,
                       cache_directory: Path | None = None, use_cache: bool = True,
                       progress: Progress | None = None, scheduler: str | None = None) -> Consolidation:
    """``consolidate(…, engine="duckdb")``: export what changed, then query."""
    cache = result_cache.cache_dir(cache_directory) if use_cache else None
    scratch = None
    if cache is None:
        scratch = tempfile.TemporaryDirectory(prefix="studiofund-duckdb-")
        root = Path(scratch.name)
    else:
        root = cache / "dataset"
    try:
        dataset = Dataset(root)
        with dataset.locked():
            errors, loaded = stage_ledgers(dataset, ledgers, [year], year=year, cache_directory=cache, jobs=jobs,
                                           scheduler=scheduler, progress=progress)
            result = query(dataset, [(i, str(p)) for i, p in enumerate(ledgers) if i not in errors], year)
    finally:
        if scratch is not None:
            scratch.cleanup()
    result.errors = [errors[i] for i in sorted(errors)]
    result.cached = len(ledgers) - loaded
    return result
