"""交通银行 (BOCOM) corporate online banking 账户明细查询.

One ``发生额`` column with a ``借贷标志`` (借 = paid out, 贷 = received). The serial is
``会计流水号`` (or ``交易流水号``).
"""

from .bank import Bank
from .layout import Layout

DETAIL = Layout(
    id="bocom",
    label="交通银行",
    columns={
        "date": ("交易日期", "记账日期", "交易时间"),
        "time": ("交易时间",),
        "amount": ("发生额", "交易金额"),
        "direction": ("借贷标志", "借贷方向"),
        "balance": ("余额", "账户余额"),
        "counterparty": ("对方户名", "对方账户名称"),
        "counterparty_account": ("对方账号",),
        "summary": ("摘要",),
        "purpose": ("用途", "附言"),
        "serial": ("会计流水号", "交易流水号", "流水号"),
    },
    signature=("借贷标志",),
)

BANK = Bank("bocom", "交通银行", (DETAIL,))
