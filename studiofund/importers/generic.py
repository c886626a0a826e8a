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

from pathlib import Path

from pydantic import ValidationError

from studiofund.files import read_toml

from .bank import Bank
from .layout import Layout
from .table import StatementError


def load_mapping(path: str | Path) -> Bank:
    """The bank a mapping file describes; raises :class:`StatementError` on a bad file."""
    path = Path(path)
    data, problem = read_toml(path)
    if data is None:
        raise StatementError(path, f"无法读取列映射文件（{problem}）。")
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
