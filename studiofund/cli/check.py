"""``studiofund check`` — the findings of one or more studio ledgers."""

from __future__ import annotations

import os
import sys

import click

from studiofund.checks.report import check_ledger, summary, to_json, to_text
from studiofund.ledger.loading import LedgerInputError, find_ledgers

from .common import InputError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--year", type=int, default=None, help="只列出该年度的问题。")
def check(paths, fmt, year):
    """检查账簿（或目录下的所有工作室账簿）：退出码 0 无违规，1 有违规，2 输入无法读取。"""
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise InputError(f"{missing[0]}：文件或目录不存在；请检查路径。")
    ledgers = find_ledgers(list(paths))
    if not ledgers:
        raise InputError(f"{'、'.join(paths)}：没有找到工作室账簿（声明了 plugin \"studiofund.plugin\" 的 .beancount 文件）。")
    results, unreadable = [], []
    for path in ledgers:
        try:
            results.append(check_ledger(path, year))
        except LedgerInputError as exc:
            unreadable.append(str(exc))
    if fmt == "json":
        import json

        click.echo(json.dumps(to_json(results), ensure_ascii=False, indent=2))
    else:
        click.echo(to_text(results))
    for message in unreadable:
        click.echo(f"错误：{message}", err=True)
    broken = any(r.unreadable for r in results)
    if broken:
        click.echo("错误：有账簿无法完整读取（语法错误或工作室声明/策略文件有误），检查结果不完整；请按上面的提示修正。", err=True)
    if unreadable or broken:
        sys.exit(2)
    sys.exit(1 if summary(results)["error"] else 0)
