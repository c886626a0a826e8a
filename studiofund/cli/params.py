"""The command line's parameter types: every value a user types is checked here, once, before a
command runs — years, amounts, dates, texts that land in a ledger, input files, output paths —
and refused with a Chinese message naming the option and what to write instead (exit status 2,
nothing read or written yet).

Commands use these types instead of click's own (whose messages are English) and instead of
checks of their own, so a rule (two decimal places, no line breaks in a payee) holds for every
command alike. What needs the ledger (a year within its books) is checked by
:mod:`.common` once the ledger is loaded.
"""

from __future__ import annotations

import datetime
import errno
import os
import re
import stat
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from studiofund.files import describe_kind
from studiofund.ledger.text import text_problem
from studiofund.money import parse_money

#: The years a command accepts before looking at a ledger at all. Studio programs began in the
#: 2000s; a year outside this range is a typing mistake, not a year of books.
FIRST_YEAR, LAST_YEAR = 1990, 2100
#: Texts that land in a ledger or the users file: names, payees, narrations, reasons.
MAX_TEXT = 200

#: What each output format of ``--format`` gives, as the help of every command shows it.
FORMAT_HELP = {
    "text": "中文文字",
    "table": "中文表格",
    "json": "JSON，供程序读取",
    "csv": "CSV（UTF-8 带 BOM，Excel 可直接打开）",
    "xlsx": "Excel 工作簿（须用 -o 指定文件）",
}


def format_option(choices: list[str] | tuple[str, ...], default: str) -> Any:
    """The ``--format`` option of a command, its help naming what each format gives."""
    described = "；".join(f"{choice}：{FORMAT_HELP[choice]}" for choice in choices)
    return click.option("--format", "fmt", type=Choice(list(choices)), default=default, show_default=True,
                        help=f"输出格式。{described}。")


_FULLWIDTH = str.maketrans("０１２３４５６７８９．，－＋", "0123456789.,-+")


def param_name(param: click.Parameter | None) -> str:
    """How the user wrote the parameter: ``--year``, or the argument's name as the usage line
    shows it (``账簿``; ``账簿或目录`` for ``账簿或目录...``)."""
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        longest = max(param.opts, key=len)
        return longest
    return param.human_readable_name.removesuffix("...")


def today() -> datetime.date:
    return datetime.date.today()


class Year(click.ParamType):
    """A calendar year, 1990–2100, written in digits (``2021``)."""

    name = "year"

    def get_metavar(self, param, ctx=None) -> str:  # noqa: D401 - click API
        return "YYYY"

    def convert(self, value: Any, param, ctx) -> int:
        if isinstance(value, int):
            year = value
        else:
            text = str(value).strip().translate(_FULLWIDTH)
            if not re.fullmatch(r"-?\d{1,6}", text):
                self.fail(f"{param_name(param)} {value!r} 不是年份；请写四位数字的年度，如 {param_name(param)} 2021。",
                          param, ctx)
            year = int(text)
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.fail(f"{param_name(param)} {value} 不是合理的年度（应在 {FIRST_YEAR}—{LAST_YEAR} 之间）；"
                      f"请写账簿中的年度，如 {param_name(param)} 2021。", param, ctx)
        return year


class Amount(click.ParamType):
    """An amount of money in yuan: finite, at most two decimal places (分), at most
    :data:`MAX_AMOUNT`, not negative unless ``negative``. Thousands separators, full-width
    digits, a ¥ sign or 元 are read as people write them."""

    name = "amount"

    def __init__(self, *, negative: bool = False, zero: bool = True) -> None:
        self.negative = negative
        self.zero = zero

    def get_metavar(self, param, ctx=None) -> str:
        return "金额"

    def convert(self, value: Any, param, ctx) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_money(str(value), negative=self.negative, zero=self.zero)
        except ValueError as exc:
            self.fail(f"{param_name(param)}：{exc}", param, ctx)


class Setting(click.ParamType):
    """``科目=金额`` (``budget --set Research=8000``): a one-line account name and an
    :class:`Amount`. Converts to ``"name=amount"`` with the amount normalised."""

    name = "setting"

    def get_metavar(self, param, ctx=None) -> str:
        return "科目=金额"

    def convert(self, value: Any, param, ctx) -> str:
        text = str(value)
        name, sep, amount = text.partition("=")
        option = param_name(param)
        if not sep or not name.strip() or not amount.strip():
            self.fail(f"{option} {text!r} 的格式应为 科目=金额，如 {option} Research=8000。", param, ctx)
        problem = text_problem(name, f"{option} 的科目名", max_length=60)
        if problem:
            self.fail(problem, param, ctx)
        try:
            money = parse_money(amount)
        except ValueError as exc:
            self.fail(f"{option} {name.strip()}={amount}：{exc}", param, ctx)
        return f"{name.strip()}={money}"


