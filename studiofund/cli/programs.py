"""``studiofund programs [show ID]`` — the bundled funding programs."""

from __future__ import annotations

import click

from studiofund.money import fmt_cn
from studiofund.policy import bundled_ids, load_program

from .common import load_policy_or_fail, policy_option


@click.group(invoke_without_command=True)
@click.pass_context
def programs(ctx: click.Context) -> None:
    """列出内置的经费项目（programs show ID 查看其中一个）。"""
    if ctx.invoked_subcommand is not None:
        return

    for program_id in bundled_ids():
        p = load_program(program_id)
        grant = f"市级 {fmt_cn(p.allocation.city)} 元/年" if p.allocation.city else (
            "按工作室核定" if p.allocation.per_studio else "无固定拨款")
        if p.allocation.district_ratio:
            grant += f"，区级配套 ≥ {p.allocation.district_ratio}:1"
        click.echo(f"{p.id:<20} {p.name}（{grant}；依据《{p.document}》）")


@programs.command("show")
@click.argument("program_id")
@policy_option
def show(program_id: str, policy_file: str | None) -> None:
    """显示一个项目的完整规定。"""
    p = load_policy_or_fail(program_id, policy_file)
    a = p.allocation
    out = [
        f"{p.name}（{p.id}）",
        f"  类型：{p.studio_kind}    发文：{p.issuer}    周期：{p.cycle_years} 年",
        f"  依据：《{p.document}》",
        f"  拨款：{('市级 ' + fmt_cn(a.city) + ' 元/年') if a.city else ('按工作室核定' if a.per_studio else '无固定拨款')}"
        + (f"；区级配套不低于 {a.district_ratio}:1" if a.district_ratio else "")
        + (f"（{a.note}）" if a.note else ""),
        f"        {a.clause}",
        f"  双签（主持人 + 法定代表人）：{'要求' if p.dual_signoff else '不要求'}",
        f"  固定资产登记起点：{fmt_cn(p.asset_threshold)} 元（{'、'.join(p.asset_accounts)}）",
        "  允许的开支范围：",
    ]
    for item in p.accounts:
        person = "（支付给个人，须记 payee-id、tax-withheld）" if item.pays_individuals else ""
        out.append(f"    {item.account:<26} {item.label}{person}")
    click.echo("\n".join(out))
