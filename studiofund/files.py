"""Files the package keeps for itself: atomic replacement, fingerprints and cache directories.

Our caches (validated policies, check results, consolidation results) rest on files. A
consolidation entry (:func:`fingerprint`) records each file's size and modification time and a
digest of the contents, salted with the digest of our own code; :func:`unchanged` compares sizes
and times first (a stat per file) and re-reads contents only when they differ (or were written
just before the fingerprint), so a file touched without a change still hits — the way
Beancount's pickle cache checks a ledger's includes, but by content where the times moved. The
check cache (:mod:`studiofund.checks.cache`) keeps :func:`file_keys` instead and a digest only of
files written just before (digesting a large ledger cost a first check more than its cache).

Ledgers are not written here: every change to a ledger goes through :mod:`studiofund.ledger`'s
writer, which locks and validates.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).parent
CACHE_ENV = "STUDIOFUND_CACHE_DIR"
#: File systems keep modification times coarsely (a clock tick, or seconds): a file written
#: this close before its fingerprint was taken may change again without its time moving, so
#: its content is compared (as git treats a "racily clean" file).
RACY_NS = 2_000_000_000

#: The largest file a ledger, statement, e-invoice, policy or users file may be.
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The longest line such a text file may have. Beancount's lexer is quadratic in the length of
#: a line (1/2/4 MB took 2/6/21 s), and no ledger, statement or policy has a line this long.
MAX_LINE_BYTES = 256 * 1024


_GLOB_CHARS = re.compile(r"[*?\[]")


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both resolved)."""
    return path == folder or path.is_relative_to(folder)


