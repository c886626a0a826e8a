"""Studio ledgers as Parquet tables: what a bureau analyst queries with DuckDB, and what
``consolidate --engine duckdb`` computes the bureau's table from.

Four tables, each a Hive-partitioned Parquet dataset ``DIR/<table>/year=YYYY/district=区/``:

* ``postings`` — one row a posting of every transaction (every year), in the shape of
  Beancount's own DuckDB experiment (``experiments/duckdb``): ``id`` (the transaction's),
  ``date``, ``flag``, ``payee``, ``narration``, ``tags``, ``links``, ``meta`` (JSON), ``account``,
  ``number`` (DECIMAL(38,18)), ``currency``, ``posting_flag``, ``posting_meta`` (JSON),
  ``filename``, ``lineno``; plus what the studio's rules read: ``voucher``, ``invoices`` (the
  numbers of ``invoice:``), ``asset_id`` (the posting's own), ``txn_asset_id``, the account's
  Chinese ``label``, and the studio (``ledger_key``, ``studio``);
* ``studios`` — one row a studio and year: name, program, host school, district, cycle start,
  allocation, load errors, seal and claw-back status;
* ``findings`` — one row a finding of the year (``rule``, ``severity``, ``status``, ``message``,
  ``voucher``, ``date``, ``filename``, ``lineno``); a finding without a date is listed in every
  exported year, as the usage report counts it in every year;
* ``accounts`` — one row a studio, year and expense account: Chinese label, permitted by the
  program or not, its place in the program's list, and the year's budget (Fava's budget rule).

The partition ``district`` is the studio's district (``（未注明）`` when it has none; a ``/`` in
it becomes ``／``); the exact value is the column ``studio_district``.

Writing is per ledger and resumable: the per-ledger step (:func:`stage_ledger`, in a worker)
writes the ledger's rows as Arrow files under ``DIR/.staging/<key>/``; :meth:`Dataset.compact`
(in the coordinating process, under a lock) moves staged ledgers into the partition files,
replacing the ledger's earlier rows. ``DIR/_manifest.json`` records, per ledger, the files its
rows rest on and their digest, so an unchanged ledger is never loaded again, and an interrupted
run resumes from what it staged.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.parquet as pq

from studiofund.checks.standing import assessment_status
from studiofund.files import atomic_replace
from studiofund.ledger.budgets import year_budgets
from studiofund.ledger.directives import read_directives
from studiofund.ledger.meta import invoice_numbers

from . import cache as result_cache
from .usage import _label, cycle_years, studio_info

TABLES = ("studios", "postings", "findings", "accounts")
MANIFEST = "_manifest.json"
STAGING = ".staging"
LOCK = ".lock"
PART_FILE = "data.parquet"
NO_DISTRICT = "（未注明）"
FORMAT = 4

MONEY = pa.decimal128(38, 18)
_SCALE = Decimal(1).scaleb(-18)

# The partition columns (year, district) are not stored in the partition files; the staged
# Arrow files carry them so compaction knows where each row goes.
SCHEMAS: dict[str, pa.Schema] = {
    "studios": pa.schema([
        ("ledger_key", pa.string()), ("ledger", pa.string()), ("ledger_file", pa.string()),
        ("name", pa.string()), ("program", pa.string()), ("program_name", pa.string()),
        ("host_school", pa.string()), ("studio_district", pa.string()), ("cycle_start", pa.date32()),
        ("allocation", MONEY), ("load_errors", pa.int32()), ("sealed", pa.bool_()),
        ("disqualified", pa.date32()), ("assessment", pa.string()),
        ("assessment_status", pa.string()), ("assessment_summary", pa.string()),
    ]),
    "postings": pa.schema([
        ("ledger_key", pa.string()), ("studio", pa.string()), ("id", pa.string()),
        ("entry_index", pa.int32()), ("posting_index", pa.int32()), ("date", pa.date32()),
        ("flag", pa.string()), ("payee", pa.string()), ("narration", pa.string()),
        ("tags", pa.list_(pa.string())), ("links", pa.list_(pa.string())), ("meta", pa.string()),
        ("account", pa.string()), ("label", pa.string()), ("number", MONEY), ("currency", pa.string()),
        ("posting_flag", pa.string()), ("posting_meta", pa.string()), ("voucher", pa.string()),
        ("invoices", pa.list_(pa.string())), ("asset_id", pa.string()), ("txn_asset_id", pa.string()),
        ("filename", pa.string()), ("lineno", pa.int32()),
    ]),
    "findings": pa.schema([
        ("ledger_key", pa.string()), ("studio", pa.string()), ("rule", pa.string()),
        ("severity", pa.string()), ("status", pa.string()), ("date", pa.date32()),
        ("voucher", pa.string()), ("message", pa.string()), ("filename", pa.string()),
        ("lineno", pa.int32()), ("rectified_by", pa.list_(pa.string())),
    ]),
    "accounts": pa.schema([
        ("ledger_key", pa.string()), ("account", pa.string()), ("label", pa.string()),
        ("permitted", pa.bool_()), ("position", pa.int32()), ("budget", MONEY),
    ]),
}
PARTITION_FIELDS = [("year", pa.int32()), ("district", pa.string())]


def staged_schema(table: str) -> pa.Schema:
    schema = SCHEMAS[table]
    for name, kind in PARTITION_FIELDS:
        schema = schema.append(pa.field(name, kind))
    return schema


class ExportError(Exception):
    """The dataset directory cannot be used (message in Chinese)."""


# -- one ledger's rows -------------------------------------------------------------------------


def ledger_key(path: str | Path) -> str:
    """A short stable key of a ledger: its resolved path, hashed."""
    return hashlib.sha256(result_cache.resolved(path).encode()).hexdigest()[:20]


def district_partition(district: str) -> str:
    text = (district or "").strip().replace("/", "／").replace("\\", "＼")
    return text if text and text not in (".", "..") else NO_DISTRICT


def _money(number: Any) -> Decimal | None:
    if number is None:
        return None
    return Decimal(number).quantize(_SCALE)


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _meta_json(meta: dict[str, Any] | None) -> str | None:
    if not meta:
        return None
    kept = {k: v for k, v in meta.items() if k not in ("filename", "lineno") and not k.startswith("__")}
    return json.dumps(kept, ensure_ascii=False, default=str) if kept else None


def _entry_id(key: str, meta: dict[str, Any]) -> str:
    """A transaction's id: a digest of its studio and its place (file and line). Beancount's
    experiment numbers them; Fava's entry hash (of the whole entry) would cost a third of the
    export."""
    where = f"{key}\0{meta.get('filename')}\0{meta.get('lineno')}".encode()
    return hashlib.blake2b(where, digest_size=8).hexdigest()


def default_years(loaded) -> list[int]:
    """The years a ledger's studio rows cover: its cycle and every year with a transaction."""
    from beancount.core import data

    years = {e.date.year for e in loaded.entries if type(e) is data.Transaction}
    if loaded.studio is not None:
        years.update(cycle_years(loaded))
    return sorted(years) or [datetime.date.today().year]


