"""Small edits of a ledger's text (moved to :mod:`studiofund.ledger.text`; kept for imports)."""

from studiofund.ledger.text import append_block, quote, remove_directives, same_file  # noqa: F401
