"""The Beancount plugin: ``plugin "studiofund.plugin"`` in a studio ledger.

It reads the studio declaration, loads its program's policy, runs every rule and returns the
findings as ordinary Beancount errors, so ``bean-check``, Fava and ``studiofund check`` all see
the same findings. It never changes the entries. Imports are lazy: this module is loaded for
every ledger that declares it.
"""

from __future__ import annotations

__plugins__ = ("check_studio",)


def check_studio(entries, options_map, config=None):
    from studiofund.ledger.studio import StudioConfigError, load_studio_policy, parse_studio
    from studiofund.policy import PolicyError

    studio, errors = parse_studio(entries)
    if studio is None:
        return entries, errors
    try:
        policy = load_studio_policy(studio)
    except PolicyError as exc:
        return entries, errors + [StudioConfigError(studio.meta, f"{exc}", None)]

    from studiofund.checks.framework import run_checks

    return entries, errors + run_checks(entries, options_map, studio, policy)
