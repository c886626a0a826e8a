"""``studiofund journal`` — the year's 经费使用台账 of one studio."""

from __future__ import annotations

from pathlib import Path

import click

from studiofund.ledger.loading import LedgerInputError, load_ledger
from studiofund.reports.journal import build_journal, journal_workbook, render_csv, render_table
from studiofund.reports.xlsx import to_bytes

from .common import InputError
from .report import emit

FORMATS = ["table", "csv", "xlsx"]


@click.command()
@click.argument("ledger", type=click.Path())
@click.option("--year", type=int, required=True, help="台账年度，如 2020。")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件（xlsx 必填）。")
def journal(ledger, year, fmt, output):
    """经费使用台账：逐笔列出日期、凭证号、收付款单位与摘要、科目、收入、支出、余额、发票号码、签字、附件和检查状态。"""
    try:
        loaded = load_ledger(ledger)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    if loaded.parse_errors:
        first = loaded.parse_errors[0]
        raise InputError(f"{ledger}:{first.source.get('lineno', '?')}：账簿有语法错误（{first.message}）；请先修正。")
    if loaded.load_errors or loaded.config_errors:
        n = len(loaded.load_errors) + len(loaded.config_errors)
        click.echo(f"警告：{ledger} 有 {n} 个加载错误，台账可能不完整；请运行 studiofund check {ledger} 查看并修正。", err=True)
    result = build_journal(loaded, year)
    if fmt == "csv":
        payload: str | bytes = render_csv(result)
    elif fmt == "xlsx":
        payload = to_bytes(journal_workbook(result))
    else:
        payload = render_table(result) + "\n"
    emit(payload, output, [Path(ledger)], fmt)
