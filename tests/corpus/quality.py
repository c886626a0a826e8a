"""Detection quality on a labelled corpus: recall and false positives per rule.

    .venv/bin/python tests/corpus/quality.py [--part tuning|holdout|all] [--corpus FILE] [-v]

The corpus (``detection_v2_cases.toml`` beside this file, written apart from the rules) is split
deterministically by a hash of each case id into a TUNING part and a HOLD-OUT part (see
:func:`part_of`); the rules are tuned on the tuning part only, and the hold-out figures are the
ones reported in docs/checks.md and asserted by tests/test_detection_holdout.py.

Each program's cases become one studio ledger (the declaration carries the corpus's host
school, ``host:`` and ``members:``), loaded by Beancount with the studiofund plugin — the same
path as ``bean-check`` and ``studiofund check``. Every payment carries complete papers, so only
what the payment *is* can make a content or asset finding.

Measures, per rule (the three content rules and ``asset-unregistered``):

* **recall** — violations labelled with the rule that get a finding of that rule (either
  severity: a ``review`` is a finding a person must decide, never a silent pass);
* **as error** — of the violations labelled ``error``, those reported as ``error``;
* **false positives** — clean cases with a finding of the rule (either severity); the overall
  false-positive rate counts clean cases with any finding of the measured rules.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
V2_CORPUS = HERE / "detection_v2_cases.toml"
CONTENT_RULES = ("three-public", "personal-consumption", "school-operating-cost")
RULES = CONTENT_RULES + ("asset-unregistered",)
PARTS = ("tuning", "holdout")


@dataclass(frozen=True)
class Case:
    id: str
    program: str
    payee: str
    narration: str
    account: str
    amount: str
    rule: str  # "" when clean
    severity: str  # "error" | "review" | ""
    meta: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def clean(self) -> bool:
        return not self.rule


def part_of(case_id: str) -> str:
    """HOLD-OUT when the first byte of sha256(id) is odd, else TUNING: fixed by the id alone."""
    return "holdout" if hashlib.sha256(case_id.encode("utf-8")).digest()[0] % 2 else "tuning"


def load_corpus(path: Path = V2_CORPUS) -> tuple[list[Case], dict[str, dict]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    cases = []
    for row in data["cases"]:
        cid, program, payee, narration, account, amount, rule, severity, *rest = row
        if rule and rule not in RULES:
            raise ValueError(f"{cid}: unknown rule {rule!r}")
        if bool(rule) != bool(severity):
            raise ValueError(f"{cid}: a rule needs a severity and a severity a rule")
        account = account if ":" in account else f"Expenses:{account}"
        cases.append(Case(cid, program, payee, narration, account, amount, rule, severity,
                          rest[0] if rest else {}))
    if len({c.id for c in cases}) != len(cases):
        raise ValueError("case ids must be unique")
    return cases, data.get("studios", {})


def select(cases: list[Case], part: str) -> list[Case]:
    return cases if part == "all" else [c for c in cases if part_of(c.id) == part]


def _quote(value) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def ledger_text(program: str, cases: list[Case], studio: dict) -> str:
    """One studio ledger holding ``cases`` as payments from the dedicated account."""
    from studiofund.policy.models import BASE_ACCOUNTS, EXPENSE_ACCOUNTS

    lines = ['option "operating_currency" "CNY"', 'plugin "studiofund.plugin"', "",
             f'2020-01-01 custom "studio" "{program}"', '  name: "语料工作室"',
             f'  host-school: {_quote(studio.get("host_school", "语料学校"))}', '  district: "语料区"',
             "  cycle-start: 2020-01-01", "  allocation: 50000.00 CNY"]
    for key in ("host", "members"):
        if studio.get(key):
            lines.append(f"  {key}: {_quote(studio[key])}")
    lines.append("")
    lines += [f"2020-01-01 open {a} CNY" for a in (*BASE_ACCOUNTS, *EXPENSE_ACCOUNTS)]
    lines.append("")
    for n, c in enumerate(cases, 1):
        lines.append(f"2020-06-01 * {_quote(c.payee)} {_quote(c.narration)}")
        meta = {"voucher": c.id, "invoice": f"INV{n:06d}", "approver": "主持人", "reviewer": "法定代表人",
                "payee-id": "4403**********0000"}
        meta.update(c.meta)
        for key, value in meta.items():
            lines.append(f"  {key}: {value if isinstance(value, int) else _quote(value)}")
        lines.append("  tax-withheld: 0.00 CNY")
        lines.append(f"  {c.account}  {c.amount} CNY")
        lines.append("  Assets:Bank:Dedicated")
        lines.append("")
    return "\n".join(lines)


def run(cases: list[Case], studios: dict[str, dict]) -> dict[str, set[tuple[str, str]]]:
    """{case id: {(rule, severity)}} of the measured rules, one ledger per program."""
    from beancount import loader

    from studiofund.ledger.findings import Finding

    by_program: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        by_program[c.program].append(c)
    got: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for program, items in by_program.items():
        _, errors, _ = loader.load_string(ledger_text(program, items, studios.get(program, {})))
        broken = [e.message for e in errors if not isinstance(e, Finding)]
        if broken:
            raise RuntimeError(f"corpus ledger of {program} does not load: {broken[:3]}")
        for f in errors:
            if f.rule in RULES and f.voucher:
                got[f.voucher].add((f.rule, f.severity))
    return got


@dataclass
class Score:
    violations: int = 0
    found: int = 0
    clear: int = 0
    clear_as_error: int = 0
    fp: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.violations if self.violations else 1.0


@dataclass
class Result:
    cases: list[Case]
    got: dict
    scores: dict[str, Score]
    clean: int
    fp_cases: list[Case]
    misses: list[Case]
    weak: list[Case]  # clear violations found only as review

    @property
    def fp_rate(self) -> float:
        return len(self.fp_cases) / self.clean if self.clean else 0.0

    def fp_rate_of(self, rule: str) -> float:
        return self.scores[rule].fp / self.clean if self.clean else 0.0

    @property
    def recall(self) -> float:
        total = sum(s.violations for s in self.scores.values())
        return sum(s.found for s in self.scores.values()) / total if total else 1.0

    @property
    def error_rate(self) -> float:
        total = sum(s.clear for s in self.scores.values())
        return sum(s.clear_as_error for s in self.scores.values()) / total if total else 1.0


def measure(cases: list[Case], got: dict) -> Result:
    scores = {r: Score() for r in RULES}
    fps, misses, weak = [], [], []
    for c in cases:
        found = got.get(c.id, set())
        if c.clean:
            for rule in {r for r, _ in found}:
                scores[rule].fp += 1
            if found:
                fps.append(c)
            continue
        s = scores[c.rule]
        s.violations += 1
        hit = {sev for r, sev in found if r == c.rule}
        if hit:
            s.found += 1
        else:
            misses.append(c)
        if c.severity == "error":
            s.clear += 1
            if "error" in hit:
                s.clear_as_error += 1
            elif hit:
                weak.append(c)
    return Result(cases, got, scores, sum(c.clean for c in cases), fps, misses, weak)


def table(result: Result, title: str = "", verbose: bool = True) -> str:
    lines = [title] if title else []
    lines.append(f"{len(result.cases)} cases: {len(result.cases) - result.clean} violations, "
                 f"{result.clean} clean")
    lines.append(f"{'rule':<24}{'cases':>6}{'found':>7}{'recall':>8}{'clear':>7}{'as error':>10}"
                 f"{'FP':>5}{'FP rate':>9}")
    for rule in RULES:
        s = result.scores[rule]
        as_error = s.clear_as_error / s.clear if s.clear else 1.0
        lines.append(f"{rule:<24}{s.violations:>6}{s.found:>7}{s.recall:>8.1%}{s.clear:>7}{as_error:>10.1%}"
                     f"{s.fp:>5}{result.fp_rate_of(rule):>9.1%}")
    lines.append(f"{'all rules':<24}{sum(s.violations for s in result.scores.values()):>6}"
                 f"{sum(s.found for s in result.scores.values()):>7}{result.recall:>8.1%}"
                 f"{sum(s.clear for s in result.scores.values()):>7}{result.error_rate:>10.1%}"
                 f"{len(result.fp_cases):>5}{result.fp_rate:>9.1%}")
    if verbose:
        for label, items in (("missed", result.misses), ("false positive", result.fp_cases),
                             ("clear but only review", result.weak)):
            for c in items:
                want = f"{c.rule}/{c.severity}" if c.rule else "clean"
                lines.append(f"  {label}: {c.id} {c.payee}「{c.narration}」{c.account} {c.amount}"
                             f" want {want} got {sorted(result.got.get(c.id, ()))}")
    return "\n".join(lines)


def evaluate(part: str, path: Path = V2_CORPUS) -> Result:
    cases, studios = load_corpus(path)
    chosen = select(cases, part)
    return measure(chosen, run(chosen, studios))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=(*PARTS, "all"), default="tuning")
    parser.add_argument("--corpus", type=Path, default=V2_CORPUS)
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses and false positives")
    args = parser.parse_args(argv)
    result = evaluate(args.part, args.corpus)
    print(table(result, f"part: {args.part} ({args.corpus.name})", args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
