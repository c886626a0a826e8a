"""The table of bad inputs: every command and option, each row one probe.

A row runs ``studiofund ARGS`` in a fresh copy of the world (:mod:`world`) after its ``setup``
and must end with exit status ``code`` (2: bad usage or an unreadable input; 1 where
CONTRACT.md says a refusal or an open error), within the deadline, with a Chinese message on
stderr naming ``words`` (the file, line, option or field, and what to do), no traceback or
Python exception text, and — whatever happened — every file of the world as it was (bytes and
mode; no new file, no leftover temporary or lock file).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from world import PASSWORD


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    code: int = 2
    words: tuple[str, ...] = ()
    setup: Callable[[Path], None] | None = field(default=None, compare=False)
    stdin: bytes = b""


CASES: list[Case] = []


def case(id: str, *args: str, code: int = 2, words: tuple[str, ...] | str = (), setup=None, stdin: bytes | str = b""):
    if isinstance(words, str):
        words = (words,)
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")
    assert all(c.id != id for c in CASES), id
    CASES.append(Case(id, tuple(args), code, tuple(words), setup, stdin))


# -- setups: bad files made in the world before the probe ------------------------------------

def fifo(name: str):
    def make(root: Path) -> None:
        os.mkfifo(root / name)
    return make


def link(name: str, target: str):
    def make(root: Path) -> None:
        os.symlink(target, root / name)
    return make


def write(name: str, data: str | bytes):
    def make(root: Path) -> None:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return make


def long_line(name: str, megabytes: int = 30, prefix: bytes = b"; "):
    return write(name, prefix + b"x" * (megabytes * 1024 * 1024) + b"\n")


def demo_with(name: str, extra: str, *, drop: str | None = None):
    """The example ledger with ``extra`` appended (and lines starting with ``drop`` removed)."""
    def make(root: Path) -> None:
        text = (root / "demo.beancount").read_text(encoding="utf-8")
        if drop:
            text = "".join(l for l in text.splitlines(keepends=True) if not l.startswith(drop))
        (root / name).write_text(text + extra, encoding="utf-8")
    return make


def readonly_copy(source: str, name: str):
    def make(root: Path) -> None:
        (root / name).write_bytes((root / source).read_bytes())
        (root / name).chmod(0o444)
    return make


def both(*setups):
    def make(root: Path) -> None:
        for s in setups:
            s(root)
    return make


LEDGER_READ_COMMANDS = {
    "check": (),
    "report": ("--year", "2021"),
    "journal": ("--year", "2021"),
    "budget": ("--year", "2021", "--set", "Research=100"),
    "close": ("--year", "2021"),
    "clawback": ("--date", "2021-06-01", "--reason", "考核不合格"),
    "record": ("--date", "2021-06-01", "--payee", "书店", "--narration", "图书", "--account", "Materials",
               "--amount", "10.00"),
    "pending": (),
    "correct": ("2021-001", "--how", "refund", "--date", "2021-06-01"),
}


def ledger_args(command: str, ledger: str) -> tuple[str, ...]:
    return (command, ledger, *LEDGER_READ_COMMANDS[command])


# -- unreadable ledgers, for every command that reads one ------------------------------------

for cmd in LEDGER_READ_COMMANDS:
    case(f"{cmd}-missing-ledger", *ledger_args(cmd, "nowhere.beancount"), words="nowhere.beancount")
    case(f"{cmd}-fifo-ledger", *ledger_args(cmd, "pipe.beancount"), words="pipe.beancount", setup=fifo("pipe.beancount"))
    case(f"{cmd}-devzero-ledger", *ledger_args(cmd, "zero.beancount"), words="zero.beancount",
         setup=link("zero.beancount", "/dev/zero"))
    case(f"{cmd}-directory-ledger", *ledger_args(cmd, "readonly"), words="readonly")
    case(f"{cmd}-random-ledger", *ledger_args(cmd, "random.beancount"), words="random.beancount")
    case(f"{cmd}-gbk-ledger", *ledger_args(cmd, "gbk.beancount"), words=("gbk.beancount", "UTF-8"))
    case(f"{cmd}-empty-ledger", *ledger_args(cmd, "empty.beancount"), words=("empty.beancount", "工作室声明"))
    case(f"{cmd}-plain-ledger", *ledger_args(cmd, "plain.beancount"), words=("plain.beancount", "工作室声明"))
    case(f"{cmd}-long-line", *ledger_args(cmd, "long.beancount"), words=("long.beancount", "第 1 行"),
         setup=long_line("long.beancount"))
    case(f"{cmd}-include-devzero", *ledger_args(cmd, "inc.beancount"), words=("inc.beancount", "/dev/zero"),
         setup=demo_with("inc.beancount", '\ninclude "/dev/zero"\n'))
    case(f"{cmd}-include-fifo", *ledger_args(cmd, "inc.beancount"), words=("inc.beancount", "pipe"),
         setup=both(fifo("pipe"), demo_with("inc.beancount", '\ninclude "pipe"\n')))
    case(f"{cmd}-include-missing", *ledger_args(cmd, "inc.beancount"), words=("inc.beancount", "2022.beancount"),
         setup=demo_with("inc.beancount", '\ninclude "2022.beancount"\n'))

for cmd in ("report", "journal", "budget", "close", "clawback", "record", "pending", "correct"):
    case(f"{cmd}-syntax-error", *ledger_args(cmd, "broken.beancount"), words=("broken.beancount", "语法"))

# -- years ------------------------------------------------------------------------------------

for cmd, extra in (("report", ()), ("journal", ()), ("close", ()), ("budget", ("--set", "Research=100")),
                   ("check", ()), ("consolidate", ())):
    target = "demo.beancount"
    for label, year in (("zero", "0"), ("negative", "-5"), ("huge", "10000"), ("word", "二〇二一"),
                        ("float", "2021.5"), ("ancient", "1800")):
        case(f"{cmd}-year-{label}", cmd, target, "--year", year, *extra, words="--year")
for cmd in ("report", "journal", "close", "budget"):
    extra = ("--set", "Research=100") if cmd == "budget" else ()
    case(f"{cmd}-year-before-books", cmd, "demo.beancount", "--year", "2005", *extra, words=("--year", "2005"))
    case(f"{cmd}-year-far-future", cmd, "demo.beancount", "--year", "2090", *extra, words=("--year", "2090"))
for cmd in ("check", "consolidate", "export"):
    extra = ("--to", "out") if cmd == "export" else ()
    case(f"{cmd}-year-before-every-studio", cmd, "demo.beancount", *extra, "--year", "1995", words=("--year", "1995"))
    case(f"{cmd}-year-after-next-year", cmd, "demo.beancount", *extra, "--year", "2099", words=("--year", "2099"))
case("export-year-zero", "export", "demo.beancount", "--to", "out", "--year", "0", words="--year")

# -- amounts ----------------------------------------------------------------------------------

for label, value in (("nan", "NaN"), ("inf", "Infinity"), ("negative", "-5"), ("three-places", "10.005"),
                     ("word", "十元"), ("exponent", "1e400"), ("huge", "1" + "0" * 20), ("snan", "sNaN")):
    case(f"budget-amount-{label}", "budget", "studio.beancount", "--year", "2020", "--set", f"Research={value}",
         words="Research")
    case(f"record-amount-{label}", "record", "studio.beancount", "--date", "2020-06-01", "--payee", "书店",
         "--narration", "图书", "--account", "Materials", "--amount", value, words="--amount")
    case(f"init-opening-balance-{label}", "init", "new.beancount", "--program", "shenzhen-district", "--name", "甲",
         "--host-school", "乙", "--district", "丙", "--start", "2020-01-01", "--opening-balance", value,
         words="--opening-balance")
case("init-allocation-nan", "init", "new.beancount", "--program", "chifeng", "--name", "甲", "--host-school", "乙",
     "--district", "丙", "--start", "2020-01-01", "--allocation", "NaN", words="--allocation")
case("init-public-budget-inf", "init", "new.beancount", "--program", "lvyuan-training", "--name", "甲",
     "--host-school", "乙", "--district", "丙", "--start", "2020-01-01", "--public-budget", "inf",
     words="--public-budget")
case("record-tax-nan", "record", "studio.beancount", "--date", "2020-06-01", "--payee", "张教授", "--narration",
     "讲座", "--account", "LecturerFees", "--amount", "1000", "--payee-id", "110***", "--tax", "NaN", words="--tax")
case("record-tax-negative", "record", "studio.beancount", "--date", "2020-06-01", "--payee", "张教授", "--narration",
     "讲座", "--account", "LecturerFees", "--amount", "1000", "--payee-id", "110***", "--tax", "-3", words="--tax")
case("budget-account-twice", "budget", "studio.beancount", "--year", "2020", "--set", "Research=100", "--set",
     "Research=200", words=("--set", "Expenses:Research"))
case("budget-no-equals", "budget", "studio.beancount", "--year", "2020", "--set", "Research", words="--set")
case("budget-empty-account", "budget", "studio.beancount", "--year", "2020", "--set", "=100", words="--set")
case("budget-unknown-account", "budget", "studio.beancount", "--year", "2020", "--set", "Yachts=100", words="Yachts")
case("budget-newline-account", "budget", "studio.beancount", "--year", "2020", "--set", "Research\n2020-01-01 open X=1",
     words="--set")

# -- dates ------------------------------------------------------------------------------------

_RECORD = ("--payee", "书店", "--narration", "图书", "--account", "Materials", "--amount", "10.00")
for label, value in (("feb30", "2020-02-30"), ("month13", "2020-13-01"), ("word", "昨天"), ("ancient", "1900-01-01"),
                     ("far-future", "2999-01-01"), ("year-zero", "0000-01-01"), ("slashes", "2020/06/01x")):
    case(f"record-date-{label}", "record", "studio.beancount", "--date", value, *_RECORD, words="--date")
    case(f"clawback-date-{label}", "clawback", "studio.beancount", "--date", value, "--reason", "考核不合格",
         words="--date")
    case(f"init-start-{label}", "init", "new.beancount", "--program", "shenzhen-district", "--name", "甲",
         "--host-school", "乙", "--district", "丙", "--start", value, words="--start")
case("record-date-before-books", "record", "studio.beancount", "--date", "2015-06-01", *_RECORD, words="--date")
case("clawback-date-before-books", "clawback", "studio.beancount", "--date", "2015-06-01", "--reason", "考核不合格",
     words="--date")

# -- texts that would land in a ledger or the users file -------------------------------------

BAD_TEXTS = {
    "newline": "甲\n2020-01-01 open Expenses:Yachts CNY",
    "cr": "甲\r乙",
    "u2028": "甲\u2028乙",
    "formfeed": "甲\x0c乙",
    "escape": "甲\x1b[31m乙",
    "blank": "   ",
    "too-long": "长" * 5000,
}
for label, value in BAD_TEXTS.items():
    for option in ("--name", "--host-school", "--district"):
        args = {"--name": "甲", "--host-school": "乙", "--district": "丙"}
        args[option] = value
        case(f"init{option}-{label}", "init", "new.beancount", "--program", "shenzhen-district",
             *[x for kv in args.items() for x in kv], "--start", "2020-01-01", words=option)
    for option in ("--payee", "--narration"):
        args = {"--payee": "书店", "--narration": "图书"}
        args[option] = value
        case(f"record{option}-{label}", "record", "studio.beancount", "--date", "2020-06-01",
             *[x for kv in args.items() for x in kv], "--account", "Materials", "--amount", "10.00", words=option)
    case(f"clawback-reason-{label}", "clawback", "studio.beancount", "--date", "2020-06-01", "--reason", value,
         words="--reason")
    case(f"user-add-name-{label}", "user", "add", "users.json", value, "--role", "auditor", "--password-stdin",
         stdin=PASSWORD + "\n", words="用户名")
for option in ("--voucher", "--invoice", "--approver", "--reviewer", "--payee-id", "--asset-id"):
    case(f"record{option}-newline", "record", "studio.beancount", "--date", "2020-06-01", *_RECORD,
         option, "X\n2020-01-01 open Expenses:Yachts CNY", words=option)
case("close-reopen-reason-newline", "close", "studio.beancount", "--year", "2020", "--reopen", "--reason", "更正\n乙",
     words="--reason")
case("user-add-district-newline", "user", "add", "users.json", "乙", "--role", "auditor", "--district", "南山区\n福田区",
     "--password-stdin", stdin=PASSWORD + "\n", words="--district")
case("user-add-ledger-control", "user", "add", "users.json", "乙", "--role", "auditor", "--ledger", "*.beancount\x07",
     "--password-stdin", stdin=PASSWORD + "\n", words="--ledger")
case("user-add-ledger-folder", "user", "add", "users.json", "乙", "--role", "auditor", "--ledger", "/",
     "--password-stdin", stdin=PASSWORD + "\n", words="--ledger")
case("user-add-colon", "user", "add", "users.json", "甲:乙", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="用户名")

# -- init: where it writes --------------------------------------------------------------------

_INIT = ("--program", "shenzhen-district", "--name", "甲", "--host-school", "乙", "--district", "丙", "--start",
         "2020-01-01")
case("init-readonly-dir", "init", "readonly/new.beancount", *_INIT, words="readonly")
case("init-existing", "init", "demo.beancount", *_INIT, words="demo.beancount")
case("init-into-directory", "init", "readonly", *_INIT, words="readonly")
case("init-missing-parent", "init", "nowhere/new.beancount", *_INIT, words="nowhere")
case("init-onto-fifo", "init", "pipe.beancount", *_INIT, words="pipe.beancount", setup=fifo("pipe.beancount"))
case("init-unknown-program", "init", "new.beancount", "--program", "atlantis", *_INIT[2:], words="atlantis")
case("init-program-path", "init", "new.beancount", "--program", "../../etc/passwd", *_INIT[2:], words="--program")
case("init-policy-fifo", "init", "new.beancount", *_INIT, "--policy", "pipe.toml", words="pipe.toml",
     setup=fifo("pipe.toml"))
case("init-policy-devzero", "init", "new.beancount", *_INIT, "--policy", "zero.toml", words="zero.toml",
     setup=link("zero.toml", "/dev/zero"))
case("init-policy-random", "init", "new.beancount", *_INIT, "--policy", "random.bin", words="random.bin")
case("init-policy-missing", "init", "new.beancount", *_INIT, "--policy", "nowhere.toml", words="nowhere.toml")
case("init-policy-directory", "init", "new.beancount", *_INIT, "--policy", "readonly", words="readonly")
case("init-policy-truncated", "init", "new.beancount", *_INIT, "--policy", "cut.toml", words="cut.toml",
     setup=write("cut.toml", 'id = "mine"\nname = "我的项目\n[allocation\n'))
case("init-policy-long-line", "init", "new.beancount", *_INIT, "--policy", "long.toml", words="long.toml",
     setup=long_line("long.toml", 30, b"# "))
case("init-allocation-fixed-program", "init", "new.beancount", *_INIT, "--allocation", "99999", words="--allocation")
case("init-chifeng-without-allocation", "init", "new.beancount", "--program", "chifeng", *_INIT[2:],
     words="--allocation")

# -- check and consolidate over bad files and folders -----------------------------------------

case("check-nostudio-dir", "check", "nostudio", words="nostudio")
case("check-truncated", "check", "truncated.beancount", words="truncated.beancount")
case("check-include-cycle", "check", "a.beancount", words=("a.beancount", "b.beancount"),
     setup=both(demo_with("a.beancount", '\ninclude "b.beancount"\n'), write("b.beancount", 'include "a.beancount"\n')))
case("check-include-outside", "check", "sub/inc.beancount", words=("sub/inc.beancount", "../notes.txt"),
     setup=both(write("sub/x", ""), demo_with("sub/inc.beancount", '\ninclude "../notes.txt"\n')))
case("check-include-random", "check", "inc.beancount", words=("inc.beancount", "random.bin"),
     setup=demo_with("inc.beancount", '\ninclude "random.bin"\n'))
case("check-noplugin", "check", "noplugin.beancount", code=1, words=("noplugin.beancount", 'plugin "studiofund.plugin"'))
case("check-format-bad", "check", "demo.beancount", "--format", "yaml", words="--format")
case("check-unknown-program", "check", "atl.beancount", words=("atl.beancount", "atlantis"),
     setup=demo_with("atl.beancount", "", drop="2021-01-01 custom \"studio\"")
     if False else write("atl.beancount", 'plugin "studiofund.plugin"\n2020-01-01 custom "studio" "atlantis"\n'
                         '  name: "甲"\n  host-school: "乙"\n  district: "丙"\n  cycle-start: 2020-01-01\n'))
case("consolidate-syntax-error", "consolidate", "demo.beancount", "broken.beancount", "--year", "2021", code=1,
     words="broken.beancount")
case("consolidate-fifo", "consolidate", "demo.beancount", "pipe.beancount", "--year", "2021",
     words="pipe.beancount", setup=fifo("pipe.beancount"))
case("consolidate-missing", "consolidate", "nowhere", "--year", "2021", words="nowhere")
case("consolidate-nostudio", "consolidate", "nostudio", "--year", "2021", words="nostudio")
case("consolidate-empty-file", "consolidate", "empty.beancount", "--year", "2021", code=1, words="empty.beancount")
case("consolidate-jobs-zero", "consolidate", "demo.beancount", "--year", "2021", "--jobs", "0", words="--jobs")
case("consolidate-engine-bad", "consolidate", "demo.beancount", "--year", "2021", "--engine", "spark",
     words="--engine")
case("consolidate-include-devzero", "consolidate", "inc.beancount", "--year", "2021", words="inc.beancount",
     code=1, setup=demo_with("inc.beancount", '\ninclude "/dev/zero"\n'))

case("check-unclosed-quote", "check", "quote.beancount", words=("quote.beancount:3", "无法识别"),
     setup=write("quote.beancount", 'plugin "studiofund.plugin"\n2020-01-01 custom "studio" "shenzhen-district"\n'
                                    '  name: "甲\n'))
case("check-include-directory", "check", "inc.beancount", words=("inc.beancount", "sub"),
     setup=both(write("sub/x", ""), demo_with("inc.beancount", '\ninclude "sub"\n')))
case("check-include-glob-nothing", "check", "inc.beancount", words=("inc.beancount", "*.nothing"),
     setup=demo_with("inc.beancount", '\ninclude "*.nothing"\n'))
case("check-include-itself", "check", "inc.beancount", words=("inc.beancount", "循环"),
     setup=demo_with("inc.beancount", '\ninclude "inc.beancount"\n'))
case("check-include-etc-passwd", "check", "inc.beancount", words=("inc.beancount", "/etc/passwd"),
     setup=demo_with("inc.beancount", '\ninclude "/etc/passwd"\n'))
case("check-include-fifo-via-dotdot", "check", "inc.beancount", words=("inc.beancount", "sub/../pipe"),
     setup=both(write("sub/x", ""), fifo("pipe"), demo_with("inc.beancount", '\ninclude "sub/../pipe"\n')))
case("check-dir-with-a-fifo-ledger", "check", "pipes", words="pipes",
     setup=lambda root: (root / "pipes").mkdir() or os.mkfifo(root / "pipes" / "s.beancount"))
case("check-dev-null", "check", "/dev/null", words="/dev/null")
case("check-plain-file-in-dir-mode", "check", "nostudio/plain.beancount", words=("nostudio/plain.beancount", "工作室声明"))
case("consolidate-plain-file", "consolidate", "demo.beancount", "plain.beancount", "--year", "2021", code=1,
     words="plain.beancount")
case("consolidate-random-file", "consolidate", "demo.beancount", "random.beancount", "--year", "2021", code=1,
     words="random.beancount")
case("consolidate-output-device", "consolidate", "demo.beancount", "--year", "2021", "-o", "/dev/full",
     words="/dev/full")

# -- report, journal outputs -------------------------------------------------------------------

# what the commands that write a year's file share: xlsx wants -o; -o may not be the ledger, nor a directory
for cmd in ("consolidate", "report", "journal"):
    yearly = (cmd, "demo.beancount", "--year", "2021")
    case(f"{cmd}-xlsx-stdout", *yearly, "--format", "xlsx", words="-o")
    if cmd != "journal":
        case(f"{cmd}-output-ledger", *yearly, "-o", "demo.beancount", words="demo.beancount")
    if cmd != "report":
        case(f"{cmd}-output-dir", *yearly, "-o", "readonly", words="readonly")
case("report-no-year", "report", "demo.beancount", words="--year")
case("report-output-readonly", "report", "demo.beancount", "--year", "2021", "-o", "readonly/r.txt", words="readonly")
case("report-output-missing-dir", "report", "demo.beancount", "--year", "2021", "-o", "nowhere/r.txt",
     words="nowhere")
case("report-format-bad", "report", "demo.beancount", "--year", "2021", "--format", "pdf", words="--format")

# -- budget, close, clawback refusals ----------------------------------------------------------

case("close-reopen-no-reason", "close", "studio.beancount", "--year", "2020", "--reopen", words="--reason")
case("close-reason-without-reopen", "close", "studio.beancount", "--year", "2020", "--reason", "x", words="--reopen")
case("close-readonly-ledger", "close", "ro.beancount", "--year", "2020", words="ro.beancount",
     setup=readonly_copy("studio.beancount", "ro.beancount"))
case("budget-readonly-ledger", "budget", "ro.beancount", "--year", "2020", "--set", "Research=100",
     words="ro.beancount",
     setup=readonly_copy("studio.beancount", "ro.beancount"))
case("clawback-reason-missing", "clawback", "studio.beancount", "--date", "2020-06-01", words="--reason")
case("clawback-noplugin", "clawback", "noplugin.beancount", "--date", "2021-06-01", "--reason", "考核不合格",
     words=("noplugin.beancount", 'plugin "studiofund.plugin"'))
case("budget-noplugin", "budget", "noplugin.beancount", "--year", "2021", "--set", "Research=100",
     words=("noplugin.beancount", 'plugin "studiofund.plugin"'))

# -- record: papers ----------------------------------------------------------------------------

case("record-account-unknown", "record", "studio.beancount", "--date", "2020-06-01", "--payee", "书店",
     "--narration", "图书", "--account", "Yachts", "--amount", "10.00", words="Yachts")
for label, setup, name in (("fifo", fifo("scan.pdf"), "scan.pdf"), ("devzero", link("scan.pdf", "/dev/zero"), "scan.pdf"),
                           ("directory", None, "readonly"), ("missing", None, "nowhere.pdf")):
    case(f"record-attach-{label}", "record", "studio.beancount", "--date", "2020-06-01", *_RECORD, "--attach", name,
         words=name, setup=setup)
case("record-voucher-taken", "record", "studio.beancount", "--date", "2020-06-01", *_RECORD, "--voucher", "2020-001",
     code=1, words="2020-001")
case("record-format-bad", "record", "studio.beancount", "--date", "2020-06-01", *_RECORD, "--format", "xml",
     words="--format")

# -- correct: 整改 of a booked voucher (studio.beancount's 2020-001, booked 2020-03-02) -----------

_CORRECT = ("correct", "studio.beancount", "2020-001", "--how", "refund")
for label, value in (("nan", "NaN"), ("negative", "-5"), ("zero", "0"), ("three-places", "10.005"),
                     ("word", "十元")):
    case(f"correct-amount-{label}", *_CORRECT, "--amount", value, words="--amount")
for label, value in (("feb30", "2020-02-30"), ("ancient", "1900-01-01"), ("far-future", "2999-01-01"),
                     ("word", "今天")):
    case(f"correct-date-{label}", *_CORRECT, "--date", value, words="--date")
case("correct-date-before-voucher", *_CORRECT, "--date", "2020-03-01", words=("2020-03-01", "2020-03-02"))
case("correct-how-bad", "correct", "studio.beancount", "2020-001", "--how", "forgive", words="--how")
case("correct-how-missing", "correct", "studio.beancount", "2020-001", words="--how")
case("correct-voucher-unknown", "correct", "studio.beancount", "2099-999", "--how", "refund", words="2099-999")
case("correct-voucher-newline", "correct", "studio.beancount", "2020-001\n2020-01-01 open X", "--how", "refund",
     words="凭证号")
case("correct-new-voucher-taken", *_CORRECT, "--voucher", "2020-001", words="2020-001")
for option in ("--payee", "--narration", "--voucher"):
    for label in ("newline", "u2028", "escape"):
        case(f"correct{option}-{label}", *_CORRECT, option, BAD_TEXTS[label], words=option)
case("correct-noplugin", "correct", "noplugin.beancount", "2021-001", "--how", "refund",
     words=("noplugin.beancount", 'plugin "studiofund.plugin"'))
case("pending-format-bad", "pending", "studio.beancount", "--format", "yaml", words="--format")
case("pending-extra-argument", "pending", "studio.beancount", "extra", words="extra")
case("record-complete-unknown", "record", "studio.beancount", "--complete", "NO-SUCH-REF", "--account", "Materials",
     words="NO-SUCH-REF")
case("record-complete-with-date", "record", "studio.beancount", "--complete", "X1", "--account", "Materials",
     "--date", "2020-06-01", words="--complete")
case("record-complete-newline", "record", "studio.beancount", "--complete", "X1\nY", "--account", "Materials",
     words="--complete")
case("record-einvoice-fifo", "record", "studio.beancount", "--account", "Materials", "--narration", "餐费",
     "--einvoice", "pipe.xml", words="pipe.xml", setup=fifo("pipe.xml"))
case("record-einvoice-random", "record", "studio.beancount", "--account", "Materials", "--narration", "餐费",
     "--einvoice", "random.bin", words="random.bin")
case("record-no-amount", "record", "studio.beancount", "--date", "2020-06-01", "--payee", "书店", "--narration", "图书",
     "--account", "Materials", words="--amount")
case("record-corrects-newline", "record", "studio.beancount", "--date", "2020-06-01", *_RECORD, "--corrects",
     "2020-001\nX", words="--corrects")

# -- import ------------------------------------------------------------------------------------

_IMPORT = ("--ledger", "studio.beancount")
for label, name, setup in (("fifo", "pipe.csv", fifo("pipe.csv")), ("devzero", "zero.csv", link("zero.csv", "/dev/zero")),
                           ("directory", "readonly", None), ("missing", "nowhere.csv", None),
                           ("random", "random.bin", None), ("empty", "empty.txt", None), ("notes", "notes.txt", None),
                           ("long-line", "long.csv", long_line("long.csv", 30, b"")),
                           ("truncated-xlsx", "cut.xlsx", write("cut.xlsx", b"PK\x03\x04\x14\x00\x00\x00\x08\x00")),
                           ("gbk-garbage", "gbk.csv", write("gbk.csv", "交易日期,金额\n昨天,很多\n".encode("gbk")))):
    case(f"import-statement-{label}", "import", name, *_IMPORT, words=name, setup=setup)
case("import-statement-huge-html-cell", "import", "big.html", *_IMPORT, words="big.html",
     setup=write("big.html", b"<html><table><tr><td>" + b"x" * (30 * 1024 * 1024) + b"</td></tr></table></html>"))
case("import-ledger-fifo", "import", "statement.csv", "--ledger", "pipe.beancount", words="pipe.beancount",
     setup=fifo("pipe.beancount"))
case("import-ledger-plain", "import", "statement.csv", "--ledger", "plain.beancount", words="plain.beancount")
case("import-ledger-syntax", "import", "statement.csv", "--ledger", "broken.beancount", words="broken.beancount")
case("import-mapping-fifo", "import", "statement.csv", *_IMPORT, "--mapping", "pipe.toml", words="pipe.toml",
     setup=fifo("pipe.toml"))
case("import-mapping-random", "import", "statement.csv", *_IMPORT, "--mapping", "random.bin", words="random.bin")
case("import-link-malformed", "import", "statement.csv", *_IMPORT, "--link", "SZ2020", words="--link")
case("import-bank-unknown", "import", "statement.csv", *_IMPORT, "--bank", "gringotts", words="gringotts")

# -- invoice read ------------------------------------------------------------------------------

for label, name, setup in (("fifo", "pipe.xml", fifo("pipe.xml")), ("devzero", "zero.xml", link("zero.xml", "/dev/zero")),
                           ("directory", "readonly", None), ("missing", "nowhere.xml", None),
                           ("random", "random.bin", None), ("empty", "empty.txt", None),
                           ("truncated", "invoice-truncated.xml", None), ("broken-ofd", "broken.ofd", None),
                           ("entity-bomb", "bomb.xml", write("bomb.xml", '<?xml version="1.0"?>\n<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n<EInvoice>&d;&d;&d;&d;</EInvoice>\n')),
                           ("long-line", "long.xml", long_line("long.xml", 30, b"<a>"))):
    case(f"invoice-read-{label}", "invoice", "read", name, words=name, setup=setup)

# -- export ------------------------------------------------------------------------------------

case("export-to-file", "export", "demo.beancount", "--to", "notes.txt", words="notes.txt")
case("export-to-readonly", "export", "demo.beancount", "--to", "readonly", words="readonly")
case("export-nostudio", "export", "nostudio", "--to", "out", words="nostudio")
case("export-missing", "export", "nowhere", "--to", "out", words="nowhere")
case("export-jobs-negative", "export", "demo.beancount", "--to", "out", "--jobs", "-1", words="--jobs")

# -- user --------------------------------------------------------------------------------------

case("user-add-users-file-directory", "user", "add", "readonly", "乙", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="readonly")
case("user-add-readonly-dir", "user", "add", "readonly/users.toml", "乙", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="readonly")
case("user-add-fifo", "user", "add", "pipe.toml", "乙", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="pipe.toml", setup=fifo("pipe.toml"))
case("user-add-devzero", "user", "add", "zero.toml", "乙", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="zero.toml", setup=link("zero.toml", "/dev/zero"))
case("user-add-random-file", "user", "add", "random.bin", "乙", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="random.bin")
case("user-add-short-password", "user", "add", "users.json", "乙", "--role", "auditor", "--password-stdin",
     stdin="abc\n", words="密码")
case("user-add-empty-stdin", "user", "add", "users.json", "乙", "--role", "auditor", "--password-stdin",
     words="密码")
case("user-add-role-bad", "user", "add", "users.json", "乙", "--role", "root", "--password-stdin",
     stdin=PASSWORD + "\n", words="--role")
case("user-add-existing", "user", "add", "users2.toml", "审计员", "--role", "auditor", "--password-stdin",
     stdin=PASSWORD + "\n", words="审计员",
     setup=lambda root: (root / "users2.toml").write_bytes((root / "users.toml").read_bytes()))
case("user-list-random", "user", "list", "random.bin", words="random.bin")
case("user-list-fifo", "user", "list", "pipe.toml", words="pipe.toml", setup=fifo("pipe.toml"))
case("user-list-missing", "user", "list", "nowhere.toml", words="nowhere.toml")
case("user-remove-missing-user", "user", "remove", "users2.toml", "无名氏", words="无名氏",
     setup=lambda root: (root / "users2.toml").write_bytes((root / "users.toml").read_bytes()))
case("user-list-pbkdf2", "user", "list", "weak.toml", words="weak.toml",
     setup=write("weak.toml", '[users."甲"]\nrole = "auditor"\npassword = "pbkdf2:sha256:1$salt$abc"\n'))

# -- serve: start-up validation only -----------------------------------------------------------

case("serve-missing", "serve", "nowhere.beancount", words="nowhere.beancount")
case("serve-fifo", "serve", "pipe.beancount", words="pipe.beancount", setup=fifo("pipe.beancount"))
case("serve-nostudio", "serve", "nostudio", words="nostudio")
case("serve-plain", "serve", "plain.beancount", words="plain.beancount")
case("serve-users-fifo", "serve", "demo.beancount", "--users", "pipe.toml", words="pipe.toml", setup=fifo("pipe.toml"))
case("serve-users-random", "serve", "demo.beancount", "--users", "random.bin", words="random.bin")
case("serve-users-missing", "serve", "demo.beancount", "--users", "nowhere.toml", words="nowhere.toml")
case("serve-users-weak-hash", "serve", "demo.beancount", "--users", "weak.toml", words="weak.toml",
     setup=write("weak.toml", '[users."甲"]\nrole = "auditor"\npassword = "pbkdf2:sha256:1$salt$abc"\n'))
case("serve-port-huge", "serve", "demo.beancount", "--port", "99999", words="--port")
case("serve-port-word", "serve", "demo.beancount", "--port", "http", words="--port")
case("serve-public-no-users", "serve", "demo.beancount", "--host", "0.0.0.0", words="--users")
case("serve-max-loaded-zero", "serve", "demo.beancount", "--max-loaded", "0", words="--max-loaded")
case("serve-proxy-no-users", "serve", "demo.beancount", "--behind-proxy", words="--users")

# -- programs and the command line itself ------------------------------------------------------

case("programs-show-unknown", "programs", "show", "atlantis", words="atlantis")
case("programs-show-path", "programs", "show", "../../../etc/passwd", words="../../../etc/passwd")
case("programs-show-policy-fifo", "programs", "show", "mine", "--policy", "pipe.toml", words="pipe.toml",
     setup=fifo("pipe.toml"))
case("programs-show-policy-random", "programs", "show", "mine", "--policy", "random.bin", words="random.bin")
case("unknown-command", "frobnicate", words="frobnicate")
case("debug-without-command", "--debug", words="缺少命令名")
case("unknown-option", "check", "demo.beancount", "--colour", words="--colour")
case("missing-argument", "report", words="缺少参数 账簿")
case("missing-option-value", "report", "demo.beancount", "--year", words="--year")
case("extra-argument", "close", "studio.beancount", "extra", "--year", "2020", words="extra")
