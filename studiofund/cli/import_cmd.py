"""``studiofund import`` — append a bank statement's new lines to a studio ledger."""

from __future__ import annotations

from pathlib import Path

import click

from .common import InputError, Refused


@click.command("import")
@click.argument("statements", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--ledger", "ledger_path", required=True, type=click.Path(dir_okay=False),
              help="工作室账簿（顶层 .beancount 文件）。")
@click.option("--bank", default="auto", show_default=True,
              help="银行：auto（自动识别）、icbc 工商银行、ccb 建设银行、boc 中国银行、abc 农业银行、"
                   "bocom 交通银行、cmb 招商银行，或 --mapping 文件中的 id。")
@click.option("--mapping", "mappings", multiple=True, type=click.Path(dir_okay=False),
              help="其他银行的列映射文件（TOML，格式见 docs/import.md），可多次给出。")
@click.option("--dry-run", is_flag=True, help="只显示将要追加的分录，不写入账簿。")
def import_statements(statements, ledger_path, bank, mappings, dry_run):
    """导入专户对账单：把账簿中还没有的流水追加为专户（Assets:Bank:Dedicated）的分录。

    拨款按付款单位识别为市级拨款或区级配套，利息记其他收入；支出按本项目开支范围的关键词建议科目，
    无法归类的记入“待分类支出”并标记 !。每个对账单以期末余额断言结束。重复导入同一文件不会新增任何分录。
    """
    from studiofund.importers import BANKS, StatementError, builtin_layouts, load_mapping
    from studiofund.importers.booking import Rules
    from studiofund.importers.plan import account_labels, plan_import, render_plan, summary_lines
    from studiofund.importers.statement import read_statement
    from studiofund.ledger.io import LedgerWriteError, rewrite_ledger
    from studiofund.ledger.loading import LedgerInputError, load_ledger

    try:
        extra = [load_mapping(m) for m in mappings]
    except StatementError as exc:
        raise InputError(str(exc)) from None
    banks = {**BANKS, **{b.id: b for b in extra}}
    if bank == "auto":
        layouts = builtin_layouts() + [layout for b in extra for layout in b.layouts]
    elif bank in banks:
        layouts = list(banks[bank].layouts)
    else:
        known = "、".join(f"{k}（{b.label}）" for k, b in banks.items())
        raise InputError(f"未知的银行 {bank!r}。可用：auto、{known}；其他银行请用 --mapping 给出列映射文件。")

    ledger = Path(ledger_path)
    try:
        loaded = load_ledger(ledger)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    if loaded.parse_errors:
        first = loaded.parse_errors[0]
        raise InputError(
            f"{ledger}:{first.source.get('lineno', '?')}：账簿有语法错误（{first.message}）；请先修正再导入。"
        )
    if loaded.policy is None:
        why = loaded.config_errors[0].message if loaded.config_errors else "找不到工作室声明或项目策略。"
        raise InputError(f"{ledger}：{why}")

    try:
        parsed = [read_statement(path, layouts) for path in statements]
    except StatementError as exc:
        raise InputError(str(exc)) from None
    numbers = {s.account_number for s in parsed if s.account_number}
    if len(numbers) > 1:
        raise InputError(
            f"这些对账单属于不同账户（{'、'.join(sorted(numbers))}）；专项经费只有一个专户，请只导入专户的对账单。"
        )

    policy = loaded.policy
    rules = Rules.from_policy(policy)
    plan = plan_import(parsed, loaded.entries, rules, account_labels(policy))
    if plan.is_empty:
        for line in summary_lines(plan):
            click.echo(line)
        click.echo("没有新的流水，账簿未改动。")
        return
    text = render_plan(plan)
    if dry_run:
        for line in summary_lines(plan):
            click.echo(line, err=True)
        click.echo(text)
        click.echo("（试运行：以上分录未写入账簿。）", err=True)
        return

    original = ledger.read_bytes().decode("utf-8")
    separator = "" if not original else ("\n" if original.endswith("\n") else "\n\n")
    try:
        rewrite_ledger(ledger, original + separator + text + "\n")
    except LedgerWriteError as exc:
        hint = ""
        if "Balance failed" in str(exc):
            hint = ("对账单的期末余额与账簿中专户的余额不符：可能漏导了更早的对账单、手工录入了与银行流水重复的分录，"
                    "或账簿的期初余额有误。请先核对，再导入。")
        raise Refused(f"{exc}{hint}") from None
    except OSError as exc:
        raise Refused(f"{ledger}：写入失败（{exc.strerror or exc}）；账簿未改动，请检查磁盘空间和权限后重试。") from None
    for line in summary_lines(plan):
        click.echo(line)
    added = sum(r.new_transactions for r in plan.results)
    flagged = sum(1 for e in plan.entries if getattr(e, "flag", None) == "!")
    click.echo(f"已写入 {ledger}：新增 {added} 笔分录，其中 {flagged} 笔标记为 !（待补全凭证、发票、签字或待分类）。")

