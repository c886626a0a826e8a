"""Untrusted ledger content on the server: the probe's attack paths, re-run over HTTP.

An officer of 南山区 once could, through Fava's editor and options, make the server run a Python
file of theirs and read, overwrite or delete 福田区's ledger and scans. The 南山区 ledger here
holds every line the probe used (``web_world.HOSTILE``); each path must be refused, with a
Chinese error naming the line, and nothing of 福田区 or outside may reach a 南山区 user.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from studiofund.web.app import build_app
from studiofund.web.confine import ConfinedLedger, Site, confined_load, read_source
from web_world import FUTIAN, NANSHAN, leaks, login, make_world

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return make_world(tmp_path_factory.mktemp("hostile"), hostile=True)


@pytest.fixture(scope="module")
def app(world):
    return build_app([world.nanshan, world.futian], world.users, secret=b"t", load=True)


@pytest.fixture(scope="module")
def clients(app):
    made = {}
    for name in ("nanshan-auditor", "nanshan-officer", "futian-officer"):
        client = app.test_client()
        assert login(client, name).status_code == 302
        made[name] = client
    return made


def loaded(app, *paths):
    """The served ledgers of ``paths`` as the server loaded them (one, or a tuple)."""
    registry = app.config["STUDIOFUND_REGISTRY"]
    ledgers = tuple(registry.ledger(str(Path(p).resolve())) for p in paths)
    for ledger in ledgers:
        ledger.reload_if_stale()  # as the server does before every request
    return ledgers[0] if len(ledgers) == 1 else ledgers


def errors_of(client) -> list[dict]:
    r = client.get(NANSHAN + "/api/errors")
    assert r.status_code == 200
    return r.get_json()["data"]


# -- every attack line is refused, with a Chinese error naming its line ---------------------------

@pytest.mark.parametrize("needle, fragment, line_token", [
    ('include "../futian/futian.beancount"', "拒绝读取", "futian/futian.beancount"),
    ('include "../futian/2021.beancount"', "拒绝读取", 'include "../futian/2021'),
    ('include "../futian/*.beancount"', "拒绝读取", "futian/*"),
    ('include "../../outside/secret.txt"', "拒绝读取", 'include "../../outside'),
    ('include "/dev/zero"', "拒绝读取", "/dev/zero"),
    ('include "link-to-futian.beancount"', "拒绝读取", "link-to-futian"),
    ('include "../srv/nanshan/../futian/2021.beancount"', "拒绝读取", "../srv/nanshan"),
    ('fifo.beancount', "不是普通文件", "fifo.beancount"),
    ('option "documents" "../futian/futian.documents"', "不读取该文件夹", '"../futian/futian.documents"'),
    ('option "documents" ".."', "不读取该文件夹", 'option "documents" ".."'),
    ('option "insert_pythonpath"', "不从账簿目录加载", "insert_pythonpath"),
    ('plugin "evil_plugin"', "安全插件", "evil_plugin"),
    ('plugin "beancount.plugins.check_commodity"', "安全插件", "check_commodity"),
    ('fava-option "import-config"', "运行 Python", "import-config"),
    ('fava-option "import-dirs"', "不采用", "import-dirs"),
    ('fava-option "default-file"', "只能是本账簿自己的文件", "default-file"),
    ('fava-option "collapse-pattern"', "正则表达式", "collapse-pattern"),
    ('fava-option "default-page"', "不是本站", "default-page"),
    ('fava-extension "evil_ext"', "studiofund 自己的扩展", "evil_ext"),
    ('fava-sidebar-link "javascript:alert(1)"', "本站的页面", "javascript:"),
    ('2020-05-11.secret.pdf', "不提供该文件", "2020-05-11.secret.pdf"),
    ('outside/secret.txt"', "不提供该文件", 'document Expenses:Materials "../../outside'),
    ('document "/etc/passwd"', "不提供该文件", "/etc/passwd"),
    ('users.toml', "不提供该文件", "../users.toml"),
])
def test_each_attack_line_is_refused_with_its_line(clients, world, needle, fragment, line_token):
    text = world.nanshan.read_text(encoding="utf-8").splitlines()
    found = [e for e in errors_of(clients["nanshan-auditor"]) if needle in e["message"] and fragment in e["message"]]
    assert len(found) == 1, f"refusals for {needle}: {found}"
    error = found[0]
    assert error["type"] == "ServerRefusal"
    line = text[error["source"]["lineno"] - 1]
    assert line_token in line, (needle, line)
    assert error["source"]["filename"] == str(world.nanshan)


def test_no_code_of_the_ledger_ran(clients, world):
    for client in clients.values():
        for path in ("/import/", "/api/imports", "/api/extract?filename=x&importer=y", "/editor/",
                     "/extension/evil_ext/", "/api/query?query_string=run%20evil"):
            assert client.get(NANSHAN + path).status_code in (400, 403, 404), path
    assert world.code_ran() == []
    assert not any("nanshan" in p for p in sys.path)
    assert "evil_plugin" not in sys.modules and "evil_ext" not in sys.modules


def test_sidebar_link_and_default_page_are_not_honoured(clients):
    data = clients["nanshan-auditor"].get(NANSHAN + "/api/ledger_data").get_json()["data"]
    assert data["sidebar_links"] == []
    assert data["fava_options"]["default_page"] == "income_statement/"
    assert data["fava_options"]["import_config"] is None and data["fava_options"]["import_dirs"] == []
    assert "Compliance" in [e["name"] for e in data["extensions"]]
    assert all(e["name"] != "evil_ext" for e in data["extensions"])
    r = clients["nanshan-auditor"].get(NANSHAN + "/")
    assert r.headers["Location"].endswith("/income_statement/")


@pytest.mark.parametrize("path", [
    "/api/journal", "/api/documents", "/api/options", "/api/ledger_data", "/api/errors",
    "/api/statistics", "/api/income_statement", "/api/balance_sheet", "/api/trial_balance",
    "/api/events", "/api/narrations", "/api/commodities", "/download-journal/",
    "/api/query?query_string=SELECT%20narration%2C%20payee%2C%20meta('voucher')",
    "/api/query?query_string=PRINT", "/api/query?query_string=run%20bills",
    "/download-query/query_result.csv?query_string=SELECT%20*",
    "/api/journal_page?page=1&order=desc", "/journal/", "/income_statement/", "/documents/",
    "/extension/Compliance/", "/api/account_report?a=Expenses&r=changes",
])
@pytest.mark.parametrize("who", ["nanshan-auditor", "nanshan-officer"])
def test_nothing_of_futian_or_outside_reaches_nanshan(clients, path, who):
    r = clients[who].get(NANSHAN + path)
    assert r.status_code == 200, (path, r.status_code, r.data[:300])
    assert leaks(r.data) == [], path


@pytest.mark.parametrize("target", ["futian_doc", "outside_secret", "futian", "futian_year", "users"])
@pytest.mark.parametrize("who", ["nanshan-auditor", "nanshan-officer"])
def test_foreign_files_are_never_served(clients, world, target, who):
    filename = str(getattr(world, target))
    for path in (f"/document/?filename={quote(filename)}",
                 f"/document/?filename={quote(os.path.relpath(filename, world.nanshan.parent))}"):
        r = clients[who].get(NANSHAN + path)
        assert r.status_code == 404, path
        assert leaks(r.data) == []


def test_own_scan_is_served_with_safe_headers(clients, world):
    r = clients["nanshan-auditor"].get(NANSHAN + f"/document/?filename={quote(str(world.nanshan_doc))}")
    assert r.status_code == 200 and b"044001" in r.data
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Type"].startswith("application/pdf")


def test_uploaded_html_scan_is_a_sandboxed_download(app, clients, world):
    page = world.nanshan_doc.parent / "2020-05-10.scan.html"
    page.write_text("<script>alert(document.cookie)</script>", encoding="utf-8")
    try:
        loaded(app, world.nanshan).load_file()
        r = clients["nanshan-auditor"].get(NANSHAN + f"/document/?filename={quote(str(page))}")
        assert r.status_code == 200
        assert r.headers["Content-Disposition"].startswith("attachment")
        assert "sandbox" in r.headers["Content-Security-Policy"]
    finally:
        page.unlink()


def test_symlink_in_own_documents_to_futian_scan_is_not_served(app, clients, world):
    link = world.nanshan_doc.parent / "2020-05-12.link.pdf"
    link.symlink_to(world.futian_doc)
    try:
        loaded(app, world.nanshan).load_file()
        r = clients["nanshan-officer"].get(NANSHAN + f"/document/?filename={quote(str(link))}")
        assert r.status_code == 404 and leaks(r.data) == []
        listing = clients["nanshan-officer"].get(NANSHAN + "/api/documents").get_data(as_text=True)
        assert "FUTIAN" not in listing
    finally:
        link.unlink()


# -- writes: every Fava write endpoint, aimed at 福田区's files ------------------------------------

WRITES = [
    ("put", "/api/source", {"json": {"file_path": "{futian}", "source": "; pwned\n", "sha256sum": "x"}}),
    ("put", "/api/source", {"json": {"file_path": "{nanshan}", "source": "; pwned\n", "sha256sum": "x"}}),
    ("put", "/api/source_slice", {"json": {"entry_hash": "x", "source": "; pwned", "sha256sum": "x"}}),
    ("delete", "/api/source_slice?entry_hash=x&sha256sum=x", {}),
    ("put", "/api/format_source", {"json": {"source": "x"}}),
    ("put", "/api/add_entries", {"json": {"entries": []}}),
    ("put", "/api/attach_document", {"json": {"filename": "{futian_doc}", "entry_hash": "x"}}),
    ("put", "/api/move", {"json": {"account": "Expenses:Materials", "new_name": "x.pdf", "filename": "{futian_doc}"}}),
    ("delete", "/api/document?filename={futian_doc}", {}),
    ("delete", "/api/document?filename={nanshan_doc}", {}),
    ("put", "/api/add_document", {"data": {"folder": "../futian/futian.documents", "account": "Expenses:Materials"}}),
    ("put", "/api/upload_import_file", {"data": {}}),
    ("post", "/api/source", {"json": {}}),
    ("patch", "/api/source", {"json": {}}),
    ("post", "/extension/Compliance/whoami", {}),
    ("put", "/extension/Booking/book", {"json": {}}),
    ("delete", "/extension/Booking/book", {}),
]


@pytest.mark.parametrize("method, path, kwargs", WRITES)
@pytest.mark.parametrize("who", ["nanshan-auditor", "nanshan-officer"])
def test_write_endpoints_answer_403_and_change_nothing(clients, world, method, path, kwargs, who):
    before = world.foreign_files()
    own = world.nanshan.read_bytes(), world.nanshan_doc.read_bytes()
    values = {"futian": str(world.futian), "nanshan": str(world.nanshan),
              "futian_doc": str(world.futian_doc), "nanshan_doc": str(world.nanshan_doc)}
    path = path.format(**{k: quote(v) for k, v in values.items()})
    body = {k: ({kk: (vv.format(**values) if isinstance(vv, str) else vv) for kk, vv in v.items()})
            for k, v in kwargs.items()}
    r = getattr(clients[who], method)(NANSHAN + path, **body)
    assert r.status_code == 403, (method, path, r.status_code)
    assert world.foreign_files() == before
    assert (world.nanshan.read_bytes(), world.nanshan_doc.read_bytes()) == own


def test_futian_officer_cannot_touch_nanshan_either(clients, world):
    before = world.nanshan.read_bytes()
    client = clients["futian-officer"]
    assert client.put(NANSHAN + "/api/source", json={"file_path": str(world.nanshan), "source": "",
                                                      "sha256sum": "x"}).status_code == 404
    assert client.get(NANSHAN + "/api/journal").status_code == 404
    assert world.nanshan.read_bytes() == before
    # and 福田区's own pages show nothing of the hostile ledger
    r = client.get(FUTIAN + "/api/journal")
    assert r.status_code == 200 and "FUTIAN-MAIN-SECRET" in r.get_data(as_text=True)


# -- layouts: ledgers sharing a directory, nested studios, shared files ---------------------------

def _studio(title: str, district: str, extra: str = "") -> str:
    return (f'option "title" "{title}"\noption "operating_currency" "CNY"\nplugin "studiofund.plugin"\n\n'
            f'2020-01-01 custom "studio" "shenzhen-district"\n  name: "{title}"\n  host-school: "校"\n'
            f'  district: "{district}"\n\n2020-01-01 open Assets:Bank:Dedicated CNY\n{extra}')


def _refusals(ledger) -> list[str]:
    return [e.message for e in ledger.errors if type(e).__name__ == "ServerRefusal"]


def test_flat_directory_a_sibling_ledger_and_its_files_are_foreign(tmp_path):
    a, b = tmp_path / "a.beancount", tmp_path / "b.beancount"
    (tmp_path / "b-2021.beancount").write_text('2021-01-01 note Assets:Bank:Dedicated "B-SECRET"\n')
    (tmp_path / "b.documents").mkdir()
    a.write_text(_studio("A", "南山区", 'include "b.beancount"\ninclude "b-2021.beancount"\n'
                                        'option "documents" "."\noption "documents" "b.documents"\n'))
    b.write_text(_studio("B", "福田区", 'include "b-2021.beancount"\noption "documents" "b.documents"\n'))
    app = build_app([a, b], None, load=True)
    ledger_a, ledger_b = loaded(app, a, b)
    assert not any("B-SECRET" in str(e.values) for e in ledger_a.all_entries if hasattr(e, "values"))
    assert not any(getattr(e, "comment", "") == "B-SECRET" for e in ledger_a.all_entries)
    refused = _refusals(ledger_a)
    assert sum('include "b' in m for m in refused) == 2
    assert sum('option "documents"' in m for m in refused) == 2
    assert ledger_a.options["documents"] == []
    # the file both claim is refused to both (whichever loaded first), so it is nobody's to leak
    assert any('include "b-2021.beancount"' in m for m in _refusals(ledger_b))
    assert any('option "documents" "b.documents"' in m for m in _refusals(ledger_b))


def test_flat_directory_without_conflict_loads_both(tmp_path):
    a, b = tmp_path / "a.beancount", tmp_path / "b.beancount"
    (tmp_path / "a-2021.beancount").write_text('2021-01-01 note Assets:Bank:Dedicated "A-YEAR"\n')
    a.write_text(_studio("A", "南山区", 'include "a-2021.beancount"\noption "documents" "a.documents"\n'))
    b.write_text(_studio("B", "福田区", 'option "documents" "b.documents"\n'))
    app = build_app([a, b], None, load=True)
    ledger_a, ledger_b = loaded(app, a, b)
    assert _refusals(ledger_a) == [] and _refusals(ledger_b) == []
    assert any(getattr(e, "comment", "") == "A-YEAR" for e in ledger_a.all_entries)


def test_a_studio_nested_in_anothers_directory_is_foreign(tmp_path):
    outer = tmp_path / "outer.beancount"
    inner_dir = tmp_path / "inner"
    inner_dir.mkdir()
    (inner_dir / "notes.beancount").write_text('2021-01-01 note Assets:Bank:Dedicated "INNER"\n')
    inner = inner_dir / "inner.beancount"
    inner.write_text(_studio("Inner", "福田区", 'include "notes.beancount"\n'))
    outer.write_text(_studio("Outer", "南山区", 'include "inner/notes.beancount"\noption "documents" "inner"\n'))
    app = build_app([outer, inner], None, load=True)
    ledger_outer, ledger_inner = loaded(app, outer, inner)
    assert len(_refusals(ledger_outer)) == 2
    assert _refusals(ledger_inner) == []
    assert any(getattr(e, "comment", "") == "INNER" for e in ledger_inner.all_entries)


def test_claims_change_makes_the_other_ledger_reload(tmp_path):
    a, b = tmp_path / "a.beancount", tmp_path / "b.beancount"
    shared = tmp_path / "shared.beancount"
    shared.write_text('2021-01-01 note Assets:Bank:Dedicated "SHARED"\n')
    a.write_text(_studio("A", "南山区", 'include "shared.beancount"\n'))
    b.write_text(_studio("B", "福田区"))
    site = Site([a, b])
    ledger_a = ConfinedLedger(str(a.resolve()), site, poll_watcher=True)
    ledger_b = ConfinedLedger(str(b.resolve()), site, poll_watcher=True)
    assert any(getattr(e, "comment", "") == "SHARED" for e in ledger_a.all_entries)
    b.write_text(_studio("B", "福田区", 'include "shared.beancount"\n'))
    ledger_b.load_file()  # b now claims the shared file too: a must drop it
    assert ledger_a.reload_if_stale() is True
    assert not any(getattr(e, "comment", "") == "SHARED" for e in ledger_a.all_entries)
    assert ledger_a.reload_if_stale() is False  # settled


# -- reading: files that are not ledger text -----------------------------------------------------

def test_read_source_refuses_devices_fifos_long_lines(tmp_path):
    assert read_source(Path("/dev/zero"))[0] is None
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert "管道" in read_source(fifo)[1]
    long = tmp_path / "long.beancount"
    long.write_bytes(b"; ok\n" + b";" + b"x" * (300 * 1024) + b"\n")
    data, problem = read_source(long)
    assert data is None and "第 2 行" in problem
    assert read_source(tmp_path)[0] is None


def test_include_of_a_huge_line_file_is_refused_quickly(tmp_path):
    main = tmp_path / "main.beancount"
    (tmp_path / "big.beancount").write_bytes(b"2020-01-01 note Assets:X \"" + b"a" * (2 * 1024 * 1024) + b"\"\n")
    main.write_text(_studio("M", "南山区", 'include "big.beancount"\n'))
    load = confined_load(main, Site([main]))
    assert any("KB" in e.message and "big.beancount" in e.message for e in load.errors)


def test_studio_policy_outside_the_tree_is_not_read(tmp_path):
    (tmp_path / "users.toml").write_text('[users.a]\nrole = "auditor"\npassword = "scrypt:SECRET-HASH"\n')
    led = tmp_path / "led"
    led.mkdir()
    main = led / "main.beancount"
    main.write_text(_studio("M", "南山区").replace('  district: "南山区"\n',
                                                   '  district: "南山区"\n  policy: "../users.toml"\n'))
    load = confined_load(main, Site([main], protected=[tmp_path / "users.toml"]))
    messages = " ".join(e.message for e in load.errors)
    assert "policy 文件" in messages and "SECRET-HASH" not in messages


def test_studio_program_with_a_path_is_not_read(tmp_path):
    main = tmp_path / "main.beancount"
    main.write_text(_studio("M", "南山区").replace('"shenzhen-district"', '"../../../../tmp/evil"'))
    load = confined_load(main, Site([main]))
    assert any("不能含路径" in e.message for e in load.errors)


# -- a clean ledger loads exactly as Fava would load it --------------------------------------------

def test_clean_ledgers_load_as_plain_fava_does():
    from fava.core import FavaLedger

    root = Path(__file__).resolve().parent.parent / "ledgers"
    files = sorted(root.glob("*.beancount")) + [root / "shenzhen-city" / "studio.beancount"]
    site = Site(files)
    for path in files:
        plain = FavaLedger(str(path), poll_watcher=True)
        confined = ConfinedLedger(str(path), site, poll_watcher=True)
        assert len(plain.all_entries) == len(confined.all_entries), path
        assert [e.message for e in plain.errors] == [e.message for e in confined.errors], path
        assert plain.options["include"] == confined.options["include"]
        assert plain.fava_options == confined.fava_options


# -- the 记账 desk writes through the writer: its loads are confined too -----------------------------

def test_the_desk_on_a_hostile_ledger_runs_no_code_and_writes_only_its_own_files(tmp_path):
    import base64
    import json

    world = make_world(tmp_path, hostile=True)
    app = build_app([world.nanshan, world.futian], world.users, load=True, cache_directory=tmp_path / "cache")
    client = app.test_client()
    assert login(client, "nanshan-officer").status_code == 302
    before = world.foreign_files()
    scan = b"%PDF-1.4 desk scan\n"
    body = {"date": "2020-12-01", "payee": "深圳书城", "narration": "购买图书", "account": "Expenses:Materials",
            "amount": "256.00", "invoice": ["24442000000000001111"], "approver": "李梅", "reviewer": "张校长",
            "attach": [{"name": "发票.pdf", "content": base64.b64encode(scan).decode()}]}
    r = client.post(NANSHAN + "/extension/Booking/book", data=json.dumps(body),
                    headers={"Content-Type": "application/json", "Origin": "http://localhost"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.get_json()["written"] is True
    assert leaks(r.data) == []
    assert world.code_ran() == []  # the writer's loads ran no plugin of the ledger
    assert world.foreign_files() == before  # nothing of 福田区 read into or written
    assert "购买图书" in world.nanshan.read_text(encoding="utf-8")
    placed = list((world.nanshan.parent / "nanshan.documents").rglob("*.pdf"))
    assert any(p.read_bytes() == scan for p in placed)
    app.config["STUDIOFUND_OVERVIEW"].close()