class Date(click.ParamType):
    """A real calendar date written YYYY-MM-DD, from 1990 until ``future_days`` after today."""

    name = "date"

    def __init__(self, future_days: int = 366) -> None:
        self.future_days = future_days

    def get_metavar(self, param, ctx=None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param, ctx) -> datetime.date:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip().translate(_FULLWIDTH)
        name = param_name(param)
        if not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
            self.fail(f"{name} {value!r} 不是日期；请写成 YYYY-MM-DD，如 {name} 2021-06-01。", param, ctx)
        try:
            date = datetime.date(*map(int, text.split("-")))
        except ValueError:
            self.fail(f"{name} {value} 不是真实的日期（没有这一天）；请核对年月日。", param, ctx)
        if date.year < FIRST_YEAR:
            self.fail(f"{name} {value} 太早（早于 {FIRST_YEAR} 年），不是账簿中的日期；请核对年份。", param, ctx)
        latest = today() + datetime.timedelta(days=self.future_days)
        if date > latest:
            self.fail(f"{name} {value} 在将来（晚于 {latest}）；请写实际发生的日期。", param, ctx)
        return date


class Text(click.ParamType):
    """A text that lands in a ledger or the users file — a name, payee, narration, reason,
    number: one line, no control or invisible characters, at most ``max_length`` characters,
    not blank. Leading and trailing spaces are dropped."""

    name = "text"

    def __init__(self, max_length: int = MAX_TEXT, *, forbid: str = "", label: str | None = None) -> None:
        self.max_length = max_length
        self.forbid = forbid
        self.label = label

    def get_metavar(self, param, ctx=None) -> str | None:
        return None if isinstance(param, click.Argument) else "文字"

    def convert(self, value: Any, param, ctx) -> str:
        problem = text_problem(str(value), self.label or param_name(param), max_length=self.max_length,
                               forbid=self.forbid)
        if problem:
            self.fail(problem, param, ctx)
        return str(value).strip()


class Choice(click.Choice):
    """click's choice, refusing in Chinese."""

    def get_metavar(self, param, ctx=None) -> str:
        return "[" + "|".join(map(str, self.choices)) + "]"

    def convert(self, value: Any, param, ctx) -> Any:
        if value in self.choices:
            return value
        self.fail(f"{param_name(param)} {value!r} 不是可选的值；请从 {'、'.join(map(str, self.choices))} 中选一个。",
                  param, ctx)


class IntRange(click.ParamType):
    """A whole number within ``[low, high]`` (``high`` None: no upper bound)."""

    name = "integer"

    def __init__(self, low: int, high: int | None = None) -> None:
        self.low, self.high = low, high

    def get_metavar(self, param, ctx=None) -> str:
        return "N"

    def convert(self, value: Any, param, ctx) -> int:
        if isinstance(value, int):
            number = value
        else:
            text = str(value).strip()
            if not re.fullmatch(r"[+-]?\d{1,12}", text):
                self.fail(f"{param_name(param)} {value!r} 不是整数。", param, ctx)
            number = int(text)
        if number < self.low or (self.high is not None and number > self.high):
            bound = f"{self.low}—{self.high} 之间" if self.high is not None else f"至少为 {self.low}"
            self.fail(f"{param_name(param)} {value} 超出范围（应{bound}）。", param, ctx)
        return number


class InputPath(click.ParamType):
    """A file or a folder to read (``check``, ``consolidate``, ``export``, ``serve``): it
    exists; a file must be a regular file (not a FIFO or device)."""

    name = "path"

    def get_metavar(self, param, ctx=None) -> str | None:
        return None if isinstance(param, click.Argument) else "路径"

    def convert(self, value: Any, param, ctx) -> str:
        path = Path(value)
        if path.is_dir():
            return str(value)
        problem = input_file_problem(path, "文件或目录")
        if problem:
            self.fail(problem, param, ctx)
        return str(value)


