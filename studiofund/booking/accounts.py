"""Which expense account a finance officer means: ``Materials``, ``Expenses:Materials`` or the
program's Chinese label (``图书资料购置``)."""

from __future__ import annotations

import functools

from studiofund.policy import bundled_ids, load_program
from studiofund.policy.models import EXPENSE_ACCOUNTS


class BookingUsageError(Exception):
    """Bad usage or unreadable input (exit status 2); the message says what to do, in Chinese."""


@functools.cache
def _bundled_labels() -> dict[str, str]:
    """Label → account over every bundled program (a label of another program is still a
    category of the chart: using it where it is not permitted is a refusal, not bad usage)."""
    labels: dict[str, str] = {}
    for program_id in bundled_ids():
        for item in load_program(program_id).accounts:
            labels.setdefault(item.label, item.account)
    return labels


def _in_chart(account: str) -> bool:
    return any(account == a or account.startswith(a + ":") for a in EXPENSE_ACCOUNTS)


def resolve_account(policy, name: str) -> str:
    """The full expense account ``name`` means, permitted by ``policy`` or not.

    Raises :class:`BookingUsageError` for a name that is no category of the chart of accounts
    (in no program at all)."""
    typed = " ".join(str(name).split())
    if not typed:
        raise BookingUsageError("请给出支出科目（--account），如 Materials 或本项目的中文科目名称。")
    for item in policy.accounts:
        if typed == item.label:
            return item.account
    full = typed if typed.startswith("Expenses:") else f"Expenses:{typed}"
    if _in_chart(full):
        return full
    lowered = {a.lower(): a for a in EXPENSE_ACCOUNTS}
    if full.lower() in lowered:
        return lowered[full.lower()]
    for account, label in EXPENSE_ACCOUNTS.items():
        if typed == label:
            return account
    found = _bundled_labels().get(typed)
    if found is not None:
        return found
    allowed = "、".join(f"{a.account.split(':', 1)[1]}（{a.label}）" for a in policy.accounts)
    raise BookingUsageError(f"“{typed}”不是任何经费项目的支出科目；本项目可用的科目：{allowed}。")


def short_name(account: str) -> str:
    return account.split(":", 1)[1] if ":" in account else account
