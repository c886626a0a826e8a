"""Money is Decimal, two places, CNY."""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "CNY"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: The largest amount a person may type (one trillion yuan): beyond it, a typing mistake.
MAX_AMOUNT = Decimal("1000000000000")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def q2(value: Decimal | int | str) -> Decimal:
    """Round to two places (half up, as accountants do)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal | None) -> str:
    """The contract's money string: two places, no thousands separator ("1234.50")."""
    return "" if value is None else str(q2(value))


def fmt_cn(value: Decimal | None) -> str:
    """Money for people: thousands separators, two places ("1,234.50")."""
    return "" if value is None else f"{q2(value):,.2f}"


def parse_amount(text: str | int | float | Decimal) -> Decimal:
    """Parse an amount typed by a person or found in a file: '1,234.5', '１２３', '-', ''.

    Raises ValueError with a readable message on anything else.
    """
    if isinstance(text, Decimal):
        return q2(text)
    if isinstance(text, (int, float)):
        return q2(Decimal(str(text)))
    cleaned = str(text).strip().translate(_FULLWIDTH).replace(",", "").replace("¥", "").replace("￥", "")
    cleaned = cleaned.replace("CNY", "").replace("元", "").strip()
    if cleaned in ("", "-", "--"):
        return ZERO
    try:
        value = Decimal(cleaned)
        if not value.is_finite():
            raise InvalidOperation
        return q2(value)
    except InvalidOperation:
        raise ValueError(f"不是有效金额：{text!r}") from None


def parse_money(text: str, *, negative: bool = False, zero: bool = True) -> Decimal:
    """A typed amount as ``Decimal`` with two places; raises ValueError saying, in Chinese,
    what is wrong and how to write it."""
    how = "请写成如 1234.50 的数字（单位：元，最多两位小数）"
    cleaned = str(text).strip().translate(_FULLWIDTH).replace(",", "").replace("¥", "").replace("￥", "")
    cleaned = cleaned.replace("CNY", "").replace("元", "").strip()
    if not _PLAIN_NUMBER.match(cleaned):
        raise ValueError(f"{text!r} 不是金额；{how}。")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{text!r} 不是金额；{how}。") from None
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"{text} 超过一万亿元，不是合理的金额；请检查是否多写了位数。")
    if amount != amount.quantize(CENT, rounding=ROUND_DOWN):
        raise ValueError(f"{text} 超过两位小数（金额精确到分）；请先按会计规定四舍五入到分，如 "
                         f"{q2(amount)}。")
    if amount < 0 and not negative:
        raise ValueError(f"{text} 是负数；金额不能为负，请写正数。")
    if amount == 0 and not zero:
        raise ValueError("金额不能为 0。")
    return amount.quantize(CENT)


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


def fmt_share(share: Decimal) -> str:
    """A share as people write it: ``Decimal("0.025")`` → ``"2.5%"``."""
    return f"{(share * 100).normalize():f}%"
