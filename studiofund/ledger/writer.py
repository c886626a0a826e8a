"""The one way a ledger (or any file of ours: the users file, an attached scan) is changed.

Every command and web request that writes — ``init``, ``record``, ``import``, ``budget``,
``close``, ``clawback``, ``user``, the web desk — goes through :class:`LedgerWriter` (or, for a
file that is not a ledger, :class:`LockedFile`):

1. **Lock.** An exclusive lock (:mod:`filelock`, a lock file ``.NAME.lock`` beside the file) is
   taken *before* the current text is read and held until the new file has been renamed into
   place. A caller computes its change from the text it read under the lock, so two writers at
   once cannot lose each other's update; the second one waits, and after
   :data:`LOCK_TIMEOUT` seconds gives up with a clear message (:class:`LedgerBusyError`).
2. **Validate.** The new text is written to a temporary file beside the ledger and loaded by
   Beancount (plugins included). It is refused when that load has an error the old ledger did not
   have (syntax, balance, booking, an unreadable studio declaration), or when it adds, alters or
   removes an entry of a sealed year (:class:`SealedYearError`, the booking-time period lock). A
   caller may add its own check of the new load (``record`` refuses an entry with an ``error``
   finding there).
3. **Replace atomically.** The temporary file is flushed and fsynced, given the old file's mode,
   renamed over the old one (``os.replace``), and the directory is fsynced. A crash leaves the old
   file or the new one; any failure removes the temporary file (and any file staged with it), so
   no ``.tmp`` is ever left behind.

Text edits of a ledger split lines on ``"\\n"`` only, as Beancount does (:mod:`.text`).
"""

from __future__ import annotations

import datetime
import errno
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from studiofund.files import atomic_replace

from .directives import SEALED, parse_seals, sealed_years
from .loading import LedgerInputError, from_load, load_entries
from .seals import canonical
from .text import append_block

#: Seconds a writer waits for another one to finish before giving up.
LOCK_TIMEOUT = float(os.environ.get("STUDIOFUND_LOCK_TIMEOUT", "60"))



class LedgerWriteError(Exception):
    """The write was refused or failed; nothing was changed (the message says why, in Chinese).
    ``errors`` are the Beancount errors the new text would have brought, if that was the reason
    (their types tell a failed balance assertion from a syntax error)."""

    def __init__(self, message: str, errors=()) -> None:
        super().__init__(message)
        self.errors = tuple(errors)


class LedgerBusyError(LedgerWriteError):
    """Another writer held the lock for longer than the timeout."""


class LedgerWouldNotLoad(LedgerWriteError):
    """The new text brings a Beancount error the old ledger did not have (``errors``)."""

    def __init__(self, message: str, errors: list) -> None:
        super().__init__(message)
        self.errors = errors


class SealedYearError(LedgerWriteError):
    """The change would add, alter or remove an entry of a sealed year."""


def lock_path(path: Path) -> Path:
    """The lock file of ``path``: hidden, beside it (``.studio.beancount.lock``)."""
    return path.with_name(f".{path.name}.lock")


