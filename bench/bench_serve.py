"""Benchmark of ``studiofund serve`` with many ledgers (default 1,000 × 300 transactions).

Starts the real server (``studiofund serve DIR --users users.toml``, cheroot) as a process and,
as a city auditor who sees every studio (HTTP Basic), measures:

* **time to the overview**: from starting the process until ``/`` (the 全区汇总 page) answers
  200 and until ``/overview.json`` answers 200 with every studio (target ≤ 10 s) — first with
  an empty cache (the server summarises every ledger in its background pool, confined loads,
  into its own part of the cache), then after a restart with that cache (the usual case); with
  the server's CPU time at that moment, which machine load does not distort;
* **memory**: the server's resident set (VmRSS) after visiting 50 studios' 经费合规 pages
  (target ≤ 600 MiB), with ``--max-loaded`` (default 16) ledgers kept loaded;
* **overview latency, warm**: median and slowest of 20 requests of ``/overview.json`` and ``/``;
* **a change without restart**: one ledger gains a payment; seconds until ``/overview.json``
  shows its new spending;
* **watcher errors**: "Too many open files" or tracebacks in the server's output (target: none).

    .venv/bin/python bench/bench_serve.py [--studios 1000] [--txns 300] [--max-loaded 16]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from studios import generate, studio_name  # noqa: E402

ROOT = Path(__file__).resolve().parent
PYTHON = sys.executable
STUDIOFUND = str(Path(PYTHON).parent / "studiofund")
USER, PASSWORD = "市局审计", "bench-password-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A browser's way in: log in once (POST /login), then the session cookie. HTTP Basic would
    pay for a password hash check (scrypt) on every request."""

    cookie = ""


