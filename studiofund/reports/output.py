"""Writing a rendered report to a file: atomically, never over a ledger."""

from __future__ import annotations

import os
from pathlib import Path

from studiofund.files import atomic_replace


class OutputError(Exception):
    """The output file cannot be written (message in Chinese, names the file)."""


def check_output_path(path: str | Path, inputs: list[Path]) -> Path:
    out = Path(path)
    if out.suffix == ".beancount" or _is_one_of(out, inputs):
        raise OutputError(f"{out}：输出文件不能是账簿本身；请换一个文件名（如 报表.xlsx）。")
    if out.is_dir():
        raise OutputError(f"{out}：是目录；请给出输出文件名。")
    if not out.parent.exists():
        raise OutputError(f"{out.parent}：目录不存在；请先创建。")
    return out


def _is_one_of(out: Path, inputs: list[Path]) -> bool:
    """Whether ``out`` is one of the input files (by any name: a link, a hard link) — a stat
    an input, not a resolution of every input path (a consolidation may have 10,000)."""
    try:
        target = os.stat(out)
    except OSError:
        return False  # does not exist yet: no input
    for p in inputs:
        try:
            st = os.stat(p)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino):
            return True
    return False


def write_output(path: Path, payload: str | bytes) -> None:
    """Replace ``path`` with ``payload`` atomically (temporary file + rename)."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    try:
        atomic_replace(path, data)
    except OSError as exc:
        raise OutputError(f"{path}：无法写入（{exc.strerror}）。") from None
