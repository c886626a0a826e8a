"""The 记账 desk over HTTP (Flask's test client, behind the login middleware)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from studiofund.web.app import build_app
from test_web_fixtures import FUTIAN_SLUG, NANSHAN_SLUG, basic, make_site

N = "/" + quote(NANSHAN_SLUG)
F = "/" + quote(FUTIAN_SLUG)
BOOK = N + "/extension/Booking/book"
PREVIEW = N + "/extension/Booking/preview"
OFFICER = basic("nanshan-officer")
AUDITOR = basic("nanshan-auditor")

COMPLETE = {
    "date": "2020-12-01", "payee": "深圳书城", "narration": "购买《班主任工作漫谈》等图书",
    "account": "图书资料购置", "amount": "256.00", "invoice": ["24442000000000001111"],
    "approver": "李梅", "reviewer": "张校长",
}


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


@pytest.fixture
def client(site):
    return build_app([site.nanshan, site.futian], site.users, secret=b"test-secret", load=True).test_client()


def post(client, url, body, headers=OFFICER, **kw):
    return client.post(url, data=json.dumps(body), headers={**headers, "Content-Type": "application/json", **kw})


def test_the_desk_page_is_a_chinese_form_for_officers(client):
    r = client.get(N + "/extension/Booking/", headers=OFFICER)
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    for words in ("记账", "日期", "收款方", "摘要", "支出科目", "金额", "凭证号", "发票号码", "附件",
                  "主持人签字", "审核人签字", "身份证号", "资产编号", "图书资料购置", "待补全的分录"):
        assert words in html, words
    assert "Expenses:Travel" not in html  # only the program's categories are offered
    assert "2020-007" not in html  # the proposed voucher is of this year (the test ledger's is 2020)


def test_the_auditor_sees_no_form_and_cannot_post(client, site):
    html = client.get(N + "/extension/Booking/", headers=AUDITOR).get_data(as_text=True)
    assert "只读" in html and 'id="sfd-form"' not in html
    before = site.nanshan.read_bytes()
    for url in (BOOK, PREVIEW):
        assert post(client, url, COMPLETE, headers=AUDITOR).status_code == 403
    assert site.nanshan.read_bytes() == before


def test_preview_shows_a_missing_signature_and_blocks(client, site):
    before = site.nanshan.read_bytes()
    body = {k: v for k, v in COMPLETE.items() if k not in ("approver", "reviewer")}
    r = post(client, PREVIEW, body)
    assert r.status_code == 200
    data = r.get_json()
    assert data["blocked"] is True and data["voucher"] == "2020-007"
    signoff = [f for f in data["findings"] if f["rule"] == "missing-signoff"]
    assert signoff and signoff[0]["severity"] == "error" and "签字" in signoff[0]["advice"]
    assert [line["side"] for line in data["lines"]] == ["借", "贷"]
    assert data["lines"][0]["label"] == "图书资料购置"
    # a preview writes nothing, and findings the ledger already had are not shown
    assert site.nanshan.read_bytes() == before
    assert not any(f["rule"] == "three-public" for f in data["findings"])


def test_preview_of_a_complete_payment_is_clean(client):
    data = post(client, PREVIEW, COMPLETE).get_json()
    assert data["blocked"] is False and data["findings"] == []


def test_preview_of_a_lecture_fee_computes_the_tax(client):
    body = {**COMPLETE, "account": "LecturerFees", "payee": "陈教授", "narration": "专家讲座课酬",
            "amount": "5000.00", "payee-id": "4403**********5678", "tax": "auto", "invoice": []}
    data = post(client, PREVIEW, body).get_json()
    assert data["tax"]["withheld"] == "800.00" and data["tax"]["net"] == "4200.00"
    assert [(l["side"], l["label"], l["amount"]) for l in data["lines"]] == [
        ("借", "外聘专家讲课费", "5000.00"), ("贷", "应交个人所得税", "800.00"), ("贷", "专户", "4200.00")]
    assert data["blocked"] is False, data["findings"]


def test_book_writes_a_complete_payment_with_its_scan(client, site):
    scan = b"%PDF-1.4 invoice scan"
    body = {**COMPLETE, "attach": [{"name": "发票.pdf", "content": base64.b64encode(scan).decode()}]}
    r = post(client, BOOK, body)
    assert r.status_code == 200, r.get_data(as_text=True)
    data = r.get_json()
    assert data["written"] is True and data["voucher"] == "2020-007" and data["findings"] == []
    assert set(data) >= {"written", "voucher", "filename", "lineno", "entry", "findings"}
    assert data["filename"] == "nanshan.beancount"
    kept = site.nanshan.parent / "nanshan.documents" / "Expenses" / "Materials" / "2020-12-01.2020-007.pdf"
    assert kept.read_bytes() == scan
    text = site.nanshan.read_text(encoding="utf-8")
    assert 'voucher: "2020-007"' in text and 'document: "2020-12-01.2020-007.pdf"' in text
    # the auditor sees it on the entry at once (Fava reloads the changed file) and opens the scan
    client.get(N + "/income_statement/", headers=AUDITOR)  # any page: Fava notices the change
    journal = json.dumps(client.get(N + "/api/journal", headers=AUDITOR).get_json(), ensure_ascii=False)
    assert "深圳书城" in journal and "2020-12-01.2020-007.pdf" in journal
    r = client.get(N + "/document/", query_string={"filename": str(kept)}, headers=AUDITOR)
    assert r.status_code == 200 and r.data == scan


def test_book_refuses_with_422_and_writes_nothing(client, site):
    before = site.nanshan.read_bytes()
    body = {**COMPLETE, "account": "Travel"}  # not permitted in Shenzhen, never opened
    r = post(client, BOOK, body)
    assert r.status_code == 422
    data = r.get_json()
    assert data["written"] is False and data["findings"][0]["rule"] == "category-not-permitted"
    body = {k: v for k, v in COMPLETE.items() if k != "reviewer"}
    r = post(client, BOOK, body)
    assert r.status_code == 422 and any(f["rule"] == "missing-signoff" for f in r.get_json()["findings"])
    assert site.nanshan.read_bytes() == before
    assert not list((site.nanshan.parent / "nanshan.documents").rglob("*.pdf"))


@pytest.mark.parametrize("body, status, words", [
    ({**COMPLETE, "amount": "12.345"}, 400, "两位小数"),
    ({**COMPLETE, "date": "2020/12/01"}, 400, "YYYY-MM-DD"),
    ({**COMPLETE, "account": "吃饭"}, 400, "不是任何经费项目的支出科目"),
    ({**COMPLETE, "invoice": "2444"}, 200, ""),  # one number as a string is accepted
    ({**COMPLETE, "surprise": 1}, 400, "未知的字段"),
    ({**COMPLETE, "complete": "2020-001"}, 400, "待补全"),  # 2020-001 is booked, not pending
    ({**COMPLETE, "attach": [{"name": "a.pdf", "content": "not base64!"}]}, 400, "base64"),
    ({**COMPLETE, "attach": [{"name": "a.exe", "content": "TVo="}]}, 400, "类型不受支持"),
])
def test_bad_bodies_are_answered_in_chinese(client, site, body, status, words):
    r = post(client, BOOK, {**body, "dry-run": True})
    assert r.status_code == status, r.get_data(as_text=True)
    if words:
        assert words in r.get_json()["error"]


def test_json_bodies_only_and_same_origin_only(client, site):
    before = site.nanshan.read_bytes()
    r = client.post(BOOK, data={"date": "2020-12-01"}, headers=OFFICER)
    assert r.status_code == 415 and "JSON" in r.get_json()["error"]
    r = post(client, BOOK, COMPLETE, Origin="https://evil.example")
    assert r.status_code == 403
    r = post(client, BOOK, COMPLETE, Origin="null")
    assert r.status_code == 403
    assert site.nanshan.read_bytes() == before
    r = post(client, BOOK, COMPLETE, Origin="http://localhost")  # the test client's own host
    assert r.status_code == 200


def test_an_officer_cannot_book_in_another_district(client, site):
    before = site.futian.read_bytes()
    r = post(client, F + "/extension/Booking/book", COMPLETE)
    assert r.status_code == 404
    assert site.futian.read_bytes() == before


def test_pending_entries_are_listed(client, site):
    with open(site.nanshan, "a", encoding="utf-8") as handle:
        handle.write('\n2020-12-05 ! "某某公司" "银行流水：服务费"\n  bank-ref: "B20201205001"\n'
                     '  Assets:Bank:Dedicated  -180.00 CNY\n  Expenses:Research  180.00 CNY\n')
    data = client.get(N + "/extension/Booking/pending", headers=AUDITOR).get_json()
    item = next(p for p in data["pending"] if p["bank_ref"] == "B20201205001")
    assert item["amount"] == "180.00" and item["voucher"] is None
    assert "凭证号" in item["missing"] and "发票号码" in item["missing"]
    html = client.get(N + "/extension/Booking/", headers=OFFICER).get_data(as_text=True)
    assert "B20201205001" in html
