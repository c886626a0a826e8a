"""A ledger's source files — its main file and what it ``include``s — read safely, and parsed.

Beancount's own loader opens whatever an ``include`` names: a FIFO blocks it forever,
``/dev/zero`` never ends, a 30 MB line takes its quadratic lexer minutes, and a missing or
doubly included file is an English ``<load>:0`` error. Here every source file is read with
:func:`studiofund.files.read_source` (regular files only, of sane size and line length), an
``include`` is followed only where the caller's ``expand`` allows — for the command line, files
inside the ledger's directory tree; for the web server, also not another served ledger's — and
every refusal is an error in Chinese naming the including file and line.

The command line (:func:`load_tree`, used by :mod:`.loading`) and the web server
(:mod:`studiofund.web.confine`) share :func:`parse_tree`; after it comes Beancount's usual
booking, plugins and validation (:func:`finish_load`).
"""

from __future__ import annotations

import glob
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from beancount import loader
from beancount.core import data as bdata
from beancount.ops import validation
from beancount.parser import booking, parser
from beancount.parser.lexer import LexerError
from beancount.parser import options as boptions

from studiofund.files import glob_base, inside, read_source

from .studio import PLUGIN_NAME

_GLOB_CHARS = re.compile(r"[*?\[]")


class SourceError(NamedTuple):
    """A source file or an ``include`` that was refused (a Beancount error: source, message, entry)."""

    source: dict[str, Any] | None
    message: str
    entry: Any


def meta(filename: Path | str, lineno: int) -> dict[str, Any]:
    return {"filename": str(filename), "lineno": lineno}


def line_of(data: bytes, keyword: str, value: str) -> int:
    """The line of ``keyword "value"`` in ``data`` (0 when not found verbatim)."""
    pattern = rb"^[ \t]*" + re.escape(keyword.encode()) + rb"[ \t]+\"" + re.escape(value.encode("utf-8")) + rb"\""
    found = re.search(pattern, data, re.MULTILINE)
    return data.count(b"\n", 0, found.start()) + 1 if found else 0


#: ``expand(directory of the including file, pattern)`` → the files an ``include`` names, each
#: with a refusal ('' when it may be read; a refused target is still returned when the caller
#: wants it recorded, else None).
Expander = Callable[[Path, str], list[tuple[Path | None, str]]]


@dataclass
class ParsedTree:
    """The parse of a main file and its includes (before booking and plugins)."""

    entries: list
    errors: list
    #: None when the main file itself could not be read (``errors`` say why)
    options_map: dict[str, Any] | None
    #: every file an include named, read or refused (resolved)
    named: set[Path] = field(default_factory=set)
    texts: dict[Path, bytes] = field(default_factory=dict)


def parse_tree(main: Path, expand: Expander, *, source: Path | None = None,
               error: Callable[..., Any] = SourceError) -> ParsedTree:
    """Parse ``main`` (resolved; its text read from ``source`` when given — a new text of it
    written aside) and, breadth first, the files its ``include`` lines name, as ``expand``
    allows. A file included twice (a cycle, or two includes of one file) is read once; the
    second include is an error naming the chain. Refusals are ``error`` tuples (the server
    has its own kind)."""
    tree = ParsedTree([], [], None, {main})
    others: list = []
    parents: dict[Path, Path | None] = {main: None}
    #: (file, where it was included, the include's pattern)
    queue: list[tuple[Path, dict[str, Any] | None, str]] = [(main, None, "")]
    while queue:
        path, origin, named_as = queue.pop(0)
        data, problem = read_source(source if path == main and source is not None else path)
        if data is None:
            where = origin or meta(path, 0)
            why = f'include "{named_as}"：{path.name} {problem}。' if origin else f"{path}：{problem}。"
            tree.errors.append(error(where, why, None))
            if tree.options_map is None:  # the main file itself: nothing to show
                return tree
            continue
        entries, errors, options = parser.parse_file(io.BytesIO(data), report_filename=str(path))
        if origin is not None and any(isinstance(e, LexerError) for e in errors):
            # an included file that is not UTF-8 text (GBK, binary) is one error at its include
            # line, not a run of lexer errors (the main file's is reported by the loader)
            try:
                data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = data[: exc.start].count(b"\n") + 1
                tree.errors.append(error(origin, f'include "{named_as}"：{path}:{line} 不是 UTF-8 文本，无法作为账簿读取；'
                                                 "如果是 GBK 编码的文本，请另存为 UTF-8。", None))
                continue
        tree.texts[path] = data
        tree.entries.extend(entries)
        tree.errors.extend(errors)
        if tree.options_map is None:
            tree.options_map = options
        else:
            others.append(options)
        for pattern in options["include"]:
            line = meta(path, line_of(data, "include", pattern))
            for target, refusal in expand(path.parent, pattern):
                if target is not None:
                    tree.named.add(target)
                if refusal:
                    tree.errors.append(error(line, f'include "{pattern}"：{refusal}', None))
                elif target in parents:
                    tree.errors.append(error(line, f'include "{pattern}"：{_twice(target, path, parents)}', None))
                else:
                    parents[target] = path
                    queue.append((target, line, pattern))
    assert tree.options_map is not None
    tree.options_map["include"] = sorted(str(p) for p in tree.texts)  # as Beancount lists them
    tree.options_map = loader.aggregate_options_map(tree.options_map, others)
    return tree


