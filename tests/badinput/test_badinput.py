"""The bad-input suite: every row of :mod:`cases` as a real ``studiofund`` process.

Each probe must end within its deadline with the row's exit status, a Chinese message naming
the row's words on stderr, no traceback or Python exception text on either stream, and every
file of its world unchanged (bytes, mode; nothing added or removed)."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cases import CASES, Case  # noqa: E402
from runner import Zygote  # noqa: E402
from world import build_template, copy_world, fingerprint  # noqa: E402

#: seconds a probe may take (the slowest good run is about two seconds on a loaded machine)
DEADLINE = 30.0
CJK = re.compile(r"[\u4e00-\u9fff]")
#: what a user must never read: Python's tracebacks and exception names, click's English
ENGLISH = re.compile(
    r"Traceback|^\w*(Error|Exception|Warning):|\b\w+(Error|Exception)\b|^Error:|^Usage:|Try '|Aborted!|"
    r"Invalid value|Missing (option|argument|parameter)|No such (option|command)|Got unexpected|"
    r"does not exist|is not a valid|\[Errno|object has no attribute|unexpected keyword|"
    r"File \"<|out of range|not supported|"
    # Beancount's own English, which ledger.loading translates (and its fallback for the rest)
    r"Invalid token|[Ss]yntax error|does not balance|Balance failed|Beancount 报告",
    re.MULTILINE)


@pytest.fixture(scope="module")
def zygote():
    z = Zygote()
    yield z
    z.close()


@pytest.fixture(scope="module")
def template():
    root = Path(tempfile.mkdtemp(prefix="studiofund-badinput-"))
    world = build_template(root / "world")
    yield world
    for path in [root, *root.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(root)


def english(text: str) -> list[str]:
    return [m.group(0) for m in ENGLISH.finditer(text)]


def probe(zygote, template, case: Case, tmp_path: Path):
    world = copy_world(template, tmp_path / "world")
    if case.setup is not None:
        case.setup(world)
    before = fingerprint(world)
    cache = tmp_path / "cache"
    result = zygote.run(list(case.args), cwd=world, stdin=case.stdin, timeout=DEADLINE,
                        env={"STUDIOFUND_CACHE_DIR": str(cache), "STUDIOFUND_LOCK_TIMEOUT": "5",
                             "STUDIOFUND_DEBUG": ""})
    after = fingerprint(world)
    return result, before, after


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(zygote, template, case: Case, tmp_path):
    result, before, after = probe(zygote, template, case, tmp_path)
    shown = f"exit {result.code}\n--- stdout\n{result.stdout[:3000]}\n--- stderr\n{result.stderr[:3000]}"
    assert not result.timed_out, f"hang: no answer after {DEADLINE:g} s\n{shown}"
    assert not english(result.output), f"English or Python text {english(result.output)}\n{shown}"
    assert result.code == case.code, shown
    message = result.stderr if case.code == 2 else result.output
    assert CJK.search(message), f"no Chinese message\n{shown}"
    missing = [w for w in case.words if w not in message]
    assert not missing, f"the message does not name {missing}\n{shown}"
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"files changed on bad input: {changed}\n{shown}"


def test_the_table_is_large_and_covers_every_command():
    from studiofund.cli import COMMANDS

    assert len(CASES) >= 150
    probed = {c.args[0] for c in CASES}
    assert set(COMMANDS) <= probed, set(COMMANDS) - probed
