"""Generated studio ledgers for the bureau's benches (consolidate, serve).

Each ledger is a ``shenzhen-district`` studio of one year (2020) with ``txns`` transactions:
grants first (the balance never goes negative), then payments on seven permitted accounts with
voucher, invoice and both signatures, three yearly budgets; studios spread over five districts.
Written under ``bench/out/`` (gitignored) or any directory given; a stamp file makes a second
call with the same size free.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

HEADER = """\
option "title" "{name}"
option "operating_currency" "CNY"
plugin "studiofund.plugin"

2019-01-01 custom "fava-option" "language" "zh"
2019-01-01 custom "fava-extension" "studiofund.web.fava_extension"

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


def studio_name(i: int) -> str:
    return f"第{i:05d}号名班主任工作室"


def ledger_text(i: int, txns: int) -> str:
    rng = random.Random(i)
    name = studio_name(i)
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
            f'  voucher: "2020-{n:04d}"\n  invoice: "{i:05d}{n:05d}"\n'
            f'  approver: "主持人"\n  reviewer: "校长"\n'
            f"  Expenses:{account}  {amount:.2f} CNY\n  Assets:Bank:Dedicated\n")
    return "\n".join(out)


def generate(directory: Path, studios: int, txns: int) -> list[Path]:
    """``studios`` ledgers of ``txns`` transactions in ``directory`` (made again only when the
    size asked for changed)."""
    stamp = directory / f".generated-v2-{studios}-{txns}"
    paths = [directory / f"studio-{i:05d}.beancount" for i in range(studios)]
    if not stamp.exists():
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        for i, path in enumerate(paths):
            path.write_text(ledger_text(i, txns), encoding="utf-8")
        stamp.touch()
    return paths
