"""Small edits of a ledger's text: removing directives by line, appending a block, adding an
option or a plugin line, quoting a string.

Lines are split on ``"\\n"`` only, as Beancount's lexer does: ``str.splitlines()`` would also
break on ``\\r``, ``\\x0c``, U+2028 … inside a quoted narration, so the line numbers of the
loaded entries would no longer match and an edit would hit the wrong directive.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

# Characters that must not reach a Beancount string from a form or a command line: line and
# paragraph breaks of every kind and the other control characters.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    """``text`` on one line: every line break and control character becomes a space."""
    return _UNSAFE.sub(" ", str(text)).strip()


def quote(text: str) -> str:
    """A Beancount string literal of ``text`` (on one line)."""
    return '"' + clean_text(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def same_file(meta: dict[str, Any] | None, path: Path) -> bool:
    filename = (meta or {}).get("filename")
    return bool(filename) and Path(filename).resolve() == Path(path).resolve()


def split_lines(text: str) -> list[str]:
    """``text`` as Beancount numbers its lines: split on ``\\n`` only, line ends kept."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def remove_directives(text: str, linenos: set[int]) -> str:
    """``text`` without the directives that start on ``linenos`` (1-based, as Beancount counts)
    and their indented metadata/posting lines."""
    if not linenos:
        return text
    keep: list[str] = []
    skipping = False
    for number, line in enumerate(split_lines(text), start=1):
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


def insert_header_line(text: str, line: str, *, before: str | None = None) -> str:
    """``text`` with ``line`` added among its header lines: just before the first line starting
    with ``before`` if there is one, else after the last top-level ``option``/``plugin`` line
    (or at the top)."""
    lines = split_lines(text)
    if before is not None:
        for i, existing in enumerate(lines):
            if existing.startswith(before):
                return "".join(lines[:i] + [line.rstrip("\n") + "\n"] + lines[i:])
    last = -1
    for i, existing in enumerate(lines):
        if existing.startswith(("option ", "plugin ")):
            last = i
    if last >= 0 and not lines[last].endswith("\n"):
        lines[last] += "\n"
    return "".join(lines[: last + 1] + [line.rstrip("\n") + "\n"] + lines[last + 1:])
