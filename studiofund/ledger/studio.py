"""The studio of a ledger: its declaration (parsed by :mod:`.directives`) and its policy.

The declaration is the one ``custom "studio"`` directive every studio ledger carries; see
:mod:`studiofund.ledger.directives` for its keys and for the other directives of ours.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from studiofund.money import q2
from studiofund.policy import Policy, load_program

from .directives import Studio, StudioConfigError, parse_studio  # noqa: F401  (the studio's API)

PLUGIN_NAME = "studiofund.plugin"
FAVA_EXTENSION = "studiofund.web.fava_extension"


def load_studio_policy(studio: Studio) -> Policy:
    """The policy the studio declares; raises :class:`studiofund.policy.PolicyError`."""
    return load_program(studio.program, studio.policy_file)


class FundingStandard(NamedTuple):
    """What a studio is to receive in a year."""

    #: the city grant: the program's, or the studio's declared ``allocation`` where the program
    #: sets the amount per studio (None: the program sets none)
    city: Decimal | None
    #: the district's minimum match of that grant (None: the program asks for none)
    district: Decimal | None
    #: the district match as a multiple of the city grant
    ratio: Decimal | None
    #: lvyuan: the least the year's fund may be, a share of the school's declared public budget
    #: (more is no finding)
    floor: Decimal | None = None

    @property
    def total(self) -> Decimal | None:
        return None if self.city is None else q2(self.city + (self.district or 0))


def funding_standard(studio: Studio | None, policy: Policy) -> FundingStandard:
    """The program's funding standard for ``studio`` (its allocation and matching rules): the
    studio's declared allocation where the program sets it per studio, else the floor of a
    share of its public budget (lvyuan), else the program's own amount."""
    rules = policy.allocation
    declared = studio.allocation if studio is not None else None
    floor = None
    if rules.public_budget_share is not None and studio is not None and studio.public_budget is not None:
        floor = studio.public_budget * rules.public_budget_share
    if rules.per_studio and declared is not None:
        city = declared
    elif floor is not None:
        city = floor
    else:
        city = None if rules.per_studio else rules.city
    district = rules.district_minimum(city) if city is not None else None
    return FundingStandard(city, None if district is None else q2(district), rules.district_ratio, floor)
