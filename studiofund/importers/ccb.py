"""中国建设银行 (CCB) corporate online banking: 明细查询结果 (account detail query).

An XLS/XLSX/CSV with preamble rows (账号、户名、起止日期), headers padded with spaces or
full-width spaces (``借方发生额（支取）``), and in some versions a two-row header whose upper row
says ``发生额`` over ``借方（支取）`` and ``贷方（收入）``. The serial is
``账户明细编号-交易流水号``.
"""

from .bank import Bank
from .layout import Layout

DETAIL = Layout(
    id="ccb",
    label="中国建设银行",
    columns={
        "date": ("交易时间", "交易日期", "记账日期"),
        "debit": ("借方发生额", "发生额借方", "借方", "支取"),
        "credit": ("贷方发生额", "发生额贷方", "贷方", "收入"),
        "balance": ("余额", "账户余额"),
        "currency": ("币种",),
        "counterparty": ("对方户名", "对方账户名称"),
        "counterparty_account": ("对方账号",),
        "summary": ("摘要",),
        "purpose": ("备注", "用途"),
        "serial": ("账户明细编号-交易流水号", "交易流水号", "账户明细编号"),
    },
    signature=("对方开户机构", "记账日期"),
)

BANK = Bank("ccb", "中国建设银行", (DETAIL,))
