"""Spending goes only to the categories the program permits (专款专用)."""

from __future__ import annotations

from ..framework import ERROR, Check, Hit, RuleInfo, transaction_rule

CATEGORY_NOT_PERMITTED = RuleInfo("category-not-permitted", ERROR, "超出开支范围", "category-not-permitted",
                                  reads=("accounts.account", "accounts.label"))


@transaction_rule(CATEGORY_NOT_PERMITTED)
def category_not_permitted(ctx):
    """Every expense posting is on a category the program's document lists.

    A posting on any other ``Expenses:`` account (or one of no program at all, such as an
    importer's holding account) is an error: rebook it to a permitted category, or refund it.
    Only what a transaction pays counts: a negative posting takes spending back (a refund, the
    reversal of a correction) and is no spending on that category.
    """
    policy = ctx.policy

    def facts(form):
        # the positions of the postings paid on a category the program does not list; None for
        # a form that pays only on permitted ones (every form of a sound ledger)
        wrong = tuple([i for i in form.paid if not policy.is_permitted(form.accounts[i])])
        return wrong or None

    def check(txn, wrong):
        postings = txn.entry.postings
        return [_not_permitted(txn, postings[i], policy) for i in wrong]

    return Check(check, facts, by_form=True)


def _not_permitted(txn, posting, policy) -> Hit:
    allowed = "、".join(f"{a.label}（{a.account}）" for a in policy.accounts)
    return Hit(
        txn.entry,
        f"科目 {posting.account} 不在本项目允许的开支范围内（金额 {posting.units}）。"
        f"请改记到允许的科目：{allowed}；不属于其中任何一类的支出不得由专项经费列支。",
    )
