"""Login hardening: server-side sessions, lockout, login CSRF, proxy and cookie flags, users file."""

from __future__ import annotations

import os
import re

import pytest
from werkzeug.security import generate_password_hash

from clirun import run
from studiofund.web.app import build_app
from studiofund.web.sessions import SESSION_IDLE, SESSION_MAX_AGE, LoginThrottle, SessionStore
from studiofund.web.users import UsersFileError, hash_problem, load_users, parse_users
from web_world import NANSHAN, PASSWORDS, basic, login, make_world

HTML = {"Accept": "text/html"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


@pytest.fixture
def app(world):
    return build_app([world.nanshan, world.futian], world.users, secret=b"s", load=True)


def auth_of(app):
    return app.config["STUDIOFUND_AUTH"]


def cookie_value(response, name="studiofund_session") -> str:
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))
    return header.split(";", 1)[0].split("=", 1)[1]


# -- sessions --------------------------------------------------------------------------------------

def test_session_cookie_is_a_random_id_not_the_user(app):
    client = app.test_client()
    token = cookie_value(login(client, "nanshan-auditor"))
    assert len(token) >= 40 and "nanshan" not in token
    assert client.get(NANSHAN + "/api/errors").status_code == 200
    other = app.test_client()
    other.set_cookie("studiofund_session", token[:-2] + "xx")
    assert other.get(NANSHAN + "/api/errors").status_code == 401


def test_logout_ends_the_session_on_the_server(app):
    client = app.test_client()
    token = cookie_value(login(client, "nanshan-auditor"))
    assert client.get("/logout").status_code == 302
    stolen = app.test_client()
    stolen.set_cookie("studiofund_session", token)  # the old cookie, replayed
    assert stolen.get(NANSHAN + "/api/errors").status_code == 401
    assert stolen.get(NANSHAN + "/income_statement/", headers=HTML).status_code == 302
    assert auth_of(app).sessions.count("nanshan-auditor") == 0


def test_password_change_ends_sessions(app, world):
    client = app.test_client()
    login(client, "nanshan-auditor")
    assert client.get(NANSHAN + "/api/errors").status_code == 200
    r = run("user", "add", world.users, "nanshan-auditor", "--role", "auditor", "--district", "南山区",
            "--replace", "--password-stdin", input="a-new-password\n")
    assert r.exit_code == 0, r.output
    os.utime(world.users, (1, 1))
    assert client.get(NANSHAN + "/api/errors").status_code == 401
    assert login(app.test_client(), "nanshan-auditor", "a-new-password").status_code == 302


def test_removed_user_loses_the_session(app, world):
    client = app.test_client()
    login(client, "nanshan-officer")
    assert run("user", "remove", world.users, "nanshan-officer").exit_code == 0
    os.utime(world.users, (2, 2))
    assert client.get(NANSHAN + "/api/errors").status_code == 401


