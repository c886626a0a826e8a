"""全区汇总 and serving many ledgers: the overview's JSON is the consolidation of the user's scope,
nothing of another district leaks, ledgers load on demand into a bounded set, changes show
without a restart."""

from __future__ import annotations

import io
import json
import shutil
from urllib.parse import quote

import pytest
from ledgertext import grant, txn
from openpyxl import load_workbook

from studiofund.reports.consolidate import consolidate
from studiofund.web.app import build_app
from studiofund.web.scope import LedgerRegistry, read_declaration
from test_web_fixtures import FUTIAN_SLUG, NANSHAN_SLUG, _init, basic, make_site

EXTRA_BODY = "\n" + grant("2020-03-02", "40000.00", payer="深圳市教育局", narration="市级拨款", voucher="2020-001") + txn(
    "2020-07-02", "书店", "图书", "Expenses:Materials", "500.00", voucher="2020-002", invoice="044001",
    approver="主持人", reviewer="校长")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("overview"))
    # a second 南山区 studio (sharing an invoice number with the first) and a seal
    second = site.nanshan.parent / "nanshan2.beancount"
    _init(second, "南山区王芳名班主任工作室", "南山区", EXTRA_BODY + '2021-01-10 custom "studio-sealed" 2020 "sha256:x"\n')
    site.second = second
    return site


