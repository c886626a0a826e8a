"""Reading the transaction metadata of CONTRACT.md."""

from __future__ import annotations

import re
from typing import Any

_SEPARATORS = re.compile(r"[,，、;；\s]+")


def invoice_numbers(meta: dict[str, Any] | None) -> list[str]:
    """The invoice numbers of ``invoice:`` (comma-separated; Chinese separators accepted)."""
    value = (meta or {}).get("invoice")
    if value in (None, ""):
        return []
    value = str(value).strip()
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
