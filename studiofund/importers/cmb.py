"""招商银行 (CMB) 企业银行 (U-BANK) 交易明细.

Key/value preamble rows (``账号：…``, ``账户名称：…``, ``币种：人民币``, 起止日期) above the
header; ``借方金额``/``贷方金额``; the counterparty in ``收(付)方名称`` and
``收(付)方账号``. The serial is ``流水号``.
"""

from .bank import Bank
from .layout import Layout

DETAIL = Layout(
    id="cmb",
    label="招商银行",
    columns={
        "date": ("交易日", "交易日期"),
        "time": ("交易时间",),
        "debit": ("借方金额",),
        "credit": ("贷方金额",),
        "balance": ("余额",),
        "counterparty": ("收(付)方名称", "对方名称"),
        "counterparty_account": ("收(付)方账号", "对方账号"),
        "summary": ("摘要",),
        "purpose": ("用途",),
        "remark": ("业务摘要", "其它摘要"),
        "serial": ("流水号",),
    },
    signature=("交易日", "收(付)方名称"),
)

BANK = Bank("cmb", "招商银行", (DETAIL,))
