"""中国农业银行 (ABC) corporate online banking 账户明细.

``收入金额`` and ``支出金额`` columns and ``本次余额``; exports of several pages carry a
``本页小计`` row after each page and ``合计`` at the end, inside the data (skipped). No serial:
lines are keyed by date, time, amount, counterparty and balance.
"""

from .bank import Bank
from .layout import Layout

DETAIL = Layout(
    id="abc",
    label="中国农业银行",
    columns={
        "date": ("交易时间", "交易日期"),
        "time": ("时间",),
        "debit": ("支出金额",),
        "credit": ("收入金额",),
        "balance": ("本次余额", "账户余额", "余额"),
        "counterparty": ("对方户名",),
        "counterparty_account": ("对方账号",),
        "summary": ("交易摘要", "摘要"),
        "purpose": ("交易用途", "用途", "交易说明"),
        "remark": ("交易附言", "附言"),
    },
    signature=("收入金额", "支出金额"),
    has_serial=False,
)

BANK = Bank("abc", "中国农业银行", (DETAIL,))
