"""中国银行 (BOC) corporate online banking (BOCNET) 交易明细.

Bilingual headers (``交易日期[ Transaction Date ]``), one signed ``交易金额`` (negative = paid
out), and both the payer's and the payee's account and name: the counterparty is whichever side
is not our account (the account that appears on every line). The serial is ``交易流水号``.
"""

from .bank import Bank
from .layout import Layout

DETAIL = Layout(
    id="boc",
    label="中国银行",
    columns={
        "date": ("交易日期",),
        "time": ("交易时间",),
        "amount": ("交易金额",),
        "balance": ("交易后余额", "余额"),
        "currency": ("交易货币", "币种"),
        "payer_account": ("付款人账号",),
        "payer_name": ("付款人名称",),
        "payee_account": ("收款人账号",),
        "payee_name": ("收款人名称",),
        "summary": ("摘要",),
        "purpose": ("用途",),
        "remark": ("交易附言", "附言"),
        "serial": ("交易流水号",),
    },
    signature=("付款人账号", "收款人账号"),
)

BANK = Bank("boc", "中国银行", (DETAIL,))
