"""A generated set of studio ledgers for the bureau's engines: several years, districts and
programs, carry-forward, refunds, sub-accounts, fixed assets (posting and transaction level),
invoices shared between studios, budgets (yearly and monthly), seals, assessments, a claw-back, a studio
without activity, one without a declaration, one in an included year file, sub-cent amounts —
and one file that does not load."""

from __future__ import annotations

import random
from pathlib import Path

from ledgertext import studio

DISTRICTS = ["南山区", "福田区", "和平区"]
PROGRAMS = {"南山区": "shenzhen-district", "福田区": "shenzhen-city", "和平区": "shenyang-studio"}
SHENZHEN = ["Research", "Seminars", "Materials", "Equipment", "Conference", "Publication"]
SHENYANG = ["Research", "Publication", "Training", "Materials", "Travel"]


#: the accounts every generated studio opens besides its program's expense accounts
BASE_ACCOUNTS = ("Assets:Bank:Dedicated", "Income:Grant:City", "Income:Grant:City:Supplement", "Income:Grant:District",
                 "Income:Grant:Other", "Equity:CarryForward", "Liabilities:Refund:Bureau", "Expenses:Gifts")


def header(name: str, district: str, program: str) -> str:
    """A studio ledger's head (the tests' one builder, :func:`ledgertext.studio`) with its title."""
    accounts = SHENYANG if program.startswith("shenyang") else SHENZHEN
    return f'option "title" "{name}"\n' + studio(
        program=program, name=name, host_school=f"{name}所在学校", district=district, cycle_start="2019-01-01",
        accounts=(*BASE_ACCOUNTS, *(f"Expenses:{a}" for a in accounts)))


def txn(date: str, payee: str, narration: str, voucher: str, postings: list[str], **meta: str) -> str:
    lines = [f'{date} * "{payee}" "{narration}"', f'  voucher: "{voucher}"']
    lines += [f'  {k.replace("_", "-")}: "{v}"' for k, v in meta.items()]
    lines += [f"  {p}" for p in postings]
    return "\n".join(lines) + "\n"


