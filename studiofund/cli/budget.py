"""``studiofund budget`` — the year's budget per category (Fava's ``custom "budget"``)."""

from __future__ import annotations

import click

from studiofund.budget.plan import BudgetPlanError, parse_settings, plan_budget

from .common import check_year, write_planned
from .params import LEDGER, YEAR, Setting


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@click.option("--year", type=YEAR, required=True, help="预算年度，如 2021。")
@click.option("--set", "settings", type=Setting(), multiple=True, required=True, metavar="科目=金额",
              help="如 --set Research=8000 --set Materials=3000（科目可用英文短名或中文名称）。")
@click.option("--allow-over", is_flag=True, help="允许预算合计超过可用经费（有追加经费时）。")
def budget(ledger, year, settings, allow_over):
    """编制年度经费预算：写入（或替换）该年度各科目的 custom "budget" 指令，Fava 图表同样显示。"""

    def planner(loaded, text):
        check_year(loaded, year, ahead=1)  # next year's budget may be set before it begins
        return plan_budget(loaded, year, parse_settings(loaded.policy, list(settings)), allow_over, text=text)

    write_planned(ledger, planner, (BudgetPlanError,))
