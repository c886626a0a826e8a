"""The studio of a ledger: its declaration (parsed by :mod:`.directives`) and its policy.

The declaration is the one ``custom "studio"`` directive every studio ledger carries; see
:mod:`studiofund.ledger.directives` for its keys and for the other directives of ours.
"""

from __future__ import annotations

from studiofund.policy import Policy, load_program

from .directives import Studio, StudioConfigError, parse_studio  # noqa: F401  (the studio's API)

PLUGIN_NAME = "studiofund.plugin"
FAVA_EXTENSION = "studiofund.web.fava_extension"


def load_studio_policy(studio: Studio) -> Policy:
    """The policy the studio declares; raises :class:`studiofund.policy.PolicyError`."""
    return load_program(studio.program, studio.policy_file)
