"""``studiofund consolidate`` — the bureau's table over many studios."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .common import InputError
from .report import FORMATS, emit


class Progress:
    """A progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.active or total < 2:
            return
        size = 30
        filled = size * done // total
        self.stream.write(f"\r汇总 [{'#' * filled}{'.' * (size - filled)}] {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--year", type=int, required=True, help="汇总年度，如 2020。")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件（xlsx 必填）。")
@click.option("--jobs", type=int, default=None, help="并行进程数（默认：全部 CPU 核）。")
@click.option("--no-cache", is_flag=True, help="不使用也不更新缓存（.studiofund-cache/ 或 $STUDIOFUND_CACHE_DIR）。")
def consolidate(paths, year, fmt, output, jobs, no_cache):
    """汇总多个工作室（文件或目录）的年度经费使用情况：每个工作室一行，按区、按项目合计；并列出跨工作室重复使用的发票。"""
    from studiofund.ledger.loading import find_ledgers
    from studiofund.reports.consolidate import consolidate as run

    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise InputError(f"{missing[0]}：文件或目录不存在；请检查路径。")
    if jobs is not None and jobs < 1:
        raise InputError("--jobs 至少为 1。")
    ledgers = find_ledgers(list(paths))
    if not ledgers:
        raise InputError(f"{'、'.join(paths)}：没有找到工作室账簿（声明了 plugin \"studiofund.plugin\" 的 .beancount 文件）。")
    if output is not None:
        from studiofund.reports.output import OutputError, check_output_path

        try:
            check_output_path(output, ledgers)
        except OutputError as exc:
            raise InputError(str(exc)) from None
    elif fmt == "xlsx":
        raise InputError("xlsx 格式需要用 -o 指定输出文件，如 -o 汇总表.xlsx。")
    result = run(ledgers, year, jobs=jobs, use_cache=not no_cache, progress=Progress())
    if fmt == "json":
        payload = json.dumps(result.to_json(), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        from studiofund.reports.text import render_consolidation_csv

        payload = render_consolidation_csv(result)
    elif fmt == "xlsx":
        from studiofund.reports.xlsx import consolidation_workbook, to_bytes

        payload = to_bytes(consolidation_workbook(result))
    else:
        from studiofund.reports.text import render_consolidation_table

        payload = render_consolidation_table(result) + "\n"
    emit(payload, output, [Path(p) for p in ledgers], fmt)
    for message in result.errors:
        click.echo(f"错误：{message}", err=True)
    if result.errors:
        sys.exit(2)
