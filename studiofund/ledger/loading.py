"""Loading studio ledgers: once, with the plugin's findings sorted out from load errors."""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.parser.grammar import ParserError, ParserSyntaxError
from beancount.parser.lexer import LexerError

from studiofund import files
from studiofund.files import describe_kind, read_source, resolved
from studiofund.policy import Policy, PolicyError
from studiofund.policy.fields import Frozen

from .findings import Finding
from .sources import PluginMissing, SourceError, load_tree
from .directives import declared_studio
from .studio import Studio, StudioConfigError, load_studio_policy

PLUGIN_MARK = 'plugin "studiofund.plugin"'


class LedgerInputError(Exception):
    """An input that is not a readable ledger (exit status 2)."""


@dataclass
class LoadedLedger:
    """One studio ledger, loaded once: what checks, reports and the web read."""

    path: Path
    entries: list
    options_map: dict[str, Any]
    findings: list  # studiofund Finding
    load_errors: list  # Beancount's own errors (syntax, balance, booking…)
    config_errors: list  # StudioConfigError: no declaration, unknown program, bad policy
    studio: Studio | None = None
    policy: Policy | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def parse_errors(self) -> list:
        """Errors that leave the ledger's text unread in part: syntax errors, and source files
        (includes) that were refused or missing."""
        kinds = (ParserError, ParserSyntaxError, LexerError, SourceError)
        return [e for e in self.load_errors if isinstance(e, kinds)]

    @property
    def plugin_missing(self) -> bool:
        """The ledger lacks ``plugin "studiofund.plugin"`` (checked all the same)."""
        return any(isinstance(e, PluginMissing) for e in self.config_errors)

    @property
    def declaration_errors(self) -> list:
        """Configuration errors that leave the checks incomplete (all but the missing plugin line)."""
        return [e for e in self.config_errors if not isinstance(e, PluginMissing)]

    def problem(self, *, writing: bool = False) -> str:
        """Why no figure can be trusted from this ledger ('' when it can): syntax errors or
        unreadable include files (entries missing), no valid studio declaration or policy (not
        a studio ledger) — and, for a change (``writing``), a missing plugin line (bean-check
        and Fava would not check what is written). A message in Chinese naming the file and
        line and what to do."""
        if self.parse_errors:
            first = self.parse_errors[0]
            more = f"（共 {len(self.parse_errors)} 处）" if len(self.parse_errors) > 1 else ""
            return (f"{_where(first) or f'{self.path}：'}账簿有语法错误或无法读取的部分{more}：{first.message}"
                    f"请先修正（studiofund check {self.path} 列出全部问题）。")
        problems = self.declaration_errors
        if self.studio is None or problems:
            first = problems[0] if problems else None
            why = first.message if first is not None else "账簿缺少工作室声明（custom \"studio\"）。"
            return f"{_where(first) or f'{self.path}：'}不是可用的工作室账簿：{why}"
        if self.policy is None:
            return (f"{self.path}：找不到工作室声明的项目策略（{self.studio.program}）；"
                    f"请先运行 studiofund check {self.path} 修正。")
        if writing and self.plugin_missing:
            return (f"{self.path}：账簿缺少 plugin \"studiofund.plugin\" 这一行，bean-check 和 Fava 不会检查这本账；"
                    "请先在账簿开头的 option 行之后加上这一行，再运行本命令。未做任何修改。")
        return ""


def _where(error) -> str:
    """``file:line：`` of an error ('' when it names no file)."""
    source = getattr(error, "source", None) or {}
    filename, lineno = source.get("filename"), source.get("lineno")
    if not filename:
        return ""
    return f"{filename}:{lineno}：" if lineno else f"{filename}："


def load_ledger(path: str | Path) -> LoadedLedger:
    """Load a studio ledger; raises :class:`LedgerInputError` if it cannot be read at all."""
    path = check_readable(path)
    entries, errors, options_map = load_entries(path)
    return from_load(path, entries, errors, options_map)


