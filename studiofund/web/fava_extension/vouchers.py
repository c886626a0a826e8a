"""记账凭证与台账: a Fava extension page listing a year's vouchers, a printable 记账凭证 for any
of them (one voucher, or the whole year, a page each), and the 经费使用台账 for download.

    /<ledger>/extension/Vouchers/                      the list (year from ?year=, else the latest)
    /<ledger>/extension/Vouchers/print?voucher=2021-018   one voucher, ready to print
    /<ledger>/extension/Vouchers/print?year=2021          every voucher of the year, a page each
    /<ledger>/extension/Vouchers/journal?year=2021&format=xlsx|csv   the 台账 as a download

Everything here is read-only (GET): an auditor may print vouchers and export the 台账. The print
page is a document of its own (not inside Fava's frame) with a print stylesheet: A5 landscape,
one voucher a page.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote, urlencode

from flask import Response, abort, request, url_for
from fava.ext import FavaExtensionBase, extension_endpoint

from studiofund.money import fmt_cn
from studiofund.reports.journal import build_journal, journal_workbook, render_csv
from studiofund.reports.voucher import VoucherSheet, vouchers
from studiofund.reports.xlsx import to_bytes

from .page import default_year, loaded_from_fava

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year(ledger) -> int:
    value = request.args.get("year", "")
    if value.isdigit() and 1900 < int(value) < 2200:
        return int(value)
    return default_year(ledger)


def _download(payload: bytes, filename: str, mimetype: str) -> Response:
    """A file download with a Chinese file name (RFC 5987) and an ASCII fallback."""
    response = Response(payload, mimetype=mimetype)
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}")
    return response


class Vouchers(FavaExtensionBase):
    """记账凭证与台账 — print a voucher, export the 台账."""

    report_title = "记账凭证与台账"

    def year(self) -> int:
        return _year(self.ledger)

    def years(self) -> list[int]:
        from beancount.core import data

        found = {e.date.year for e in self.ledger.all_entries if isinstance(e, data.Transaction)}
        return sorted(found | {self.year()})

    def sheets(self, year: int | None = None, voucher: str | None = None) -> list[VoucherSheet]:
        return vouchers(loaded_from_fava(self.ledger), year, voucher)

    def url(self, endpoint: str, **params: Any) -> str:
        """The URL of one of this extension's endpoints, with its query."""
        base = url_for("extension_report", extension_name=self.name)
        return f"{base}{endpoint}?{urlencode(params)}"

    @staticmethod
    def money(value: Any) -> str:
        return fmt_cn(value) if value is not None else ""

    @extension_endpoint("print")
    def print_view(self) -> Response:
        """One voucher (``?voucher=``) or a year's (``?year=``), as a printable document."""
        number = request.args.get("voucher", "").strip()
        if number:
            sheets = self.sheets(voucher=number)
            if not sheets:
                abort(404, description=f"没有凭证号为 {number} 的分录。")
        else:
            sheets = self.sheets(year=self.year())
        template = self.jinja_env.get_template("VoucherPrint.html")
        html = template.render(sheets=sheets, extension=self, printed=datetime.date.today())
        return Response(html, mimetype="text/html")

    @extension_endpoint("journal")
    def journal_download(self) -> Response:
        """The 经费使用台账 of ``?year=`` as XLSX (default) or CSV (``?format=csv``)."""
        year = self.year()
        journal = build_journal(loaded_from_fava(self.ledger), year)
        name = f"{journal.studio.name or '工作室'}{year}年度经费使用台账"
        if request.args.get("format") == "csv":
            return _download(render_csv(journal).encode("utf-8"), f"{name}.csv", "text/csv; charset=utf-8")
        return _download(to_bytes(journal_workbook(journal)), f"{name}.xlsx", XLSX_TYPE)
