"""How long does the web desk's preview take? Target: ≤ 0.25 s on a 1,000-entry ledger.

The preview runs every check on the ledger as it would be with the officer's payment in it,
against the ledger the server has already loaded (only the new entry is parsed). Generates a
studio ledger of ``--transactions`` (bench_check's realistic mix) into bench/out/, loads it once
as the server does, then times ``--runs`` previews of a payment (a different amount each time, so
no result is reused), and, for reference, the full path a save takes (``record --dry-run``: lock,
reload of the whole ledger, the same checks) and plain Beancount's load of the same file.

    .venv/bin/python bench/bench_preview.py [--transactions 1000] [--runs 30]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_check import OUT, generate  # noqa: E402

from studiofund.booking.measures import Measures  # noqa: E402
from studiofund.booking.preview import preview_payment  # noqa: E402
from studiofund.booking.record import Payment, record  # noqa: E402
from studiofund.ledger.loading import from_load, load_entries  # noqa: E402


def payment(i: int) -> Payment:
    return Payment(date=datetime.date(2024, 6, 15), payee="新华书店", narration="购买班主任工作类图书",
                   account="图书资料购置", amount=Decimal("120.00") + i, invoices=(f"2444200000{i:010d}",),
                   approver="李梅", reviewer="王建国")


def lecture(i: int) -> Payment:
    """A lecture fee with 学时 and 职称 and the tax computed: the spending standards measure it."""
    return Payment(date=datetime.date(2024, 6, 15), payee="陈志远", narration="班主任专题讲座讲课费",
                   account="LecturerFees", amount=Decimal("1800.00") + i, payee_id="440305197502183516", tax="auto",
                   approver="李梅", reviewer="王建国", measures=Measures(hours="4", title="副高"))


def timed(fn, runs: int) -> list[float]:
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transactions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    ledger = OUT / f"preview-{args.transactions}.beancount"
    generate(ledger, args.transactions)
    entries, errors, options = load_entries(ledger)
    loaded = from_load(ledger, entries, errors, options)
    print(f"{ledger}: {len(entries)} entries, {len(loaded.findings)} findings already there")

    preview = timed(lambda i: preview_payment(loaded, payment(i)), args.runs)
    lectures = timed(lambda i: preview_payment(loaded, lecture(i)), args.runs)
    full = timed(lambda i: record(ledger, payment(i), dry_run=True), max(3, args.runs // 6))
    plain = timed(lambda i: load_entries(ledger), max(3, args.runs // 6))
    for name, times in (("preview (desk, as typed)", preview), ("preview, lecture fee + 学时/职称", lectures),
                        ("record --dry-run (full path)", full),
                        ("plain Beancount load", plain)):
        print(f"{name:<30} fastest {min(times):.3f} s   median {statistics.median(times):.3f} s   "
              f"({len(times)} runs)")
    median = max(statistics.median(preview), statistics.median(lectures))
    verdict = "OK" if median <= 0.25 else "OVER TARGET"
    print(f"preview median {median:.3f} s vs target 0.25 s: {verdict}; "
          f"preview / plain load = {median / statistics.median(plain):.2f}")


if __name__ == "__main__":
    main()
