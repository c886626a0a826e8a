"""Writing a rendered report to a file: atomically, never over a ledger."""

from __future__ import annotations

from pathlib import Path

from studiofund.files import atomic_replace


class OutputError(Exception):
    """The output file cannot be written (message in Chinese, names the file)."""


def check_output_path(path: str | Path, inputs: list[Path]) -> Path:
    out = Path(path)
    target = out.resolve()  # once, not once an input: a consolidation may have 10,000 inputs
    if out.suffix == ".beancount" or any(target == Path(p).resolve() for p in inputs):
        raise OutputError(f"{out}：输出文件不能是账簿本身；请换一个文件名（如 报表.xlsx）。")
    if out.is_dir():
        raise OutputError(f"{out}：是目录；请给出输出文件名。")
    if not out.parent.exists():
        raise OutputError(f"{out.parent}：目录不存在；请先创建。")
    return out


def write_output(path: Path, payload: str | bytes) -> None:
    """Replace ``path`` with ``payload`` atomically (temporary file + rename)."""
    data = payload.encode("utf-8") if isinstance(payload, str) else payload
    try:
        atomic_replace(path, data)
    except OSError as exc:
        raise OutputError(f"{path}：无法写入（{exc.strerror}）。") from None
