"""The web probe suite: every probe of ``probes.build`` against a served two-district world.

Each probe asserts its status and that the answer holds nothing of 福田区 or of the server outside
the ledgers. At the end, 福田区's files, the users file and the outside file are unchanged, 南山区's
ledger is unchanged, and none of the ledger's Python ran.
"""

from __future__ import annotations

import re
import sys
import time

import pytest

from studiofund.web.app import build_app
from web_world import PASSWORDS, basic, leaks, login, make_world

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from probes import KNOWN_WRITES, Probe, build, write_routes  # noqa: E402


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = make_world(tmp_path_factory.mktemp("probes"), hostile=True)
    return w


@pytest.fixture(scope="module")
def snapshot(world):
    return world.foreign_files(), world.nanshan.read_bytes(), world.nanshan_doc.read_bytes()


@pytest.fixture(scope="module")
def apps(world, snapshot):
    cache = world.root / "cache"
    served = build_app([world.nanshan, world.futian], world.users, secret=b"probe", load=True, cache_directory=cache)
    local = build_app([world.nanshan, world.futian], None, load=True, cache_directory=cache)
    yield {"served": served, "local": local}
    for app in (served, local):
        app.config["STUDIOFUND_OVERVIEW"].close()


def _url_map():
    """The routes of the app ``serve`` runs (Fava's and any studiofund adds)."""
    return build_app([], None).url_map


def _probes(world) -> list[Probe]:
    return build(_url_map(), world)


class Clients:
    """One logged-in test client per user (the login costs one scrypt hash), made on demand."""

    def __init__(self, apps):
        self.apps = apps
        self.cache = {}

    def get(self, who: str):
        if who == "local":
            return self.apps["local"].test_client()
        if who in ("anon",) or who.startswith(("basic:", "login:")):
            return self.apps["served"].test_client()
        if who not in self.cache:
            client = self.apps["served"].test_client()
            assert login(client, who).status_code == 302
            self.cache[who] = client
        return self.cache[who]


@pytest.fixture(scope="module")
def clients(apps):
    return Clients(apps)


def _collect_ids():
    # ids are computed from a throwaway world: paths differ per run, labels do not
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        return [p.id for p in build(_url_map(), make_world(Path(tmp), hostile=True))]


PROBE_IDS = _collect_ids()


def test_probe_ids_are_unique_and_many():
    assert len(PROBE_IDS) == len(set(PROBE_IDS)), [i for i in PROBE_IDS if PROBE_IDS.count(i) > 1][:5]
    assert len(PROBE_IDS) >= 300


@pytest.fixture(scope="module")
def probes_by_id(world):
    return {p.id: p for p in _probes(world)}


def _send(client, probe: Probe, world):
    kwargs = dict(probe.kwargs)
    headers = dict(kwargs.pop("headers", {}))
    cookies = kwargs.pop("cookies", {})
    for name, value in cookies.items():
        client.set_cookie(name, value)
    who = probe.who
    if who.startswith("basic:"):
        _, name, *password = who.split(":")
        headers.update(basic(name, password[0] if password else None))
    if who.startswith("login:"):
        name = who.split(":", 1)[1]
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
        kwargs = {"data": {"username": name, "password": PASSWORDS[name], "csrf": csrf,
                           "next": kwargs.get("next", "/")}}
    try:
        return client.open(probe.path, method=probe.method, headers=headers, **kwargs)
    finally:
        for name in cookies:
            client.delete_cookie(name)


@pytest.mark.parametrize("probe_id", PROBE_IDS)
def test_probe(probe_id, probes_by_id, clients, world):
    probe = probes_by_id[probe_id]
    client = clients.get(probe.who)
    if probe.id == "csrf logout leaves no session":
        client = clients.apps["served"].test_client()
        login(client, "nanshan-auditor")
    response = _send(client, probe, world)
    for _ in range(60):  # the overview answers 202 while its figures are being computed
        if response.status_code != 202 or 202 in probe.expect:
            break
        time.sleep(1)
        response = _send(client, probe, world)
    assert response.status_code in probe.expect, (probe.id, response.status_code, response.data[:300])
    if probe.leak_check:
        assert leaks(response.data) == [], probe.id
        assert b"root:x:0:0" not in response.data
    if probe.check is not None:
        probe.check(response)


def test_nothing_changed_and_no_code_ran(world, snapshot, apps):
    # runs after the probes of this module (pytest keeps file order)
    foreign, nanshan, nanshan_doc = snapshot
    assert world.foreign_files() == foreign
    assert world.nanshan.read_bytes() == nanshan and world.nanshan_doc.read_bytes() == nanshan_doc
    assert world.code_ran() == []
    assert not (world.root / "written.txt").exists()


def test_write_routes_are_all_known():
    """A write route that a new Fava (or a new route of ours) adds fails here until it is
    classified; the ``method`` probes, built from the same url_map, refuse each one."""
    found = {(endpoint, method) for endpoint, method, _ in write_routes(_url_map())}
    assert found == KNOWN_WRITES