def test_sessions_lapse_when_idle_and_after_the_maximum_age():
    clock = Clock()
    store = SessionStore(clock)
    token = store.create("a", "tag")
    clock.now += SESSION_IDLE - 1
    assert store.get(token) is not None  # restarts the idle clock
    clock.now += SESSION_IDLE - 1
    assert store.get(token) is not None
    clock.now += SESSION_IDLE + 1
    assert store.get(token) is None
    token = store.create("a", "tag")
    for _ in range(int(SESSION_MAX_AGE // (SESSION_IDLE / 2)) + 1):
        clock.now += SESSION_IDLE / 2
        store.get(token)
    assert store.get(token) is None
    assert store.get("") is None and store.get("x" * 500) is None


def test_session_store_keeps_only_hashes_of_tokens():
    store = SessionStore()
    token = store.create("a", "tag")
    assert token not in repr(store._sessions)  # noqa: SLF001 - the point of the test


# -- lockout ---------------------------------------------------------------------------------------

def test_fifty_wrong_passwords_lock_the_user(app):
    auth = auth_of(app)
    auth.throttle.clock = clock = Clock()
    client = app.test_client()
    statuses = [login(client, "nanshan-auditor", f"wrong-{i}").status_code for i in range(50)]
    assert statuses[:LoginThrottle.USER_FREE] == [401] * LoginThrottle.USER_FREE
    assert set(statuses[LoginThrottle.USER_FREE:]) == {429}
    r = login(client, "nanshan-auditor")  # the right password, while locked
    assert r.status_code == 429 and "锁定" in r.get_data(as_text=True)
    assert "后再试" in r.get_data(as_text=True)
    assert "studiofund_session" not in r.headers.get("Set-Cookie", "")
    clock.now += LoginThrottle.MAX_LOCK + 1
    assert login(client, "nanshan-auditor").status_code == 302


def test_lock_grows_exponentially_and_success_clears_the_user():
    clock = Clock()
    throttle = LoginThrottle(clock)
    waits = []
    for _ in range(LoginThrottle.USER_FREE + 3):
        throttle.failed("u", "1.1.1.1")
        waits.append(throttle.wait("u", "9.9.9.9"))
    assert waits[:LoginThrottle.USER_FREE - 1] == [0.0] * (LoginThrottle.USER_FREE - 1)
    locked = waits[LoginThrottle.USER_FREE - 1:]
    assert locked == [LoginThrottle.BASE * 2 ** i for i in range(4)]
    throttle.succeeded("u")
    assert throttle.wait("u", "9.9.9.9") == 0.0
    assert throttle.wait("v", "1.1.1.1") == 0.0  # the address has not reached its own limit


def test_many_names_from_one_address_lock_the_address(app):
    auth_of(app).throttle.clock = Clock()
    client = app.test_client()
    env = {"REMOTE_ADDR": "10.0.0.7"}
    for i in range(LoginThrottle.ADDRESS_FREE):
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"username": f"guess-{i}", "password": "x" * 8, "csrf": csrf},
                    environ_base=env)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login", data={"username": "nanshan-auditor", "password": PASSWORDS["nanshan-auditor"],
                                    "csrf": csrf}, environ_base=env)
    assert r.status_code == 429
    # another address is not affected; a forged X-Forwarded-For does not escape (no --behind-proxy)
    assert login(app.test_client(), "nanshan-auditor").status_code == 302
    r = client.get(NANSHAN + "/api/errors", headers={**basic("nanshan-auditor"), "X-Forwarded-For": "8.8.8.8"},
                   environ_base=env)
    assert r.status_code == 429 and "锁定" in r.get_json()["error"]


def test_basic_auth_failures_count_too(app):
    auth_of(app).throttle.clock = Clock()
    client = app.test_client()
    for _ in range(LoginThrottle.USER_FREE):
        assert client.get(NANSHAN + "/api/errors", headers=basic("nanshan-auditor", "nope")).status_code == 401
    r = client.get(NANSHAN + "/api/errors", headers=basic("nanshan-auditor"))
    assert r.status_code == 429


# -- login CSRF and cross-site requests ------------------------------------------------------------

def test_login_without_the_csrf_token_is_refused(app):
    client = app.test_client()
    data = {"username": "nanshan-auditor", "password": PASSWORDS["nanshan-auditor"], "next": "/"}
    r = client.post("/login", data=data)
    assert r.status_code == 400 and "登录页面已过期" in r.get_data(as_text=True)
    client.get("/login")  # a cookie, but no token in the form
    assert client.post("/login", data=data).status_code == 400
    # a token of another browser's login page does not fit this browser's cookie
    other = app.test_client()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', other.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={**data, "csrf": token}).status_code == 400
    assert "studiofund_session" not in client.post("/login", data={**data, "csrf": token}).headers.get("Set-Cookie", "")


def test_login_csrf_cookie_is_strict_and_http_only(app):
    r = app.test_client().get("/login")
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("studiofund_login="))
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/login" in header


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://localhost.evil.example"])
def test_cross_site_posts_are_refused(app, origin):
    client = app.test_client()
    login(client, "nanshan-officer")
    r = client.post(NANSHAN + "/extension/Booking/book", json={}, headers={"Origin": origin})
    assert r.status_code == 403 and "其他网站" in r.get_json()["error"]
    r = client.post("/login", data={"username": "x"}, headers={"Origin": origin})
    assert r.status_code == 403
    r = client.post(NANSHAN + "/extension/Booking/book", json={}, headers={"Referer": origin + "/page"})
    assert r.status_code == 403


