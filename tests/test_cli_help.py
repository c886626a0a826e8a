"""`--help` in Chinese for the root and every command under it: click's headings, its help of
--help and --version, its notes ([default: …], [required]) and its placeholders of values all
Chinese (studiofund/cli/helptext.py). The commands are found by walking click's tree, so a new
command is covered without a line here."""

from __future__ import annotations

import re

import click
import pytest

from studiofund.cli import main
from studiofund.cli.helptext import chinese_help, paragraphs_of, width, wrap

from clirun import run


def command_paths() -> list[tuple[str, ...]]:
    """``()`` for the root, then every command and subcommand, as typed after ``studiofund``."""
    ctx = click.Context(main)
    found: list[tuple[str, ...]] = [()]

    def walk(group: click.Group, path: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            command = group.get_command(ctx, name)
            found.append((*path, name))
            if isinstance(command, click.Group):
                walk(command, (*path, name))

    walk(main, ())
    return found


PATHS = command_paths()


def _command(path: tuple[str, ...]) -> click.Command:
    ctx, command = click.Context(main), main
    for name in path:
        command = command.get_command(ctx, name)
    return command

#: click's own English anywhere in a help page
CLICK_ENGLISH = re.compile(r"Usage:|Options:|Commands:|Arguments:|Positional arguments|Show this message|"
                           r"Show the version|\[default:|\[required\]|env var:|\(dynamic\)|\[OPTIONS\]|"
                           r"\bCOMMAND\b|\[ARGS\]")
#: click's placeholders of its value types, in an option's row (``--payee TEXT``)
TYPE_WORDS = re.compile(r"\b(TEXT|INTEGER|FLOAT|BOOLEAN|FILE|FILENAME|PATH|DIRECTORY|AMOUNT|ADDRESS)\b")


def usage_line(path: tuple[str, ...]) -> str:
    return run(*path, "--help").output.split("\n", 1)[0]


def test_the_walk_finds_the_commands_and_their_subcommands():
    assert {("check",), ("record",), ("user", "add"), ("programs", "show"), ("invoice", "read")} <= set(PATHS)
    assert len(PATHS) >= 20


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "studiofund")
def test_help_speaks_chinese(path):
    result = run(*path, "--help")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith(f"用法：{' '.join(('studiofund', *path))} [选项]"), out
    assert "\n选项：\n" in out and "显示本帮助并退出。" in out
    assert not CLICK_ENGLISH.search(out), CLICK_ENGLISH.search(out)
    # the arguments are named in Chinese too (click would write the parameter's name: LEDGER)
    assert not re.search(r"[A-Z]{2,}", out.split("\n", 1)[0]), out.split("\n", 1)[0]
    for line in out.splitlines():
        assert width(line) <= 80, line  # as the terminal shows it: a Chinese character is two columns
        if line.startswith("  -"):
            spec = re.split(r"\s{2,}", line.strip())[0]
            assert not TYPE_WORDS.search(spec), line


def test_groups_list_their_commands_under_a_chinese_heading():
    out = run("--help").output
    assert out.startswith("用法：studiofund [选项] 命令 [参数]...")
    assert "\n命令：\n" in out and "  record " in out and "显示版本号并退出。" in out
    assert "\n命令：\n" in run("user", "--help").output


def test_defaults_and_required_options_are_noted_in_chinese():
    check = run("check", "--help").output
    # the option's help, then its default (the line may wrap inside the note)
    flat = re.sub(r"\s+", "", check)
    assert "--format[text|json]输出格式。text：中文文字；json：JSON，供程序读取。（默认：text）" in flat, check
    budget = run("budget", "--help").output
    assert re.search(r"预算年度，如 2021。（必填）", budget), budget
    serve = run("serve", "--help").output
    assert "（默认：5000）" in serve and "（默认：127.0.0.1）" in serve


def test_value_placeholders_are_chinese_where_free_and_keep_their_form_elsewhere():
    out = run("record", "--help").output
    for spec in ("--payee 文字", "--amount 金额", "--attach 文件", "--date YYYY-MM-DD", "--format [text|json]",
                 "--hours 学时"):
        assert spec in out, spec
    assert "--to 路径" in run("export", "--help").output  # click's own Path type
    assert "--host 文字" in run("init", "--help").output  # click's own str type


