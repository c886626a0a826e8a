"""Request hooks inside Fava: the rules by endpoint, and documents served only from their folders.

* every request: the role rules of :mod:`.rules` by Flask endpoint (the middleware applied them
  by path already; here a path spelled differently cannot reach a closed view), and a filter
  parameter with a catastrophic regular expression is refused;
* a ledger that another ledger's load made stale (:class:`~.confine.Site`) reloads first;
* ``document/`` and ``statement/`` serve only regular files inside the ledger's honoured
  ``option "documents"`` folders (resolved, so ``..`` and symbolic links cannot lead out), never
  a source file, the users file, or anything another served ledger claims; what is served is
  ``nosniff``, and anything but PDF, images and plain text is a download in a sandbox (an uploaded
  HTML "scan" must not run script in the site's origin);
* ``/jump`` follows only a referrer of this site;
* Fava's pages get a style that hides the sidebar's editor, import and add-entry controls.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .auth import denial_response
from .queries import EXPORT_FORMATS, QueryRefused
from .rules import Denial, check_endpoint, check_params
from .scope import current_access

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger
    from flask import Flask

#: Served in the page (Fava's document preview); anything else is a sandboxed download.
INLINE_TYPES = frozenset({
    "application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "text/plain",
})
#: Hides every way into the closed editor and import pages: the sidebar entries, the "+" (add an
#: entry) button, and links to the editor elsewhere (e.g. an entry's "open in the editor").
HIDE_WRITE_CONTROLS = (
    '<style id="sf-closed-controls">'
    'aside li:has(> a[href$="/editor/"]), aside li:has(> a[href$="/import/"]), '
    'a[href$="/editor/"], a[href*="/editor/?"], a[href$="/import/"], a[href="#add-transaction"] '
    "{ display:none !important; }</style>"
)


def document_folders(ledger: FavaLedger) -> list[Path]:
    """The ledger's document folders, resolved (relative ones against the ledger's directory)."""
    return [ledger.join_path(folder) for folder in ledger.options.get("documents", [])]


def in_document_folders(filename: str, ledger: FavaLedger) -> bool:
    """Whether ``filename`` may be served: a regular file inside one of the ledger's document
    folders, not one of its source files, and nothing another served ledger claims."""
    if not filename or "\x00" in filename or len(filename) > 4096:
        return False
    try:
        resolved = Path(filename).resolve()
        info = resolved.stat()
    except (OSError, RuntimeError, ValueError):
        return False
    if not stat.S_ISREG(info.st_mode) or resolved.name.startswith("."):
        return False
    if not any(resolved.is_relative_to(folder) for folder in document_folders(ledger)):
        return False
    if str(resolved) in {str(Path(f).resolve()) for f in ledger.options.get("include", [])}:
        return False
    site = getattr(ledger, "site", None)
    if site is not None:
        main = Path(ledger.beancount_file_path).resolve()
        if not site.allows(main, resolved):
            return False
    return True


def install_document_guard(fava_app: Flask) -> None:
    """Register every hook of this module on Fava's Flask app (after Fava's own hooks)."""
    from flask import abort, redirect, request

    from fava.context import g

    @fava_app.before_request
    def _apply_rules():
        denial = check_endpoint(current_access(), request.method, request.endpoint, request.view_args)
        if denial is None and request.method in ("GET", "HEAD"):
            denial = check_params(request.args)
        if denial is None and request.endpoint == "download_query":
            if (request.view_args or {}).get("result_format") not in EXPORT_FORMATS:
                denial = Denial(404, "只能导出为 csv、xlsx 或 ods。")
        if denial is not None:
            return denial_response(request, denial)
        return None

    @fava_app.errorhandler(QueryRefused)
    def _query_refused(error: QueryRefused):
        return denial_response(request, Denial(400, error.message))

    @fava_app.before_request
    def _reload_stale() -> None:
        ledger = getattr(g, "ledger", None)
        reload_if_stale = getattr(ledger, "reload_if_stale", None)
        if reload_if_stale is not None:
            reload_if_stale()

    @fava_app.before_request
    def _confine_documents() -> None:
        endpoint = request.endpoint or ""
        if endpoint in ("document", "json_api.delete_document"):
            filename = request.args.get("filename", "")
        elif endpoint == "json_api.put_move":
            body = request.get_json(silent=True)
            filename = str(body.get("filename", "")) if isinstance(body, dict) else ""
        elif endpoint == "statement":
            try:
                filename = g.ledger.statement_path(
                    request.args.get("entry_hash", ""), request.args.get("key", "")
                )
            except Exception:  # noqa: BLE001 - Fava's own errors: no such entry or document
                abort(404)
        else:
            return
        if not in_document_folders(filename, g.ledger):
            abort(404)

    @fava_app.before_request
    def _jump_only_within_site():
        if request.endpoint != "jump":
            return None
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc != request.host or referrer.scheme != request.scheme:
            return redirect("/")
        return None

    @fava_app.after_request
    def _harden(response):
        if request.endpoint in ("document", "statement") and response.status_code == 200:
            _document_headers(response)
        elif response.mimetype == "text/html" and not response.direct_passthrough:
            page = response.get_data(as_text=True)
            if "</head>" in page and "sf-closed-controls" not in page:
                response.set_data(page.replace("</head>", HIDE_WRITE_CONTROLS + "</head>", 1))
        return response


def _document_headers(response) -> None:
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    if response.mimetype == "text/plain":
        response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
        return
    if response.mimetype in INLINE_TYPES:  # browsers' PDF viewers need no other restriction
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; frame-ancestors 'self'"
    disposition = response.headers.get("Content-Disposition", "")
    response.headers["Content-Disposition"] = (
        "attachment" + disposition[len("inline"):] if disposition.startswith("inline") else "attachment"
    )
