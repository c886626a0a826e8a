"""What the commands share: the input-error exit (status 2) and small output helpers."""

from __future__ import annotations

import click

from studiofund.policy import PolicyError, load_program


class InputError(click.ClickException):
    """Bad usage or an unreadable input: a clear message on stderr and exit status 2."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # noqa: D401 - click API
        click.echo(f"错误：{self.format_message()}", err=True)


class Refused(InputError):
    """A write that was refused (the ledger would not load, a second claw-back …)."""


def policy_option(func):
    return click.option(
        "--policy", "policy_file", type=click.Path(dir_okay=False), default=None,
        help="自定义策略文件（TOML），替代内置项目的规定。",
    )(func)


def load_policy_or_fail(program: str, policy_file: str | None):
    try:
        return load_program(program, policy_file)
    except PolicyError as exc:
        raise InputError(str(exc)) from None