class InputFile(click.ParamType):
    """A file to read: it exists, is a regular file (no directory, FIFO or device: reading one
    would block or never end) and may be read. Converts to its :class:`Path`."""

    name = "file"

    def __init__(self, what: str = "文件") -> None:
        self.what = what

    def get_metavar(self, param, ctx=None) -> str | None:
        return None if isinstance(param, click.Argument) else "文件"

    def convert(self, value: Any, param, ctx) -> Path:
        path = Path(value)
        problem = input_file_problem(path, self.what)
        if problem:
            self.fail(problem, param, ctx)
        return path


def input_file_problem(path: Path, what: str = "文件") -> str:
    """Why ``path`` cannot be read as a file ('' when it can)."""
    text = str(path)
    if not text or "\x00" in text:
        return f"{what}路径 {text!r} 无效。"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return f"{path}：{what}不存在；请检查路径。"
    except NotADirectoryError:
        return f"{path}：路径中有一段不是目录；请检查路径。"
    except OSError as exc:
        return f"{path}：无法读取{what}（{describe_error(exc)}）。"
    if not stat.S_ISREG(info.st_mode):
        return f"{path}：是{describe_kind(info.st_mode)}，不是普通{what}；请给出{what}本身的路径。"
    if not os.access(path, os.R_OK):
        return f"{path}：没有读取权限；请检查文件权限。"
    return ""


class OutputFile(click.ParamType):
    """A file to write: its folder exists and may be written; the file is new or a regular
    file (not a folder, FIFO or device)."""

    name = "file"

    def get_metavar(self, param, ctx=None) -> str | None:
        return None if isinstance(param, click.Argument) else "文件"

    def convert(self, value: Any, param, ctx) -> Path:
        path = Path(value)
        problem = output_file_problem(path)
        if problem:
            self.fail(problem, param, ctx)
        return path


def output_file_problem(path: Path, what: str = "文件", *, read_only_ok: bool = False) -> str:
    """Why ``path`` cannot be written as a (new or existing regular) file ('' when it can).
    A read-only file is refused unless ``read_only_ok`` (the users file: 0400 is how an
    administrator keeps its hashes private, and it is replaced keeping that mode)."""
    text = str(path)
    if not text or "\x00" in text:
        return f"{what}路径 {text!r} 无效。"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        return f"{path}：无法写入（{describe_error(exc)}）。"
    if info is not None and not stat.S_ISREG(info.st_mode):
        return f"{path}：是{describe_kind(info.st_mode)}，不能写成{what}；请另给一个文件名。"
    if info is not None and not info.st_mode & 0o222 and not read_only_ok:
        return f"{path}：是只读文件（权限 {stat.S_IMODE(info.st_mode):04o}），不会改写；如需改写请先修改权限。"
    return folder_problem(path.parent if str(path.parent) else Path("."))


def folder_problem(folder: Path) -> str:
    """Why nothing can be written in ``folder`` ('' when it can)."""
    try:
        info = os.stat(folder)
    except FileNotFoundError:
        return f"{folder}：目录不存在；请先创建该目录。"
    except OSError as exc:
        return f"{folder}：无法访问目录（{describe_error(exc)}）。"
    if not stat.S_ISDIR(info.st_mode):
        return f"{folder}：不是目录；请检查路径。"
    if not info.st_mode & 0o222 or not os.access(folder, os.W_OK | os.X_OK):
        return f"{folder}：目录是只读的，无法在其中写入；请换一个目录或修改目录权限。"
    return ""


_ERRNO_WORDS = {
    "EACCES": "没有权限", "EPERM": "没有权限", "ENOENT": "不存在", "ENOSPC": "磁盘空间不足",
    "EDQUOT": "超出磁盘配额", "EROFS": "只读文件系统", "EISDIR": "是目录", "ENOTDIR": "路径中有一段不是目录",
    "ELOOP": "符号链接循环", "ENAMETOOLONG": "文件名太长", "EEXIST": "已存在", "EBUSY": "正被占用",
    "EMFILE": "打开的文件太多", "ENXIO": "设备不存在", "EIO": "输入输出错误", "EFBIG": "文件太大",
    "ETXTBSY": "正被占用", "EINVAL": "参数无效",
}


def describe_error(exc: OSError) -> str:
    """An operating-system error in Chinese (its errno's meaning)."""
    name = errno.errorcode.get(exc.errno or 0, "")
    return _ERRNO_WORDS.get(name, f"系统错误 {name}" if name else "系统错误")


LEDGER = InputFile("账簿文件")
INPUT_PATH = InputPath()
YEAR = Year()
AMOUNT = Amount()
DATE = Date()
TEXT = Text()
