"""What the commands share: the input-error exit (status 2), opening a studio ledger with its
checks (a studio declaration, a year within its books), and writing a plan."""

from __future__ import annotations

import datetime

import click

from studiofund.ledger.loading import LedgerInputError, LoadedLedger, check_readable, load_ledger
from studiofund.ledger.writer import LedgerWriteError, LedgerWriter
from studiofund.policy import PolicyError, load_program

from .errors import InputError  # noqa: F401  (the commands import it from here)
from .params import InputFile, today


class Refused(InputError):
    """A write that was refused (the ledger would not load, a second claw-back …)."""


def policy_option(func):
    return click.option(
        "--policy", "policy_file", type=InputFile("策略文件"), default=None,
        help="自定义策略文件（TOML），替代内置项目的规定。",
    )(func)


def load_policy_or_fail(program: str, policy_file) -> object:
    try:
        return load_program(program, None if policy_file is None else str(policy_file))
    except PolicyError as exc:
        raise InputError(str(exc)) from None


def studio_problem(loaded: LoadedLedger, *, writing: bool = False) -> str:
    """Why a command cannot work on this ledger ('' when it can): :meth:`LoadedLedger.problem`."""
    return loaded.problem(writing=writing)


def books_years(loaded: LoadedLedger) -> tuple[int, int]:
    """The years of a ledger's books: from its first entry (or cycle start) to the later of its
    last entry and this year."""
    years = [e.date.year for e in loaded.entries if hasattr(e, "date")]
    if loaded.studio is not None:
        years.append(loaded.studio.cycle_start.year)
    this_year = today().year
    if not years:
        return this_year, this_year
    return min(years), max(max(years), this_year)


def check_year(loaded: LoadedLedger, year: int, option: str = "--year", *, ahead: int = 0) -> None:
    """Refuse a year outside the ledger's books (``ahead`` years after them are allowed: a
    budget for next year)."""
    first, last = books_years(loaded)
    last += ahead
    if year < first:
        raise InputError(f"{option} {year}：早于账簿 {loaded.path} 的第一年（{first} 年）；请写账簿中的年度（{first}—{last}）。")
    if year > last:
        raise InputError(f"{option} {year}：晚于账簿 {loaded.path} 的年度范围（{first}—{last}）；请写账簿中的年度。")


def check_date(loaded: LoadedLedger, date: datetime.date, option: str = "--date") -> None:
    """Refuse a date before the ledger's books begin (its first entry or cycle start)."""
    dates = [e.date for e in loaded.entries if hasattr(e, "date")]
    if loaded.studio is not None:
        dates.append(loaded.studio.cycle_start)
    if dates and date < min(dates):
        raise InputError(f"{option} {date}：早于账簿 {loaded.path} 的开始日期（{min(dates)}）；请核对日期。")


def write_planned(ledger: str, planner, refusals: tuple[type[Exception], ...] = ()) -> None:
    """Change a ledger through the writer: ``planner(loaded, text)`` — the ledger and its text as
    read under the writer's lock — returns a plan (``.text``, ``.summary``); the plan's text is
    validated and written, and its summary printed. A ledger that is no usable studio ledger
    (:func:`studio_problem`), the planner's ``refusals`` exceptions and the writer's refusals
    exit with status 2, nothing written."""
    try:
        path = check_readable(ledger)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    try:
        with LedgerWriter(path) as writer:
            text = writer.read()
            loaded = writer.before()
            problem = studio_problem(loaded, writing=True)
            if problem:
                raise InputError(problem)
            plan = planner(loaded, text)
            writer.replace(plan.text)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    except LedgerWriteError as exc:
        raise Refused(str(exc)) from None
    except refusals as exc:
        raise Refused(str(exc)) from None
    click.echo(plan.summary)


def open_ledger(path, *, incomplete: str | None = None) -> LoadedLedger:
    """Load a studio ledger for a command that reads it: exit 2 when it cannot be read, has
    syntax errors or unreadable includes, or is no studio ledger (:func:`studio_problem`); with
    ``incomplete`` (what the command makes, e.g. "报表"), warn on stderr about the ledger's
    other load errors (balance assertions …) and a missing plugin line."""
    try:
        loaded = load_ledger(path)
    except LedgerInputError as exc:
        raise InputError(str(exc)) from None
    problem = studio_problem(loaded)
    if problem:
        raise InputError(problem)
    if incomplete and (loaded.load_errors or loaded.config_errors):
        n = len(loaded.load_errors) + len(loaded.config_errors)
        click.echo(f"警告：{path} 有 {n} 个加载错误（余额断言、工作室声明或 plugin 行），{incomplete}可能不完整；"
                   f"请运行 studiofund check {path} 查看并修正。", err=True)
    return loaded
