"""The Beancount plugin: ``plugin "studiofund.plugin"`` in a studio ledger.

It reads the studio declaration, loads its program's policy, runs every rule and returns the
findings as ordinary Beancount errors, so ``bean-check``, Fava and ``studiofund check`` all see
the same findings. It never changes the entries.
"""

from __future__ import annotations

from studiofund.checks.framework import run_checks
from studiofund.ledger.directives import read_directives
from studiofund.ledger.studio import StudioConfigError, load_studio_policy
from studiofund.policy import PolicyError

__plugins__ = ("check_studio",)


def check_studio(entries, options_map, config=None):
    directives = read_directives(entries)
    studio, errors = directives.studio, list(directives.studio_errors)
    if studio is None:
        return entries, errors
    try:
        policy = load_studio_policy(studio)
    except PolicyError as exc:
        return entries, errors + [StudioConfigError(studio.meta, f"{exc}", None)]

    findings = run_checks(entries, options_map, studio, policy, directives=directives)
    return entries, errors + findings
