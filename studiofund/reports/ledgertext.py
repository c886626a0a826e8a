"""Small edits of a ledger's text: removing directives by line, appending a block.

The year-end commands (``budget``, ``clawback``, ``close``) plan their change as new text of
the top-level file; the command line writes it with ``studiofund.ledger.io.rewrite_ledger``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def same_file(meta: dict[str, Any] | None, path: Path) -> bool:
    filename = (meta or {}).get("filename")
    return bool(filename) and Path(filename).resolve() == Path(path).resolve()


def remove_directives(text: str, linenos: set[int]) -> str:
    """``text`` without the directives that start on ``linenos`` (1-based) and their indented
    metadata/posting lines."""
    if not linenos:
        return text
    lines = text.splitlines(keepends=True)
    keep: list[str] = []
    skipping = False
    for number, line in enumerate(lines, start=1):
        if number in linenos:
            skipping = True
            continue
        if skipping and line[:1] in (" ", "\t") and line.strip():
            continue
        skipping = False
        keep.append(line)
    return "".join(keep)


def append_block(text: str, block: str) -> str:
    """``text`` followed by a blank line and ``block`` (ending with a newline)."""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "\n" + block.rstrip("\n") + "\n"
