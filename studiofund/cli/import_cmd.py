"""``studiofund import`` — append a bank statement's new lines to a studio ledger, linking the
lines that hand-booked entries already book."""

from __future__ import annotations

from pathlib import Path

import click

from studiofund.importers import StatementError, UnknownBank, read_statements
from studiofund.importers.booking import Rules
from studiofund.importers.plan import PlanError, account_labels, plan_import, render_plan, summary_lines
from studiofund.importers.write import ImportWriteError, write_plan

from .common import InputError, Refused, open_ledger, studio_problem
from .params import LEDGER, InputFile, Text


def _links(values: tuple[str, ...]) -> dict[str, str]:
    forced = {}
    for value in values:
        key, sep, voucher = value.partition("=")
        if not sep or not key.strip() or not voucher.strip():
            raise InputError(f"--link {value!r} 的格式应为 流水号=凭证号（如 --link SZ20200408001503=2020-003）。")
        forced[key.strip()] = voucher.strip()
    return forced


@click.command("import")
@click.argument("statements", nargs=-1, required=True, type=InputFile("对账单文件"), metavar="对账单...")
@click.option("--ledger", "ledger_path", required=True, type=LEDGER,
              help="工作室账簿（顶层 .beancount 文件）。")
@click.option("--bank", default="auto", show_default=True, type=Text(64),
              help="银行：auto（自动识别）、icbc 工商银行、ccb 建设银行、boc 中国银行、abc 农业银行、"
                   "bocom 交通银行、cmb 招商银行，或 --mapping 文件中的 id。")
@click.option("--mapping", "mappings", multiple=True, type=InputFile("列映射文件"),
              help="其他银行的列映射文件（TOML，格式见 docs/import.md），可多次给出。")
@click.option("--link", "links", multiple=True, metavar="流水号=凭证号", type=Text(100),
              help="指明某笔流水就是某张凭证的手工分录（自动对账无法确定时），可多次给出。")
@click.option("--dry-run", is_flag=True, help="只显示将要追加的分录和对上的分录，不写入账簿。")
def import_statements(statements, ledger_path, bank, mappings, links, dry_run):
    """导入专户对账单：把账簿中还没有的流水追加为专户（Assets:Bank:Dedicated）的分录。

    已手工录入的分录（金额相同、对方一致、日期相差 7 天以内）与流水对上，只补记流水号（bank-ref），
    不重复记账；可能对应多笔的流水列出待确认。拨款按付款单位识别为市级拨款或区级配套，利息记其他收入；
    支出按本项目开支范围的关键词建议科目，无法归类的记入“待分类支出”并标记 !。导入前核对期初、期末余额，
    不符时说明两个数字和处理办法，什么也不写。重复导入同一文件不会新增任何分录。
    """

    forced = _links(links)
    ledger = Path(ledger_path)
    try:
        parsed = read_statements([str(s) for s in statements], bank, [str(m) for m in mappings])
    except (StatementError, UnknownBank) as exc:
        raise InputError(str(exc)) from None

    def plan_for(loaded):
        """The plan for the ledger as ``loaded``: for a write, as read under the writer's lock."""
        problem = studio_problem(loaded, writing=not dry_run)
        if problem:
            raise InputError(problem)
        return plan_import(parsed, loaded.entries, Rules.from_policy(loaded.policy),
                           account_labels(loaded.policy), forced=forced)

    try:
        if dry_run:
            plan = plan_for(open_ledger(ledger))
        else:  # planned again under the lock: a concurrent import's lines are not appended twice
            plan = write_plan(ledger, plan_for)
    except PlanError as exc:
        raise InputError(str(exc)) from None
    except ImportWriteError as exc:
        raise Refused(str(exc)) from None
    except OSError as exc:
        raise Refused(f"{ledger}：写入失败（{exc.strerror or exc}）；账簿未改动，请检查磁盘空间和权限后重试。") from None
    summary = summary_lines(plan)
    if plan.problems:
        for line in summary:
            click.echo(line, err=True)
        raise Refused("\n".join(plan.problems))
    if plan.is_empty:
        for line in summary:
            click.echo(line)
        click.echo("没有新的流水，账簿未改动。")
        return
    if dry_run:
        for line in summary:
            click.echo(line, err=True)
        click.echo(render_plan(plan))
        click.echo("（试运行：以上分录未写入账簿，对上的分录也未加 bank-ref。）", err=True)
        return
    for line in summary:
        click.echo(line)
    added = sum(r.new_transactions for r in plan.results)
    flagged = sum(1 for e in plan.entries if getattr(e, "flag", None) == "!")
    linked = f"，对上手工分录 {len(plan.links)} 笔（已补记 bank-ref）" if plan.links else ""
    click.echo(f"已写入 {ledger}：新增 {added} 笔分录{linked}，其中 {flagged} 笔标记为 !（待补全凭证、发票、签字或待分类）。")
