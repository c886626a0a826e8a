"""Every income and expense carries a voucher number (凭证号), used once."""

from __future__ import annotations

from beancount.core.data import Transaction

from ..findings import ERROR
from ..framework import Hit, ledger_rule, transaction_rule


@transaction_rule("missing-voucher", ERROR)
def missing_voucher(txn, ctx):
    """An income or expense transaction without ``voucher:`` metadata cannot be traced to
    the voucher that booked it."""
    if txn.voucher is not None or not (txn.expenses or txn.incomes):
        return None
    kind = "支出" if txn.is_expense else "收入"
    return [Hit(txn.entry, f"这笔{kind}没有凭证号。请补记 voucher: \"年度-序号\"（与纸质记账凭证一致）。")]


@ledger_rule("duplicate-voucher", ERROR)
class DuplicateVoucher:
    """One voucher number belongs to one transaction; the second use is reported, naming the
    first."""

    visits = (Transaction,)

    def __init__(self, ctx):
        self.first: dict[str, object] = {}

    def visit(self, entry, txn):
        if txn is None or txn.voucher is None:
            return None
        first = self.first.setdefault(txn.voucher, entry)
        if first is entry:
            return None
        where = f"{first.meta.get('filename')}:{first.meta.get('lineno')}"
        return [Hit(
                entry,
                f"凭证号 {txn.voucher} 已用于 {first.date} 的另一笔业务（{where}）。"
                "请核对纸质凭证，改正其中一笔的凭证号。",
            )]
