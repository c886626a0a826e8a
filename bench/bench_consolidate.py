"""Benchmark of ``studiofund consolidate`` at the bureau's scale: cold and warm, local and
DuckDB engines, and on a Dask LocalCluster; the three answers must be identical.

Generates ``--studios`` ledgers of ``--txns`` transactions (default 10,000 × 300, under
bench/out/, gitignored) and prints:

* **ideal parallel time** = the sum of the single-ledger load+check CPU times (``load_ledger``:
  Beancount's load with our plugin's checks, CPU time of each load) ÷ the number of cores, the
  loads timed with **every core loading at once** (one process a core, each taking every n-th
  ledger of the sample): the loads alone, perfectly spread over this machine's cores working
  together. Where two busy cores run an instruction slower than one core alone (shared caches,
  sibling hyperthreads), the run cannot escape that either, and an ideal timed one load at a
  time would be one no schedule reaches; that figure is printed too ("one at a time"; on the
  fourth session's machine the two did not differ). The ideal is timed before and after the
  cold run and the run is compared with their mean (the machine's speed drifted by up to a fifth
  within minutes; both are printed).
  With ``--sample N`` only N ledgers spread over the set are timed and the sum is extrapolated
  (the ledgers are generated alike).
* for the local engine, the same ideal **measured inside the cold run**: the run's workers time
  each of their own loads (``TIMED_RUN``: the per-ledger step's load wrapped, one short write a
  ledger to a log), and their sum ÷ cores is the ideal at the very moments of the run. The
  figures timed apart, before and after, bracket a machine whose speed moves during the run
  (on the fourth session's machine the same 400 loads took 460 s before and 553 s after a
  12-minute run); timed inside, drift touches the ideal and the run alike, so their ratio
  measures what the run adds to the loads: the per-ledger report, invoice record and cache
  entry, the main process, start-up, idle cores at the end. Both ratios are printed;
* **cold** (empty cache) wall time ÷ ideal (target ≤ 1.15), and the CPU time of the whole run
  (the command and its workers) ÷ the sum of load+check CPU times: the work added to the loads,
  which machine load does not distort; wall ÷ (CPU ÷ cores): 1.0 when every core is busy with
  the run from start to end; and the CPU time other processes took during the run (from
  ``/proc/stat``), which says how far the neighbours set the wall time;
* **warm** (nothing changed) wall time (target ≤ 5 s) and CPU time;
* the same for ``--engine duckdb`` and, cold, for ``--scheduler`` on a Dask LocalCluster of one
  single-threaded worker a core; and whether the JSON of every run is byte-identical.

Each run is a fresh ``studiofund`` process (interpreter start-up and imports included). On a
shared machine wall times grow with the load average, which is printed with each figure.

    .venv/bin/python bench/bench_consolidate.py [--studios 10000] [--txns 300] [--sample 400]
        [--engines local,duckdb,dask] [--drop-page-cache]

``--drop-page-cache`` (root on Linux) empties the kernel's page cache before each cold run, so
the run reads its ledgers from the disk as a bureau's first run of the year does.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from studios import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent
PYTHON = sys.executable
STUDIOFUND = str(Path(PYTHON).parent / "studiofund")

SINGLE = """
import json, sys, time
from studiofund.ledger.loading import load_ledger
times = []
for path in sys.argv[1:]:
    start = time.process_time()
    load_ledger(path)
    times.append(time.process_time() - start)
print(json.dumps(times))
"""


#: the local cold run, its ledgers' loads timed inside it: ``studiofund consolidate`` with the
#: per-ledger step's ``load`` wrapped so that each worker appends the CPU time of each
#: load+check to a log (one short write a ledger). The sum is the ideal's sum measured at the
#: same moments as the run, so the machine's drift (a fifth within minutes on a shared VM) is
#: the same for both.
TIMED_RUN = """
import os, sys, time
from studiofund.ledger.loading import load_ledger
from studiofund.reports import consolidate as c
from studiofund.cli import main
log = os.environ.pop("BENCH_LOAD_LOG")
step = c.summarize_ledger
assert step.__kwdefaults__ is None and step.__defaults__[-1] is load_ledger, "summarize_ledger's load changed"

