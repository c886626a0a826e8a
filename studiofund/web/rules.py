"""What a request may do once its user is known: the rules of ``studiofund serve``.

Nobody edits Beancount text through the web (CONTRACT.md, "Writing: one path"): every change
goes through the project's writer, whose only web door is the 记账 desk. So, for every role —
the local no-login user included:

* a method other than GET and HEAD is refused (403), except our own ``/login`` and ``/logout``
  and, for officers only, ``POST /<ledger>/extension/Booking/<endpoint>`` (the desk);
* Fava's routes that show source text or run importers are refused by GET as well:
  ``api/source``, ``api/source_slice``, ``api/extract``, ``api/imports`` and the pages
  ``editor/`` and ``import/`` (which are also hidden from Fava's sidebar);
* exports of the books (``download-journal/``, ``download-query/…``, the 台账 download
  ``extension/Vouchers/journal``) need a user who may export: officers and auditors by default (the books are the auditor's evidence; what they
  export is the ledger as the server loaded it, confined to its own directory), unless the users
  file says ``export = false`` for that user.

The rules are applied twice: by path in the login middleware (before Fava) and by Flask
endpoint inside Fava (:mod:`.guards`), so a path spelled differently cannot reach a closed view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .scope import Access
from .users import OFFICER

READ_METHODS = frozenset({"GET", "HEAD"})
#: The one Fava extension that may receive a POST, from officers: the 记账 desk.
DESK_EXTENSION = "Booking"

#: Fava's GET endpoints closed to every role, with what they would do.
CLOSED_ENDPOINTS: dict[str, str] = {
    "json_api.get_source": "查看或编辑源文件",
    "json_api.get_source_slice": "查看或编辑分录源文本",
    "json_api.get_extract": "运行导入程序",
    "json_api.get_imports": "运行导入程序",
}
#: Fava's report pages closed to every role.
CLOSED_REPORTS: dict[str, str] = {"editor": "使用编辑器", "import": "导入银行流水"}
#: The same routes by path (after ``/<ledger>/``), for the middleware.
CLOSED_PATHS: dict[str, str] = {
    "api/source": "查看或编辑源文件",
    "api/source_slice": "查看或编辑分录源文本",
    "api/extract": "运行导入程序",
    "api/imports": "运行导入程序",
    "editor": "使用编辑器",
    "import": "导入银行流水",
}
EXPORT_ENDPOINTS = frozenset({"download_journal", "download_query"})
EXPORT_PATHS = ("download-journal", "download-query")
#: Extension endpoints that export the books: (extension, endpoint) — the 台账 download.
EXPORT_EXTENSION_ENDPOINTS = frozenset({("Vouchers", "journal")})

#: Parameters that Fava compiles as regular expressions on every entry.
REGEX_PARAMS = ("account", "filter")
MAX_PARAM_CHARS = 1000


@dataclass(frozen=True)
class Denial:
    """A refused request: the HTTP status and the reason, in Chinese."""

    status: int
    message: str


def split_ledger_path(path: str) -> tuple[str | None, str]:
    """``/slug/api/source/`` → (``slug``, ``api/source``); repeated slashes are collapsed."""
    clean = re.sub(r"/+", "/", path or "/").strip("/")
    if not clean:
        return None, ""
    slug, _, rest = clean.partition("/")
    return slug, rest.strip("/")


def may_export(access: Access) -> bool:
    return access.user is None or getattr(access.user, "may_export", True)


def _write_denial(access: Access) -> Denial:
    if access.read_only:
        return Denial(403, "审计人员为只读权限：不能修改账簿、上传或删除文件。")
    return Denial(403, "网页上不能直接修改账簿文本，也不能上传、移动或删除文件（每笔记账都须先经过检查）；"
                       "记账请使用“记账”页面。")


def _closed(access: Access, what: str) -> Denial:
    if access.read_only:
        return Denial(403, f"审计人员为只读权限：不能{what}。")
    return Denial(403, f"网页上不能{what}（编辑器和导入已关闭）；记账请使用“记账”页面，导入请用 `studiofund import`。")


_EXPORT_DENIAL = Denial(403, "您的账号没有导出账簿的权限。")


def is_desk_post(access: Access, method: str, path: str) -> bool:
    """``POST /<ledger>/extension/Booking/<endpoint>`` by an officer (or the local user)."""
    if method.upper() != "POST" or access.role != OFFICER:
        return False
    _, rest = split_ledger_path(path)
    parts = rest.split("/")
    return len(parts) == 3 and parts[0] == "extension" and parts[1] == DESK_EXTENSION and bool(parts[2])


def check_request(access: Access, method: str, path: str) -> Denial | None:
    """The rule (by path) that refuses this request, or None."""
    if method.upper() not in READ_METHODS:
        return None if is_desk_post(access, method, path) else _write_denial(access)
    _, rest = split_ledger_path(path)
    what = CLOSED_PATHS.get(rest)
    if what:
        return _closed(access, what)
    if not may_export(access) and (rest.startswith(EXPORT_PATHS) or _extension_export(rest.split("/"))):
        return _EXPORT_DENIAL
    return None


def _extension_export(parts: list[str]) -> bool:
    return len(parts) >= 3 and parts[0] == "extension" and (parts[1], parts[2]) in EXPORT_EXTENSION_ENDPOINTS


def check_endpoint(access: Access | None, method: str, endpoint: str | None,
                   view_args: dict[str, Any] | None) -> Denial | None:
    """The rule (by Fava's Flask endpoint) that refuses this request, or None."""
    if access is None:
        return Denial(403, "需要登录。")
    view_args = view_args or {}
    if method.upper() not in READ_METHODS:
        desk = (endpoint == "extension_endpoint" and method.upper() == "POST"
                and view_args.get("extension_name") == DESK_EXTENSION and access.role == OFFICER)
        return None if desk else _write_denial(access)
    what = CLOSED_ENDPOINTS.get(endpoint or "")
    if endpoint == "report":
        what = CLOSED_REPORTS.get(str(view_args.get("report_name", "")))
    if what:
        return _closed(access, what)
    exporting = endpoint in EXPORT_ENDPOINTS or (
        endpoint == "extension_endpoint"
        and (view_args.get("extension_name"), view_args.get("endpoint")) in EXPORT_EXTENSION_ENDPOINTS)
    if exporting and not may_export(access):
        return _EXPORT_DENIAL
    return None


def risky_regex(pattern: str) -> bool:
    """Nested repetition — ``(a+)+``, ``(a|aa)*``, ``(.*)*`` — the shapes that backtrack
    exponentially. Python's ``re`` holds the interpreter lock while it matches, so one such
    pattern in a filter would stop every request of the server."""
    groups = [False]  # per open group: does it contain a repetition or an alternation?
    i, n = 0, len(pattern)

    def repeated(at: int) -> bool:
        return at < n and pattern[at] in "*+{"

    while i < n:
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            i = j + 1
            groups[-1] |= repeated(i)
            continue
        if char == "(":
            groups.append(False)
        elif char == ")":
            inner = groups.pop() if len(groups) > 1 else False
            if inner and repeated(i + 1):
                return True
            groups[-1] |= inner or repeated(i + 1)
        elif char == "|" or char in "*+{":
            groups[-1] = True
        i += 1
    return False


def filter_strings(text: str) -> list[str]:
    """The strings of a Fava filter that Fava may compile as regular expressions."""
    from fava.core.filters import FilterSyntaxLexer

    try:
        return [token.value for token in FilterSyntaxLexer().lex(text) if token.type == "STRING"]
    except Exception:  # noqa: BLE001 - Fava reports an illegal filter itself
        return [text]


def check_params(args: Any) -> Denial | None:
    """Refuse over-long filter parameters and catastrophic regular expressions in them."""
    for name in REGEX_PARAMS:
        value = args.get(name)
        if not value:
            continue
        if len(value) > MAX_PARAM_CHARS:
            return Denial(400, f"参数 {name} 过长（超过 {MAX_PARAM_CHARS} 个字符）。")
        candidates = [value] if name == "account" else filter_strings(value)
        if any(risky_regex(c) for c in candidates):
            return Denial(400, f"参数 {name} 中的正则表达式含嵌套重复（如 (a+)+），可能使服务器长时间无响应；请简化。")
    return None
