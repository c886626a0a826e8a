"""Ledger content is untrusted on the server: what a served ledger may make the server read.

Anyone who gets a file onto the server (a ledger e-mailed to the administrator, a copied folder,
a scan uploaded through the desk) controls ledger text. Plain Beancount and Fava would then let
that text read any file (``include``, ``option "documents"``, a ``document`` entry, the studio's
``policy:`` file), run any Python (``plugin``, ``option "insert_pythonpath"``, Beancount plugins
that ``eval()`` their configuration, ``custom "fava-extension"``, ``custom "fava-option"
"import-config"``) and point the editor at any file (``default-file``).

So ``studiofund serve`` loads each ledger here instead of with Beancount's loader. A ledger's
*tree* is the directory of its main file, less what belongs to another served ledger: the
directory of a ledger nested inside it, another ledger's main file, includes and documents
folders (:class:`Site` keeps these claims; two ledgers that claim the same file both lose it),
and the users file. Within the tree:

* ``include`` is followed only to regular files in the tree (symbolic links resolved; devices,
  FIFOs and directories refused; a file over :data:`MAX_FILE_BYTES` or with a line over
  :data:`MAX_LINE_BYTES` refused before the lexer sees it);
* ``option "documents"`` keeps only folders in the tree that hold nothing of another ledger;
* ``document`` entries naming a file outside the tree are dropped (no existence probe);
* ``plugin`` runs only :data:`ALLOWED_PLUGINS`; ``insert_pythonpath`` is never honoured;
* the studio declaration's ``policy:`` file (and its TOML includes) must lie in the tree, and its
  program id must be a plain name;
* ``custom "fava-extension"`` loads only :data:`OWN_EXTENSION`; ``custom "fava-option"``
  ``import-config``, ``import-dirs``, ``insert-entry`` and regular-expression options are ignored,
  ``default-file`` must be a file of the ledger, ``default-page`` a plain report path;
  ``custom "fava-sidebar-link"`` only a link on this site.

Whatever is refused becomes an error in Chinese naming the file and line, on Fava's error page
(and the 经费合规 page's load errors). Refusals never say whether a path outside the tree exists.
"""

from __future__ import annotations

import glob
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from fava.core import FavaLedger
from fava.core.group_entries import group_entries_by_type

from studiofund.files import MAX_FILE_BYTES, MAX_LINE_BYTES
from studiofund.ledger.loading import LoadedLedger, from_load
from studiofund.ledger.sources import finish_load, glob_base, inside as _inside, line_of as _line_of
from studiofund.ledger.sources import meta as _meta, parse_tree

from .queries import GuardedQueryShell
from .sourcefiles import read_source

__all__ = ["MAX_FILE_BYTES", "MAX_LINE_BYTES", "ConfinedLedger", "Site", "confined_load",
           "load_confined_ledger", "read_source"]

#: The one Fava extension a served ledger may load (and modules inside its package).
OWN_EXTENSION = "studiofund.web.fava_extension"

#: Plugins a served ledger may run. Beancount's check_average_cost, check_commodity and
#: commodity_attr are missing on purpose: they ``eval()`` their configuration string.
ALLOWED_PLUGINS = frozenset({
    "studiofund.plugin",
    "fava.plugins.link_documents",
    "fava.plugins.tag_discovered_documents",
    *(f"beancount.plugins.{name}" for name in (
        "auto", "auto_accounts", "check_closing", "check_drained", "close_tree", "coherent_cost",
        "currency_accounts", "implicit_prices", "leafonly", "noduplicates", "nounused",
        "onecommodity", "pedantic", "sellgains", "unique_prices",
    )),
})

#: Fava options a served ledger may not set: importers run code, the rest serve only the editor
#: (closed) or compile a regular expression from ledger text on every page.
REFUSED_FAVA_OPTIONS = {
    "import-config": "导入配置会在服务器上运行 Python 程序",
    "import-dirs": "网页不提供导入功能",
    "insert-entry": "网页不编辑账簿文本",
    "collapse-pattern": "账簿中的正则表达式不在服务器上执行",
    "use-external-editor": "网页不编辑账簿文本",
}

