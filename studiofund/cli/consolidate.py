"""``studiofund consolidate`` — the bureau's table over many studios."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from studiofund.ledger.loading import find_ledgers, no_ledgers_found, year_outside_books
from studiofund.reports.consolidate import consolidate as run
from studiofund.reports.output import OutputError, check_output_path
from studiofund.reports.runner import INSTALL_HINT, SchedulerError, dask_available
from studiofund.reports.text import render_consolidation_csv, render_consolidation_table

from .common import InputError
from .params import INPUT_PATH, YEAR, Choice, format_option, IntRange, OutputFile, today
from .report import FORMATS, emit

INTERRUPTED = 130  # the shell's status for a command stopped by Ctrl-C


class Progress:
    """Progress on stderr, only when stderr is a terminal: ledgers done, found unchanged in the
    cache, and the time left (estimated from the ledgers loaded so far)."""

    def __init__(self, stream=None, label: str = "汇总", interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.interval = interval  # seconds between redraws
        self.active = self.stream.isatty()
        self.label = label
        self.total = self.done = self.cached = 0
        self.started = time.monotonic()
        self.shown = 0.0

    def start(self, total: int, done: int) -> None:
        self.total, self.done, self.cached = total, done, done
        self.started = time.monotonic()
        self.show(force=True)

    def advance(self) -> None:
        self.done += 1
        self.show(force=self.done == self.total)

    def show(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.active or self.total < 2 or (not force and now - self.shown < self.interval):
            return
        self.shown = now
        size = 30
        filled = size * self.done // self.total
        text = f"\r{self.label} [{'#' * filled}{'.' * (size - filled)}] {self.done}/{self.total}"
        if self.cached:
            text += f"（缓存 {self.cached}）"
        loaded = self.done - self.cached
        if 0 < loaded and self.done < self.total:
            left = (now - self.started) / loaded * (self.total - self.done)
            text += f" 约剩 {_duration(left)}"
        self.stream.write(text + "\033[K")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}小时{seconds % 3600 // 60:02d}分"
    if seconds >= 60:
        return f"{seconds // 60}分{seconds % 60:02d}秒"
    return f"{seconds}秒"


def scheduler_option(func):
    return click.option(
        "--scheduler", default=None, metavar="地址",
        help="在 Dask 分布式集群上逐个账簿加载、检查（如 tcp://10.0.0.5:8786）；"
             "需 pip install 'studiofund[cluster]'，账簿须在各节点相同路径的共享存储上。",
    )(func)


def jobs_option(func):
    return click.option("--jobs", type=IntRange(1, 1024), default=None, help="本机并行进程数（默认：全部 CPU 核）。")(func)


def check_parallel(jobs: int | None, scheduler: str | None) -> None:
    if jobs is not None and jobs < 1:
        raise InputError("--jobs 至少为 1。")
    if scheduler is not None:
        if not dask_available():
            raise InputError(f"--scheduler 需要 Dask distributed，当前环境未安装；请运行 {INSTALL_HINT}。")
        if jobs is not None:
            raise InputError("--jobs 与 --scheduler 不能同时使用：集群的并行度由其 worker 决定。")


def interrupted(done_note: str) -> None:
    click.echo(f"\n已中断。{done_note}", err=True)
    sys.exit(INTERRUPTED)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH, metavar="账簿或目录...")
@click.option("--year", type=YEAR, required=True, help="汇总年度，如 2020。")
@format_option(FORMATS, "table")
@click.option("-o", "--output", type=OutputFile(), default=None, help="输出文件（xlsx 必填）。")
@click.option("--engine", type=Choice(["local", "duckdb"]), default="local", show_default=True,
              help="local：在本进程合计各工作室的报表；duckdb：导出 Parquet 后用 DuckDB SQL 计算（结果相同）。")
@jobs_option
@scheduler_option
@click.option("--no-cache", is_flag=True, help="不使用也不更新缓存（.studiofund-cache/ 或 $STUDIOFUND_CACHE_DIR）。")
def consolidate(paths, year, fmt, output, engine, jobs, scheduler, no_cache):
    """汇总多个工作室（文件或目录）的年度经费使用情况：每个工作室一行，按区、按项目合计；并列出跨工作室重复使用的发票。

    结果按账簿内容缓存：再次运行时未改动的账簿不再加载；中断（Ctrl-C）后重新运行同一命令，从中断处继续。
    """

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise InputError(f"{missing[0]}：文件或目录不存在；请检查路径。")
    check_parallel(jobs, scheduler)
    ledgers = find_ledgers(list(paths), use_index=not no_cache)
    if not ledgers:
        raise InputError(no_ledgers_found(paths))
    # a --year before every studio's cycle or after next year is a typing mistake: refused
    # before any ledger is loaded (from the declarations' text), not answered with zeros
    problem = year_outside_books(ledgers, year, today().year)
    if problem:
        raise InputError(problem)
    if output is not None:
        try:
            check_output_path(output, ledgers)
        except OutputError as exc:
            raise InputError(str(exc)) from None
    elif fmt == "xlsx":
        raise InputError("xlsx 格式需要用 -o 指定输出文件，如 -o 汇总表.xlsx。")
    try:
        result = run(ledgers, year, jobs=jobs, use_cache=not no_cache, progress=Progress(), engine=engine,
                     scheduler=scheduler)
    except SchedulerError as exc:
        raise InputError(str(exc)) from None
    except KeyboardInterrupt:
        interrupted("" if no_cache else "已完成的账簿结果已保存在缓存中；重新运行同一命令将从中断处继续。")
    if fmt == "json":
        payload = result.dumps()
    elif fmt == "csv":
        payload = render_consolidation_csv(result)
    elif fmt == "xlsx":
        # start-up: openpyxl takes 0.09 s to import (2026-12-03; 0.34 s when first measured); only xlsx needs it
        from studiofund.reports.xlsx import consolidation_workbook, to_bytes

        payload = to_bytes(consolidation_workbook(result))
    else:
        payload = render_consolidation_table(result) + "\n"
    emit(payload, output, [Path(p) for p in ledgers], fmt)
    for message in result.errors:
        click.echo(f"错误：{message}", err=True)
    if result.errors:
        # CONTRACT.md: a ledger that does not load is never a silent zero
        click.echo(f"{len(result.errors)} 个账簿无法读取，未计入汇总。", err=True)
        sys.exit(1)
