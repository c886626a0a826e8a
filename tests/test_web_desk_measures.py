"""The 记账 desk over HTTP: 学时/职称 on a lecture fee, 人数/天数 on a meeting or training, the
over-standard finding in the preview before booking, and the officer's words (no account names,
metadata keys or CNY in what the desk shows)."""

from __future__ import annotations

import base64
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from studiofund.web.app import build_app
from studiofund.web.fava_extension.booking import officer_words
from pendingtext import pending
from test_web_booking import BOOK, N, OFFICER, PREVIEW, post
from test_web_fixtures import make_site

DESK = N + "/extension/Booking/"
#: what an officer must never read at the desk: the ledger's syntax
SYNTAX = re.compile(r"(?:Assets|Liabilities|Equity|Income|Expenses):|\d CNY\b|\b(?:hours|title|persons|days|voucher|"
                    r"invoice|approver|reviewer|payee-id|tax-withheld|asset-id|corrects|bank-ref):")

LECTURE = {"date": "2020-12-08", "payee": "陈志远", "narration": "班主任专业成长专题讲座讲课费",
           "account": "外聘专家讲课费", "amount": "1850.50", "payee-id": "440305197502183516", "tax": "auto",
           "approver": "李梅", "reviewer": "张校长"}
MEETING = {"date": "2020-12-09", "payee": "深圳南山会议中心", "narration": "班主任专题培训会会务费",
           "account": "会务费", "amount": "5400.00", "invoice": ["24442000000000002222"],
           "approver": "李梅", "reviewer": "张校长"}


@pytest.fixture
def site(tmp_path):
    return make_site(tmp_path)


@pytest.fixture
def client(site):
    return build_app([site.nanshan], site.users, secret=b"test-secret", load=True).test_client()


def entry(path: Path, voucher: str):
    entries, _, _ = loader.load_file(str(path))
    [found] = [e for e in entries if isinstance(e, data.Transaction) and e.meta.get("voucher") == voucher]
    return found


def test_the_form_offers_hours_title_persons_and_days_where_they_matter(client):
    html = client.get(DESK, headers=OFFICER).get_data(as_text=True)
    for field in ('name="hours"', 'name="title"', 'name="persons"', 'name="days"', 'id="sfd-einvoice"'):
        assert field in html, field
    for title in ("中级", "副高", "正高", "院士"):
        assert f'<option value="{title}">' in html
    assert "税后每学时不超过 500 元" in html  # 副高's cap, from the policy
    lecture = re.search(r'<option value="Expenses:LecturerFees"[^>]*>', html).group(0)
    assert 'data-lecture="1"' in lecture and 'data-daily="0"' in lecture
    meeting = re.search(r'<option value="Expenses:Conference"[^>]*>', html).group(0)
    assert 'data-lecture="0"' in meeting and 'data-daily="1"' in meeting
    books = re.search(r'<option value="Expenses:Materials"[^>]*>', html).group(0)
    assert 'data-lecture="0"' in books and 'data-daily="0"' in books
    form = client.get(DESK + "form", headers=OFFICER).get_json()
    assert [t["title"] for t in form["titles"]] == ["中级", "副高", "正高", "院士"]


def test_the_preview_shows_the_over_standard_finding_before_booking(client, site):
    before = site.nanshan.read_bytes()
    # 1,850.50 − 210.10 tax = 1,640.40 after tax; over 2 hours 820.20 an hour > 副高's 500
    answer = post(client, PREVIEW, {**LECTURE, "hours": "2", "title": "副高"}).get_json()
    assert answer["tax"]["withheld"] == "210.10" and answer["tax"]["net"] == "1640.40"
    assert answer["blocked"] is True
    [finding] = [f for f in answer["findings"] if f["rule"] == "over-standard"]
    assert finding["severity"] == "error" and "每学时 820.20 元" in finding["message"]
    assert finding["advice"] and not SYNTAX.search(finding["shown"])
    assert "超过开支标准" in finding["shown"]  # the rule by its Chinese label, not its id
    assert finding["message"].startswith("【违规·over-standard】")  # record's own message, for scripts
    # the true figure: 4 hours, 410.10 an hour
    answer = post(client, PREVIEW, {**LECTURE, "hours": "4", "title": "副高"}).get_json()
    assert answer["blocked"] is False and answer["findings"] == []
    assert site.nanshan.read_bytes() == before


