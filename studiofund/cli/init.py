"""``studiofund init`` — a new studio ledger for a program."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import click

from studiofund.ledger.template import documents_folder, render_new_ledger
from studiofund.ledger.writer import LedgerWriteError, create_ledger
from studiofund.money import fmt_share, q2

from .common import InputError, amount_param, load_policy_or_fail, policy_option


def _amount(ctx, param, value):
    amount = amount_param(ctx, param, value)
    if amount is not None and amount < 0:
        raise click.BadParameter("金额不能为负。")
    return amount


def _share_of_budget(policy, allocation, public_budget, principal_salaries):
    """The year's allocation of a program funded as a share of the school's public budget
    (lvyuan: 5 %): computed from ``--public-budget`` when not given, refused when below it."""
    share = policy.allocation.public_budget_share
    if public_budget is not None and share is None:
        raise InputError(f"项目 {policy.id} 的经费不按公用经费预算比例核定，不需要 --public-budget。")
    if principal_salaries is not None and policy.principal_training is None:
        raise InputError(f"项目 {policy.id} 没有校长培训经费比例的规定，不需要 --principal-salaries。")
    if public_budget is None:
        return allocation
    minimum = q2(public_budget * share)
    if allocation is None:
        return minimum
    if allocation < minimum:
        raise InputError(
            f"--allocation {allocation} 低于年度公用经费预算 {public_budget} 元的 {fmt_share(share)}（{minimum} 元）"
            f"（{policy.allocation.clause.split('……')[0]}）；请按不低于该比例安排，或不给 --allocation 由此计算。"
        )
    return allocation


def _name(ctx, param, value):
    if value is None:
        return None
    value = value.strip()
    if not value or any(c in value for c in ',，、;；"\n'):
        raise click.BadParameter("请给出一个姓名（不含逗号、引号）。")
    return value


def _names(ctx, param, values):
    """``--member 张三 --member 李四`` or ``--member 张三,李四``: the names, in order, once each."""
    names: list[str] = []
    for value in values:
        for name in re.split(r"[,，、;；]", value):
            name = name.strip()
            if '"' in name or "\n" in name:
                raise click.BadParameter(f"成员姓名不能含引号或换行：{name!r}。")
            if name and name not in names:
                names.append(name)
    return tuple(names)


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--program", required=True, help="项目编号，如 shenzhen-district（studiofund programs 可查）。")
@click.option("--name", required=True, help="工作室名称。")
@click.option("--host-school", required=True, help="主持人所在学校（承担财务管理的单位）。")
@click.option("--district", required=True, help="所属区（县、市）。")
@click.option("--start", required=True, type=click.DateTime(["%Y-%m-%d"]), help="建设周期开始日期 YYYY-MM-DD。")
@click.option("--allocation", callback=_amount, help="每年核定经费（由工作室逐一核定的项目必填，如 chifeng）。")
@click.option("--opening-balance", callback=_amount, help="上年结余，记为期初余额（对 Equity:CarryForward）。")
@click.option("--public-budget", callback=_amount,
              help="学校年度公用经费预算总额（绿园区：教师培训经费不低于其 5%；未给 --allocation 时按此计算）。")
@click.option("--principal-salaries", callback=_amount, help="校长工资总额（绿园区：校长培训经费不低于其 2.5%）。")
@click.option("--host", callback=_name, help="工作室主持人姓名（写入工作室声明 host:；向主持人支付劳务费、补贴、讲课费会提示复核）。")
@click.option("--member", "members", multiple=True, callback=_names,
              help="工作室成员姓名，可重复或用逗号分隔（写入 members:）。")
@policy_option
def init(file, program, name, host_school, district, start, allocation, opening_balance, public_budget,
         principal_salaries, host, members, policy_file):
    """新建一个工作室账簿：选项、插件、工作室声明、本项目允许的科目（带中文名称）。"""
    path = Path(file)
    if path.exists():
        raise InputError(f"{path}：文件已存在，init 不会覆盖已有账簿；请换一个文件名。")
    if not path.parent.exists() and str(path.parent):
        raise InputError(f"{path.parent}：目录不存在；请先创建。")
    policy = load_policy_or_fail(program, policy_file)
    a = policy.allocation
    allocation = _share_of_budget(policy, allocation, public_budget, principal_salaries)
    if a.per_studio and allocation is None:
        raise InputError(f"项目 {policy.id} 的经费按工作室核定，请用 --allocation 给出每年核定金额。")
    if allocation is not None and not a.per_studio and a.city is not None and allocation != a.city:
        raise InputError(
            f"项目 {policy.id} 的市级拨款标准为 {a.city} 元/年（{a.clause}），不能另设 --allocation {allocation}。"
        )
    policy_ref = None
    if policy_file:
        policy_ref = os.path.relpath(Path(policy_file).resolve(), path.resolve().parent)
    text = render_new_ledger(
        policy,
        name=name,
        host_school=host_school,
        district=district,
        start=start.date() if isinstance(start, datetime.datetime) else start,
        allocation=allocation if a.per_studio else None,
        opening_balance=opening_balance,
        policy_ref=policy_ref,
        public_budget=public_budget,
        principal_salaries=principal_salaries,
        documents=documents_folder(path.name),
        host=host,
        members=members,
    )

    # the scans' folder (option "documents") must exist for the ledger to load
    folder = path.parent / documents_folder(path.name)
    made = not folder.exists()
    try:
        folder.mkdir(exist_ok=True)
        create_ledger(path, text)
    except (LedgerWriteError, OSError) as exc:
        if made:
            try:
                folder.rmdir()
            except OSError:
                pass
        raise InputError(str(exc) if isinstance(exc, LedgerWriteError) else f"{path}：无法写入（{exc.strerror}）。") from None
    click.echo(f"已创建 {path}：{name}（{policy.name}），开设本项目允许的 {len(policy.accounts)} 个开支科目。")
