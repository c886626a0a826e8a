"""A finding: what a rule reports about an entry, as an ordinary Beancount error.

Beancount's printer and Fava read ``source``, ``message`` and ``entry``; the rest (rule id,
severity, voucher, date, evidence, status) is what ``studiofund check`` and the reports group by.
A finding is ``open`` until correcting entries (``corrects:``) put it right; then it is
``rectified`` (已整改), names them in ``rectified_by`` and no longer counts as a violation
(:mod:`studiofund.checks.lifecycle`).

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
OPEN = "open"
RECTIFIED = "rectified"
STATUS_LABELS = {OPEN: "未整改", RECTIFIED: "已整改"}


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
    #: ``open``, or ``rectified`` by the correcting entries of ``rectified_by`` (their vouchers)
    status: str = OPEN
    rectified_by: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def rectify(self, by: tuple[str, ...]) -> Finding:
        """This finding, rectified by the correcting entries ``by``."""
        note = f"（已整改：凭证 {'、'.join(by)} 已冲回）"
        return self._replace(status=RECTIFIED, rectified_by=tuple(by), message=f"【已整改】{self.message}{note}")

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
            "status": self.status,
            **({"rectified_by": list(self.rectified_by)} if self.status == RECTIFIED else {}),
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Finding:
        """The inverse of :meth:`to_json` (a cached check result): the source keeps the file
        and line, the entry itself is not kept."""
        date = obj.get("date")
        return cls(
            source={"filename": obj.get("filename", ""), "lineno": obj.get("lineno", 0)},
            message=obj["message"],
            entry=None,
            rule=obj["rule"],
            severity=obj["severity"],
            voucher=obj.get("voucher"),
            date=datetime.date.fromisoformat(date) if date else None,
            evidence=tuple(obj.get("evidence") or ()),
            status=obj.get("status", OPEN),
            rectified_by=tuple(obj.get("rectified_by") or ()),
        )


def kept(finding: Finding) -> tuple:
    """What a cached check result keeps of ``finding`` (:mod:`studiofund.checks.cache`): its
    fields as :meth:`Finding.to_json` gives them, in a tuple — the file and line for the source,
    not the entry. The inverse of :func:`from_kept`."""
    return (finding.filename, finding.lineno, finding.message, finding.rule, finding.severity, finding.voucher,
            finding.date, finding.evidence, finding.status, finding.rectified_by)


def from_kept(fields: tuple) -> Finding:
    """The finding :func:`kept` kept (as :meth:`Finding.from_json` reads the JSON form)."""
    filename, lineno, message, rule, severity, voucher, date, evidence, status, rectified_by = fields
    return Finding({"filename": filename, "lineno": lineno}, message, None, rule, severity, voucher, date,
                   evidence, status, rectified_by)


def format_message(rule: str, severity: str, voucher: str | None, text: str, citation: str) -> str:
    """``【违规·three-public】凭证 2020-015：…… 依据：《…》第三条。``"""
    who = f"凭证 {voucher}：" if voucher else ""
    cite = f" 依据：{citation}。" if citation else ""
    return f"【{SEVERITY_LABELS.get(severity, severity)}·{rule}】{who}{text}{cite}"
