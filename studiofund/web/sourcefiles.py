"""Reading a file that a ledger names, on the server: regular files only, of a sane size.

``open()`` on a FIFO blocks until someone writes to it, ``/dev/zero`` never ends, and
Beancount's lexer is quadratic in the length of a line (a 30 MB line takes minutes); any of these
named by an ``include`` would stall the server. The reading itself is the package's one
:func:`studiofund.files.read_source` (the command line reads with it too); the server reads
paths it has already resolved and confined, so it refuses a symbolic link put in their place.
No Fava or Beancount here: the ledger registry reads declarations with it before anything heavy
is imported.
"""

from __future__ import annotations

from pathlib import Path

from studiofund import files
from studiofund.files import MAX_FILE_BYTES, MAX_LINE_BYTES, glob_base, inside  # noqa: F401  (shared)


def read_source(path: Path) -> tuple[bytes | None, str]:
    """The bytes of a regular file, or None and why not (in Chinese). Never blocks on a FIFO."""
    return files.read_source(path, follow_links=False)
