"""``--help`` in Chinese: click writes its headings ("Usage:", "Options:", "Commands:"), the
help of the options it adds itself (``--help``) and the notes it appends to an option's help
("[default: text]", "[required]") in English. Every command the ``studiofund`` group hands out
goes through :func:`speak_chinese`, which gives it :class:`ChineseContext` — click's documented
hook for the help formatter (``Command.context_class``, ``Context.formatter_class``) — and the
Chinese placeholders of the usage line; :class:`ChineseHelpFormatter` writes the rest.

The placeholders of values are Chinese where the value is free text (``--payee 文字``) and
stay as written where they show the form (``YYYY-MM-DD``, ``[text|json]``, ``科目=金额``).
The names of arguments (``LEDGER``) are left as they are: usage errors and the docs name them so.
The usage errors are put in Chinese where they are shown (:func:`studiofund.cli._show_click_error`)
and use the same usage line.
"""

from __future__ import annotations

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
    """click's help formatter with Chinese headings, usage prefix and notes."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, USAGE_PREFIX if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, chinese_help(text)) for term, text in rows], col_max, col_spacing)


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


def speak_chinese(command: click.Command) -> click.Command:
    """Give ``command`` (and, for a group, every command under it) Chinese help."""
    command.context_class = ChineseContext
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
