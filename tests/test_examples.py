"""The example ledgers in ``ledgers/``: they load cleanly, look like a year of real books, and show
the findings ``ledgers/README.md`` promises — the same through ``bean-check`` as through
``studiofund check``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from beancount.core import data

from studiofund.checks import registry
from studiofund.ledger.loading import find_ledgers, load_ledger

ROOT = Path(__file__).resolve().parent.parent
LEDGERS_DIR = ROOT / "ledgers"
PROGRAMS = {
    "shenyang-workshop",
    "shenyang-studio",
    "shenzhen-city",
    "shenzhen-district",
    "chifeng",
    "county-research",
    "lvyuan-training",
}

# The deliberate findings (ledgers/README.md), and the only ones: (rule, ledger relative to
# ledgers/, where). `where` is a voucher number, or "@YYYY-MM-DD" for an entry without a voucher.
INTENDED = [
    ("three-public", "shenzhen-city/studio.beancount", "2021-015"),
    ("missing-signoff", "shenzhen-city/studio.beancount", "2021-025"),
    ("category-not-permitted", "shenzhen-city/studio.beancount", "2021-026"),
    ("duplicate-invoice", "shenzhen-city/studio.beancount", "2021-027"),
    ("asset-unregistered", "shenzhen-district.beancount", "2021-009"),
    ("matching-shortfall", "shenzhen-district.beancount", "2021-013"),
    ("missing-voucher", "shenzhen-district.beancount", "@2021-08-23"),
    ("personal-consumption", "shenzhen-district.beancount", "2021-025"),
    ("three-public", "shenyang-workshop.beancount", "2023-010"),
    ("payee-undocumented", "shenyang-workshop.beancount", "2023-016"),
    ("missing-invoice", "shenyang-workshop.beancount", "2023-026"),
    ("school-operating-cost", "shenyang-studio.beancount", "2023-004"),
    ("duplicate-voucher", "shenyang-studio.beancount", "2023-014"),
    ("over-budget", "shenyang-studio.beancount", "2023-035"),
    ("school-operating-cost", "chifeng.beancount", "2023-005"),
    ("category-not-permitted", "chifeng.beancount", "2023-023"),
    ("payee-undocumented", "chifeng.beancount", "2023-028"),
    ("overdraft", "county-research.beancount", "2023-001"),
    ("asset-unregistered", "county-research.beancount", "2023-012"),
    ("missing-voucher", "county-research.beancount", "@2023-07-24"),
    ("allocation-mismatch", "lvyuan-training.beancount", "2023-001"),
    ("over-budget", "lvyuan-training.beancount", "2023-023"),
    ("personal-consumption", "lvyuan-training.beancount", "2023-026"),
    # the seeds' remaining rules
    ("over-standard", "shenzhen-city/studio.beancount", "2021-031"),
    ("cycle-end-balance", "shenzhen-district.beancount", "@2021-12-31"),
    ("tax-withholding", "shenyang-studio.beancount", "2023-008"),
    ("assessment-funding", "chifeng.beancount", "2023-007"),
    ("allocation-mismatch", "lvyuan-training.beancount", "@2023-12-31"),  # principals' training < 2.5 %
]

FINDING_LINE = re.compile(r"^(.+?):(\d+): 【[^·]+·([a-z-]+)】")


def example_ledgers() -> list[Path]:
    return find_ledgers([LEDGERS_DIR])


def _id(path: Path) -> str:
    return path.relative_to(LEDGERS_DIR).as_posix()


EXAMPLES = example_ledgers()


def _script(name: str) -> list[str]:
    """A console script of this interpreter's environment, or its module form."""
    exe = Path(sys.executable).parent / name
    if exe.exists():
        return [str(exe)]
    module = {"bean-check": "beancount.scripts.check", "studiofund": "studiofund"}[name]
    return [sys.executable, "-m", module]


@lru_cache(maxsize=None)
def loaded(path: Path):
    return load_ledger(path)


@lru_cache(maxsize=None)
def check_json(path: Path) -> dict:
    proc = subprocess.run(
        [*_script("studiofund"), "check", "--format", "json", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_all_seven_programs_have_an_example():
    assert len(EXAMPLES) == 7
    assert {loaded(p).studio.program for p in EXAMPLES} == PROGRAMS


def test_include_mechanism_is_shown():
    """One studio keeps its year in an included file; only the top-level file is a ledger."""
    top = LEDGERS_DIR / "shenzhen-city" / "studio.beancount"
    assert top in EXAMPLES
    assert LEDGERS_DIR / "shenzhen-city" / "2021.beancount" not in EXAMPLES
    files = {Path(e.meta["filename"]).name for e in loaded(top).entries if e.meta}
    assert "2021.beancount" in files


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_loads_without_beancount_errors(path):
    ledger = loaded(path)
    assert ledger.load_errors == []
    assert ledger.config_errors == []
    assert ledger.studio is not None and ledger.studio.program in PROGRAMS
    assert ledger.policy is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_looks_like_a_year_of_books(path):
    entries = loaded(path).entries
    txns = [e for e in entries if isinstance(e, data.Transaction)]
    assert len(txns) >= 40
    budgets = [e for e in entries if isinstance(e, data.Custom) and e.type == "budget"]
    assert budgets, "a yearly budget (custom \"budget\") is expected"
    assert all(b.values[1].value == "yearly" for b in budgets)
    incomes = [t for t in txns if any(p.account.startswith("Income:Grant:") for p in t.postings)]
    assert incomes, "the year's grant income is booked"


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_vouchers_unique_except_the_intended_duplicate(path):
    txns = [e for e in loaded(path).entries if isinstance(e, data.Transaction)]
    counts = Counter(t.meta["voucher"] for t in txns if t.meta.get("voucher"))
    repeated = {v for v, n in counts.items() if n > 1}
    intended = {w for rule, led, w in INTENDED if rule == "duplicate-voucher" and led == _id(path)}
    assert repeated == intended


def _bean_check_findings(path: Path) -> Counter:
    proc = subprocess.run(
        [*_script("bean-check"), str(path)], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    found = Counter()
    for line in (proc.stdout + proc.stderr).splitlines():
        m = FINDING_LINE.match(line)
        if m:
            found[(str(Path(m.group(1)).resolve()), int(m.group(2)), m.group(3))] += 1
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_bean_check_reports_the_same_findings_as_studiofund_check(path):
    report = check_json(path)
    (ledger,) = report["ledgers"]
    ours = Counter(
        (str(Path(f["filename"]).resolve()), f["lineno"], f["rule"]) for f in ledger["findings"]
    )
    assert ours, "every example ledger shows at least one finding"
    assert _bean_check_findings(path) == ours


@pytest.mark.parametrize("path", EXAMPLES, ids=_id)
def test_exactly_the_intended_findings_are_reported(path):
    findings = check_json(path)["ledgers"][0]["findings"]
    found = Counter((f["rule"], f["voucher"] or f"@{f['date']}") for f in findings)
    intended = Counter((rule, where) for rule, ledger, where in INTENDED if ledger == _id(path))
    assert found == intended
    assert all(registry.info(rule) is not None for rule, _ in found)
