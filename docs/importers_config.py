"""Import configuration for beangulp's CLI and Fava's import page (studiofund bank importers).

Fava: put this file beside the studio ledger and add to the ledger

    2020-01-01 custom "fava-option" "import-config" "importers_config.py"
    2020-01-01 custom "fava-option" "import-dirs" "downloads"

then drop the bank's statement into ``downloads/`` and open 导入 (Import). Fava passes the
ledger's entries to the importers, so lines are booked by the ledger's own program and lines
already in the ledger (same ``bank-ref``) are marked as duplicates.

beangulp, from a shell:

    python importers_config.py identify downloads/
    python importers_config.py extract downloads/ -e studio.beancount

(``studiofund import STATEMENT --ledger studio.beancount`` does the same and appends safely.)
A bank that is not built in: write a column mapping (docs/import.md) and list it in MAPPINGS.
"""

from pathlib import Path

from studiofund.importers import bank_importers

HERE = Path(__file__).parent

#: Column mappings (TOML) of other banks, relative to this file, e.g. ["hxb_mapping.toml"].
MAPPINGS: list[str] = []

CONFIG = bank_importers(mappings=[HERE / m for m in MAPPINGS])
HOOKS: list = []

if __name__ == "__main__":
    import beangulp

    beangulp.Ingest(CONFIG, HOOKS)()
