"""``studiofund correct`` — 整改: put a booked voucher right with a correcting entry."""

from __future__ import annotations

import datetime
import json
import sys

import click

from studiofund.booking.accounts import BookingUsageError
from studiofund.booking.corrections import HOWS, Correction, correct as book_correction
from studiofund.booking.record import answer_text
from studiofund.ledger.writer import LedgerWriteError

from .common import InputError
from .params import LEDGER, Amount, Choice, format_option, Date, Text

NUMBER = Text(64)  # a voucher number


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@click.argument("voucher", type=NUMBER, metavar="凭证号")
@click.option("--how", type=Choice(sorted(HOWS)), required=True,
              help="refund：收款方退回专户；transfer：学校自有资金划回专户；reverse：冲销（再用 record --corrects 重新入账）。")
@click.option("--date", "date", type=Date(future_days=1), default=None, help="整改日期（默认今天）。")
@click.option("--amount", default=None, type=Amount(zero=False), help="只整改其中一部分（元）；默认整笔冲回。")
@click.option("--voucher", "new_voucher", default=None, type=NUMBER, help="整改凭证的凭证号；默认本年度下一个 YYYY-NNN。")
@click.option("--payee", default=None, type=Text(), help="付款方（默认：退回为原收款方，划回为承担单位）。")
@click.option("--narration", default=None, type=Text(), help="摘要（默认按整改方式生成）。")
@click.option("--dry-run", is_flag=True, help="只显示整改分录和检查结果，不写入账簿。")
@format_option(["text", "json"], "text")
def correct(ledger, voucher, how, date, amount, new_voucher, payee, narration, dry_run, fmt):
    """整改：为已入账的凭证记一笔整改凭证（corrects:），不修改、不删除原分录。

    原凭证上的检查发现在问题金额全部冲回后即为“已整改”。退出码：0 已记（或试运行可记）；1 整改分录本身有违规，
    未记；2 用法错误。
    """
    correction = Correction(voucher=voucher, how=how, date=date or datetime.date.today(), amount=amount,
                            new_voucher=new_voucher, payee=payee, narration=narration)
    try:
        result = book_correction(str(ledger), correction, dry_run=dry_run)
    except (BookingUsageError, LedgerWriteError) as exc:
        raise InputError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
        sys.exit(1 if result.refused else 0)
    if result.written:
        head = f"已记整改凭证 {result.voucher}（{HOWS[how]}，更正凭证 {voucher}）→ {result.filename}:{result.lineno}"
    elif result.refused:
        head = f"未记账：整改分录本身有违规（凭证 {result.voucher}），账簿未改动。"
    else:
        head = f"试运行：整改凭证 {result.voucher} 可以记账（未写入账簿）。"
    corrected = [f"凭证 {voucher} 的检查发现：{'仍未整改' if f.is_open else '已整改'}：{f.message}"
                 for f in result.corrected]
    click.echo(answer_text(head, result.entry, result.findings, corrected))
    sys.exit(1 if result.refused else 0)