def _twice(target: Path, including: Path, parents: dict[Path, Path | None]) -> str:
    """Why a second include of ``target`` is refused: a cycle (with its chain) or a repeat."""
    chain = [including]
    while chain[-1] != target and parents.get(chain[-1]) is not None:
        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
    if chain[-1] == target:
        names = " → ".join(p.name for p in [target, *reversed(chain[:-1]), target])
        return f"循环包含（{names}），已忽略；请删去造成循环的 include 行。"
    return f"{target.name} 已被包含过一次，重复的 include 已忽略；请删去重复的一行。"


def expand_within(root: Path, outside: str) -> Expander:
    """The command line's includes: files (a glob's matches) inside ``root``, the ledger's
    directory; ``outside`` says why one elsewhere is refused."""

    def expand(base: Path, pattern: str) -> list[tuple[Path | None, str]]:
        raw = Path(pattern) if os.path.isabs(pattern) else base / pattern
        try:
            fixed = glob_base(raw).resolve()
        except (OSError, RuntimeError, ValueError):
            return [(None, outside)]
        if not inside(fixed, root):
            return [(None, outside)]
        names = sorted(glob.glob(str(raw), recursive=True)) if _GLOB_CHARS.search(str(raw)) else [str(raw)]
        results: list[tuple[Path | None, str]] = []
        for name in names:
            try:
                target = Path(os.path.normpath(name)).resolve()
            except (OSError, RuntimeError, ValueError):
                results.append((None, outside))
                continue
            if not inside(target, root):
                results.append((None, outside))
            elif not target.exists():
                results.append((None, f"文件 {target.name} 不存在；请检查文件名，或删去这一行。"))
            else:
                results.append((target, ""))
        return results or [(None, "没有匹配的文件；请检查路径，或删去这一行。")]

    return expand


def finish_load(tree: ParsedTree, main: Path) -> tuple[list, list, dict[str, Any]]:
    """Beancount's load after the parse: booking, plugins, validation — as its loader does it.

    A studio ledger without the ``plugin "studiofund.plugin"`` line is checked all the same
    (the plugin is run) and told so by a :class:`PluginMissing` error: without that line
    ``bean-check`` and Fava would report none of its findings."""
    options_map = tree.options_map
    if options_map is None:
        options_map = boptions.OPTIONS_DEFAULTS.copy()
        options_map["filename"] = str(main)
        options_map["include"] = []
    # the tree lets go of the parsed entries: booking replaces them, and keeping both alive
    # through the plugins made every later garbage collection walk them (Beancount's loader
    # drops them too)
    entries, errors = tree.entries, tree.errors
    tree.entries = []
    entries.sort(key=bdata.entry_sortkey)
    entries, balance_errors = booking.book(entries, options_map)
    errors.extend(balance_errors)
    missing = plugin_missing(options_map, tree.texts.get(main, b""), main)
    if missing is not None:
        options_map["plugin"] = [*options_map.get("plugin", []), (PLUGIN_NAME, None)]
    entries, errors = loader.run_transformations(entries, errors, options_map, None)
    if missing is not None and any(type(e) is bdata.Custom and e.type == "studio" for e in entries):
        errors.append(missing)
    errors.extend(validation.validate(entries, options_map, None, None))
    options_map["input_hash"] = loader.compute_input_hash(options_map["include"])
    return entries, errors, options_map


class PluginMissing(NamedTuple):
    """A studio ledger without ``plugin "studiofund.plugin"``: checked anyway, but Beancount's
    own tools (bean-check, Fava) would not check it. A configuration error (``studio-config``)
    that leaves the checks complete."""

    source: dict[str, Any] | None
    message: str
    entry: Any


def plugin_missing(options_map: dict[str, Any], text: bytes, main: Path) -> PluginMissing | None:
    """The error for a ledger that does not run our plugin (None when it does)."""
    if any(name == PLUGIN_NAME for name, _ in options_map.get("plugin", [])):
        return None
    return PluginMissing(
        meta(main, 1),
        f"账簿缺少 plugin \"{PLUGIN_NAME}\" 这一行：bean-check 和 Fava 不会检查这本账，"
        f"经费合规页面也看不到问题（studiofund 命令仍已运行全部检查）。请在账簿开头的 option 行之后加上一行 "
        f"plugin \"{PLUGIN_NAME}\"。",
        None,
    )


def load_tree(main: str | Path) -> tuple[list, list, dict[str, Any] | None]:
    """The command line's load of a ledger: :func:`parse_tree` confined to the ledger's
    directory, then :func:`finish_load`. ``options_map`` is None when the main file itself
    cannot be read (the first error says why)."""
    main = Path(main).resolve()
    root = main.parent
    outside = (f"不在账簿所在目录 {root} 之内，拒绝读取；请把被包含的文件放在账簿目录或其子目录中"
               "（被包含的文件属于这本账，应与账簿放在一起）。")
    tree = parse_tree(main, expand_within(root, outside))
    if tree.options_map is None:
        return tree.entries, tree.errors, None
    entries, errors, options_map = finish_load(tree, main)
    return entries, errors, options_map
