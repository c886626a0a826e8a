"""The WSGI application of ``studiofund serve``: Fava behind login, roles and ledger scope."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from flask import Flask

from .auth import AuthMiddleware, UsersSource
from .fava_ledgers import install
from .guards import install_document_guard
from .overview import OverviewApp, OverviewService
from .scope import DEFAULT_MAX_LOADED, LedgerRegistry


def build_app(files: Iterable[str | Path], users_file: str | Path | None = None, *,
              secret: bytes | None = None, load: bool = False, max_loaded: int = DEFAULT_MAX_LOADED,
              cache_directory: str | Path | None = None, warm: bool = False, jobs: int | None = None) -> Flask:
    """Fava's ``create_app`` for ``files``, with studiofund's access control and overview.

    Without ``users_file`` every request is the local user with Fava's usual full access (the
    command binds to 127.0.0.1 then). With it, every request must log in (session cookie or
    HTTP Basic) and sees only the ledgers of its user's scope. Raises
    :class:`~studiofund.web.users.UsersFileError` for a bad users file.

    Ledgers are known by their declarations and loaded into Fava on first request, at most
    ``max_loaded`` at a time (``load``: the first ``max_loaded`` at once). The overview (``/``)
    reads the consolidation cache (``cache_directory``, as ``studiofund consolidate``);
    ``warm`` starts summarising the ledgers it lacks at once, on ``jobs`` processes.
    """
    from fava.application import create_app

    paths = [str(Path(f).resolve()) for f in files]
    app = create_app(paths, load=False, poll_watcher=True)
    registry = LedgerRegistry(paths, max_loaded=max_loaded)
    install(app, registry)
    install_document_guard(app)
    users = UsersSource(Path(users_file) if users_file is not None else None)
    users.current()  # validate now: a bad file is refused at start, not at the first request
    service = OverviewService(registry, cache_directory, jobs=jobs)
    overview = OverviewApp(app.wsgi_app, registry, service)
    app.wsgi_app = AuthMiddleware(overview, registry, users, secret=secret)  # type: ignore[method-assign]
    app.config["STUDIOFUND_REGISTRY"] = registry
    app.config["STUDIOFUND_OVERVIEW"] = service
    if load:
        for path in paths[:max_loaded]:
            registry.ledger(path)
    if warm:
        entries = registry.entries()
        service.warm([e.path for e in entries], overview.default_year(entries))
    return app
