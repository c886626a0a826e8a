"""``studiofund record`` — book one payment from the dedicated account, checked before the write."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from studiofund.booking.accounts import BookingUsageError
from studiofund.booking.attachments import Attachment
from studiofund.booking.complete import Completion, complete
from studiofund.booking.einvoice import EInvoiceMismatch, apply_einvoice
from studiofund.booking.measures import Measures
from studiofund.booking.record import Payment, record as book, render_text
from studiofund.files import read_source
from studiofund.ledger.writer import LedgerWriteError
from studiofund.money import parse_money

from .common import InputError
from .params import LEDGER, Amount, format_option, Date, InputFile, Text, param_name

TEXT = Text()
MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024  # a scan of a few pages; more is not a voucher's scan
NUMBER = Text(64)  # vouchers, invoice numbers, ID numbers, asset numbers


def _tax(ctx, param, value):
    """``auto`` or an amount (not negative, two places)."""
    if value is None or value.strip().lower() == "auto":
        return None if value is None else "auto"
    try:
        return str(parse_money(value))
    except ValueError as exc:
        raise click.BadParameter(f"{param_name(param)}：{exc}（或写 auto 按劳务报酬计算）", ctx, param) from None


def _read(name, what: str, max_bytes: int = MAX_ATTACHMENT_BYTES) -> bytes:
    data, problem = read_source(name, max_bytes=max_bytes, max_line=None)
    if data is None:
        raise InputError(f"{name}：无法读取{what}（{problem}）。")
    return data


@click.command()
@click.argument("ledger", type=LEDGER, metavar="账簿")
@click.option("--date", "date", default=None, type=Date(future_days=1),
              help="付款日期 YYYY-MM-DD（用 --einvoice 时可不填，取开票日期；--complete 时取自银行流水）。")
@click.option("--payee", default=None, type=TEXT, help="收款方（单位或个人姓名；用 --einvoice 时可不填，取销售方）。")
@click.option("--narration", default=None, type=TEXT, help="摘要，如 \"购买班主任工作图书资料\"。")
@click.option("--account", required=True, type=Text(64),
              help="支出科目：英文短名（Materials）、全名（Expenses:Materials）或本项目的中文科目名称。")
@click.option("--amount", default=None, type=Amount(negative=True, zero=False),
              help="金额（元；支付给个人时为税前金额；用 --einvoice 时可不填，取价税合计，填了须与发票一致；"
                   "--complete 时取自银行流水）。")
@click.option("--voucher", default=None, type=NUMBER, help="凭证号；不给时自动取本年度下一个 YYYY-NNN。")
@click.option("--invoice", "invoices", multiple=True, type=Text(64, forbid=","), help="发票号码；多张发票重复给出。")
@click.option("--approver", default=None, type=TEXT, help="主持人签字（姓名）。")
@click.option("--reviewer", default=None, type=TEXT, help="审核人（法定代表人）签字（姓名）。")
@click.option("--payee-id", default=None, type=NUMBER, help="收款人身份证号（支付给个人时必填，可部分隐去）。")
@click.option("--tax", default=None, callback=_tax, help="代扣个人所得税：auto（按劳务报酬计算）或金额。")
@click.option("--asset-id", default=None, type=NUMBER, help="资产编号（达到固定资产标准的设备）。")
@click.option("--hours", default=None, metavar="学时", type=Text(16),
              help="讲课费：讲课学时（正数，如 4 或 1.5），按职称核对讲课费标准。")
@click.option("--title", default=None, metavar="职称", type=Text(16),
              help="讲课费：讲课人职称：中级、副高、正高或院士（也可写教授、高级教师等）。")
@click.option("--persons", default=None, metavar="人数", type=Text(16),
              help="培训、会议、食宿：参加人数（正整数），与 --days 一起按每人每天核对开支标准。")
@click.option("--days", default=None, metavar="天数", type=Text(16), help="培训、会议、食宿：天数（正整数）。")
@click.option("--attach", "attachments", multiple=True, type=InputFile("附件"),
              help="发票或单据扫描件（PDF、图片、OFD），按凭证号保存到账簿的附件目录；可多次给出。")
@click.option("--einvoice", default=None, type=InputFile("电子发票"),
              help="电子发票（数电票 XML，或附带发票数据的 OFD）：填入收款方、金额、日期、发票号码与开票项目，并作为附件保存。")
@click.option("--corrects", default=None, metavar="凭证号", type=NUMBER,
              help="本笔是对该凭证的更正（整改凭证，记 corrects:；如红字发票冲回原支出、冲销后重新入账）；"
                   "退款、划回、冲销本身请用 studiofund correct。")
@click.option("--complete", "complete_ref", default=None, metavar="流水号或凭证号", type=NUMBER,
              help="补全一笔待处理（!）分录（studiofund pending 列出）：日期、收款方、摘要、金额取自该分录。")
@click.option("--dry-run", is_flag=True, help="只检查并显示分录和检查结果，不写入账簿。")
@format_option(["text", "json"], "text")
def record(ledger, date, payee, narration, account, amount, voucher, invoices, approver, reviewer, payee_id,
           tax, asset_id, hours, title, persons, days, attachments, einvoice, corrects, complete_ref, dry_run, fmt):
    """记一笔专户支出：先按本项目的全部规定检查“记账后的账簿”，有违规则不记账（退出码 1），否则写入（退出码 0）。

    --complete 补全导入的待处理分录：补齐后没有违规即改为 *（退出码 0）；仍有违规时写入已补齐的内容、保持 !，
    列出尚缺的内容（退出码 1）。
    """
    ledger = str(ledger)
    if amount is not None and amount < 0 and einvoice is None:  # only a red invoice is printed negative
        raise InputError(f"--amount {amount}：金额不能为负；退款、划回、冲销请用 studiofund correct，"
                         "红字发票请用 --einvoice 附上发票并以 --corrects 指明原凭证。")
    measures = Measures(hours=hours, title=title, persons=persons, days=days)  # checked by the booking
    scans = []
    for name in attachments:
        scans.append(Attachment(Path(name).name, _read(name, "附件")))
    if complete_ref is not None:
        if date is not None:
            raise InputError("--complete 时日期取自银行流水，不能再给 --date。")
        if einvoice is not None:
            raise InputError("--complete 时请用 --invoice 填写发票号码、--attach 附上发票文件（不能同时用 --einvoice）。")
        completion = Completion(
            ref=complete_ref, account=account, voucher=voucher, invoices=tuple(invoices), approver=approver,
            reviewer=reviewer, payee_id=payee_id, tax=tax, asset_id=asset_id, attachments=tuple(scans),
            amount=amount, payee=payee, narration=narration, corrects=corrects, measures=measures)
        try:
            result = complete(ledger, completion, dry_run=dry_run)
        except (BookingUsageError, LedgerWriteError) as exc:
            raise InputError(str(exc)) from None
        click.echo(as_json(result) if fmt == "json" else render_completion(result, dry_run))
        sys.exit(0 if result.completed else 1)
    if complete_ref is None and narration is None:
        raise InputError("请给出 --narration（摘要）；补全导入的待处理分录时用 --complete 流水号。")
    payment = Payment(
        date=date, payee=payee, narration=narration, account=account, amount=amount,
        voucher=voucher, invoices=tuple(invoices), approver=approver, reviewer=reviewer, payee_id=payee_id,
        tax=tax, asset_id=asset_id, attachments=tuple(scans), corrects=corrects, measures=measures,
    )
    if einvoice is not None:  # the e-invoice fills payee, amount, date, number and its items
        try:
            payment, _ = apply_einvoice(payment, Attachment(Path(einvoice).name, _read(einvoice, "电子发票")))
        except BookingUsageError as exc:
            raise InputError(str(exc)) from None
        except EInvoiceMismatch as exc:  # refused like an error finding: exit 1, nothing written
            if fmt == "json":
                click.echo(json.dumps({"written": False, "voucher": voucher, "filename": ledger, "lineno": 0,
                                       "entry": "", "findings": [], "error": str(exc)}, ensure_ascii=False, indent=2))
            click.echo(f"错误：{exc}", err=True)
            sys.exit(1)
    missing = [option for option, value in (("--date", payment.date), ("--payee", payment.payee),
                                            ("--amount", payment.amount)) if value is None]
    if missing:
        raise InputError(f"缺少 {'、'.join(missing)}；请填写，或用 --einvoice 从电子发票读取"
                         "（补全导入的待处理分录时用 --complete 流水号）。")
    try:
        result = book(ledger, payment, dry_run=dry_run)
    except (BookingUsageError, LedgerWriteError) as exc:
        raise InputError(str(exc)) from None
    click.echo(as_json(result) if fmt == "json" else render_text(result))
    sys.exit(1 if result.refused else 0)


def as_json(result) -> str:
    """A booking's answer as ``--format json`` prints it (CONTRACT.md)."""
    return json.dumps(result.to_json(), ensure_ascii=False, indent=2)


def render_completion(result, dry_run: bool) -> str:
    """The text answer of ``record --complete``."""
    if result.completed:
        head = (f"试运行：待处理分录 {result.ref} 补全后可改为 *（凭证 {result.voucher}），未写入账簿。" if dry_run else
                f"已补全：待处理分录 {result.ref} → 凭证 {result.voucher}（*）→ {result.filename}:{result.lineno}")
    elif result.written:
        head = (f"已写入补齐的内容，但仍有违规，分录保持 !（凭证 {result.voucher}，{result.filename}:{result.lineno}）。"
                "请按下列提示继续补全。")
    else:
        head = f"试运行：待处理分录 {result.ref} 补全后仍有违规，将保持 !（凭证 {result.voucher}）。"
    return render_text(result, head)