@pytest.fixture(scope="module")
def app(site, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    app = build_app([site.nanshan, site.futian, site.second], site.users, secret=b"test", cache_directory=cache)
    yield app
    app.config["STUDIOFUND_OVERVIEW"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def overview_json(client, user, year=2020):
    r = client.get(f"/overview.json?year={year}", headers=basic(user))
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def served(paths, year=2020) -> dict:
    """``consolidate``'s JSON as the server computes it: the server loads ledgers confined to
    their directories (docs/web.md), so 南山区's ``document "../secret.txt"`` line is refused
    there and counted as one more load error."""
    expected = consolidate(paths, year, use_cache=False).to_json()
    for studio in expected["studios"]:
        if studio["studio"]["name"] == "南山区李梅名班主任工作室":
            studio["load_errors"] += 1
    return expected


def test_overview_json_is_the_consolidation_of_the_users_scope(client, site):
    everything = [site.nanshan.resolve(), site.futian.resolve(), site.second.resolve()]
    assert overview_json(client, "city-auditor") == served(everything)
    nanshan = overview_json(client, "nanshan-auditor")
    assert nanshan == served([everything[0], everything[2]])
    # not a row, a total or an invoice of another district
    assert "福田" not in json.dumps(nanshan, ensure_ascii=False)
    assert set(nanshan["totals"]["by_district"]) == {"南山区"}
    assert [d["invoice"] for d in nanshan["duplicate_invoices"]] == ["044001"]
    futian = overview_json(client, "futian-officer")
    assert [s["studio"]["district"] for s in futian["studios"]] == ["福田区"]
    assert futian["duplicate_invoices"] == []
    # the studios' standing rides along
    sealed = {s["studio"]["name"]: s["status"]["sealed"] for s in nanshan["studios"]}
    assert sealed == {"南山区李梅名班主任工作室": False, "南山区王芳名班主任工作室": True}


def test_overview_needs_login(client):
    assert client.get("/overview.json").status_code == 401
    r = client.get("/", headers={"Accept": "text/html"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_overview_page(client, app):
    loads = app.config["STUDIOFUND_REGISTRY"].loads
    r = client.get("/?year=2020", headers={**basic("city-auditor"), "Accept": "text/html"})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "2020年度名师工作室专项经费 · 全区汇总" in page
    for header in ("上年结余", "本年收入", "本年支出", "执行率", "年末结余", "违规（未整改）", "已整改", "考核", "封存"):
        assert f">{header}</th>" in page
    assert page.count("<tr data-district=") == 3
    assert f'href="/{quote(NANSHAN_SLUG)}/extension/Compliance/?time=2020"' in page
    assert "按区（县）合计" in page and "按项目合计" in page
    assert "深圳市名班主任工作室（区属学校）" in page  # programs by their Chinese names
    assert '<option value="2020" selected>' in page
    assert "已封存" in page and "下载 Excel" in page
    # served from the consolidation cache: no ledger was loaded into Fava for it
    assert app.config["STUDIOFUND_REGISTRY"].loads == loads
    r = client.get("/?year=20x0", headers=basic("city-auditor"))
    assert r.status_code == 400 and "年度应为四位数字" in r.get_json()["error"]


def test_overview_page_of_a_district_auditor_shows_only_its_studios(client):
    page = client.get("/?year=2020", headers={**basic("nanshan-auditor"), "Accept": "text/html"}).get_data(as_text=True)
    assert page.count("<tr data-district=") == 2
    assert "福田" not in page


def test_one_ledger_users_land_on_its_compliance_page(client):
    r = client.get("/", headers=basic("futian-officer"))
    assert r.status_code == 302
    assert r.headers["Location"].endswith("/extension/Compliance/")
    assert client.get(r.headers["Location"], headers=basic("futian-officer")).status_code == 200


def test_excel_download_of_the_same_table(client):
    r = client.get("/overview.xlsx?year=2020", headers=basic("nanshan-auditor"))
    assert r.status_code == 200
    assert "attachment" in r.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames[0] == "全区汇总" and "汇总" in wb.sheetnames
    ws = wb["全区汇总"]
    assert [c.value for c in ws[3]][:4] == ["工作室", "所属区（县）", "项目", "上年结余"]
    names = sorted(ws.cell(row=r, column=1).value for r in range(4, ws.max_row + 1))
    assert names == ["南山区李梅名班主任工作室", "南山区王芳名班主任工作室"]


def test_an_edited_ledger_shows_its_new_figures_without_a_restart(site, tmp_path):
    studios = tmp_path / "studios"
    shutil.copytree(site.nanshan.parent, studios)
    ledger = studios / "futian.beancount"
    app = build_app([ledger, studios / "nanshan.beancount"], None, cache_directory=tmp_path / "cache")
    try:
        client = app.test_client()
        before = client.get("/overview.json?year=2020").get_json()
        assert before["totals"]["by_district"]["福田区"]["spending_total"] == "0.00"
        with ledger.open("a", encoding="utf-8") as handle:
            handle.write('\n2020-08-01 * "书店" "图书"\n  voucher: "F-002"\n  invoice: "F-9"\n'
                         '  approver: "主持人"\n  reviewer: "校长"\n'
                         "  Expenses:Materials  321.00 CNY\n  Assets:Bank:Dedicated\n")
        after = client.get("/overview.json?year=2020").get_json()
        assert after["totals"]["by_district"]["福田区"]["spending_total"] == "321.00"
        assert after == consolidate([ledger.resolve(), (studios / "nanshan.beancount").resolve()], 2020,
                                    use_cache=False).to_json()
    finally:
        app.config["STUDIOFUND_OVERVIEW"].close()


def test_a_fixed_district_line_takes_effect_without_a_restart(site, tmp_path):
    studios = tmp_path / "studios"
    shutil.copytree(site.nanshan.parent, studios)
    ledger = studios / "nanshan.beancount"
    text = ledger.read_text(encoding="utf-8")
    ledger.write_text(text.replace('  district: "南山区"\n', ""), encoding="utf-8")
    app = build_app([ledger, studios / "futian.beancount"], site.users, cache_directory=tmp_path / "cache")
    registry = app.config["STUDIOFUND_REGISTRY"]
    registry.REFRESH_INTERVAL = 0
    try:
        client = app.test_client()
        h = basic("nanshan-auditor")
        assert client.get(f"/{NANSHAN_SLUG}/extension/Compliance/", headers=h).status_code == 404
        ledger.write_text(text, encoding="utf-8")
        assert client.get(f"/{NANSHAN_SLUG}/extension/Compliance/", headers=h).status_code == 200
    finally:
        app.config["STUDIOFUND_OVERVIEW"].close()


def test_ledgers_load_on_demand_into_a_bounded_set(site, tmp_path):
    from fava.core.watcher import Watcher

    app = build_app([site.nanshan, site.futian, site.second], site.users, cache_directory=tmp_path / "c",
                    max_loaded=2)
    registry = app.config["STUDIOFUND_REGISTRY"]
    client = app.test_client()
    h = basic("city-auditor")
    assert registry.loaded() == []
    # the switcher lists every visible studio by title without loading them
    data = client.get(f"/{NANSHAN_SLUG}/api/ledger_data", headers=h).get_json()["data"]
    assert sorted(t for t, _ in data["other_ledgers"]) == ["南山区王芳名班主任工作室 专项经费",
                                                           "福田区陈红名班主任工作室 专项经费"]
    assert registry.loaded() == [str(site.nanshan.resolve())]
    assert client.get(f"/{FUTIAN_SLUG}/income_statement/", headers=h).status_code == 200
    second = next(e.slug for e in registry.entries() if e.path == str(site.second.resolve()))
    assert client.get(f"/{second}/income_statement/", headers=h).status_code == 200
    # the least recently used went out; it comes back when asked for
    assert registry.loaded() == [str(site.futian.resolve()), str(site.second.resolve())]
    assert client.get(f"/{NANSHAN_SLUG}/income_statement/", headers=h).status_code == 200
    assert len(registry.loaded()) == 2 and registry.loads == 4
    # Fava's polling watcher: no inotify instance per ledger
    assert all(type(registry.ledger(p).watcher) is Watcher for p in registry.loaded())


def test_declaration_read_without_loading(tmp_path):
    ledger = tmp_path / "a.beancount"
    (tmp_path / "2021.beancount").write_text('2021-03-01 * "x" "y"\n  Assets:A  1 CNY\n  Assets:B\n', encoding="utf-8")
    ledger.write_text('option "title" "甲 \\"乙\\""\n2020-01-01 custom "studio" "chifeng"\n'
                      '  name: "甲工作室"\n  ; a comment\n  host-school: "学校"\n  district: "红山区"\n'
                      'include "20*.beancount"\n2020-02-01 * "x" "y"\n  Assets:A  1 CNY\n  Assets:B\n',
                      encoding="utf-8")
    d = read_declaration(ledger)
    assert (d.title, d.name, d.program, d.district, d.years) == ('甲 "乙"', "甲工作室", "chifeng", "红山区", (2020, 2021))
    # a declaration without host school is no studio: no district to be seen by
    ledger.write_text('2020-01-01 custom "studio" "chifeng"\n  name: "甲"\n  district: "红山区"\n', encoding="utf-8")
    assert read_declaration(ledger).district is None
    assert read_declaration(ledger).compliance_page is False  # no 经费合规 extension declared
    registry = LedgerRegistry([str(ledger), str(ledger)])
    assert [e.slug for e in registry.entries()] == ["beancount", "beancount-2"]  # Fava's default title
    assert registry.entries()[0].landing(2020) == "/beancount/income_statement/?time=2020"


def test_overview_service_reports_pending_rows(site, tmp_path):
    app = build_app([site.nanshan, site.futian], None, cache_directory=tmp_path / "cache")
    service = app.config["STUDIOFUND_OVERVIEW"]
    try:
        paths = [str(site.nanshan.resolve()), str(site.futian.resolve())]
        consolidation, pending = service.consolidation(paths, 2020, wait=0)
        assert consolidation is None and pending == 2
        # a page shows what is ready meanwhile, saying how many are missing
        consolidation, pending = service.consolidation(paths, 2020, wait=0, partial=True)
        assert pending == 2 and consolidation.reports == []
        consolidation, pending = service.consolidation(paths, 2020, wait=60)
        assert pending == 0 and len(consolidation.reports) == 2
        # the server's own part of the cache: its summaries come from confined loads only
        assert list((tmp_path / "cache" / "confined").glob("*.json"))
    finally:
        service.close()


def test_summarising_workers_leave_with_the_server(site, tmp_path):
    """A server stopped by a signal (or killed) leaves no summarising worker behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(
        "import sys, time\n"
        "from studiofund.web.app import build_app\n"
        "if __name__ == '__main__':\n"
        "    app = build_app(sys.argv[2:], None, cache_directory=sys.argv[1], jobs=1)\n"
        "    service = app.config['STUDIOFUND_OVERVIEW']\n"
        "    service.consolidation(sys.argv[2:], 2020, wait=120)\n"
        "    print(' '.join(str(p.pid) for p in service._pool._processes.values()), flush=True)\n"
        "    time.sleep(600)\n", encoding="utf-8")
    server = subprocess.Popen([sys.executable, str(script), str(tmp_path / "cache"), str(site.nanshan)],
                              stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in server.stdout.readline().split()]
    assert workers
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(alive(pid) for pid in workers)


def test_background_loads_keep_one_site_while_the_served_files_do_not_change(site, tmp_path, monkeypatch):
    """Building the confinement of the served ledgers reads every one of them: a worker keeps it
    between loads (a thousand ledgers' summaries would otherwise read a million files) and
    builds it again when a served file changed."""
    import os

    from studiofund.web import confine

    studios = tmp_path / "studios"
    shutil.copytree(site.nanshan.parent, studios)
    served = [str(studios / "nanshan.beancount"), str(studios / "futian.beancount")]
    monkeypatch.setattr(confine, "SITE_RECHECK", 0.0)
    built = []
    real = confine.Site
    monkeypatch.setattr(confine, "Site", lambda *args: built.append(args) or real(*args))
    first = confine.load_confined_ledger(served[0], served=served)
    confine.load_confined_ledger(served[1], served=served)
    assert len(built) == 1 and first.studio is not None
    stat = os.stat(served[1])
    os.utime(served[1], ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    confine.load_confined_ledger(served[0], served=served)
    assert len(built) == 2
