"""记账凭证与台账 in the web: the voucher list, a printable 记账凭证 (unit, date, number, 摘要,
科目 in Chinese, amounts, 附件张数, signatures, print stylesheet), the whole year's vouchers, and
the 台账 downloaded by an auditor (read-only)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from urllib.parse import quote, unquote

import pytest
from openpyxl import load_workbook

from studiofund.reports.voucher import rmb_upper
from studiofund.web.app import build_app
from test_web_fixtures import NANSHAN_SLUG, basic, make_site
from test_web_page import client, site  # noqa: F401  (the same served site, one of this module's own)

N = "/" + quote(NANSHAN_SLUG)


def get(client, path, who="city-auditor", status=200):
    r = client.get(N + path, headers=basic(who))
    assert r.status_code == status, r.get_data(as_text=True)[:1000]
    return r


def test_the_page_lists_the_years_vouchers_with_links(client):
    html = get(client, "/extension/Vouchers/?year=2020").get_data(as_text=True)
    assert "2020 年度记账凭证与经费使用台账" in html
    assert re.findall(r'<tr data-voucher="([^"]+)"', html)[:4] == ["2020-001", "2020-002", "2020-003", "2020-004"]
    assert "extension/Vouchers/print?voucher=2020-003" in html
    assert "extension/Vouchers/journal?year=2020" in html and "format=csv" in html


def test_a_printable_voucher(client):
    html = get(client, "/extension/Vouchers/print?voucher=2020-003").get_data(as_text=True)
    assert html.lstrip().startswith("<!doctype html>")  # a document of its own, not inside Fava
    section = re.search(r'<section class="voucher" data-voucher="2020-003">(.*?)</section>', html, re.S).group(1)
    assert "记账凭证" in section and "凭证号：2020-003" in section
    assert "2020 年 5 月 10 日" in section
    assert "单位：" in section and "承担单位：" in section
    assert "购买班主任工作图书资料" in section  # 摘要
    # 科目 with their Chinese names: the expense debited, the dedicated account credited
    rows = re.findall(r"<tr>\s*<td>.*?</td>\s*<td>(.*?)<br><span class=\"code\">(.*?)</span></td>\s*"
                      r"<td class=\"num\">(.*?)</td>\s*<td class=\"num\">(.*?)</td>", section, re.S)
    assert [(label, code, debit, credit) for label, code, debit, credit in rows] == [
        ("图书资料购置", "Expenses:Materials", "4,040.00", ""),
        ("专户", "Assets:Bank:Dedicated", "", "4,040.00"),
    ]
    assert "肆仟零肆拾元整" in section and "¥4,040.00" in section
    assert "附件 1 张" in section  # one invoice, no scan linked
    assert "主持人：李梅" in section and "审核：张校长" in section
    assert "发票号码：044001" in section
    assert "@page { size: A5 landscape" in html and "@media print" in html


def test_a_voucher_with_a_finding_says_so(client):
    html = get(client, "/extension/Vouchers/print?voucher=2020-004").get_data(as_text=True)
    assert "检查状态：违规：" in html and "三公经费" in html


def test_the_whole_year_prints_a_page_a_voucher(client):
    html = get(client, "/extension/Vouchers/print?year=2020").get_data(as_text=True)
    numbers = re.findall(r'<section class="voucher" data-voucher="([^"]+)"', html)
    assert numbers[:3] == ["2020-001", "2020-002", "2020-003"] and len(numbers) == len(set(numbers))
    assert "page-break-after: always" in html


def test_an_unknown_voucher_is_404(client):
    get(client, "/extension/Vouchers/print?voucher=1999-999", status=404)


def test_an_auditor_exports_the_journal(client, site):
    r = get(client, "/extension/Vouchers/journal?year=2020")
    assert r.mimetype.endswith("spreadsheetml.sheet")
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and quote("经费使用台账.xlsx") in disposition
    ws = load_workbook(io.BytesIO(r.data)).active
    assert ws["A1"].value.endswith("2020年度专项经费使用台账")
    assert ws.page_setup.orientation == "landscape"
    vouchers = [ws.cell(row=row, column=2).value for row in range(4, ws.max_row + 1)]
    assert "2020-003" in vouchers
    text = get(client, "/extension/Vouchers/journal?year=2020&format=csv").data.decode("utf-8")
    assert text.startswith("\ufeff工作室,日期,凭证号")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    row = next(r for r in rows if r[2] == "2020-003")
    assert row[7] == "4040.00" and row[5] == "图书资料购置"


def test_export_is_read_only_and_scoped(client):
    # Someone of another district does not see this ledger at all.
    r = client.get(N + "/extension/Vouchers/journal?year=2020", headers=basic("futian-officer"))
    assert r.status_code in (403, 404)
    # Nothing here accepts a write.
    r = client.post(N + "/extension/Vouchers/journal?year=2020", headers=basic("city-auditor"))
    assert r.status_code in (403, 404, 405)


@pytest.mark.parametrize("amount,words", [
    ("6800", "陆仟捌佰元整"), ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("0.05", "伍分"),
    ("100000.10", "壹拾万元零壹角"), ("1005", "壹仟零伍元整"), ("10", "壹拾元整"),
    ("1000001", "壹佰万零壹元整"), ("101010.01", "壹拾万壹仟零壹拾元零壹分"), ("20000000", "贰仟万元整"),
    ("105000", "壹拾万伍仟元整"), ("0", "零元整"), ("-12.30", "负壹拾贰元叁角"),
])
def test_amount_in_capitals(amount, words):
    assert rmb_upper(Decimal(amount)) == words


def test_the_compliance_page_shows_rectified_findings_with_their_correction(tmp_path):
    """经费合规: a finding put right by a refund is 已整改, names the correcting voucher and links
    to it; it is no longer counted among the 违规."""
    site = make_site(tmp_path)
    before = build_app([site.nanshan], site.users, load=True).test_client()
    html = before.get(N + "/extension/Compliance/?time=2020", headers=basic("city-auditor")).get_data(as_text=True)
    errors_before = int(re.search(r"违规 <b>(\d+)</b>", html).group(1))
    assert "已整改 <b>" not in html
    with open(site.nanshan, "a", encoding="utf-8") as handle:
        handle.write('\n2020-07-01 * "海鲜酒楼" "退回宴请费用（整改）"\n  voucher: "2020-020"\n  corrects: "2020-004"\n'
                     "  Assets:Bank:Dedicated  2800.00 CNY\n  Expenses:Conference  -2800.00 CNY\n")
    client = build_app([site.nanshan], site.users, load=True).test_client()
    html = client.get(N + "/extension/Compliance/?time=2020", headers=basic("city-auditor")).get_data(as_text=True)
    assert int(re.search(r"违规 <b>(\d+)</b>", html).group(1)) < errors_before
    assert "已整改 <b>" in html
    group = re.search(r'<details class="sf-group" open data-rule="three-public" data-severity="rectified">(.*?)</details>',
                      html, re.S).group(1)
    assert "2020-004" in group and "整改凭证" in group and "2020-020" in group
    link = re.search(r'整改凭证 <a class="sf-link" href="([^"]+)">2020-020</a>', group)
    target = unquote(link.group(1).replace("&amp;", "&"))
    assert "/journal/" in target and r'voucher:"^(2020\-004|2020\-020)$"' in target
