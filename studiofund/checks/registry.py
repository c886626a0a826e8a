"""The rule registry: what each rule id is, for the engine, the reports, the web page and docs.

A rule module under :mod:`studiofund.checks.rules` declares, for every rule id it reports, one
:class:`RuleInfo` — the id, its default severity, its Chinese label (the documents' wording),
the key of the clause it cites in the policy's ``[citations]`` table and the policy fields it
reads — and passes it to a registration decorator of :mod:`studiofund.checks.framework`.
The rule modules are *discovered*: every module of the package is imported (no list to keep),
so a new rule module is registered by existing.

Two pseudo rule ids name what is not a rule but reaches the same findings list: ``beancount``
(Beancount's own load errors) and ``studio-config`` (no or a broken studio declaration or
policy). They have labels here too, so every id a user sees has exactly one label.

Readers use :func:`label`, :func:`info` and :func:`rules`; :func:`ranks` gives each id its place
in the rule table, which orders the findings of one entry (docs/checks.md, "The order of
findings").
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

from ..ledger.findings import ERROR, REVIEW
from ..policy.fields import Frozen


@dataclass(eq=False, repr=False)
class RuleInfo(Frozen):
    """What a rule id is: declared once, in the rule's module."""

    id: str
    #: the default severity, ``error`` or ``review`` (a hit may override it)
    severity: str
    #: the Chinese label people read in reports and on the web (the documents' wording)
    label: str
    #: the key of the clause this rule cites in the policy's ``[citations]`` table
    citation: str
    #: the policy fields the rule reads (``"allocation.city"``, ``"accounts.pays_individuals"``)
    reads: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.severity not in (ERROR, REVIEW):
            raise ValueError(f"rule {self.id!r}: severity must be {ERROR!r} or {REVIEW!r}")
        if not self.label:
            raise ValueError(f"rule {self.id!r}: a Chinese label is needed")


@dataclass(eq=False, repr=False)
class Rule(Frozen):
    """A registered rule id and the code that reports it."""

    info: RuleInfo
    kind: str  # "transaction" | "ledger"
    impl: Any

    @property
    def id(self) -> str:
        return self.info.id


#: The ids of findings that no rule reports: Beancount's load errors, a broken declaration.
BEANCOUNT = RuleInfo("beancount", ERROR, "账簿加载错误", "")
STUDIO_CONFIG = RuleInfo("studio-config", ERROR, "工作室声明或策略文件有误", "")
PSEUDO_RULES = (BEANCOUNT, STUDIO_CONFIG)

_RULES: dict[str, Rule] = {}
_discovered = False


def register(info: RuleInfo, kind: str, impl: Any) -> None:
    """Record one rule id (called by the decorators of :mod:`.framework`)."""
    if info.id in _RULES or info.id in {p.id for p in PSEUDO_RULES}:
        raise ValueError(f"rule {info.id!r} registered twice")
    _RULES[info.id] = Rule(info, kind, impl)


def discover() -> None:
    """Import every module of :mod:`studiofund.checks.rules` (each registers its rules)."""
    global _discovered
    if _discovered:
        return
    package = importlib.import_module(f"{__package__}.rules")
    for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        importlib.import_module(module.name)
    _discovered = True


def rules() -> list[Rule]:
    """Every rule, by module name, then in the order its module declares them."""
    discover()
    return sorted(_RULES.values(), key=lambda r: r.impl.__module__)


def info(rule_id: str) -> RuleInfo | None:
    """The declaration of a rule id (or of a pseudo rule id); None for an unknown id."""
    discover()
    rule = _RULES.get(rule_id)
    if rule is not None:
        return rule.info
    return next((p for p in PSEUDO_RULES if p.id == rule_id), None)


def infos() -> list[RuleInfo]:
    """Every rule id a finding can carry, the pseudo ones last."""
    return [r.info for r in rules()] + list(PSEUDO_RULES)


def ranks() -> dict[str, int]:
    """Each rule id's place in the rule table (:func:`infos`: by module, then as its module
    declares them; the pseudo ids last): the order of the findings of one entry."""
    return {info.id: i for i, info in enumerate(infos())}


def label(rule_id: str) -> str:
    """The Chinese label of a rule id (the id itself when unknown)."""
    found = info(rule_id)
    return found.label if found is not None else rule_id


def markdown_table() -> str:
    """The rule table of docs/checks.md, from the declarations (a test keeps the docs in step)."""
    lines = ["| rule | 名称 | severity | module | citation key | policy fields read |",
             "|---|---|---|---|---|---|"]
    for rule in rules():
        i = rule.info
        module = "rules/" + rule.impl.__module__.rsplit(".", 1)[1] + ".py"
        reads = ", ".join(f"`{r}`" for r in i.reads) or "—"
        lines.append(f"| `{i.id}` | {i.label} | {i.severity} | `{module}` | `{i.citation}` | {reads} |")
    for i in PSEUDO_RULES:
        lines.append(f"| `{i.id}` | {i.label} | {i.severity} | — | — | — |")
    return "\n".join(lines)
