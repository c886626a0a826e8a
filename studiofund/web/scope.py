"""Which ledgers a request may see, and the served ledgers themselves: our own registry.

:class:`LedgerRegistry` knows every served ledger's slug, title, studio name and district
without loading it (a text scan of the top-level file and its includes: the ``option "title"``
line and the ``custom "studio"`` declaration), so a user's scope is known at once for thousands
of ledgers. A ledger is loaded into Fava on its first request and kept among at most
``max_loaded`` loaded ledgers, the least recently used dropped first. Loaded ledgers notice
changes with Fava's polling watcher (no inotify instance per ledger); the catalogue re-reads a
ledger whose files changed (size or time), so a district line fixed in a ledger takes effect
without a restart.

Fava reads its ledgers from ``app.config["LEDGERS"]``; :mod:`.fava_ledgers` is the one module
that speaks that (private) protocol on top of this registry.
"""

from __future__ import annotations

import glob
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .sourcefiles import glob_base, inside, read_source
from .users import OFFICER, User

if TYPE_CHECKING:  # pragma: no cover
    from fava.core import FavaLedger

#: The WSGI environ key under which the middleware puts the request's :class:`Access`.
ACCESS_KEY = "studiofund.access"

#: Paths of the server that no ledger slug may take.
RESERVED_SLUGS = frozenset({"login", "logout", "overview.json", "overview.xlsx", "jump", "static"})

DEFAULT_MAX_LOADED = 16


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

    def may_see(self, studio: StudioEntry) -> bool:
        if self.user is None:
            return True
        return self.user.may_see(studio.path, studio.district)


def current_access() -> Access | None:
    """The access of the current Flask request (None outside a request or without middleware)."""
    from flask import has_request_context, request

    if not has_request_context():
        return None
    return request.environ.get(ACCESS_KEY)


# -- reading a ledger's declaration without loading it ----------------------------------------

# Patterns over the file's bytes, tried only on the lines where a literal was found (a regex
# anchored at every line start would scan a 60 kB ledger in a millisecond each; a thousand
# ledgers are read in a fraction of a second this way). A quoted string's text is decoded from
# UTF-8 when it is used.
_STRING = rb'"((?:[^"\\\n]|\\.)*)"'
_TITLE = re.compile(rb'option[ \t]+"title"[ \t]+' + _STRING)
_INCLUDE = re.compile(rb"include[ \t]+" + _STRING)
_STUDIO = re.compile(rb'(\d{4}-\d{2}-\d{2})[ \t]+custom[ \t]+"studio"[ \t]+' + _STRING
                     + rb"[^\n]*\n((?:[ \t]+[^\n]*\n?)*)")
_META = re.compile(rb"^[ \t]+([a-z][a-z0-9_-]*):[ \t]*" + _STRING, re.M)
_EXTENSION = re.compile(rb'\d{4}-\d{2}-\d{2}[ \t]+custom[ \t]+"fava-extension"[ \t]+"studiofund\.web\.fava_extension"')
_TXN_YEAR = re.compile(rb"\n(\d{4})-\d{2}-\d{2}[ \t]+(?:\*|!|txn)[ \t]")
_ESCAPE = re.compile(r"\\(.)")


def _matches(pattern: re.Pattern, text: bytes, literal: bytes) -> list[re.Match]:
    """``pattern`` matched at the start of every line that holds ``literal``."""
    found = []
    at = text.find(literal)
    while at >= 0:
        start = text.rfind(b"\n", 0, at) + 1
        match = pattern.match(text, start)
        if match is not None:
            found.append(match)
        end = text.find(b"\n", at)
        if end < 0:
            break
        at = text.find(literal, end)
    return found


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


@dataclass(frozen=True)
class Declaration:
    """What a ledger's text says about its studio."""

    title: str
    name: str
    program: str
    district: str | None  # None: no complete studio declaration
    years: tuple[int, ...]
    files: tuple[str, ...]  # the files read (top-level first)
    compliance_page: bool = True  # declares the 经费合规 extension (as `studiofund init` writes)


