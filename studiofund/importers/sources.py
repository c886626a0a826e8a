"""Which layouts a ``--bank`` choice reads with, and reading the statements of one import.

``auto`` tries every built-in bank's layouts, the mapping files' layouts and — for a layout no
bank module describes — :data:`~.layout.GENERIC`; a bank's id tries that bank's layouts and
GENERIC (a new export of that bank is still read, and shown under the bank's name).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from . import abchina, boc, bocom, ccb, cmb, icbc
from .bank import Bank
from .generic import load_mapping
from .layout import GENERIC, Layout, detect_layout
from .statement import Statement, read_statement
from .table import StatementError, read_table

#: The built-in banks, by ``--bank`` name.
BANKS: dict[str, Bank] = {b.id: b for b in (icbc.BANK, ccb.BANK, boc.BANK, abchina.BANK, bocom.BANK, cmb.BANK)}
#: Statements whose layout only the common headers read (the beangulp importer of "any bank").
GENERIC_BANK = Bank("generic", "其他银行（按表头识别）", (GENERIC,))


class UnknownBank(ValueError):
    """A ``--bank`` name that is neither built in nor a mapping's id (message in Chinese)."""


def builtin_layouts() -> list[Layout]:
    """Every built-in bank's layouts, then GENERIC."""
    return [layout for bank in BANKS.values() for layout in bank.layouts] + [GENERIC]


class Choice(NamedTuple):
    layouts: list[Layout]
    bank_label: str | None  # the bank's name for a statement only GENERIC reads
    banks: dict[str, Bank]  # every bank known to this import, by id
    bank: str  # the --bank choice


def choose(bank: str = "auto", mappings: list[str | Path] = ()) -> Choice:
    """The layouts of a ``--bank`` choice; raises :class:`StatementError` for a bad mapping
    file and :class:`UnknownBank` for an unknown name."""
    extra = [load_mapping(m) for m in mappings]
    banks = {**BANKS, **{b.id: b for b in extra}}
    if bank == "auto":
        mapped = [layout for b in extra for layout in b.layouts]
        return Choice(mapped + builtin_layouts(), None, banks, bank)
    if bank in banks:
        return Choice(list(banks[bank].layouts) + [GENERIC], banks[bank].label, banks, bank)
    known = "、".join(f"{k}（{b.label}）" for k, b in banks.items())
    raise UnknownBank(f"未知的银行 {bank!r}。可用：auto、{known}；其他银行请用 --mapping 给出列映射文件。")


def _check_bank(path, table, choice: Choice) -> None:
    """A file that another bank's own layout reads is not the chosen bank's (GENERIC would read
    it too, under the wrong name)."""
    everyone = [layout for b in choice.banks.values() for layout in b.layouts]
    for rows in table.sheets:
        match = detect_layout(everyone, rows)
        if match is None:
            continue
        owner = next(b for b in choice.banks.values() if match.layout in b.layouts)
        if owner.id != choice.bank:
            raise StatementError(
                path, f"这是{owner.label}的对账单格式，不是{choice.banks[choice.bank].label}的；"
                      f"请去掉 --bank（自动识别）或改为 --bank {owner.id}。")
        return


def read_statements(paths: list[str | Path], bank: str = "auto",
                    mappings: list[str | Path] = ()) -> list[Statement]:
    """Every statement of one import, oldest first; raises :class:`StatementError` (a file
    that cannot be read, or statements of two different accounts) or :class:`UnknownBank`."""
    choice = choose(bank, mappings)
    statements = []
    for path in paths:
        table = read_table(path)
        if choice.bank != "auto":
            _check_bank(path, table, choice)
        statements.append(read_statement(path, choice.layouts, table=table, bank_label=choice.bank_label))
    numbers = {s.account_number for s in statements if s.account_number}
    if len(numbers) > 1:
        raise StatementError(
            paths[0],
            f"这些对账单属于不同账户（{'、'.join(sorted(numbers))}）；专项经费只有一个专户，请只导入专户的对账单。",
        )
    return sorted(statements, key=lambda s: (s.first_date, s.last_date))
