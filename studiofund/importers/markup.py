"""The "Excel" files online banks write as markup: an HTML table (``<table>`` saved under an
``.xls`` name, often in GBK) and an XML Spreadsheet 2003 (``urn:schemas-microsoft-com:office:
spreadsheet``). Both become rows of raw cell text; :mod:`.table` cleans and numbers them.

HTML is read with :mod:`html.parser`; XML with defusedxml (no DTDs, no entities: a bank file
is untrusted input).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

#: More columns than any statement has: a colspan beyond it is a layout trick, not data.
MAX_SPAN = 64
CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_\-]+)""", re.I)


def declared_text(raw: bytes, declared: re.Pattern) -> str | None:
    """The text of a markup file in its declared charset, or None when none decodes it."""
    m = declared.search(raw[:2048])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    name = "gb18030" if name in ("gb2312", "gbk", "gb_2312-80") else name
    try:
        return raw.decode(name).lstrip("\ufeff")
    except (LookupError, UnicodeDecodeError):
        return None


class _TableParser(HTMLParser):
    """The cells of every ``<tr>`` of a page, in order (a page often has an account table above
    the statement table; the header search finds the right one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            if self._row is None:
                self._row = []
            self._end_cell()
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = min(int(span), MAX_SPAN) if span.isdigit() and int(span) > 0 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)))
            self._row.extend([""] * (self._span - 1))  # a merged cell spans blank columns
        self._cell = None
        self._span = 1

    def _end_row(self) -> None:
        self._end_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None

    def close(self) -> None:
        super().close()
        self._end_row()


def html_rows(text: str) -> list[list[str]]:
    """The cells of every table row of an HTML page, in page order."""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    return parser.rows


_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def spreadsheet_xml_sheets(text: str) -> list[list[tuple[int, list[str]]]]:
    """Every worksheet of an XML Spreadsheet 2003 file as ``(row number, cells)``
    (``ss:Index`` skips rows and cells, ``ss:MergeAcross`` spans cells). Raises ValueError."""
    try:
        root = fromstring(text.encode("utf-8"), forbid_dtd=True)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    sheets = []
    for sheet in root.iter(f"{_SS}Worksheet"):
        rows: list[tuple[int, list[str]]] = []
        number = 0
        for row in sheet.iter(f"{_SS}Row"):
            index = row.get(f"{_SS}Index")
            number = int(index) if index and index.isdigit() else number + 1
            cells: list[str] = []
            for cell in row.findall(f"{_SS}Cell"):
                at = cell.get(f"{_SS}Index")
                if at and at.isdigit() and int(at) - 1 > len(cells):
                    cells.extend([""] * min(int(at) - 1 - len(cells), MAX_SPAN))
                data = cell.find(f"{_SS}Data")
                value = "".join(data.itertext()) if data is not None else ""
                if data is not None and data.get(f"{_SS}Type") == "DateTime":
                    value = value.replace("T", " ").removesuffix(".000").removesuffix(" 00:00:00")
                cells.append(value)
                across = cell.get(f"{_SS}MergeAcross")
                if across and across.isdigit():
                    cells.extend([""] * min(int(across), MAX_SPAN))
            rows.append((number, cells))
        sheets.append(rows)
    return sheets
