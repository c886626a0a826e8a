"""Small edits of a ledger's text: removing directives by line, appending a block, adding an
option or a plugin line, quoting a string.

Lines are split on ``"\\n"`` only, as Beancount's lexer does: ``str.splitlines()`` would also
break on ``\\r``, ``\\x0c``, U+2028 … inside a quoted narration, so the line numbers of the
loaded entries would no longer match and an edit would hit the wrong directive.
"""

from __future__ import annotations

import re
import unicodedata
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


def read_text(path: str | Path) -> str:
    """A ledger file's text as Beancount reads it: UTF-8, line ends as they are (``open()`` in
    text mode would turn a lone ``\\r`` inside a narration into a line break)."""
    return Path(path).read_bytes().decode("utf-8")


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


def invisible_characters(text: str) -> list[str]:
    """The control, format and line-separator characters of ``text`` as U+XXXX (line breaks of
    every kind, tabs, escapes, zero-width and direction marks)."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]


def text_problem(text: str, what: str, *, max_length: int = 200, forbid: str = "") -> str:
    """Why ``text`` cannot be written into a ledger as a name, payee, narration, reason or
    number ('' when it can): blank, on more than one line, with control or invisible
    characters, longer than ``max_length``, or holding one of ``forbid``."""
    if not text.strip():
        return f"{what} 不能为空；请写上内容。"
    bad = invisible_characters(text)
    if bad:
        kinds = "换行" if any(c in text for c in "\n\r\u2028\u2029\x85\x0b\x0c") else "控制字符"
        return (f"{what} 含有{kinds}或不可见字符（{'、'.join(dict.fromkeys(bad))}）；"
                "请写在一行内，去掉这些字符后重试。")
    if len(text.strip()) > max_length:
        return f"{what} 太长（{len(text.strip())} 个字符，最多 {max_length} 个）；请写得简短些。"
    used = [c for c in forbid if c in text]
    if used:
        return f"{what} 不能包含 {'、'.join(repr(c) for c in used)}。"
    return ""
