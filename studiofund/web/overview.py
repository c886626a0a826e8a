"""全区汇总 — the bureau's overview: every studio of the user's scope on one page.

Routes (in front of Fava, after login):

* ``/`` — the overview of a year (``?year=YYYY``; default: the latest year with entries), one
  row a studio with the consolidation's figures, sortable and filterable in the browser, totals
  by district and by program, links to each studio's 经费合规 page. A user who sees one ledger
  only lands on that ledger's 经费合规 page instead.
* ``/overview.json?year=YYYY`` — the JSON of ``studiofund consolidate --format json`` over the
  ledgers the user may see (nothing of another district: not a row, not a total, not an
  invoice); 202 with the progress while the figures are still being computed.
* ``/overview.xlsx?year=YYYY`` — the same table as Excel (with the consolidation's sheets).

The figures come from the consolidation cache (:mod:`studiofund.reports.cache`, shared with
``studiofund consolidate``), never from loading every ledger into Fava: a ledger whose files
changed, or that was never summarised, is summarised in a background process pool and its row
appears when ready (the page refreshes itself meanwhile).
"""

from __future__ import annotations

import datetime
import json
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from werkzeug.wrappers import Request, Response

from studiofund.files import file_stats
from studiofund.money import fmt_cn
from studiofund.reports import cache as result_cache
from studiofund.reports.consolidate import Consolidation, assemble, compact, preload, summarize_ledger
from studiofund.reports.xlsx import add_table_sheet, consolidation_workbook, to_bytes

from .scope import ACCESS_KEY, Access, LedgerRegistry, StudioEntry

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
)


# -- the figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One ledger's summary for one year, and what it rests on."""

    files: tuple[str, ...]
    stats: Any  # files.file_stats(files) when the summary was taken
    result: Any  # consolidate.compact(): (report, invoices, status) or the error message
    version: int


def _run_step(path: str, year: int, cache_directory: str | None, load: Any = None) -> dict[str, Any]:
    if load is None:
        return summarize_ledger(path, year, cache_directory, ledger=path)
    return summarize_ledger(path, year, cache_directory, ledger=path, load=load)


def _worker_start(server: int) -> None:
    """In each summarising worker: the imports, and a watch on the server. A pool's worker
    waits on its queue for ever once the server is gone (stopped by a signal, or killed), and
    keeps the forkserver alive with it; this one leaves within seconds of the server."""
    preload()

    def watch() -> None:
        while True:
            time.sleep(2)
            try:
                os.kill(server, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pragma: no cover - another user's process took the pid
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="studiofund-server-watch").start()


