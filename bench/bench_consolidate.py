"""Benchmark of ``studiofund consolidate``: parallel speed-up, warm cache, memory.

Generates 200 studio ledgers of 300 transactions (bench/out/consolidate/, gitignored) and prints:

* cold consolidate ÷ ideal parallel time, where the ideal is one process loading every ledger
  in sequence divided by the number of cores (target ≤ 1.25);
* warm rerun (nothing changed, cache hit) ÷ cold (target ≤ 0.2);
* peak memory (max RSS of the process and of its workers) consolidating 200 vs 50 studios
  (target: not growing with the number of studios; ratio ≈ 1).

Each measurement runs in a fresh process, so every figure includes interpreter start-up and
imports alike. Usage: ``.venv/bin/python bench/bench_consolidate.py [--studios 200] [--txns 300]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
OUT = ROOT / "out" / "consolidate"
PYTHON = sys.executable
STUDIOFUND = str(Path(PYTHON).parent / "studiofund")

HEADER = """\
option "title" "{name}"
option "operating_currency" "CNY"
plugin "studiofund.plugin"

2020-01-01 custom "studio" "shenzhen-district"
  name: "{name}"
  host-school: "{school}"
  district: "{district}"
  cycle-start: 2019-01-01

2019-01-01 open Assets:Bank:Dedicated CNY
2019-01-01 open Income:Grant:City CNY
2019-01-01 open Income:Grant:District CNY
2019-01-01 open Income:Grant:Other CNY
2019-01-01 open Equity:CarryForward CNY
2019-01-01 open Liabilities:Refund:Bureau CNY
{opens}
2020-01-01 custom "budget" Expenses:Research "yearly" 30000.00 CNY
2020-01-01 custom "budget" Expenses:Materials "yearly" 20000.00 CNY
2020-01-01 custom "budget" Expenses:Seminars "yearly" 20000.00 CNY
"""

ACCOUNTS = ["Research", "Seminars", "Materials", "Conference", "Network", "FieldVisits", "Publication"]
DISTRICTS = ["南山区", "福田区", "罗湖区", "宝安区", "龙岗区"]


def ledger_text(i: int, txns: int) -> str:
    rng = random.Random(i)
    name = f"第{i:03d}号名班主任工作室"
    opens = "\n".join(f"2019-01-01 open Expenses:{a} CNY" for a in ACCOUNTS)
    out = [HEADER.format(name=name, school=f"深圳市第{i}学校", district=DISTRICTS[i % len(DISTRICTS)], opens=opens)]
    grants = max(2, txns // 30)
    per_grant = 4000000  # cents: the balance never goes below zero
    for n in range(1, txns + 1):
        month, day = 1 + (n * 11) // (txns + 1), 1 + (n * 7) % 28
        if n <= grants:
            month, day = 1, 1 + n % 28
            out.append(f'2020-{month:02d}-{day:02d} * "市教育局" "拨款"\n  voucher: "2020-{n:04d}"\n'
                       f"  Assets:Bank:Dedicated  {per_grant / 100:.2f} CNY\n  Income:Grant:City\n")
            continue
        account = ACCOUNTS[rng.randrange(len(ACCOUNTS))]
        amount = rng.randrange(1000, 90000) / 100
        out.append(
            f'2020-{month:02d}-{day:02d} * "供应商{rng.randrange(50)}" "{account} 支出 {n}"\n'
            f'  voucher: "2020-{n:04d}"\n  invoice: "{i:03d}{n:05d}"\n'
            f'  approver: "主持人"\n  reviewer: "校长"\n'
            f"  Expenses:{account}  {amount:.2f} CNY\n  Assets:Bank:Dedicated\n")
    return "\n".join(out)


def generate(studios: int, txns: int) -> list[Path]:
    stamp = OUT / f".generated-{studios}-{txns}"
    paths = [OUT / f"studio-{i:03d}.beancount" for i in range(studios)]
    if not stamp.exists():
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        for i, path in enumerate(paths):
            path.write_text(ledger_text(i, txns), encoding="utf-8")
        stamp.touch()
    return paths


SEQUENTIAL = """
import sys, time
from studiofund.reports.consolidate import summarize_ledger
t = time.perf_counter()
for p in sys.argv[2:]:
    r = summarize_ledger(p, int(sys.argv[1]), None)
    assert "report" in r, r
"""

MEMORY = """
import resource, sys
from pathlib import Path
from studiofund.reports.consolidate import consolidate
c = consolidate([Path(p) for p in sys.argv[2:]], int(sys.argv[1]), use_cache=False)
assert len(c.reports) == len(sys.argv) - 2
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(me, kids)
"""


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user + system, the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studios", type=int, default=200)
    parser.add_argument("--txns", type=int, default=300)
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    paths = generate(args.studios, args.txns)
    files = [str(p) for p in paths]
    print(f"{args.studios} ledgers × {args.txns} transactions in {OUT}; {cores} cores")

    # warm the OS file cache and bytecode
    timed([PYTHON, "-c", SEQUENTIAL, "2020", *files[:5]])
    # the machine may be shared: alternate the two measurements and keep the best of each
    sequential, cold, warm = [], [], []
    for _ in range(args.repeat):
        sequential.append(timed([PYTHON, "-c", SEQUENTIAL, "2020", *files]))
        with tempfile.TemporaryDirectory() as cache:
            env = dict(os.environ, STUDIOFUND_CACHE_DIR=cache)
            cmd = [STUDIOFUND, "consolidate", str(OUT), "--year", "2020", "--format", "json"]
            cold.append(timed(cmd, env))
            warm.append(timed(cmd, env))
    seq_wall, seq_cpu = min(sequential)
    cold_wall, cold_cpu = min(cold)
    warm_wall, _ = min(warm)
    ideal = seq_wall / cores
    print(f"sequential load of all ledgers (one process): {seq_wall:.2f}s (cpu {seq_cpu:.2f}s); "
          f"ideal parallel: {ideal:.2f}s")
    print(f"cold consolidate: {cold_wall:.2f}s (cpu {cold_cpu:.2f}s)   ratio cold/ideal = {cold_wall / ideal:.2f}  "
          f"(target ≤ 1.25)")
    print(f"  cpu overhead of consolidate over the sequential load: {cold_cpu / seq_cpu:.2f}×; "
          f"load average now {os.getloadavg()[0]:.1f} on {cores} cores")
    print(f"warm consolidate: {warm_wall:.2f}s   ratio warm/cold  = {warm_wall / cold_wall:.3f} (target ≤ 0.2)")

    peaks = {}
    for n in (args.small, args.studios):
        out = subprocess.run([PYTHON, "-c", MEMORY, "2020", *files[:n]], check=True, capture_output=True,
                             text=True).stdout.split()
        me, kids = int(out[0]), int(out[1])
        peaks[n] = max(me, kids)
        print(f"peak RSS with {n:3d} studios: main {me / 1024:.0f} MiB, largest worker {kids / 1024:.0f} MiB")
    ratio = peaks[args.studios] / peaks[args.small]
    print(f"ratio peak({args.studios})/peak({args.small}) = {ratio:.2f}  (target ≈ 1, not growing)")


if __name__ == "__main__":
    main()
