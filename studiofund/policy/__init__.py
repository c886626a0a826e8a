"""Programs as data: load, merge and validate policy files.

Each bundled program is a TOML file in ``studiofund/policy/programs/``; a file may ``include``
others (the shared ``_common.toml`` holds citations and detection patterns every program
uses) and its own keys override theirs. A bureau passes its own file with ``--policy FILE``.
A broken file gives a :class:`PolicyError` naming the file, the field and the problem.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

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
        message = first["msg"]
        if isinstance(error, FieldError):
            loc += (error.field,)
            message = str(error)
        field = _format_loc(loc)
        more = f"（另有 {exc.error_count() - 1} 处问题）" if exc.error_count() > 1 else ""
        raise PolicyError(source, f"{message}{more}；请按文档修改该字段。", field) from None


@functools.lru_cache(maxsize=None)
def _adapter(cls: type):
    from pydantic import TypeAdapter

    return TypeAdapter(cls)


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
    if program_id.startswith("_") or not path.is_file():
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
    import tomllib  # only when a file is read, not when the cached policy is used

    files.append(path)
    if path in seen:
        raise PolicyError(path, "include 形成了循环引用。", "include")
    try:
        raw = path.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(raw)
    except FileNotFoundError:
        raise PolicyError(path, "文件不存在；请检查路径。") from None
    except UnicodeDecodeError:
        raise PolicyError(path, "不是 UTF-8 编码的文本；请另存为 UTF-8。") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(path, f"TOML 语法错误：{exc}；请修正该行。") from None
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
