"""Queries on the server: read-only statements on the ledger's own tables, within limits.

Fava's query page hands its text to beanquery's shell, which also understands ``CREATE TABLE t
USING 'csv:/any/path'`` (reads any file into memory, tells whether a path exists, blocks on a
FIFO), ``INSERT``, and shell commands such as ``.output FILE`` (opens any file for *writing*). So
a query is parsed here first: only SELECT, BALANCES, JOURNAL and PRINT on the ledger's tables,
and ``run NAME`` of a query the ledger itself defines (checked the same way), reach the shell.

The statement then runs in a forked child process: it is stopped after :data:`QUERY_SECONDS`
(a catastrophic regular expression holds Python's lock, so no thread of the server could stop
it), its memory is capped at :data:`QUERY_MEMORY_BYTES` above the server's, and a result over
:data:`QUERY_ROWS` rows (or an export over :data:`EXPORT_BYTES`) is refused with a message.
"""

from __future__ import annotations

import os
from http import HTTPStatus
from typing import Any

from fava.core.query_shell import QueryShell
from fava.json_api import FavaJSONAPIError

QUERY_SECONDS = 10.0
QUERY_ROWS = 50_000
QUERY_TEXT_CHARS = 20_000_000
EXPORT_BYTES = 64 * 1024 * 1024
QUERY_MEMORY_BYTES = 1024 * 1024 * 1024
MAX_QUERY_CHARS = 10_000
EXPORT_FORMATS = ("csv", "xlsx", "ods")

#: The tables of beanquery's ``beancount:`` source: the ledger's own data, nothing else.
LEDGER_TABLES = frozenset({
    "", "transactions", "prices", "balances", "notes", "events", "documents", "accounts",
    "commodities", "entries", "postings",
})
_SHELL_COMMANDS = frozenset({
    "clear", "describe", "errors", "exit", "explain", "format", "help", "history", "output",
    "parse", "quit", "reload", "set", "tables", "eof", "shell",
})
ALLOWED_HINT = "只允许查询语句：SELECT、BALANCES、JOURNAL、PRINT，或 run 账簿中定义的查询名"


class QueryRefused(FavaJSONAPIError):
    """A query the server will not run, with the reason in Chinese (HTTP 400)."""

    status = HTTPStatus.BAD_REQUEST

    def __init__(self, message: str) -> None:
        super().__init__(message)


def checked_query(text: str, ledger: Any) -> str:
    """The query text to hand to the shell, or :class:`QueryRefused`."""
    text = (text or "").strip()
    if not text:
        raise QueryRefused("请输入查询语句。")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryRefused(f"查询语句超过 {MAX_QUERY_CHARS} 个字符。")
    if "\x00" in text:
        raise QueryRefused("查询语句含有非法字符。")
    word, _, rest = text.partition(" ")
    command = word.lower().lstrip(".").rstrip(";")
    if command == "run":
        return _named_query(rest.strip().rstrip("; \t"), ledger)
    if word.startswith((".", "!", "?")) or command in _SHELL_COMMANDS:
        raise QueryRefused(f"不能运行命令 {word}；{ALLOWED_HINT}。")
    _check_statement(text)
    return text


def _named_query(name: str, ledger: Any) -> str:
    import shlex

    if not name:
        return "run"  # lists the ledger's queries
    try:
        parts = shlex.split(name)
    except ValueError:
        parts = []
    if len(parts) != 1:
        raise QueryRefused("run 后面只能跟一个查询名。")
    query = next((q for q in ledger.all_entries_by_type.Query if q.name == parts[0]), None)
    if query is None:
        raise QueryRefused(f"账簿中没有名为 {parts[0]} 的查询。")
    _check_statement(query.query_string)
    return query.query_string


