"""``studiofund check`` — the findings of one or more studio ledgers."""

from __future__ import annotations

import json
import sys

import click

from studiofund.checks.report import PSEUDO_IDS, check_paths, to_json, to_text
from studiofund.ledger.loading import LedgerInputError

from .errors import InputError
from .params import INPUT_PATH, YEAR, format_option

PLUGIN_LINE = 'plugin "studiofund.plugin"'


@click.command()
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH, metavar="账簿或目录...")
@format_option(["text", "json"], "text")
@click.option("--year", type=YEAR, default=None, help="只列出该年度的问题（加载错误和配置错误总是列出）。")
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
    for result in run.results:
        missing = next((f for f in result.findings if f.rule in PSEUDO_IDS and PLUGIN_LINE in f.message), None)
        if missing is not None and not result.unreadable:
            click.echo(f"警告：{result.path}：缺少 {PLUGIN_LINE} 这一行，bean-check 和 Fava 看不到这本账的问题；"
                       "上面是 studiofund 照常运行全部检查的结果。请在账簿开头加上这一行。", err=True)
        if result.unreadable:
            first = next((f for f in result.findings if f.rule in PSEUDO_IDS), None)
            where = f"{first.filename}:{first.lineno}" if first is not None and first.lineno else str(result.path)
            why = first.message if first is not None else "账簿无法完整读取"
            click.echo(f"错误：{where}：{why}", err=True)
    if run.incomplete:
        click.echo("错误：有账簿无法完整读取（语法错误、无法读取的包含文件，或没有可用的工作室声明/策略），"
                   "检查结果不完整；请按上面的提示修正后重新检查。", err=True)
    sys.exit(run.exit_status)
