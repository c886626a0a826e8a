"""``studiofund serve``: Fava with the 经费合规 page, behind login (see :mod:`studiofund.web`)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from studiofund.files import read_source
from studiofund.ledger.loading import LedgerInputError, check_readable, declares_studio, find_ledgers, no_ledgers_found
from studiofund.web.users import UsersFileError, load_users

from .common import InputError
from .params import INPUT_PATH, InputFile, IntRange, Text, describe_error


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost`` — addresses only this machine can reach."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_ledgers(paths: tuple[str, ...]) -> list[Path]:
    """The studio ledgers to serve; raises :class:`InputError` when there are none."""
    found = find_ledgers(list(paths))
    for path in found:
        try:
            loaded = check_readable(path)
            data, problem = read_source(loaded)
        except LedgerInputError as exc:
            raise InputError(str(exc)) from None
        if data is None:
            raise InputError(f"{path}：{problem}；请检查账簿文件。")
        if not declares_studio(data):
            raise InputError(f"{path}：不是工作室账簿（没有工作室声明 custom \"studio\"）；"
                             "请给出用 studiofund init 建立的账簿，或检查是否给错了文件。")
    if not found:
        raise InputError(no_ledgers_found(paths))
    return found


@click.command("serve")
@click.argument("paths", nargs=-1, required=True, type=INPUT_PATH, metavar="账簿或目录...")
@click.option("--users", "users_file", type=InputFile("用户文件"), default=None,
              help="用户文件（TOML 或 JSON，由 `studiofund user add` 创建）；给出后须登录。")
@click.option("--host", default="127.0.0.1", show_default=True, type=Text(255),
              help="监听地址；非本机地址必须同时给出 --users。")
@click.option("--port", default=5000, show_default=True, type=IntRange(0, 65535), help="端口。")
@click.option("--max-loaded", default=16, show_default=True, type=IntRange(1, 100000),
              help="同时载入内存的账簿数上限：账簿在首次访问时载入，超出时释放最久未访问的。")
@click.option("--behind-proxy", is_flag=True,
              help="在 TLS 反向代理之后运行：采用代理的 X-Forwarded-For/-Proto/-Host，登录 Cookie 加 Secure。")
def serve(paths: tuple[str, ...], users_file: Path | None, host: str, port: int, max_loaded: int,
          behind_proxy: bool) -> None:
    """用 Fava 提供账簿网页（含“经费合规”页面），审计人员只读、按区县或账簿授权。"""
    if users_file is None and not is_loopback(host):
        raise InputError(
            f"拒绝在非本机地址 {host} 上无登录地提供账簿；请用 --users 指定用户文件"
            "（`studiofund user add` 创建），或只监听 127.0.0.1。"
        )
    if behind_proxy and users_file is None:
        raise InputError("--behind-proxy 需要同时给出 --users（经代理访问必须登录）。")
    ledgers = resolve_ledgers(paths)
    if users_file is not None:
        try:
            directory = load_users(users_file)
        except UsersFileError as exc:
            raise InputError(str(exc)) from None
        if not directory.users:
            raise InputError(f"{users_file}：用户文件中没有用户；请先用 `studiofund user add` 添加。")

    # start-up: Fava and Flask take 0.56 s to import (2026-12-03); `studiofund --help` imports every command module
    from studiofund.web.app import build_app

    if users_file is not None and not behind_proxy and not is_loopback(host):
        click.echo("提示：登录密码会以明文经过网络；请在前面放置 TLS 反向代理（HTTPS），"
                   "并加 --behind-proxy（见 docs/web.md）。", err=True)
    # ledgers load on first request (at most --max-loaded); the overview's figures start now
    app = build_app(ledgers, users_file, max_loaded=max_loaded, warm=True, behind_proxy=behind_proxy)
    bind = "127.0.0.1" if host == "localhost" else host
    shown = f"[{bind}]" if ":" in bind else bind
    click.echo(f"正在提供 {len(ledgers)} 个账簿：http://{shown}:{port}/"
               + ("（需登录）" if users_file else "（仅本机，无需登录）"))
    from cheroot.wsgi import Server

    server = Server((bind, port), app)
    try:
        server.start()
    except KeyboardInterrupt:
        click.echo("已停止。", err=True)
        server.stop()
    except OSError as exc:
        raise InputError(f"无法监听 {bind}:{port}（{describe_error(exc)}）；请检查 --host 和 --port，"
                         "或换一个未被占用的端口。") from None