def ledger_tables(loaded, ledger: str, years: Iterable[int]) -> dict[str, pa.Table]:
    """The four tables of one loaded ledger: every posting, and the studio rows of ``years``."""
    from beancount.core import data

    years = sorted(set(years))
    key = ledger_key(ledger)
    info = studio_info(loaded)
    district = district_partition(info.district)
    policy = loaded.policy

    # -- postings: every transaction of every year
    labels: dict[str, str] = {}
    for entry in loaded.entries:
        if type(entry) is data.Open:
            name = (entry.meta or {}).get("name")
            if name not in (None, ""):
                labels[entry.account] = str(name)
    cols: dict[str, list] = {f.name: [] for f in staged_schema("postings")}
    expense_accounts: set[str] = set()
    entry_index = 0
    for entry in loaded.entries:
        if type(entry) is not data.Transaction:
            continue
        entry_index += 1
        meta = entry.meta or {}
        txn = (_entry_id(key, meta), entry.date, entry.flag, entry.payee, entry.narration,
               sorted(entry.tags) if entry.tags else [], sorted(entry.links) if entry.links else [],
               _meta_json(meta), _text(meta.get("voucher")), invoice_numbers(meta),
               _text(meta.get("asset-id")), meta.get("filename"), meta.get("lineno"))
        for index, posting in enumerate(entry.postings):
            units = posting.units
            account = posting.account
            if account.startswith("Expenses:"):
                expense_accounts.add(account)
            label = labels.get(account)
            if label is None:
                label = labels[account] = _label(policy, account) if account.startswith("Expenses:") else account
            pmeta = posting.meta
            for name, value in zip(
                ("id", "date", "flag", "payee", "narration", "tags", "links", "meta", "voucher",
                 "invoices", "txn_asset_id", "filename", "lineno"), txn, strict=True):
                cols[name].append(value)
            cols["entry_index"].append(entry_index)
            cols["posting_index"].append(index)
            cols["account"].append(account)
            cols["label"].append(label)
            cols["number"].append(_money(units.number) if units is not None else None)
            cols["currency"].append(units.currency if units is not None else None)
            cols["posting_flag"].append(posting.flag)
            cols["posting_meta"].append(_meta_json(pmeta))
            cols["asset_id"].append(_text(pmeta.get("asset-id")) if pmeta else None)
            cols["year"].append(entry.date.year)
    n = len(cols["id"])
    cols["ledger_key"] = [key] * n
    cols["studio"] = [info.name] * n
    cols["district"] = [district] * n
    postings = pa.table(cols, schema=staged_schema("postings"))

    # -- studios: one row a year
    directives = read_directives(loaded.entries)
    seals = directives.sealed
    disqualified = directives.disqualification.date if directives.disqualification else None
    grades = {a.year: a.grade for a in directives.assessments}  # the last of each year
    studio = loaded.studio
    allocation = studio.allocation if studio is not None else None
    load_errors = len(loaded.load_errors) + len(loaded.config_errors)
    standings = {year: assessment_status(directives.assessments, studio, loaded.policy, year) for year in years}
    rows = [{
        "ledger_key": key, "ledger": ledger, "ledger_file": str(Path(ledger).resolve()),
        "name": info.name, "program": info.program, "program_name": info.program_name,
        "host_school": info.host_school, "studio_district": info.district, "cycle_start": info.cycle_start,
        "allocation": _money(allocation), "load_errors": load_errors, "sealed": year in seals,
        "disqualified": disqualified, "assessment": grades.get(year), "year": year, "district": district,
        "assessment_status": standings[year][0], "assessment_summary": standings[year][1],
    } for year in years]
    studios = pa.Table.from_pylist(rows, schema=staged_schema("studios"))

    # -- findings of each year (undated ones in every year)
    rows = []
    for f in loaded.findings:
        base = {
            "ledger_key": key, "studio": info.name, "rule": f.rule, "severity": f.severity,
            "status": getattr(f, "status", None) or "open", "date": f.date, "voucher": _text(f.voucher),
            "message": f.message, "filename": f.filename, "lineno": f.lineno,
            "rectified_by": list(getattr(f, "rectified_by", None) or []), "district": district,
        }
        for year in ([f.date.year] if f.date is not None else years):
            if year in years:
                rows.append({**base, "year": year})
    findings = pa.Table.from_pylist(rows, schema=staged_schema("findings"))

    # -- accounts: the program's, and every expense account booked or budgeted, each year
    budgets = directives.budgets
    order = {a.account: i for i, a in enumerate(policy.accounts)} if policy is not None else {}
    rows = []
    for year in years:
        budget_of = year_budgets(budgets, year)
        for account in sorted(set(order) | expense_accounts | set(budget_of)):
            rows.append({
                "ledger_key": key, "account": account, "label": _label(policy, account),
                "permitted": policy.is_permitted(account) if policy is not None else True,
                "position": order.get(account, len(order)), "budget": _money(budget_of.get(account)),
                "year": year, "district": district,
            })
    accounts = pa.Table.from_pylist(rows, schema=staged_schema("accounts"))
    return {"studios": studios, "postings": postings, "findings": findings, "accounts": accounts}