def _check_statement(text: str) -> None:
    from beanquery import parser
    from beanquery.parser import ast

    try:
        statement = parser.parse(text)
    except parser.ParseError as exc:
        raise QueryRefused(f"查询语句有误：{exc}") from None
    if not isinstance(statement, (ast.Select, ast.Balances, ast.Journal, ast.Print)):
        kind = {"CreateTable": "CREATE TABLE"}.get(type(statement).__name__, type(statement).__name__.upper())
        raise QueryRefused(f"{kind} 语句不能在网页上运行；{ALLOWED_HINT}。")
    for node in statement.walk():
        if isinstance(node, (ast.CreateTable, ast.Insert)):
            raise QueryRefused(f"不能建表或写入；{ALLOWED_HINT}。")
        if isinstance(node, ast.Table) and node.name not in LEDGER_TABLES:
            raise QueryRefused(f"没有表 {node.name}；只能查询本账簿的表。")


class GuardedQueryShell(QueryShell):
    """Fava's query module with :func:`checked_query` and :func:`run_limited` around it."""

    def execute_query_serialised(self, entries: Any, query: str) -> Any:
        text = checked_query(query, self.ledger)
        return run_limited(_serialised_within_limits, self, entries, text)

    def query_to_file(self, entries: Any, query_string: str, result_format: str) -> Any:
        if result_format not in EXPORT_FORMATS:
            raise QueryRefused("只能导出为 csv、xlsx 或 ods。")
        stripped = (query_string or "").strip()
        name = None
        if stripped.split(" ", 1)[0].lower().lstrip(".") == "run":
            name = stripped.split(None, 1)[1].strip().rstrip("; \t") if " " in stripped else ""
        text = checked_query(query_string, self.ledger)
        if text == "run":
            raise QueryRefused("请指定要导出的查询名。")
        result = run_limited(_file_within_limits, self, entries, text, result_format)
        return (name or result[0]), result[1]


def _serialised_within_limits(shell: GuardedQueryShell, entries: Any, text: str) -> Any:
    result = QueryShell.execute_query_serialised(shell, entries, text)
    rows = getattr(result, "rows", None)
    if rows is not None and len(rows) > QUERY_ROWS:
        raise QueryRefused(
            f"查询结果有 {len(rows)} 行，超过 {QUERY_ROWS} 行的上限；请加 WHERE 条件或 LIMIT 缩小范围。")
    contents = getattr(result, "contents", None)
    if contents is not None and len(contents) > QUERY_TEXT_CHARS:
        raise QueryRefused("查询输出过长；请缩小范围（加 FROM 条件）。")
    return result


def _file_within_limits(shell: GuardedQueryShell, entries: Any, text: str, result_format: str) -> Any:
    name, data = QueryShell.query_to_file(shell, entries, text, result_format)
    if data.getbuffer().nbytes > EXPORT_BYTES:
        raise QueryRefused(f"导出文件超过 {EXPORT_BYTES // (1024 * 1024)} MB；请加 WHERE 条件或 LIMIT 缩小范围。")
    return name, data


def run_limited(func: Any, *args: Any) -> Any:
    """``func(*args)`` in a forked child, stopped after :data:`QUERY_SECONDS`."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(writer, func, args), daemon=True)
    child.start()
    writer.close()
    try:
        if not reader.poll(QUERY_SECONDS):
            raise QueryRefused(f"查询超过 {QUERY_SECONDS:g} 秒仍未完成，已终止；请缩小范围或简化条件（如正则表达式）。")
        try:
            status, payload = reader.recv()
        except (EOFError, OSError):
            raise QueryRefused("查询占用内存过多或意外中止；请缩小范围。") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        reader.close()
    if status == "ok":
        return payload
    if status == "refused":
        raise QueryRefused(payload)
    from fava.helpers import FavaAPIError

    raise FavaAPIError(payload)


def _child(writer: Any, func: Any, args: tuple) -> None:
    try:
        _cap_memory()
        try:
            message = ("ok", func(*args))
        except QueryRefused as exc:
            message = ("refused", exc.message)
        except MemoryError:
            message = ("refused", "查询占用内存过多；请缩小范围。")
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the server as text
            message = ("error", getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
        writer.send(message)
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent
        writer.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        writer.close()


def _cap_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + QUERY_MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError, ImportError):
        pass
