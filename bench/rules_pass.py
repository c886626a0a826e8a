"""What does the rules pass cost? Instructions of `run_checks` alone over the loaded bench ledger.

Loads the bench ledger's plain copy (`bench/bench_check.py` generates it into bench/out/, with
Beancount's pickle cache of it; run that first) once, reads its directives and policy as the studio plugin does, and counts under
valgrind's callgrind the instructions of one `run_checks` over it — every rule, or without the
rules of the modules ``--skip-rules`` names (the difference is what they cost). Collection is
switched on just before the call and off after it (a client request of a three-line helper built
into bench/out/, as `bench/check_phases.py` builds it), so the count is the pass alone, its
garbage collections included; a run takes about a minute.
`bench/check_phases.py` measures the pass inside a whole first check instead (its heap, hence
its collections, are the real ones: the figures differ by a few hundredths of a G).

    .venv/bin/python bench/rules_pass.py [--skip-rules MODULE,…] [--all-modules] [--varied]

``--all-modules`` prints the pass without any rule, then each rule module alone over that.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from check_phases import OUT, helper

#: the driver run under callgrind: argv = ledger, helper, skip
DRIVER = r'''
import ctypes, sys
ledger, helper, skip = sys.argv[1:4]
from beancount import loader
entries, errors, options_map = loader.load_file(ledger)
from studiofund.checks import registry
from studiofund.checks.framework import run_checks
from studiofund.ledger.directives import read_directives
from studiofund.ledger.studio import load_studio_policy
import studiofund.checks.rules  # noqa: F401  (registered before the list is filtered)
if skip:
    every = registry.rules
    registry.rules = lambda: [r for r in every() if r.impl.__module__.rsplit(".", 1)[1] not in skip.split(",")]
registry.rules()
directives = read_directives(entries)
policy = load_studio_policy(directives.studio)
lib = ctypes.CDLL(helper)
lib.toggle()
findings = run_checks(entries, options_map, directives.studio, policy, directives=directives)
lib.toggle()
print(len(findings))
'''


def count(ledger: Path, env: dict[str, str], skip: str) -> tuple[int, int]:
    """(instructions of the pass, findings) of one run."""
    with tempfile.TemporaryDirectory() as tmp:
        driver = Path(tmp, "driver.py")
        driver.write_text(DRIVER)
        done = subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                               f"--callgrind-out-file={tmp}/cg.out", sys.executable, str(driver), str(ledger),
                               str(helper()), skip], env=env, capture_output=True, text=True, check=True)
        with open(Path(tmp, "cg.out"), encoding="utf-8", errors="replace") as handle:
            total = next(int(line.split()[1]) for line in handle if line.startswith(("summary:", "totals:")))
    return total, int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-rules", default="", help="run the pass without the rules of these modules")
    parser.add_argument("--all-modules", action="store_true", help="each rule module alone over no rule")
    parser.add_argument("--varied", action="store_true",
                        help="the ledger of bench_check.py --varied (nearly every payment a shape of its own)")
    args = parser.parse_args()
    # the copy bench_check.py loads from Beancount's pickle cache: loaded in seconds, not minutes
    plain = OUT / ("plain-cached-varied.beancount" if args.varied else "plain-cached.beancount")
    if not plain.exists():
        raise SystemExit(f"先运行 bench/bench_check.py{' --varied' if args.varied else ''} 生成基准账簿。")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "BEANCOUNT_DISABLE_LOAD_CACHE")}
    env.update(STUDIOFUND_CACHE_DIR=str(OUT / "cache"))
    if not args.all_modules:
        total, findings = count(plain, env, args.skip_rules)
        print(f"规则检查（run_checks）{total / 1e9:8.3f} G，{findings} 条结果")
        return
    modules = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "studiofund" / "checks"
                                      / "rules").glob("*.py") if p.stem != "__init__")
    base, _ = count(plain, env, ",".join(modules))
    print(f"  {'（无规则）':<20s}{base / 1e9:8.3f} G")
    for module in modules:
        total, _ = count(plain, env, ",".join(m for m in modules if m != module))
        print(f"  {module:<20s}{(total - base) / 1e9:+8.3f} G")


if __name__ == "__main__":
    main()
