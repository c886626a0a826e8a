"""What a cold consolidation does beyond the ledgers' own loads, in instructions (callgrind):
counts that other processes on the machine do not change, unlike CPU or wall time.

Two measures over generated ledgers (a directory of ``bench_consolidate.py``):

* **per step**, one process: each ledger loaded and checked (``load_ledger``, what the ideal
  parallel time sums), then each part of the consolidation's step on it — the usage report, its
  JSON, the invoice uses and their compact record, the standing, the cache entry, the result's
  pickled round trip and what the main process makes of it — with a callgrind dump between
  parts, averaged over ``--ledgers`` ledgers;
* **per ledger of a whole run**: ``consolidate()`` on 2 worker processes (main process and
  workers summed) for the first ``--small`` and ``--ledgers`` ledgers, and plain loads of the
  same ledgers in one process; the difference of the two sizes divided by the difference of
  ledgers leaves start-up out: run ÷ loads is the consolidation's instructions a ledger over
  the load's.

    .venv/bin/python bench/consolidate_steps.py DIR [--ledgers 40] [--small 10]

Takes some 15 minutes (four runs under callgrind). Needs valgrind, its ``valgrind/callgrind.h``
and a C compiler (the dumps are client requests: bench/check_phases.py's helper).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_phases import helper  # noqa: E402

STEPS = r'''
import ctypes, pickle, sys, tempfile
from pathlib import Path
directory, count, library = sys.argv[1], int(sys.argv[2]), sys.argv[3]
lib = ctypes.CDLL(library)
def dump(name):
    lib.dump(name.encode())
from studiofund.ledger.loading import load_ledger
from studiofund.reports import cache, consolidate as c
from studiofund.reports.usage import build_report
c.preload()
ledgers = sorted(Path(directory).glob("*.beancount"))[:count]
entries = Path(tempfile.mkdtemp())
for path in ledgers[:2]:  # imports, policy and code digests: not part of a ledger's step
    c.summarize_ledger(str(path), 2020, str(entries))
dump("setup")
for path in ledgers:
    loaded = load_ledger(str(path)); dump("load")
    report = build_report(loaded, 2020); dump("report")
    report = report.to_json(); dump("report JSON")
    lines = c._invoice_lines_of(loaded, str(path)); dump("invoice uses")
    invoices, hashes = c.invoice_record(lines); dump("invoice record")
    status = c.studio_status(loaded, 2020); dump("status")
    files = [*loaded.options_map["include"], str(loaded.studio.policy_file)]
    result = {"files": files, "report": report, "invoices": invoices, "hashes": hashes, "status": status}
    cache.store(entries, path, 2020, files, result); dump("cache entry")
    result = pickle.loads(pickle.dumps(result)); dump("pickled round trip")
    c.compact(result); dump("main process")
    del loaded; dump("free")
'''

LOADS = r'''
import sys
from pathlib import Path
from studiofund.ledger.loading import load_ledger
from studiofund.reports.consolidate import preload
preload()
for path in sorted(Path(sys.argv[1]).glob("*.beancount"))[:int(sys.argv[2])]:
    load_ledger(str(path))
'''

RUN = r'''
import sys, tempfile
from pathlib import Path
from studiofund.reports.consolidate import consolidate
ledgers = sorted(Path(sys.argv[1]).glob("*.beancount"))[:int(sys.argv[2])]
consolidate(ledgers, 2020, jobs=2, cache_directory=Path(tempfile.mkdtemp())).dumps()
'''


def callgrind(script: str, *args: str) -> dict[str, int]:
    """Instructions of a script's run (every process summed), by dump name ("" for the last)."""
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        driver = Path(tmp, "driver.py")
        driver.write_text(script)
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.%p", sys.executable,
                        str(driver), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        for dump in Path(tmp).glob("cg.*"):
            name = ""
            with open(dump, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.startswith("desc: Trigger:") and "Client Request:" in line:
                        name = line.split("Client Request:")[-1].strip()
                    elif line.startswith(("summary:", "totals:")):
                        counts[name] = counts.get(name, 0) + int(line.split()[1])
                        break
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--ledgers", type=int, default=40)
    parser.add_argument("--small", type=int, default=10)
    args = parser.parse_args()
    directory, n, small = str(args.directory), args.ledgers, args.small
    # .pyc files, the validated policies and our code's digest as a run before left them
    subprocess.run([sys.executable, "-c", RUN, directory, "3"], check=True, stdout=subprocess.DEVNULL)

    steps = callgrind(STEPS, directory, str(n), str(helper()))
    load = steps["load"] + steps.get("free", 0)
    print(f"== one process, {n} ledgers: instructions a ledger")
    print(f"  {'load + check (+ freeing it)':<28s}{load / n / 1e6:9.2f} M")
    extra = 0
    for name, count in steps.items():
        if name not in ("setup", "load", "free", ""):
            extra += count
            print(f"  {name:<28s}{count / n / 1e6:9.2f} M")
    print(f"  {'beyond the load':<28s}{extra / n / 1e6:9.2f} M = {extra / load:.1%} of the load")

    runs = {k: sum(callgrind(RUN, directory, str(k)).values()) for k in (small, n)}
    loads = {k: sum(callgrind(LOADS, directory, str(k)).values()) for k in (small, n)}
    run = (runs[n] - runs[small]) / (n - small)
    plain = (loads[n] - loads[small]) / (n - small)
    print(f"== whole run on 2 workers ({small} and {n} ledgers; main process and workers summed)")
    print(f"  consolidation {run / 1e6:.1f} M a ledger, load + check {plain / 1e6:.1f} M: "
          f"run ÷ loads = {run / plain:.3f}")


if __name__ == "__main__":
    os.environ.setdefault("BEANCOUNT_DISABLE_LOAD_CACHE", "1")
    main()
