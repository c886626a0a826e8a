"""Every income and expense carries a voucher number (凭证号), used once."""

from __future__ import annotations

from ..framework import ERROR, Hit, RuleInfo, ledger_rules

MISSING_VOUCHER = RuleInfo("missing-voucher", ERROR, "缺少凭证号", "missing-voucher")
DUPLICATE_VOUCHER = RuleInfo("duplicate-voucher", ERROR, "凭证号重复", "duplicate-voucher")


@ledger_rules(MISSING_VOUCHER, DUPLICATE_VOUCHER)
class VoucherNumbers:
    """The voucher number of a transaction, two rules:

    * ``missing-voucher`` — an income or expense transaction without ``voucher:`` metadata
      cannot be traced to the voucher that booked it;
    * ``duplicate-voucher`` — one voucher number belongs to one transaction; the second use is
      reported, naming the first.
    """

    def __init__(self, ctx):
        self.ctx = ctx

    def finish(self):
        txns = self.ctx.txns
        # The common case — every income and expense has a voucher number of its own — is
        # settled by the forms and a set of the values, in C, instead of a check of each
        # transaction in the pass (callgrind, the pass alone over the check bench's ledger,
        # bench/rules_pass.py, with the invoice numbers and sign-off read in finish() too:
        # 1.255 G → 1.076 G). Findings come in their defined order wherever they are reported.
        numbers: list = []
        for form, positions in self.ctx.forms:
            if "voucher" in form.keys:
                numbers += [txns[i].meta["voucher"] for i in positions]
            elif form.expenses or form.incomes:
                break  # an income or expense without its number
        else:
            try:
                distinct = set(map(str.strip, numbers))
            except TypeError:  # a value that is not text
                distinct = None
            if distinct is not None and len(distinct) == len(numbers) and "" not in distinct:
                return
        first: dict[str, object] = {}  # voucher number → the transaction that used it first
        for txn in txns:
            voucher = txn.voucher
            if voucher is None:
                if txn.shape.form.expenses or txn.shape.form.incomes:
                    yield _missing(txn)
                continue
            entry = txn.entry
            found = first.setdefault(voucher, entry)
            if found is not entry:
                yield _duplicate(txn, voucher, found)


def _missing(txn) -> Hit:
    kind = "支出" if txn.is_expense else "收入"
    return Hit(txn.entry, f"这笔{kind}没有凭证号。请补记 voucher: \"年度-序号\"（与纸质记账凭证一致）。",
               rule=MISSING_VOUCHER.id)


def _duplicate(txn, voucher: str, first) -> Hit:
    where = f"{first.meta.get('filename')}:{first.meta.get('lineno')}"
    return Hit(
        txn.entry,
        f"凭证号 {voucher} 已用于 {first.date} 的另一笔业务（{where}）。"
        "请核对纸质凭证，改正其中一笔的凭证号。",
        rule=DUPLICATE_VOUCHER.id,
    )
