"""The input-error exit of every command (status 2), in a module of its own: ``check`` needs it
without importing the writer and its file locks (``common``), a tenth of the imports of a check
run (≈ 0.03 G instructions of 14.5 G on the check bench, ``bench/bench_check.py --callgrind``)."""

from __future__ import annotations

import click


class InputError(click.ClickException):
    """Bad usage or an unreadable input: a clear message on stderr and exit status 2."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # noqa: D401 - click API
        click.echo(f"错误：{self.format_message()}", err=True)
