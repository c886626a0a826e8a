"""The WSGI application of ``studiofund serve``: Fava behind login, roles and ledger scope."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from studiofund.reports import cache as result_cache

# Imported here, from the package: Fava's find_extensions would otherwise import it with the
# ledger's directory first on sys.path.
from . import fava_extension  # noqa: F401
from .auth import MAX_BODY_BYTES, AuthMiddleware, UsersSource
from .confine import Site, load_confined_ledger
from .fava_ledgers import install
from .guards import install_document_guard
from .overview import OverviewApp, OverviewService
from .scope import DEFAULT_MAX_LOADED, LedgerRegistry

#: The server's own corner of the consolidation cache: its figures come from confined loads
#: (:mod:`.confine`), which a ledger's plugins or foreign includes cannot have shaped.
CONFINED_CACHE = "confined"


def build_app(files: Iterable[str | Path], users_file: str | Path | None = None, *,
              secret: bytes | None = None, load: bool = False, max_loaded: int = DEFAULT_MAX_LOADED,
              cache_directory: str | Path | None = None, warm: bool = False, jobs: int | None = None,
              behind_proxy: bool = False) -> Flask:
    """Fava's ``create_app`` for ``files``, with studiofund's access control and overview.

    Without ``users_file`` every request is the local user (the command binds to 127.0.0.1
    then), who reads everything but, like every role, cannot write through Fava. With it, every
    request must log in (session cookie or HTTP Basic) and sees only the ledgers of its user's
    scope. Raises :class:`~studiofund.web.users.UsersFileError` for a bad users file.

    Ledgers are known by their declarations and loaded into Fava on first request, at most
    ``max_loaded`` at a time (``load``: the first ``max_loaded`` at once), each confined to its
    own directory (:mod:`.confine`). The overview (``/``) reads the server's part of the
    consolidation cache (under ``cache_directory``, as ``studiofund consolidate``); ``warm``
    starts summarising the ledgers it lacks at once, on ``jobs`` processes. With
    ``behind_proxy`` the client address, scheme and host come from the proxy's
    ``X-Forwarded-*`` headers and cookies are ``Secure``.
    """
    from fava.application import create_app

    paths = [str(Path(f).resolve()) for f in files]
    app = create_app(paths, load=False, poll_watcher=True)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    protected = (str(Path(users_file).resolve()),) if users_file is not None else ()
    site = Site(paths, protected)
    registry = LedgerRegistry(paths, max_loaded=max_loaded, site=site)
    install(app, registry)
    install_document_guard(app)
    users = UsersSource(Path(users_file) if users_file is not None else None)
    users.current()  # validate now: a bad file is refused at start, not at the first request
    confined_cache = result_cache.cache_dir(cache_directory) / CONFINED_CACHE
    service = OverviewService(registry, confined_cache, jobs=jobs,
                              load=partial(load_confined_ledger, served=tuple(paths), protected=protected))
    overview = OverviewApp(app.wsgi_app, registry, service)
    middleware = AuthMiddleware(overview, registry, users, secret=secret, secure_cookies=behind_proxy)
    if behind_proxy:
        app.wsgi_app = ProxyFix(middleware, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    else:
        app.wsgi_app = middleware  # type: ignore[method-assign]
    app.config["STUDIOFUND_REGISTRY"] = registry
    app.config["STUDIOFUND_OVERVIEW"] = service
    app.config["STUDIOFUND_AUTH"] = middleware
    app.config["STUDIOFUND_SITE"] = site
    if load:
        for path in paths[:max_loaded]:
            registry.ledger(path)
    if warm:
        entries = registry.entries()
        service.warm([e.path for e in entries], overview.default_year(entries))
    return app