def test_book_refuses_a_fee_above_the_cap_and_writes_one_within_it(client, site):
    before = site.nanshan.read_bytes()
    r = post(client, BOOK, {**LECTURE, "hours": "2", "title": "副高"})
    assert r.status_code == 422
    answer = r.get_json()
    assert answer["written"] is False and [f["rule"] for f in answer["findings"]] == ["over-standard"]
    assert not SYNTAX.search(answer["findings"][0]["shown"])
    assert site.nanshan.read_bytes() == before
    r = post(client, BOOK, {**LECTURE, "hours": "4", "title": "高级教师"})
    assert r.status_code == 200, r.get_data(as_text=True)
    booked = entry(site.nanshan, r.get_json()["voucher"])
    assert booked.meta["hours"] == Decimal(4) and booked.meta["title"] == "副高"
    assert booked.meta["tax-withheld"] == Decimal("210.10")


def test_a_lecture_fee_without_hours_is_written_with_a_review(client, site):
    r = post(client, BOOK, {**LECTURE, "title": "副高"})
    assert r.status_code == 200
    [finding] = r.get_json()["findings"]
    assert finding["rule"] == "over-standard" and finding["severity"] == "review"
    assert "学时" in finding["shown"] and not SYNTAX.search(finding["shown"])


def test_persons_and_days_are_booked_and_measured(client, site):
    r = post(client, BOOK, {**MEETING, "persons": "30", "days": "2"})  # 90 a person-day
    assert r.status_code == 200, r.get_data(as_text=True)
    booked = entry(site.nanshan, r.get_json()["voucher"])
    assert booked.meta["persons"] == Decimal(30) and booked.meta["days"] == Decimal(2)
    before = site.nanshan.read_bytes()
    r = post(client, BOOK, {**MEETING, "invoice": ["24442000000000003333"], "amount": "1000.00", "persons": "1",
                            "days": "1"})
    assert r.status_code == 422  # 1,000 a person-day > 550 (and within the year's budget)
    assert [f["rule"] for f in r.get_json()["findings"]] == ["over-standard"]
    assert site.nanshan.read_bytes() == before


@pytest.mark.parametrize("extra, words", [
    ({"hours": "两"}, "学时“两”不是数字"),
    ({"hours": "0"}, "学时应大于 0"),
    ({"title": "特级校长"}, "职称“特级校长”不在本项目的讲课费标准之列"),
])
def test_bad_measures_are_a_clear_400(client, site, extra, words):
    before = site.nanshan.read_bytes()
    for url in (PREVIEW, BOOK):
        r = post(client, url, {**LECTURE, **extra})
        assert r.status_code == 400 and words in r.get_json()["error"]
    assert site.nanshan.read_bytes() == before


def test_persons_without_days_on_a_meeting_is_a_clear_400(client):
    r = post(client, BOOK, {**MEETING, "persons": "30"})
    assert r.status_code == 400 and "请同时填写人数和天数" in r.get_json()["error"]


def test_the_desk_speaks_without_the_ledgers_syntax(client):
    # a category Shenzhen does not permit: the rule's message names accounts; the desk shows labels
    answer = post(client, PREVIEW, {**MEETING, "account": "Travel"}).get_json()
    [finding] = answer["findings"]
    assert finding["rule"] == "category-not-permitted"
    assert not SYNTAX.search(finding["shown"]), finding["shown"]
    assert "差旅费" in finding["shown"] and "会务费" in finding["shown"] and "元" in finding["shown"]
    assert "Expenses:Travel" in finding["message"]  # record's message is unchanged


