"""A studio's standing from its recorded assessments — for the rules, the usage report, the
consolidation and the 经费合规 page alike.

The ledger's ``custom "assessment"`` directives (read by :mod:`studiofund.ledger.directives`)
become :class:`studiofund.policy.assessment.Assessment` values, with the rectification date of
``rectified:`` metadata; :func:`studiofund.policy.assessment.standing` applies the program's
consequences.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from studiofund.ledger.directives import Assessment as Recorded
from studiofund.policy.assessment import Assessment, Standing, standing

RECTIFIED = "rectified"
DEADLINE = "deadline"


def rectified_on(entry: Any) -> datetime.date | None:
    """The date a failed assessment's rectification was accepted (``rectified: 2022-04-30``);
    ``rectified: TRUE`` or a note counts from the assessment's own date; None without it."""
    value = (getattr(entry, "meta", None) or {}).get(RECTIFIED)
    if value is None or value is False:
        return None
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text or text.upper() in ("FALSE", "否", "未整改"):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return entry.date


def deadline_of(entry: Any) -> datetime.date | None:
    """The rectification deadline of a failed assessment (``deadline: 2022-04-30``), or None."""
    value = (getattr(entry, "meta", None) or {}).get(DEADLINE)
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip()) if value is not None else None
    except ValueError:
        return None


def studio_standing(assessments: Iterable[Recorded], studio: Any, policy: Any) -> Standing:
    """The studio's standing under its policy from its recorded assessments (``directives.
    assessments``); an empty one without a studio or a policy."""
    if studio is None or policy is None:
        return Standing()
    records = [
        Assessment(a.year, a.grade, a.date, rectified_on(a.entry), a.assessor, a.entry, deadline_of(a.entry))
        for a in assessments
    ]
    return standing(records, policy.assessment, studio.cycle_start, policy.cycle_years)


def assessment_status(assessments: Iterable[Recorded], studio: Any, policy: Any,
                      year: int | None = None) -> tuple[str, str]:
    """``(status, summary)`` of the assessments up to ``year`` for the report line 考核结果, the
    web page and the consolidation column: ``("黄牌警告", "2020 年度考核：不合格（黄牌警告）")``;
    ``("未考核", "")`` with none recorded; ``("", "")`` for a program without assessments."""
    if studio is None or policy is None or policy.assessment is None:
        return "", ""
    found = studio_standing(assessments, studio, policy)
    return found.state(year), found.summary(year)
