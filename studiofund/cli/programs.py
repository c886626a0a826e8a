"""``studiofund programs [show ID]`` — the bundled funding programs."""

from __future__ import annotations

import click

from studiofund.money import fmt_cn, fmt_share
from studiofund.policy import bundled_ids, load_program
from studiofund.policy.assessment import CONSEQUENCE_LABELS

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
@click.argument("program_id", metavar="项目编号")
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
    out += _standards(p) + _assessment(p)
    click.echo("\n".join(out))


def _standards(p) -> list[str]:
    """The spending standards, each with its source (over-standard)."""
    s = p.standards
    out = []
    if s.lecture is not None:
        caps = "、".join(f"{title} {fmt_cn(cap)}" for title, cap in s.lecture.caps.items())
        basis = "税后" if s.lecture.after_tax else "税前"
        out += [f"  讲课费标准（每学时，{basis}，须记 hours:、title:）：{caps} 元", f"        {s.lecture.source}"]
    for d in s.daily():
        caps = "、".join(f"{name} {fmt_cn(cap)}" for name, cap in d.caps.items())
        out += [f"  {d.label}标准（每人每天，须记 persons:、days:；{'、'.join(d.accounts)}）：{caps} 元；"
                f"适用{d.applies} {fmt_cn(d.cap)} 元" + (f"（{d.why}）" if d.why else ""), f"        {d.source}"]
    return out


def _assessment(p) -> list[str]:
    """What the assessments decide (assessment-funding, cycle-end-balance) and lvyuan's shares."""
    out = []
    a = p.assessment
    if a is not None:
        steps = "；".join(f"第 {i} 次：{CONSEQUENCE_LABELS[c]}" for i, c in enumerate(a.on_fail, start=1))
        if a.unrectified:
            steps += f"；未整改：{CONSEQUENCE_LABELS[a.unrectified]}"
        out += [f"  年度考核不合格的后果：{steps}", f"        {a.clause}"]
        if a.cycle_clause:
            out += ["  期满考核：合格及以上可进入下一周期（结余可结转），不合格则不再继续", f"        {a.cycle_clause}"]
    if p.cycle_end is not None:
        out += ["  建设周期结束：结余应缴回，经期满考核合格进入下一周期的除外", f"        {p.cycle_end.clause}"]
    if p.allocation.public_budget_share is not None:
        out.append(f"  教师培训经费不低于年度公用经费预算（public-budget:）的 {fmt_share(p.allocation.public_budget_share)}")
    t = p.principal_training
    if t is not None:
        out += [f"  校长培训支出不低于校长工资总额（principal-salaries:）的 {fmt_share(t.salary_share)}："
                f"记入 {'、'.join(t.accounts)} 或标注 {t.meta_key}: \"{'/'.join(t.meta_words)}\"", f"        {t.clause}"]
    return out