def timed_load(path):
    start = time.process_time()
    try:
        return load_ledger(path)
    finally:
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        os.write(fd, f"{time.process_time() - start!r}\\n".encode())
        os.close(fd)

def timed_step(**kwargs):
    return step(**kwargs, load=timed_load)

c.summarize_ledger = timed_step
sys.argv[0] = "studiofund"
main()
"""


def machine_busy() -> float | None:
    """CPU seconds the whole machine has spent busy since boot (Linux ``/proc/stat``; None
    elsewhere): the difference over a run, less the run's own CPU, is what other processes
    took from it."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int, float | None]:
    """Wall time, CPU time (user + system of the command and its children), peak RSS (KiB) and
    the CPU time other processes took meanwhile (None if unknown)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = machine_busy()
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_after = machine_busy()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    others = busy_after - busy - cpu if busy is not None and busy_after is not None else None
    return wall, cpu, after.ru_maxrss, others


def neighbours(others: float | None, wall: float) -> str:
    return "" if others is None else f"; other processes took {max(others, 0):.0f} CPU s ({max(others, 0) / wall:.2f} cores)"


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def single_ledger_cpu(files: list[str], sample: int, processes: int) -> tuple[float, int]:
    """Sum of the single-ledger load+check CPU times (extrapolated from ``sample`` ledgers),
    timed in ``processes`` processes loading at the same time, each every n-th ledger."""
    step = max(1, len(files) // sample) if sample else 1
    chosen = files[::step][: sample or len(files)]
    # the first load of a process pays for imports and the policy cache: it is timed apart
    workers = [subprocess.Popen([PYTHON, "-c", SINGLE, chosen[0], *chosen[k::processes]],
                                stdout=subprocess.PIPE, text=True) for k in range(processes)]
    times: list[float] = []
    for worker in workers:
        out, _ = worker.communicate()
        if worker.returncode:
            raise SystemExit(f"single loads failed (exit {worker.returncode})")
        times += json.loads(out)[1:]
    return sum(times) / len(times) * len(files), len(times)


def ideal_time(files: list[str], sample: int, cores: int, when: str) -> float:
    """The ideal parallel time (loads on every core at once ÷ cores), printed with the figure
    of the same loads timed one at a time."""
    alone, _ = single_ledger_cpu(files, sample, 1)
    together, timed_n = single_ledger_cpu(files, sample, cores)
    ideal = together / cores
    print(f"[ideal, {when}] sum of single-ledger load+check CPU: {together:.1f} s with {cores} cores "
          f"loading at once, {alone:.1f} s one at a time (from {timed_n} ledgers) → ideal parallel "
          f"time {ideal:.1f} s on {cores} cores (one at a time it would be {alone / cores:.1f} s); "
          f"{load()}", flush=True)
    return ideal


def drop_page_cache() -> None:
    """Empty the kernel's page cache (root on Linux), so the next run reads from the disk."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n", encoding="ascii")
    except OSError as exc:
        raise SystemExit(f"--drop-page-cache: cannot write /proc/sys/vm/drop_caches ({exc}); run as root")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studios", type=int, default=10000)
    parser.add_argument("--txns", type=int, default=300)
    parser.add_argument("--sample", type=int, default=400, help="ledgers timed singly for the ideal (0: all)")
    parser.add_argument("--engines", default="local,duckdb,dask")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--drop-page-cache", action="store_true",
                        help="empty the kernel's page cache before each cold run (root)")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    directory = args.out or ROOT / "out" / f"consolidate-{args.studios}x{args.txns}"
    t = time.perf_counter()
    files = [str(p) for p in generate(directory, args.studios, args.txns)]
    print(f"{args.studios} ledgers × {args.txns} transactions in {directory} "
          f"({time.perf_counter() - t:.0f} s to generate or find); {cores} cores; {load()}", flush=True)

    ideal_before = ideal = ideal_time(files, args.sample, cores, "before the runs")
    ideal_after = None

    results: dict[str, Path] = {}
    scratch = Path(tempfile.mkdtemp(prefix="bench-consolidate-"))
    try:
        engines = [e for e in args.engines.split(",") if e]
        for engine in engines:
            cache = scratch / f"cache-{engine}"
            env = dict(os.environ, STUDIOFUND_CACHE_DIR=str(cache))
            out = scratch / f"{engine}.json"
            cmd = [STUDIOFUND, "consolidate", str(directory), "--year", "2020", "--format", "json", "-o", str(out)]
            cluster = None
            if engine == "dask":
                from distributed import LocalCluster

                cluster = LocalCluster(n_workers=cores, threads_per_worker=1, processes=True,
                                       dashboard_address=None)
                cmd += ["--scheduler", cluster.scheduler_address]
            elif engine == "duckdb":
                cmd += ["--engine", "duckdb"]
            cold_cmd, cold_env, log = cmd, env, None
            if engine == "local":  # its loads timed inside the run (TIMED_RUN)
                log = scratch / "loads.log"
                cold_cmd = [PYTHON, "-c", TIMED_RUN, *cmd[1:]]
                cold_env = dict(env, BENCH_LOAD_LOG=str(log))
            try:
                if args.drop_page_cache:
                    drop_page_cache()
                wall, cpu, rss, others = timed(cold_cmd, cold_env)
                if ideal_after is None:
                    ideal_after = ideal_time(files, args.sample, cores, "after the first cold run")
                    ideal = (ideal_before + ideal_after) / 2
                note = "" if engine != "dask" else " (CPU of the cluster's workers not counted)"
                busy = "" if engine == "dask" else f"; wall ÷ (CPU ÷ {cores}) = {wall / (cpu / cores):.3f}"
                print(f"[{engine}] cold: {wall:.1f} s wall = {wall / ideal:.3f} × ideal {ideal:.1f} s, the mean "
                      f"of before and after ({wall / ideal_before:.3f} × {ideal_before:.1f} s, "
                      f"{wall / ideal_after:.3f} × {ideal_after:.1f} s; target ≤ 1.15); "
                      f"CPU {cpu:.1f} s = {cpu / (ideal * cores):.3f} × the sum of loads{note}{busy}; peak RSS "
                      f"{rss / 1024:.0f} MiB; {load()}{neighbours(others, wall)}", flush=True)
                if log is not None:
                    in_run = [float(line) for line in log.read_text(encoding="ascii").split()]
                    if len(in_run) != len(files):
                        raise SystemExit(f"{len(in_run)} loads timed in the run, {len(files)} ledgers")
                    measured = sum(in_run) / cores
                    print(f"[{engine}] cold, against the loads timed inside the run (the same machine at the "
                          f"same moments): the sum of its {len(in_run)} load+check CPU times {sum(in_run):.1f} s "
                          f"÷ {cores} cores = ideal {measured:.1f} s → {wall:.1f} s wall = **{wall / measured:.3f} "
                          f"×** (target ≤ 1.15); CPU {cpu:.1f} s = {cpu / sum(in_run):.3f} × those loads; the "
                          f"loads timed apart took {ideal * cores / sum(in_run):.3f} × as long (mean of before "
                          f"and after)", flush=True)
                results[engine] = out.with_suffix(".cold.json")
                shutil.move(out, results[engine])
                if engine != "dask":
                    wall, cpu, _, others = timed(cmd, env)
                    print(f"[{engine}] warm: {wall:.2f} s wall (target ≤ 5 s), CPU {cpu:.2f} s; {load()}"
                          f"{neighbours(others, wall)}", flush=True)
                    same = filecmp.cmp(out, results[engine], shallow=False)
                    print(f"[{engine}] warm answer identical to cold: {same}", flush=True)
            finally:
                if cluster is not None:
                    cluster.close()
            shutil.rmtree(cache, ignore_errors=True)
        if len(results) > 1:
            first = next(iter(results.values()))
            same = {engine: filecmp.cmp(first, path, shallow=False) for engine, path in results.items()}
            print(f"JSON identical across engines: {same}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
