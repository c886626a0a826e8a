"""The check bench's inputs are what it claims: a studio ledger that loads and a plain copy."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from studiofund.checks.report import check_ledger

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_check", BENCH / "bench_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_ledger_checks_and_its_plain_copy_loads(tmp_path):
    ledger = tmp_path / "studio.beancount"
    _bench_module().generate(ledger, 600)
    result = check_ledger(ledger)
    assert not result.unreadable
    rules = {f.rule for f in result.findings}
    # the mix holds a few suspicious payments and budgets to exceed, nothing structurally wrong
    assert rules and rules <= {"three-public", "personal-consumption", "school-operating-cost",
                               "over-budget", "allocation-mismatch", "asset-unregistered"}
    plain = tmp_path / "plain.beancount"
    plain.write_text("".join(line for line in ledger.read_text(encoding="utf-8").splitlines(True)
                             if not line.startswith('plugin "studiofund.plugin"')), encoding="utf-8")
    done = subprocess.run([sys.executable, str(BENCH / "plain_load.py"), str(plain)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "0 errors" in done.stdout
