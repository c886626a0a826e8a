"""The entries that still wait for their papers: ``!`` transactions (``import`` makes them from
bank lines it cannot book in full), with what each lacks.

The shape is CONTRACT.md's ``pending`` object, so the desk's list and a ``pending`` command read
the same thing; completing one (``record --complete``) plans a payment from it and replaces it
(:attr:`studiofund.booking.record.Booking.replaces`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from beancount.core import data

from studiofund.money import ZERO, fmt

DEDICATED = "Assets:Bank:Dedicated"
HOLDING = "Expenses:Unclassified"

#: What a finding on a pending entry means it still lacks (rule → the officer's words).
MISSING_BY_RULE = {
    "missing-voucher": "凭证号",
    "missing-invoice": "发票号码",
    "missing-signoff": "主持人、审核人签字",
    "asset-unregistered": "资产编号",
    "payee-undocumented": "收款人身份证号、代扣个税",
    "category-not-permitted": "支出科目",
}


@dataclass
class Pending:
    voucher: str | None
    bank_ref: str | None
    date: Any
    amount: Decimal  # what left (or reached) the dedicated account; positive = paid out
    payee: str | None
    narration: str | None
    missing: list[str] = field(default_factory=list)
    entry: Any = None

    def to_json(self) -> dict[str, Any]:
        return {"voucher": self.voucher, "bank_ref": self.bank_ref, "date": self.date.isoformat(),
                "amount": fmt(self.amount), "payee": self.payee, "narration": self.narration,
                "missing": self.missing}


def pending_entries(entries, findings) -> list[Pending]:
    """The ``!`` transactions of ``entries`` in date order, with what the ``findings`` say each
    lacks (and ``支出科目`` for one still on the importer's holding account)."""
    by_entry: dict[int, list[str]] = {}
    for finding in findings:
        entry = getattr(finding, "entry", None)
        label = MISSING_BY_RULE.get(finding.rule)
        if entry is not None and label:
            by_entry.setdefault(id(entry), []).append(label)
    out: list[Pending] = []
    for entry in entries:
        if type(entry) is not data.Transaction or entry.flag != "!":
            continue
        meta = entry.meta or {}
        paid = -sum((p.units.number for p in entry.postings
                     if p.account == DEDICATED and p.units is not None), ZERO)
        missing = list(dict.fromkeys(by_entry.get(id(entry), [])))
        if any(p.account == HOLDING or p.account.startswith(HOLDING + ":") for p in entry.postings) \
                and "支出科目" not in missing:
            missing.insert(0, "支出科目")
        voucher = meta.get("voucher")
        bank_ref = meta.get("bank-ref")
        out.append(Pending(str(voucher) if voucher else None, str(bank_ref) if bank_ref else None, entry.date,
                           paid, entry.payee, entry.narration, missing, entry))
    return out
