"""Where does the first `studiofund check` go? Instructions phase by phase, against plain Beancount.

Runs one first check of the bench ledger (`bench/bench_check.py` generates it into bench/out/;
run that first) and one plain Beancount load of its copy without the plugin line under
valgrind's callgrind, with a stats dump at each phase boundary: interpreter start, imports,
parse (our safe read of the files included), booking, Beancount's plugins and ours — the studio
plugin split into its preparation and the rules pass —, validation, the check cache's write,
and the rest (rendering, freeing, exit); a line ``before X`` is what ran between the previous
boundary and X. ``--without-gc`` leaves garbage collection out of
every phase (collection is switched off from a ``gc.callbacks`` start to its stop), so a second
run with and without it says what the collector costs.

    .venv/bin/python bench/check_phases.py [--without-gc] [--skip-rules MODULE,…] [--varied]

``--skip-rules rules.content`` runs the check without the rules of those modules: the difference
is what they cost; ``--varied`` measures the bench's ledger whose payments are all different
(`bench/bench_check.py --varied` generates it). Needs valgrind, its ``valgrind/callgrind.h`` and a C compiler (the dump is a
client request: a three-line helper built into bench/out/ and loaded with ctypes).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).with_name("out")
HELPER_C = """#include <valgrind/callgrind.h>
void dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
void toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
"""

#: the driver run under callgrind: argv = mode (check|plain), ledger, helper, without-gc, skip
DRIVER = r'''
import ctypes, functools, gc, sys
mode, ledger, helper, without_gc, skip = sys.argv[1:6]
lib = ctypes.CDLL(helper)
def dump(name):
    lib.dump(name.encode())
dump("interpreter start")
if without_gc == "1":
    gc.callbacks.append(lambda phase, info: lib.toggle())
from beancount import loader
from beancount.ops import validation
from beancount.parser import booking, parser
if mode == "check":
    import studiofund.cli as cli
    import studiofund.plugin as plugin
    from studiofund.checks import cache, registry
    from studiofund.ledger import sources
    if skip:
        import studiofund.checks.rules  # noqa: F401  (registered before the list is filtered)
        every = registry.rules
        registry.rules = lambda: [r for r in every() if not any(m in r.impl.__module__ for m in skip.split(","))]
dump("imports")

def wrap(module, name, label):
    inner = getattr(module, name)
    @functools.wraps(inner)
    def timed(*args, **kwargs):
        dump("before " + label)
        try:
            return inner(*args, **kwargs)
        finally:
            dump(label)
    setattr(module, name, timed)

wrap(booking, "book", "booking")
wrap(validation, "validate", "validation")
if mode == "plain":
    wrap(parser, "parse_file", "parse")
    wrap(loader, "run_transformations", "plugins")
    loader.load_file(ledger)
    dump("rest")
else:
    wrap(sources, "parse_tree", "parse")
    wrap(loader, "run_transformations", "plugins")
    wrap(plugin, "check_studio", "studio plugin")
    wrap(plugin, "run_checks", "rules pass")
    wrap(cache, "store", "check cache write")
    try:
        cli.main(["check", ledger])
    except SystemExit:
        pass
    dump("rest")
'''


def helper() -> Path:
    library = OUT / "libcallgrind_dump.so"
    if not library.exists():
        source = OUT / "callgrind_dump.c"
        source.write_text(HELPER_C)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    return library


def phases(mode: str, ledger: Path, env: dict[str, str], without_gc: bool, skip: str) -> list[tuple[str, int]]:
    """(phase, instructions) of one run, in order; a ``before X`` dump closes what ran before X."""
    with tempfile.TemporaryDirectory() as tmp:
        driver = Path(tmp, "driver.py")
        driver.write_text(DRIVER)
        subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.%p", sys.executable,
                        str(driver), mode, str(ledger), str(helper()), "1" if without_gc else "0", skip],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        found = []
        for dump in Path(tmp).glob("cg.*"):
            trigger, count = "", 0
            with open(dump, encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    if line.startswith("desc: Trigger:"):
                        trigger = line.split("Client Request:")[-1].strip() if "Client Request" in line else "exit"
                    elif line.startswith(("summary:", "totals:")):
                        count = int(line.split()[1])
                        break
            parts = dump.name.split(".")  # cg.PID.N, and cg.PID for the last one, at exit
            order = int(parts[2]) if len(parts) == 3 else 10**9
            found.append((order, trigger, count))
    return [(name, count) for _, name, count in sorted(found)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--without-gc", action="store_true", help="leave garbage collection out of every phase")
    parser.add_argument("--skip-rules", default="", help="run the check without the rules of these modules")
    parser.add_argument("--varied", action="store_true", help="the ledger whose payments are all different")
    args = parser.parse_args()
    suffix = "-varied" if args.varied else ""
    ledger, plain = OUT / f"studio{suffix}.beancount", OUT / f"plain{suffix}.beancount"
    if not ledger.exists() or not plain.exists():
        raise SystemExit("先运行 bench/bench_check.py" + (" --varied" if args.varied else "") + " 生成基准账簿。")
    cache = OUT / "cache"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(STUDIOFUND_CACHE_DIR=str(cache), BEANCOUNT_DISABLE_LOAD_CACHE="1")
    # as the bench: .pyc files, the validated policy and our code's digest kept by a run before
    # (after an edit of the code, the first run would validate the policy again)
    subprocess.run([str(Path(sys.executable).parent / "studiofund"), "check", str(ledger)], env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(cache / "check", ignore_errors=True)  # a first check: no result kept; the policy is
    check = phases("check", ledger, env, args.without_gc, args.skip_rules)
    base = phases("plain", plain, env, args.without_gc, "")
    for title, rows in (("studiofund check（首次）", check), ("Beancount 加载（无插件）", base)):
        print(f"== {title}" + ("（不计垃圾回收）" if args.without_gc else ""))
        for name, count in rows:
            print(f"  {name:<26s}{count / 1e9:8.3f} G")
        print(f"  {'合计':<24s}{sum(c for _, c in rows) / 1e9:8.3f} G")
    total, reference = sum(c for _, c in check), sum(c for _, c in base)
    print(f"首次检查 ÷ Beancount 加载：{total / reference:.3f}")


if __name__ == "__main__":
    main()