def studio_text(i: int, rng: random.Random) -> str:
    district = DISTRICTS[i % len(DISTRICTS)]
    program = PROGRAMS[district]
    accounts = SHENYANG if program.startswith("shenyang") else SHENZHEN
    name = f"第{i:02d}号工作室"
    out = [header(name, district, program)]
    out.append('2020-01-01 custom "budget" Expenses:Research "yearly" 8000.00 CNY\n')
    out.append('2020-01-01 custom "budget" Expenses:Materials "monthly" 333.33 CNY\n')
    out.append('2021-01-01 custom "budget" Expenses:Publication "yearly" 5000.00 CNY\n')
    n = 0
    for year in (2019, 2020, 2021):
        n += 1
        out.append(txn(f"{year}-01-05", "市教育局", "年度拨款", f"{year}-{n:03d}",
                       ["Assets:Bank:Dedicated  20000.00 CNY", "Income:Grant:City"]))
        if i % 2 == 0:
            n += 1
            out.append(txn(f"{year}-02-05", "区教育局", "区级配套", f"{year}-{n:03d}",
                           ["Assets:Bank:Dedicated  15000.00 CNY", "Income:Grant:District"]))
        if year == 2020 and i % 3 == 0:
            n += 1
            out.append(txn("2020-03-01", "市教育局", "追加拨款", f"{year}-{n:03d}",
                           ["Assets:Bank:Dedicated  1000.50 CNY", "Income:Grant:City:Supplement"]))
            n += 1
            out.append(txn("2020-03-02", "银行", "利息", f"{year}-{n:03d}",
                           ["Assets:Bank:Dedicated  12.345 CNY", "Income:Grant:Other"]))
        if year == 2021 and i % 4 == 1:
            n += 1
            out.append(txn("2021-01-02", "上年结转", "结余结转", f"{year}-{n:03d}",
                           ["Assets:Bank:Dedicated  100.00 CNY", "Equity:CarryForward"]))
        for _ in range(rng.randrange(4, 9)):
            n += 1
            account = rng.choice(accounts)
            amount = f"{rng.randrange(100, 300000) / 100:.2f}"
            if rng.random() < 0.1:
                amount = f"{rng.randrange(1000, 9000) / 1000:.3f}"  # sub-cent amounts
            invoice = f"INV-{i:02d}-{n:03d}"
            if rng.random() < 0.15:
                invoice = f"SHARED-{rng.randrange(4)}"
            if rng.random() < 0.1:
                invoice += f",INV-{i:02d}-{n:03d}B"
            month, day = rng.randrange(3, 13), rng.randrange(1, 28)
            out.append(txn(f"{year}-{month:02d}-{day:02d}", f"供应商{rng.randrange(9)}", f"{account}支出",
                           f"{year}-{n:03d}", [f"Expenses:{account}  {amount} CNY", "Assets:Bank:Dedicated"],
                           invoice=invoice, approver="主持人", reviewer="校长"))
        # a fixed asset, registered on the posting; another on the transaction, split equally
        n += 1
        out.append(f'{year}-06-10 * "电脑城" "办公设备" \n  voucher: "{year}-{n:03d}"\n  invoice: "A-{i:02d}-{n}"\n'
                   f'  approver: "主持人"\n  reviewer: "校长"\n'
                   f'  Expenses:{accounts[0]}  3200.00 CNY\n    asset-id: "ZC-{i}-{year}"\n'
                   f"  Assets:Bank:Dedicated\n")
        n += 1
        out.append(f'{year}-07-10 * "电脑城" "设备两台" \n  voucher: "{year}-{n:03d}"\n  invoice: "B-{i:02d}-{n}"\n'
                   f'  approver: "主持人"\n  reviewer: "校长"\n  asset-id: "ZC-T-{i}-{year}"\n'
                   f"  Expenses:{accounts[1]}  1500.00 CNY\n  Expenses:{accounts[2]}  1500.00 CNY\n"
                   f"  Assets:Bank:Dedicated\n")
    if i % 4 == 3:  # a red-letter invoice reverses part of a payment: no use of its numbers
        n += 1
        out.append(txn("2021-10-10", "供应商1", "退货红字发票", f"2021-{n:03d}",
                       [f"Expenses:{accounts[0]}  -100.00 CNY", "Assets:Bank:Dedicated"],
                       invoice="SHARED-2", invoice_kind="red"))
    if i % 5 == 2:  # a category the program does not permit
        n += 1
        out.append(txn("2021-09-10", "商场", "节日礼品", f"2021-{n:03d}",
                       ["Expenses:Gifts  800.00 CNY", "Assets:Bank:Dedicated"], invoice=f"G-{i}"))
    if i % 5 == 3:
        out.append('2021-01-20 custom "studio-sealed" 2020 "sha256:0000"\n  entries: 3\n')
        out.append('2021-03-01 custom "assessment" 2020 "良好"\n  assessor: "第三方评估机构"\n')
    if i % 7 == 4:
        out.append('2021-11-30 custom "studio-disqualified" "年度考核不合格"\n')
        n += 1
        out.append(txn("2021-11-30", "收回结余", "缴回", f"2021-{n:03d}",
                       ["Assets:Bank:Dedicated  -500.00 CNY", "Liabilities:Refund:Bureau"]))
    return "\n".join(out)


def generate(root: Path, studios: int = 12, seed: int = 7) -> Path:
    """Write the set under ``root`` and return it."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(studios):
        (root / f"studio-{i:02d}.beancount").write_text(studio_text(i, rng), encoding="utf-8")
    # a studio with no activity at all
    (root / "empty.beancount").write_text(header("无收支工作室", "福田区", "shenzhen-city"), encoding="utf-8")
    # a studio whose 2021 lives in an included year file
    (root / "split").mkdir(exist_ok=True)
    (root / "split" / "2021.beancount").write_text(
        txn("2021-05-01", "市教育局", "拨款", "2021-001", ["Assets:Bank:Dedicated  25000.00 CNY", "Income:Grant:City"])
        + txn("2021-06-01", "书店", "图书", "2021-002", ["Expenses:Materials  1234.56 CNY", "Assets:Bank:Dedicated"],
              invoice="SHARED-1"),
        encoding="utf-8")
    (root / "split" / "main.beancount").write_text(
        header("分年度文件工作室", "和平区", "shenyang-studio") + 'include "2021.beancount"\n', encoding="utf-8")
    # no studio declaration: listed among the unusable ledgers (consolidate's errors), not a row
    (root / "undeclared.beancount").write_text(
        'option "operating_currency" "CNY"\nplugin "studiofund.plugin"\n'
        "2019-01-01 open Assets:Bank:Dedicated CNY\n2019-01-01 open Income:Grant:City CNY\n"
        + txn("2021-03-01", "市教育局", "拨款", "2021-001", ["Assets:Bank:Dedicated  500.00 CNY", "Income:Grant:City"]),
        encoding="utf-8")
    # not UTF-8: cannot be read
    (root / "broken.beancount").write_bytes(
        'plugin "studiofund.plugin"\n2021-01-01 * "'.encode() + "市教育局".encode("gbk") + b'" "x"\n')
    return root
