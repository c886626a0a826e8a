"""``studiofund user``: manage the users file of ``studiofund serve`` (hashed passwords)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from studiofund.ledger.writer import LedgerWriteError, LockedFile
from studiofund.web.users import (MIN_PASSWORD_LENGTH, UserDirectory, UsersFileError, file_format,
                                  load_users, name_problem, new_user)

from .common import InputError
from .params import Choice, InputFile, Text, output_file_problem


@click.group("user")
def user() -> None:
    """管理 `studiofund serve` 的用户文件（审计人员、学校财务人员）。"""


def _load_or_empty(users_file: Path):
    if not users_file.exists() and not users_file.is_symlink():
        return UserDirectory()
    try:
        return load_users(users_file)
    except UsersFileError as exc:
        raise InputError(str(exc)) from None


def _update(users_file: Path, change) -> None:
    """Change the users file through the writer: read under its lock, ``change(directory)``,
    written atomically (a new file gets mode 0600, an existing one keeps its own — 0400 too:
    that is how an administrator keeps the hashes private, not a frozen file)."""
    try:
        with LockedFile(users_file, new_mode=0o600, read_only_ok=True) as f:
            f.read_bytes()
            directory = _load_or_empty(users_file)
            change(directory)
            f.replace(directory.dumps(file_format(users_file)))
    except LedgerWriteError as exc:
        raise InputError(str(exc)) from None


#: the longest password read (a line; a stream without line ends is not read to its end)
MAX_PASSWORD = 1024


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline(MAX_PASSWORD + 2)
        password = line.rstrip("\r\n")
        if len(password) > MAX_PASSWORD:
            raise InputError(f"密码超过 {MAX_PASSWORD} 个字符；请用较短的密码（一行）。")
        return password
    if not sys.stdin.isatty():
        raise InputError("请用 --password-stdin 从标准输入提供密码。")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@user.command("add")
@click.argument("users_file", type=click.Path(path_type=Path), metavar="用户文件")  # checked by output_file_problem
@click.argument("name", type=Text(64, forbid=":", label="用户名"), metavar="用户名")
@click.option("--role", type=Choice(["auditor", "officer"]), required=True,
              help="auditor：审计人员，只读；officer：学校财务人员，可编辑本人范围内的账簿。")
@click.option("--district", "districts", multiple=True, type=Text(64),
              help="只能访问该区县的工作室账簿（按工作室声明的 district）；可多次给出。")
@click.option("--ledger", "ledgers", multiple=True, type=Text(255),
              help="只能访问路径匹配该通配符的账簿（如 'ledgers/nanshan/*.beancount'）；可多次给出。")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（一行）。")
@click.option("--replace", is_flag=True, help="用户已存在时替换其角色、范围和密码。")
@click.option("--no-export", is_flag=True, help="不允许该用户下载账簿（日记账导出、查询结果导出）。")
def add(users_file: Path, name: str, role: str, districts: tuple[str, ...],
        ledgers: tuple[str, ...], password_stdin: bool, replace: bool, no_export: bool) -> None:
    """在用户文件中添加用户（文件不存在时新建，权限 0600）。"""

    name = name.strip()
    if not name or ":" in name or name_problem(name, "用户名"):
        raise InputError(name_problem(name, "用户名") or "用户名不能为空，也不能包含冒号或换行。")
    for value, what in [*((d, "--district") for d in districts), *((g, "--ledger") for g in ledgers)]:
        problem = name_problem(value.strip(), what) if value.strip() else ""
        if problem:
            raise InputError(problem)
    folders = [g for g in ledgers if g.strip().endswith(("/", "\\")) or Path(g.strip()).is_dir()]
    if folders:  # a scope that names a folder matches no ledger: the user would see nothing
        raise InputError(f"--ledger {folders[0]!r} 是目录，不是账簿文件的路径或通配符；"
                         "请写成如 'ledgers/nanshan/*.beancount'。")
    problem = output_file_problem(users_file, "用户文件", read_only_ok=True)
    if problem:
        raise InputError(problem)
    if name in _load_or_empty(users_file).users and not replace:  # before asking for a password
        raise InputError(f"用户 {name} 已存在；如需修改请加 --replace。")
    bad = [d for d in districts if not d.strip()] + [g for g in ledgers if not g.strip()]
    if bad:
        raise InputError("--district 和 --ledger 不能为空。")
    password = _read_password(password_stdin)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    user = new_user(name, role, password, [d.strip() for d in districts], [g.strip() for g in ledgers],
                    export=not no_export)

    def change(directory) -> None:
        if name in directory.users and not replace:
            raise InputError(f"用户 {name} 已存在；如需修改请加 --replace。")
        directory.add(user)

    _update(users_file, change)
    scope = "、".join([*districts, *ledgers]) or "全部账簿"
    click.echo(f"已{'更新' if replace else '添加'}用户 {name}（{'审计人员，只读' if role == 'auditor' else '学校财务人员'}；范围：{scope}）→ {users_file}")


@user.command("remove")
@click.argument("users_file", type=InputFile("用户文件"), metavar="用户文件")
@click.argument("name", type=Text(64, label="用户名"), metavar="用户名")
def remove(users_file: Path, name: str) -> None:
    """从用户文件中删除用户。"""
    if not users_file.exists():
        raise InputError(f"{users_file}：用户文件不存在。")

    def change(directory) -> None:
        if name not in directory.users:
            raise InputError(f"用户 {name} 不存在。")
        del directory.users[name]

    _update(users_file, change)
    click.echo(f"已删除用户 {name}。")


@user.command("list")
@click.argument("users_file", type=InputFile("用户文件"), metavar="用户文件")
def list_users(users_file: Path) -> None:
    """列出用户文件中的用户、角色和访问范围（不显示密码）。"""
    if not users_file.exists():
        raise InputError(f"{users_file}：用户文件不存在。")
    directory = _load_or_empty(users_file)
    for u in sorted(directory.users.values(), key=lambda u: u.name):
        scope = "；".join(
            [*(f"区县 {d}" for d in u.districts), *(f"账簿 {g}" for g in u.ledgers)]
        ) or "全部账簿"
        click.echo(f"{u.name}\t{u.role_label}\t{scope}" + ("" if u.may_export else "\t不可导出"))
