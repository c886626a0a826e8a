"""Claw-back and seal status of a studio, read from its custom directives.

    2021-06-30 custom "studio-disqualified" "年度考核不合格，取消资格"
    2021-01-15 custom "studio-sealed" 2020 "sha256:…"
    2021-03-01 custom "studio-reopened" 2020 "更正凭证 2020-031"
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from beancount.core import data

DISQUALIFIED = "studio-disqualified"
SEALED = "studio-sealed"
REOPENED = "studio-reopened"


@dataclass(frozen=True)
class Disqualification:
    date: datetime.date
    reason: str


@dataclass(frozen=True)
class SealState:
    """The latest seal event of one year."""

    year: int
    sealed: bool
    date: datetime.date
    detail: str  # the digest when sealed, the reason when reopened

    @property
    def label(self) -> str:
        return "已封存" if self.sealed else "已重新开放"


@dataclass(frozen=True)
class StudioStatus:
    disqualification: Disqualification | None
    seals: dict[int, SealState]

    def seal_of(self, year: int) -> SealState | None:
        return self.seals.get(year)


def _values(entry: data.Custom) -> list:
    return [getattr(v, "value", v) for v in entry.values]


def _year_of(values: list, default: int) -> int:
    for value in values:
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) == 4:
            return int(value.strip())
    return default


def _text_of(values: list) -> str:
    texts = [v for v in values if isinstance(v, str) and not (v.strip().isdigit() and len(v.strip()) == 4)]
    return texts[-1] if texts else ""


def read_status(entries: list) -> StudioStatus:
    """The studio's disqualification (the first one) and each year's latest seal event."""
    disqualification = None
    seals: dict[int, SealState] = {}
    for entry in entries:
        if not isinstance(entry, data.Custom):
            continue
        values = _values(entry)
        if entry.type == DISQUALIFIED and disqualification is None:
            disqualification = Disqualification(entry.date, _text_of(values))
        elif entry.type in (SEALED, REOPENED):
            year = _year_of(values, entry.date.year - 1)
            seals[year] = SealState(year, entry.type == SEALED, entry.date, _text_of(values))
    return StudioStatus(disqualification, seals)