def read_declaration(path: Path, allows: Any = None) -> Declaration:
    """The title, studio and years of a ledger, from its text (top-level file and includes).

    The studio counts only when its declaration names program, name, host school and district,
    as the loaded ledger's :func:`~studiofund.ledger.directives.parse_studio` requires; with
    several declarations the earliest is the studio's. Includes are read only inside the
    ledger's directory (and, with ``allows(main, target)``, only where the server's confined
    load would read them: :class:`~studiofund.web.confine.Site`), and only regular files."""
    files = [str(path)]
    texts = [_read(path)]
    root = Path(path).resolve().parent
    for match in _matches(_INCLUDE, texts[0], b"include"):
        target = os.path.join(os.path.dirname(path), _unescape(match.group(1)))
        if not inside(glob_base(target).resolve(), root):
            continue  # never list, let alone read, outside the ledger's directory
        for name in sorted(glob.glob(target)):
            if not inside(Path(name).resolve(), root) or (allows is not None and not allows(path, name)):
                continue
            files.append(name)
            texts.append(_read(Path(name)))
    titles = _matches(_TITLE, texts[0], b'"title"')
    title = _unescape(titles[-1].group(1)) if titles else "Beancount"  # Beancount's default title
    declarations = []
    for text in texts:
        for match in _matches(_STUDIO, text, b'"studio"'):
            date, program, block = match.groups()
            meta = {k.decode(): _unescape(v).strip() for k, v in _META.findall(block)}
            declarations.append((date, _unescape(program).strip(), meta))
    name = program = ""
    district = None
    if declarations:
        _, program, meta = min(declarations, key=lambda d: d[0])
        name = meta.get("name", "")
        if program and all(meta.get(k) for k in ("name", "host-school", "district")):
            district = meta["district"]
    years = sorted({int(y) for text in texts for y in _TXN_YEAR.findall(b"\n" + text)})
    page = any(_matches(_EXTENSION, text, b'"fava-extension"') for text in texts)
    return Declaration(title, name, program, district, tuple(years), tuple(files), page)


def _read(path: Path) -> bytes:
    data, _ = read_source(path)  # regular files only: a FIFO or /dev/zero would hang the scan
    return data or b""


def _stamp(files: tuple[str, ...]) -> tuple:
    out = []
    for name in files:
        try:
            st = os.stat(name)
            out.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((name, -1, -1))
    return tuple(out)


@dataclass(frozen=True)
class StudioEntry:
    """One served ledger as the registry knows it (nothing loaded)."""

    path: str
    slug: str
    declaration: Declaration
    stamp: tuple = field(compare=False)

    @property
    def title(self) -> str:
        return self.declaration.title

    @property
    def name(self) -> str:
        return self.declaration.name or Path(self.path).stem

    @property
    def district(self) -> str | None:
        return self.declaration.district

    def landing(self, year: int | None = None) -> str:
        """Where a visit of this studio starts: its 经费合规 page (Fava's income statement for
        a ledger without the extension)."""
        page = "extension/Compliance/" if self.declaration.compliance_page else "income_statement/"
        return f"/{quote(self.slug)}/{page}" + (f"?time={year}" if year is not None else "")


# -- the registry --------------------------------------------------------------------------------