def test_same_site_desk_post_passes_the_middleware(app):
    client = app.test_client()
    login(client, "nanshan-officer")
    r = client.post(NANSHAN + "/extension/Booking/book", json={}, headers={"Origin": "http://localhost"})
    assert r.status_code != 403  # no desk in this build: Fava's 404, not a refusal
    auditor = app.test_client()
    login(auditor, "nanshan-auditor")
    r = auditor.post(NANSHAN + "/extension/Booking/book", json={}, headers={"Origin": "http://localhost"})
    assert r.status_code == 403 and "只读" in r.get_json()["error"]


# -- proxy, cookie flags, headers ------------------------------------------------------------------

def test_behind_proxy_cookies_are_secure_and_host_prefixed(world):
    app = build_app([world.nanshan], world.users, secret=b"p", load=True, behind_proxy=True)
    client = app.test_client()
    proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "ledger.example"}
    page = client.get("/login", headers=proxy)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    csrf_header = next(h for h in page.headers.getlist("Set-Cookie") if h.startswith("__Host-studiofund_login="))
    assert "Secure" in csrf_header
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.get_data(as_text=True)).group(1)
    r = client.post("/login", headers={**proxy, "Origin": "https://ledger.example"}, data={
        "username": "nanshan-auditor", "password": PASSWORDS["nanshan-auditor"], "csrf": csrf}, base_url="https://localhost")
    assert r.status_code == 302, r.data
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("__Host-studiofund_session="))
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    # the proxy's X-Forwarded-For names the client for the lockout
    auth = app.config["STUDIOFUND_AUTH"]
    auth.throttle.clock = Clock()
    for _ in range(LoginThrottle.ADDRESS_FREE):
        auth.throttle.failed("someone", "203.0.113.9")
    assert client.get(NANSHAN + "/api/errors", headers={**proxy, **basic("nanshan-auditor")}).status_code == 429
    other = {**proxy, "X-Forwarded-For": "198.51.100.4"}
    assert client.get(NANSHAN + "/api/errors", headers={**other, **basic("nanshan-auditor")}).status_code == 200


def test_without_behind_proxy_forwarded_headers_are_ignored(app):
    r = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    header = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("studiofund_login="))
    assert "Secure" not in header and "Strict-Transport-Security" not in r.headers


def test_security_headers_on_every_response(app):
    client = app.test_client()
    login(client, "nanshan-auditor")
    for path in ("/login", NANSHAN + "/income_statement/", NANSHAN + "/api/errors", NANSHAN + "/editor/"):
        r = client.get(path)
        assert r.headers["X-Content-Type-Options"] == "nosniff", path
        assert r.headers["X-Frame-Options"] == "DENY", path
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"], path
        assert r.headers["Cache-Control"] == "no-store", path


def test_fava_pages_hide_editor_and_import_links(app):
    client = app.test_client()
    login(client, "nanshan-officer")
    page = client.get(NANSHAN + "/income_statement/").get_data(as_text=True)
    assert 'id="sf-closed-controls"' in page
    assert 'a[href$="/editor/"]' in page and 'a[href$="/import/"]' in page


def test_oversized_bodies_are_refused(app):
    client = app.test_client()
    login(client, "nanshan-officer")
    r = client.post(NANSHAN + "/extension/Booking/book", data=b"x" * 10, content_type="application/json",
                    environ_overrides={"CONTENT_LENGTH": str(64 * 1024 * 1024)})
    assert r.status_code == 413
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/login").get_data(as_text=True)).group(1)
    r = client.post("/login", data={"username": "a" * 40_000, "password": "x", "csrf": csrf})
    assert r.status_code == 413


# -- the users file ----------------------------------------------------------------------------------

