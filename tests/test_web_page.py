"""The 经费合规 page: its figures come from the usage report, per year and Fava filter."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from studiofund.ledger.loading import load_ledger
from studiofund.money import fmt_cn
from studiofund.reports.usage import build_report
from studiofund.web.app import build_app
from test_web_fixtures import NANSHAN_SLUG, basic, make_site

N = "/" + quote(NANSHAN_SLUG)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("page"))


@pytest.fixture(scope="module")
def client(site):
    return build_app([site.nanshan, site.futian], site.users, load=True).test_client()


def page(client, query="", who="city-auditor"):
    r = client.get(N + "/extension/Compliance/" + query, headers=basic(who))
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    return r.get_data(as_text=True)


def test_page_shows_the_usage_report_figures(client, site):
    html = page(client)
    report = build_report(load_ledger(site.nanshan), 2020)
    assert "2020 年度经费合规" in html
    for amount in (report.income_total, report.spending_total, report.closing_balance):
        assert fmt_cn(amount) in html
    assert "0.75 : 1" in html and "配套不足" in html  # 30,000 district against 40,000 city
    row = re.search(r'<tr data-account="Expenses:Materials">(.*?)</tr>', html, re.S).group(1)
    assert "3,000.00" in row and "4,040.00" in row and "134.7%" in row and "超预算" in row


def test_budget_chart_is_svg_with_data(client):
    html = page(client)
    svg = re.search(r'<svg class="sf-budget-chart".*?</svg>', html, re.S).group(0)
    bars = re.findall(r'class="sf-bar-actual"[^>]*data-actual="([\d.]+)"', svg)
    assert sorted(bars) == sorted(["12500.00", "4040.00", "4000.00", "2800.00"])
    assert "#d92d20" in svg  # the over-budget category is drawn red


def test_fava_chart_component_gets_monthly_data(client):
    import json

    html = page(client)
    raw = re.search(r'<svelte-component type="charts"><script type="application/json">(.*?)</script>',
                    html, re.S).group(1)
    charts = json.loads(raw)
    monthly = charts[0]
    assert monthly["type"] == "bar" and len(monthly["data"]) == 12
    may = monthly["data"][4]
    assert may["date"].startswith("2020-05") and may["balance"]["CNY"] == 4040
    assert charts[1]["type"] == "hierarchy"


def test_findings_grouped_with_links_to_entries(client, site):
    from fava.beans.funcs import hash_entry

    html = page(client)
    groups = re.findall(r'data-rule="([a-z-]+)" data-severity="(error|review)"', html)
    assert ("three-public", "error") in groups and ("over-budget", "review") in groups
    assert groups.index(("three-public", "error")) < groups.index(("over-budget", "review"))
    loaded = load_ledger(site.nanshan)
    banquet = next(e for e in loaded.entries if getattr(e, "meta", {}).get("voucher") == "2020-004")
    # auditors: the entry in Fava's journal, filtered to its voucher; no editor, no source slice
    assert "在日记账中查看" in html and "journal/?filter=voucher" in html and "%5E2020%5C-004$%22" in html
    assert "在编辑器中打开" not in html and "#context-" not in html
    # officers: also Fava's entry context (with its editable source) and the editor at the line
    officer = page(client, who="nanshan-officer")
    assert f'href="#context-{hash_entry(banquet)}"' in officer
    assert "在编辑器中打开" in officer and "editor/?file_path=" in officer


def test_other_year_via_fava_time_filter(client):
    html = page(client, "?time=2021")
    assert "2021 年度经费合规" in html
    assert 'data-rule="three-public"' not in html
    assert 'class="sf-on">2021<' in html


def test_account_filter_narrows_the_page(client):
    html = page(client, "?account=Expenses:Materials")
    assert "已按 Fava 筛选条件过滤" in html
    materials = re.search(r'<tr data-account="Expenses:Materials">(.*?)</tr>', html, re.S).group(1)
    assert "4,040.00" in materials
    # research keeps its budget (budgets are not filtered) but none of its spending
    research = re.search(r'<tr data-account="Expenses:Research">(.*?)</tr>', html, re.S).group(1)
    assert "20,000.00" in research and "12,500.00" not in research
    assert "三公经费" not in html  # the banquet does not touch Expenses:Materials


def test_claw_back_and_seal_status(tmp_path):
    site = make_site(tmp_path)
    with open(site.nanshan, "a", encoding="utf-8") as f:
        f.write('\n2021-01-10 custom "studio-sealed" 2020 "sha256:0123456789abcdef0123456789abcdef"\n'
                '\n2021-02-01 custom "studio-disqualified" "第二次考核不合格"\n')
    client = build_app([site.nanshan], site.users, load=True).test_client()
    html = page(client, "?time=2020")
    assert 'data-status="disqualified"' in html and "第二次考核不合格" in html
    assert 'data-status="sealed"' in html and "2020 年度已封存" in html
    html = page(client, "?time=2021")
    assert 'data-status="open"' in html


def test_assessment_status(tmp_path):
    """The studio's standing after its assessments: a yellow card, then cancellation."""
    site = make_site(tmp_path)

    def badge_after(assessment: str, year: str) -> re.Match:
        """The assessment badge of ``year``'s page, served afresh after ``assessment`` is appended."""
        with open(site.nanshan, "a", encoding="utf-8") as f:
            f.write(assessment)
        client = build_app([site.nanshan], site.users, load=True).test_client()
        return re.search(r'<span class="sf-badge (\S+)" data-status="assessment"[^>]*>(.*?)</span>',
                         page(client, f"?time={year}"), re.S)

    badge = badge_after('\n2021-01-15 custom "assessment" 2020 "不合格"\n', "2020")
    assert badge.group(1) == "sf-note" and "黄牌警告" in badge.group(2)
    assert "2020 年度考核：不合格（黄牌警告）" in badge.group(2)
    badge = badge_after('\n2022-01-15 custom "assessment" 2021 "不合格"\n', "2021")
    assert badge.group(1) == "sf-alert" and "<b>取消资格</b>" in badge.group(2)


def test_whoami_endpoint(client):
    r = client.get(N + "/extension/Compliance/whoami", headers=basic("nanshan-auditor"))
    assert r.get_json() == {"name": "nanshan-auditor", "role": "auditor",
                            "role_label": "审计人员（只读）", "login": True}


def test_ledger_without_studio_declaration_still_renders(tmp_path):
    path = tmp_path / "plain.beancount"
    path.write_text('option "title" "无声明账簿"\nplugin "studiofund.plugin"\n'
                    '2020-01-01 custom "fava-extension" "studiofund.web.fava_extension"\n'
                    '2020-01-01 open Assets:Bank:Dedicated CNY\n', encoding="utf-8")
    client = build_app([path], None).test_client()
    r = client.get("/" + quote("无声明账簿") + "/extension/Compliance/")
    assert r.status_code == 200
    assert "缺少工作室声明" in r.get_data(as_text=True)