def load_entries(path: str | Path) -> tuple[list, list, dict[str, Any]]:
    """Beancount's full load of the ledger at ``path`` (plugins included; no pickle cache read
    or written), its source files read safely and its includes confined to its directory
    (:mod:`.sources`); raises :class:`LedgerInputError` if the file itself cannot be read or
    is not UTF-8 text."""
    entries, errors, options_map = load_tree(path)
    if options_map is None:
        raise LedgerInputError(errors[0].message if errors else f"{path}：无法读取。")
    # Beancount reads a file that is not UTF-8 text (a GBK export saved as .beancount, a binary
    # file) as a run of lexer errors; say once which file and line, and what to do. Only then is
    # a file decoded here: decoding every ledger before its load would cost a tenth of it.
    for error in errors:
        if isinstance(error, LexerError):
            _require_utf8(Path((error.source or {}).get("filename") or path))
    return entries, errors, options_map


def check_readable(path: str | Path) -> Path:
    """``path`` if it is a readable regular file; raises :class:`LedgerInputError` saying what
    is wrong (a FIFO or device is refused before it is opened: reading one would never end)."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise LedgerInputError(f"{path}：文件不存在；请检查路径。") from None
    except OSError as exc:
        raise LedgerInputError(f"{path}：无法读取（{exc.strerror}）；请检查路径和权限。") from None
    if stat.S_ISDIR(info.st_mode):
        raise LedgerInputError(f"{path}：是目录，不是账簿文件；请给出账簿（.beancount）文件，"
                               "或用 check、consolidate 检查整个目录。")
    if not stat.S_ISREG(info.st_mode):
        raise LedgerInputError(f"{path}：是{describe_kind(info.st_mode)}，不是账簿文件；请给出账簿（.beancount）文件本身。")
    if not os.access(path, os.R_OK):
        raise LedgerInputError(f"{path}：没有读取权限；请检查文件权限。")
    return path


def _require_utf8(path: Path) -> None:
    raw, _ = read_source(path, max_line=None)
    if raw is None:
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LedgerInputError(
            f"{path}:{line}：不是 UTF-8 文本，无法作为 Beancount 账簿读取；"
            "如果是 GBK 编码的文本，请另存为 UTF-8 后重试。"
        ) from None


def from_load(path: Path, entries: list, errors: list, options_map: dict[str, Any]) -> LoadedLedger:
    """Sort a Beancount load's errors into findings, configuration errors and load errors,
    and read the studio and its policy — for our own load or one Fava has already made."""
    findings = [e for e in errors if isinstance(e, Finding)]
    config_errors = [e for e in errors if isinstance(e, (StudioConfigError, PluginMissing))]
    load_errors = [in_chinese(e) for e in errors if not isinstance(e, (Finding, StudioConfigError, PluginMissing))]
    for error in config_errors:  # a file-wide problem (no declaration) names the ledger
        source = getattr(error, "source", None)
        if isinstance(source, dict) and str(source.get("filename", "")).startswith("<"):
            source["filename"] = str(path)
    studio = declared_studio(entries)
    policy = None
    if studio is not None and not any(isinstance(e, StudioConfigError) for e in config_errors):
        try:
            policy = load_studio_policy(studio)
        except PolicyError:
            pass
    return LoadedLedger(path, entries, options_map, findings, load_errors, config_errors, studio, policy)


#: Threads reading the files of a directory that the scan index does not know.
SCAN_READERS = 32


def find_ledgers(paths: list[str | Path], *, use_index: bool = True) -> list[Path]:
    """Expand files and directories into studio ledgers.

    A directory is searched recursively for ``.beancount`` files that declare a studio
    (``custom "studio"``) or run our plugin — whether or not the plugin line is there, a
    studio is found by its declaration — leaving out the files another of them ``include``s
    (year files are part of their studio, not studios of their own). Only regular files are
    read, of sane size (:func:`studiofund.files.read_source`). A file given by name is taken
    as it is (the command says what is wrong with it).

    What each file's text says is remembered in a scan index of the directory
    (:class:`ScanIndex`): a file whose size, times and inode are those recorded is not read
    again (10,000 ledgers: 10,000 stats instead of reading 587 MB). Without ``use_index``
    (a command's ``--no-cache``) every file is read and no index is read or written.
    """
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            index = ScanIndex.of_directory(p) if use_index else ScanIndex(None, {})
            listed: list[tuple[Path, str]] = []
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                inside = os.path.relpath(root, p)  # the index names files as within the directory
                listed.extend((Path(root) / name, os.path.join(inside, name)) for name in sorted(names)
                              if name.endswith(".beancount") and not name.startswith("."))
            # Files not in the index are read by several threads: reading waits on the disk, not
            # the CPU, and a disk serves concurrent reads faster — on this project's 2-core VM, 600
            # uncached ledgers read by 8 readers in 0.20 s against 0.97 s by one, which was the
            # serial start of a cold consolidation of 10,000 ledgers (both cores idle for ~45 s).
            # 32 readers rather than 8: the cold start of 10,000 ledgers waited ~15 s on the disk
            # with 8 (wall ÷ (CPU ÷ 2) 1.058) and ~5 s with 32 (1.019).
            # imported here: a check of one file does not scan (the import cost it 0.004 G
            # instructions, callgrind)
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=SCAN_READERS) as readers:
                scans = list(readers.map(lambda listed_file: index.scan(*listed_file), listed))
            candidates: dict[Path, Path] = {}
            named: set[Path] = set()
            for (candidate, _), scan in zip(listed, scans):
                if scan is not None and scan.studio:
                    real = Path(resolved(candidate))  # as resolve() gives it, cheaper
                    candidates[real] = candidate
                    named.update(_included(real, scan.includes))
            index.save()
            found.extend(c for resolved, c in candidates.items() if resolved not in named)
        else:
            found.append(p)
    return found


def no_ledgers_found(paths: list[str | Path]) -> str:
    """Why nothing can be done with ``paths``: no studio ledger among them (check, consolidate,
    export and serve say it alike)."""
    names = "、".join(str(p) for p in paths)
    return (f"{names}：没有找到工作室账簿（有工作室声明 custom \"studio\" 的 .beancount 文件）；"
            "请检查路径，或用 studiofund init 新建账簿。")


def year_outside_books(paths: list[Path], year: int, this_year: int) -> str:
    """Why ``year`` is a year of none of these studios' books ('' when it may be one): before
    every declared cycle start, or after next year. Read from the declarations' text, so a
    ``--year`` typed wrong is refused before any ledger is loaded, not answered with zeros."""
    starts = []
    for path in paths:
        scan = scan_ledger(path)
        if scan is not None and scan.cycle_start is not None:
            starts.append(scan.cycle_start)
    if starts and year < min(starts):
        return (f"--year {year}：早于所有账簿的建设周期（最早 {min(starts)} 年开始），没有这一年的账目；"
                "请写账簿中的年度。")
    if year > this_year + 1:
        return f"--year {year}：晚于明年（{this_year + 1} 年），还没有这一年的账目；请写账簿中的年度。"
    return ""


# -- what a ledger's text says before it is loaded ------------------------------------------

_STUDIO_LINE = re.compile(rb'^(\d{4}-\d{2}-\d{2}[ \t]+custom[ \t]+"studio"|plugin[ \t]+"studiofund\.plugin")', re.M)
_INCLUDE_LINE = re.compile(rb'^include[ \t]+"((?:[^"\\\n]|\\.)*)"', re.M)
_CYCLE_START = re.compile(rb"^[ \t]+cycle-start:[ \t]*(\d{4})-", re.M)


@dataclass(eq=False, repr=False)
class LedgerScan(Frozen):
    """What a ledger file's text says, read without loading it: whether it declares a studio
    (or runs our plugin), the file names its ``include`` lines give (as written), and the year
    of the first ``cycle-start`` in it."""

    studio: bool
    includes: tuple[str, ...]
    cycle_start: int | None

    @classmethod
    def of_text(cls, data: bytes) -> LedgerScan:
        includes: tuple[str, ...] = ()
        if b"include" in data:  # most ledgers: a scan in C instead of the regex at every line
            includes = tuple(raw.decode("utf-8", "replace") for raw in _INCLUDE_LINE.findall(data))
        start = _CYCLE_START.search(data)
        return cls(declares_studio(data), includes, int(start.group(1)) if start else None)


def declares_studio(data: bytes) -> bool:
    """Whether a ledger's text declares a studio (or runs our plugin)."""
    return _STUDIO_LINE.search(data) is not None


def _included(main: Path, names: tuple[str, ...]) -> set[Path]:
    """The files ``main``'s include lines name (globs expanded), resolved."""
    out: set[Path] = set()
    for name in names:
        pattern = name if os.path.isabs(name) else str(main.parent / name)
        for match in glob.glob(pattern, recursive=True) if any(c in name for c in "*?[") else [pattern]:
            try:
                out.add(Path(match).resolve())
            except (OSError, RuntimeError, ValueError):
                pass
    return out


#: Changes whenever what a scan finds would change: the index's format and the patterns.
_SCAN_SALT = hashlib.sha256(b"\0".join([b"1", _STUDIO_LINE.pattern, _INCLUDE_LINE.pattern,
                                         _CYCLE_START.pattern])).hexdigest()[:16]


def _stat_key(info: os.stat_result) -> list[int]:
    """What tells that a file is the one scanned: size, modification and change times, inode.
    (An edit changes the modification time; one that sets it back changes the change time;
    a file replaced by a rename has another inode.)"""
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


class ScanIndex:
    """The scans of one directory's ledger files, kept on disk between runs (one JSON file
    under ``$STUDIOFUND_CACHE_DIR/scan`` or ``~/.cache/studiofund/scan``) and keyed by each
    file's :func:`_stat_key`. A file is read again when its key differs, and also when it was
    changed within :data:`studiofund.files.RACY_NS` of the scan (a second edit in the same
    clock tick would leave the key as it was). The index is rewritten with the files of this
    run only: deleted files drop out. An index that cannot be read or written is no error —
    the files are read, as without it."""

    def __init__(self, location: Path | None, entries: dict[str, list]):
        self.location = location
        self.old = entries
        self.new: dict[str, list] = {}
        self.changed = False

    @classmethod
    def of_directory(cls, directory: Path) -> ScanIndex:
        key = hashlib.sha256(f"{_SCAN_SALT}\0{resolved(directory)}".encode()).hexdigest()
        location = files.user_cache_dir("scan") / f"{key}.json"
        try:
            stored = json.loads(location.read_bytes())
            entries = stored["files"] if stored.get("salt") == _SCAN_SALT else {}
        except (OSError, ValueError, KeyError, TypeError):
            entries = {}
        return cls(location, entries if isinstance(entries, dict) else {})

    def scan(self, path: Path, name: str) -> LedgerScan | None:
        """The scan of ``path``, named ``name`` in the index (None if it is not a readable
        regular file of sane size)."""
        try:
            key = _stat_key(os.stat(path))
        except OSError:
            return None
        found = self._recorded(name, key)
        if found is not None:
            _remember(str(path), key, found)
        else:
            self.changed = True
            found = _scan(str(path), key)
        if found is not None and files.settled(key[1:3]):  # the modification and change times
            self.new[name] = [key, found.studio, list(found.includes), found.cycle_start]
        return found

    def _recorded(self, name: str, key: list[int]) -> LedgerScan | None:
        """The recorded scan of ``name`` if its key is ``key`` (None if not, or malformed)."""
        try:
            recorded, studio, includes, start = self.old[name]
            if recorded != key:
                return None
            return LedgerScan(bool(studio), tuple(str(i) for i in includes), int(start) if start is not None else None)
        except (KeyError, TypeError, ValueError):
            return None

    def save(self) -> None:
        if self.location is None or (not self.changed and len(self.new) == len(self.old)):
            return
        data = json.dumps({"salt": _SCAN_SALT, "files": self.new}, ensure_ascii=False).encode()
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            files.atomic_replace(self.location, data)
        except OSError:
            pass


def scan_ledger(path: str | Path) -> LedgerScan | None:
    """The scan of ``path`` (None if it is not a readable regular file of sane size): read
    once a process while the file's :func:`_stat_key` stays the same — a command that lists
    the studios of a directory and then reads their cycle starts reads each file once."""
    try:
        key = _stat_key(os.stat(path))
    except OSError:
        return None
    known = _SCANNED.get(str(path))
    if known is not None and known[0] == key:
        return known[1]
    return _scan(str(path), key)


#: The scans of this process by file name: (stat key, scan), only of files settled when read.
_SCANNED: dict[str, tuple[list[int], LedgerScan]] = {}


def _remember(name: str, key: list[int], found: LedgerScan) -> None:
    if files.settled(key[1:3]):  # the modification and change times
        _SCANNED[name] = (key, found)


def _scan(name: str, key: list[int]) -> LedgerScan | None:
    data, _ = read_source(name)
    if data is None:
        return None
    found = LedgerScan.of_text(data)
    _remember(name, key, found)
    return found


# -- Beancount's errors in Chinese -----------------------------------------------------------

#: (pattern of Beancount's English message, Chinese message with the pattern's groups). The
#: patterns are compiled when a message is first translated (re keeps them), not at import:
#: compiling the 22 cost every check 0.011 G instructions (callgrind), and most loads have no error.
_BEANCOUNT_MESSAGES: list[tuple[str, str]] = [
    (r"^invalid number format: (.*)$", "金额格式不对：{0}；请写成 1234.50（不用千位分隔符、不带单位）。"),
    (r"^invalid token: (.*)$", "无法识别的内容 {0}；请检查这一行的格式（日期 YYYY-MM-DD，文字加英文双引号）。"),
    (r"^syntax error, unexpected (\S+)(?:, expecting .*)?$",
     "语法错误：这里不应出现 {0}；请对照前后几行检查格式（日期、引号、缩进、科目名称）。"),
    (r"^syntax error.*$", "语法错误；请对照前后几行检查格式（日期、引号、缩进、科目名称）。"),
    (r"^transaction does not balance: (.*)$", "这笔分录借贷不平衡（差额 {0}）；请核对各行金额。"),
    (r"^balance failed for '([^']+)': expected (.+?) != accumulated (.+?) \((.+)\)$",
     "余额断言不符：{0} 应为 {1}，账上为 {2}（{3}）；请核对此前的分录或对账单。"),
    (r"^invalid reference to unknown account '([^']+)'$", "科目 {0} 没有开设（缺少 open 指令）；请检查科目名称是否写错。"),
    (r"^invalid reference to inactive account '([^']+)'$", "科目 {0} 在这一天尚未开设或已关闭；请核对日期或科目的 open 日期。"),
    (r"^duplicate open directive for (.+)$", "科目 {0} 重复开设（有两条 open 指令）；请删去一条。"),
    (r"^duplicate close directive for (.+)$", "科目 {0} 重复关闭；请删去一条 close 指令。"),
    (r"^unopened account (.+) is being closed$", "关闭了未开设的科目 {0}；请检查科目名称。"),
    (r"^invalid currency (\S+) for account '([^']+)'$", "科目 {1} 不使用币种 {0}；专项经费以 CNY 记账。"),
    (r"^invalid account name: (.*)$", "科目名称 {0} 不合 Beancount 的写法（须以 Assets、Liabilities、Equity、Income 或 Expenses 开头，各段首字母大写）。"),
    (r"^invalid option: '(.*)'$", "没有名为 {0} 的 option；请检查拼写。"),
    (r"^error for option '(.*)': (.*)$", "option {0} 的值不对；请检查这一行。"),
    (r"^too many missing numbers for currency group '(.*)'$", "这笔分录缺的金额太多（{0}），无法推算；请写明各行金额。"),
    (r"^could not resolve (.*) currency$", "无法确定币种（{0}）；请写明币种 CNY。"),
    (r"^unused pad entry$", "pad 指令没有用上；请删去或补上其后的 balance 断言。"),
    (r"^invalid data types: (.*)$", "数据类型不对；请检查这一行的写法。"),
    (r"^duplicate filename parsed: \"(.*)\"$", "文件 {0} 被包含了两次；请删去重复的 include。"),
    (r"^file \"(.*)\" does not exist$", "被包含的文件 {0} 不存在；请检查 include 行的文件名。"),
    (r"^error importing '([^']*)'.*$", "无法加载插件 {0}；请检查 plugin 行的名称。"),
]


def chinese_message(message: str) -> str:
    """A Beancount error message in Chinese (the original kept where no pattern matches, with
    Python's exception names taken off: "ValueError: …" is not for a finance officer)."""
    text = re.sub(r"^(?:\w+(?:Error|Exception): )+", "", message.strip())
    for pattern, chinese in _BEANCOUNT_MESSAGES:  # first: an English message may quote Chinese text
        found = re.match(pattern, text, re.I | re.S)
        if found:
            return chinese.format(*(g.strip() for g in found.groups()))
    if any("\u4e00" <= c <= "\u9fff" for c in text):  # ours, already in Chinese
        return message
    return f"Beancount 报告：{text}"


def in_chinese(error: Any) -> Any:
    """``error`` (a Beancount error tuple) with its message in Chinese."""
    message = getattr(error, "message", None)
    if not isinstance(message, str) or not hasattr(error, "_replace"):
        return error
    translated = chinese_message(message)
    return error if translated == message else error._replace(message=translated)