def test_version_speaks_chinese():
    result = run("--version")
    assert result.exit_code == 0 and re.fullmatch(r"studiofund 版本 \S+\n", result.output), result.output


def test_arguments_are_named_in_chinese():
    assert usage_line(("record",)) == "用法：studiofund record [选项] 账簿"
    assert usage_line(("check",)) == "用法：studiofund check [选项] 账簿或目录..."
    assert usage_line(("user", "add")) == "用法：studiofund user add [选项] 用户文件 用户名"


@pytest.mark.parametrize("path", [p for p in PATHS if isinstance(_command(p), click.Group)
                                  and not _command(p).invoke_without_command],
                         ids=lambda path: " ".join(path) or "studiofund")
def test_a_group_without_a_command_shows_its_help(path):
    result = run(*path)
    assert result.output.startswith(f"用法：{' '.join(('studiofund', *path))} [选项] 命令"), result.output
    assert result.exit_code == 2 and "\n命令：\n" in result.output
    assert "错误：" not in result.output and "请运行" not in result.output  # the help, not a usage error


def test_usage_errors_show_the_same_chinese_usage_line():
    result = run("report")
    assert result.exit_code == 2 and "用法：studiofund report [选项] 账簿" in result.output, result.output
    assert "缺少参数 账簿。" in result.output
    result = run("check")
    assert result.exit_code == 2 and "缺少参数 账簿或目录。" in result.output, result.output


@pytest.mark.parametrize("text, chinese", [
    ("Show this message and exit.", "显示本帮助并退出。"),
    ("[default: text]", "（默认：text）"),
    ("预算年度。  [required]", "预算年度。（必填）"),
    ("端口。  [default: 5000; required]", "端口。（默认：5000；必填）"),
    ("进程数。  [env var: JOBS; default: (dynamic)]", "进程数。（环境变量：JOBS；默认：（动态））"),
    ("份数。  [x>=1; required]", "份数。（x>=1；必填）"),
    ("格式见 [docs]", "格式见 [docs]"),  # brackets of the help itself
    ("如 [a; b]", "如 [a; b]"),
])
def test_click_words_in_an_options_help_are_put_in_chinese(text, chinese):
    assert chinese_help(text) == chinese


def test_option_help_starts_in_one_column_on_the_screen():
    out = run("record", "--help").output  # its placeholders are Chinese (--payee 文字) and not
    starts = set()
    for line in out.splitlines():
        found = re.match(r"(  -\S.*?\S)  +(?=\S)", line)
        if found:
            starts.add(width(found.group(0)))
    assert len(starts) == 1, starts


def test_chinese_text_is_wrapped_between_characters_by_its_width():
    text = "支出科目：英文短名（Materials）、全名（Expenses:Materials）或本项目的中文科目名称。（必填）"
    lines = wrap(text, 30)
    assert "".join(lines) == text.replace(" ", "")
    assert all(width(line) <= 30 for line in lines) and len(lines) >= 3
    assert not any(line[0] in "，。、；：）" or line[-1] in "（“" for line in lines), lines
    assert wrap("pip install 'studiofund[cluster]'", 12) == ["pip install", "'studiofund[cluster]'"]


def test_the_lines_of_a_docstring_join_without_a_space_between_chinese_characters():
    assert paragraphs_of("补齐后没有违规即改为 *；仍有违\n规时写入。\n\n第二段 a\nb") == [
        "补齐后没有违规即改为 *；仍有违规时写入。", "第二段 a b"]


def test_every_format_option_says_what_each_format_gives():
    for command in ("check", "report", "consolidate", "journal", "record", "correct", "pending", "invoice read"):
        flat = re.sub(r"\s+", "", run(*command.split(), "--help").output)
        choices = re.search(r"--format\[([a-z|]+)\]输出格式。", flat)
        assert choices, command
        for choice in choices.group(1).split("|"):
            assert re.search(choice + r"：[^；。]+[；。]", flat), (command, choice)
    flat = re.sub(r"\s+", "", run("report", "--help").output)
    assert "xlsx：Excel工作簿（须用-o指定文件）" in flat and "csv：CSV（UTF-8带BOM，Excel可直接打开）" in flat
