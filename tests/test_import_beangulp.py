"""The importers as beangulp and Fava use them: identify, extract, deduplicate."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import beangulp
import pytest
from beancount import loader
from beancount.core import data
from click.testing import CliRunner

from clirun import init_studio

from studiofund.cli import main
from studiofund.importers import bank_importers, load_mapping

FIXTURES = Path(__file__).parent / "fixtures" / "banks"
CONFIG_FILE = Path(__file__).parents[1] / "docs" / "importers_config.py"
STATEMENTS = {
    "icbc_historydetail.csv": "studiofund.icbc", "icbc_transfer.xlsx": "studiofund.icbc",
    "ccb_detail.xls": "studiofund.ccb", "ccb_two_row.xlsx": "studiofund.ccb",
    "boc_detail.csv": "studiofund.boc", "abc_detail.xls": "studiofund.abc",
    "bocom_detail.xlsx": "studiofund.bocom", "cmb_detail.csv": "studiofund.cmb",
    "hxb_detail.csv": "studiofund.hxb",
}


@pytest.fixture
def importers():
    return bank_importers(mappings=[FIXTURES / "hxb_mapping.toml"])


@pytest.fixture
def ledger(tmp_path) -> Path:
    return init_studio(tmp_path / "studio.beancount")


def test_every_importer_is_a_beangulp_importer(importers):
    assert all(isinstance(i, beangulp.Importer) for i in importers)
    assert len({i.name for i in importers}) == len(importers)


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_exactly_one_importer_identifies_each_file(importers, name):
    matches = [i.name for i in importers if i.identify(str(FIXTURES / name))]
    assert matches == [STATEMENTS[name]]


def test_identify_never_raises_on_foreign_files(importers, tmp_path):
    junk = tmp_path / "photo.jpg"
    junk.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert not any(i.identify(str(p)) for i in importers for p in (junk, empty, FIXTURES / "hxb_mapping.toml"))


def test_importer_metadata(importers):
    ccb = next(i for i in importers if i.name == "studiofund.ccb")
    path = str(FIXTURES / "ccb_detail.xls")
    assert ccb.account(path) == "Assets:Bank:Dedicated"
    assert str(ccb.date(path)) == "2020-06-28"
    assert ccb.filename(path) == "ccb-2020-03-10-2020-06-28.xls"


def test_beangulp_cli_extract_books_and_marks_duplicates(importers, ledger, tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    shutil.copy(FIXTURES / "cmb_detail.csv", downloads)
    ingest = beangulp.Ingest(importers)
    runner = CliRunner()
    out = runner.invoke(ingest.cli, ["extract", str(downloads), "-e", str(ledger)], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert '2020-03-25 * "深圳市南山区教育局" "2020年区级配套经费；拨款"' in text
    assert "Income:Grant:District" in text and 'bank-ref: "SZ20200325000212"' in text
    assert "open Expenses:Unclassified" in text  # the ledger lacks the holding account
    assert "2020-06-29 balance Assets:Bank:Dedicated" in text

    # After `studiofund import`, beangulp marks every line as a duplicate (printed commented out).
    assert CliRunner().invoke(main, ["import", str(downloads / "cmb_detail.csv"), "--ledger", str(ledger)]).exit_code == 0
    again = runner.invoke(ingest.cli, ["extract", str(downloads), "-e", str(ledger)], catch_exceptions=False)
    live = [ln for ln in again.stdout.splitlines() if ln.startswith("2020-")]
    assert live == []
    assert again.stdout.count("; 2020-") == 9  # 8 lines + the balance, commented out


def test_extract_without_a_ledger_uses_the_bundled_payers(importers):
    boc = next(i for i in importers if i.name == "studiofund.boc")
    entries = boc.extract(str(FIXTURES / "boc_detail.csv"), [])
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert [t.postings[1].account for t in txns][:2] == ["Income:Grant:City", "Income:Grant:District"]
    # Without the ledger's program there are no category keywords: spending waits in the holding account.
    assert txns[2].postings[1].account == "Expenses:Unclassified" and txns[2].flag == "!"


def test_fava_loads_the_example_config_and_extracts(ledger, tmp_path):
    from fava.core.ingest import WrappedImporter, extract_from_file, load_import_config

    config = load_import_config(CONFIG_FILE)
    assert set(config.importers) == {"studiofund.icbc", "studiofund.ccb", "studiofund.boc", "studiofund.abc",
                                     "studiofund.bocom", "studiofund.cmb", "studiofund.generic"}
    existing, _, _ = loader.load_file(str(ledger))
    wrapped: WrappedImporter = config.importers["studiofund.abc"]
    path = FIXTURES / "abc_detail.xls"
    assert wrapped.identify(path)
    info = wrapped.file_import_info(path)
    assert info.account == "Assets:Bank:Dedicated"
    entries = extract_from_file(wrapped, path, existing)
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert [t.postings[1].account for t in txns] == [
        "Income:Grant:City", "Income:Grant:District", "Expenses:Materials", "Expenses:BankFees",
        "Expenses:Network", "Income:Grant:Other", "Expenses:Unclassified", "Expenses:Unclassified",
    ]
    assert not any("__duplicate__" in e.meta for e in entries)


def test_example_config_runs_as_a_beangulp_script():
    mod = runpy.run_path(str(CONFIG_FILE))
    assert len(mod["CONFIG"]) == 7 and mod["HOOKS"] == []


def test_mapping_bank_is_its_own_importer():
    bank = load_mapping(FIXTURES / "hxb_mapping.toml")
    assert bank.id == "hxb" and bank.label == "华夏银行"
