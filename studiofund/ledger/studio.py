"""The studio declaration: the one ``custom "studio"`` directive every studio ledger carries.

    2020-01-01 custom "studio" "shenzhen-district"
      name: "南山区李梅名班主任工作室"
      host-school: "深圳市南山区第二实验学校"
      district: "南山区"
      cycle-start: 2019-01-01
      allocation: 40000.00 CNY        ; programs whose amount is set per studio
      policy: "policy/my-bureau.toml" ; optional: a bureau's own policy file, relative to the ledger

Other custom directives the package writes: ``studio-disqualified`` (claw-back) and
``studio-sealed`` / ``studio-reopened`` (closing a year).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from beancount.core import data

STUDIO_TYPE = "studio"
PLUGIN_NAME = "studiofund.plugin"
FAVA_EXTENSION = "studiofund.web.fava_extension"


class StudioConfigError(NamedTuple):
    """The ledger cannot be checked: no declaration, unknown program, broken policy file."""

    source: dict[str, Any]
    message: str
    entry: Any


@dataclass(frozen=True)
class Studio:
    program: str
    name: str
    host_school: str
    district: str
    cycle_start: datetime.date
    allocation: Decimal | None = None
    policy_file: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _meta_text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value).strip()


def parse_studio(entries: list[data.Directive]) -> tuple[Studio | None, list[StudioConfigError]]:
    """Find and read the studio declaration. Returns ``(studio, errors)``."""
    decls = [e for e in entries if isinstance(e, data.Custom) and e.type == STUDIO_TYPE]
    if not decls:
        return None, [
            StudioConfigError(
                data.new_metadata("<studiofund>", 0),
                "账簿缺少工作室声明（custom \"studio\"）：请用 `studiofund init` 新建账簿，"
                "或补上 `YYYY-MM-DD custom \"studio\" \"项目编号\"` 及 name、host-school、district、"
                "cycle-start 元数据。",
                None,
            )
        ]
    errors: list[StudioConfigError] = []
    decl = decls[0]
    for extra in decls[1:]:
        errors.append(
            StudioConfigError(extra.meta, "一个账簿只能有一个工作室声明；请删除多余的 custom \"studio\"。", extra)
        )
    meta = decl.meta
    program = str(decl.values[0].value).strip() if decl.values else ""
    missing = [k for k in ("name", "host-school", "district") if not _meta_text(meta, k)]
    if not program:
        missing.insert(0, "项目编号（custom \"studio\" 后的字符串）")
    if missing:
        errors.append(
            StudioConfigError(meta, f"工作室声明缺少：{'、'.join(missing)}；请补全后重试。", decl)
        )
        return None, errors
    cycle_start = meta.get("cycle-start", decl.date)
    if not isinstance(cycle_start, datetime.date):
        errors.append(StudioConfigError(meta, "cycle-start 应为日期（如 2019-01-01）。", decl))
        cycle_start = decl.date
    allocation = meta.get("allocation")
    if allocation is not None:
        number = getattr(allocation, "number", allocation)
        try:
            allocation = Decimal(str(number))
        except ArithmeticError:
            errors.append(StudioConfigError(meta, f"allocation 不是金额：{allocation!r}。", decl))
            allocation = None
    policy_file = None
    if _meta_text(meta, "policy"):
        base = Path(meta.get("filename", ".")).parent
        policy_file = (base / _meta_text(meta, "policy")).resolve()
    studio = Studio(
        program=program,
        name=_meta_text(meta, "name"),
        host_school=_meta_text(meta, "host-school"),
        district=_meta_text(meta, "district"),
        cycle_start=cycle_start,
        allocation=allocation,
        policy_file=policy_file,
        meta=meta,
    )
    return studio, errors


def load_studio_policy(studio: Studio):
    """The policy the studio declares; raises :class:`studiofund.policy.PolicyError`."""
    from studiofund.policy import load_program

    return load_program(studio.program, studio.policy_file)