_PLAIN_PROGRAM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_PLAIN_PAGE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_/-]*/?(\?[A-Za-z0-9_=&%.:-]*)?$")
_GLOB_CHARS = re.compile(r"[*?\[]")
_OUTSIDE = "不在本账簿所在目录范围内（或属于另一本账簿）"


class ServerRefusal(NamedTuple):
    """A line of the ledger that the server refused to honour (an error for Fava's error page);
    an ``include`` it refused is :class:`~studiofund.ledger.sources.SourceError` (entries missing)."""

    source: dict[str, Any] | None
    message: str
    entry: Any


@dataclass(frozen=True)
class Claims:
    """What one served ledger reads: source files and documents folders (resolved)."""

    files: frozenset[Path]
    folders: frozenset[Path] = frozenset()

    def touches(self, other: Claims) -> bool:
        return any(_touches(p, False, other) for p in self.files) or any(
            _touches(d, True, other) for d in self.folders
        )


def _touches(path: Path, is_folder: bool, claims: Claims) -> bool:
    if any(path == f or (is_folder and _inside(f, path)) for f in claims.files):
        return True
    return any(_inside(path, d) or (is_folder and _inside(d, path)) for d in claims.folders)


class Site:
    """The served ledgers together: each ledger's tree, and who claims which file or folder.

    Claims are updated at every load. When a ledger's claims change, every other ledger whose
    claims touch the old or the new ones is marked stale and reloads before its next request,
    so a file claimed by two ledgers is refused to both, whichever loaded first.
    """

    def __init__(self, main_files: Iterable[str | Path], protected: Iterable[str | Path] = ()) -> None:
        self.mains = tuple(dict.fromkeys(Path(f).resolve() for f in main_files))
        self.protected = frozenset(Path(p).resolve() for p in protected)
        self._claims: dict[Path, Claims] = {}
        for main in self.mains:
            declared = _declared_claims(main)
            # a folder holding another ledger is refused at load anyway; as a claim it would
            # take every file of its neighbours from them
            folders = frozenset(d for d in declared.folders
                                if not any(_inside(other, d) for other in self.mains if other != main))
            self._claims[main] = Claims(declared.files, folders)
        self._stale: set[Path] = set()
        self._lock = threading.Lock()

    def new_ledger(self, path: str) -> ConfinedLedger:
        """A Fava ledger for ``path``, loaded confined (Fava's polling watcher: no inotify)."""
        return ConfinedLedger(path, self, poll_watcher=True)

    def allows_include(self, main: str | Path, target: str | Path) -> bool:
        """Whether the text scan of ``main``'s declaration may read ``target``."""
        try:
            return self.allows(Path(main).resolve(), Path(target).resolve())
        except (OSError, RuntimeError, ValueError):
            return False

    def root(self, main: Path) -> Path:
        return main.parent

    def _foreign(self, main: Path) -> list[tuple[Path, Claims]]:
        return [(m, c) for m, c in self._claims.items() if m != main]

    def allows(self, main: Path, path: Path, *, folder: bool = False) -> bool:
        """Whether ``path`` (resolved; a folder when ``folder``) lies in ``main``'s tree."""
        return self.check(main, path, folder=folder) == ""

    def check(self, main: Path, path: Path, *, folder: bool = False) -> str:
        """'' when ``path`` lies in ``main``'s tree; 'outside' when it lies outside it, in a
        studio nested inside it or on the users file; 'conflict' when another served ledger
        claims it (then ``main`` claims it as well, so that both refuse it)."""
        root = self.root(main)
        if not _inside(path, root):
            return "outside"
        if any(_inside(p, path) if folder else p == path for p in self.protected):
            return "outside"
        with self._lock:
            foreign = self._foreign(main)
        conflict = False
        for other, claims in foreign:
            other_root = self.root(other)
            if other_root != root and _inside(other_root, root):  # a studio nested in ours
                if _inside(path, other_root) or (folder and _inside(other_root, path)):
                    return "outside"
            if folder and _inside(other, path):  # a folder holding another ledger: too wide
                return "outside"
            conflict = conflict or _touches(path, folder, claims)
        return "conflict" if conflict else ""

    def claim(self, main: Path, claims: Claims) -> None:
        """Record ``main``'s claims after a load; mark the ledgers they concern as stale."""
        with self._lock:
            old = self._claims.get(main, Claims(frozenset({main})))
            self._claims[main] = claims
            if old == claims:
                return
            for other, theirs in self._foreign(main):
                if theirs.touches(old) or theirs.touches(claims) or old.touches(theirs) or claims.touches(theirs):
                    self._stale.add(other)

    def take_stale(self, main: Path) -> bool:
        """True once after another ledger's load changed what ``main`` may read."""
        with self._lock:
            if main in self._stale:
                self._stale.discard(main)
                return True
            return False

    def claimed_elsewhere(self, main: Path, path: Path) -> bool:
        """Whether a file is a source file of, or lies in a documents folder of, another ledger."""
        with self._lock:
            foreign = self._foreign(main)
        return any(_touches(path, False, claims) for _, claims in foreign) or path in self.protected


