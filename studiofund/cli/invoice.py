"""``studiofund invoice read FILE`` — what an e-invoice (数电票 XML, or OFD carrying it) says."""

from __future__ import annotations

import click

from studiofund.importers.einvoice import EInvoiceError, read_einvoice
from studiofund.money import fmt_cn

from .common import InputError
from .params import format_option, InputFile


@click.group()
def invoice() -> None:
    """电子发票（数电票）：读取 XML 或 OFD 文件中的发票数据。"""


@invoice.command("read")
@click.argument("file", type=InputFile("发票文件"), metavar="发票文件")
@format_option(["text", "json"], "text")
def read(file: str, fmt: str) -> None:
    """读取一张数电票（XML，或附带发票数据的 OFD）：号码、日期、红蓝字、销售方、购买方、项目与金额。

    文件无法读取（不是 XML、根元素不对、内容不完整、缺少发票号码、OFD 中没有发票数据）时退出码为 2。
    """

    try:
        found = read_einvoice(file)
    except EInvoiceError as exc:
        raise InputError(str(exc)) from None
    if fmt == "json":
        import json

        click.echo(json.dumps(found.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(to_text(found))


def to_text(inv) -> str:
    """The invoice for a person, in the words of the printed invoice."""
    from decimal import Decimal

    def party(p) -> str:
        return f"{p.name}（{p.tax_id}）" if p.tax_id else f"{p.name}（无纳税人识别号）"

    def rate(value) -> str:
        if isinstance(value, Decimal):
            return f"{format((value * 100).normalize(), 'f')}%"
        return value or ""

    kind = "蓝字发票" if inv.kind == "blue" else (
        f"红字发票（冲销蓝字发票 {inv.original_number}）" if inv.original_number else "红字发票（未载明被冲销的蓝字发票号码）"
    )
    lines = [
        f"发票号码：{inv.number}",
        f"开票日期：{inv.date.isoformat()}",
        f"类    型：{kind}",
        f"销 售 方：{party(inv.seller)}",
        f"购 买 方：{party(inv.buyer)}",
        "项    目：",
    ]
    for item in inv.items:
        quantity = f"  数量 {format(item.quantity.normalize(), 'f')}{item.unit or ''}" if item.quantity is not None else ""
        lines.append(
            f"  {item.name}  [类别 {item.category or '未知'}；编码 {item.code or '无'}]{quantity}"
            f"  金额 {fmt_cn(item.amount)}  税率 {rate(item.tax_rate)}  税额 {fmt_cn(item.tax)}  价税合计 {fmt_cn(item.total)}"
        )
    if not inv.items:
        lines.append("  （发票没有列出项目）")
    lines.append(f"合计金额：{fmt_cn(inv.amount)}    合计税额：{fmt_cn(inv.tax)}    价税合计：{fmt_cn(inv.total)} 元")
    if inv.remark:
        lines.append(f"备    注：{inv.remark}")
    return "\n".join(lines)
