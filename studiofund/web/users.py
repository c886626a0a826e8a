"""The users file of ``studiofund serve``: who may log in, with which role, on which ledgers.

TOML (default) or JSON (a ``.json`` file), one table per user::

    [users."王审计"]
    role = "auditor"                 # auditor: read-only; officer: read-write
    password = "scrypt:32768:8:1$…"  # werkzeug generate_password_hash(pw, method="scrypt")
    districts = ["南山区"]           # optional: ledgers whose studio declaration names the district
    ledgers = ["ledgers/nanshan/*.beancount"]  # optional: ledger path globs
    export = false                   # optional: no download of the books (default true)

A user sees a ledger when it passes every scope given: its district is one of ``districts``
(if any are given) and its path matches one of ``ledgers`` (if any are given). A user with
neither scope sees every served ledger (a city bureau's auditor). A glob without ``/`` matches
the file name; a relative glob with ``/`` matches the end of the ledger's path; an absolute one
the whole path.

Only werkzeug scrypt hashes are accepted (``scrypt:N:r:p$salt$hash`` with N ≥ 2^14, r ≥ 8):
a weaker or unknown method is an error at start, not a failed login later. Names, districts and
globs may not hold control characters, line breaks or other invisible format characters.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from werkzeug.security import check_password_hash, generate_password_hash

from studiofund.files import read_source, toml_problem
from studiofund.ledger.text import invisible_characters

AUDITOR = "auditor"
OFFICER = "officer"
ROLES = (AUDITOR, OFFICER)
ROLE_LABELS = {AUDITOR: "审计人员（只读）", OFFICER: "学校财务人员（可编辑）"}
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024

#: werkzeug's scrypt hash: parameters, salt, 64-byte digest in hex.
_SCRYPT_HASH = re.compile(r"^scrypt:(\d{1,8}):(\d{1,3}):(\d{1,3})\$[A-Za-z0-9]{8,64}\$[0-9a-f]{128}$")
#: Bounds of scrypt's cost parameters: below them a stolen file is cheap to crack; above them
#: every login would take seconds and a gigabyte.
SCRYPT_MIN_N, SCRYPT_MAX_N = 2**14, 2**20
SCRYPT_MIN_R, SCRYPT_MAX_R = 8, 32
SCRYPT_MAX_P = 16

#: A hash to compare against when the user does not exist, so that a wrong name costs as much
#: time as a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("studiofund-no-such-user", method="scrypt")


class UsersFileError(Exception):
    """The users file cannot be read or is not valid; the message is for people (Chinese)."""


@dataclass(frozen=True)
class User:
    """One account of the users file."""

    name: str
    role: str
    password_hash: str
    districts: tuple[str, ...] = ()
    ledgers: tuple[str, ...] = ()
    export: bool = True

    @property
    def may_export(self) -> bool:
        """Whether the user may download the books (journal and query exports)."""
        return self.export

    @property
    def read_only(self) -> bool:
        return self.role != OFFICER

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    def check_password(self, password: str) -> bool:
        # No NUL: scrypt's HMAC would pad the key with zero bytes, so "pw" and "pw\0" match.
        if len(password) > MAX_PASSWORD_LENGTH or "\x00" in password:
            check_password_hash(_DUMMY_HASH, "")
            return False
        return check_password_hash(self.password_hash, password)

    def may_see(self, ledger_path: str | Path, district: str | None) -> bool:
        """Whether this user's scope includes the ledger at ``ledger_path`` in ``district``."""
        if self.districts and (district is None or district not in self.districts):
            return False
        if self.ledgers and not any(glob_matches(g, ledger_path) for g in self.ledgers):
            return False
        return True

    def to_record(self) -> dict[str, object]:
        record: dict[str, object] = {"role": self.role, "password": self.password_hash}
        if self.districts:
            record["districts"] = list(self.districts)
        if self.ledgers:
            record["ledgers"] = list(self.ledgers)
        if not self.export:
            record["export"] = False
        return record


def glob_matches(pattern: str, ledger_path: str | Path) -> bool:
    """Match a ledger glob of the users file against a ledger's path (see module docstring)."""
    path = PurePath(os.path.abspath(ledger_path))
    if "/" not in pattern:
        return PurePath(path.name).match(pattern)
    return path.match(pattern)


@dataclass
class UserDirectory:
    """The users of one users file, by name."""

    users: dict[str, User] = field(default_factory=dict)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user if ``password`` is right, else None (same cost either way)."""
        user = self.users.get(name)
        if user is None:
            check_password_hash(_DUMMY_HASH, password)
            return None
        return user if user.check_password(password) else None

    def add(self, user: User) -> None:
        self.users[user.name] = user

    def dumps(self, fmt: str) -> str:
        """The file's text in ``fmt`` ('toml' or 'json')."""
        records = {name: u.to_record() for name, u in sorted(self.users.items())}
        if fmt == "json":
            return json.dumps({"users": records}, ensure_ascii=False, indent=2) + "\n"
        lines = [
            "# studiofund serve 的用户文件：由 `studiofund user add` 维护；密码仅存 scrypt 散列。",
            "",
        ]
        for name, record in records.items():
            lines.append(f"[users.{_toml_str(name)}]")
            for key, value in record.items():
                if isinstance(value, list):
                    lines.append(f"{key} = [{', '.join(_toml_str(v) for v in value)}]")
                elif isinstance(value, bool):
                    lines.append(f"{key} = {'true' if value else 'false'}")
                else:
                    lines.append(f"{key} = {_toml_str(str(value))}")
            lines.append("")
        return "\n".join(lines)


def file_format(path: str | Path) -> str:
    """'json' for a ``.json`` file, else 'toml'."""
    return "json" if str(path).lower().endswith(".json") else "toml"