def login(base: str) -> bool:
    """The login form as a browser fills it: its CSRF cookie and field, then the session cookie."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(base + "/login", timeout=60) as page:
            csrf_cookie = page.headers.get("Set-Cookie", "").split(";", 1)[0]
            csrf = re.search(r'name="csrf" value="([^"]+)"', page.read().decode()).group(1)
    except (urllib.error.URLError, ConnectionError, TimeoutError, AttributeError):
        return False
    data = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "next": "/", "csrf": csrf}).encode()
    request = urllib.request.Request(base + "/login", data=data, method="POST",
                                     headers={"Cookie": csrf_cookie, "Origin": base})
    try:
        opener.open(request, timeout=60)
    except urllib.error.HTTPError as exc:
        cookies = exc.headers.get_all("Set-Cookie") or []
        session = [c.split(";", 1)[0] for c in cookies if "session" in c.split("=", 1)[0]]
        Session.cookie = session[0] if session else ""
        return exc.code in (302, 303) and bool(Session.cookie)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False
    return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, accept: str = "application/json", timeout: float = 120) -> tuple[int, bytes]:
    if Session.cookie:
        headers = {"Cookie": Session.cookie, "Accept": accept}
    else:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": accept}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (what machine load does not distort)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_rss_mib(pid: int) -> float:
    total = 0.0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            try:
                total += rss_mib(int(kid)) + children_rss_mib(int(kid))
            except (OSError, AttributeError):
                pass
    return total


def serve(directory: Path, users: Path, cache: Path, port: int, max_loaded: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, STUDIOFUND_CACHE_DIR=str(cache))
    with log.open("w") as handle:
        return subprocess.Popen([STUDIOFUND, "serve", str(directory), "--users", str(users), "--port", str(port),
                                 "--max-loaded", str(max_loaded)], env=env, stdout=handle, stderr=subprocess.STDOUT)


def until(url: str, accept: str, deadline: float, complete=lambda status, body: status == 200) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < deadline:
        status, body = get(url, accept)
        if complete(status, body):
            return time.perf_counter() - start
        time.sleep(0.1)
    return None


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--studios", type=int, default=1000)
    parser.add_argument("--txns", type=int, default=300)
    parser.add_argument("--max-loaded", type=int, default=16)
    parser.add_argument("--visits", type=int, default=50)
    args = parser.parse_args()
    directory = ROOT / "out" / f"serve-{args.studios}x{args.txns}"
    files = generate(directory, args.studios, args.txns)
    print(f"{len(files)} ledgers × {args.txns} transactions in {directory}; {os.cpu_count()} cores; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    users = scratch / "users.toml"
    done = subprocess.run([STUDIOFUND, "user", "add", str(users), USER, "--role", "auditor", "--password-stdin"],
                          input=PASSWORD + "\n", text=True, capture_output=True)
    assert done.returncode == 0, done.stderr
    errors_seen = []
    try:
        cache = scratch / "cache"
        for scenario in ("empty cache", "restart"):
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            log = scratch / f"serve-{scenario.split()[0]}.log"
            started = time.perf_counter()
            server = serve(directory, users, cache, port, args.max_loaded, log)
            Session.cookie = ""
            try:
                until(f"{base}/", "text/html", 600)
                page_at = time.perf_counter() - started
                page_cpu = cpu_seconds(server.pid)

                def complete(status: int, body: bytes) -> bool:
                    return status == 200 and len(json.loads(body)["studios"]) == len(files)

                full = until(f"{base}/overview.json?year=2020", "application/json", 1800, complete)
                full_at = f"{time.perf_counter() - started:.1f}" if full is not None else "never"
                print(f"[{scenario}] overview page answers {page_at:.1f} s after start (the server had used "
                      f"{page_cpu:.1f} s of CPU); complete overview.json {full_at} s after start "
                      f"(CPU {cpu_seconds(server.pid):.1f} s; target ≤ 10 s); load {os.getloadavg()[0]:.1f}", flush=True)
                if scenario != "restart":
                    continue
                assert login(base), "login failed"
                # 50 studios' 经费合规 pages
                _, html = get(f"{base}/?year=2020", "text/html")
                links = re.findall(r'href="(/[^"]+/extension/Compliance/\?time=2020)"', html.decode())
                step = max(1, len(links) // args.visits)
                start = time.perf_counter()
                visited = 0
                for link in links[::step][: args.visits]:
                    status, _ = get(base + link, "text/html")
                    visited += status == 200
                visiting = time.perf_counter() - start
                print(f"[{scenario}] visited {visited} studios' 经费合规 pages in {visiting:.1f} s "
                      f"({visiting / max(visited, 1):.2f} s each, each loaded on first request); "
                      f"server RSS {rss_mib(server.pid):.0f} MiB (target ≤ 600), its worker processes "
                      f"{children_rss_mib(server.pid):.0f} MiB", flush=True)
                for path, accept in (("/overview.json?year=2020", "application/json"), ("/?year=2020", "text/html")):
                    times = []
                    for _ in range(20):
                        t = time.perf_counter()
                        status, _ = get(base + path, accept)
                        assert status == 200, status
                        times.append(time.perf_counter() - t)
                    print(f"[{scenario}] {path} warm: median {statistics.median(times) * 1000:.0f} ms, "
                          f"slowest {max(times) * 1000:.0f} ms", flush=True)
                # a change without restart
                target = files[len(files) // 2]
                name = studio_name(len(files) // 2)
                _, body = get(f"{base}/overview.json?year=2020")
                before = next(s for s in json.loads(body)["studios"] if s["studio"]["name"] == name)
                with target.open("a", encoding="utf-8") as handle:
                    handle.write('\n2020-12-30 * "书店" "年终图书"\n  voucher: "2020-9999"\n  invoice: "BENCH-1"\n'
                                 '  approver: "主持人"\n  reviewer: "校长"\n'
                                 "  Expenses:Materials  1234.56 CNY\n  Assets:Bank:Dedicated\n")
                t = time.perf_counter()

                def changed(status: int, body: bytes) -> bool:
                    if status != 200:
                        return False
                    row = next(s for s in json.loads(body)["studios"] if s["studio"]["name"] == name)
                    return row["spending_total"] != before["spending_total"]

                seen = until(f"{base}/overview.json?year=2020", "application/json", 300, changed)
                print(f"[{scenario}] an edited ledger's new figures in the overview after "
                      f"{seen if seen is None else round(seen, 1)} s, without restart", flush=True)
                text = target.read_text(encoding="utf-8")
                target.write_text(text[: text.index('\n2020-12-30 * "书店" "年终图书"')], encoding="utf-8")
            finally:
                stop(server)
                output = log.read_text(errors="replace")
                problems = output.count("Too many open files") + output.count("Traceback")
                errors_seen.append(problems)
                print(f"[{scenario}] watcher errors / tracebacks in the server's output: {problems}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
