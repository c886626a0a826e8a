"""Setting a year's budget (``studiofund budget``): :mod:`.plan`.

The budget directives themselves are parsed by :mod:`studiofund.ledger.directives` and their
amounts computed by :mod:`studiofund.ledger.budgets`, below the checks and the reports that
read them.
"""
