"""Writing an import plan: append its entries to the studio's top-level file and add the
``bank-ref`` of every link to the hand-booked entry it links (in whichever file of the ledger
that entry lives), all or nothing.

The plan is made under the writer's lock, from the ledger as read there
(:class:`studiofund.ledger.writer.LedgerWriter`): which statement lines are new and where the
linked entries stand is decided from the text about to be changed, so two imports of the same
statement at once append its lines once (the second finds them booked). The append and the edit
of the top-level file are one atomic rewrite that is refused when the ledger would no longer
load; included files are read and edited under the same (the ledger's) lock, written just before
that rewrite and put back when it is refused. A crash in between leaves at most a ``bank-ref``
line added to an included file, which loads and is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from beancount.ops.balance import BalanceError

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


def write_plan(ledger: str | Path, plan_for: Callable[[object], ImportPlan]) -> ImportPlan:
    """Plan the import with ``plan_for(loaded)`` — the ledger as loaded under the writer's lock —
    and write that plan into ``ledger`` unless it is empty or has problems; returns the plan.
    Raises :class:`ImportWriteError` (nothing written) or OSError."""
    ledger = Path(ledger)
    try:
        with LedgerWriter(ledger) as writer:  # the ledger and its includes, read and replaced under its lock
            plan = plan_for(writer.before())
            if not plan.problems and not plan.is_empty:
                _write_plan(ledger, plan, writer)
    except LedgerWriteError as exc:
        hint = ""
        if any(isinstance(e, BalanceError) for e in exc.errors):
            hint = ("对账单的期末余额与账簿中专户的余额不符：可能漏导了更早的对账单、手工录入了与银行流水重复的分录，"
                    "或账簿的期初余额有误。请先核对，再导入。")
        raise ImportWriteError(f"{exc}{hint}") from None
    return plan


def _write_plan(ledger: Path, plan: ImportPlan, writer: LedgerWriter) -> None:
    main = str(ledger.resolve())
    edits = link_edits(plan)
    text = render_plan(plan)
    updated = insert_lines(str(ledger), writer.read(), edits.pop(main, []))
    if text:
        separator = "" if not updated else ("\n" if updated.endswith("\n") else "\n\n")
        updated = updated + separator + text + "\n"
    for name, lines in edits.items():
        writer.edit_included(name, insert_lines(name, writer.read_included(name), lines))
    writer.replace(updated)
