"""Request hooks inside Fava: documents are served only from the ledger's document folders.

Fava's ``document/`` route serves any file that a ``document`` entry names (an entry may name
``/etc/passwd``) or that lies in an import folder; ``statement/`` follows an entry's metadata to
a document. These hooks allow only regular files inside the folders of the ledger's
``option "documents"`` (resolved, so ``..`` and symbolic links cannot lead out), and apply the
same confinement to deleting and moving documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger
    from flask import Flask


def document_folders(ledger: FavaLedger) -> list[Path]:
    """The ledger's document folders, resolved (relative ones against the ledger's directory)."""
    return [ledger.join_path(folder) for folder in ledger.options.get("documents", [])]


def in_document_folders(filename: str, ledger: FavaLedger) -> bool:
    """Whether ``filename`` is a regular file inside one of the ledger's document folders."""
    if not filename or "\x00" in filename:
        return False
    try:
        resolved = Path(filename).resolve()
    except (OSError, RuntimeError, ValueError):
        return False
    if not resolved.is_file():
        return False
    return any(resolved.is_relative_to(folder) for folder in document_folders(ledger))


def install_document_guard(fava_app: Flask) -> None:
    """Register the confinement hook on Fava's Flask app (runs after Fava's own hooks)."""
    from flask import abort, request

    from fava.context import g

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
