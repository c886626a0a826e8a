"""The 记账 desk's 补全 and 冲销/整改 over HTTP: a pending entry completed from the desk, a booked
voucher corrected (refund, transfer, reverse-and-rebook), officers only, same origin only."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from beancount import loader
from beancount.core import data

from studiofund.web.app import build_app
from pendingtext import pending
from test_web_fixtures import NANSHAN_SLUG, basic, make_site

N = "/" + quote(NANSHAN_SLUG)
DESK = N + "/extension/Booking/"
OFFICER = basic("nanshan-officer")
AUDITOR = basic("nanshan-auditor")

PENDING = "\n" + pending("2020-12-10", "深圳书城南山城", "转账支出；购书", "SZ20201210000777", "256.00")


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path)
    with open(site.nanshan, "a", encoding="utf-8") as handle:
        handle.write(PENDING)
    return site


@pytest.fixture
def client(site):
    return build_app([site.nanshan], site.users, secret=b"test-secret", load=True).test_client()


def post(client, endpoint, body, headers=OFFICER, **kw):
    return client.post(DESK + endpoint, data=json.dumps(body),
                       headers={**headers, "Content-Type": "application/json", **kw})


def entry_with(path, key, value):
    entries, errors, _ = loader.load_file(str(path))
    assert not [e for e in errors if type(e).__name__ != "Finding"]
    return [e for e in entries if isinstance(e, data.Transaction) and e.meta.get(key) == value]


def test_the_desk_offers_to_complete_pending_entries_and_to_correct_violations(client):
    html = client.get(DESK, headers=OFFICER).get_data(as_text=True)
    assert 'class="sfd-complete"' in html and 'data-ref="SZ20201210000777"' in html and 'data-amount="256.00"' in html
    assert "冲销 / 整改" in html and 'id="sfd-correct-form"' in html
    assert 'data-voucher="2020-004"' in html  # the banquet: an open violation to put right
    auditor = client.get(DESK, headers=AUDITOR).get_data(as_text=True)
    assert 'class="sfd-complete"' not in auditor and 'id="sfd-correct-form"' not in auditor


def test_complete_from_the_desk(client, site):
    body = {"complete": "SZ20201210000777", "account": "图书资料购置", "invoice": ["24442000000000007777"],
            "approver": "李梅", "reviewer": "张校长"}
    preview = post(client, "preview", body)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    data_ = preview.get_json()
    assert data_["blocked"] is False and data_["findings"] == []
    assert data_["lines"][0] == {"side": "借", "label": "图书资料购置", "amount": "256.00"}
    r = post(client, "book", body)
    assert r.status_code == 200, r.get_data(as_text=True)
    answer = r.get_json()
    assert answer["written"] is True and answer["flag"] == "*" and answer["complete"] == "SZ20201210000777"
    [entry] = entry_with(site.nanshan, "bank-ref", "SZ20201210000777")
    assert entry.flag == "*" and entry.meta["voucher"] == answer["voucher"]
    assert {p.account for p in entry.postings} == {"Assets:Bank:Dedicated", "Expenses:Materials"}


def test_an_incomplete_completion_is_saved_as_pending(client, site):
    r = post(client, "book", {"complete": "SZ20201210000777", "account": "图书资料购置"})
    assert r.status_code == 200
    answer = r.get_json()
    assert answer["written"] is True and answer["flag"] == "!"
    assert any(f["rule"] == "missing-invoice" for f in answer["findings"])
    [entry] = entry_with(site.nanshan, "bank-ref", "SZ20201210000777")
    assert entry.flag == "!" and entry.meta["voucher"] == answer["voucher"]


def test_correct_from_the_desk_rectifies_the_banquet(client, site):
    r = post(client, "correct", {"corrects": "2020-004", "how": "refund", "date": "2020-12-20"})
    assert r.status_code == 200, r.get_data(as_text=True)
    answer = r.get_json()
    assert answer["written"] is True and answer["corrects"] == "2020-004" and answer["rebook"] is None
    assert {f["rule"]: f["status"] for f in answer["corrected"]}["three-public"] == "rectified"
    [refund] = entry_with(site.nanshan, "corrects", "2020-004")
    assert refund.meta["voucher"] == answer["voucher"] and refund.meta["correction"] == "refund"


def test_reverse_from_the_desk_returns_the_form_to_rebook(client, site):
    r = post(client, "correct", {"corrects": "2020-005", "how": "reverse", "date": "2020-12-20"})
    assert r.status_code == 200, r.get_data(as_text=True)
    rebook = r.get_json()["rebook"]
    assert rebook["corrects"] == "2020-005" and rebook["account"] == "Expenses:Research"
    assert rebook["amount"] == "12500.00" and rebook["narration"] == "课题研究调研"
    # the re-booking is an ordinary booking with `corrects` (the reversal released the invoice)
    body = {"date": "2020-12-20", "payee": "课题组", "narration": "课题研究调研（重新入账）", "account": "教育研究",
            "amount": "12500.00", "invoice": ["044003"], "approver": "李梅", "reviewer": "张校长",
            "corrects": "2020-005", "dry-run": True}
    fresh = build_app([site.nanshan], site.users, secret=b"test-secret", load=True).test_client()
    r = post(fresh, "book", body)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert 'corrects: "2020-005"' in r.get_json()["entry"]
    assert not [f for f in r.get_json()["findings"] if f["severity"] == "error"]


def test_correct_is_for_officers_from_this_site_only(client, site):
    before = site.nanshan.read_bytes()
    body = {"corrects": "2020-004", "how": "refund", "date": "2020-12-20"}
    assert post(client, "correct", body, headers=AUDITOR).status_code == 403
    assert post(client, "correct", body, Origin="https://evil.example").status_code == 403
    r = post(client, "correct", {**body, "surprise": 1})
    assert r.status_code == 400 and "未知的字段" in r.get_json()["error"]
    r = post(client, "correct", {**body, "how": "delete"})
    assert r.status_code == 400 and "整改方式" in r.get_json()["error"]
    assert site.nanshan.read_bytes() == before
