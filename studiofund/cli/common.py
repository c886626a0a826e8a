"""What the commands share: the input-error exit (status 2) and small output helpers."""

from __future__ import annotations

from decimal import Decimal

import click

from studiofund.ledger.loading import LedgerInputError, LoadedLedger, check_readable, load_ledger
from studiofund.ledger.writer import LedgerWriteError, LedgerWriter
from studiofund.money import parse_amount
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


def amount_param(ctx, param, value) -> Decimal | None:
    """A click callback: an amount as people write it (``1,200.50``, ``１２００元``), to the cent."""
    if value is None:
        return None
    try:
        amount = parse_amount(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    try:
        if Decimal(str(value).strip().replace(",", "")) != amount:
            raise click.BadParameter(f"金额 {value} 最多两位小数（精确到分）。")
    except ArithmeticError:
        pass  # written with full-width digits or 元: parse_amount has read it
    return amount


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


def write_planned(ledger: str, planner, refusals: tuple[type[Exception], ...] = ()) -> None:
    """Change a ledger through the writer: ``planner(loaded, text)`` — the ledger and its text as
    read under the writer's lock — returns a plan (``.text``, ``.summary``); the plan's text is
    validated and written, and its summary printed. The planner's ``refusals`` exceptions and the
    writer's refusals exit with status 2, nothing written."""
    try:
        path = check_readable(ledger)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    try:
        with LedgerWriter(path) as writer:
            text = writer.read()
            plan = planner(writer.before(), text)
            writer.replace(plan.text)
    except LedgerWriteError as exc:
        raise Refused(str(exc)) from None
    except refusals as exc:
        raise Refused(str(exc)) from None
    click.echo(plan.summary)


def refuse_unusable(loaded: LoadedLedger, path) -> None:
    """Exit 2 when the ledger has syntax errors (a command that writes would build on them)."""
    if loaded.parse_errors:
        first = loaded.parse_errors[0]
        raise InputError(f"{path}:{first.source.get('lineno', '?')}：账簿有语法错误（{first.message}）；请先修正。")


def open_ledger(path, *, refuse_syntax_errors: bool = False, incomplete: str | None = None) -> LoadedLedger:
    """Load a ledger for a command: exit 2 when it cannot be read, or — with
    ``refuse_syntax_errors`` — when it has syntax errors; with ``incomplete`` (what the command
    makes, e.g. "报表"), warn on stderr that the ledger's load errors may leave it incomplete."""
    try:
        loaded = load_ledger(path)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    if refuse_syntax_errors:
        refuse_unusable(loaded, path)
    if incomplete and (loaded.load_errors or loaded.config_errors):
        n = len(loaded.load_errors) + len(loaded.config_errors)
        click.echo(f"警告：{path} 有 {n} 个加载错误（语法、余额断言或工作室声明），{incomplete}可能不完整；"
                   f"请运行 studiofund check {path} 查看并修正。", err=True)
    return loaded
