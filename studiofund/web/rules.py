"""What each role may do: the request rules the middleware applies after login.

* ``auditor`` — read-only: any method but GET/HEAD is refused, and so are the GET routes of Fava
  that reveal source text or run importers (``api/source``, ``api/source_slice``,
  ``api/extract``, ``api/imports``) and the pages built on them (``editor/``, ``import/``).
* ``officer`` — read-write, on the ledgers of its scope only (scope: :mod:`.scope`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .scope import Access

READ_METHODS = frozenset({"GET", "HEAD"})

#: Fava routes (after ``/<ledger-slug>/``) that an auditor may not open, even by GET.
AUDITOR_BLOCKED_ROUTES: dict[str, str] = {
    "api/source": "查看或编辑源文件",
    "api/source_slice": "查看或编辑分录源文本",
    "api/extract": "运行导入程序",
    "api/imports": "运行导入程序",
    "api/format_source": "格式化源文件",
    "editor": "使用编辑器",
    "import": "导入银行流水",
}


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


def check_request(access: Access, method: str, path: str) -> Denial | None:
    """The role rule that refuses this request, or None when the role allows it."""
    if not access.read_only:
        return None
    if method.upper() not in READ_METHODS:
        return Denial(403, "审计人员为只读权限：不能修改账簿、上传或删除文件。")
    _, rest = split_ledger_path(path)
    what = AUDITOR_BLOCKED_ROUTES.get(rest)
    if what:
        return Denial(403, f"审计人员为只读权限：不能{what}。")
    return None
