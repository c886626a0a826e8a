"""The command-line options no other test shows to have an effect: each test here fails if its
option does nothing."""

from __future__ import annotations

import json

import cheroot.wsgi
import pytest

from studiofund.reports import runner

from clirun import init_studio, run
from ledgertext import BUREAU_POLICY, grant, papers, txn
from test_web_fixtures import basic, make_site


def test_programs_show_policy_shows_the_bureaus_own_program(tmp_path):
    policy = tmp_path / "bureau.toml"
    policy.write_text(BUREAU_POLICY, encoding="utf-8")
    result = run("programs", "show", "my-bureau", "--policy", policy)
    assert result.exit_code == 0, result.output
    assert "某区名师工作室（my-bureau）" in result.output and "课题研究" in result.output
    assert run("programs", "show", "my-bureau").exit_code == 2  # not bundled: only with --policy


@pytest.fixture
def two_studios(tmp_path):
    for name in ("a", "b"):
        path = init_studio(tmp_path / f"{name}.beancount")
        with path.open("a", encoding="utf-8") as handle:
            handle.write(grant("2020-03-01", "40000.00")
                         + txn("2020-04-01", "书店", "图书", "Expenses:Materials", "100.00", **papers()))
    return tmp_path


@pytest.mark.parametrize("command", [["consolidate", "--year", "2020"], ["export", "--to", "OUT"]])
def test_jobs_reaches_the_library(two_studios, monkeypatch, command):
    seen = {}

    def capture(*args, **kwargs):
        seen.update(kwargs)
        raise KeyboardInterrupt  # stop here: only the arguments matter

    target = "studiofund.cli.consolidate.run" if command[0] == "consolidate" else "studiofund.cli.export.export_ledgers"
    monkeypatch.setattr(target, capture)
    args = [a if a != "OUT" else two_studios / "out" for a in command]
    run(args[0], two_studios, *args[1:], "--jobs", "3")
    assert seen["jobs"] == 3
    assert run(args[0], two_studios, *args[1:], "--jobs", "0").exit_code == 2


def test_jobs_1_runs_in_this_process(two_studios, monkeypatch):
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started with --jobs 1")

    monkeypatch.setattr(runner, "ProcessPoolExecutor", no_pool)
    result = run("consolidate", two_studios, "--year", "2020", "--format", "json", "--jobs", "1", "--no-cache")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["studios"]) == 2


def test_consolidate_no_cache_neither_reads_nor_writes_the_cache(two_studios, tmp_path, monkeypatch):
    cache = tmp_path / "consolidate-cache"
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(cache))
    assert run("consolidate", two_studios, "--year", "2020", "--no-cache").exit_code == 0
    assert not cache.exists() or not any(cache.rglob("*.json"))
    assert run("consolidate", two_studios, "--year", "2020").exit_code == 0
    assert any(cache.rglob("*.json"))


class FakeServer:
    """cheroot's server, recording where it was asked to listen instead of listening."""

    started: list = []

    def __init__(self, bind, app):
        self.bind, self.app = bind, app

    def start(self):
        FakeServer.started.append(self)

    def stop(self):
        pass


@pytest.fixture
def fake_server(monkeypatch):
    FakeServer.started = []
    monkeypatch.setattr(cheroot.wsgi, "Server", FakeServer)
    return FakeServer.started


def test_serve_listens_on_host_and_port(tmp_path, fake_server):
    site = make_site(tmp_path)
    result = run("serve", site.nanshan, "--host", "127.0.0.2", "--port", "8123")
    assert result.exit_code == 0, result.output
    [server] = fake_server
    assert server.bind == ("127.0.0.2", 8123)
    assert "http://127.0.0.2:8123/" in result.output
    # without --users, the local user needs no login
    assert server.app.test_client().get("/").status_code in (200, 302)


def test_serve_users_demands_a_login(tmp_path, fake_server):
    site = make_site(tmp_path)
    result = run("serve", site.nanshan, "--users", site.users)
    assert result.exit_code == 0, result.output
    assert "需登录" in result.output
    client = fake_server[0].app.test_client()
    assert client.get("/").status_code == 401
    assert client.get("/", headers=basic("nanshan-auditor")).status_code in (200, 302)
