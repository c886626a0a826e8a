"""`studiofund user …` and `studiofund serve` argument handling (no server is started)."""

from __future__ import annotations

import json
import stat

from clirun import run

from studiofund.cli.serve import is_loopback
from studiofund.web.users import UsersFileError, glob_matches, load_users, parse_users
from test_web_fixtures import make_site

import pytest
from werkzeug.security import generate_password_hash


def test_user_add_writes_hashed_password_with_mode_0600(tmp_path):
    users = tmp_path / "users.toml"
    r = run("user", "add", str(users), "王审计", "--role", "auditor", "--district", "南山区",
            "--district", "福田区", "--password-stdin", input="secret-pass\n")
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    text = users.read_text(encoding="utf-8")
    assert "secret-pass" not in text and "scrypt:" in text
    user = load_users(users).users["王审计"]
    assert user.role == "auditor" and user.districts == ("南山区", "福田区")
    assert user.check_password("secret-pass") and not user.check_password("secret-pas")


def test_user_add_json_file_and_ledger_globs(tmp_path):
    users = tmp_path / "users.json"
    r = run("user", "add", str(users), "li", "--role", "officer", "--ledger", "ledgers/a*.beancount",
            "--password-stdin", input="officer-pass\n")
    assert r.exit_code == 0, r.output
    record = json.loads(users.read_text(encoding="utf-8"))["users"]["li"]
    assert record["role"] == "officer" and record["ledgers"] == ["ledgers/a*.beancount"]
    assert record["password"].startswith("scrypt:")


@pytest.mark.parametrize("args, stdin, message", [
    (["--role", "boss"], "long-enough\n", "boss"),
    (["--role", "auditor"], "short\n", "至少"),
    (["--role", "auditor"], "\n", "至少"),
])
def test_user_add_bad_input_exits_2_and_writes_nothing(tmp_path, args, stdin, message):
    users = tmp_path / "users.toml"
    r = run("user", "add", str(users), "x", *args, "--password-stdin", input=stdin)
    assert r.exit_code == 2
    assert message in r.output
    assert not users.exists()


def test_user_add_existing_user_needs_replace(tmp_path):
    users = tmp_path / "users.toml"
    assert run("user", "add", str(users), "a", "--role", "auditor", "--password-stdin", input="pass-one-1\n").exit_code == 0
    before = users.read_text(encoding="utf-8")
    r = run("user", "add", str(users), "a", "--role", "officer", "--password-stdin", input="pass-two-2\n")
    assert r.exit_code == 2 and "已存在" in r.output
    assert users.read_text(encoding="utf-8") == before
    r = run("user", "add", str(users), "a", "--role", "officer", "--replace", "--password-stdin", input="pass-two-2\n")
    assert r.exit_code == 0
    assert load_users(users).users["a"].role == "officer"


def test_user_add_refuses_broken_users_file(tmp_path):
    users = tmp_path / "users.toml"
    users.write_text("[users.a]\nrole = \"auditor\"\npassword = \"plaintext\"\n", encoding="utf-8")
    r = run("user", "add", str(users), "b", "--role", "auditor", "--password-stdin", input="long-enough\n")
    assert r.exit_code == 2 and "明文" in r.output


def test_user_list_and_remove(tmp_path):
    users = tmp_path / "users.toml"
    run("user", "add", str(users), "a", "--role", "auditor", "--district", "南山区", "--password-stdin", input="pass-one-1\n")
    r = run("user", "list", str(users))
    assert r.exit_code == 0 and "a\t审计人员（只读）\t区县 南山区" in r.output and "scrypt" not in r.output
    assert run("user", "remove", str(users), "a").exit_code == 0
    assert load_users(users).users == {}
    assert run("user", "remove", str(users), "a").exit_code == 2


GOOD_HASH = generate_password_hash("long-enough", method="scrypt")


def test_users_file_validation():
    with pytest.raises(UsersFileError, match="角色"):
        parse_users({"users": {"a": {"role": "root", "password": GOOD_HASH}}})
    with pytest.raises(UsersFileError, match="未知字段"):
        parse_users({"users": {"a": {"role": "auditor", "password": GOOD_HASH, "admin": True}}})
    with pytest.raises(UsersFileError, match="districts"):
        parse_users({"users": {"a": {"role": "auditor", "password": GOOD_HASH, "districts": [1]}}})


def test_glob_matching():
    assert glob_matches("nanshan-*.beancount", "/srv/ledgers/nanshan-li.beancount")
    assert glob_matches("ledgers/*.beancount", "/srv/ledgers/nanshan-li.beancount")
    assert not glob_matches("other/*.beancount", "/srv/ledgers/nanshan-li.beancount")
    assert glob_matches("/srv/ledgers/*.beancount", "/srv/ledgers/a.beancount")
    assert not glob_matches("/srv/*.beancount", "/srv/ledgers/a.beancount")


def test_is_loopback():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def test_serve_refuses_public_host_without_users_file(tmp_path):
    site = make_site(tmp_path)
    r = run("serve", str(site.nanshan), "--host", "0.0.0.0")
    assert r.exit_code == 2 and "--users" in r.output


@pytest.mark.parametrize("content, message", [
    ("not toml [", "格式错误"),
    ("", "没有用户"),
])
def test_serve_refuses_bad_users_file(tmp_path, content, message):
    site = make_site(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text(content, encoding="utf-8")
    r = run("serve", str(site.nanshan), "--users", str(bad), "--host", "0.0.0.0")
    assert r.exit_code == 2 and message in r.output


def test_serve_refuses_missing_ledgers(tmp_path):
    r = run("serve", str(tmp_path / "nope.beancount"))
    assert r.exit_code == 2 and "不存在" in r.output
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run("serve", str(empty))
    assert r.exit_code == 2 and "没有找到" in r.output
    r = run("serve", str(empty), "--users", str(tmp_path / "missing.toml"))
    assert r.exit_code == 2