def glob_base(pattern: str | Path) -> Path:
    """The leading components of a glob pattern without wildcards: where a glob would start
    listing (``ledgers/*/2021.beancount`` → ``ledgers``)."""
    parts = []
    for part in Path(pattern).parts:
        if _GLOB_CHARS.search(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def describe_kind(mode: int) -> str:
    """What a file that is not a regular file is, in Chinese (from its ``st_mode``)."""
    if stat.S_ISDIR(mode):
        return "目录"
    if stat.S_ISFIFO(mode):
        return "管道（FIFO）"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "设备文件"
    if stat.S_ISSOCK(mode):
        return "套接字"
    return "特殊文件"


def read_source(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES,
                max_line: int | None = MAX_LINE_BYTES, follow_links: bool = True) -> tuple[bytes | None, str]:
    """The bytes of a regular file, or None and why not (in Chinese, without the path).

    Never blocks and never reads without end: a FIFO, a device (``/dev/zero``), a directory is
    refused before it is opened (and again on the opened descriptor, in case it was swapped),
    as is a file over ``max_bytes`` or with a line over ``max_line`` bytes (None: any length,
    for binary files). Without ``follow_links`` a symbolic link is refused too (the server,
    which has resolved and confined the path already).
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None, "文件不存在"
    except (OSError, ValueError):
        return None, "文件无法读取"
    if not stat.S_ISREG(info.st_mode):
        return None, f"是{describe_kind(info.st_mode)}，不是普通文件，拒绝读取"
    too_big = f"文件超过 {max_bytes // (1024 * 1024)} MB，拒绝读取"
    if info.st_size > max_bytes:
        return None, too_big
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else getattr(os, "O_NOFOLLOW", 0)))
    except PermissionError:
        return None, "没有读取权限"
    except OSError:
        return None, "文件无法读取"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, f"是{describe_kind(info.st_mode)}，不是普通文件，拒绝读取"
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(max_bytes + 1)
    except OSError:
        return None, "文件无法读取"
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        return None, too_big
    if max_line is not None and len(data) > max_line:
        line = long_line(data, max_line)
        if line:
            return None, f"第 {line} 行超过 {max_line // 1024} KB，不像账簿或表格的文本，拒绝读取"
    return data, ""


def long_line(data: bytes, limit: int) -> int:
    """The number of the first line of ``data`` longer than ``limit`` bytes (0: none).

    Steps from line start to line start ``limit`` bytes at a time, not line by line: the line
    starting at ``start`` is too long exactly when the ``limit + 1`` bytes from ``start`` hold
    no newline; else every line up to the last newline among them is short enough. A loop over
    every line cost a 20,000-transaction ledger 0.45 G instructions (3.8 % of Beancount's own
    load of it, measured with callgrind); this scan touches each byte at most twice, in C."""
    start = 0
    while len(data) - start > limit:
        stop = data.rfind(b"\n", start, start + limit + 1)
        if stop < 0:
            return data.count(b"\n", 0, start) + 1
        start = stop + 1
    return 0


def atomic_replace(path: str | Path, data: bytes, mode: int = 0o644, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file in the same directory, fsync,
    rename): a crash leaves the old file or the new one. Raises OSError.

    ``durable=False`` leaves out the fsync, for a cache entry written once a ledger that is
    recomputed when lost (after a power cut a reader sees the old entry, the new one or a file
    that is no valid entry, never a mix): two consolidation workers each writing entries with
    an fsync waited 4.9 ms a file on this machine, a tenth of a ledger's ~50 ms step."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    # a new file of a name nobody else picks, as tempfile.mkstemp makes it: importing tempfile
    # (with shutil, random, bz2 and lzma) cost every check 0.015 G instructions (callgrind)
    tmp = directory / f".{path.name}.{os.getpid()}.{os.urandom(8).hex()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def user_cache_dir(kind: str) -> Path:
    """``$STUDIOFUND_CACHE_DIR/KIND``, else ``${XDG_CACHE_HOME:-~/.cache}/studiofund/KIND``."""
    base = os.environ.get(CACHE_ENV)
    if base:
        return Path(base) / kind
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg) / "studiofund" / kind


@functools.lru_cache(maxsize=None)
def code_digest(root: Path = PACKAGE_DIR, suffixes: tuple[str, ...] = (".py", ".toml")) -> str:
    """The digest of the Python version and every file with one of ``suffixes`` under ``root``
    (by default: all of our code and bundled policies). Computed once per process.

    Every check process needs it (the caches' salt), and hashing the ~1 MB of code cost a
    first check about 0.05 G instructions (callgrind): the digest is kept in the cache directory
    with the sizes and times of the files it read, and read again while they are all the same —
    the same stat test as the caches themselves (:func:`unchanged`), racily clean files
    included. The files are named by strings, not ``Path`` objects: building, sorting and
    relating 154 paths cost each check process, first or repeated, 0.012 G instructions of the
    0.018 G this took (callgrind)."""
    base = str(root)
    names = []  # relative to root
    for folder, dirs, found in os.walk(base):
        # the compiled files are not read: their directories are not walked either
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        inside = folder[len(base) + 1:]
        names += [os.path.join(inside, name) for name in found if name.endswith(suffixes)]
    names.sort()
    paths = [os.path.join(base, name) for name in names]
    stats = file_stats(paths)
    memo = user_cache_dir("code") / (hashlib.sha256(f"{root}\0{suffixes}".encode()).hexdigest() + ".json")
    try:
        kept = json.loads(memo.read_text(encoding="utf-8"))
        if (kept["python"] == sys.version and kept["names"] == names
                and stats_hold(kept["stats"], stats, int(kept["taken"]))):
            return kept["digest"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    taken = time.time_ns()
    h = hashlib.sha256(sys.version.encode())
    for name, path in zip(names, paths):
        h.update(name.encode() + b"\0")
        h.update(hashlib.sha256(Path(path).read_bytes()).digest())
    digest = h.hexdigest()
    if stats is not None:
        try:
            memo.parent.mkdir(parents=True, exist_ok=True)
            atomic_replace(memo, json.dumps({"python": sys.version, "names": names, "stats": stats,
                                             "taken": taken, "digest": digest}).encode())
        except OSError:
            pass
    return digest


@functools.lru_cache(maxsize=4096)
def _real_directory(directory: str) -> str:
    return os.path.realpath(directory)


def resolved(path: str | Path) -> str:
    """The absolute path with symbolic links resolved, as ``Path.resolve()`` gives it, for the
    files of a directory at the cost of one ``lstat`` each (the directory is resolved once)."""
    text = os.path.abspath(path)
    try:
        if stat.S_ISLNK(os.lstat(text).st_mode):
            return os.path.realpath(text)
    except OSError:
        return os.path.realpath(text)
    head, tail = os.path.split(text)
    return os.path.join(_real_directory(head), tail)


def file_stats(files: Iterable[str], seen: dict[str, list[int] | None] | None = None) -> list[list[int]] | None:
    """Size and modification time (ns) of each file (None if one is missing).

    ``seen`` keeps the stats of one run: files shared by many entries (the bundled policies
    and the plugin's code, which every ledger's findings rest on) are then stat'ed once a run,
    not once an entry (10,000 ledgers: 10,000 stats instead of 80,000)."""
    out = []
    for name in files:
        if seen is not None and name in seen:
            known = seen[name]
            if known is None:
                return None
            out.append(known)
            continue
        try:
            st = os.stat(name)
        except OSError:
            if seen is not None:
                seen[name] = None
            return None
        pair = [st.st_size, st.st_mtime_ns]
        if seen is not None:
            seen[name] = pair
        out.append(pair)
    return out


def file_keys(files: Iterable[str]) -> list[list[int]] | None:
    """What tells that each file is still the one seen, as git's index keeps it: size,
    modification and change times (ns), inode and device (None if one is missing). An edit
    moves the modification time; one that puts it back moves the change time, which no one can
    set; a file replaced by another (a rename) has another inode."""
    out = []
    for name in files:
        try:
            st = os.stat(name)
        except OSError:
            return None
        out.append([st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev])
    return out


def keys_settled(keys: list[list[int]], taken: int) -> bool:
    """Whether each file of :func:`file_keys` had last changed (modification and change times)
    :data:`RACY_NS` before ``taken``: only then may its keys alone tell that it is unchanged."""
    return settled((t for key in keys for t in key[1:3]), taken)


def content_digest(files: Iterable[str], salt: str) -> str | None:
    """Digest of ``salt``, our code and the files' names and contents (None if one cannot be read)."""
    h = hashlib.sha256(f"{salt}:{code_digest()}".encode())
    for name in files:
        try:
            digest = _file_digest(name)
        except OSError:
            return None
        h.update(name.encode() + b"\0")
        h.update(digest)
    return h.hexdigest()


def _file_digest(name: str) -> bytes:
    """The digest of a file's content, hashed once a process while the file is not written
    to: every ledger's result rests on the same bundled policies and plugin code (eight files,
    165 kB). Hashed again for each ledger of a consolidation, a cache entry's fingerprint took
    7.7 M instructions, 2.8 M with this memo (SHA-256 then), of a ledger's ~300 M (callgrind).
    A file not :func:`settled` is hashed every time (its next change could keep its times)."""
    with open(name, "rb") as handle:
        st = os.fstat(handle.fileno())
        identity = (name, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        known = _digests.get(identity)
        if known is not None:
            return known
        # BLAKE2b: without the CPU's SHA instructions (callgrind's count) SHA-256 of the check
        # bench's 4.4 MB ledger costs 0.12 G instructions, BLAKE2b 0.06 G
        digest = hashlib.blake2b(handle.read(), digest_size=32).digest()
    if settled((st.st_mtime_ns, st.st_ctime_ns)):
        if len(_digests) >= _DIGESTS_KEPT:  # full of ledgers hashed once: the shared files come back
            _digests.clear()
        _digests[identity] = digest
    return digest


#: the digests :func:`_file_digest` keeps, by file name and identity (inode, size, times)
_digests: dict[tuple, bytes] = {}
_DIGESTS_KEPT = 256


def fingerprint(files: list[str], salt: str) -> dict[str, Any] | None:
    """What :func:`unchanged` compares later (None if a file cannot be read)."""
    stats = file_stats(files)
    digest = content_digest(files, salt)
    if stats is None or digest is None:
        return None
    return {"files": files, "stats": stats, "engine": code_digest(), "digest": digest, "taken": time.time_ns()}


def settled(times_ns: Iterable[int], taken: int | None = None) -> bool:
    """Whether each of a file's times (ns) lies :data:`RACY_NS` before ``taken`` (by default:
    now) — a file changed just before could change again within the same clock tick and keep
    its times, so only then may what was read of it be trusted by its times alone."""
    before = (time.time_ns() if taken is None else taken) - RACY_NS
    return all(t < before for t in times_ns)


def stats_hold(recorded: Any, stats: list[list[int]] | None, taken: int) -> bool:
    """Whether the files still have the ``recorded`` sizes and times (:func:`file_stats`) and
    each had :func:`settled` before the record was ``taken``."""
    return stats is not None and recorded == stats and settled((t for _, t in stats), taken)


def unchanged(entry: dict[str, Any], salt: str, seen: dict[str, list[int] | None] | None = None) -> bool:
    """Whether the files a fingerprinted entry rests on still hold what they held: the same
    sizes and times with the same code, or else the same content digest (``seen``: see
    :func:`file_stats`)."""
    files = entry.get("files")
    if not files:
        return False
    stats = file_stats(files, seen)
    if stats is None:
        return False
    if entry.get("engine") == code_digest() and stats_hold(entry.get("stats"), stats, int(entry.get("taken", 0))):
        return True
    return content_digest(files, salt) == entry.get("digest")


def toml_problem(exc: Exception) -> str:
    """A TOML syntax error in Chinese: where it is (tomllib's messages are English)."""
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    where = f"第 {found.group(1)} 行第 {found.group(2)} 列" if found else "文件末尾"
    return (f"{where}不是有效的 TOML（键值写成 key = \"值\"，表写成 [名称]，字符串须加引号并在同一行闭合）；"
            "请修正该处")


def read_toml(path: str | Path) -> tuple[dict[str, Any] | None, str]:
    """A TOML file's tables, or None and why not (in Chinese, without the path): a regular
    file of sane size, UTF-8 (a BOM allowed), valid TOML."""
    import tomllib  # only where a TOML file is read

    data, problem = read_source(path)
    if data is None:
        return None, problem
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, f"第 {line} 行不是 UTF-8 编码的文本；请另存为 UTF-8"
    try:
        return tomllib.loads(text), ""
    except tomllib.TOMLDecodeError as exc:
        return None, toml_problem(exc)
    except RecursionError:
        return None, "嵌套过深，不是有效的 TOML"
