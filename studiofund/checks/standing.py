"""A studio's standing from its recorded assessments — for the rules, the usage report, the
consolidation and the 经费合规 page alike.

The ledger's ``custom "assessment"`` directives are read by :mod:`studiofund.ledger.directives`
into :class:`studiofund.policy.assessment.Assessment` values (with their ``deadline:`` and
``rectified:``); :func:`studiofund.policy.assessment.standing` applies the program's consequences.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from studiofund.policy.assessment import Assessment, Standing, standing


def studio_standing(assessments: Iterable[Assessment], studio: Any, policy: Any) -> Standing:
    """The studio's standing under its policy from its recorded assessments (``directives.
    assessments``); an empty one without a studio or a policy."""
    if studio is None or policy is None:
        return Standing()
    return standing(list(assessments), policy.assessment, studio.cycle_start, policy.cycle_years)


def assessment_status(assessments: Iterable[Assessment], studio: Any, policy: Any,
                      year: int | None = None) -> tuple[str, str]:
    """``(status, summary)`` of the assessments up to ``year`` for the report line 考核结果, the
    web page and the consolidation column: ``("黄牌警告", "2020 年度考核：不合格（黄牌警告）")``;
    ``("未考核", "")`` with none recorded; ``("", "")`` for a program without assessments."""
    if studio is None or policy is None or policy.assessment is None:
        return "", ""
    found = studio_standing(assessments, studio, policy)
    return found.state(year), found.summary(year)
