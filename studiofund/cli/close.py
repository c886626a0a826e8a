"""``studiofund close`` — seal a reported year (or reopen it, on record)."""

from __future__ import annotations

import click

from studiofund.reports.yearend import YearEndError, plan_close, plan_reopen

from .common import InputError, check_year, write_planned
from .params import LEDGER, YEAR, Text


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@click.option("--year", type=YEAR, required=True, help="封账年度，如 2020。")
@click.option("--reopen", is_flag=True, help="重新开账（须写明 --reason，留档）。")
@click.option("--reason", default=None, type=Text(), help="重新开账的理由。")
def close(ledger, year, reopen, reason):
    """封账：记录该年度（含以前年度）全部账目的摘要，并把年末结余结转为下年期初余额；此后改动即为 sealed-period-changed。"""
    if reason is not None and not reopen:
        raise InputError("--reason 只用于 --reopen（重新开账）。")
    if reopen and reason is None:
        raise InputError("重新开账须用 --reason 写明理由，如 --reason \"更正 2020-015 发票号\"。")

    def planner(loaded, text):
        check_year(loaded, year)
        return plan_reopen(loaded, year, reason, text=text) if reopen else plan_close(loaded, year, text=text)

    write_planned(ledger, planner, (YearEndError,))
