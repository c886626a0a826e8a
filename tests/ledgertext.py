"""Studio ledgers as text — the one ledger builder of the tests, in the style of Beancount's
plugin tests.

``studio(body, program=…)`` wraps transactions in a studio ledger (options, plugin, the studio
declaration, every account of the chart opened, or those given); ``findings(text, rule)`` loads
it with ``beancount.loader.load_string`` (the plugin runs) and returns that rule's findings;
``txn(...)`` writes one transaction; ``write(path, body, …)`` writes a studio ledger file.
"""

from __future__ import annotations

import itertools
from pathlib import Path
import textwrap

from beancount import loader

from studiofund.ledger.findings import Finding
from studiofund.policy.models import BASE_ACCOUNTS, EXPENSE_ACCOUNTS

HOST_SCHOOL = "深圳市南山区第二实验学校"


ALL_ACCOUNTS = (*BASE_ACCOUNTS, *EXPENSE_ACCOUNTS)


def studio(
    body: str = "",
    program: str = "shenzhen-district",
    *,
    name: str = "测试工作室",
    host_school: str = HOST_SCHOOL,
    district: str = "南山区",
    cycle_start: str = "2020-01-01",
    declared: str | None = None,
    allocation: str | None = None,
    accounts: tuple[str, ...] = ALL_ACCOUNTS,
    extra_accounts: tuple[str, ...] = (),
    declaration: dict[str, str] | None = None,
) -> str:
    """A studio ledger of ``program`` around ``body`` (dedented): the declaration dated
    ``declared`` (default: the cycle start) and ``accounts`` opened at the cycle start.
    ``declaration`` adds metadata lines to the studio declaration, written as given
    (``{"public-budget": "1000000.00 CNY"}``)."""
    alloc = f"\n  allocation: {allocation} CNY" if allocation else ""
    alloc += "".join(f"\n  {key}: {value}" for key, value in (declaration or {}).items())
    opens = open_accounts(cycle_start, *accounts, *extra_accounts)
    return (
        'option "operating_currency" "CNY"\n'
        'plugin "studiofund.plugin"\n\n'
        f'{declared or cycle_start} custom "studio" "{program}"\n'
        f"  name: {quote(name)}\n"
        f"  host-school: {quote(host_school)}\n"
        f"  district: {quote(district)}\n"
        f"  cycle-start: {cycle_start}{alloc}\n\n"
        f"{opens}\n" + textwrap.dedent(body)
    )


def open_accounts(date: str, *accounts: str) -> str:
    """``open`` directives of ``accounts`` (each once, in the order given) on ``date``."""
    return "".join(f"{date} open {a} CNY\n" for a in dict.fromkeys(accounts))


def write(path: Path, body: str = "", **kw) -> Path:
    """Write ``studio(body, **kw)`` to ``path``; returns the path."""
    path.write_text(studio(body, **kw), encoding="utf-8")
    return path


def load(text: str):
    entries, errors, options_map = loader.load_string(text)
    return entries, errors, options_map


def findings(text: str, rule: str | None = None) -> list[Finding]:
    """The studiofund findings of a ledger text (of ``rule`` only, if given).

    Beancount's own errors (syntax, unbalanced transactions) fail the test: a rule test
    must be about the rule, not about a broken ledger.
    """
    _, errors, _ = load(text)
    others = [e for e in errors if not isinstance(e, Finding)]
    assert not others, f"ledger text does not load cleanly: {[e.message for e in others]}"
    found = [e for e in errors if isinstance(e, Finding)]
    return [f for f in found if rule is None or f.rule == rule]


def brief(text: str, rule: str) -> list[tuple[str, str | None, str]]:
    """``[(date, voucher, severity)]`` of a rule's findings, sorted: what tests assert exactly."""
    return sorted(
        (f.date.isoformat() if f.date else "", f.voucher, f.severity)
        for f in findings(text, rule)
    )


_counter = itertools.count(1)


def quote(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def txn(
    date: str,
    payee: str,
    narration: str,
    account: str = "Expenses:Seminars",
    amount: str = "100.00",
    *,
    counter: str = "Assets:Bank:Dedicated",
    voucher: str | None = "auto",
    **meta: str,
) -> str:
    """One transaction: ``amount`` to ``account``, paid from ``counter``. Metadata keys are
    given with underscores (``asset_id="A-1"`` → ``asset-id: "A-1"``); a value that is already
    a Beancount number or amount is written as is when passed as ``raw_<key>``."""
    if voucher == "auto":
        voucher = f"{date[:4]}-{next(_counter):04d}"
    lines = [f"{date} * {quote(payee)} {quote(narration)}"]
    if voucher is not None:
        lines.append(f"  voucher: {quote(voucher)}")
    for key, value in meta.items():
        if key.startswith("raw_"):
            lines.append(f"  {key[4:].replace('_', '-')}: {value}")
        else:
            lines.append(f"  {key.replace('_', '-')}: {quote(value)}")
    lines.append(f"  {account}  {amount} CNY")
    lines.append(f"  {counter}")
    return "\n".join(lines) + "\n\n"


def grant(date: str, amount: str, account: str = "Income:Grant:City", payer: str = "市教育局",
          narration: str = "拨款", *, voucher: str | None = "auto") -> str:
    """A grant of ``amount`` from ``account`` into the dedicated account."""
    return txn(date, payer, narration, "Assets:Bank:Dedicated", amount, counter=account, voucher=voucher)


#: Metadata that makes a payment complete for the document rules (invoice, both signatures).
PAPERS = {"invoice": "auto", "approver": "李梅", "reviewer": "王校长"}


def papers(**extra: str) -> dict[str, str]:
    """Complete papers with a fresh invoice number, plus ``extra``."""
    out = dict(PAPERS)
    out["invoice"] = f"{next(_counter):08d}"
    out.update(extra)
    return out


#: A bureau's own policy file (``--policy FILE``), smallest valid form.
BUREAU_POLICY = """
include = []
id = "my-bureau"
name = "某区名师工作室"
studio_kind = "名师工作室"
issuer = "某区教育局"
document = "某区名师工作室经费管理办法"

[allocation]
city = "30000.00"
clause = "第五条"

[[accounts]]
account = "Expenses:Research"
label = "课题研究"
"""


#: Both signatures of a payment (its invoice given apart).
SIGNED = {"approver": "李梅", "reviewer": "王校长"}


def cmb_books(date: str = "2020-04-07", payee: str = "深圳书城", amount: str = "3250.00") -> str:
    """The hand-booked book purchase (voucher 2020-002) that line SZ20200408001503 of
    tests/fixtures/banks/cmb_detail.csv books."""
    return txn(date, payee, "购买图书资料", "Expenses:Materials", amount, voucher="2020-002", invoice="04400123",
               **SIGNED)


#: The hand-booked entries that three lines of tests/fixtures/banks/cmb_detail.csv book: the city
#: grant (2020-001), the book purchase (2020-002), the website (2020-003).
CMB_GRANT = txn("2020-03-10", "深圳市教育局", "2020年名班主任工作室专项经费", "Assets:Bank:Dedicated", "40000.00",
                counter="Income:Grant:City", voucher="2020-001")
CMB_BOOKS = cmb_books()
CMB_WEBSITE = txn("2020-05-20", "深圳市智远信息技术有限公司", "工作室网站建设费", "Expenses:Network", "12800.00",
                  voucher="2020-003", invoice="04400456", **SIGNED)