def refuse_unwritable(path: Path, *, read_only_ok: bool = False) -> None:
    """Raise :class:`LedgerWriteError` when ``path`` cannot be replaced: its folder is missing
    or read-only, or it is not a regular file (a FIFO, a device, a folder), or — unless
    ``read_only_ok`` — it is read-only (no write permission for anyone: its owner froze it; root
    would otherwise write it)."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        folder = directory.stat()
    except OSError:
        raise LedgerWriteError(f"{directory}：目录不存在；未做任何修改。") from None
    if not stat.S_ISDIR(folder.st_mode):
        raise LedgerWriteError(f"{directory}：不是目录；未做任何修改。")
    if not folder.st_mode & 0o222 or not os.access(directory, os.W_OK | os.X_OK):
        raise LedgerWriteError(f"{directory}：目录是只读的，无法写入；未做任何修改。请检查目录权限。")
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _failed(path, exc) from None
    if not stat.S_ISREG(info.st_mode):
        raise LedgerWriteError(f"{path}：不是普通文件（目录、管道或设备），不能写入；未做任何修改。")
    if not info.st_mode & 0o222 and not read_only_ok:
        raise LedgerWriteError(f"{path}：文件是只读的（权限 {stat.S_IMODE(info.st_mode):04o}），未做任何修改；"
                               "如确需修改，请先改为可写。")


def _lock(path: Path, timeout: float):
    return FileLock(str(lock_path(path)), timeout=timeout)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _write_temp(path: Path, data: bytes, mode: int) -> Path:
    """``data`` in a new temporary file beside ``path`` (flushed, fsynced, mode set)."""
    directory = path.parent
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(name)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _mode_of(path: Path, default: int) -> int:
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return default


def _as_bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _failed(path: Path, exc: OSError) -> LedgerWriteError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "磁盘空间不足"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "没有写入权限"
    else:
        why = exc.strerror or str(exc)
    return LedgerWriteError(f"{path}：写入失败（{why}）；文件未改动，请检查磁盘空间和权限后重试。")


class LockedFile:
    """A file changed under an exclusive lock, atomically (the users file; the base of
    :class:`LedgerWriter`)::

        with LockedFile(path) as f:
            text = f.read()             # under the lock
            f.replace(change(text))     # atomic; the lock is released on leaving the block
    """

    def __init__(self, path: str | Path, *, timeout: float | None = None, new_mode: int = 0o644,
                 read_only_ok: bool = False) -> None:
        self.path = Path(path)
        #: replace a read-only file (keeping its mode) instead of refusing it
        self.read_only_ok = read_only_ok
        self.timeout = LOCK_TIMEOUT if timeout is None else timeout
        self.new_mode = new_mode
        self._lock = None
        self._made_lock = False
        self._original: bytes | None = None
        self.written = False

    # -- the lock ------------------------------------------------------------------------------
    def __enter__(self):
        refuse_unwritable(self.path, read_only_ok=self.read_only_ok)
        # a lock file this writer makes is removed when it is done, so a refused change leaves
        # nothing behind (filelock >= 3.21 discards a lock taken on a file unlinked meanwhile
        # and takes a new one; pyproject.toml requires it)
        self._made_lock = not lock_path(self.path).exists()
        self._lock = _lock(self.path, self.timeout)
        try:
            self._lock.acquire()
        except Timeout:
            raise LedgerBusyError(
                f"{self.path}：另一个程序（或另一位用户）正在写入这个文件，等待 {self.timeout:g} 秒后仍未完成；"
                "未做任何修改，请稍后重试。"
            ) from None
        except OSError as exc:
            raise _failed(self.path, exc) from None
        return self

    def __exit__(self, *exc_info) -> None:
        if self._lock is not None:
            if self._made_lock:
                lock_path(self.path).unlink(missing_ok=True)
            self._lock.release()
            self._lock = None

    def _require_lock(self) -> None:
        if self._lock is None or not self._lock.is_locked:
            raise RuntimeError("LockedFile used outside its `with` block")

    # -- reading and writing -------------------------------------------------------------------
    @property
    def exists(self) -> bool:
        return self.path.exists()

    def read_bytes(self) -> bytes:
        """The current content (b"" for a file that does not exist yet), read under the lock."""
        self._require_lock()
        if self._original is None:
            try:
                self._original = self.path.read_bytes()
            except FileNotFoundError:
                self._original = b""
            except OSError as exc:
                raise LedgerWriteError(f"{self.path}：无法读取（{exc.strerror}）；未做任何修改。") from None
        return self._original

    def read(self) -> str:
        try:
            return self.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            line = self.read_bytes()[: exc.start].count(b"\n") + 1
            raise LedgerWriteError(f"{self.path}:{line}：不是 UTF-8 文本；未做任何修改。") from None

    def replace(self, data: str | bytes) -> None:
        """Atomically replace the file with ``data`` (its mode kept)."""
        self._require_lock()
        self.commit(_as_bytes(data), lambda tmp: None)

    def commit(self, data: bytes, validate: Callable[[Path], None]) -> None:
        mode = _mode_of(self.path, self.new_mode)
        try:
            tmp = _write_temp(self.path, data, mode)
        except OSError as exc:
            raise _failed(self.path, exc) from None
        try:
            validate(tmp)
            os.replace(tmp, self.path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _failed(self.path, exc) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(self.path.parent)
        self._original = data
        self.written = True


# -- ledgers ---------------------------------------------------------------------------------


def _load(path: Path, shown_as: Path):
    """Beancount's full load of the file at ``path``, its entries and errors naming ``shown_as``."""
    try:
        entries, errors, options_map = load_entries(path)
    except LedgerInputError as exc:
        raise LedgerWriteError(f"{exc}未做任何修改。") from None
    if path != shown_as:
        real, shown = str(path.resolve()), str(shown_as.resolve())
        _rename_source(entries, errors, options_map, real, shown)
    return from_load(shown_as, entries, errors, options_map)


