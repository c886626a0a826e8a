"""Reading the transaction metadata of docs/interfaces.md, and the voucher series."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from beancount.core import data

_SEPARATORS = re.compile(r"[,，、;；\s]+")


def invoice_numbers(meta: dict[str, Any] | None) -> list[str]:
    """The invoice numbers of ``invoice:`` (comma-separated; Chinese separators accepted)."""
    value = (meta or {}).get("invoice")
    if value in (None, ""):
        return []
    value = str(value).strip()
    if not value.isascii():  # full-width digits typed by hand read as the digits of the e-invoice
        value = unicodedata.normalize("NFKC", value)
    if value.isalnum():  # one number: the common case, no need for the regex
        return [value]
    return [part for part in _SEPARATORS.split(value) if part]


def blank(value: Any) -> bool:
    """A metadata value that says nothing: absent (None) or blank text. Numbers, dates and
    amounts are never blank."""
    return value is None or (value.__class__ is str and not value.strip())


def text(meta: dict[str, Any] | None, key: str) -> str | None:
    """A metadata value as stripped text, or None when absent or blank."""
    value = (meta or {}).get(key)
    if value is None:
        return None
    value = str(value).strip()
    return value or None


class InvoiceItem(NamedTuple):
    """One item of an e-invoice as ``invoice-items:`` records it."""

    name: str  #: the item name as the invoice prints it, e.g. ``*餐饮服务*餐费``
    category: str | None  #: the tax classification short name between the asterisks, e.g. ``餐饮服务``


# ``*简称*名称``: the short name of the 商品和服务税收分类 between the first two asterisks. Full-width
# asterisks (＊) occur in hand-typed values and are read alike.
_SHORT_NAME = re.compile(r"^\s*[*＊]([^*＊]+)[*＊]")
_ITEM_SEPARATORS = re.compile(r"\s*[;；]\s*")


def item_category(name: str) -> str | None:
    """The classification short name of an item name (``*餐饮服务*餐费`` → ``餐饮服务``), or None."""
    match = _SHORT_NAME.match(name or "")
    return (match.group(1).strip() or None) if match else None


def parse_invoice_items(value: str | None) -> list[InvoiceItem]:
    """The items of an ``invoice-items:`` value: names separated by ``;`` (or ``；``), each with the
    category between its asterisks. Blank parts are skipped; a name without asterisks has no
    category. Pure, for the content rules and the reports alike."""
    if blank(value):
        return []
    items = []
    for part in _ITEM_SEPARATORS.split(str(value).strip()):
        if part:
            items.append(InvoiceItem(part, item_category(part)))
    return items


def invoice_items(meta: dict[str, Any] | None) -> list[InvoiceItem]:
    """The items of an entry's ``invoice-items:`` metadata (see :func:`parse_invoice_items`)."""
    return parse_invoice_items((meta or {}).get("invoice-items"))


def format_invoice_items(names: list[str]) -> str:
    """The ``invoice-items:`` value for item names: joined by ``; `` (a ``;`` inside a name, which
    no invoice prints, becomes ``，`` so that the value parses back to the same items)."""
    return "; ".join(name.replace(";", "，").replace("；", "，").strip() for name in names if name.strip())


def number(meta: dict[str, Any] | None, key: str) -> Decimal | None:
    """A metadata value as a number: an amount (``40.00 CNY``), a number, or numeric text
    (``"1,200.50"``); None when absent, blank or not a number."""
    value = (meta or {}).get(key)
    if value is None or value.__class__ is bool:
        return None
    value = getattr(value, "number", value)
    if value.__class__ is not Decimal:
        try:
            value = Decimal(str(value).strip().replace(",", "").replace("，", ""))
        except (InvalidOperation, ValueError):
            return None
    return value if value.is_finite() else None


_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:学时|课时|小时|个|名|人次|人|天|日)?\s*$")


def count(meta: dict[str, Any] | None, key: str) -> Decimal | None:
    """A metadata count as people write it: ``4``, ``"4"``, ``"4学时"``, ``"30 人"``, ``"2天"``;
    None when absent or not a count."""
    value = (meta or {}).get(key)
    if value is None or value.__class__ is bool:
        return None
    if value.__class__ is not str:
        return number(meta, key)
    match = _COUNT.match(value.translate(_FULLWIDTH_DIGITS))
    return Decimal(match.group(1)) if match else None


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．", "0123456789.")


def next_voucher(entries, year: int) -> str:
    """The next free voucher of the year's ``YYYY-NNN`` series (after the highest one used)."""
    pattern = re.compile(rf"^{year}-(\d+)$")
    used: set[str] = set()
    top = 0
    for entry in entries:
        v = (entry.meta or {}).get("voucher") if type(entry) is data.Transaction else None
        if v is None:
            continue
        v = str(v).strip()
        used.add(v)
        m = pattern.match(v)
        if m:
            top = max(top, int(m.group(1)))
    number = top + 1
    while f"{year}-{number:03d}" in used:
        number += 1
    return f"{year}-{number:03d}"
