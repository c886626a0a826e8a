"""The WSGI application of ``studiofund serve``: Fava behind login, roles and ledger scope."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from .auth import AuthMiddleware, UsersSource
from .guards import install_document_guard
from .scope import ScopedLedgers


def build_app(files: Iterable[str | Path], users_file: str | Path | None = None, *,
              secret: bytes | None = None, load: bool = False) -> Flask:
    """Fava's ``create_app`` for ``files``, with studiofund's access control.

    Without ``users_file`` every request is the local user with Fava's usual full access (the
    command binds to 127.0.0.1 then). With it, every request must log in (session cookie or
    HTTP Basic) and sees only the ledgers of its user's scope. Raises
    :class:`~studiofund.web.users.UsersFileError` for a bad users file.
    """
    from fava.application import create_app

    paths = [str(Path(f).resolve()) for f in files]
    app = create_app(paths, load=False)
    ledgers = ScopedLedgers(app, load=load)
    app.config["LEDGERS"] = ledgers
    install_document_guard(app)
    users = UsersSource(Path(users_file) if users_file is not None else None)
    users.current()  # validate now: a bad file is refused at start, not at the first request
    app.wsgi_app = AuthMiddleware(app.wsgi_app, ledgers, users, secret=secret)  # type: ignore[method-assign]
    return app
