"""Checking ledgers as a library call: findings per ledger, text and JSON renderings."""

from __future__ import annotations

import datetime
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studiofund.ledger.findings import ERROR, RECTIFIED, REVIEW, Finding, format_message, from_kept, kept
from studiofund.ledger.loading import LedgerInputError, find_ledgers, load_ledger, no_ledgers_found, year_outside_books
from studiofund.ledger.meta import text
from studiofund.policy import policy_files

from . import cache
from .registry import BEANCOUNT, PSEUDO_RULES, STUDIO_CONFIG, ranks

PSEUDO_IDS = frozenset(p.id for p in PSEUDO_RULES)


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
    entry = getattr(error, "entry", None)
    voucher = text(getattr(entry, "meta", None), "voucher")
    return Finding(dict(error.source or {}), format_message(rule, ERROR, None, error.message, ""), entry,
                   rule, ERROR, voucher, getattr(entry, "date", None))


def check_ledger(path: Path, year: int | None = None, *, use_cache: bool = True) -> LedgerCheck:
    """Check one ledger (only the findings of ``year``, if given, besides load and configuration
    errors). A ledger whose files, policy and our code are unchanged since its last check is
    not loaded again (:mod:`.cache`). Raises LedgerInputError for an unreadable file."""
    found = cache.lookup(path) if use_cache else None
    if found is not None:
        result = LedgerCheck(path, title=found["title"], unreadable=found["unreadable"])
        findings = map(from_kept, found["findings"])
    else:
        # the findings just made, not their kept form read back (callgrind, a first check of
        # the check bench's 682 findings: 0.010 G less)
        result, findings = _check(path, use_cache)
    result.findings = [
        f for f in findings
        if year is None or f.rule in PSEUDO_IDS or f.date is None or f.date.year == year
    ]
    return result


def _check(path: Path, store: bool) -> tuple[LedgerCheck, list[Finding]]:
    """Load and check one ledger (and keep its result in the cache): the outcome without its
    findings, and the findings in their order."""
    loaded = load_ledger(path)
    title = ""
    if loaded.studio is not None:
        title = f"{loaded.studio.name}（{loaded.studio.program} · {loaded.studio.district}）"
    items = [_as_finding(e, BEANCOUNT.id) for e in loaded.load_errors]
    items += [_as_finding(e, STUDIO_CONFIG.id) for e in loaded.config_errors]
    items += loaded.findings
    # by file and line; an entry's findings by their rule's place in the rule table, as the
    # plugin orders them (docs/checks.md, "The order of findings")
    rank = ranks()
    items.sort(key=lambda f: (f.filename, f.lineno, rank.get(f.rule, len(rank))))
    # a missing plugin line leaves the checks complete (load_ledger ran the plugin): not unreadable
    unreadable = bool(loaded.parse_errors or loaded.declaration_errors)
    if store:
        paths = list(loaded.options_map.get("include") or [str(Path(path).resolve())])
        if loaded.studio is not None and loaded.studio.policy_file is not None:
            paths += [str(p) for p in policy_files(loaded.studio.policy_file)]
        cache.store(path, paths, {"title": title, "unreadable": unreadable, "findings": [kept(f) for f in items]})
    return LedgerCheck(path, title=title, unreadable=unreadable), items


@dataclass
class CheckRun:
    """The outcome of checking several ledgers (``studiofund check PATH…``)."""

    results: list[LedgerCheck]
    #: the ledgers that could not be read at all, as messages
    unreadable: list[str] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        """A ledger with parse errors or a broken declaration: its checks cannot be trusted."""
        return any(r.unreadable for r in self.results)

    @property
    def exit_status(self) -> int:
        """2 for an unreadable input, 1 for an ``error`` finding, else 0 (CONTRACT.md)."""
        if self.unreadable or self.incomplete:
            return 2
        return 1 if summary(self.results)[ERROR] else 0


def check_paths(paths: list[str | Path], year: int | None = None, *, use_cache: bool = True) -> CheckRun:
    """Check every studio ledger of ``paths`` (files, or directories searched for ledgers).
    Raises LedgerInputError when a path does not exist or holds no studio ledger."""
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        raise LedgerInputError(f"{missing[0]}：文件或目录不存在；请检查路径。")
    ledgers = find_ledgers(list(paths), use_index=use_cache)
    if not ledgers:
        raise LedgerInputError(no_ledgers_found(paths))
    if year is not None:
        problem = year_outside_books(ledgers, year, datetime.date.today().year)
        if problem:
            raise LedgerInputError(problem)
    run = CheckRun([])
    for path in ledgers:
        try:
            run.results.append(check_ledger(path, year, use_cache=use_cache))
        except LedgerInputError as exc:
            run.unreadable.append(str(exc))
    return run


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
