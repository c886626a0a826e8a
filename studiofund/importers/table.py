"""Reading a bank export into rows of text: CSV/TXT (GBK, GB18030, UTF-8, UTF-8 with BOM,
UTF-16), XLSX (openpyxl), legacy XLS (xlrd), and the two kinds of "Excel" file online banks
write as text: an HTML table and an XML Spreadsheet 2003 (both often named ``.xls``).

The format is decided by the file's bytes, not its name: banks often give a tab-separated text
file or an HTML page an ``.xls`` name. Every cell becomes stripped text (dates as ``YYYY-MM-DD HH:MM:SS``,
numbers without float noise), and every row keeps its 1-based row number in the source, so an
error can name it.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from studiofund.files import MAX_LINE_BYTES, long_line, read_source

from . import markup

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

#: Characters stripped around every cell: spaces, tabs, full-width spaces, the quote and ``=``
#: of the ``="0123"`` text trick, and the zero-width no-break space.
_STRIP = " \t\r\n\u3000\u00a0\ufeff"


class StatementError(Exception):
    """A statement file that cannot be imported: names the file, the row and what to do."""

    def __init__(self, path: str | Path, problem: str, row: int | None = None):
        self.path = str(path)
        self.row = row
        self.problem = problem
        where = f"第 {row} 行：" if row else ""
        super().__init__(f"{self.path}：{where}{problem}")


class Row(NamedTuple):
    """One row of the source: its 1-based number (line of a CSV, row of a sheet) and cells."""

    number: int
    cells: tuple[str, ...]

    def cell(self, index: int | None) -> str:
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)

    @property
    def width(self) -> int:
        """The number of cells up to the last non-empty one."""
        for i in range(len(self.cells) - 1, -1, -1):
            if self.cells[i]:
                return i + 1
        return 0


class Table(NamedTuple):
    path: str
    kind: str  # "csv", "xlsx", "xls", "html", "xml"
    rows: tuple[Row, ...]  # the first sheet with data
    others: tuple[tuple[Row, ...], ...] = ()  # the workbook's other sheets, in order

    @property
    def sheets(self) -> tuple[tuple[Row, ...], ...]:
        return (self.rows, *self.others)


def clean_cell(value: object) -> str:
    """A cell as stripped text; ``="123"`` (Excel's keep-as-text trick) becomes ``123``."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != datetime.time() else value.strftime("%Y-%m-%d")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        text = format(Decimal(repr(value)), "f")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, int):
        return str(value)
    text = str(value).strip(_STRIP)
    if text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip(_STRIP)
    elif text.startswith("'") and text[1:2].isdigit():  # '6222… : a number kept as text
        text = text[1:]
    return text


def read_table(path: str | Path) -> Table:
    """Read ``path`` into a :class:`Table`; raises :class:`StatementError`."""
    path = Path(path)
    # regular files only, of sane size: a FIFO or /dev/zero would never end
    raw, problem = read_source(path, max_line=None)
    if raw is None:
        raise StatementError(path, f"无法读取（{problem}）；请检查路径。")
    if not raw.strip():
        raise StatementError(path, "文件是空的；请重新从网银下载对账单。")
    if raw.startswith(ZIP_MAGIC):
        return _workbook(path, "xlsx", _read_xlsx(path, raw))
    if raw.startswith(OLE2_MAGIC):
        return _workbook(path, "xls", _read_xls(path, raw))
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in raw[:4096].lower():
        return _workbook(path, "xml", _read_spreadsheet_xml(path, raw))
    if head.startswith(b"<"):  # (an HTML export may well be one long line)
        return Table(str(path), "html", _read_html(path, raw))
    line = long_line(raw, MAX_LINE_BYTES) if len(raw) > MAX_LINE_BYTES else 0
    if line:  # a text export with an absurd line: no bank writes one
        raise StatementError(path, f"第 {line} 行超过 {MAX_LINE_BYTES // 1024} KB，不像网银导出的对账单；请重新下载。")
    return Table(str(path), "csv", _read_text(path, raw))


def _workbook(path: Path, kind: str, sheets: list[tuple[Row, ...]]) -> Table:
    """A workbook's table: its first sheet with data first, the others after it."""
    with_data = [s for s in sheets if sum(1 for r in s if not r.is_blank) > 1] or sheets[:1] or [()]
    first = with_data[0]
    return Table(str(path), kind, first, tuple(s for s in sheets if s is not first))


def decode_text(path: str | Path, raw: bytes) -> str:
    """Decode a text export: UTF-16 (BOM), UTF-8 (with or without BOM), else GB18030 (⊃ GBK)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            _bad_bytes(path, raw, exc)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        _bad_bytes(path, raw, exc)
    raise AssertionError("unreachable")


def _bad_bytes(path: str | Path, raw: bytes, exc: UnicodeDecodeError) -> None:
    line = raw[: exc.start].count(b"\n") + 1
    raise StatementError(
        path,
        f"文件编码损坏（第 {exc.start + 1} 字节 {raw[exc.start:exc.start + 2].hex(' ')} 既不是 UTF-8 也不是 GBK/GB18030）；"
        "请重新从网银下载，或用 Excel 另存为 CSV（UTF-8）后再导入。",
        row=line,
    ) from None


def _read_text(path: Path, raw: bytes) -> tuple[Row, ...]:
    text = decode_text(path, raw)
    sample = "\n".join(text.splitlines()[:40])
    # A comma that is not a thousands separator means CSV (tabs are then padding, as ICBC pads
    # its cells); otherwise tab-separated text (what some banks save under an .xls name).
    delimiter = "," if re.search(r"(?<!\d),|,(?!\d)", sample) or "\t" not in sample else "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Row] = []
    try:
        start = 1
        for record in reader:
            rows.append(Row(start, tuple(clean_cell(c) for c in record)))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise StatementError(path, f"CSV 格式错误（{exc}）；文件可能被截断，请重新下载。", row=start) from None
    return tuple(rows)


def _read_xlsx(path: Path, raw: bytes) -> list[tuple[Row, ...]]:
    import zipfile

    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise StatementError(path, f"XLSX 文件损坏，无法打开（{exc}）；请重新下载或用 Excel 另存后再导入。") from None
    try:
        sheets = []
        for sheet in book.worksheets:
            rows = [Row(number, tuple(clean_cell(v) for v in values))
                    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            sheets.append(tuple(rows))
        return sheets
    finally:
        book.close()


def _read_xls(path: Path, raw: bytes) -> list[tuple[Row, ...]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw, on_demand=False)
    except Exception as exc:  # xlrd raises bare XLRDError/AssertionError/struct.error on damage
        raise StatementError(path, f"XLS 文件损坏，无法打开（{exc}）；请重新下载或用 Excel 另存为 .xlsx 后再导入。") from None
    sheets = []
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            cells = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        cells.append(clean_cell(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                    except (ValueError, OverflowError):
                        cells.append(clean_cell(cell.value))
                else:
                    cells.append(clean_cell(cell.value))
            rows.append(Row(r + 1, tuple(cells)))
        sheets.append(tuple(rows))
    return sheets


def _read_html(path: Path, raw: bytes) -> tuple[Row, ...]:
    text = markup.declared_text(raw, markup.CHARSET) or decode_text(path, raw)
    rows = markup.html_rows(text)
    if not any(any(c.strip() for c in cells) for cells in rows):
        raise StatementError(path, "这是网页（HTML/XML）格式的文件，但其中没有表格；请用 Excel 打开后另存为 .xlsx 或 .csv 再导入。")
    return tuple(Row(i, tuple(clean_cell(c) for c in cells)) for i, cells in enumerate(rows, start=1))


def _read_spreadsheet_xml(path: Path, raw: bytes) -> list[tuple[Row, ...]]:
    text = markup.declared_text(raw, markup.XML_ENCODING) or decode_text(path, raw)
    try:
        sheets = markup.spreadsheet_xml_sheets(text)
    except ValueError as exc:
        raise StatementError(path, f"XML 表格文件损坏（{exc}）；请重新下载或用 Excel 另存为 .xlsx 后再导入。") from None
    if not sheets:
        raise StatementError(path, "XML 表格文件中没有工作表；请重新下载或用 Excel 另存为 .xlsx 后再导入。")
    return [tuple(Row(n, tuple(clean_cell(c) for c in cells)) for n, cells in sheet) for sheet in sheets]


def file_stamp(path: str | Path) -> tuple[str, int, int]:
    """A cache key of a file: its path, size and modification time."""
    st = os.stat(path)
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)
