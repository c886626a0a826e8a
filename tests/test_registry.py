"""The rule registry: every rule module is discovered, every rule id has one declaration, and
its label is defined only there."""

from __future__ import annotations

import dataclasses
import datetime
import pkgutil
import re
import typing
from pathlib import Path

import pytest

import studiofund
import studiofund.checks.rules as rules_package
from studiofund.checks import registry
from studiofund.ledger.findings import ERROR
from studiofund.checks.framework import RuleInfo, transaction_rule
from studiofund.policy import load_program
from studiofund.policy.models import Policy

from ledgertext import findings, studio, txn

PACKAGE = Path(studiofund.__file__).parent
#: CONTRACT.md's rule ids, and those of its "More rule ids" once their rules exist
CONTRACT_RULES = {
    "category-not-permitted", "three-public", "personal-consumption", "school-operating-cost",
    "missing-voucher", "duplicate-voucher", "missing-invoice", "duplicate-invoice", "missing-signoff",
    "asset-unregistered", "payee-undocumented", "overdraft", "over-budget", "allocation-mismatch",
    "matching-shortfall", "after-disqualification", "sealed-period-changed",
}


def test_every_rule_module_is_discovered_and_registers_a_rule():
    modules = {m.name for m in pkgutil.iter_modules(rules_package.__path__)}
    registered = {r.impl.__module__.rsplit(".", 1)[1] for r in registry.rules()}
    assert registered == modules


def test_the_contract_rules_and_the_pseudo_rules_are_declared():
    ids = {i.id for i in registry.infos()}
    assert CONTRACT_RULES <= ids
    assert {"beancount", "studio-config"} <= ids
    assert len(ids) == len(registry.infos())


def test_labels_are_chinese_and_distinct():
    labels = [i.label for i in registry.infos()]
    assert len(set(labels)) == len(labels)
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels)
    assert registry.label("three-public") == "三公经费支出"
    assert registry.label("no-such-rule") == "no-such-rule"


def test_a_label_is_written_once_in_the_code():
    """The reports and the web page read labels from the registry: no second table of them."""
    sources = {p: p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*") if p.suffix in (".py", ".html", ".js")}
    for info in registry.infos():
        quoted = [p for p, text in sources.items() for q in "\"'`" if f"{q}{info.label}{q}" in text]
        assert len(quoted) == 1, (info.id, quoted)


def _field_type(cls: type, name: str):
    hints = typing.get_type_hints(cls)
    assert name in hints, f"{cls.__name__} has no field {name!r}"
    hint = hints[name]
    while typing.get_origin(hint) in (tuple, list, typing.Union, getattr(__import__("types"), "UnionType")):
        args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
        hint = args[0]
    return hint


@pytest.mark.parametrize("info", [i for i in registry.infos() if i.reads], ids=lambda i: i.id)
def test_what_a_rule_reads_is_a_field_of_the_policy(info):
    for path in info.reads:
        cls = Policy
        for name in path.split("."):
            assert dataclasses.is_dataclass(cls), f"{info.id}: {path}: {cls} has no fields"
            cls = _field_type(cls, name)


@pytest.mark.parametrize("program", ["shenzhen-district", "chifeng", "lvyuan-training"])
def test_citation_keys_name_clauses_of_the_policies(program):
    citations = load_program(program).citations
    for rule in registry.rules():
        assert rule.info.citation in citations or "default" in citations, rule.id


def test_a_finding_cites_the_clause_of_its_citation_key():
    text = studio(txn("2021-03-01", "某书店", "图书", "Expenses:Materials", "100.00"))
    [finding] = findings(text, "missing-invoice")
    clause = load_program("shenzhen-district").citations["missing-invoice"]
    assert clause in finding.message


def test_a_rule_id_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="registered twice"):
        transaction_rule(RuleInfo("missing-voucher", ERROR, "重复的规则", "missing-voucher"))(lambda ctx: None)
    with pytest.raises(ValueError, match="registered twice"):
        transaction_rule(RuleInfo("beancount", ERROR, "重复的规则", ""))(lambda ctx: None)


def test_a_rule_needs_a_severity_and_a_label():
    with pytest.raises(ValueError, match="severity"):
        RuleInfo("x-rule", "warning", "某规则", "x-rule")
    with pytest.raises(ValueError, match="label"):
        RuleInfo("x-rule", ERROR, "", "x-rule")


def test_docs_list_every_rule_with_its_label():
    text = (PACKAGE.parent / "docs" / "checks.md").read_text(encoding="utf-8")
    table = registry.markdown_table()
    assert table in text, "docs/checks.md: replace the rule table with:\n" + table


def test_the_evidence_of_a_hit_reaches_the_finding_and_its_json():
    from beancount.core import data

    from studiofund.checks.framework import Context, Hit, _to_finding

    rule = next(r for r in registry.rules() if r.id == "three-public")
    entry = data.Transaction(data.new_metadata("x.beancount", 7, {"voucher": "2021-001"}),
                             datetime.date(2021, 3, 1), "*", "某酒店", "接待", frozenset(), frozenset(), [])
    ctx = Context(None, load_program("shenzhen-district"), {})
    finding = _to_finding(rule, Hit(entry, "接待费", evidence=("接待", "酒店")), ctx)
    assert finding.evidence == ("接待", "酒店")
    assert finding.to_json()["evidence"] == ["接待", "酒店"]
    assert finding.voucher == "2021-001" and finding.lineno == 7
