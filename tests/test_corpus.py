"""Detection quality of the content rules on a labelled corpus (tests/corpus/content_cases.toml).

Per rule: recall on clear violations (found as ``error`` under the expected rule), how many
ambiguous cases were flagged (never silently passed), and false positives on clean entries.
The table prints with ``pytest -s`` and is part of every assertion message.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

import pytest

from ledgertext import findings, studio, txn

from studiofund.policy.detection import CONTENT_RULES

CORPUS = Path(__file__).with_name("corpus") / "content_cases.toml"
MAX_FP_RATE = 0.05


def _cases():
    raw = tomllib.loads(CORPUS.read_text(encoding="utf-8"))["cases"]
    out = []
    for i, row in enumerate(raw, 1):
        program, payee, narration, account, amount, rule, severity, *rest = row
        meta = rest[0] if rest else {}
        account = account if ":" in account else f"Expenses:{account}"
        kind = {"error": "clear", "review": "ambiguous", "": "clean"}[severity]
        assert (rule == "") == (kind == "clean"), f"case {i}: a rule needs a severity and vice versa"
        assert rule == "" or rule in CONTENT_RULES, f"case {i}: unknown rule {rule!r}"
        out.append(dict(n=i, program=program, payee=payee, narration=narration, account=account,
                        amount=amount, rule=rule, kind=kind, meta=meta, voucher=f"C-{i:04d}"))
    return out


def _run(cases):
    """{voucher: {(rule, severity)}} over one ledger per program."""
    by_program = defaultdict(list)
    for case in cases:
        by_program[case["program"]].append(case)
    got: dict[str, set] = defaultdict(set)
    for program, items in by_program.items():
        body = "".join(
            txn("2020-06-01", c["payee"], c["narration"], c["account"], c["amount"], voucher=c["voucher"],
                invoice=f"INV{c['n']:06d}", approver="主持人", reviewer="法定代表人",
                payee_id="4403**********0000", raw_tax_withheld="0.00 CNY",
                **{k.replace("-", "_"): v for k, v in c["meta"].items()})
            for c in items
        )
        text = studio(body, program, allocation="50000.00", extra_accounts=("Assets:Cash",))
        for f in findings(text):
            if f.rule in CONTENT_RULES:
                got[f.voucher].add((f.rule, f.severity))
    return got


@pytest.fixture(scope="module")
def scored():
    cases = _cases()
    return cases, _run(cases)


def _table(cases, got) -> tuple[str, dict]:
    stats = {r: defaultdict(int) for r in CONTENT_RULES}
    misses, fps, unflagged, strict = [], [], [], []
    clean = [c for c in cases if c["kind"] == "clean"]
    for c in cases:
        found = got.get(c["voucher"], set())
        if c["kind"] == "clear":
            s = stats[c["rule"]]
            s["clear"] += 1
            if (c["rule"], "error") in found:
                s["found"] += 1
            else:
                misses.append(c)
        elif c["kind"] == "ambiguous":
            s = stats[c["rule"]]
            s["ambiguous"] += 1
            if any(rule == c["rule"] for rule, _ in found):
                s["flagged"] += 1
                if (c["rule"], "review") in found:
                    s["as_review"] += 1
                else:
                    strict.append(c)
            else:
                unflagged.append(c)
        else:
            for rule, _ in found:
                stats[rule]["fp"] += 1
            if found:
                fps.append(c)
    lines = [f"语料 {len(cases)} 条（明确违规 {sum(c['kind'] == 'clear' for c in cases)}，"
             f"存疑 {sum(c['kind'] == 'ambiguous' for c in cases)}，正常 {len(clean)}）",
             f"{'rule':<24}{'clear':>6}{'recall':>8}{'ambig':>7}{'flagged':>9}{'review':>8}{'FP':>5}{'FP rate':>9}"]
    for rule in CONTENT_RULES:
        s = stats[rule]
        recall = s["found"] / s["clear"] if s["clear"] else 1.0
        lines.append(f"{rule:<24}{s['clear']:>6}{recall:>8.1%}{s['ambiguous']:>7}{s['flagged']:>9}"
                     f"{s['as_review']:>8}{s['fp']:>5}{s['fp'] / len(clean):>9.1%}")
    fp_rate = len(fps) / len(clean)
    lines.append(f"{'all rules':<24}{'':>6}{'':>8}{'':>7}{'':>9}{'':>8}{len(fps):>5}{fp_rate:>9.1%}")
    for label, items in (("missed", misses), ("false positive", fps), ("ambiguous not flagged", unflagged),
                         ("ambiguous reported as error", strict)):
        for c in items:
            lines.append(f"  {label}: #{c['n']} {c['program']} {c['payee']}「{c['narration']}」"
                         f" → {sorted(got.get(c['voucher'], ()))}")
    return "\n".join(lines), dict(misses=misses, fps=fps, unflagged=unflagged, fp_rate=fp_rate,
                                  clean=len(clean))


def test_corpus_size_and_coverage():
    cases = _cases()
    assert len(cases) >= 150
    kinds = defaultdict(set)
    for c in cases:
        kinds[c["kind"]].add(c["rule"])
    assert kinds["clear"] == set(CONTENT_RULES) and kinds["ambiguous"] == set(CONTENT_RULES)
    assert {c["program"] for c in cases} >= {"shenzhen-district", "shenzhen-city", "shenyang-studio",
                                              "shenyang-workshop", "chifeng", "county-research",
                                              "lvyuan-training"}


def test_every_clear_violation_is_found_under_its_rule(scored):
    cases, got = scored
    table, result = _table(cases, got)
    print("\n" + table)
    assert not result["misses"], table


def test_ambiguous_cases_are_never_silently_passed(scored):
    cases, got = scored
    table, result = _table(cases, got)
    assert not result["unflagged"], table


def test_false_positives_on_clean_entries_at_most_five_percent(scored):
    cases, got = scored
    table, result = _table(cases, got)
    assert result["fp_rate"] <= MAX_FP_RATE, table
