"""A bank's statement layout as data, and finding it in a table.

A :class:`Layout` names, for each field of a statement line, the column headers a bank uses
for it (aliases). The header row is found by probing: the first row (or pair of rows, for
two-row headers) in which the date and the amount columns find their headers. A bank's own
aliases come first; any field it leaves unfound is then looked up under the headers every bank
uses (:data:`COMMON_ALIASES`), so a new column variant of a known bank still reads, and
:data:`GENERIC` reads a layout no bank module describes.

Headers are compared in several normalised forms (:func:`header_forms`): NFKC (full-width
letters, digits, brackets and the full-width space U+3000 become ASCII), all whitespace removed,
lower case; then without bracketed qualifiers (``交易日期[ Transaction Date ]``,
``借方发生额（支取）``), without a unit (``余额/元``, ``金额(元)``, ``借方发生额/元(支取)``), and
without English words beside Chinese ones (``交易日期/Transaction Date``).

How the amount is read follows from the columns found, not from the layout: ``split`` when a
debit and a credit column are there, ``flagged`` when one amount column and a 借/贷 flag are,
``signed`` when only one amount column is.
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

#: The headers Chinese banks use for each field, most specific first. A bank module's own
#: aliases are tried before these; :data:`GENERIC` is made of these alone.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("交易日期", "记账日期", "入账日期", "交易日", "会计日期", "账务日期", "发生日期", "日期",
             "交易时间", "记账时间", "入账时间", "交易日期时间", "transactiondate", "date"),
    "time": ("交易时间", "时间", "交易时间戳", "记账时间", "time"),
    "debit": ("借方发生额", "借方金额", "借方发生数", "支出金额", "转出金额", "付款金额", "支取金额",
              "出账金额", "付出金额", "支出额", "转出额", "借方", "支出", "转出", "支取", "debit",
              "debitamount", "withdrawal"),
    "credit": ("贷方发生额", "贷方金额", "贷方发生数", "收入金额", "转入金额", "收款金额", "存入金额",
               "入账金额", "收入额", "转入额", "贷方", "收入", "转入", "存入", "credit", "creditamount",
               "deposit"),
    "amount": ("交易金额", "发生额", "金额", "收支金额", "交易额", "tradeamount", "amount"),
    "direction": ("借贷标志", "借贷方向", "借贷标识", "借/贷", "借贷", "收支标志", "收支方向", "收/支",
                  "收支", "收付标志", "收付方向", "交易方向", "方向", "debit/credit", "dr/cr"),
    "balance": ("余额", "账户余额", "交易后余额", "本次余额", "当前余额", "联机余额", "账面余额",
                "余额(元)", "balance", "after-transactionbalance"),
    "counterparty": ("对方户名", "对方账户名称", "对方单位名称", "对方名称", "对方账户名", "对方账号名称",
                     "对方单位", "对方户名称", "收(付)方名称", "收/付方名称", "对手方户名", "对手方名称",
                     "交易对手名称", "交易对手", "对方客户名称", "对方姓名", "对方帐户名称", "对方帐号名称",
                     "counterpartyname", "counterparty"),
    "counterparty_account": ("对方账号", "对方账户", "对方帐号", "对方帐户", "收(付)方账号", "收/付方账号",
                             "对手方账号", "交易对手账号", "对方卡号", "counterpartyaccount"),
    "payer_account": ("付款人账号", "付款方账号"),
    "payer_name": ("付款人名称", "付款方名称", "付款人户名"),
    "payee_account": ("收款人账号", "收款方账号"),
    "payee_name": ("收款人名称", "收款方名称", "收款人户名"),
    "own_account": ("本方账号", "账号", "本方账户", "我方账号"),
    "summary": ("摘要", "交易摘要", "业务摘要", "摘要内容", "reference", "summary"),
    "purpose": ("用途", "交易用途", "附言", "交易附言", "交易说明", "备注", "备注信息", "个性化信息",
                "purpose", "remark"),
    "remark": ("附言", "交易附言", "备注", "个性化信息", "客户附言", "其它摘要", "其他摘要"),
    "serial": ("交易流水号", "流水号", "会计流水号", "银行流水号", "主机交易流水号", "核心流水号",
               "账户明细编号-交易流水号", "交易流水", "交易参考号", "transactionreferencenumber"),
    "currency": ("币种", "币别", "交易货币", "货币", "currency"),
}


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
    debit_marks: tuple[str, ...] = ("借", "D", "DR", "支出", "付", "出", "-", "借方", "支", "往账", "转出",
                                    "付款", "debit")
    credit_marks: tuple[str, ...] = ("贷", "C", "CR", "收入", "收", "入", "+", "贷方", "来账", "转入",
                                     "收款", "credit")
    has_serial: bool = Field(
        default=True, description="the serial column is unique per line (else a computed key)"
    )
    common: bool = Field(
        default=True, description="fields the layout leaves unfound are looked up under COMMON_ALIASES"
    )
    preference: int = Field(default=0, description="breaks ties between layouts that both match")

    @model_validator(mode="after")
    def _consistent(self) -> Layout:
        unknown = set(self.columns) - set(FIELDS)
        if unknown:
            raise ValueError(f"未知的字段 {sorted(unknown)}；可用字段：{', '.join(FIELDS)}")
        cols = self.columns
        if not cols:  # GENERIC: every column from the common headers
            return self
        if "date" not in cols:
            raise ValueError("必须给出 date（交易日期）列")
        if not ("debit" in cols and "credit" in cols) and "amount" not in cols:
            raise ValueError("必须给出 debit 与 credit（借方/贷方）两列，或 amount（金额）列")
        if ("debit" in cols) != ("credit" in cols):
            raise ValueError("debit 与 credit 须同时给出")
        return self


#: A layout of no bank in particular: every column found by the common headers alone.
GENERIC = Layout(id="generic", label="通用格式（按表头识别）", columns={}, has_serial=True, preference=-1)


def normalise(text: str) -> str:
    """A header for comparison: NFKC, no whitespace, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>|【[^】]*】|〔[^〕]*〕")
