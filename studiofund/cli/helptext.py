"""``--help`` in Chinese: click writes its headings ("Usage:", "Options:", "Commands:"), the
help of the options it adds itself (``--help``) and the notes it appends to an option's help
("[default: text]", "[required]") in English. Every command the ``studiofund`` group hands out
goes through :func:`speak_chinese`, which gives it :class:`ChineseContext` — click's documented
hook for the help formatter (``Command.context_class``, ``Context.formatter_class``) — and the
Chinese placeholders of the usage line; :class:`ChineseHelpFormatter` writes the rest, and lays
out text by its width on the screen: click counts a Chinese character as one column where a
terminal shows two, breaks lines only at spaces (a Chinese sentence has none) and joins the lines
of a docstring with a space (which then shows inside a Chinese sentence). A group lists its
commands with the first sentence of each one's help (click would cut it after so many characters
and end it with "...").

The placeholders of values are Chinese where the value is free text (``--payee 文字``) and
stay as written where they show the form (``YYYY-MM-DD``, ``[text|json]``, ``科目=金额``).
Arguments are named in Chinese where they are declared (``metavar="账簿"``): click would write
the parameter's name (``LEDGER``); the usage errors name them the same way.
The usage errors are put in Chinese where they are shown (:func:`studiofund.cli._show_click_error`)
and use the same usage line.
"""

from __future__ import annotations

import re
import unicodedata

import click

#: the usage line's placeholders for "any options" and "a command and its arguments"
OPTIONS_METAVAR = "[选项]"
SUBCOMMAND_METAVAR = "命令 [参数]..."
USAGE_PREFIX = "用法："

#: the placeholders of click's own value types (by ``ParamType.name``); ours (:mod:`.params`)
#: have Chinese ones
TYPE_METAVARS = {"text": "文字", "integer": "整数", "float": "数值", "boolean": "是或否", "path": "路径",
                 "file": "文件", "directory": "目录", "filename": "文件"}
#: click's section headings
HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}
#: the help of the options click adds by itself (``--help``; ``--version`` gets its own words)
TEXTS = {"Show this message and exit.": "显示本帮助并退出。",
         "Show the version and exit.": "显示版本号并退出。"}
#: the notes click appends to an option's help in brackets, by how they begin
NOTES = {"default: ": "默认：", "env var: ": "环境变量：", "required": "必填"}


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help formatter with Chinese headings, usage prefix and notes, laying out text by
    its width on the screen."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        paragraphs = [wrap(p, self.width - self.current_indent) for p in paragraphs_of(text)]
        self.write("\n\n".join("\n".join(indent + line for line in lines) for lines in paragraphs) + "\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        """click's definition list (options, commands), its columns measured on the screen."""
        rows = [(term, chinese_help(text)) for term, text in rows]
        first = min(max((width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            if not text:
                self.write("\n")
                continue
            if width(term) <= first - col_spacing:
                self.write(" " * (first - width(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = wrap(" ".join(paragraphs_of(text)), max(self.width - self.current_indent - first, 10))
            self.write(("\n" + " " * (first + self.current_indent)).join(lines) + "\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


def chinese_help(text: str) -> str:
    """An option's help as click composed it, with click's own words in Chinese: its help of
    ``--help``, and its notes ``  [default: x; required]`` → ``（默认：x；必填）``."""
    text = TEXTS.get(text, text)
    head, bracket, notes = text.rpartition("[")
    if not bracket or not notes.endswith("]") or (head and not head.endswith("  ")):
        return text
    items = notes[:-1].split("; ")
    chinese = []
    for item in items:
        found = next((word for word in NOTES if item.startswith(word)), None)
        chinese.append(item if found is None else NOTES[found] + item[len(found):].replace("(dynamic)", "（动态）"))
    if chinese == items:  # brackets of the help itself, not click's notes
        return text
    return f"{head.rstrip()}（{'；'.join(chinese)}）"


#: what a line is broken into: runs of space, one wide (Chinese) character, or a run of others.
#: Compiled when help is first laid out (re keeps it), not at import: its classes span 30,000
#: code points, and compiling it cost every command, ``check`` included, 0.029 G instructions
#: (callgrind)
_TOKENS = r"\s+|[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]|[^\s\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]+"
#: punctuation that does not begin a line (it stays with the character before it)
_NO_LINE_START = set("，。、；：！？）》」』】”’,.;:!?)]")
#: punctuation that does not end a line (it goes on with the character after it)
_NO_LINE_END = set("（《「『【“‘([")


def width(text: str) -> int:
    """How many columns ``text`` takes on a terminal (a Chinese character: two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def paragraphs_of(text: str) -> list[str]:
    """The paragraphs of a help text (separated by blank lines), each one line: its lines
    joined by a space, or by nothing between two Chinese characters."""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        joined = ""
        for line in block.splitlines():
            line = line.strip()
            if joined and line and not (width(joined[-1]) == 2 and width(line[0]) == 2):
                joined += " "
            joined += line
        out.append(joined)
    return out


def wrap(text: str, columns: int) -> list[str]:
    """``text`` in lines of at most ``columns`` on the screen, broken at spaces or between
    Chinese characters; closing punctuation does not begin a line nor opening punctuation end
    one (the character next to it goes to the next line with it)."""
    lines: list[list[str]] = [[]]
    for token in re.findall(_TOKENS, text):
        line = lines[-1]
        if token.isspace():
            if line and line[-1] != " ":
                line.append(" ")
            continue
        if not line or width("".join(line) + token) <= columns:
            line.append(token)
            continue
        carried = [token]
        while True:
            while line and line[-1] == " ":
                line.pop()
            if len(line) <= 1 or not (carried[0][0] in _NO_LINE_START or line[-1][-1] in _NO_LINE_END):
                break
            carried.insert(0, line.pop())
        lines.append(carried)
    return ["".join(line).rstrip() for line in lines]


def speak_chinese(command: click.Command) -> click.Command:
    """Give ``command`` (and, for a group, every command under it) Chinese help."""
    command.context_class = ChineseContext
    if not command.short_help and command.help:
        # click would cut the help after so many characters (a Chinese one is two columns)
        # and end it with "..."; a group lists its commands with their first sentence instead
        first = paragraphs_of(command.help.partition("\f")[0])[0]
        command.short_help = first[: first.find("。") + 1] if "。" in first else first
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = OPTIONS_METAVAR
    for param in command.params:
        if (isinstance(param, click.Option) and param.metavar is None and not (param.is_flag or param.count)
                and type(param.type).__module__.startswith("click.")):
            param.metavar = TYPE_METAVARS.get(param.type.name, param.metavar)
    if isinstance(command, click.Group):
        command.subcommand_metavar = command.subcommand_metavar.replace("COMMAND", "命令").replace("ARGS", "参数")
        for sub in command.commands.values():
            speak_chinese(sub)
    return command
