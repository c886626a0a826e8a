"""Do two writers at once lose an update? Pairs of `studiofund` commands started together.

Generates a studio ledger of ``--transactions`` (bench_check's mix; default 8,000) into
bench/out/, then runs ``--pairs`` pairs of commands at the same moment, each pair two separate
processes: ``record`` (each pays its own invoice with its own voucher) or ``budget`` (each sets
another category). Afterwards every write must be in the ledger and the ledger must load with no
new error. Prints the lost updates (target: 0), the failed commands and the time per write.

    .venv/bin/python bench/bench_writers.py [--transactions 8000] [--pairs 20] [--command record|budget]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_check import OUT, generate  # noqa: E402

BIN = Path(sys.executable).parent
ACCOUNTS = ["Research", "Seminars", "Materials", "Equipment", "Conference", "Network", "FieldVisits",
            "Publication", "OtherCollective", "LecturerFees"]


def record_cmd(ledger: Path, pair: int, side: str) -> list[str]:
    return [str(BIN / "studiofund"), "record", str(ledger), "--date", "2024-12-30", "--payee", "新华书店",
            "--narration", f"并发写入测试 {pair}{side}", "--account", "Materials", "--amount", "1.00",
            "--invoice", f"99{pair:04d}{ord(side)}", "--voucher", f"W{pair:03d}-{side}",
            "--approver", "李梅", "--reviewer", "王建国"]


def budget_cmd(ledger: Path, pair: int, side: str) -> list[str]:
    account = ACCOUNTS[(2 * pair + (side == "b")) % len(ACCOUNTS)]
    year = 2030 + pair  # one year a pair, so each pair's two budgets are both expected to stay
    return [str(BIN / "studiofund"), "budget", str(ledger), "--year", str(year), "--allow-over",
            "--set", f"{account}={100 + pair}"]


def expected(command: str, pair: int, side: str) -> str:
    if command == "record":
        return f'voucher: "W{pair:03d}-{side}"'
    account = ACCOUNTS[(2 * pair + (side == "b")) % len(ACCOUNTS)]
    return f'{2030 + pair}-01-01 custom "budget" Expenses:{account} "yearly" {100 + pair}.00 CNY'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=8000)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--command", choices=["record", "budget"], default="record")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    ledger = OUT / f"writers-{args.transactions}.beancount"
    generate(ledger, args.transactions)
    make = record_cmd if args.command == "record" else budget_cmd
    lost = failed = 0
    start = time.perf_counter()
    for pair in range(args.pairs):
        procs = [subprocess.Popen(make(ledger, pair, side), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for side in "ab"]
        for proc in procs:
            _, err = proc.communicate()
            if proc.returncode != 0:
                failed += 1
                print(f"pair {pair}: exit {proc.returncode}: {err.decode().strip()[:200]}")
        text = ledger.read_text(encoding="utf-8")
        lost += sum(expected(args.command, pair, side) not in text for side in "ab")
    elapsed = time.perf_counter() - start
    check = subprocess.run([str(BIN / "bean-check"), str(ledger)], capture_output=True, text=True)
    beancount_errors = [line for line in check.stdout.splitlines() + check.stderr.splitlines()
                        if "Balance failed" in line or "Syntax" in line or "error" in line.lower()[:10]]
    print(f"{args.pairs} pairs of `{args.command}` at once on {args.transactions} transactions: "
          f"lost updates {lost}, failed commands {failed}, "
          f"{elapsed / (2 * args.pairs):.2f} s per write, ledger loads: {'yes' if not beancount_errors else 'NO'}")


if __name__ == "__main__":
    main()
