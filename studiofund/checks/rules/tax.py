"""The tax withheld on a payment to a person matches the law's 劳务报酬 formula.

A lecture fee, 课酬 or 劳务费 paid to a person (a posting on a category the policy marks
``pays_individuals``) records the personal income tax withheld in ``tax-withheld:``. It must be
the formula of :mod:`studiofund.policy.tax` applied to the gross fee — the expense posting
(CONTRACT.md: an expense to a person is booked gross; the bank pays the net and the tax goes to
``Liabilities:Tax:Withheld``) — within 1.00 CNY.

A posting may carry its own ``tax-withheld:`` (several people paid in one voucher): it is checked
against that posting alone; the others share the transaction's. A missing or non-numeric
``tax-withheld`` is ``payee-undocumented``'s finding, not this rule's. Nothing here is a guess
about *who* was paid: 工资薪金 of the school's own staff are not booked on these categories.
"""

from __future__ import annotations

from decimal import Decimal

from studiofund.ledger.meta import number
from studiofund.money import fmt_cn
from studiofund.policy.tax import SOURCE, TOLERANCE, labour_remuneration, labour_remuneration_tax

from ..framework import ERROR, Hit, RuleInfo, ledger_rule

TAX_WITHHOLDING = RuleInfo(
    "tax-withholding",
    ERROR,
    "代扣个税与劳务报酬预扣公式不符",
    "tax-withholding",
    reads=("accounts.pays_individuals", "accounts.label"),
)

TAX_WITHHELD = "tax-withheld"
_ZERO = Decimal(0)


def withholding_problem(gross: Decimal, withheld: Decimal) -> str | None:
    """What is wrong with ``withheld`` on a payment of ``gross``; None when it matches the
    formula on the gross fee within the tolerance."""
    if abs(withheld - labour_remuneration_tax(gross)) <= TOLERANCE:
        return None
    due = labour_remuneration(gross)  # with its working, for the message
    short = "少扣" if withheld < due.tax else "多扣"
    return (
        f"劳务报酬 {fmt_cn(gross)} 元记录代扣个税 {fmt_cn(withheld)} 元，按预扣公式应为 "
        f"{fmt_cn(due.tax)} 元（{due.explain()}），{short} {fmt_cn(abs(withheld - due.tax))} 元。"
        f"请核对并更正 tax-withheld；如确属{short}，应{'补扣补缴' if short == '少扣' else '退还多扣税款'}。"
        f"计算依据：{SOURCE}"
    )


@ledger_rule(TAX_WITHHOLDING)
class TaxWithholding:
    """``tax-withheld`` of each payment to a person differs from the 劳务报酬 formula on the gross
    fee by at most 1.00 CNY."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.policy = ctx.policy
        self.accounts = tuple(a.account for a in ctx.policy.accounts if a.pays_individuals)

    def finish(self):
        if not self.accounts:
            return
        accounts, prefixes = self.accounts, tuple(a + ":" for a in self.accounts)

        def to_person(account: str) -> bool:
            return account in accounts or account.startswith(prefixes)

        # only the payments on the persons' categories (the pass indexes payments by account);
        # which of a payment's postings pay persons, its form says
        paid_to_persons: dict[object, tuple[int, ...]] = {}  # form → the positions
        for txn in self.ctx.payments_on(to_person):
            form = txn.shape.form
            positions = paid_to_persons.get(form)
            if positions is None:
                positions = paid_to_persons[form] = tuple(i for i in form.paid if to_person(form.accounts[i]))
            postings = txn.entry.postings
            persons = [postings[i] for i in positions]
            shared = []
            for posting in persons:
                own = number(posting.meta, TAX_WITHHELD)
                if own is None:
                    shared.append(posting)
                    continue
                problem = withholding_problem(posting.units.number, own)
                if problem:
                    yield self._hit(txn, posting.account, problem, posting.units.number, own)
            withheld = number(txn.meta, TAX_WITHHELD)
            if shared and withheld is not None:
                gross = sum((p.units.number for p in shared), _ZERO)
                problem = withholding_problem(gross, withheld)
                if problem:
                    yield self._hit(txn, shared[0].account, problem, gross, withheld)

    def _hit(self, txn, account: str, problem: str, gross: Decimal, withheld: Decimal) -> Hit:
        who = f"支付给“{txn.entry.payee}”的" if txn.entry.payee else "支付给个人的"
        return Hit(txn.entry, f"{who}{self.policy.label(account)}：{problem}",
                   evidence=(f"gross {gross:.2f}", f"tax-withheld {withheld:.2f}",
                             f"formula {labour_remuneration(gross).tax:.2f}"))