# -- the dataset ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerState:
    """What the manifest (or a staged ledger) knows about one ledger's rows."""

    key: str
    ledger: str
    stamp: dict[str, Any]  # the files the rows rest on and their fingerprint (cache.fingerprint)
    years: list[int]
    partitions: dict[str, list[tuple[int, str]]]

    def to_json(self) -> dict[str, Any]:
        return {"ledger": self.ledger, "stamp": self.stamp, "years": self.years,
                "partitions": {t: [list(p) for p in parts] for t, parts in self.partitions.items()}}

    @classmethod
    def from_json(cls, key: str, obj: dict[str, Any]) -> LedgerState:
        return cls(key, obj["ledger"], dict(obj["stamp"]), [int(y) for y in obj["years"]],
                   {t: [(int(y), str(d)) for y, d in parts] for t, parts in obj.get("partitions", {}).items()})

    def up_to_date(self) -> bool:
        # the rows do not depend on a year: fingerprints are taken with year 0
        return result_cache.unchanged(self.stamp, 0)


class Dataset:
    """A Parquet dataset directory: partition files, manifest, staged ledgers, one lock."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self._manifest: dict[str, LedgerState] | None = None
        self._staged: dict[str, LedgerState] | None = None

    # -- layout ----------------------------------------------------------------------------
    def partition_file(self, table: str, year: int, district: str) -> Path:
        return self.directory / table / f"year={year}" / f"district={district}" / PART_FILE

    def table_files(self, table: str) -> list[str]:
        base = self.directory / table
        return sorted(str(p) for p in base.glob(f"year=*/district=*/{PART_FILE}")) if base.is_dir() else []

    @property
    def staging(self) -> Path:
        return self.directory / STAGING

    # -- manifest ----------------------------------------------------------------------------
    def manifest(self) -> dict[str, LedgerState]:
        if self._manifest is None:
            try:
                obj = json.loads((self.directory / MANIFEST).read_text(encoding="utf-8"))
            except FileNotFoundError:
                obj = {"format": FORMAT, "ledgers": {}}
            except (OSError, ValueError) as exc:
                raise ExportError(f"{self.directory / MANIFEST}：无法读取导出清单（{exc}）；"
                                  "请删除该目录后重新导出。") from None
            if obj.get("format") != FORMAT:
                raise ExportError(f"{self.directory}：导出目录的格式版本不同；请删除该目录后重新导出。")
            self._manifest = {k: LedgerState.from_json(k, v) for k, v in obj.get("ledgers", {}).items()}
        return self._manifest

    def _save_manifest(self) -> None:
        obj = {"format": FORMAT, "ledgers": {k: v.to_json() for k, v in sorted(self.manifest().items())}}
        self.directory.mkdir(parents=True, exist_ok=True)
        atomic_replace(self.directory / MANIFEST, json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    def staged(self) -> dict[str, LedgerState]:
        """Ledgers staged by workers and not yet moved into the partition files (read once a
        run: the workers of this run stage while the caller holds the lock)."""
        if self._staged is not None:
            return self._staged
        out = {}
        if self.staging.is_dir():
            for meta in sorted(self.staging.glob("*/meta.json")):
                try:
                    state = LedgerState.from_json(meta.parent.name, json.loads(meta.read_text(encoding="utf-8")))
                except (OSError, ValueError, KeyError):
                    continue
                out[state.key] = state
        self._staged = out
        return out

    def current(self, ledger: str | Path, years: Iterable[int] | None) -> LedgerState | None:
        """The ledger's state if its rows (staged or in the dataset) are up to date for ``years``
        (None: the years it was exported with); no Beancount load needed."""
        key = ledger_key(ledger)
        for state in (self.staged().get(key), self.manifest().get(key)):
            if state is None:
                continue
            if years is not None and not set(years) <= set(state.years):
                continue
            if state.up_to_date():
                return state
        return None

    def known_years(self, ledger: str | Path) -> list[int]:
        state = self.manifest().get(ledger_key(ledger))
        return list(state.years) if state is not None else []

    # -- locking -----------------------------------------------------------------------------
    @contextmanager
    def locked(self, on_wait=None):
        """An exclusive lock on the dataset for the whole run (another run waits)."""
        import fcntl

        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = open(self.directory / LOCK, "a+")
        except OSError as exc:
            raise ExportError(f"{self.directory}：无法写入导出目录（{exc.strerror}）。") from None
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                self._manifest = self._staged = None
                yield self
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- compaction --------------------------------------------------------------------------
    def compact(self, keep: Iterable[str] | None = None) -> int:
        """Move every staged ledger into the partition files (the caller holds the lock).

        With ``keep`` (ledger keys), ledgers of the manifest not in it are removed too.
        Returns the number of ledgers moved in.
        """
        self._staged = None  # what the workers staged since
        staged = self.staged()
        manifest = self.manifest()
        removed = set(manifest) - set(keep) if keep is not None else set()
        changed = set(staged) | removed
        if not changed:
            return 0
        for table in TABLES:
            affected: set[tuple[int, str]] = set()
            for key in changed:
                if key in manifest:
                    affected.update(manifest[key].partitions.get(table, []))
            incoming: dict[tuple[int, str], list[str]] = defaultdict(list)
            for key, state in staged.items():
                for part in state.partitions.get(table, []):
                    incoming[part].append(key)
            affected.update(incoming)
            for year, district in sorted(affected):
                self._rewrite(table, year, district, changed, incoming.get((year, district), []))
        for key in removed:
            manifest.pop(key, None)
        for key, state in staged.items():
            manifest[key] = state
        self._save_manifest()
        for key in staged:
            shutil.rmtree(self.staging / key, ignore_errors=True)
        self._staged = None
        return len(staged)

    def _rewrite(self, table: str, year: int, district: str, drop: set[str], keys: list[str]) -> None:
        """One partition file: its rows minus those of ``drop``, plus the staged rows of ``keys``."""
        target = self.partition_file(table, year, district)
        schema = SCHEMAS[table]
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        rows = 0
        try:
            with _BufferedWriter(tmp, schema) as out:
                if target.exists():
                    old = pq.ParquetFile(target)
                    for batch in old.iter_batches(batch_size=65536):
                        keys_col = batch.column("ledger_key")
                        mask = pc.invert(pc.is_in(keys_col, value_set=pa.array(sorted(drop), type=pa.string())))
                        out.write(pa.Table.from_batches([batch]).filter(mask))
                for key in keys:
                    staged = feather.read_table(self.staging / key / f"{table}.arrow")
                    mask = pc.and_(pc.equal(staged.column("year"), year),
                                           pc.equal(staged.column("district"), district))
                    out.write(staged.filter(mask).drop_columns(["year", "district"]))
                rows = out.rows
            if rows:
                os.replace(tmp, target)
            else:
                os.unlink(tmp)
                target.unlink(missing_ok=True)
                for parent in (target.parent, target.parent.parent):
                    try:
                        parent.rmdir()
                    except OSError:
                        break
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class _BufferedWriter:
    """A Parquet writer that gathers small tables into row groups of a useful size."""

    ROW_GROUP = 131072

    def __init__(self, path: str, schema: pa.Schema) -> None:
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.schema = schema
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self.buffer.append(table.cast(self.schema))
        self.buffered += table.num_rows
        self.rows += table.num_rows
        if self.buffered >= self.ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.writer.write_table(pa.concat_tables(self.buffer), row_group_size=max(self.buffered, 1))
            self.buffer, self.buffered = [], 0

    def __enter__(self) -> _BufferedWriter:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.flush()
        self.writer.close()


def stage_ledger(directory: str | Path, loaded, ledger: str, files: list[str], years: Iterable[int]) -> None:
    """Write one loaded ledger's rows to the dataset's staging area (runs in a worker).

    The staged directory appears complete or not at all (written aside, then renamed)."""
    tables = ledger_tables(loaded, ledger, years)
    stamp = result_cache.fingerprint(files, 0) or {"files": files}
    key = ledger_key(ledger)
    staging = Path(directory) / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=staging))
    try:
        partitions = {}
        for table, rows in tables.items():
            feather.write_feather(rows, work / f"{table}.arrow", compression="uncompressed")
            pairs = set(zip(rows.column("year").to_pylist(), rows.column("district").to_pylist(), strict=True))
            partitions[table] = sorted(pairs)
        state = LedgerState(key, ledger, stamp, sorted(set(years)), partitions)
        (work / "meta.json").write_text(json.dumps(state.to_json(), ensure_ascii=False), encoding="utf-8")
        final = staging / key
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