def _rename_source(entries, errors, options_map, real: str, shown: str) -> None:
    """Make the load of a temporary file look like the load of the ledger it will replace
    (metadata dicts are shared by entries and errors, so fixing them fixes both)."""
    for entry in entries:
        meta = entry.meta
        if meta and meta.get("filename") == real:
            meta["filename"] = shown
    for error in errors:
        source = getattr(error, "source", None)
        if isinstance(source, dict) and source.get("filename") == real:
            source["filename"] = shown
    if options_map.get("filename") == real:
        options_map["filename"] = shown
    includes = options_map.get("include")
    if isinstance(includes, list):
        options_map["include"] = [shown if i == real else i for i in includes]


def _error_key(error) -> str:
    return f"{type(error).__name__}:{error.message}"


def _beancount_errors(loaded) -> list:
    """What makes a ledger not load: Beancount's errors and configuration errors (not findings)."""
    return list(loaded.load_errors) + list(loaded.config_errors)


def _where(error) -> str:
    source = getattr(error, "source", None) or {}
    lineno = source.get("lineno")
    return f"第 {lineno} 行：" if lineno else ""


class LedgerWriter(LockedFile):
    """A studio ledger changed under the lock, validated by reloading, refusing sealed years::

        with LedgerWriter(path) as w:
            loaded = w.before()                    # the ledger as read under the lock
            new_text = plan(w.read(), loaded)      # the change, computed from that text
            after = w.replace(new_text)            # validated, then renamed into place

    ``replace(text, check=…)`` calls ``check(after)`` with the load of the new text before the
    rename; raising :class:`LedgerWriteError` there refuses the write. ``stage(path, data)`` adds
    a file (an attached scan) that is put in place with the ledger and removed if the ledger is
    not written. ``edit_included(path, text)`` changes a file the ledger includes (a year file)
    with it: the ledger's lock covers its includes, so they are read (``read_included``) and
    written under it, and put back if the ledger is not written.
    """

    def __init__(self, path: str | Path, *, timeout: float | None = None,
                 load: Callable[[Path, Path], Any] | None = None) -> None:
        super().__init__(path, timeout=timeout)
        self._before = None
        self._staged: list[tuple[Path, bytes]] = []
        #: ``load(file, shown_as)`` of the old and the new text: Beancount's full load, or the web
        #: server's confined one (``studiofund.web.confine``: a ledger's text is untrusted there)
        self._load = load or _load
        self._included: dict[Path, tuple[bytes, bytes]] = {}  # include → (its text read, its new text)

    def before(self):
        """The ledger as it is now (a :class:`~studiofund.ledger.loading.LoadedLedger`), loaded
        under the lock; None for a ledger that does not exist yet."""
        self._require_lock()
        if self._before is None and self.path.exists():
            self.read_bytes()
            self._before = self._load(self.path, self.path)
        return self._before

    def stage(self, path: str | Path, data: bytes) -> None:
        """Write ``path`` (a new file, e.g. a scan in the documents folder) with the ledger."""
        self._staged.append((Path(path), data))

    def _include(self, path: str | Path) -> Path:
        """``path`` if it is a Beancount file the ledger (as read under the lock) includes: one
        its entries come from (``options_map["include"]`` also lists the plugin's policy files)."""
        self._require_lock()
        resolved = Path(path).resolve()
        before = self.before()
        included = {Path(name).resolve() for name in (before.options_map.get("include") or [])} if before else set()
        included &= {Path(e.meta["filename"]).resolve() for e in before.entries
                     if e.meta and isinstance(e.meta.get("filename"), str)} if before else set()
        if resolved == self.path.resolve() or resolved not in included:
            raise LedgerWriteError(f"{path}：不是账簿 {self.path} 包含（include）的文件；未做任何修改。")
        return resolved

    def read_included(self, path: str | Path) -> str:
        """The text of ``path``, a file the ledger includes, read under the ledger's lock."""
        resolved = self._include(path)
        if resolved in self._included:
            return self._included[resolved][1].decode("utf-8")
        try:
            data = resolved.read_bytes()
        except OSError as exc:
            raise LedgerWriteError(f"{path}：无法读取（{exc.strerror}）；未做任何修改。") from None
        self._included[resolved] = (data, data)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise LedgerWriteError(f"{path}:{line}：不是 UTF-8 文本；未做任何修改。") from None

    def edit_included(self, path: str | Path, text: str) -> None:
        """Replace ``path`` (read with :meth:`read_included`) by ``text`` together with the ledger:
        written before the new ledger is validated, put back if it is not written."""
        resolved = self._include(path)
        if resolved not in self._included:
            raise RuntimeError("edit_included() of a file not read with read_included()")
        self._included[resolved] = (self._included[resolved][0], _as_bytes(text))

    def _put_included(self) -> list[tuple[Path, bytes]]:
        """Write the edited includes; returns what to put back, in order."""
        done: list[tuple[Path, bytes]] = []
        for path, (old, new) in self._included.items():
            if new == old:
                continue
            try:
                atomic_replace(path, new, _mode_of(path, 0o644))
            except OSError as exc:
                _restore(done)
                raise _failed(path, exc) from None
            done.append((path, old))
        return done

    def replace(self, text: str, *, check: Callable[[Any], None] | None = None):  # type: ignore[override]
        """Validate ``text`` as the new ledger and put it in place; returns its load."""
        self._require_lock()
        result: dict[str, Any] = {}
        created: list[Path] = []
        edited: list[tuple[Path, bytes]] = []
        # The old ledger is loaded only when something needs it (callers that planned from it
        # have loaded it already): its errors, when the new text has some; its entries, when
        # it may carry a seal (in this file or an included one).
        old = self.read_bytes()
        might_be_sealed = SEALED.encode() in old or b"include" in old

        def validate(tmp: Path) -> None:
            created.extend(self._put_staged())
            edited.extend(self._put_included())
            after = self._load(tmp, self.path)
            if might_be_sealed and self.before() is not None:
                refuse_sealed_changes(self.path, self.before().entries, after.entries)
            errors = _beancount_errors(after)
            if errors:
                before = self.before()
                known = {_error_key(e) for e in _beancount_errors(before)} if before is not None else set()
                new = [e for e in errors if _error_key(e) not in known]
                if new:
                    detail = "；".join(f"{_where(e)}{e.message}" for e in new[:3])
                    raise LedgerWouldNotLoad(
                        f"{self.path}：写入后账簿将无法正确加载（{detail}）；未做任何修改。", new)
            if check is not None:
                check(after)
            result["after"] = after

        try:
            self.commit(_as_bytes(text), validate)
        except BaseException:
            _restore(edited)
            _remove(created)
            raise
        self._included = {path: (new, new) for path, (_old, new) in self._included.items()}
        self._before = result["after"]
        return result["after"]

    def _put_staged(self) -> list[Path]:
        """Put the staged files in place; returns what was created (folders too), in order."""
        created: list[Path] = []
        try:
            for path, content in self._staged:
                if path.exists():
                    if path.read_bytes() == content:
                        continue
                    raise LedgerWriteError(f"{path}：文件已存在，不会覆盖；未做任何修改。")
                missing = [d for d in reversed(path.parents) if not d.exists()]
                for folder in missing:
                    folder.mkdir()
                    created.append(folder)
                atomic_replace(path, content)
                created.append(path)
        except BaseException as exc:
            _remove(created)
            if isinstance(exc, OSError):
                raise _failed(path, exc) from None
            raise
        return created