class LedgerRegistry:
    """The served ledgers: slugs and scopes without loading; loaded Fava ledgers, bounded."""

    #: how often (seconds, at most) the catalogue looks for changed ledger files
    REFRESH_INTERVAL = 1.0

    def __init__(self, files: list[str], *, max_loaded: int = DEFAULT_MAX_LOADED, site: Any = None) -> None:
        if max_loaded < 1:
            raise ValueError("max_loaded must be at least 1")
        #: the served ledgers' confinement (:class:`~studiofund.web.confine.Site`): loads them
        #: and says which includes the declaration scan may read; None: plain Fava ledgers
        self.site = site
        self.files = [str(f) for f in files]
        self.max_loaded = max_loaded
        self._lock = threading.RLock()
        self._loading: dict[str, threading.Lock] = {}
        self._loaded: OrderedDict[str, FavaLedger] = OrderedDict()
        self._declarations: dict[str, tuple[tuple, Declaration]] = {}
        self._by_slug: dict[str, StudioEntry] = {}
        self._checked = 0.0
        self.loads = 0  # ledgers loaded into Fava since start (a measure for tests and benches)
        self._rebuild()

    # -- catalogue ---------------------------------------------------------------------------
    def _rebuild(self) -> None:
        """Read the declarations of changed files and give every ledger its slug (Fava's rule:
        the slug of the title, made unique in the order the ledgers were given)."""
        from fava.util import next_key, slugify

        by_slug: dict[str, StudioEntry] = {}
        for path in self.files:
            known = self._declarations.get(path)
            if known is None or _stamp(known[1].files) != known[0]:
                declaration = read_declaration(Path(path), self.site.allows_include if self.site else None)
                known = (_stamp(declaration.files), declaration)
                self._declarations[path] = known
            base = slugify(known[1].title) or slugify(path)
            if base in RESERVED_SLUGS:
                base = f"{base}-1"
            slug = next_key(base, by_slug)
            by_slug[slug] = StudioEntry(path, slug, known[1], known[0])
        self._by_slug = by_slug

    def refresh(self, force: bool = False) -> None:
        """Re-read the ledgers whose files changed (at most every REFRESH_INTERVAL seconds)."""
        now = time.monotonic()
        if not force and now - self._checked < self.REFRESH_INTERVAL:
            return
        with self._lock:
            self._checked = now
            changed = any(_stamp(decl.files) != stamp for stamp, decl in self._declarations.values())
            if changed:
                self._rebuild()

    def entries(self) -> list[StudioEntry]:
        self.refresh()
        return list(self._by_slug.values())

    def entry(self, slug: str) -> StudioEntry | None:
        self.refresh()
        return self._by_slug.get(slug)

    # -- scope -------------------------------------------------------------------------------
    def visible(self, access: Access | None) -> list[StudioEntry]:
        """The ledgers ``access`` may see, in the order they were given (none without access)."""
        if access is None:
            return []
        return [e for e in self.entries() if access.may_see(e)]

    def is_visible(self, slug: str, access: Access | None) -> bool:
        entry = self.entry(slug)
        return entry is not None and access is not None and access.may_see(entry)

    @property
    def ledgers_by_slug(self) -> Mapping[str, FavaLedger]:
        """Slug → ledger; a ledger is loaded only when looked up (``in`` loads nothing)."""
        return _LazyLedgers(self)

    # -- loaded ledgers ------------------------------------------------------------------------
    def load(self, slug: str) -> FavaLedger:
        """The Fava ledger of ``slug``, loaded on first use; raises KeyError for an unknown slug."""
        entry = self.entry(slug)
        if entry is None:
            raise KeyError(slug)
        return self.ledger(entry.path)

    def ledger(self, path: str) -> FavaLedger:
        with self._lock:
            ledger = self._loaded.get(path)
            if ledger is not None:
                self._loaded.move_to_end(path)
                return ledger
            lock = self._loading.setdefault(path, threading.Lock())
        with lock:  # one load a ledger, even with many requests waiting for it
            with self._lock:
                ledger = self._loaded.get(path)
            if ledger is None:
                from fava.core import FavaLedger

                # Fava's polling watcher: no inotify instance (and thread) per ledger
                ledger = self.site.new_ledger(path) if self.site else FavaLedger(path, poll_watcher=True)
                self.loads += 1
            with self._lock:
                self._loaded[path] = ledger
                self._loaded.move_to_end(path)
                while len(self._loaded) > self.max_loaded:
                    self._loaded.popitem(last=False)
        return ledger

    def loaded(self) -> list[str]:
        """Paths of the ledgers in memory, least recently used first."""
        with self._lock:
            return list(self._loaded)


class _LazyLedgers(Mapping):
    def __init__(self, registry: LedgerRegistry) -> None:
        self.registry = registry

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and self.registry.entry(slug) is not None

    def __getitem__(self, slug: str) -> Any:
        return self.registry.load(slug)

    def __iter__(self) -> Iterator[str]:
        return iter([e.slug for e in self.registry.entries()])

    def __len__(self) -> int:
        return len(self.registry.entries())


#: The name under which the login middleware (:mod:`.auth`) knows the registry.
ScopedLedgers = LedgerRegistry
