"""A closed (sealed) year does not change: ``sealed-period-changed``.

``studiofund close LEDGER --year Y`` appends

    2021-01-01 custom "studio-sealed" 2020 "sha256:…"
      entries: 412

whose digest covers the canonical text of every entry dated on or before 31 December of Y
(everything the year's report rests on, earlier years included), except the sealing and
reopening directives themselves. ``close --reopen --reason TEXT`` appends
``custom "studio-reopened" 2020 "理由"``; a seal followed by a reopen is not checked, and a new
``close`` seals again.

What a seal covers and its digest: :mod:`studiofund.ledger.seals`.
"""

from __future__ import annotations

import datetime

from ...ledger.directives import REOPENED, SEALED, active_seals
from ...ledger.seals import canonical, digest_texts
from ..framework import ERROR, Hit, RuleInfo, ledger_rule

SEALED_PERIOD_CHANGED = RuleInfo("sealed-period-changed", ERROR, "已封账年度被修改", "sealed-period-changed")


@ledger_rule(SEALED_PERIOD_CHANGED)
class SealedPeriodChanged:
    """Every sealed year (not reopened) still has the digest its ``studio-sealed`` recorded.

    A sealing or reopening directive that cannot be read (no year) is reported too. The texts
    are printed and hashed in ``finish()`` and only when the ledger has a seal, so unsealed
    ledgers pay nothing.
    """

    def __init__(self, ctx):
        self.ctx = ctx

    def finish(self):
        directives = self.ctx.directives
        for error in directives.errors:
            if error.entry is not None and error.entry.type in (SEALED, REOPENED):
                yield Hit(error.entry, error.message)
        seals = active_seals(directives.seals)
        if not seals:
            return
        last = datetime.date(max(seals), 12, 31)
        texts = [(e.date, t) for e in self.ctx.entries if e.date <= last and (t := canonical(e)) is not None]
        for year, seal in sorted(seals.items()):
            end = datetime.date(year, 12, 31)
            if seal.digest is None:
                yield Hit(seal.entry, f"{year} 年度的封账指令缺少摘要（sha256:…）；请用 studiofund close 重新封账。",
                          date=end)
                continue
            selected = [t for d, t in texts if d <= end]
            if digest_texts(selected) == seal.digest:
                continue
            counted = ""
            if seal.count is not None and seal.count != len(selected):
                counted = f"（封账时 {seal.count} 条记录，现在 {len(selected)} 条）"
            yield Hit(
                seal.entry,
                f"{year} 年度已于 {seal.date} 封账，此后 {year} 年度（含以前年度）的账目被修改{counted}。"
                f"已报送的年度账目不得改动；如确需更正，请用 studiofund close --year {year} --reopen --reason "
                "\"理由\" 重新开账并留痕，更正后再封账。",
                date=end,
            )
