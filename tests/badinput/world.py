"""The world the bad-input probes run in: a directory of good and bad files, built once and
copied for every probe (modes kept), and its fingerprint (every file's bytes and mode)."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))

from clirun import run  # noqa: E402

FIXTURES = TESTS / "fixtures"
EXAMPLE = REPO / "ledgers" / "shenzhen-district.beancount"
PASSWORD = "correct horse battery"

#: a syntax error (an amount that is not a number) at the end of the example ledger
SYNTAX_ERROR = '\n2021-12-30 * "书店" "图书"\n  voucher: "2021-099"\n  Expenses:Materials  12,3x CNY\n  Assets:Bank:Dedicated\n'


def build_template(root: Path) -> Path:
    """Every file the probes name, good ones and bad ones (FIFOs are made per probe: copying
    one would block)."""
    root.mkdir(parents=True, exist_ok=True)
    demo = EXAMPLE.read_text(encoding="utf-8")
    (root / "demo.beancount").write_text(demo, encoding="utf-8")
    result = run("init", root / "studio.beancount", "--program", "shenzhen-district", "--name", "测试工作室",
                 "--host-school", "测试学校", "--district", "南山区", "--start", "2020-01-01",
                 "--opening-balance", "1000")
    assert result.exit_code == 0, result.output
    result = run("record", root / "studio.beancount", "--date", "2020-03-02", "--payee", "书店", "--narration",
                 "购买图书资料", "--account", "Materials", "--amount", "120.00", "--invoice", "04400000001",
                 "--approver", "李梅", "--reviewer", "王校长")
    assert result.exit_code == 0, result.output
    (root / "broken.beancount").write_text(demo + SYNTAX_ERROR, encoding="utf-8")
    (root / "noplugin.beancount").write_text(
        "".join(line for line in demo.splitlines(keepends=True) if not line.startswith('plugin "studiofund.plugin"')),
        encoding="utf-8")
    (root / "plain.beancount").write_text('option "operating_currency" "CNY"\n2020-01-01 open Assets:Cash CNY\n',
                                          encoding="utf-8")
    (root / "empty.beancount").write_bytes(b"")
    cut = demo.index("2021-03-")
    (root / "truncated.beancount").write_text(demo[: cut + 40], encoding="utf-8")
    (root / "gbk.beancount").write_bytes(demo.encode("gb18030"))
    rng = random.Random(11)
    (root / "random.bin").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (root / "random.beancount").write_bytes((root / "random.bin").read_bytes())
    (root / "empty.txt").write_bytes(b"")
    (root / "notes.txt").write_text("这不是账簿，也不是对账单。\n", encoding="utf-8")
    shutil.copy(FIXTURES / "banks" / "icbc_historydetail.csv", root / "statement.csv")
    shutil.copy(FIXTURES / "einvoice" / "blue_catering.xml", root / "invoice.xml")
    shutil.copy(FIXTURES / "einvoice" / "truncated.xml", root / "invoice-truncated.xml")
    shutil.copy(FIXTURES / "einvoice" / "broken.ofd", root / "broken.ofd")
    result = run("user", "add", root / "users.toml", "审计员", "--role", "auditor", "--password-stdin",
                 input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    (root / "users.toml").chmod(0o400)
    (root / "readonly").mkdir()
    (root / "readonly").chmod(0o555)
    (root / "nostudio").mkdir()
    (root / "nostudio" / "plain.beancount").write_text('2020-01-01 open Assets:Cash CNY\n', encoding="utf-8")
    return root


def copy_world(template: Path, target: Path) -> Path:
    """A copy of the template (modes kept; a read-only folder made writable while copying)."""
    shutil.copytree(template, target, symlinks=True, copy_function=shutil.copy2,
                    ignore_dangling_symlinks=True)
    return target


def fingerprint(root: Path) -> dict[str, tuple]:
    """Every entry under ``root``: its kind, mode, and the digest of a regular file's bytes.
    A FIFO or device is fingerprinted without being opened."""
    out: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            info = path.lstat()
            kind = stat.S_IFMT(info.st_mode)
            digest = ""
            if stat.S_ISREG(info.st_mode):
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(info.st_mode):
                digest = os.readlink(path)
            out[str(path.relative_to(root))] = (kind, stat.S_IMODE(info.st_mode), digest)
    return out