class OverviewService:
    """Per-ledger summaries from the cache or a background pool; the consolidation of a scope."""

    def __init__(self, registry: LedgerRegistry, cache_directory: str | Path | None = None,
                 jobs: int | None = None, load: Any = None) -> None:
        self.registry = registry
        #: how a worker loads a ledger (picklable; the server's confined load), None: load_ledger
        self.load = load
        directory = result_cache.cache_dir(cache_directory)
        self.cache_directory = str(directory.resolve())
        self.jobs = jobs or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, int], _Row] = {}
        self._running: dict[tuple[str, int], Future] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._versions = 0
        self._assembled: OrderedDict[tuple, tuple[tuple, Consolidation]] = OrderedDict()

    # -- rows --------------------------------------------------------------------------------
    def _fresh(self, key: tuple[str, int]) -> _Row | None:
        row = self._rows.get(key)
        if row is not None and file_stats(list(row.files)) == row.stats:
            return row
        return None

    def _keep(self, key: tuple[str, int], result: dict[str, Any], stats_before: Any = None) -> _Row:
        path = key[0]
        files = tuple(result.get("files") or [path])
        stats = file_stats(list(files))
        if "report" in result:
            result["report"]["ledger"] = path
        with self._lock:
            self._versions += 1
            row = _Row(files, stats, compact(result), self._versions)
            self._rows[key] = row
        return row

    def row(self, path: str, year: int) -> _Row | None:
        """The ledger's summary if known and current; else None (and it is being computed)."""
        key = (path, year)
        row = self._fresh(key)
        if row is not None:
            return row
        hit = result_cache.lookup(Path(self.cache_directory), Path(path), year)
        if hit is not None:
            return self._keep(key, hit)
        self._submit(key)
        return None

    def _submit(self, key: tuple[str, int]) -> Future:
        with self._lock:
            running = self._running.get(key)
            if running is not None:
                return running
            if self._pool is None:
                context = multiprocessing.get_context("forkserver")
                # the server has threads: workers start from a clean forkserver, not a fork of it
                self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=context,
                                                 initializer=_worker_start, initargs=(os.getpid(),))
            before = os.stat(key[0]).st_mtime_ns if os.path.exists(key[0]) else None
            future = self._pool.submit(_run_step, key[0], key[1], self.cache_directory, self.load)
            self._running[key] = future

        def done(f: Future) -> None:
            with self._lock:
                self._running.pop(key, None)
            if f.cancelled() or f.exception() is not None:
                return
            now = os.stat(key[0]).st_mtime_ns if os.path.exists(key[0]) else None
            if now != before:  # changed while being read: read it again
                self._submit(key)
                return
            self._keep(key, f.result())

        future.add_done_callback(done)
        return future

    def warm(self, paths: list[str], year: int) -> None:
        """Look up (and start computing) every ledger's summary of ``year``, in a thread."""
        threading.Thread(target=lambda: [self.row(p, year) for p in paths], daemon=True,
                         name="studiofund-overview-warm").start()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    # -- a scope's consolidation -----------------------------------------------------------------
    def consolidation(self, paths: list[str], year: int, wait: float = 0.0,
                      partial: bool = False) -> tuple[Consolidation | None, int]:
        """The consolidation of ``paths`` for ``year`` and the number of ledgers still being
        computed after waiting ``wait`` seconds. While some are, the answer is None — or, with
        ``partial``, the consolidation of the others (a page shows it, saying so)."""
        rows = {p: self.row(p, year) for p in paths}
        pending = [p for p, r in rows.items() if r is None]
        if pending and wait > 0:
            with self._lock:
                futures = [self._running[(p, year)] for p in pending if (p, year) in self._running]
            wait_futures(futures, timeout=wait)
            for p in pending:
                rows[p] = self.row(p, year)
            pending = [p for p, r in rows.items() if r is None]
        if pending and not partial:
            return None, len(pending)
        ready = [p for p in paths if rows[p] is not None]
        key = (year, tuple(ready))
        signature = tuple(rows[p].version for p in ready)
        with self._lock:
            memo = self._assembled.get(key)
            if memo is not None and memo[0] == signature:
                self._assembled.move_to_end(key)
                return memo[1], len(pending)
        consolidation = assemble(year, [rows[p].result for p in ready])
        with self._lock:
            self._assembled[key] = (signature, consolidation)
            while len(self._assembled) > 32:
                self._assembled.popitem(last=False)
        return consolidation, len(pending)


# -- the page ----------------------------------------------------------------------------------

#: The overview's columns: (header, kind) — kind "money", "rate", "count" or "text".
COLUMNS = [
    ("工作室", "text"), ("所属区（县）", "text"), ("项目", "text"), ("上年结余", "money"), ("本年收入", "money"),
    ("本年支出", "money"), ("执行率", "rate"), ("年末结余", "money"), ("违规（未整改）", "count"),
    ("已整改", "count"), ("待复核", "count"), ("考核", "text"), ("封存", "text"),
]


def status_labels(status: dict[str, Any], year: int) -> tuple[str, str]:
    """(assessment, seal) as the page shows them."""
    assessment = status.get("assessment") or "—"
    seal = "已封存" if status.get("sealed") else "未封存"
    if status.get("disqualified"):
        seal += f"；{status['disqualified']} 取消资格"
    return assessment, seal


def table_rows(c: Consolidation) -> list[list[Any]]:
    """The overview's rows as values (Decimal money, float rates, counts, texts)."""
    out = []
    for i, r in enumerate(c.reports):
        assessment, seal = status_labels(c.status_of(i), c.year)
        findings = r.findings.to_json()
        out.append([r.studio.name, r.studio.district or "（未注明）", r.studio.program_name or r.studio.program,
                    r.opening_balance, r.income_total, r.spending_total, r.execution_rate, r.closing_balance,
                    findings.get("error", 0), findings.get("rectified", 0), findings.get("review", 0),
                    assessment, seal])
    return out


def program_names(c: Consolidation) -> dict[str, str]:
    """Program id → its Chinese name, as the studios' reports give it."""
    return {r.studio.program: r.studio.program_name for r in c.reports if r.studio.program_name}


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _money(value: Decimal | None) -> str:
    return fmt_cn(value) if value is not None else "—"


