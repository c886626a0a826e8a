"""中国工商银行 (ICBC) corporate online banking: the HISTORYDETAIL export (历史明细).

Three column variants: the classic ``借方发生额/贷方发生额`` one with ``本方账号`` and
``对方单位名称``; its sibling with one ``金额`` column and ``借/贷`` (``对方单位``, times written
as ICBC's ``2020-03-10-10.15.22.000000``); and the newer ``转出金额/转入金额`` one. None has a
serial that is unique per line (``凭证号`` is often blank), so lines are keyed by date, time,
amount, counterparty and balance. Cells are often padded with tabs or written as ``="…"``; the
table reader strips both.
"""

from .bank import Bank
from .layout import Layout

HISTORYDETAIL = Layout(
    id="icbc",
    label="中国工商银行（借方/贷方发生额）",
    columns={
        "date": ("交易时间", "交易日期"),
        "debit": ("借方发生额",),
        "credit": ("贷方发生额",),
        "amount": ("金额", "发生额"),
        "direction": ("借/贷", "借贷标志"),
        "balance": ("余额", "账户余额"),
        "counterparty": ("对方单位名称", "对方户名", "对方单位"),
        "counterparty_account": ("对方账号",),
        "own_account": ("本方账号", "账号"),
        "summary": ("摘要",),
        "purpose": ("用途",),
        "remark": ("个性化信息", "附言"),
    },
    signature=("本方账号", "对方行号"),
    has_serial=False,
)

TRANSFER = Layout(
    id="icbc-transfer",
    label="中国工商银行（转出/转入金额）",
    columns={
        "date": ("交易日期", "交易时间"),
        "time": ("交易时间", "时间"),
        "debit": ("转出金额",),
        "credit": ("转入金额",),
        "balance": ("余额", "账户余额"),
        "counterparty": ("对方户名", "对方单位名称"),
        "counterparty_account": ("对方账号",),
        "own_account": ("本方账号", "账号"),
        "summary": ("摘要",),
        "purpose": ("用途",),
        "remark": ("附言",),
    },
    signature=("转出金额", "转入金额"),
    has_serial=False,
)

BANK = Bank("icbc", "中国工商银行", (HISTORYDETAIL, TRANSFER))
