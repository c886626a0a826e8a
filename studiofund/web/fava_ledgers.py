"""The one place that speaks Fava's ledger-registry protocol.

Fava 1.30 has no public way to hand it a set of ledgers: ``create_app`` stores its own
``_LedgerSlugLoader`` (a private class that loads every ledger and watches each with inotify)
in ``app.config["LEDGERS"]``, and Fava then reads that object in exactly three places:

* ``application._setup_filters`` — ``ledgers[slug]`` for the ledger of a URL (KeyError → 404);
* ``application._setup_routes.index`` — ``ledgers.first_slug()`` for ``/`` and
  ``ledgers[slug].fava_options.default_page`` for ``/<slug>/``;
* ``internal_api.get_ledger_data`` — ``ledgers.items()`` for the ledger switcher, reading only
  ``ledger.options["title"]`` of each item.

:class:`FavaLedgers` answers those three calls from our :class:`~.scope.LedgerRegistry`, per
request and per user, without subclassing the private class and without loading a ledger for
the switcher. ``tests/test_fava_ledgers.py`` fails loudly when Fava's use of
``config["LEDGERS"]`` changes: re-read ``fava/application.py`` and ``fava/internal_api.py`` then.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from .scope import LedgerRegistry, current_access

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask
    from fava.core import FavaLedger

#: The Fava versions whose protocol this module was checked against.
CHECKED_FAVA = "1.30"


class FavaLedgers:
    """``app.config["LEDGERS"]``: the registry as Fava reads it, restricted to the request's user.

    A request without an :class:`~.scope.Access` (the middleware was bypassed) sees nothing.
    """

    def __init__(self, registry: LedgerRegistry) -> None:
        self.registry = registry

    def __getitem__(self, slug: str) -> FavaLedger:
        if not self.registry.is_visible(slug, current_access()):
            raise KeyError(slug)
        return self.registry.load(slug)

    def first_slug(self) -> str:
        visible = self.registry.visible(current_access())
        if not visible:
            from flask import abort

            abort(403)
        return visible[0].slug

    def items(self) -> list[tuple[str, Any]]:
        """(slug, ledger) pairs for Fava's switcher: stand-ins carrying only the title, so that
        listing a thousand studios loads none of them."""
        return [(e.slug, SimpleNamespace(options={"title": e.title}))
                for e in self.registry.visible(current_access())]


def install(app: Flask, registry: LedgerRegistry) -> FavaLedgers:
    """Put the registry where Fava looks for its ledgers."""
    ledgers = FavaLedgers(registry)
    app.config["LEDGERS"] = ledgers
    return ledgers
