"""The ``studiofund`` command: a thin click layer over the library.

Subcommands live in their own modules and are imported only when run, so ``studiofund check``
pays for nothing it does not use.
"""

from __future__ import annotations

import importlib
import importlib.util

import click

#: name → (module, attribute). A module that is not there (yet) is simply not listed.
COMMANDS: dict[str, tuple[str, str]] = {
    "programs": ("studiofund.cli.programs", "programs"),
    "init": ("studiofund.cli.init", "init"),
    "check": ("studiofund.cli.check", "check"),
    "budget": ("studiofund.cli.budget", "budget"),
    "report": ("studiofund.cli.report", "report"),
    "journal": ("studiofund.cli.journal", "journal"),
    "pending": ("studiofund.cli.pending", "pending"),
    "correct": ("studiofund.cli.correct", "correct"),
    "consolidate": ("studiofund.cli.consolidate", "consolidate"),
    "export": ("studiofund.cli.export", "export"),
    "clawback": ("studiofund.cli.clawback", "clawback"),
    "close": ("studiofund.cli.close", "close"),
    "import": ("studiofund.cli.import_cmd", "import_statements"),
    "serve": ("studiofund.cli.serve", "serve"),
    "user": ("studiofund.cli.user", "user"),
    "invoice": ("studiofund.cli.invoice", "invoice"),
    "record": ("studiofund.cli.record", "record"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n, (mod, _) in COMMANDS.items() if importlib.util.find_spec(mod) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name]
        if importlib.util.find_spec(module_name) is None:
            return None
        return getattr(importlib.import_module(module_name), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="studiofund")
def main() -> None:
    """studiofund — 名师工作室专项经费的账簿、合规检查与年度经费使用情况表。"""
