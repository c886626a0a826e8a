"""Reading a file that a ledger names, on the server: regular files only, of a sane size.

``open()`` on a FIFO blocks until someone writes to it, ``/dev/zero`` never ends, and
Beancount's lexer is quadratic in the length of a line (a 30 MB line takes minutes); any of these
named by an ``include`` would stall the server. :func:`read_source` refuses them before reading,
with the reason in Chinese. No Fava or Beancount here: the ledger registry reads declarations
with it before anything heavy is imported.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_LINE_BYTES = 256 * 1024


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both resolved)."""
    return path == folder or path.is_relative_to(folder)


_GLOB_CHARS = re.compile(r"[*?\[]")


def glob_base(pattern: str | Path) -> Path:
    """The leading components of a glob pattern without wildcards: where a glob would start
    listing (``ledgers/*/2021.beancount`` → ``ledgers``)."""
    parts = []
    for part in Path(pattern).parts:
        if _GLOB_CHARS.search(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def read_source(path: Path) -> tuple[bytes | None, str]:
    """The bytes of a regular file, or None and why not (in Chinese). Never blocks on a FIFO."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None, "文件不存在或无法读取"
    if not stat.S_ISREG(info.st_mode):
        return None, "不是普通文件（目录、设备或管道），拒绝读取"
    if info.st_size > MAX_FILE_BYTES:
        return None, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，拒绝读取"
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None, "文件无法读取"
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, "不是普通文件（目录、设备或管道），拒绝读取"
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None, "文件无法读取"
    finally:
        os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        return None, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，拒绝读取"
    if len(data) > MAX_LINE_BYTES and max(map(len, data.split(b"\n"))) > MAX_LINE_BYTES:
        line = next(i for i, text in enumerate(data.split(b"\n"), 1) if len(text) > MAX_LINE_BYTES)
        return None, f"第 {line} 行超过 {MAX_LINE_BYTES // 1024} KB，不像账簿文本，拒绝读取"
    return data, ""
