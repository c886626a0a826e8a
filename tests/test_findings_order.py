"""The order of findings is defined (docs/checks.md, "The order of findings"): by their entry's
place in the ledger, and an entry's findings by the rank of their rule in the rule table —
whether the rule reports during the pass over the entries or in ``finish()``. The journal's
检查状态, ``check``'s listing and a booking's answer all show an entry's findings in that order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from beancount.core import data

from clirun import run
from ledgertext import grant, txn, write
from studiofund.checks import registry
from studiofund.ledger.loading import find_ledgers, load_ledger
from studiofund.reports.journal import build_journal

ROOT = Path(__file__).resolve().parent.parent

# Two payments drawing findings from rules that report at different times: overdraft and
# over-budget in finish() (ledger rules), three-public and asset-unregistered in the pass (their
# checks of a transaction), the invoice, sign-off and voucher numbers in finish(). Reported
# in the order they come, the pass's findings would precede the others (the journal showed
# 三公经费支出 before 专户透支 until 2026-12-02).
BODY = (
    grant("2020-01-10", "1000.00")
    + '2020-01-01 custom "budget" Expenses:Conference "yearly" 1000.00 CNY\n\n'
    + txn("2020-03-01", "深圳某大酒店", "宴请来访专家晚宴", "Expenses:Conference", "6000.00", voucher=None)
    + txn("2020-03-02", "深圳某数码科技有限公司", "购买投影仪", "Expenses:Equipment", "8000.00", voucher="2020-002")
)


def _place(f) -> tuple:
    """The documented order's key: the entry's place in Beancount's order (date, kind, line),
    then its file; then the rule's row in the rule table."""
    entry = f.entry
    return (*data.entry_sortkey(entry), entry.meta["filename"], registry.ranks()[f.rule])


def test_the_rank_of_a_rule_is_its_row_in_the_rule_table():
    assert list(registry.ranks()) == [info.id for info in registry.infos()]
    assert registry.markdown_table().count("\n| `") == len(registry.ranks())


def test_an_entrys_findings_follow_the_rule_table_whenever_their_rule_reports(tmp_path):
    path = write(tmp_path / "studio.beancount", BODY)
    loaded = load_ledger(path)
    got = [(f.date.isoformat(), f.rule) for f in loaded.findings if f.date.month == 3]
    assert got == [
        ("2020-03-01", "overdraft"),  # finish()
        ("2020-03-01", "over-budget"),  # finish()
        ("2020-03-01", "three-public"),  # the pass
        ("2020-03-01", "missing-invoice"),  # finish()
        ("2020-03-01", "missing-signoff"),  # finish()
        ("2020-03-01", "missing-voucher"),  # finish()
        ("2020-03-02", "overdraft"),
        ("2020-03-02", "missing-invoice"),
        ("2020-03-02", "missing-signoff"),
        ("2020-03-02", "asset-unregistered"),  # the pass
    ]
    assert loaded.findings == sorted(loaded.findings, key=_place)

    # the journal's status names them in that order (errors, then what needs review)
    status = {r.date.isoformat(): r.status for r in build_journal(loaded, 2020).rows}
    assert status["2020-03-01"] == "违规：专户透支、三公经费支出、缺少发票、缺少双方签字、缺少凭证号；待复核：超预算支出"
    assert status["2020-03-02"] == "违规：专户透支、缺少发票、缺少双方签字、固定资产未登记"

    # `check` lists them by file and line, an entry's by the same ranks (and so from its cache)
    for _ in range(2):
        result = run("check", path, "--format", "json")
        assert result.exit_code == 1, result.output
        listed = json.loads(result.stdout)["ledgers"][0]["findings"]
        assert [(f["lineno"], f["rule"]) for f in listed if f["date"].startswith("2020-03")] == [
            (f.lineno, f.rule) for f in loaded.findings if f.date.month == 3]
        rank = registry.ranks()
        assert listed == sorted(listed, key=lambda f: (f["filename"], f["lineno"], rank[f["rule"]]))


@pytest.mark.parametrize("ledger", find_ledgers([ROOT / "ledgers"]), ids=lambda p: p.parent.name + "/" + p.name)
def test_the_findings_of_every_example_ledger_are_in_the_defined_order(ledger):
    found = load_ledger(ledger).findings
    assert found, "an example ledger without findings proves nothing here"
    assert found == sorted(found, key=_place)
