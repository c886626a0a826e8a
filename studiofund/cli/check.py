"""``studiofund check`` — the findings of one or more studio ledgers."""

from __future__ import annotations

import json
import sys

import click

from studiofund.checks.report import check_paths, to_json, to_text
from studiofund.ledger.loading import LedgerInputError

from .common import InputError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--year", type=int, default=None, help="只列出该年度的问题（加载错误和配置错误总是列出）。")
@click.option("--no-cache", is_flag=True, help="重新加载每个账簿，不使用也不更新检查结果缓存。")
def check(paths, fmt, year, no_cache):
    """检查账簿（或目录下的所有工作室账簿）：退出码 0 无违规，1 有违规，2 输入无法读取。

    未改动的账簿（连同其包含的文件、策略文件和本程序）直接使用上次的检查结果，不再加载。
    """
    try:
        run = check_paths(list(paths), year, use_cache=not no_cache)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(to_json(run.results), ensure_ascii=False, indent=2))
    else:
        click.echo(to_text(run.results))
    for message in run.unreadable:
        click.echo(f"错误：{message}", err=True)
    if run.incomplete:
        click.echo("错误：有账簿无法完整读取（语法错误或工作室声明/策略文件有误），检查结果不完整；请按上面的提示修正。", err=True)
    sys.exit(run.exit_status)
