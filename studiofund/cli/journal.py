"""``studiofund journal`` — the year's 经费使用台账 of one studio."""

from __future__ import annotations

from pathlib import Path

import click

from studiofund.reports.journal import build_journal, journal_workbook, render_csv, render_table
from studiofund.reports.xlsx import to_bytes

from .common import open_ledger
from .report import emit

FORMATS = ["table", "csv", "xlsx"]


@click.command()
@click.argument("ledger", type=click.Path())
@click.option("--year", type=int, required=True, help="台账年度，如 2020。")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件（xlsx 必填）。")
def journal(ledger, year, fmt, output):
    """经费使用台账：逐笔列出日期、凭证号、收付款单位与摘要、科目、收入、支出、余额、发票号码、签字、附件和检查状态。"""
    loaded = open_ledger(ledger, refuse_syntax_errors=True, incomplete="台账")
    result = build_journal(loaded, year)
    if fmt == "csv":
        payload: str | bytes = render_csv(result)
    elif fmt == "xlsx":
        payload = to_bytes(journal_workbook(result))
    else:
        payload = render_table(result) + "\n"
    emit(payload, output, [Path(ledger)], fmt)
