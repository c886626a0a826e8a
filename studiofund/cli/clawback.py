"""``studiofund clawback`` — disqualification: the unused balance goes back to the bureau."""

from __future__ import annotations

import click

from studiofund.reports.yearend import YearEndError, plan_clawback

from .common import check_date, write_planned
from .params import LEDGER, Date, Text


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@click.option("--date", "date", required=True, type=Date(future_days=1), help="撤销（取消资格）的日期 YYYY-MM-DD。")
@click.option("--reason", required=True, type=Text(), help="撤销原因，如 \"年度考核不合格\"。")
def clawback(ledger, date, reason):
    """记录工作室撤销，并把该日专户余额全部转入应缴回经费（Liabilities:Refund:Bureau）。"""

    def planner(loaded, text):
        check_date(loaded, date)
        return plan_clawback(loaded, date, reason, text)

    write_planned(ledger, planner, (YearEndError,))
