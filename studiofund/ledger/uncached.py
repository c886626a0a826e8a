"""Beancount's full load of a ledger file without its pickle cache: our one use of a private
Beancount API, kept in this one module.

``beancount.loader.load_file`` keeps a pickle of the load result (the plugins' output
included) beside the ledger and reuses it while the ledger's own files are unchanged. Our
plugin's findings also depend on the policy files and on our code, which that cache does not
watch; and a server must not write files beside a ledger it was given. Beancount 3's public
ways to skip that cache are process-wide — ``BEANCOUNT_DISABLE_LOAD_CACHE``, read once when
``beancount.loader`` is imported, or ``loader.initialize(False)``, which also deletes an existing
cache file — and ``load_string`` has no file name to resolve ``include`` lines against. So this
calls ``loader._load``, the function ``load_file`` calls beneath its cache.
``tests/test_dependencies.py`` fails loudly when its signature or behaviour changes.
"""

from __future__ import annotations

from pathlib import Path

from beancount import loader


def load_uncached(path: str | Path):
    """``(entries, errors, options_map)`` of the ledger at ``path``: Beancount's full load
    (plugins included), without reading or writing the pickle cache beside the file."""
    return loader._load([(str(Path(path).resolve()), True)], None, None, None)
