"""Which ledgers a request may see: Fava's ledger registry, filtered per request.

Fava keeps its ledgers in ``app.config["LEDGERS"]`` (a ``_LedgerSlugLoader``) and reads it for
three things: the ledger of a URL (``/<slug>/…``), the ledger switcher (``other_ledgers`` in the
page data) and the ``/`` redirect (the first ledger). :class:`ScopedLedgers` answers each of them
with the ledgers of the current request's user only, so a foreign ledger is a 404 and its title
never reaches the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fava.application import _LedgerSlugLoader

from studiofund.ledger.studio import parse_studio

from .users import OFFICER, User

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger

#: The WSGI environ key under which the middleware puts the request's :class:`Access`.
ACCESS_KEY = "studiofund.access"


@dataclass(frozen=True)
class Access:
    """Who is asking: a user of the users file, or the local user when serving without one."""

    user: User | None

    @property
    def unrestricted(self) -> bool:
        """No users file: the local user (127.0.0.1 only) has Fava's usual full access."""
        return self.user is None

    @property
    def read_only(self) -> bool:
        return self.user is not None and self.user.role != OFFICER

    @property
    def display_name(self) -> str:
        return self.user.name if self.user else "本机用户"

    @property
    def role(self) -> str:
        return self.user.role if self.user else OFFICER

    def may_see(self, ledger: FavaLedger) -> bool:
        if self.user is None:
            return True
        return self.user.may_see(ledger.beancount_file_path, ledger_district(ledger))


def ledger_district(ledger: FavaLedger) -> str | None:
    """The district of the ledger's studio declaration (None without a readable one)."""
    studio, _ = parse_studio(ledger.all_entries)
    return studio.district if studio else None


def current_access() -> Access | None:
    """The access of the current Flask request (None outside a request or without middleware)."""
    from flask import has_request_context, request

    if not has_request_context():
        return None
    return request.environ.get(ACCESS_KEY)


class ScopedLedgers(_LedgerSlugLoader):
    """Fava's ledger registry that shows each request only the ledgers of its user.

    A request without an :class:`Access` (the middleware was bypassed) sees nothing.
    """

    def visible_items(self, access: Access | None) -> list[tuple[str, FavaLedger]]:
        if access is None:
            return []
        return [(slug, ledger) for slug, ledger in self.ledgers_by_slug.items() if access.may_see(ledger)]

    def is_visible(self, slug: str, access: Access | None) -> bool:
        ledger = self.ledgers_by_slug.get(slug)
        return ledger is not None and access is not None and access.may_see(ledger)

    # -- what Fava calls -------------------------------------------------------------------
    def items(self):  # type: ignore[override]
        return self.visible_items(current_access())

    def __getitem__(self, slug: str) -> FavaLedger:
        if not self.is_visible(slug, current_access()):
            raise KeyError(slug)
        return self.ledgers_by_slug[slug]

    def first_slug(self) -> str:
        visible = self.visible_items(current_access())
        if not visible:
            from flask import abort

            abort(403)
        return visible[0][0]
