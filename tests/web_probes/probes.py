"""The table of web probes: who asks what, and what the server must answer.

Each :class:`Probe` is one HTTP request against the two-district world of ``web_world`` (南山区's
ledger carries every attack line of the probe) and the status it must get; every answer is also
searched for content of 福田区 or of the server outside the ledgers (``leaks``). Families:

* ``anon``      — no or bad credentials, on every route of Fava's url_map;
* ``foreign``   — a 南山区 user on every route of 福田区's ledger (404, nothing of it);
* ``read``      — what a 南山区 user may do still works (no leak either);
* ``method``    — every non-GET method on every write route and on read routes, every role;
* ``closed``    — the editor, import and source routes by GET, spelled every way;
* ``traversal`` — path tricks in every parameter that names a file or a page;
* ``escalate``  — an auditor trying an officer's door, a user without export exporting;
* ``csrf``      — login without its token, requests from another site;
* ``query``     — statements that are not plain read-only queries, catastrophic regexes;
* ``body``      — oversized or lying request bodies;
* ``local``     — the no-login local mode: reads yes, writes no.

Routes come from Fava's own url_map where they can, so a route Fava adds is probed too.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote

from web_world import FUTIAN, NANSHAN

READ_ONLY = ("GET", "HEAD", "OPTIONS")

#: Fava's write routes as (endpoint, method): the url_map test fails when Fava adds another.
KNOWN_WRITES = frozenset({
    ("json_api.put_add_document", "PUT"), ("json_api.put_add_entries", "PUT"),
    ("json_api.put_attach_document", "PUT"), ("json_api.delete_document", "DELETE"),
    ("json_api.put_format_source", "PUT"), ("json_api.put_move", "PUT"),
    ("json_api.put_source", "PUT"), ("json_api.put_source_slice", "PUT"),
    ("json_api.delete_source_slice", "DELETE"), ("json_api.put_upload_import_file", "PUT"),
    ("extension_endpoint", "POST"), ("extension_endpoint", "PUT"), ("extension_endpoint", "DELETE"),
})

#: Sample values for the URL variables of Fava's routes.
SAMPLE_VARS = {
    "report_name": "income_statement", "name": "Expenses:Materials", "result_format": "csv",
    "extension_name": "Compliance", "endpoint": "whoami", "page_slug": "_index",
    "aggregation_key": "account", "filename": "app.js",
}
#: Sample query strings for routes that need them.
SAMPLE_QUERY = {
    "json_api.get_context": "entry_hash=x",
    "json_api.get_source_slice": "entry_hash=x",
    "json_api.get_extract": "filename=x&importer=y",
    "json_api.get_payee_accounts": "payee=x",
    "json_api.get_payee_transaction": "payee=x",
    "json_api.get_narration_transaction": "narration=x",
    "json_api.get_query": "query_string=SELECT%20narration",
    "json_api.get_journal_page": "page=1&order=desc",
    "json_api.get_account_report": "a=Expenses&r=changes",
    "json_api.get_help": "page_slug=_index",
    "download_query": "query_string=SELECT%20*",
    "document": "filename=x",
    "statement": "entry_hash=x&key=document",
}


@dataclass(frozen=True)
class Probe:
    id: str
    who: str  # "anon", "local", a user of web_world.PASSWORDS, or "basic:<user>[:<password>]"
    method: str
    path: str
    expect: tuple[int, ...]
    kwargs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    check: Callable[[Any], None] | None = field(default=None, hash=False, compare=False)
    leak_check: bool = True


def _rule_url(rule: Any, slug: str) -> str:
    values = {arg: SAMPLE_VARS.get(arg, "x") for arg in rule.arguments if arg != "bfile"}
    path = rule.rule
    for arg, value in values.items():
        path = path.replace(f"<{arg}>", value)
        for converter in ("path:", "any(account,currency,cost_currency):"):
            path = path.replace(f"<{converter}{arg}>", value)
    path = path.replace("<bfile>", slug.lstrip("/"))
    query = SAMPLE_QUERY.get(rule.endpoint)
    return path + (f"?{query}" if query else "")


def get_routes(url_map: Any) -> list[tuple[str, Any]]:
    return sorted([(rule.endpoint, rule) for rule in url_map.iter_rules() if "GET" in rule.methods],
                  key=lambda x: x[1].rule)


def write_routes(url_map: Any) -> list[tuple[str, str, Any]]:
    out = []
    for rule in url_map.iter_rules():
        for method in sorted(rule.methods - set(READ_ONLY)):
            out.append((rule.endpoint, method, rule))
    return sorted(out, key=lambda x: (x[2].rule, x[1]))


def _b64(text: bytes) -> str:
    return base64.b64encode(text).decode()


def build(url_map: Any, world: Any) -> list[Probe]:
    probes: list[Probe] = []
    add = probes.append
    gets = get_routes(url_map)
    slugged = [(e, r) for e, r in gets if "<bfile>" in r.rule]

    # -- anon: every GET route without credentials, as a script and as a browser ---------------
    for endpoint, rule in gets:
        url = _rule_url(rule, NANSHAN)
        add(Probe(f"anon-script {rule.rule}", "anon", "GET", url, (401,)))
        add(Probe(f"anon-browser {rule.rule}", "anon", "GET", url, (302,),
                  {"headers": {"Accept": "text/html"}}, check=_to_login))
    for endpoint, method, rule in write_routes(url_map):
        add(Probe(f"anon-write {method} {rule.rule}", "anon", method, _rule_url(rule, NANSHAN), (401, 403)))
    bad_auth = {
        "wrong password": "Basic " + _b64(b"nanshan-auditor:wrong-password"),
        "unknown user": "Basic " + _b64(b"nobody:whatever-1"),
        "empty password": "Basic " + _b64(b"nanshan-auditor:"),
        "empty user": "Basic " + _b64(b":audit-pass-1"),
        "no colon": "Basic " + _b64(b"nanshan-auditor"),
        "not base64": "Basic !!!notbase64!!!",
        "not utf-8": "Basic " + _b64(b"\xff\xfe:\xff"),
        "basic only": "Basic ",
        "bearer": "Bearer abc.def.ghi",
        "digest": 'Digest username="nanshan-auditor"',
        "long user": "Basic " + _b64(b"a" * 5000 + b":x"),
        "password with nul": "Basic " + _b64(b"nanshan-auditor:audit-pass-1\x00"),
        "case of name": "Basic " + _b64(b"NANSHAN-AUDITOR:audit-pass-1"),
        "name with space": "Basic " + _b64(b" nanshan-auditor:audit-pass-1"),
    }
    for label, header in bad_auth.items():
        add(Probe(f"anon-auth {label}", "anon", "GET", NANSHAN + "/api/ledger_data", (401,),
                  {"headers": {"Authorization": header}, "environ_base": {"REMOTE_ADDR": f"10.9.{len(probes) % 250}.1"}}))
    bad_cookies = {
        "random": "x" * 43, "empty": "", "old signed format": "eyJ1IjoiY2l0eS1hdWRpdG9yIn0.forged.sig",
        "user name": "nanshan-auditor", "huge": "a" * 4000, "json": '{"u":"city-auditor"}',
    }
    for label, value in bad_cookies.items():
        add(Probe(f"anon-cookie {label}", "anon", "GET", NANSHAN + "/api/ledger_data", (401,),
                  {"cookies": {"studiofund_session": value}}))
        add(Probe(f"anon-cookie-host {label}", "anon", "GET", NANSHAN + "/api/ledger_data", (401,),
                  {"cookies": {"__Host-studiofund_session": value}}))

    # -- foreign: a 南山区 user on every route of 福田区's ledger -----------------------------------
    for who in ("nanshan-auditor", "nanshan-officer", "noexport-auditor"):
        for endpoint, rule in slugged:
            add(Probe(f"foreign {who} {rule.rule}", who, "GET", _rule_url(rule, FUTIAN), (404,)))
    for endpoint, rule in slugged[:: 3]:
        add(Probe(f"foreign basic {rule.rule}", "basic:nanshan-auditor", "GET", _rule_url(rule, FUTIAN), (404,)))

    # -- read: what a 南山区 user may still do ------------------------------------------------------
    reads = [
        "/income_statement/", "/balance_sheet/", "/trial_balance/", "/journal/", "/query/", "/documents/",
        "/events/", "/statistics/", "/options/", "/errors/", "/holdings/", "/commodities/",
        "/help/", "/account/Expenses:Materials/", "/extension/Compliance/", "/extension_js_module/Compliance.js",
        "/api/ledger_data", "/api/errors", "/api/journal", "/api/documents", "/api/options",
        "/api/income_statement", "/api/balance_sheet", "/api/trial_balance", "/api/statistics",
        "/api/events", "/api/commodities", "/api/narrations", "/api/changed", "/api/payee_accounts?payee=x",
        "/api/journal_page?page=1&order=desc", "/api/account_report?a=Expenses&r=changes",
        "/api/query?query_string=SELECT%20narration", "/download-journal/",
        "/download-query/query_result.csv?query_string=SELECT%20narration",
        "/extension/Compliance/whoami",
    ]
    for who in ("nanshan-auditor", "nanshan-officer", "city-auditor"):
        for path in reads:
            add(Probe(f"read {who} {path}", who, "GET", NANSHAN + path, (200,)))
    add(Probe("read own scan", "nanshan-auditor", "GET",
              NANSHAN + f"/document/?filename={quote(str(world.nanshan_doc))}", (200,), check=_nosniff))
    add(Probe("read root redirect", "nanshan-auditor", "GET", "/", (302,), check=_to_own_ledger))

    # -- method: every write route, every role; and non-GET methods on read routes ---------------
    payloads = {"json": {"file_path": str(world.futian), "source": "; pwned\n", "sha256sum": "x",
                         "entry_hash": "x", "filename": str(world.futian_doc), "account": "Expenses:Materials",
                         "new_name": "x.pdf", "entries": []}}
    for who in ("nanshan-auditor", "nanshan-officer", "city-auditor", "local"):
        for endpoint, method, rule in write_routes(url_map):
            url = _rule_url(rule, NANSHAN)
            if endpoint == "extension_endpoint":
                for ext in ("Compliance", "Booking", "booking", "Booking/../Compliance"):
                    if method == "POST" and ext == "Booking" and who in ("nanshan-officer", "local"):
                        continue  # the desk: an officer's one door (see the escalate family)
                    path = NANSHAN + f"/extension/{ext}/whoami"
                    add(Probe(f"method {who} {method} {path}", who, method, path, (403,), payloads))
                continue
            add(Probe(f"method {who} {method} {rule.rule}", who, method, url, (403,), payloads))
    for who in ("nanshan-officer", "local"):
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "COPY"):
            for path in ("/api/journal", "/income_statement/", "/document/?filename=x", "/api/source"):
                add(Probe(f"method {who} {method} {path}", who, method, NANSHAN + path, (403,), payloads))
    for override in ("GET", "PUT", "DELETE"):
        for header in ("X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"):
            add(Probe(f"method override {header}={override}", "nanshan-officer", "POST", NANSHAN + "/api/source",
                      (403,), {"headers": {header: override}, **payloads}))
            add(Probe(f"method override GET-with {header}={override}", "nanshan-officer", "GET",
                      NANSHAN + "/api/source", (403,), {"headers": {header: override}}))

    # -- closed: editor, import, source by GET, spelled every way --------------------------------
    closed = ["/api/source", "/api/source?filename=futian-ledger", "/api/source?filename=/etc/passwd",
              "/api/source_slice?entry_hash=x",
              "/api/extract?filename=x&importer=y", "/api/imports", "/editor/", "/import/",
              "//api/source", "/api/source/", "/api//source", "/./api/source", "/api/./source",
              "/api/%73ource", "/editor", "//editor/", "/import", "/api/imports/", "/API/source"]
    for who in ("nanshan-auditor", "nanshan-officer", "city-auditor", "local"):
        for path in closed:
            url = NANSHAN + path.replace("futian-ledger", quote(str(world.futian)))
            add(Probe(f"closed {who} {path}", who, "GET", url, (403, 404, 308)))
            add(Probe(f"closed-head {who} {path}", who, "HEAD", url, (403, 404, 308)))

    # -- traversal: every parameter that names a file or a page ---------------------------------
    files = {
        "futian scan": str(world.futian_doc), "futian ledger": str(world.futian),
        "futian year": str(world.futian_year), "outside secret": str(world.outside_secret),
        "users file": str(world.users), "passwd": "/etc/passwd", "proc environ": "/proc/self/environ",
        "dev zero": "/dev/zero", "own ledger": str(world.nanshan),
        "own include": str(world.nanshan.parent / "2020.beancount"),
        "dotdot from docs": str(world.nanshan_doc.parent / ".." / ".." / ".." / ".." / "futian" / "futian.beancount"),
        "relative futian": "../futian/futian.beancount", "relative outside": "../../outside/secret.txt",
        "docs dotdot": "nanshan.documents/../../futian/2021.beancount",
        "nul suffix": str(world.nanshan_doc) + "\x00.pdf", "uploaded python": str(world.nanshan_doc.parent / "evil_import.py"),
        "fifo": str(world.nanshan.parent / "fifo.beancount"), "symlink": str(world.nanshan.parent / "link-to-futian.beancount"),
        "file url": "file:///etc/passwd", "home": "~/.bashrc",
    }
    for who in ("nanshan-auditor", "nanshan-officer"):
        for label, name in files.items():
            add(Probe(f"traversal document {who} {label}", who, "GET",
                      NANSHAN + "/document/?filename=" + quote(name), (404,)))
    for key in ("document", "filename", "../../etc/passwd", "statement"):
        add(Probe(f"traversal statement key={key}", "nanshan-auditor", "GET",
                  NANSHAN + f"/statement/?entry_hash=x&key={quote(key)}", (404,)))
    page_tricks = ["..%2F..%2Fetc%2Fpasswd", "../../../etc/passwd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                   "..\\..\\etc\\passwd", "....//....//etc/passwd"]
    for trick in page_tricks:
        for template in ("/help/{t}", "/account/{t}/", "/extension/{t}/", "/extension_js_module/{t}.js",
                         "/extension/Compliance/{t}", "/download-query/query_result.{t}?query_string=SELECT%201",
                         "/{t}/"):
            add(Probe(f"traversal {template} {trick}", "nanshan-auditor", "GET",
                      NANSHAN + template.format(t=trick),
                      (200, 404) if template == "/account/{t}/" else (301, 302, 308, 400, 403, 404, 405)))
        add(Probe(f"traversal static {trick}", "nanshan-auditor", "GET", "/static/" + trick, (301, 302, 308, 400, 404)))
    params = {"entry_hash": "context", "a": "account_report", "payee": "payee_accounts",
              "narration": "narration_transaction", "page_slug": "help"}
    for param, route in params.items():
        for label, trick in (("dotdot", "../../etc/passwd"), ("futian path", str(world.futian))):
            add(Probe(f"traversal param {param} {label}", "nanshan-auditor", "GET",
                      NANSHAN + f"/api/{route}?{param}={quote(trick)}", (200, 400, 404)))
    for referer in ("https://evil.example/x?time=2020", "//evil.example/", "javascript:alert(1)"):
        add(Probe(f"traversal jump {referer}", "nanshan-auditor", "GET", "/jump?time=2020", (302,),
                  {"headers": {"Referer": referer}}, check=_not_offsite))
    for nxt in ("https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
                "javascript:alert(1)", "/%0d%0aSet-Cookie:x=y", "http:/evil.example"):
        add(Probe(f"traversal login next={nxt}", "login:nanshan-auditor", "POST", "/login", (302,),
                  {"next": nxt}, check=_redirect_local))

    # -- escalate ---------------------------------------------------------------------------------
    for who in ("nanshan-auditor", "city-auditor", "noexport-auditor"):
        for endpoint in ("book", "preview", "pending", "complete", "upload"):
            add(Probe(f"escalate {who} desk {endpoint}", who, "POST", NANSHAN + f"/extension/Booking/{endpoint}",
                      (403,), {"json": {}}))
    for path in ("/download-journal/", "/download-query/query_result.csv?query_string=SELECT%201",
                 "/download-query/query_result.xlsx?query_string=SELECT%201",
                 "/extension/Vouchers/journal?year=2020", "/extension/Vouchers/journal?year=2020&format=csv",
                 "//extension/Vouchers/journal?year=2020"):
        add(Probe(f"escalate noexport {path}", "noexport-auditor", "GET", NANSHAN + path, (403,)))
    add(Probe("escalate officer of futian on nanshan", "futian-officer", "GET", NANSHAN + "/api/journal", (404,),
              leak_check=False))
    add(Probe("escalate futian officer desk on nanshan", "futian-officer", "POST",
              NANSHAN + "/extension/Booking/book", (404,), {"json": {}}, leak_check=False))
    add(Probe("escalate role header", "nanshan-auditor", "PUT", NANSHAN + "/api/add_entries", (403,),
              {"json": {"entries": []}, "headers": {"X-Role": "officer", "X-Studiofund-Access": "officer"}}))
    add(Probe("escalate officer name with auditor password", "basic:nanshan-officer:audit-pass-1", "GET",
              NANSHAN + "/api/journal", (401,)))

    # -- csrf ---------------------------------------------------------------------------------------
    creds = {"username": "nanshan-auditor", "password": "audit-pass-1"}
    add(Probe("csrf login without token", "anon", "POST", "/login", (400,), {"data": creds}, check=_no_session))
    add(Probe("csrf login with forged token", "anon", "POST", "/login", (400,),
              {"data": {**creds, "csrf": "0" * 64}}, check=_no_session))
    for origin in ("https://evil.example", "null", "http://localhost:9999", "http://localhost.evil.example"):
        add(Probe(f"csrf login from {origin}", "anon", "POST", "/login", (403,),
                  {"data": creds, "headers": {"Origin": origin}}, check=_no_session))
        add(Probe(f"csrf desk from {origin}", "nanshan-officer", "POST", NANSHAN + "/extension/Booking/book",
                  (403,), {"json": {}, "headers": {"Origin": origin}}))
        add(Probe(f"csrf desk referer {origin}", "nanshan-officer", "POST", NANSHAN + "/extension/Booking/book",
                  (403,), {"json": {}, "headers": {"Referer": origin + "/x"}}))
    add(Probe("csrf logout leaves no session", "nanshan-auditor", "GET", "/logout", (302,), check=_cleared))

    # -- query --------------------------------------------------------------------------------------
    bad_queries = [
        f"CREATE TABLE t (a str) USING 'csv:{world.outside_secret}'", "CREATE TABLE t (a str) USING 'csv:/dev/zero'",
        f"create table t (a str) using 'csv:{world.futian}'", "INSERT INTO t VALUES (1)",
        f".output {world.root / 'written.txt'}", f"output {world.root / 'written.txt'}",
        ".set format csv", ".help", "help select", ".explain SELECT 1", ".describe postings", ".tables",
        ".parse SELECT 1", ".reload", "run evil", ".run evil", "run nosuch", "SELECT\x00 1",
        "SELECT '" + "x" * 12000 + "'", "", "   ", "!cat /etc/passwd", "?", ".history", ".clear", "EOF", ".exit",
    ]
    for number, text in enumerate(bad_queries):
        add(Probe(f"query api {number} {text.split(' ')[0][:16]!r}", "nanshan-auditor", "GET",
                  NANSHAN + "/api/query?query_string=" + quote(text), (400,)))
    for number, text in enumerate(bad_queries[:6]):
        add(Probe(f"query download {number} {text.split(' ')[0][:16]!r}", "nanshan-auditor", "GET",
                  NANSHAN + "/download-query/query_result.csv?query_string=" + quote(text), (400,)))
    regexes = ("(a+)+$", "(a|aa)*b", "((a*)*)*", "(.*)*x", "^(a|aa)+$", "([a-z]+)*!")
    for value in regexes:
        # unquoted, Fava's filter syntax splits the parentheses off: no nested repetition remains
        add(Probe(f"query filter bare {value}", "nanshan-auditor", "GET",
                  NANSHAN + "/api/journal?filter=" + quote(value), (200, 400)))
        for key in ("narration", "payee", "any(account)"):
            quoted = f'{key}:"{value}"' if key != "any(account)" else f'any(account:"{value}")'
            add(Probe(f"query filter {quoted}", "nanshan-auditor", "GET",
                      NANSHAN + "/api/journal?filter=" + quote(quoted), (400,)))
        add(Probe(f"query account {value}", "nanshan-auditor", "GET",
                  NANSHAN + "/api/journal?account=" + quote(value), (400,)))
        add(Probe(f"query regex in query {value}", "nanshan-auditor", "GET",
                  NANSHAN + "/api/query?query_string=" + quote(f"SELECT narration WHERE narration ~ '{value}'"),
                  (200, 400)))
    add(Probe("query long filter", "nanshan-auditor", "GET", NANSHAN + "/api/journal?filter=" + "a" * 5000, (400,)))
    add(Probe("query plain filter works", "nanshan-auditor", "GET", NANSHAN + "/api/journal?filter=" + quote("图书"), (200,)))

    # -- body ---------------------------------------------------------------------------------------
    add(Probe("body huge content-length desk", "nanshan-officer", "POST", NANSHAN + "/extension/Booking/book", (413,),
              {"data": b"{}", "content_type": "application/json",
               "environ_overrides": {"CONTENT_LENGTH": str(1024 ** 3)}}))
    add(Probe("body bad content-length", "nanshan-officer", "POST", NANSHAN + "/extension/Booking/book", (400,),
              {"data": b"{}", "content_type": "application/json", "environ_overrides": {"CONTENT_LENGTH": "abc"}}))
    add(Probe("body huge login", "anon", "POST", "/login", (400, 413),
              {"data": {"username": "a" * 100_000, "password": "x"}}))
    add(Probe("body huge put", "nanshan-auditor", "PUT", NANSHAN + "/api/source", (403, 413),
              {"data": b"x", "environ_overrides": {"CONTENT_LENGTH": str(1024 ** 3)}}))

    # -- headers and cookie flags -----------------------------------------------------------------
    for path in ("/login", NANSHAN + "/income_statement/", NANSHAN + "/api/ledger_data", NANSHAN + "/editor/"):
        add(Probe(f"headers {path}", "nanshan-auditor", "GET", path, (200, 403), check=_security_headers))
    add(Probe("cookie flags on login", "login:nanshan-auditor", "POST", "/login", (302,), {"next": "/"},
              check=_cookie_flags))

    # -- overview: the bureau's table over the user's scope (figures from confined loads) -----------
    for path in ("/overview.json?year=2020", "/overview.json?year=2021", "/overview.xlsx?year=2020", "/"):
        add(Probe(f"anon overview {path}", "anon", "GET", path, (401,)))
    for who in ("nanshan-auditor", "nanshan-officer", "noexport-auditor"):
        for year, foreign_amount in ((2020, "30000"), (2021, "50000")):
            add(Probe(f"overview {who} {year}", who, "GET", f"/overview.json?year={year}", (200,),
                      check=_without(foreign_amount)))
        add(Probe(f"overview {who} xlsx", who, "GET", "/overview.xlsx?year=2020", (200,), leak_check=False))
        add(Probe(f"overview {who} page", who, "GET", "/?year=2020", (200, 302), {"headers": {"Accept": "text/html"}}))
    for method in ("POST", "PUT", "DELETE"):
        add(Probe(f"overview method {method}", "nanshan-officer", method, "/overview.json?year=2020", (403,)))

    # -- local: no login, 127.0.0.1 -----------------------------------------------------------------
    for path in reads[:20]:
        add(Probe(f"local read {path}", "local", "GET", NANSHAN + path, (200,)))
    add(Probe("local login page redirects", "local", "GET", "/login", (302,)))
    for host in ("rebind.evil.example", "rebind.evil.example:5000", "127.0.0.1.evil.example", "10.0.0.8"):
        for path in ("/api/journal", "/income_statement/"):
            add(Probe(f"local dns-rebinding {host} {path}", "local", "GET", NANSHAN + path, (403,),
                      {"headers": {"Host": host}}))
    add(Probe("local foreign ledger visible", "local", "GET", FUTIAN + "/api/journal", (200,), leak_check=False))
    return probes


# -- checks ------------------------------------------------------------------------------------------

def _without(amount: str) -> Callable[[Any], None]:
    """The answer holds no figure of 福田区 (its grants are 30,000 in 2020, 50,000 in 2021)."""
    def check(r: Any) -> None:
        text = r.get_data(as_text=True)
        assert amount not in text.replace(",", ""), amount
    return check


def _to_login(r: Any) -> None:
    assert r.headers["Location"].startswith("/login?next="), r.headers["Location"]


def _to_own_ledger(r: Any) -> None:
    assert r.headers["Location"].startswith(NANSHAN + "/")


def _nosniff(r: Any) -> None:
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def _not_offsite(r: Any) -> None:
    location = r.headers["Location"]
    assert not location.startswith(("//", "http", "javascript")) and "evil" not in location, location


def _redirect_local(r: Any) -> None:
    location = r.headers["Location"]
    assert location == "/" or (location.startswith("/") and not location.startswith("//")
                               and "\\" not in location and "\r" not in location and "\n" not in location), location


def _no_session(r: Any) -> None:
    assert not any(h.startswith(("studiofund_session=", "__Host-studiofund_session="))
                   for h in r.headers.getlist("Set-Cookie"))


def _cleared(r: Any) -> None:
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("studiofund_session="))
    assert "Max-Age=0" in cookie or "1970" in cookie


def _security_headers(r: Any) -> None:
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "same-origin"


def _cookie_flags(r: Any) -> None:
    cookie = next(h for h in r.headers.getlist("Set-Cookie") if h.startswith("studiofund_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
