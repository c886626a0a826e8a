"""``studiofund pending`` — the entries that still wait for their papers (``!``)."""

from __future__ import annotations

import json

import click

from studiofund.booking.pending import pending_entries
from studiofund.money import fmt_cn
from studiofund.reports.text import _rows

from .common import open_ledger
from .params import LEDGER, format_option


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@format_option(["text", "json"], "text")
def pending(ledger, fmt):
    """待补全的分录（!）：银行流水导入后尚缺凭证号、发票、签字或科目的分录，以及各自还缺什么。

    用 studiofund record 账簿 --complete 流水号 --account 科目 … 补全。
    """
    loaded = open_ledger(ledger)
    items = pending_entries(loaded.entries, loaded.findings)
    if fmt == "json":
        click.echo(json.dumps({"pending": [p.to_json() for p in items]}, ensure_ascii=False, indent=2))
        return
    if not items:
        click.echo(f"{ledger}：没有待补全的分录。")
        return
    rows = [["日期", "凭证号", "银行流水号", "收款/付款方", "摘要", "金额", "尚缺"]]
    for p in items:
        amount = fmt_cn(p.amount) if p.amount >= 0 else f"收入 {fmt_cn(-p.amount)}"
        rows.append([p.date.isoformat(), p.voucher or "—", p.bank_ref or "—", p.payee or "", p.narration or "",
                     amount, "、".join(p.missing) or "—"])
    click.echo(f"{ledger}：待补全的分录 {len(items)} 笔")
    click.echo("\n".join(_rows(rows, right=[5], indent="  ")))
    first = items[0]
    click.echo(f"\n补全：studiofund record {ledger} --complete {first.bank_ref or first.voucher} --account 科目 "
               "--invoice 发票号码 --approver 主持人 --reviewer 审核人")