@pytest.mark.parametrize("password_hash, fragment", [
    (generate_password_hash("x", method="pbkdf2:sha256:1"), "只接受 scrypt"),
    (generate_password_hash("x", method="pbkdf2:sha256"), "只接受 scrypt"),
    ("md5$abc$0123456789abcdef", "只接受 scrypt"),
    ("argon2:foo$bar$baz", "只接受 scrypt"),
    (generate_password_hash("x", method="scrypt:1024:8:1"), "N=1024"),
    (generate_password_hash("x", method="scrypt:32768:1:1"), "r=1"),
    ("scrypt:32768:8:1$salt$nothex", "不是有效的 scrypt"),
])
def test_weak_or_unknown_hashes_are_a_clear_startup_error(tmp_path, world, password_hash, fragment):
    users = tmp_path / "weak.toml"
    users.write_text(f'[users.a]\nrole = "auditor"\npassword = "{password_hash}"\n', encoding="utf-8")
    with pytest.raises(UsersFileError, match=fragment):
        load_users(users)
    with pytest.raises(UsersFileError):
        build_app([world.nanshan], users)
    r = run("serve", world.nanshan, "--users", users)
    assert r.exit_code == 2 and fragment in r.output and "Traceback" not in r.output


def test_sound_scrypt_hash_is_accepted():
    assert hash_problem(generate_password_hash("x", method="scrypt")) == ""


def test_bad_hash_written_while_serving_keeps_the_last_good_file(app, world):
    client = app.test_client()
    assert client.get(NANSHAN + "/api/errors", headers=basic("nanshan-auditor")).status_code == 200
    world.users.write_text('[users.nanshan-auditor]\nrole = "auditor"\npassword = "md5$a$b"\n', encoding="utf-8")
    os.utime(world.users, (3, 3))
    r = client.get(NANSHAN + "/api/errors", headers=basic("nanshan-auditor"))
    assert r.status_code == 200  # never a 500


@pytest.mark.parametrize("args", [
    ["bad\x01name"], ["bad\nname"], ["bad\u2028name"], ["bad\u200bname"], ["a:b"],
    ["ok", "--district", "南山\n区"], ["ok", "--district", "南山\x7f区"],
    ["ok", "--ledger", "a\r*.beancount"], ["ok", "--ledger", "a\u2029b"],
])
def test_user_add_refuses_control_characters(tmp_path, args):
    users = tmp_path / "users.toml"
    r = run("user", "add", users, *args, "--role", "auditor", "--password-stdin", input="long-enough\n")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert not users.exists()


def test_users_file_with_control_characters_is_a_clear_error():
    good = generate_password_hash("x", method="scrypt")
    with pytest.raises(UsersFileError, match="控制字符"):
        parse_users({"users": {"a\x01": {"role": "auditor", "password": good}}})
    with pytest.raises(UsersFileError, match="控制字符"):
        parse_users({"users": {"a": {"role": "auditor", "password": good, "districts": ["南山\u2028区"]}}})


def test_no_export_user_cannot_download(world):
    r = run("user", "add", world.users, "quiet", "--role", "auditor", "--no-export", "--password-stdin",
            input="long-enough-1\n")
    assert r.exit_code == 0 and "export = false" in world.users.read_text(encoding="utf-8")
    assert "不可导出" in run("user", "list", world.users).output
    app = build_app([world.nanshan], world.users, load=True)
    client = app.test_client()
    h = basic("quiet", "long-enough-1")
    assert client.get(NANSHAN + "/download-journal/", headers=h).status_code == 403
    assert client.get(NANSHAN + "/download-query/query_result.csv?query_string=SELECT%201", headers=h).status_code == 403
    assert client.get(NANSHAN + "/api/query?query_string=SELECT%201", headers=h).status_code == 200
    r = client.get(NANSHAN + "/download-journal/", headers=basic("nanshan-auditor"))
    assert r.status_code == 200 and "购买图书资料" in r.get_data(as_text=True)


def test_serve_behind_proxy_needs_users(world):
    r = run("serve", world.nanshan, "--behind-proxy")
    assert r.exit_code == 2 and "--users" in r.output


def test_a_read_only_users_file_keeps_its_mode(tmp_path):
    import stat

    users = tmp_path / "users.toml"
    assert run("user", "add", users, "a", "--role", "auditor", "--password-stdin", input="long-enough\n").exit_code == 0
    assert stat.S_IMODE(users.stat().st_mode) == 0o600  # a new file: 0600
    users.chmod(0o400)
    r = run("user", "add", users, "b", "--role", "auditor", "--password-stdin", input="long-enough\n")
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(users.stat().st_mode) == 0o400
    assert set(load_users(users).users) == {"a", "b"}
    assert run("user", "remove", users, "a").exit_code == 0
    assert stat.S_IMODE(users.stat().st_mode) == 0o400