def _restore(edited: list[tuple[Path, bytes]]) -> None:
    """Put back the included files :meth:`LedgerWriter._put_included` wrote."""
    for path, old in reversed(edited):
        try:
            atomic_replace(path, old, _mode_of(path, 0o644))
        except OSError:
            pass


def _remove(created: list[Path]) -> None:
    """Undo :meth:`LedgerWriter._put_staged`: the files, then the folders it made."""
    for path in reversed(created):
        try:
            path.rmdir() if path.is_dir() else path.unlink(missing_ok=True)
        except OSError:
            pass


# -- the booking-time period lock ------------------------------------------------------------


def frozen_through(entries: Iterable) -> tuple[datetime.date | None, dict[int, Any]]:
    """The last day whose entries a seal protects (31 December of the latest sealed year: a
    seal's digest covers that year and every earlier one), and the seals."""
    seals = sealed_years(entries)
    if not seals:
        return None, seals
    return datetime.date(max(seals), 12, 31), seals


def _texts(entries: Iterable, last: datetime.date) -> Counter:
    return Counter(t for e in entries if e.date <= last and (t := canonical(e)) is not None)


def refuse_sealed_changes(path: Path, before: list, after: list) -> None:
    """Raise :class:`SealedYearError` if ``after`` adds, alters or removes an entry dated in a
    year sealed in ``before``, or drops a seal without reopening it on record."""
    last, seals = frozen_through(before)
    if last is None:
        return
    after_seals = sealed_years(after)
    reopened = {mark.year for mark in parse_seals(after)[0] if not mark.sealed}
    for year, seal in seals.items():
        if year not in after_seals and year not in reopened:
            raise SealedYearError(
                f"{path}：{year} 年度已于 {seal.date} 封账，这次修改删除了封账记录；未做任何修改。"
                f"如确需更正，请用 studiofund close {path} --year {year} --reopen --reason \"理由\" 留痕开账。"
            )
    old, new = _texts(before, last), _texts(after, last)
    if old == new:
        return
    added = new - old
    removed = old - new
    changed = next(iter(added or removed))
    year = max(seals)
    what = "新增或改动" if added else "删除"
    first_line = changed.strip().split("\n")[0] if changed.strip() else changed
    raise SealedYearError(
        f"{path}：{year} 年度已于 {seals[year].date} 封账，{year} 年度（含以前年度）的账目不得{what}"
        f"（{first_line}）；未做任何修改。如确需更正，请先用 studiofund close {path} --year {year} "
        "--reopen --reason \"理由\" 留痕开账，更正后再封账。"
    )


