"""The tax classification codes of e-invoice items (商品和服务税收分类编码) as categories.

Each item of a 数电票 carries a 19-digit ``TaxClassificationCode``; the table in
``tax_codes.toml`` maps code prefixes to category short names (``3070401`` → 餐饮服务). The
longest matching prefix wins. It is data, not code: the file says where each entry comes from.
"""

from __future__ import annotations

import functools
from pathlib import Path

from . import PolicyError

TAX_CODES_FILE = Path(__file__).with_name("tax_codes.toml")


@functools.lru_cache(maxsize=4)
def load_tax_categories(path: str | Path = TAX_CODES_FILE) -> tuple[tuple[str, str], ...]:
    """``(prefix, category)`` pairs, longest prefix first. A broken file is a
    :class:`~studiofund.policy.PolicyError` naming the file and the field."""
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError:
        raise PolicyError(path, "无法读取（文件不存在或无权限）；请检查路径。") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(path, f"不是有效的 UTF-8 TOML：{exc}；请修正该行。") from None
    table = data.get("tax-code-categories")
    if not isinstance(table, dict) or not table:
        raise PolicyError(path, "缺少编码前缀表；应为「前缀 = 类别」的表。", "tax-code-categories")
    pairs = []
    for prefix, category in table.items():
        field = f"tax-code-categories.{prefix}"
        if not (prefix.isdigit() and prefix.isascii() and len(prefix) <= 19):
            raise PolicyError(path, "编码前缀应为 1 至 19 位数字。", field)
        if not isinstance(category, str) or not category.strip():
            raise PolicyError(path, "类别应为非空的文字。", field)
        pairs.append((prefix, category.strip()))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def category_of_code(code: str | None, path: str | Path = TAX_CODES_FILE) -> str | None:
    """The category of a tax classification code by its longest known prefix, or None."""
    if not code:
        return None
    code = code.strip()
    for prefix, category in load_tax_categories(path):
        if code.startswith(prefix):
            return category
    return None
