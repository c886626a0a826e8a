"""Loading studio ledgers: once, with the plugin's findings sorted out from load errors."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beancount.parser.grammar import ParserError, ParserSyntaxError
from beancount.parser.lexer import LexerError

from studiofund.policy import Policy, PolicyError

from .findings import Finding
from .studio import Studio, StudioConfigError, load_studio_policy, parse_studio
from .uncached import load_uncached

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
        kinds = (ParserError, ParserSyntaxError, LexerError)
        return [e for e in self.load_errors if isinstance(e, kinds)]


def load_ledger(path: str | Path) -> LoadedLedger:
    """Load a studio ledger; raises :class:`LedgerInputError` if it cannot be read at all."""
    path = check_readable(path)
    entries, errors, options_map = load_uncached(path)
    # Beancount reads a file that is not UTF-8 text (a GBK export saved as .beancount, a binary
    # file) as a run of lexer errors; say once which file and line, and what to do. Only then is
    # a file decoded here: decoding every ledger before its load would cost a tenth of it.
    for error in errors:
        if isinstance(error, LexerError):
            _require_utf8(Path((error.source or {}).get("filename") or path))
    return from_load(path, entries, errors, options_map)


def check_readable(path: str | Path) -> Path:
    """``path`` if it is a readable file; raises :class:`LedgerInputError` saying what is wrong."""
    path = Path(path)
    if not path.exists():
        raise LedgerInputError(f"{path}：文件不存在；请检查路径。")
    if path.is_dir():
        raise LedgerInputError(f"{path}：是目录，不是账簿文件。")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise LedgerInputError(f"{path}：无法读取（{exc.strerror}）。") from None
    return path


def _require_utf8(path: Path) -> None:
    try:
        raw = path.read_bytes()
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LedgerInputError(
            f"{path}:{line}：不是 UTF-8 文本，无法作为 Beancount 账簿读取；请另存为 UTF-8 后重试。"
        ) from None
    except OSError:
        pass


def from_load(path: Path, entries: list, errors: list, options_map: dict[str, Any]) -> LoadedLedger:
    """Sort a Beancount load's errors into findings, configuration errors and load errors,
    and read the studio and its policy — for our own load or one Fava has already made."""
    findings = [e for e in errors if isinstance(e, Finding)]
    config_errors = [e for e in errors if isinstance(e, StudioConfigError)]
    load_errors = [e for e in errors if not isinstance(e, (Finding, StudioConfigError))]
    studio, _ = parse_studio(entries)
    policy = None
    if studio is not None and not config_errors:
        try:
            policy = load_studio_policy(studio)
        except PolicyError:
            pass
    return LoadedLedger(path, entries, options_map, findings, load_errors, config_errors, studio, policy)


def find_ledgers(paths: list[str | Path]) -> list[Path]:
    """Expand files and directories into studio ledgers (top-level files declaring the plugin).

    A directory is searched recursively; files it ``include``s (year files) are not studio
    ledgers of their own, because Beancount reads ``plugin`` lines only from the top level.
    """
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(".beancount") and not name.startswith("."):
                        candidate = Path(root) / name
                        if _declares_plugin(candidate):
                            found.append(candidate)
        else:
            found.append(p)
    return found


def _declares_plugin(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return any(line.startswith(PLUGIN_MARK) for line in handle)
    except OSError:
        return False
