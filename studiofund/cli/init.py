"""``studiofund init`` — a new studio ledger for a program."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from studiofund.ledger.template import documents_folder, render_new_ledger
from studiofund.ledger.text import text_problem
from studiofund.ledger.writer import LedgerWriteError, create_ledger
from studiofund.money import fmt_share, q2

from .common import InputError, load_policy_or_fail, policy_option
from .params import AMOUNT, Date, OutputFile, Text, describe_error

#: a person's name (host, member)
MAX_NAME = 64
#: a program id names a bundled file (or the id of a --policy file): a plain name, no path
PROGRAM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


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
    problem = text_problem(value, "--host", max_length=MAX_NAME)
    if problem:
        raise click.BadParameter(problem, ctx, param)
    value = value.strip()
    if any(c in value for c in ',，、;；"'):
        raise click.BadParameter("--host 请给出一个姓名（不含逗号、引号）。", ctx, param)
    return value


def _names(ctx, param, values):
    """``--member 张三 --member 李四`` or ``--member 张三,李四``: the names, in order, once each."""
    names: list[str] = []
    for value in values:
        for name in re.split(r"[,，、;；]", value):
            problem = text_problem(name, "--member 的成员姓名", max_length=MAX_NAME) if name.strip() else ""
            if problem:
                raise click.BadParameter(problem, ctx, param)
            name = name.strip()
            if '"' in name:
                raise click.BadParameter(f"成员姓名不能含引号：{name!r}。", ctx, param)
            if name and name not in names:
                names.append(name)
    return tuple(names)


@click.command()
@click.argument("file", type=OutputFile(), metavar="账簿")
@click.option("--program", required=True, type=Text(64), help="项目编号，如 shenzhen-district（studiofund programs 可查）。")
@click.option("--name", required=True, type=Text(), help="工作室名称。")
@click.option("--host-school", required=True, type=Text(), help="主持人所在学校（承担财务管理的单位）。")
@click.option("--district", required=True, type=Text(64), help="所属区（县、市）。")
@click.option("--start", required=True, type=Date(future_days=366), help="建设周期开始日期 YYYY-MM-DD。")
@click.option("--allocation", type=AMOUNT, help="每年核定经费（由工作室逐一核定的项目必填，如 chifeng）。")
@click.option("--opening-balance", type=AMOUNT, help="上年结余，记为期初余额（对 Equity:CarryForward）。")
@click.option("--public-budget", type=AMOUNT,
              help="学校年度公用经费预算总额（绿园区：教师培训经费不低于其 5%；未给 --allocation 时按此计算）。")
@click.option("--principal-salaries", type=AMOUNT, help="校长工资总额（绿园区：校长培训经费不低于其 2.5%）。")
@click.option("--host", callback=_name, help="工作室主持人姓名（写入工作室声明 host:；向主持人支付劳务费、补贴、讲课费会提示复核）。")
@click.option("--member", "members", multiple=True, callback=_names,
              help="工作室成员姓名，可重复或用逗号分隔（写入 members:）。")
@policy_option
def init(file, program, name, host_school, district, start, allocation, opening_balance, public_budget,
         principal_salaries, host, members, policy_file):
    """新建一个工作室账簿：选项、插件、工作室声明、本项目允许的科目（带中文名称）。"""
    path = Path(file)
    if path.exists() or path.is_symlink():
        raise InputError(f"{path}：文件已存在，init 不会覆盖已有账簿；请换一个文件名。")
    if not policy_file and not PROGRAM_ID.match(program):
        raise InputError(f"--program {program!r} 不是项目编号（只含字母、数字、-、_、.，不含路径）；"
                         "请用 studiofund programs 查看可用的项目编号。")
    folder = path.parent / documents_folder(path.name)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}：已有同名文件，不能作为附件目录；请换一个账簿文件名。")
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
        start=start,
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
        raise InputError(str(exc) if isinstance(exc, LedgerWriteError)
                         else f"{path}：无法写入（{describe_error(exc)}）；未做任何修改。") from None
    click.echo(f"已创建 {path}：{name}（{policy.name}），开设本项目允许的 {len(policy.accounts)} 个开支科目。")
