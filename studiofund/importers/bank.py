"""A bank: its id (``--bank NAME``), its Chinese name, and the layouts of its exports."""

from __future__ import annotations

from typing import NamedTuple

from .layout import Layout


class Bank(NamedTuple):
    id: str
    label: str
    layouts: tuple[Layout, ...]