_UNIT = re.compile(r"(?:[/(]?(?:人民币)?(?:元|万元|rmb|cny|¥)\)?)+$")
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z][a-z0-9.'&_\-]*")
_EDGE_PUNCT = "/|:-_.,;·"
#: The longest text a header cell has ("交易金额(借方)/Debit Amount (CNY)" is 30 characters).
MAX_HEADER = 200


def header_forms(text: str) -> set[str]:
    """The forms a header cell is matched in: normalised; without bracketed qualifiers; without
    a unit suffix; and, for a bilingual header, its Chinese words alone. A cell longer than any
    header (:data:`MAX_HEADER`) has none: it is data, and a huge cell would cost seconds a layout."""
    if len(text) > MAX_HEADER:
        return set()
    norm = normalise(text)
    if not norm:
        return set()
    forms = {norm}
    for form in (norm, _BRACKETED.sub("", norm)):
        forms.add(form)
        forms.add(_UNIT.sub("", form))
    if _CJK.search(norm) and _LATIN.search(norm):
        forms |= {_LATIN.sub("", f) for f in list(forms)}
    return {f.strip(_EDGE_PUNCT) for f in forms} - {""}


class HeaderMatch(NamedTuple):
    """Where the layout's header is and which column holds each field."""

    layout: Layout
    header_rows: tuple[int, ...]  # indexes into the table's rows
    columns: dict[str, int]
    names: tuple[frozenset[str], ...]  # the header forms of every column
    score: int

    @property
    def amount_mode(self) -> str:
        """``split`` (debit and credit columns), ``flagged`` (amount + 借贷标志) or ``signed``."""
        return amount_mode(self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return required_fields(self.columns)


def amount_mode(columns: dict[str, int]) -> str | None:
    if "debit" in columns and "credit" in columns:
        return "split"
    if "amount" in columns:
        return "flagged" if "direction" in columns else "signed"
    return None


def required_fields(columns: dict[str, int]) -> tuple[str, ...]:
    mode = amount_mode(columns)
    amount = ("debit", "credit") if mode == "split" else ("amount",)
    extra = ("direction",) if mode == "flagged" else ()
    return ("date",) + amount + extra


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


def _find(aliases: tuple[str, ...], names: list[set[str]], taken: set[int]) -> int | None:
    for alias in aliases:  # aliases in order of preference
        wanted = normalise(alias)
        hit = next((j for j, forms in enumerate(names) if wanted in forms and j not in taken), None)
        if hit is not None:
            return hit
    return None


def _resolve(layout: Layout, names: list[set[str]]) -> dict[str, int]:
    """Each field's column: the layout's own aliases first (field by field, in the layout's
    order), then — for the fields still unfound — the common ones."""
    columns: dict[str, int] = {}
    taken: set[int] = set()
    for fld, aliases in layout.columns.items():
        hit = _find(aliases, names, taken)
        if hit is not None:
            columns[fld] = hit
            taken.add(hit)
    if layout.common:
        for fld in FIELDS:
            if fld in columns:
                continue
            if fld in ("debit", "credit") and "amount" in columns:
                continue  # the layout reads one amount column; a stray 支出 column must not win
            hit = _find(COMMON_ALIASES[fld], names, taken)
            if hit is not None:
                columns[fld] = hit
                taken.add(hit)
        if "time" in columns and columns["time"] == columns.get("date"):
            del columns["time"]
        if amount_mode(columns) == "split" and "amount" in columns:
            del columns["amount"]
    if "debit" in columns and "credit" not in columns or "credit" in columns and "debit" not in columns:
        columns.pop("debit", None)
        columns.pop("credit", None)
    return columns


def match_layout(layout: Layout, rows: tuple[Row, ...]) -> HeaderMatch | None:
    """The first header (one row, or two rows) of ``rows`` that has the date and amount columns
    of ``layout`` and its signature, or None."""
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
                if double is not None and (single is None or double.score > single.score or (
                        double.amount_mode == "split" and single.amount_mode != "split")):
                    return double
        if single is not None:
            return single
    return None


def _try(layout: Layout, signature: list[str], header_rows: tuple[int, ...],
         names: list[set[str]]) -> HeaderMatch | None:
    all_forms = set().union(*names) if names else set()
    if not all(s in all_forms for s in signature):
        return None
    columns = _resolve(layout, names)
    if "date" not in columns or amount_mode(columns) is None:
        return None
    if not layout.columns and not _looks_like_statement(columns):
        return None
    score = len(columns) + len(signature) * 2
    return HeaderMatch(layout, header_rows, columns, tuple(frozenset(n) for n in names), score)


def _looks_like_statement(columns: dict[str, int]) -> bool:
    """Without columns of its own a header must say more than 日期 and 金额: a balance, a counterparty
    or a debit/credit pair — what a bank statement has and an expense list does not."""
    return amount_mode(columns) == "split" or "balance" in columns or any(
        f in columns for f in ("counterparty", "payer_name", "payee_name"))


def detect_layout(layouts: list[Layout], rows: tuple[Row, ...]) -> HeaderMatch | None:
    """The layout that fits ``rows`` best: most signature headers, most columns, preference."""
    matches = [m for m in (match_layout(layout, rows) for layout in layouts) if m is not None]
    if not matches:
        return None
    return max(matches, key=lambda m: (len(m.layout.signature), m.score, m.layout.preference))


#: Names by which a statement's title or account block names its bank.
BANK_NAMES: dict[str, tuple[str, ...]] = {
    "icbc": ("中国工商银行", "工商银行", "工行", "icbc"),
    "ccb": ("中国建设银行", "建设银行", "建行", "ccb"),
    "boc": ("中国银行", "中行", "bankofchina", "bocnet"),
    "abc": ("中国农业银行", "农业银行", "农行", "abchina"),
    "bocom": ("交通银行", "交行", "bankcomm", "bocom"),
    "cmb": ("招商银行", "招行", "cmbchina"),
}


def bank_hint(rows: tuple[Row, ...], before: int) -> str | None:
    """The bank id that the rows above the header name (a title such as 中国建设银行单位客户
    账户明细), or None. 中国银行 is looked for last: 中国工商银行 contains it too."""
    text = normalise("".join("".join(r.cells) for r in rows[:before]))
    for bank in ("icbc", "ccb", "abc", "bocom", "cmb", "boc"):
        if any(name in text for name in BANK_NAMES[bank]):
            return bank
    return None
