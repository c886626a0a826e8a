"""``studiofund clawback`` — disqualification: the unused balance goes back to the bureau."""

from __future__ import annotations

import click

from studiofund.ledger.io import LedgerWriteError, rewrite_ledger
from studiofund.ledger.loading import LedgerInputError, load_ledger
from studiofund.reports.yearend import YearEndError, plan_clawback

from .common import InputError, Refused


def load_for_write(ledger: str):
    """Load a ledger that a command will change (exit 2 if it cannot be read)."""
    try:
        return load_ledger(ledger)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None


def write_plan(loaded, plan) -> None:
    try:
        rewrite_ledger(loaded.path, plan.text)
    except LedgerWriteError as exc:
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(f"{loaded.path}：无法写入（{exc.strerror}）；未做任何修改。") from None
    click.echo(plan.summary)


@click.command()
@click.argument("ledger", type=click.Path())
@click.option("--date", "date", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="撤销（取消资格）的日期 YYYY-MM-DD。")
@click.option("--reason", required=True, help="撤销原因，如 \"年度考核不合格\"。")
def clawback(ledger, date, reason):
    """记录工作室撤销，并把该日专户余额全部转入应缴回经费（Liabilities:Refund:Bureau）。"""
    loaded = load_for_write(ledger)
    try:
        plan = plan_clawback(loaded, date.date(), reason)
    except YearEndError as exc:
        raise Refused(str(exc)) from None
    write_plan(loaded, plan)
