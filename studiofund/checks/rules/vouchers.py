"""Every income and expense carries a voucher number (凭证号), used once."""

from __future__ import annotations

from ..framework import ERROR, Check, Hit, RuleInfo, transaction_rules

MISSING_VOUCHER = RuleInfo("missing-voucher", ERROR, "缺少凭证号", "missing-voucher")
DUPLICATE_VOUCHER = RuleInfo("duplicate-voucher", ERROR, "凭证号重复", "duplicate-voucher")


@transaction_rules(MISSING_VOUCHER, DUPLICATE_VOUCHER)
def voucher_numbers(ctx):
    """The voucher number of a transaction, two rules:

    * ``missing-voucher`` — an income or expense transaction without ``voucher:`` metadata
      cannot be traced to the voucher that booked it;
    * ``duplicate-voucher`` — one voucher number belongs to one transaction; the second use is
      reported, naming the first.
    """
    first: dict[str, object] = {}  # voucher number → the transaction that used it first

    def check(txn, _):
        voucher = txn.voucher
        if voucher is None:
            if txn.shape.expenses or txn.shape.incomes:
                return [_missing(txn)]
            return None
        entry = txn.entry
        found = first.setdefault(voucher, entry)
        return None if found is entry else [_duplicate(txn, found)]

    # every transaction: any may reuse a number (its findings stay in the pass's order)
    return Check(check, lambda shape: True)


def _missing(txn) -> Hit:
    kind = "支出" if txn.is_expense else "收入"
    return Hit(txn.entry, f"这笔{kind}没有凭证号。请补记 voucher: \"年度-序号\"（与纸质记账凭证一致）。",
               rule=MISSING_VOUCHER.id)


def _duplicate(txn, first) -> Hit:
    where = f"{first.meta.get('filename')}:{first.meta.get('lineno')}"
    return Hit(
        txn.entry,
        f"凭证号 {txn.voucher} 已用于 {first.date} 的另一笔业务（{where}）。"
        "请核对纸质凭证，改正其中一笔的凭证号。",
        rule=DUPLICATE_VOUCHER.id,
    )
