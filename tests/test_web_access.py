"""Every access rule of `studiofund serve`, at the WSGI level (Flask's test client)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from studiofund.web.app import build_app
from test_web_fixtures import FUTIAN_SLUG, NANSHAN_SLUG, basic, login, make_site

N = "/" + quote(NANSHAN_SLUG)
F = "/" + quote(FUTIAN_SLUG)
HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return make_site(tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def app(site):
    return build_app([site.nanshan, site.futian], site.users, secret=b"test-secret", load=True)


@pytest.fixture
def client(app):
    return app.test_client()


# -- anonymous and wrong passwords ---------------------------------------------------------------

def test_anonymous_browser_is_sent_to_login_page(client):
    r = client.get(N + "/income_statement/", headers=HTML)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "登录" in text and 'name="password"' in text
    # from "/", nothing about the served ledgers reaches an anonymous visitor
    r = client.get("/", headers=HTML)
    assert r.headers["Location"] == "/login?next=/"
    text = client.get(r.headers["Location"]).get_data(as_text=True)
    assert NANSHAN_SLUG not in text and "南山区" not in text and "福田区" not in text


def test_anonymous_script_gets_basic_challenge(client):
    for path in ("/", N + "/api/ledger_data", "/static/app.js"):
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.headers["WWW-Authenticate"].startswith("Basic")


def test_wrong_password_and_unknown_user_are_refused(client):
    assert client.get(N + "/api/errors", headers=basic("nanshan-auditor", "nope")).status_code == 401
    assert client.get(N + "/api/errors", headers=basic("nobody", "whatever")).status_code == 401
    r = login(client, "nanshan-auditor", "wrong-password")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.get_data(as_text=True)
    assert "studiofund_session" not in r.headers.get("Set-Cookie", "")


def test_forged_session_cookie_is_ignored(client):
    client.set_cookie("studiofund_session", "eyJ1IjoiY2l0eS1hdWRpdG9yIn0.forged.sig")
    r = client.get(N + "/income_statement/", headers=HTML)
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_login_sets_session_and_logout_ends_it(client):
    r = login(client, "nanshan-auditor")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get(N + "/income_statement/").status_code == 200
    out = client.get("/logout")
    assert out.status_code == 302 and "/login" in out.headers["Location"]
    assert client.get(N + "/income_statement/", headers=HTML).status_code == 302


def test_login_next_is_never_an_open_redirect(client):
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = login(client, "nanshan-auditor", next_url=evil)
        assert r.headers["Location"] == "/"


# -- scope: own and foreign ledgers --------------------------------------------------------------

def test_auditor_reads_own_ledger(client):
    h = basic("nanshan-auditor")
    assert client.get(N + "/income_statement/", headers=h).status_code == 200
    assert client.get(N + "/extension/Compliance/", headers=h).status_code == 200
    assert client.get(N + "/api/journal", headers=h).status_code == 200
    assert client.get(N + "/api/query?query_string=SELECT%20account", headers=h).status_code == 200


def test_auditor_gets_404_on_foreign_ledger(client):
    h = basic("nanshan-auditor")
    for path in ("/income_statement/", "/extension/Compliance/", "/api/ledger_data", "/api/journal",
                 "/document/?filename=x"):
        r = client.get(F + path, headers=h)
        assert r.status_code == 404, path
        assert "福田" not in r.get_data(as_text=True)


def test_root_redirects_to_an_own_ledger(client):
    r = client.get("/", headers=basic("futian-officer"))
    assert r.status_code == 302 and r.headers["Location"].startswith(F + "/")
    r = client.get("/", headers=basic("nanshan-auditor"))
    assert r.headers["Location"].startswith(N + "/")


def test_switcher_does_not_leak_foreign_ledger_names(client):
    h = basic("nanshan-auditor")
    page = client.get(N + "/income_statement/", headers=h).get_data(as_text=True)
    assert "福田" not in page and FUTIAN_SLUG not in page
    data = client.get(N + "/api/ledger_data", headers=h).get_json()["data"]
    assert data["other_ledgers"] == []
    # a user who may see both gets both in the switcher
    data = client.get(N + "/api/ledger_data", headers=basic("city-auditor")).get_json()["data"]
    assert [title for title, _ in data["other_ledgers"]] == ["福田区陈红名班主任工作室 专项经费"]


def test_ledger_glob_scope(client):
    h = basic("nanshan-officer")
    assert client.get(N + "/income_statement/", headers=h).status_code == 200
    assert client.get(F + "/income_statement/", headers=h).status_code == 404


# -- auditors are read-only ------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["put", "post", "delete", "patch"])
def test_auditor_write_methods_are_refused(client, site, method):
    before = site.nanshan.read_text(encoding="utf-8")
    r = getattr(client, method)(N + "/api/source", headers=basic("nanshan-auditor"),
                                json={"file_path": str(site.nanshan), "source": "", "sha256sum": "x"})
    assert r.status_code == 403
    assert "只读" in r.get_json()["error"]
    assert site.nanshan.read_text(encoding="utf-8") == before


def test_auditor_cannot_add_entries_or_upload(client, site):
    h = basic("nanshan-auditor")
    r = client.put(N + "/api/add_entries", headers=h, json={"entries": []})
    assert r.status_code == 403
    r = client.put(N + "/api/add_document", headers=h, data={"folder": "docs", "account": "Expenses:Materials"})
    assert r.status_code == 403
    r = client.delete(N + f"/api/document?filename={quote(str(site.document))}", headers=h)
    assert r.status_code == 403 and site.document.exists()


@pytest.mark.parametrize("path", [
    "/api/source", "/api/source_slice?entry_hash=x", "/api/extract?filename=a&importer=b",
    "/api/imports", "/editor/", "/import/", "//api/source", "/api/source/",
])
def test_auditor_get_routes_that_reveal_source_or_run_importers_are_refused(client, site, path):
    r = client.get(N + path, headers=basic("nanshan-auditor"))
    assert r.status_code == 403, path
    assert "plugin" not in r.get_data(as_text=True)
    # HEAD runs the same view in Flask: refused as well
    assert client.head(N + path, headers=basic("nanshan-auditor")).status_code == 403


def test_auditor_editor_page_refused_in_chinese(client):
    r = client.get(N + "/editor/", headers={**basic("nanshan-auditor"), **HTML})
    assert r.status_code == 403
    assert "审计人员为只读权限" in r.get_data(as_text=True)


# -- officers write on their own ledgers -----------------------------------------------------------

def test_officer_can_neither_read_source_nor_write_own_ledger_through_fava(client, site):
    h = basic("nanshan-officer")
    before = site.nanshan.read_text(encoding="utf-8")
    r = client.get(N + "/api/source", headers=h)
    assert r.status_code == 403 and "记账" in r.get_json()["error"]
    r = client.put(N + "/api/source", headers=h, json={
        "file_path": str(site.nanshan), "source": before + "\n; 审核备注\n", "sha256sum": "x"})
    assert r.status_code == 403
    assert site.nanshan.read_text(encoding="utf-8") == before


def test_officer_cannot_write_foreign_ledger(client, site):
    before = site.futian.read_text(encoding="utf-8")
    r = client.put(F + "/api/source", headers=basic("nanshan-officer"),
                   json={"file_path": str(site.futian), "source": "", "sha256sum": "x"})
    assert r.status_code == 404
    assert site.futian.read_text(encoding="utf-8") == before


# -- documents ------------------------------------------------------------------------------------

def test_document_in_document_folder_is_served(client, site):
    r = client.get(N + f"/document/?filename={quote(str(site.document))}", headers=basic("nanshan-auditor"))
    assert r.status_code == 200 and "044001" in r.get_data(as_text=True)


@pytest.mark.parametrize("who", ["nanshan-auditor", "nanshan-officer"])
def test_document_path_traversal_is_blocked(client, site, who):
    docs = site.nanshan.parent / "docs"
    attempts = [
        str(site.secret),                                   # named by a document entry, outside
        str(docs / ".." / ".." / "secret.txt"),             # ../ out of the folder
        str(site.nanshan),                                  # the ledger's source itself
        "/etc/passwd",
        "../secret.txt",
    ]
    for filename in attempts:
        r = client.get(N + f"/document/?filename={quote(filename)}", headers=basic(who))
        assert r.status_code == 404, filename
        assert b"TOP-SECRET" not in r.data and b"plugin" not in r.data


def test_document_symlink_out_of_folder_is_blocked(client, site):
    link = site.nanshan.parent / "docs" / "link.txt"
    link.symlink_to(site.secret)
    try:
        r = client.get(N + f"/document/?filename={quote(str(link))}", headers=basic("nanshan-officer"))
        assert r.status_code == 404 and b"TOP-SECRET" not in r.data
    finally:
        link.unlink()


# -- without a users file ------------------------------------------------------------------------

def test_without_users_file_local_user_reads_all_but_writes_nothing(site):
    app = build_app([site.nanshan, site.futian], None, load=True)
    client = app.test_client()
    assert client.get(N + "/income_statement/").status_code == 200
    assert client.get(N + "/api/source").status_code == 403
    before = site.nanshan.read_text(encoding="utf-8")
    assert client.put(N + "/api/source", json={"file_path": str(site.nanshan), "source": "",
                                               "sha256sum": "x"}).status_code == 403
    assert site.nanshan.read_text(encoding="utf-8") == before
    data = client.get(N + "/api/ledger_data").get_json()["data"]
    assert len(data["other_ledgers"]) == 1
    assert client.get("/login").status_code == 302


def test_users_file_changes_are_picked_up(site, tmp_path):
    from studiofund.web.users import load_users, new_user

    users = tmp_path / "users.json"
    directory = load_users(site.users)
    users.write_text(directory.dumps("json"), encoding="utf-8")
    app = build_app([site.nanshan], users, load=True)
    client = app.test_client()
    assert client.get("/", headers=basic("late-user", "late-password")).status_code == 401
    directory.add(new_user("late-user", "auditor", "late-password"))
    users.write_text(directory.dumps("json"), encoding="utf-8")
    import os
    os.utime(users, (1, 1))  # a different mtime for sure
    assert client.get("/", headers=basic("late-user", "late-password")).status_code == 302
    assert json.loads(users.read_text(encoding="utf-8"))["users"]["late-user"]["role"] == "auditor"