# -- reading a source file -----------------------------------------------------------------------

_INCLUDE_LINE = re.compile(rb'^include[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)
_DOCUMENTS_LINE = re.compile(rb'^option[ \t]+"documents"[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)


def _declared_claims(main: Path) -> Claims:
    """What ``main``'s own text says it reads, inside its directory (before any load): its
    plain includes and documents folders. So a ledger loaded first cannot take a file that a
    ledger loaded later names."""
    data, _ = read_source(main)
    files, folders = {main}, set()
    if data:
        root = main.parent
        for regex, into in ((_INCLUDE_LINE, files), (_DOCUMENTS_LINE, folders)):
            for raw in regex.findall(data):
                name = raw.decode("utf-8", "replace")
                if _GLOB_CHARS.search(name):
                    continue
                try:
                    target = (root / name).resolve()
                except (OSError, RuntimeError, ValueError):
                    continue
                if _inside(target, root) and target != root:
                    into.add(target)
    return Claims(frozenset(files), frozenset(folders))


# -- the confined load ---------------------------------------------------------------------------

@dataclass
class ConfinedLoad:
    entries: list
    errors: list
    options_map: dict[str, Any]
    claims: Claims
    texts: dict[Path, bytes] = field(default_factory=dict)


def confined_load(main: str | Path, site: Site, *, shown_as: str | Path | None = None) -> ConfinedLoad:
    """Beancount's load of ``main`` (parse, book, plugins, validation) within its tree.

    ``shown_as``: ``main`` is a new text of that served ledger (the writer's temporary file
    beside it): the tree and the claims are that ledger's, the entries name it, and its claims
    are not updated (the text may yet be refused)."""
    source = Path(main).resolve()
    main = Path(shown_as).resolve() if shown_as is not None else source
    tree = parse_tree(main, lambda base, pattern: _expand_include(main, site, base, pattern), source=source,
                      error=ServerRefusal)
    claims: dict[str, set[Path]] = {"files": set(tree.named), "folders": set()}
    if tree.options_map is not None:
        _confine_options(main, site, tree.options_map, tree.texts.get(main, b""), tree.errors, claims)
    tree.entries = _confine_entries(main, site, tree.entries, tree.errors)
    entries, errors, options_map = finish_load(tree, main)
    final = Claims(frozenset(claims["files"]), frozenset(claims["folders"]))
    if shown_as is None:
        site.claim(main, final)
    return ConfinedLoad(entries, errors, options_map, final, tree.texts)


def _expand_include(main: Path, site: Site, base: Path, pattern: str) -> list[tuple[Path | None, str]]:
    """The files an include names, each with a refusal ('' when it may be read).

    Matches outside the tree give one refusal for the whole pattern, so the errors never tell
    how many files outside match.
    """
    outside = f"{_OUTSIDE}，网页服务拒绝读取；请把要包含的文件放在账簿目录下。"
    raw = Path(pattern) if os.path.isabs(pattern) else base / pattern
    root = site.root(main)
    try:
        fixed = glob_base(raw).resolve()
    except (OSError, RuntimeError, ValueError):
        return [(None, outside)]
    if not _inside(fixed, root):
        return [(None, outside)]
    names = sorted(glob.glob(str(raw), recursive=True)) if _GLOB_CHARS.search(str(raw)) else [str(raw)]
    results: list[tuple[Path | None, str]] = []
    escaped = False
    for name in names:
        try:
            target = Path(os.path.normpath(name)).resolve()
        except (OSError, RuntimeError, ValueError):
            escaped = True
            continue
        verdict = site.check(main, target)
        if not _inside(target, root):
            escaped = True
        elif verdict:
            results.append((target if verdict == "conflict" else None, f"{_OUTSIDE}，网页服务拒绝读取。"))
        elif not target.exists():
            results.append((None, "文件不存在；请检查路径。"))
        else:
            results.append((target, ""))
    if escaped:
        results.append((None, outside))
    if not results:
        results.append((None, "没有匹配的文件；请检查路径。"))
    return results


def _confine_options(main: Path, site: Site, options_map: dict[str, Any], text: bytes,
                     errors: list, claims: dict[str, set[Path]]) -> None:
    root = site.root(main)
    kept = []
    for folder in options_map.get("documents", []):
        line = _meta(main, _line_of(text, "option", f'documents" "{folder}') or _line_of(text, "option", "documents"))
        try:
            resolved = (root / folder).resolve()
        except (OSError, RuntimeError):
            resolved = None
        if resolved is None or not _inside(resolved, root):
            errors.append(ServerRefusal(line, f'option "documents" "{folder}"：{_OUTSIDE}，网页服务不读取该文件夹。', None))
        elif verdict := site.check(main, resolved, folder=True):
            if verdict == "conflict":
                claims["folders"].add(resolved)
            errors.append(ServerRefusal(
                line, f'option "documents" "{folder}"：{_OUTSIDE}（文件夹不能包含其他账簿或用户文件），网页服务不读取该文件夹。', None))
        else:
            claims["folders"].add(resolved)
            kept.append(folder)
    options_map["documents"] = kept
    plugins = []
    for name, config in options_map.get("plugin", []):
        if name in ALLOWED_PLUGINS:
            plugins.append((name, config))
        else:
            errors.append(ServerRefusal(
                _meta(main, _line_of(text, "plugin", name)),
                f'plugin "{name}"：网页服务只运行 studiofund、Fava 和 Beancount 自带的安全插件，已忽略该插件。', None))
    options_map["plugin"] = plugins
    if options_map.get("insert_pythonpath"):
        errors.append(ServerRefusal(_meta(main, _line_of(text, "option", "insert_pythonpath")),
                                    'option "insert_pythonpath"：网页服务不从账簿目录加载 Python 模块，已忽略。', None))
    options_map["insert_pythonpath"] = False
    options_map["pythonpath"] = []


def _confine_entries(main: Path, site: Site, entries: list, errors: list) -> list:
    from beancount.core import data as bdata

    kept = []
    for entry in entries:
        if isinstance(entry, bdata.Document):
            try:
                target = Path(entry.filename).resolve()
            except (OSError, RuntimeError):
                target = None
            if target is None or not site.allows(main, target):
                errors.append(ServerRefusal(entry.meta, f'document "{entry.filename}"：{_OUTSIDE}，网页服务不提供该文件。', None))
                continue
        elif isinstance(entry, bdata.Custom) and entry.type == "studio":
            refusal = _studio_refusal(main, site, entry)
            if refusal:
                errors.append(ServerRefusal(entry.meta, refusal, None))
                continue
        kept.append(entry)
    return kept


def _studio_refusal(main: Path, site: Site, entry: Any) -> str:
    """Why the server will not read this studio declaration's policy ('' when it may)."""
    program = str(entry.values[0].value) if entry.values else ""
    if program and not _PLAIN_PROGRAM.match(program):
        return f"工作室声明的项目 {program!r} 不是项目编号（不能含路径）；网页服务未加载该声明。"
    policy = entry.meta.get("policy")
    if not policy:
        return ""
    start = Path(str(entry.meta.get("filename", main))).parent / str(policy)
    pending, seen = [start], set()
    while pending:
        try:
            path = pending.pop().resolve()
        except (OSError, RuntimeError):
            return f"工作室声明的 policy 文件{_OUTSIDE}；网页服务未加载该声明。"
        if path in seen:
            continue
        seen.add(path)
        if len(seen) > 20 or not site.allows(main, path):
            return f"工作室声明的 policy 文件（或其 include）{_OUTSIDE}；网页服务未加载该声明。"
        data, problem = read_source(path)
        if data is None:
            return ""  # missing or unreadable in the tree: the plugin reports it
        pending.extend(path.parent / name for name in _toml_includes(data))
    return ""


def _toml_includes(data: bytes) -> list[str]:
    import tomllib

    try:
        includes = tomllib.loads(data.decode("utf-8-sig")).get("include", [])
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []
    if isinstance(includes, str):
        includes = [includes]
    return [str(i) for i in includes] if isinstance(includes, list) else []


# -- Fava's side ---------------------------------------------------------------------------------

def honoured_custom(main: Path, customs: Sequence[Any], included: Sequence[str]) -> tuple[list, list]:
    """The ``custom`` entries Fava may act on, and refusals for the others."""
    kept, refusals = [], []
    files = {str(Path(f)) for f in included}
    for entry in customs:
        why = _custom_refusal(entry, files)
        if why:
            refusals.append(ServerRefusal(entry.meta, why, None))
        else:
            kept.append(entry)
    return kept, refusals


def _custom_refusal(entry: Any, files: set[str]) -> str:
    values = [getattr(v, "value", v) for v in entry.values]
    if entry.type == "fava-extension":
        name = str(values[0]) if values else ""
        if name == OWN_EXTENSION or name.startswith(OWN_EXTENSION + "."):
            return ""
        return f'fava-extension "{name}"：网页服务只加载 studiofund 自己的扩展（{OWN_EXTENSION}），已忽略。'
    if entry.type == "fava-sidebar-link":
        link = str(values[1]) if len(values) > 1 else ""
        if link.startswith("/") and not link.startswith("//") and "\\" not in link:
            return ""
        return f'fava-sidebar-link "{link}"：侧栏链接只能指向本站的页面（以 / 开头），已忽略。'
    if entry.type != "fava-option" or not values:
        return ""
    key = str(values[0]).replace("_", "-")
    value = str(values[1]) if len(values) > 1 else ""
    if key in REFUSED_FAVA_OPTIONS:
        return f'fava-option "{key}"：{REFUSED_FAVA_OPTIONS[key]}，网页服务不采用该选项。'
    if key == "default-file":
        filename = str(entry.meta.get("filename", ""))
        target = (Path(filename).parent / value).resolve() if value else Path(filename)
        if str(target) not in files:
            return f'fava-option "default-file" "{value}"：只能是本账簿自己的文件，网页服务不采用该选项。'
    if key == "default-page" and not _PLAIN_PAGE.match(value):
        return f'fava-option "default-page" "{value}"：不是本站的报表页面，网页服务不采用该选项。'
    return ""


#: A worker's :class:`Site` of the served ledgers, kept between loads (as the server keeps its
#: own): building one reads every served ledger, so one a load made the summaries of a
#: thousand ledgers cost a million reads. Rebuilt when a served file changed (checked at most
#: every SITE_RECHECK seconds).
_SITES: dict[tuple, tuple[float, tuple, Site]] = {}
SITE_RECHECK = 2.0


def _served_stamp(served: Sequence[str]) -> tuple:
    out = []
    for name in served:
        try:
            st = os.stat(name)
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _site_of(served: Sequence[str], protected: Sequence[str]) -> Site:
    key = (tuple(served), tuple(protected))
    now = time.monotonic()
    known = _SITES.get(key)
    if known is not None and now - known[0] < SITE_RECHECK:
        return known[2]
    stamp = _served_stamp(served)
    if known is not None and known[1] == stamp:
        _SITES[key] = (now, stamp, known[2])
        return known[2]
    site = Site(served, protected)
    _SITES.clear()
    _SITES[key] = (now, stamp, site)
    return site


def load_confined_ledger(path: str, served: Sequence[str] = (), protected: Sequence[str] = ()) -> LoadedLedger:
    """:func:`~studiofund.ledger.loading.load_ledger`'s result from a confined load, for the
    server's background summaries (a worker process: its own :class:`Site` of the served files,
    kept between loads while they do not change)."""
    site = _site_of(tuple(served or [path]), tuple(protected))
    load = confined_load(path, site)
    return from_load(Path(path), load.entries, load.errors, load.options_map)


class ConfinedLedger(FavaLedger):
    """Fava's ledger, loaded by :func:`confined_load` and acting only on honoured options.

    ``load_file`` follows :meth:`fava.core.FavaLedger.load_file` step by step (Fava has no public
    way to load a ledger otherwise); only the load and the ``custom`` entries the modules read
    differ. ``tests/test_dependencies.py`` fails when Fava's steps change. The query shell is the
    guarded one (:mod:`.queries`).
    """

    __slots__ = ("site", "claims")

    def __init__(self, path: str, site: Site, *, poll_watcher: bool = False) -> None:
        self.site = site
        self.claims = Claims(frozenset())
        super().__init__(path, poll_watcher=poll_watcher)
        self.query_shell = GuardedQueryShell(self)
        self.query_shell.load_file()

    def load_file(self) -> None:
        from fava.beans.prices import FavaPriceMap
        from fava.core.fava_options import parse_options

        load = confined_load(self.beancount_file_path, self.site)
        self.claims = load.claims
        self.all_entries = load.entries
        self.options = load.options_map  # type: ignore[assignment]
        self.get_filtered.cache_clear()
        self.get_entry.cache_clear()

        by_type = group_entries_by_type(self.all_entries)
        customs, refusals = honoured_custom(Path(self.beancount_file_path), by_type.Custom,
                                            self.options["include"])
        self.all_entries_by_type = by_type._replace(Custom=customs)
        self.load_errors = [*load.errors, *refusals]
        self.prices = FavaPriceMap(self.all_entries_by_type.Price)
        self.fava_options, self.fava_options_errors = parse_options(self.all_entries_by_type.Custom)
        self.watcher.update(*self.paths_to_watch())

        self.accounts.load_file()
        self.attributes.load_file()
        self.budgets.load_file()
        self.charts.load_file()
        self.commodities.load_file()
        self.extensions.load_file()
        self.file.load_file()
        self.format_decimal.load_file()
        self.misc.load_file()
        self.query_shell.load_file()
        self.ingest.load_file()

        self.extensions.after_load_file()

    def writer_load(self, path: Path, shown_as: Path) -> LoadedLedger:
        """The writer's load of this ledger's current or new text (``path``), confined as the
        server loads it (:class:`~studiofund.ledger.writer.LedgerWriter`'s ``load``)."""
        load = confined_load(path, self.site, shown_as=shown_as)
        return from_load(Path(shown_as), load.entries, load.errors, load.options_map)

    def reload_if_stale(self) -> bool:
        """Reload when another ledger's load changed what this one may read."""
        if self.site.take_stale(Path(self.beancount_file_path)):
            self.load_file()
            return True
        return False

    def document_folders(self) -> list[Path]:
        """The documents folders the server honoured, resolved."""
        return [self.join_path(folder) for folder in self.options.get("documents", [])]