def test_officer_words():
    from studiofund.policy import load_program

    policy = load_program("shenzhen-district")
    text = ("【违规·category-not-permitted】科目 Expenses:Travel（差旅费）不在范围内（金额 40.00 CNY）；请改记到"
            "教育研究（Expenses:Research）。请补记学时 hours:和职称 title:；请将 title: 写为正高；请填写收款方（--payee）。")
    shown = officer_words(text, policy, "category-not-permitted")
    assert shown == ("【违规·超出开支范围】科目 差旅费不在范围内（金额 40.00 元）；请改记到教育研究。"
                     "请补记学时和职称；请将 职称写为正高；请填写收款方。")
    assert officer_words("办公设备购置（Expenses:Equipment）3500.00 CNY达到固定资产标准（1000.00 CNY）。请补记 "
                         'asset-id: "资产编号"。', policy) == "办公设备购置3500.00 元达到固定资产标准（1000.00 元）。请补记 资产编号。"
    assert officer_words('已在 2020-05-10 报销过（凭证 2020-003，/srv/x/nanshan.beancount:74）：同一张发票', policy) == \
        "已在 2020-05-10 报销过（凭证 2020-003）：同一张发票"
    assert officer_words('已用于 2020-05-10 的另一笔业务（/srv/x/2020.beancount:12）。请核对', policy) == \
        "已用于 2020-05-10 的另一笔业务。请核对"
    assert officer_words('请调整年度预算（custom "budget"）并报批；已获批准的，由审核人加 reviewed: "批准文号"。',
                         policy) == "请调整年度预算并报批；已获批准的，由审核人加 复核意见“批准文号”。"


def test_an_einvoice_preview_fills_the_form(client, tmp_path):
    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "einvoice"))
    try:
        import make_fixtures as mf
    finally:
        sys.path.pop(0)
    xml = mf.einvoice_xml(number="24442000000000004444", issued="2020-12-10",
                          seller=("深圳书城南山城", mf.uscc("91440300MA5G7BK2X")),
                          buyer=("南山区实验学校", mf.uscc("12440305MB2C6171Q")),
                          items=[{"name": "*图书*班主任工作漫谈", "unit": "本", "quantity": "20", "unit_price": "38",
                                  "amount": Decimal("672.57"), "rate": "0.13", "tax": Decimal("87.43"),
                                  "code": "1060101010000000000"}])
    body = {"date": "2020-12-10", "narration": "购买班主任工作类图书", "account": "图书资料购置",
            "approver": "李梅", "reviewer": "张校长",
            "einvoice": {"name": "发票.xml", "content": base64.b64encode(xml.encode()).decode()}}
    answer = post(client, PREVIEW, body).get_json()
    assert answer["einvoice"] == {"date": "2020-12-10", "payee": "深圳书城南山城", "amount": "760.00",
                                  "invoice": ["24442000000000004444"]}
    assert answer["blocked"] is False, answer["findings"]
    assert json.dumps(answer["lines"], ensure_ascii=False).count("760.00") == 2


PENDING_LECTURE = "\n" + pending("2020-12-11", "陈志远", "转账支出；讲课费", "SZ20201211000999", "1640.40")


def test_completing_a_pending_lecture_fee_carries_hours_and_title(client, site):
    with open(site.nanshan, "a", encoding="utf-8") as handle:
        handle.write(PENDING_LECTURE)
    client.get(DESK, headers=OFFICER)  # Fava notices the change
    body = {"complete": "SZ20201211000999", "account": "外聘专家讲课费", "payee-id": "440305197502183516",
            "tax": "auto", "approver": "李梅", "reviewer": "张校长", "hours": "2", "title": "副高"}
    # the bank paid 1,640.40 net: 1,850.50 gross; over 2 学时 that is 820.20 an hour after tax
    answer = post(client, PREVIEW, body).get_json()
    assert answer["blocked"] is True and [f["rule"] for f in answer["findings"]] == ["over-standard"]
    assert answer["tax"]["withheld"] == "210.10"
    r = post(client, BOOK, {**body, "hours": "4"})
    assert r.status_code == 200 and r.get_json()["flag"] == "*", r.get_data(as_text=True)
    [booked] = [e for e in loader.load_file(str(site.nanshan))[0]
                if isinstance(e, data.Transaction) and e.meta.get("bank-ref") == "SZ20201211000999"]
    assert booked.flag == "*" and booked.meta["hours"] == Decimal(4) and booked.meta["title"] == "副高"
    assert booked.meta["tax-withheld"] == Decimal("210.10")
