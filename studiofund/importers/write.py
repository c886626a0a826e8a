"""Writing an import plan: append its entries to the studio's top-level file and add the
``bank-ref`` of every link to the hand-booked entry it links (in whichever file of the ledger
that entry lives), all or nothing.

The append and the edit of the top-level file are one atomic rewrite that is refused when the
ledger would no longer load (:class:`studiofund.ledger.writer.LedgerWriter`, under its lock). Entries in included
files are edited first and put back when that rewrite is refused; a crash in between leaves at
most a ``bank-ref`` line added to an included file, which loads and is harmless.
"""

from __future__ import annotations

from pathlib import Path

from beancount.ops.balance import BalanceError

from studiofund.ledger.io import atomic_write
from studiofund.ledger.writer import LedgerWriteError, LedgerWriter

from .plan import ImportPlan, link_edits, render_plan


class ImportWriteError(Exception):
    """The import was refused when written; nothing was changed (message in Chinese)."""


def insert_lines(path: str, text: str, edits: list[tuple[int, str]]) -> str:
    """``text`` with each edit's line inserted after line ``lineno`` (an entry's first line)."""
    lines = text.split("\n")
    for lineno, line in sorted(edits, reverse=True):
        if not 1 <= lineno <= len(lines) or not lines[lineno - 1][:1].isdigit():
            raise ImportWriteError(
                f"{path}:{lineno}：这里已不是要对上的分录的第一行（文件在读取后被改动过）；未做任何修改，请重新导入。"
            )
        ending = "\r" if lines[lineno - 1].endswith("\r") else ""
        lines.insert(lineno, line + ending)
    return "\n".join(lines)


def write_plan(ledger: str | Path, plan: ImportPlan) -> None:
    """Write ``plan`` into ``ledger``; raises :class:`ImportWriteError` (nothing written) or
    OSError."""
    ledger = Path(ledger)
    with LedgerWriter(ledger) as writer:  # the top-level file is read and replaced under its lock
        _write_plan(ledger, plan, writer)


def _write_plan(ledger: Path, plan: ImportPlan, writer: LedgerWriter) -> None:
    main = str(ledger.resolve())
    edits = link_edits(plan)
    text = render_plan(plan)
    original = writer.read()
    updated = insert_lines(str(ledger), original, edits.pop(main, []))
    if text:
        separator = "" if not updated else ("\n" if updated.endswith("\n") else "\n\n")
        updated = updated + separator + text + "\n"
    others = {Path(name): Path(name).read_bytes().decode("utf-8") for name in edits}
    changed = {path: insert_lines(str(path), old, edits[str(path)]) for path, old in others.items()}
    for path, new in changed.items():
        atomic_write(path, new)
    try:
        writer.replace(updated)
    except LedgerWriteError as exc:
        for path, old in others.items():
            atomic_write(path, old)
        hint = ""
        if any(isinstance(e, BalanceError) for e in exc.errors):
            hint = ("对账单的期末余额与账簿中专户的余额不符：可能漏导了更早的对账单、手工录入了与银行流水重复的分录，"
                    "或账簿的期初余额有误。请先核对，再导入。")
        raise ImportWriteError(f"{exc}{hint}") from None
    except BaseException:
        for path, old in others.items():
            atomic_write(path, old)
        raise
