"""Checking ledgers as a library call: findings per ledger, text and JSON renderings."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studiofund.ledger.loading import load_ledger

from ..ledger.findings import ERROR, RECTIFIED, REVIEW, Finding


@dataclass
class LedgerCheck:
    """The outcome of checking one ledger."""

    path: Path
    findings: list[Finding] = field(default_factory=list)
    title: str = ""
    unreadable: bool = False  # parse errors, no/invalid studio declaration: exit status 2

    def counts(self) -> Counter:
        """Open findings by severity, and ``rectified`` for the ones put right."""
        return Counter(f.severity if f.is_open else RECTIFIED for f in self.findings)


def _as_finding(error: Any, rule: str) -> Finding:
    """A Beancount load error or a configuration error in the findings' shape."""
    source = dict(error.source or {})
    entry = getattr(error, "entry", None)
    meta = getattr(entry, "meta", None) or {}
    voucher = meta.get("voucher")
    return Finding(source, f"【违规·{rule}】{error.message}", entry, rule, ERROR,
                   str(voucher) if voucher else None, getattr(entry, "date", None))


def check_ledger(path: Path, year: int | None = None) -> LedgerCheck:
    """Load and check one ledger. Raises LedgerInputError for an unreadable file."""
    loaded = load_ledger(path)
    result = LedgerCheck(path)
    if loaded.studio is not None:
        result.title = f"{loaded.studio.name}（{loaded.studio.program} · {loaded.studio.district}）"
    result.unreadable = bool(loaded.parse_errors or loaded.config_errors)
    items = [_as_finding(e, "beancount") for e in loaded.load_errors]
    items += [_as_finding(e, "studio-config") for e in loaded.config_errors]
    items += [f for f in loaded.findings if year is None or f.date is None or f.date.year == year]
    items.sort(key=lambda f: (f.filename, f.lineno, f.rule))
    result.findings = items
    return result


def summary(results: list[LedgerCheck]) -> dict[str, int]:
    total = Counter()
    for r in results:
        total.update(r.counts())
    return {ERROR: total.get(ERROR, 0), REVIEW: total.get(REVIEW, 0), RECTIFIED: total.get(RECTIFIED, 0)}


def to_json(results: list[LedgerCheck]) -> dict[str, Any]:
    """CONTRACT.md's ``check --format json`` object."""
    return {
        "ledgers": [
            {"ledger": str(r.path), "findings": [f.to_json() for f in r.findings]} for r in results
        ],
        "summary": summary(results),
    }


def to_text(results: list[LedgerCheck]) -> str:
    out: list[str] = []
    for r in results:
        out.append(f"━━ {r.title or r.path}")
        out.append(f"   账簿：{r.path}")
        for f in r.findings:
            out.append(f"  {f.filename}:{f.lineno}  {f.message}")
        c = r.counts()
        done = f"，已整改 {c[RECTIFIED]} 项" if c.get(RECTIFIED) else ""
        out.append(
            f"   小计：违规 {c.get(ERROR, 0)} 项，待复核 {c.get(REVIEW, 0)} 项{done}"
            if r.findings else "   未发现问题。"
        )
        out.append("")
    s = summary(results)
    done = f"，已整改 {s[RECTIFIED]} 项" if s[RECTIFIED] else ""
    out.append(f"合计 {len(results)} 个账簿：违规 {s[ERROR]} 项，待复核 {s[REVIEW]} 项{done}（违规、待复核均为未整改的）。")
    return "\n".join(out)
