"""The studiofund CLI in tests: run a command with click's runner, initialise a studio ledger."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from studiofund.cli import main


def run(*args, catch: bool = False, input: str | None = None) -> Result:
    """Run ``studiofund ARGS`` (arguments may be paths); an unexpected exception fails the test
    unless ``catch``."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=catch, input=input)


def init_studio(path: Path, *, program: str = "shenzhen-district", name: str = "测试工作室",
                host_school: str = "测试学校", start: str = "2020-01-01") -> Path:
    """``studiofund init`` a studio ledger at ``path`` (district 南山区); fails the test if it fails."""
    result = run("init", path, "--program", program, "--name", name, "--host-school", host_school,
                 "--district", "南山区", "--start", start)
    assert result.exit_code == 0, result.output
    return path