# -- shortcuts ---------------------------------------------------------------------------------


def rewrite_ledger(path: str | Path, text: str) -> None:
    """Replace the ledger with ``text`` (computed by the caller beforehand: prefer
    :func:`update_ledger`, which computes the change from the text read under the lock)."""
    with LedgerWriter(path) as w:
        w.replace(text)


def update_ledger(path: str | Path, change: Callable[[str, Any], str], *,
                  check: Callable[[Any], None] | None = None):
    """Apply ``change(text, loaded)`` — the current text and its load, read under the lock — and
    write the result; returns the new load."""
    with LedgerWriter(path) as w:
        return w.replace(change(w.read(), w.before()), check=check)


def append_to_ledger(path: str | Path, block: str, *, check: Callable[[Any], None] | None = None):
    """Append ``block`` (Beancount text) to the ledger, under the lock; returns the new load."""
    return update_ledger(path, lambda text, _loaded: append_block(text, block), check=check)


def create_ledger(path: str | Path, text: str) -> None:
    """Write a new ledger; refused if the file exists or if the text does not load cleanly."""
    path = Path(path)
    with LedgerWriter(path) as w:
        if path.exists():
            raise LedgerWriteError(f"{path}：文件已存在，不会覆盖已有账簿；请换一个文件名。")

        def clean(after) -> None:
            errors = _beancount_errors(after)
            if errors:
                raise LedgerWriteError(f"{path}：生成的账簿无法加载（{_where(errors[0])}{errors[0].message}）。")

        w.replace(text, check=clean)