class OverviewApp:
    """WSGI: the overview routes; everything else goes on to Fava."""

    PATHS = ("/", "/overview.json", "/overview.xlsx")

    def __init__(self, app: Any, registry: LedgerRegistry, service: OverviewService) -> None:
        self.app = app
        self.registry = registry
        self.service = service

    def __call__(self, environ: dict[str, Any], start_response: Any):
        path = environ.get("PATH_INFO") or "/"
        if path not in self.PATHS or environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        request = Request(environ)
        access: Access | None = environ.get(ACCESS_KEY)
        visible = self.registry.visible(access)
        if not visible:
            return _text_response("没有可查看的账簿；请联系管理员授权。", 403, request)(environ, start_response)
        if path == "/" and len(visible) == 1:
            return _redirect(visible[0].landing())(environ, start_response)
        year = self._year(request, visible)
        if year is None:
            return _text_response("年度应为四位数字，如 ?year=2023。", 400, request)(environ, start_response)
        paths = [e.path for e in visible]
        if path == "/overview.json":
            c, pending = self.service.consolidation(paths, year, wait=10.0)
            if c is None:
                body = {"year": year, "pending": pending, "studios": len(paths),
                        "message": f"正在汇总：还有 {pending} 个工作室的数据在计算，请稍后重试。"}
                return _json(body, 202, {"Retry-After": "3"})(environ, start_response)
            return Response(c.dumps(), status=200, mimetype="application/json",
                            headers={"Cache-Control": "no-store"})(environ, start_response)
        if path == "/overview.xlsx":
            c, pending = self.service.consolidation(paths, year, wait=30.0)
            if c is None:
                return _text_response(f"正在汇总：还有 {pending} 个工作室的数据在计算，请稍后再下载。", 503,
                                      request, {"Retry-After": "5"})(environ, start_response)
            return self._xlsx(c)(environ, start_response)
        c, pending = self.service.consolidation(paths, year, wait=2.0, partial=True)
        return self._page(access, visible, year, c, pending)(environ, start_response)

    def _year(self, request: Request, visible: list[StudioEntry]) -> int | None:
        raw = request.args.get("year", "").strip()
        if raw:
            return int(raw) if raw.isdigit() and len(raw) == 4 else None
        return self.default_year(visible)

    @staticmethod
    def default_year(entries: list[StudioEntry]) -> int:
        """The latest year (not in the future) in which one of the studios booked anything."""
        today = datetime.date.today().year
        years = [y for e in entries for y in e.declaration.years if y <= today]
        return max(years) if years else today

    def _page(self, access: Access | None, visible: list[StudioEntry], year: int, c: Consolidation | None,
              pending: int) -> Response:
        key = ("html", year, tuple(e.slug for e in visible), access.display_name if access else "",
               bool(access and access.user), pending)
        if c is not None and key in c.memo:
            return Response(c.memo[key], mimetype="text/html", headers={"Cache-Control": "no-store"})
        years = sorted({y for e in visible for y in e.declaration.years} | {year}, reverse=True)
        entries = {e.path: e for e in visible}
        rows = []
        if c is not None:
            for values, report in zip(table_rows(c), c.reports, strict=True):
                entry = entries.get(report.ledger)
                link = entry.landing(year) if entry is not None else None
                rows.append({"values": values, "link": link, "load_errors": report.load_errors})
        html = _TEMPLATES.get_template("overview.html").render(
            year=year, years=years, rows=rows, columns=COLUMNS, c=c, pending=pending, total=len(visible),
            user=access.display_name if access else "", login=bool(access and access.user),
            money=_money, pct=_pct, districts=sorted({e.district or "（未注明）" for e in visible}),
            program_names=program_names(c) if c is not None else {},
        )
        if c is not None:
            c.memo[key] = html
        return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})

    def _xlsx(self, c: Consolidation) -> Response:
        wb = consolidation_workbook(c)
        add_table_sheet(wb, "全区汇总", f"{c.year}年度名师工作室专项经费全区汇总", [h for h, _ in COLUMNS],
                        table_rows(c), money=[i for i, (_, k) in enumerate(COLUMNS) if k == "money"],
                        percent=[i for i, (_, k) in enumerate(COLUMNS) if k == "rate"], index=0)
        filename = f"{c.year}年度全区汇总.xlsx"
        return Response(to_bytes(wb), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
                                 "Cache-Control": "no-store"})


def _json(obj: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", status=status,
                    mimetype="application/json", headers={"Cache-Control": "no-store", **(headers or {})})


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


def _text_response(message: str, status: int, request: Request, headers: dict[str, str] | None = None) -> Response:
    if "text/html" in request.headers.get("Accept", ""):
        html = _TEMPLATES.get_template("denied.html").render(status=status, message=message)
        return Response(html, status=status, mimetype="text/html", headers=headers)
    return _json({"error": message}, status, headers)
