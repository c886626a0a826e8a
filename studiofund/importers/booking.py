"""Booking statement lines as Beancount entries, by the policy's rules.

Incoming money: a grant payer of ``[importing].payers`` → its income account; interest (利息,
结息) → ``interest_account``; anyone else → ``other_income_account`` flagged ``!``.
Outgoing money: a bank fee (手续费, 工本费) → ``fee_account`` flagged ``!``; money paid back to a
grant payer → ``refund_account`` flagged ``!``; a line whose text has a keyword of a permitted
category → that category (the longest keyword wins, then the program's order); anything else →
``holding_account`` flagged ``!``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from beancount.core import data
from beancount.core.amount import Amount

from studiofund.money import CURRENCY
from studiofund.policy.importing import ImportingPolicy
from studiofund.policy.models import DEDICATED

from .statement import Statement, StatementLine

FLAG_OK = "*"
FLAG_REVIEW = "!"


class Rules(NamedTuple):
    """What booking needs from a policy: the importing section and the permitted categories
    as ``(account, keywords)``."""

    importing: ImportingPolicy
    categories: tuple[tuple[str, tuple[str, ...]], ...] = ()
    bank_account: str = DEDICATED

    @classmethod
    def from_policy(cls, policy, bank_account: str = DEDICATED) -> Rules:
        return cls(policy.importing, tuple((a.account, tuple(a.keywords)) for a in policy.accounts), bank_account)


class Placement(NamedTuple):
    account: str
    flag: str
    reason: str  # why: the payer rule, the keyword …


def place(line: StatementLine, rules: Rules) -> Placement:
    """The other side of a line: which account, which flag, and why."""
    imp = rules.importing
    text = f"{line.summary} {line.purpose}"
    if line.amount > 0:
        account = imp.payer_account(line.counterparty)
        if account:
            return Placement(account, FLAG_OK, f"付款单位 {line.counterparty}")
        if imp.is_interest(text) or imp.is_interest(line.counterparty):
            return Placement(imp.interest_account, FLAG_OK, "利息")
        return Placement(imp.other_income_account, FLAG_REVIEW, "付款单位不在拨款单位名单中")
    if imp.is_fee(text):
        return Placement(imp.fee_account, FLAG_REVIEW, "银行手续费")
    if imp.payer_account(line.counterparty):
        return Placement(imp.refund_account, FLAG_REVIEW, f"付给拨款单位 {line.counterparty}（缴回）")
    haystack = f"{text} {line.counterparty}"
    best: tuple[int, int, str, str] | None = None
    for order, (account, keywords) in enumerate(rules.categories):
        for word in keywords:
            if word and word in haystack:
                candidate = (-len(word), order, account, word)
                if best is None or candidate < best:
                    best = candidate
    if best is not None:
        return Placement(best[2], FLAG_OK, f"关键词“{best[3]}”")
    return Placement(imp.holding_account, FLAG_REVIEW, "无法按关键词归类")


def narration(line: StatementLine) -> str:
    parts = [p for p in (line.purpose, line.summary) if p]
    unique = [p for i, p in enumerate(parts) if p not in parts[:i]]
    return "；".join(unique) or "银行流水"


def book_line(line: StatementLine, key: str, rules: Rules, filename: str) -> data.Transaction:
    """The transaction of one line: the bank posting and its placed counter-posting."""
    placement = place(line, rules)
    meta = data.new_metadata(filename, line.row)
    meta["bank-ref"] = key
    units = Amount(line.amount, CURRENCY)
    postings = [
        data.Posting(rules.bank_account, units, None, None, None, None),
        data.Posting(placement.account, -units, None, None, None, None),
    ]
    return data.Transaction(
        meta, line.date, placement.flag, line.counterparty or None, narration(line),
        data.EMPTY_SET, data.EMPTY_SET, postings,
    )


def closing_balance(statement: Statement, rules: Rules,
                    date: datetime.date | None = None) -> data.Balance | None:
    """The statement's closing balance, asserted on ``date`` — by default the day after its
    last line (Beancount checks a ``balance`` at the start of its day)."""
    last = statement.lines[-1] if statement.lines else None
    closing = statement.closing_balance
    if last is None or closing is None:
        return None
    meta = data.new_metadata(statement.path, last.row)
    date = date or last.date + datetime.timedelta(days=1)
    return data.Balance(meta, date, rules.bank_account, Amount(closing, CURRENCY), None, None)


def book_statement(statement: Statement, rules: Rules) -> list[data.Directive]:
    """Every line of ``statement`` (zero amounts left out) and its closing balance."""
    entries: list[data.Directive] = [
        book_line(line, key, rules, statement.path)
        for line, key in zip(statement.lines, statement.keys())
        if line.amount != Decimal(0)
    ]
    balance = closing_balance(statement, rules)
    if balance is not None:
        entries.append(balance)
    return entries
