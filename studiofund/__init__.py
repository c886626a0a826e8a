"""studiofund — the ledger, checks and reports for the earmarked funds of teacher and
principal studios (名师工作室专项经费).

The flow of the package follows the domain:

    policy      programs as data (TOML validated by pydantic)
    ledger      the studio declaration, loading ledgers, atomic writes
    checks      the Beancount plugin and its rules (findings as Beancount errors)
    budget      annual budgets (Fava ``custom "budget"`` directives)
    reports     year-end usage report, bureau consolidation
    importers   bank statement importers (beangulp)
    web         the Fava extension and the login-protected server
    cli         the ``studiofund`` command, a thin layer over the above

Imports are kept lazy: ``bean-check`` loads :mod:`studiofund.plugin` for every ledger.
"""

__version__ = "0.1.0"
