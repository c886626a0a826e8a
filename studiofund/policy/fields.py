"""Field checks of the policy tables, without pydantic.

The policy tables are frozen standard-library dataclasses, so that a ledger check that finds
its validated policy in the cache (:mod:`studiofund.policy.cache`) never imports pydantic.
pydantic validates them (types, unknown keys) when a file is read; each class's
``__post_init__`` checks what types cannot say, raising :class:`FieldError` so the message
names the field.
"""

from __future__ import annotations

import re
from dataclasses import FrozenInstanceError, fields
from typing import Any

#: pydantic's configuration of every policy table: an unknown key is an error, not ignored.
STRICT: dict[str, Any] = {"extra": "forbid"}

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ACCOUNT_PATTERN = re.compile(r"^(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z][A-Za-z0-9-]*)+$")


class Frozen:
    """The base of the policy tables (and of the other frozen records a check loads): equal
    when their fields are, hashable, shown as ``Name(field=value, …)`` and frozen — what
    ``@dataclass(frozen=True)`` gives, written once here instead of generated for each class.

    A dataclass compiles each method it generates with ``exec`` when its module is imported, and
    every check imports every table (to unpickle the cached policy): importing the policy
    package cost a first check 0.113 G instructions with six generated methods a table, 0.046 G
    with ``__init__`` alone (callgrind, the check bench). Declare a subclass with
    ``@dataclass(kw_only=True, eq=False, repr=False)``, so that these methods are the ones used.

    Frozen: each field is set once, by ``__init__`` (pickle and pydantic fill the instance's
    ``__dict__`` directly); assigning it again, or anything else, or deleting raises
    :class:`dataclasses.FrozenInstanceError`.
    """

    __slots__ = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self) if f.compare)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        return f"{type(self).__qualname__}({shown})"

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__ or name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")


class FieldError(ValueError):
    """A problem with one field of a table; :class:`~studiofund.policy.PolicyError` names it."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def check(condition: bool, field: str, message: str) -> None:
    if not condition:
        raise FieldError(field, message)


def check_range(value: Any, field: str, low: Any = None, high: Any = None) -> None:
    if value is None:
        return
    if low is not None and value < low:
        raise FieldError(field, f"应不小于 {low}（现为 {value}）")
    if high is not None and value > high:
        raise FieldError(field, f"应不大于 {high}（现为 {value}）")


def check_id(value: str, field: str = "id") -> None:
    check(bool(ID_PATTERN.match(value)), field,
          f"{value!r} 不是有效的编号：只用小写字母、数字和 '-'，以字母或数字开头")


def check_account(value: str, field: str) -> None:
    check(bool(ACCOUNT_PATTERN.match(value)), field, f"{value!r} 不是 Beancount 科目名称")


def check_patterns(values: tuple[str, ...], field: str, placeholder: str = "") -> None:
    """Every value is a non-empty regular expression that compiles."""
    for pattern in values:
        check(bool(pattern.strip()), field, "有空的匹配模式：请删去或写上要匹配的词")
        try:
            re.compile(pattern.replace(placeholder, "X") if placeholder else pattern)
        except re.error:
            raise FieldError(field, f"{pattern!r} 不是有效的正则表达式") from None
