"""Queries on the server: only read-only statements on the ledger's tables, with time and row limits."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from studiofund.web import queries
from studiofund.web.app import build_app
from web_world import NANSHAN, leaks, login, make_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("queries"), hostile=True)
    with open(w.nanshan, "a", encoding="utf-8") as handle:
        handle.write('\n2020-06-01 * "书店" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"\n'
                     '  voucher: "2020-009"\n  Expenses:Materials  1.00 CNY\n  Assets:Bank:Dedicated\n')
    return w


@pytest.fixture(scope="module")
def client(world):
    app = build_app([world.nanshan, world.futian], world.users, secret=b"q", load=True)
    c = app.test_client()
    assert login(c, "nanshan-auditor").status_code == 302
    return c


def query(client, text, path="/api/query?query_string="):
    return client.get(NANSHAN + path + quote(text))


@pytest.mark.parametrize("text, fragment", [
    ("CREATE TABLE t (a str) USING 'csv:{secret}'", "CREATE TABLE"),
    ("create table t (a str) using 'csv:/dev/zero'", "CREATE TABLE"),
    ("INSERT INTO postings (date) VALUES (2020-01-01)", "INSERT"),
    (".output {secret}", "不能运行命令"),
    ("output {secret}", "不能运行命令"),
    (".set format csv", "不能运行命令"),
    ("set numberify true", "不能运行命令"),
    (".help", "不能运行命令"),
    ("help", "不能运行命令"),
    (".explain SELECT 1", "不能运行命令"),
    (".describe postings", "不能运行命令"),
    (".tables", "不能运行命令"),
    (".parse SELECT 1", "不能运行命令"),
    (".reload", "不能运行命令"),
    (".errors", "不能运行命令"),
    ("!ls", "不能运行命令"),
    ("?", "不能运行命令"),
    ("run evil", "CREATE TABLE"),
    (".run evil", "CREATE TABLE"),
    ("run nosuchquery", "没有名为"),
    ("run a b", "只能跟一个查询名"),
    ("SELEKT 1", "查询语句有误"),
    ("", "请输入"),
    ("SELECT '" + "x" * 20000 + "'", "超过"),
])
def test_refused_statements(client, world, text, fragment):
    r = query(client, text.format(secret=world.outside_secret))
    assert r.status_code == 400, r.data[:200]
    assert fragment in r.get_json()["error"]
    assert leaks(r.data) == []


def test_output_command_never_creates_a_file(client, tmp_path):
    target = tmp_path / "written-by-query.txt"
    for text in (f".output {target}", f"output {target}"):
        query(client, text)
    assert not target.exists()


@pytest.mark.parametrize("text", [
    "SELECT account, sum(position) GROUP BY account",
    "select date, narration where account ~ 'Expenses'",
    "BALANCES", "JOURNAL 'Assets'", "PRINT", "run bills", "run",
    "SELECT * FROM (SELECT account FROM postings)", "SELECT * FROM #entries",
    "SELECT 1; CREATE TABLE x (a int) USING 'csv:/etc/passwd'",  # the shell runs the first statement only
])
def test_read_only_queries_run(client, text):
    r = query(client, text)
    assert r.status_code == 200, r.data[:300]
    assert leaks(r.data) == []


def test_downloads_are_checked_the_same_way(client, world):
    r = query(client, f"CREATE TABLE t (a str) USING 'csv:{world.outside_secret}'",
              "/download-query/query_result.csv?query_string=")
    assert r.status_code != 200 and leaks(r.data) == []
    r = query(client, "run bills", "/download-query/query_result.csv?query_string=")
    assert r.status_code == 200 and "bills.csv" in r.headers["Content-Disposition"]
    assert "购买图书资料" in r.get_data(as_text=True)
    r = query(client, "SELECT 1", "/download-query/query_result.exe?query_string=")
    assert r.status_code != 200


def test_a_catastrophic_regex_is_stopped_by_the_time_limit(client, monkeypatch):
    monkeypatch.setattr(queries, "QUERY_SECONDS", 1.0)
    start = time.monotonic()
    r = query(client, "SELECT narration WHERE narration ~ '^(a|aa)+$'")
    elapsed = time.monotonic() - start
    assert r.status_code == 400 and "秒" in r.get_json()["error"]
    assert elapsed < 5
    # the server still answers at once
    assert query(client, "SELECT 1").status_code == 200


def test_row_limit(client, monkeypatch):
    monkeypatch.setattr(queries, "QUERY_ROWS", 2)
    r = query(client, "SELECT date, account")
    assert r.status_code == 400 and "LIMIT" in r.get_json()["error"]
    assert query(client, "SELECT date, account LIMIT 2").status_code == 200


def test_export_size_limit(client, monkeypatch):
    monkeypatch.setattr(queries, "EXPORT_BYTES", 10)
    r = query(client, "SELECT date, account", "/download-query/query_result.csv?query_string=")
    assert r.status_code != 200


def test_memory_ceiling_stops_a_runaway_child(monkeypatch):
    monkeypatch.setattr(queries, "QUERY_MEMORY_BYTES", 64 * 1024 * 1024)

    def hog():
        return len(bytearray(512 * 1024 * 1024))

    with pytest.raises(queries.QueryRefused, match="内存"):
        queries.run_limited(hog)
