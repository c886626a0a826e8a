"""Programs as data: load, merge and validate policy files.

Each bundled program is a TOML file in ``studiofund/policy/programs/``; a file may ``include``
others (the shared ``_common.toml`` holds citations and detection patterns every program
uses) and its own keys override theirs. A bureau passes its own file with ``--policy FILE``.
A broken file gives a :class:`PolicyError` naming the file, the field and the problem.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from studiofund.files import read_toml

from . import cache
from .fields import FieldError
from .models import BASE_ACCOUNTS, EXPENSE_ACCOUNTS, PermittedAccount, Policy  # noqa: F401

PROGRAMS_DIR = Path(__file__).with_name("programs")


class PolicyError(Exception):
    """A policy file that cannot be used: which file, which field, what is wrong."""

    def __init__(self, file: str | Path, problem: str, field: str | None = None):
        self.file = str(file)
        self.field = field
        self.problem = problem
        where = f"字段 {field}：" if field else ""
        super().__init__(f"策略文件 {self.file}：{where}{problem}")


def bundled_ids() -> list[str]:
    """The ids of the bundled programs, in file-name order."""
    return sorted(p.stem for p in PROGRAMS_DIR.glob("*.toml") if not p.stem.startswith("_"))


def load_policy_file(path: str | Path) -> Policy:
    """Load and validate one policy file (with its includes).

    A process keeps what it loaded while none of the files (the policy and its includes) has
    changed; across processes, :mod:`.cache` keeps the validated policy.
    """
    path = Path(path).resolve()
    kept = _loaded.get(path)
    if kept is not None and _stamps(kept[0]) == kept[1]:
        return kept[2]
    if _stamps([path]) == (None,):
        raise PolicyError(path, "无法读取（文件不存在或无权限）；请检查路径。")

    found = cache.lookup(path)
    if found is not None:
        policy, included = found
        files = [path, *included]
    else:
        files = []
        data = _read_with_includes(path, seen=(), files=files)
        policy = validate_table(Policy, data, path)
        policy.detection.prepare()
        cache.store(path, files, policy)
    _loaded[path] = (files, _stamps(files), policy)
    return policy


def policy_files(path: str | Path) -> list[Path]:
    """The files the policy at ``path`` was read from (itself and its includes), as this
    process last loaded it."""
    path = Path(path).resolve()
    kept = _loaded.get(path)
    return list(kept[0]) if kept is not None else [path]


#: path → (the files it was read from, their modification stamps, the policy)
_loaded: dict[Path, tuple[list[Path], tuple[int | None, ...], Policy]] = {}


def _stamps(files: list[Path]) -> tuple[int | None, ...]:
    out = []
    for f in files:
        try:
            out.append(f.stat().st_mtime_ns)
        except OSError:
            out.append(None)
    return tuple(out)


def validate_table(cls: type, data: Any, source: str | Path) -> Any:
    """Validate ``data`` as the policy table ``cls`` (pydantic, imported only here); a
    :class:`PolicyError` names ``source``, the field and the problem."""
    from pydantic import ValidationError

    try:
        return _adapter(cls).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        error = (first.get("ctx") or {}).get("error")
        message = _PYDANTIC_WORDS.get(first.get("type", ""), "值不符合要求")
        if isinstance(error, FieldError):
            loc += (error.field,)
            message = str(error)
        field = _format_loc(loc)
        more = f"（另有 {exc.error_count() - 1} 处问题）" if exc.error_count() > 1 else ""
        raise PolicyError(source, f"{message}{more}；请按文档修改该字段。", field) from None


#: pydantic's error types in Chinese (its own messages are English)
_PYDANTIC_WORDS = {
    "missing": "缺少该字段", "extra_forbidden": "不是可用的字段（拼写有误？）",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "decimal_parsing": "应为数字（金额写成 \"1234.50\"）",
    "decimal_type": "应为数字", "decimal_max_places": "小数位数太多", "finite_number": "应为有限的数字",
    "string_type": "应为字符串（加引号）", "string_too_short": "不能为空", "string_too_long": "太长",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "list_type": "应为列表 [ … ]", "tuple_type": "应为列表 [ … ]", "dict_type": "应为表",
    "model_type": "应为表", "dataclass_type": "应为表", "model_attributes_type": "应为表",
    "greater_than": "数值太小", "greater_than_equal": "数值太小", "less_than": "数值太大",
    "less_than_equal": "数值太大", "literal_error": "不是可选的值", "enum": "不是可选的值",
    "date_parsing": "应为日期（YYYY-MM-DD）", "date_type": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）", "value_error": "值不符合要求",
    "too_short": "项目太少", "too_long": "项目太多",
}


@functools.lru_cache(maxsize=None)
def _adapter(cls: type):
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


_PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def load_program(program_id: str, policy_file: str | Path | None = None) -> Policy:
    """The policy of ``program_id``: the bureau's own file if given, else the bundled one."""
    if policy_file is not None:
        policy = load_policy_file(policy_file)
        if program_id and policy.id != program_id:
            raise PolicyError(
                policy_file,
                f"文件定义的项目是 {policy.id!r}，而账簿声明的是 {program_id!r}；请使二者一致。",
                "id",
            )
        return policy
    path = PROGRAMS_DIR / f"{program_id}.toml"
    # a bundled program's id is a plain name: never a path out of the programs' folder
    if not _PLAIN_ID.match(program_id or "") or program_id.startswith("_") or not path.is_file():
        known = "、".join(bundled_ids())
        raise UnknownProgram(program_id, known)
    return load_policy_file(path)


class UnknownProgram(PolicyError):
    """A program id that is neither bundled nor given with ``--policy``."""

    def __init__(self, program_id: str, known: str):
        self.program_id, self.file, self.field = program_id, "", "program"
        self.problem = (
            f"未知的项目 {program_id!r}。内置项目有：{known}；"
            "或用 --policy FILE 指定自己的策略文件。"
        )
        Exception.__init__(self, self.problem)


def _read_with_includes(path: Path, seen: tuple[Path, ...], files: list[Path]) -> dict[str, Any]:
    files.append(path)
    if path in seen:
        raise PolicyError(path, "include 形成了循环引用。", "include")
    data, problem = read_toml(path)  # regular files only: a FIFO or /dev/zero would never end
    if data is None:
        raise PolicyError(path, f"{problem}。")
    includes = data.pop("include", [])
    if isinstance(includes, str):
        includes = [includes]
    if not isinstance(includes, list):
        raise PolicyError(path, "应为文件名列表。", "include")
    merged: dict[str, Any] = {}
    for name in includes:
        merged = _deep_merge(merged, _read_with_includes((path.parent / name).resolve(), seen + (path,), files))
    return _deep_merge(merged, data)


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` wins; tables merge key by key, everything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _format_loc(loc: tuple[Any, ...]) -> str:
    """``('accounts', 2, 'account')`` → ``accounts[2].account``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top>"
