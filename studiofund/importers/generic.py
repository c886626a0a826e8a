"""Any other bank: a layout from a small TOML column mapping (docs/import.md).

    id = "hxb"                       # --bank hxb; lower case letters, digits, - and _
    label = "华夏银行"
    signature = ["交易流水号", "对方户名"]   # headers that identify this bank's file (optional)
    has_serial = true                # the serial column is unique per line

    [columns]                        # field = header, or a list of aliases in order of preference
    date = "交易日期"
    time = "交易时间"
    debit = "支出金额"                # or: amount = "交易金额" (signed), with direction = "借贷标志"
    credit = "收入金额"
    balance = "余额"
    counterparty = "对方户名"
    counterparty_account = "对方账号"
    summary = "摘要"
    purpose = "用途"
    serial = "交易流水号"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from .bank import Bank
from .layout import Layout
from .table import StatementError


def load_mapping(path: str | Path) -> Bank:
    """The bank a mapping file describes; raises :class:`StatementError` on a bad file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise StatementError(path, f"无法读取列映射文件（{exc.strerror}）；请检查路径。") from None
    except UnicodeDecodeError:
        raise StatementError(path, "列映射文件不是 UTF-8 编码；请另存为 UTF-8。") from None
    except tomllib.TOMLDecodeError as exc:
        raise StatementError(path, f"列映射文件 TOML 语法错误：{exc}；请修正。") from None
    columns = data.get("columns")
    if isinstance(columns, dict):
        data["columns"] = {k: (v,) if isinstance(v, str) else v for k, v in columns.items()}
    if not data.get("signature") and isinstance(data.get("columns"), dict):
        data["signature"] = ()
    try:
        layout = Layout.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "<top>"
        raise StatementError(path, f"列映射文件字段 {where}：{first['msg']}；请按 docs/import.md 修改。") from None
    return Bank(layout.id, layout.label, (layout,))
