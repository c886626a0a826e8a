"""A finding: what a rule reports about an entry, as an ordinary Beancount error.

Beancount's printer and Fava read ``source``, ``message`` and ``entry``; the rest (rule id,
severity, voucher, date, evidence) is what ``studiofund check`` and the reports group by.

The checks (:mod:`studiofund.checks`) make findings; the type lives here, in the ledger layer,
because loading a ledger and writing one must tell a finding from a Beancount error without
depending on the checks above them.
"""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

ERROR = "error"
REVIEW = "review"
SEVERITY_LABELS = {ERROR: "违规", REVIEW: "待复核"}


class Finding(NamedTuple):
    source: dict[str, Any]
    message: str
    entry: Any
    rule: str
    severity: str
    voucher: str | None
    date: datetime.date | None
    #: what led to it: the words, payee type, amounts or invoice items (CONTRACT.md)
    evidence: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return str(self.source.get("filename", "")) if self.source else ""

    @property
    def lineno(self) -> int:
        return int(self.source.get("lineno", 0) or 0) if self.source else 0

    def to_json(self) -> dict[str, Any]:
        """The finding object of CONTRACT.md (``check --format json``)."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "filename": self.filename,
            "lineno": self.lineno,
            "date": self.date.isoformat() if self.date else None,
            "voucher": self.voucher,
            "message": self.message,
            "evidence": list(self.evidence),
        }


def format_message(rule: str, severity: str, voucher: str | None, text: str, citation: str) -> str:
    """``【违规·three-public】凭证 2020-015：…… 依据：《…》第三条。``"""
    who = f"凭证 {voucher}：" if voucher else ""
    cite = f" 依据：{citation}。" if citation else ""
    return f"【{SEVERITY_LABELS.get(severity, severity)}·{rule}】{who}{text}{cite}"