def _toml_str(text: str) -> str:
    """A TOML basic string (json's escaping is valid TOML for these characters)."""
    return json.dumps(text, ensure_ascii=False)


def load_users(path: str | Path) -> UserDirectory:
    """Read and validate a users file; raises :class:`UsersFileError` with a Chinese message."""
    path = Path(path)
    data, problem = read_source(path)  # regular files only: a FIFO or /dev/zero would never end
    if data is None:
        if not path.exists():
            raise UsersFileError(f"{path}：用户文件不存在；请先用 `studiofund user add` 创建。")
        raise UsersFileError(f"{path}：无法读取用户文件（{problem}）。")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UsersFileError(f"{path}:{line}：用户文件不是 UTF-8 文本；请检查是否给错了文件。") from None
    try:
        raw = json.loads(text) if file_format(path) == "json" else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise UsersFileError(f"{path}:{exc.lineno}：用户文件不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）；"
                             "请检查是否给错了文件，或用 `studiofund user add` 重新创建。") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsersFileError(f"{path}：用户文件格式错误（{toml_problem(exc)}）；"
                             "请检查是否给错了文件，或用 `studiofund user add` 重新创建。") from None
    except RecursionError:
        raise UsersFileError(f"{path}：用户文件嵌套过深，不是有效的用户文件。") from None
    return parse_users(raw, str(path))


def parse_users(raw: object, where: str = "用户文件") -> UserDirectory:
    """Validate the parsed content of a users file."""
    if not isinstance(raw, dict):
        raise UsersFileError(f"{where}：顶层应为表（users）。")
    users_raw = raw.get("users", {})
    if not isinstance(users_raw, dict):
        raise UsersFileError(f"{where}：users 应为“用户名 → 设置”的表。")
    directory = UserDirectory()
    for name, record in users_raw.items():
        directory.add(_parse_user(str(name), record, where))
    return directory


def name_problem(text: str, what: str) -> str:
    """Why ``text`` cannot be a user name, district or glob ('' when it can)."""
    if not text.strip():
        return f"{what}不能为空。"
    bad = invisible_characters(text)
    if bad:
        return f"{what} {text!r} 含有控制字符或换行（{'、'.join(dict.fromkeys(bad))}）；请去掉后重试。"
    if text != text.strip():
        return f"{what} {text!r} 首尾不能有空格。"
    return ""


def hash_problem(password_hash: str) -> str:
    """Why a stored password hash is not accepted ('' when it is a sound scrypt hash)."""
    method = password_hash.split("$", 1)[0]
    match = _SCRYPT_HASH.match(password_hash)
    if not match:
        if method.split(":")[0] == "scrypt":
            return "不是有效的 scrypt 散列值"
        return f"散列方法 {method!r} 不被接受（只接受 scrypt）"
    n, r, p = (int(g) for g in match.groups())
    if n & (n - 1) or not SCRYPT_MIN_N <= n <= SCRYPT_MAX_N:
        return f"scrypt 参数 N={n} 不在 {SCRYPT_MIN_N}–{SCRYPT_MAX_N} 之间（或不是 2 的幂）"
    if not SCRYPT_MIN_R <= r <= SCRYPT_MAX_R or not 1 <= p <= SCRYPT_MAX_P:
        return f"scrypt 参数 r={r}、p={p} 超出范围（r 为 {SCRYPT_MIN_R}–{SCRYPT_MAX_R}，p 为 1–{SCRYPT_MAX_P}）"
    return ""


def _parse_user(name: str, record: object, where: str) -> User:
    if not isinstance(record, dict):
        raise UsersFileError(f"{where}：用户 {name} 的设置应为表。")
    problem = name_problem(name, "用户名")
    if problem or ":" in name:
        raise UsersFileError(f"{where}：{problem or f'用户名 {name!r} 不能包含冒号。'}")
    unknown = set(record) - {"role", "password", "districts", "ledgers", "export"}
    if unknown:
        raise UsersFileError(f"{where}：用户 {name} 有未知字段：{'、'.join(sorted(unknown))}。")
    role = record.get("role")
    if role not in ROLES:
        raise UsersFileError(f"{where}：用户 {name} 的角色 {role!r} 无效；应为 auditor 或 officer。")
    password = record.get("password")
    if not isinstance(password, str) or "$" not in password:
        raise UsersFileError(
            f"{where}：用户 {name} 的密码必须是散列值（用 `studiofund user add` 设置），不能是明文。"
        )
    problem = hash_problem(password)
    if problem:
        raise UsersFileError(
            f"{where}：用户 {name} 的密码{problem}；请用 `studiofund user add --replace` 重新设置该用户的密码。"
        )
    export = record.get("export", True)
    if not isinstance(export, bool):
        raise UsersFileError(f"{where}：用户 {name} 的 export 应为 true 或 false。")
    lists = {}
    for key in ("districts", "ledgers"):
        value = record.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise UsersFileError(f"{where}：用户 {name} 的 {key} 应为非空字符串列表。")
        for v in value:
            if invisible_characters(v):
                raise UsersFileError(f"{where}：用户 {name} 的 {key}：{name_problem(v, key)}")
        lists[key] = tuple(v.strip() for v in value)
    return User(name, role, password, lists["districts"], lists["ledgers"], export)


def new_user(name: str, role: str, password: str, districts=(), ledgers=(), export: bool = True) -> User:
    """A user with ``password`` hashed by werkzeug's scrypt."""
    return User(
        name=name,
        role=role,
        password_hash=generate_password_hash(password, method="scrypt"),
        districts=tuple(districts),
        ledgers=tuple(ledgers),
        export=export,
    )
