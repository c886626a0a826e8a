"""``studiofund export`` — studio ledgers as Parquet tables for DuckDB (see docs/bureau.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from studiofund.ledger.loading import find_ledgers, no_ledgers_found, year_outside_books
from studiofund.reports.consolidate import export_ledgers
from studiofund.reports.export import ExportError
from studiofund.reports.runner import SchedulerError

from .common import InputError
from .params import INPUT_PATH, YEAR, folder_problem, today
from .consolidate import Progress, check_parallel, interrupted, jobs_option, scheduler_option


@click.command("export")
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH, metavar="账簿或目录...")
@click.option("--to", "directory", required=True, type=click.Path(path_type=Path),
              help="输出目录：studios、postings、findings、accounts 四张表，按 year=、district= 分区。")
@click.option("--year", type=YEAR, default=None,
              help="只导出该年度的工作室、问题与预算行（分录总是全部导出：上年结余要用到以前年度）。")
@jobs_option
@scheduler_option
def export(paths, directory, year, jobs, scheduler):
    """把工作室账簿导出为 Parquet 表（studios、postings、findings、accounts），供 DuckDB 等工具用 SQL 分析。

    再次导出到同一目录时，只重新加载有改动的账簿；中断后重新运行同一命令，从中断处继续。
    """
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise InputError(f"{missing[0]}：文件或目录不存在；请检查路径。")
    check_parallel(jobs, scheduler)
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}：不是目录；请用 --to 给出导出的目录。")
    problem = folder_problem(directory if directory.exists() else directory.parent)
    if problem:
        raise InputError(problem)
    ledgers = find_ledgers(list(paths))
    if not ledgers:
        raise InputError(no_ledgers_found(paths))
    problem = year_outside_books(ledgers, year, today().year) if year is not None else ""
    if problem:
        raise InputError(problem)
    try:
        result = export_ledgers(
            ledgers, directory, years=[year] if year is not None else None, jobs=jobs, scheduler=scheduler,
            progress=Progress(label="导出"),
            on_wait=lambda: click.echo(f"{directory}：另一个导出或汇总正在写入，等待其结束……", err=True))
    except (ExportError, SchedulerError) as exc:
        raise InputError(str(exc)) from None
    except OSError as exc:
        raise InputError(f"{directory}：无法写入（{exc.strerror or exc}）。") from None
    except KeyboardInterrupt:
        interrupted("已导出的账簿已写入目录；重新运行同一命令将从中断处继续。")
    for message in result.errors:
        click.echo(f"错误：{message}", err=True)
    click.echo(f"已导出 {result.ledgers - len(result.errors)} 个账簿到 {directory}"
               f"（本次加载 {result.exported} 个，其余未改动）。")
    if result.errors:
        click.echo(f"{len(result.errors)} 个账簿无法读取，未导出。", err=True)
        sys.exit(1)
