"""Money is Decimal, two places, CNY."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CURRENCY = "CNY"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


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
        return q2(Decimal(cleaned))
    except InvalidOperation:
        raise ValueError(f"不是有效金额：{text!r}") from None


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


def fmt_share(share: Decimal) -> str:
    """A share as people write it: ``Decimal("0.025")`` → ``"2.5%"``."""
    return f"{(share * 100).normalize():f}%"
