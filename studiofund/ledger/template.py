"""The text of a new studio ledger (``studiofund init``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from studiofund.money import fmt, fmt_share
from studiofund.policy.models import BASE_ACCOUNTS, Policy

from .directives import STUDIO
from .studio import FAVA_EXTENSION, PLUGIN_NAME
from .text import clean_text, quote as _q

#: Fava's plugin that links a transaction's ``document:`` metadata to the scan in the documents
#: folder. Declared before ours: the sealing digest then sees the same entries inside the plugin
#: and after the load.
LINK_DOCUMENTS = "fava.plugins.link_documents"


def documents_folder(ledger_name: str) -> str:
    """The documents folder of a new ledger, beside it and named after it (``studio.documents``):
    one folder a ledger, so studios sharing a directory never see each other's scans."""
    stem = ledger_name[: -len(".beancount")] if ledger_name.endswith(".beancount") else ledger_name
    return f"{stem}.documents"


def render_new_ledger(
    policy: Policy,
    *,
    name: str,
    host_school: str,
    district: str,
    start: datetime.date,
    allocation: Decimal | None = None,
    opening_balance: Decimal | None = None,
    policy_ref: str | None = None,
    public_budget: Decimal | None = None,
    principal_salaries: Decimal | None = None,
    documents: str | None = None,
    host: str | None = None,
    members: tuple[str, ...] = (),
) -> str:
    """A ledger with options, the plugin, the studio declaration and the program's accounts."""
    d = start.isoformat()
    lines = [
        # comment lines hold text too: on one line, or a name would start a directive
        f"; {clean_text(name)} — 专项经费账簿（{clean_text(policy.name)}）",
        f"; 依据：《{clean_text(policy.document)}》。由 studiofund init 生成；每笔收支须有凭证号（voucher）。",
        "",
        f"option \"title\" {_q(name + ' 专项经费')}",
        'option "operating_currency" "CNY"',
        *([f"option \"documents\" {_q(documents)}"] if documents else []),
        f'plugin "{LINK_DOCUMENTS}"',
        f'plugin "{PLUGIN_NAME}"',
        "",
        f'{d} custom "fava-option" "language" "zh"',
        f'{d} custom "fava-extension" "{FAVA_EXTENSION}"',
        "",
        f'{d} custom "{STUDIO}" "{policy.id}"',
        f"  name: {_q(name)}",
        f"  host-school: {_q(host_school)}",
        f"  district: {_q(district)}",
        f"  cycle-start: {d}",
    ]
    if allocation is not None:
        lines.append(f"  allocation: {fmt(allocation)} CNY")
    if public_budget is not None:
        lines.append(f"  public-budget: {fmt(public_budget)} CNY")
    if principal_salaries is not None:
        lines.append(f"  principal-salaries: {fmt(principal_salaries)} CNY")
    if host:
        lines.append(f"  host: {_q(host)}")
    if members:
        lines.append(f"  members: {_q(', '.join(members))}")
    if policy_ref:
        lines.append(f"  policy: {_q(policy_ref)}")
    lines += ["", "; 专户、收入、结转与应缴回科目"]
    for account, label in BASE_ACCOUNTS.items():
        lines += [f"{d} open {account} CNY", f"  name: {_q(label)}"]
    lines += ["", f"; 本项目允许的开支范围（{clean_text(policy.citations.get('category-not-permitted', ''))}）"]
    for item in policy.accounts:
        lines += [f"{d} open {item.account} CNY", f"  name: {_q(item.label)}"]
    if policy.principal_training is not None:
        training = policy.principal_training
        lines += ["", "; " + clean_text(f"校长培训经费不低于校长工资总额的 {fmt_share(training.salary_share)}：记入以下科目，"
                                        f"或在支出上标注 {training.meta_key}: \"校长\"")]
        for account in training.accounts:
            lines += [f"{d} open {account} CNY", f"  name: {_q(training.label)}"]
    if opening_balance:
        lines += [
            "",
            f'{d} * "上年结转" "期初余额（上年结余结转）"',
            f"  Assets:Bank:Dedicated  {fmt(opening_balance)} CNY",
            "  Equity:CarryForward",
        ]
    return "\n".join(lines) + "\n"
