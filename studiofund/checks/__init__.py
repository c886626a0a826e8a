"""The compliance checks: rules over a studio ledger, reported as Beancount errors.

:mod:`studiofund.plugin` is the entry point Beancount loads; :func:`run_checks` is the same
as a library call. Each rule lives in :mod:`studiofund.checks.rules` as one module that
declares its rule ids (:class:`~.registry.RuleInfo`) and registers its code with the
decorators of :mod:`studiofund.checks.framework`; :mod:`.registry` answers what a rule id is.
The findings they make are :class:`studiofund.ledger.findings.Finding` values.
"""

from .framework import run_checks  # noqa: F401
