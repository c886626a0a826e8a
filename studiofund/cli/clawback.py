"""``studiofund clawback`` — disqualification: the unused balance goes back to the bureau."""

from __future__ import annotations

import click

from studiofund.reports.yearend import YearEndError, plan_clawback

from .common import write_planned


@click.command()
@click.argument("ledger", type=click.Path())
@click.option("--date", "date", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="撤销（取消资格）的日期 YYYY-MM-DD。")
@click.option("--reason", required=True, help="撤销原因，如 \"年度考核不合格\"。")
def clawback(ledger, date, reason):
    """记录工作室撤销，并把该日专户余额全部转入应缴回经费（Liabilities:Refund:Bureau）。"""
    write_planned(ledger, lambda loaded, text: plan_clawback(loaded, date.date(), reason, text), (YearEndError,))
