"""A bank's statement layout as data, and finding it in a table.

A :class:`Layout` names, for each field of a statement line, the column headers a bank uses
for it (aliases). The header row is found by probing: the first row (or pair of rows, for
two-row headers) in which every required field finds its column. Headers are compared after
normalising: NFKC (full-width letters, digits and the full-width space U+3000 become ASCII),
all whitespace removed, and — as a second form — bracketed qualifiers removed, so
``交易日期[ Transaction Date ]`` and ``借方发生额（支取）`` are found as ``交易日期`` and
``借方发生额``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .table import Row

#: The fields a column can provide. ``date`` may hold the time as well.
FIELDS = (
    "date", "time", "debit", "credit", "amount", "direction", "balance", "counterparty",
    "counterparty_account", "payer_account", "payer_name", "payee_account", "payee_name",
    "own_account", "summary", "purpose", "remark", "serial", "currency",
)

#: How far down a file the header may be (preambles are a dozen rows at most).
HEADER_SEARCH_ROWS = 40


class Layout(BaseModel):
    """One bank's export layout. Built-in banks define one in Python; any other bank's is a
    small TOML file (``[columns]`` aliases, see docs/import.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    label: str = Field(description="the bank's Chinese name, shown to the user")
    columns: dict[str, tuple[str, ...]] = Field(description="field → header aliases")
    signature: tuple[str, ...] = Field(
        default=(), description="headers that must all be present to identify this layout"
    )
    debit_marks: tuple[str, ...] = ("借", "D", "DR", "支出", "付", "出", "-")
    credit_marks: tuple[str, ...] = ("贷", "C", "CR", "收入", "收", "入", "+")
    has_serial: bool = Field(
        default=True, description="the serial column is unique per line (else a computed key)"
    )
    preference: int = Field(default=0, description="breaks ties between layouts that both match")

    @model_validator(mode="after")
    def _consistent(self) -> Layout:
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise ValueError(f"未知的字段 {sorted(unknown)}；可用字段：{', '.join(FIELDS)}")
        cols = self.columns
        if "date" not in cols:
            raise ValueError("必须给出 date（交易日期）列")
        two = "debit" in cols and "credit" in cols
        if not two and "amount" not in cols:
            raise ValueError("必须给出 debit 与 credit（借方/贷方）两列，或 amount（金额）列")
        if ("debit" in cols) != ("credit" in cols):
            raise ValueError("debit 与 credit 须同时给出")
        return self

    @property
    def amount_mode(self) -> str:
        """``split`` (debit and credit columns), ``flagged`` (amount + 借贷标志) or ``signed``."""
        if "debit" in self.columns:
            return "split"
        return "flagged" if "direction" in self.columns else "signed"

    @property
    def required(self) -> tuple[str, ...]:
        amount = ("debit", "credit") if self.amount_mode == "split" else ("amount",)
        extra = ("direction",) if self.amount_mode == "flagged" else ()
        return ("date",) + amount + extra


def normalise(text: str) -> str:
    """A header for comparison: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>|【[^】]*】")


def header_forms(text: str) -> set[str]:
    """The forms a header cell is matched in: normalised, and without bracketed qualifiers."""
    norm = normalise(text)
    if not norm:
        return set()
    forms = {norm}
    stripped = _BRACKETED.sub("", norm)
    if stripped:
        forms.add(stripped)
    return forms


class HeaderMatch(NamedTuple):
    """Where the layout's header is and which column holds each field."""

    layout: Layout
    header_rows: tuple[int, ...]  # indexes into the table's rows
    columns: dict[str, int]
    names: tuple[frozenset[str], ...]  # the header forms of every column
    score: int


def _single_row_names(row: Row) -> list[set[str]]:
    return [header_forms(c) for c in row.cells]


def _two_row_names(top: Row, bottom: Row) -> list[set[str]]:
    """Header names of a two-row header: the lower cell, the upper one, and both joined (with a
    merged upper cell carried to the right over the blanks it spans)."""
    width = max(len(top.cells), len(bottom.cells))
    names: list[set[str]] = []
    parent = ""
    for j in range(width):
        upper, lower = top.cell(j), bottom.cell(j)
        if upper:
            parent = upper
        elif not lower:
            parent = ""
        forms = header_forms(upper) | header_forms(lower)
        if lower:
            forms |= header_forms((upper or parent) + lower)
        names.append(forms)
    return names


def _resolve(layout: Layout, names: list[set[str]]) -> dict[str, int]:
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for fld, aliases in layout.columns.items():
        wanted = [normalise(a) for a in aliases]
        for alias in wanted:  # aliases in order of preference
            hit = next((j for j, forms in enumerate(names) if alias in forms and j not in taken), None)
            if hit is not None:
                columns[fld] = hit
                taken.add(hit)
                break
    return columns


def match_layout(layout: Layout, rows: tuple[Row, ...]) -> HeaderMatch | None:
    """The first header (one row, or two rows) of ``rows`` that has every required column of
    ``layout`` and its signature, or None."""
    limit = min(len(rows), HEADER_SEARCH_ROWS)
    signature = [normalise(s) for s in layout.signature]
    for i in range(limit):
        if rows[i].is_blank:
            continue
        single = _try(layout, signature, (i,), _single_row_names(rows[i]))
        if i + 1 < len(rows) and not rows[i + 1].is_blank:
            # A two-row header only when the lower row is no header of its own (a preamble row
            # right above the header must not be mistaken for an upper header row).
            if _try(layout, signature, (i + 1,), _single_row_names(rows[i + 1])) is None:
                double = _try(layout, signature, (i, i + 1), _two_row_names(rows[i], rows[i + 1]))
                if double is not None and (single is None or double.score > single.score):
                    return double
        if single is not None:
            return single
    return None


def _try(layout: Layout, signature: list[str], header_rows: tuple[int, ...],
         names: list[set[str]]) -> HeaderMatch | None:
    columns = _resolve(layout, names)
    if not all(f in columns for f in layout.required):
        return None
    all_forms = set().union(*names) if names else set()
    if not all(s in all_forms for s in signature):
        return None
    score = len(columns) + len(signature) * 2
    return HeaderMatch(layout, header_rows, columns, tuple(frozenset(n) for n in names), score)


def detect_layout(layouts: list[Layout], rows: tuple[Row, ...]) -> HeaderMatch | None:
    """The layout that fits ``rows`` best: most signature headers, most columns, preference."""
    matches = [m for m in (match_layout(layout, rows) for layout in layouts) if m is not None]
    if not matches:
        return None
    return max(matches, key=lambda m: (len(m.layout.signature), m.score, m.layout.preference))
