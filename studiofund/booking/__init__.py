"""Booking payments: the library behind ``studiofund record`` and the web desk (记账).

:mod:`.record` plans an entry, runs every check on the ledger as it would be and writes it
through :mod:`studiofund.ledger.writer`; :mod:`.tax` computes the 劳务报酬 withholding;
:mod:`.attachments` keeps invoice scans by voucher; :mod:`.preview` checks a planned entry
against an already loaded ledger, fast enough to run as the officer types; :mod:`.pending`
lists the entries that still wait for their papers.
"""
