"""``studiofund journal`` — the year's 经费使用台账 of one studio."""

from __future__ import annotations

from pathlib import Path

import click

from studiofund.reports.journal import build_journal, journal_workbook, render_csv, render_table
from studiofund.reports.xlsx import to_bytes

from .common import InputError, check_year, open_ledger
from .params import LEDGER, YEAR, format_option, OutputFile
from .report import emit

FORMATS = ["table", "csv", "xlsx"]


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@click.option("--year", type=YEAR, required=True, help="台账年度，如 2020。")
@format_option(FORMATS, "table")
@click.option("-o", "--output", type=OutputFile(), default=None, help="输出文件（xlsx 必填）。")
def journal(ledger, year, fmt, output):
    """经费使用台账：逐笔列出日期、凭证号、收付款单位与摘要、科目、收入、支出、余额、发票号码、签字、附件和检查状态。"""
    if fmt == "xlsx" and output is None:
        raise InputError("xlsx 格式需要用 -o 指定输出文件，如 -o 经费使用台账.xlsx。")
    loaded = open_ledger(ledger, incomplete="台账")
    check_year(loaded, year)
    result = build_journal(loaded, year)
    if fmt == "csv":
        payload: str | bytes = render_csv(result)
    elif fmt == "xlsx":
        payload = to_bytes(journal_workbook(result))
    else:
        payload = render_table(result) + "\n"
    emit(payload, output, [Path(ledger)], fmt)
