"""A bank line that ``studiofund import`` could not place, as the desk tests find it: the pending
entry (flag ``!``) on the holding account, after the holding account's open."""

from __future__ import annotations


def pending(date: str, payee: str, narration: str, ref: str, amount: str, *, opened: str = "2020-01-01") -> str:
    """The open of ``Expenses:Unclassified`` on ``opened``, then the pending payment of ``amount``
    from the dedicated account to ``payee`` with its bank reference ``ref``."""
    return (
        f'{opened} open Expenses:Unclassified CNY\n  name: "待分类支出"\n'
        f'{date} ! "{payee}" "{narration}"\n'
        f'  bank-ref: "{ref}"\n'
        f"  Assets:Bank:Dedicated  -{amount} CNY\n"
        f"  Expenses:Unclassified  {amount} CNY\n"
    )
