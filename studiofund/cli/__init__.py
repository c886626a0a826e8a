"""The ``studiofund`` command: a thin click layer over the library.

Subcommands live in their own modules and are imported only when run, so ``studiofund check``
pays for nothing it does not use.

Every way a command can fail ends here, in :meth:`LazyGroup.main`, as a short message in Chinese
on stderr and an exit status (CONTRACT.md): 2 for bad usage or an unreadable input — click's own
usage errors included, rewritten in Chinese — and, for anything unexpected, 2 with a pointer to
``--debug``, which shows Python's traceback instead (exit status 1, as Python's).
"""

from __future__ import annotations

import errno
import importlib
import importlib.util
import os
import sys

import click

from .helptext import OPTIONS_METAVAR, SUBCOMMAND_METAVAR, ChineseContext, speak_chinese
from .params import describe_error, param_name

#: name → (module, attribute). A module that is not there (yet) is simply not listed.
COMMANDS: dict[str, tuple[str, str]] = {
    "programs": ("studiofund.cli.programs", "programs"),
    "init": ("studiofund.cli.init", "init"),
    "check": ("studiofund.cli.check", "check"),
    "budget": ("studiofund.cli.budget", "budget"),
    "report": ("studiofund.cli.report", "report"),
    "journal": ("studiofund.cli.journal", "journal"),
    "pending": ("studiofund.cli.pending", "pending"),
    "correct": ("studiofund.cli.correct", "correct"),
    "consolidate": ("studiofund.cli.consolidate", "consolidate"),
    "export": ("studiofund.cli.export", "export"),
    "clawback": ("studiofund.cli.clawback", "clawback"),
    "close": ("studiofund.cli.close", "close"),
    "import": ("studiofund.cli.import_cmd", "import_statements"),
    "serve": ("studiofund.cli.serve", "serve"),
    "user": ("studiofund.cli.user", "user"),
    "invoice": ("studiofund.cli.invoice", "invoice"),
    "record": ("studiofund.cli.record", "record"),
}

#: exit statuses (CONTRACT.md): bad usage or an unreadable input; Ctrl-C (the shell's)
USAGE, INTERRUPTED = 2, 130
#: set (to anything but "" or "0") to show Python's traceback of an unexpected error, as --debug
DEBUG_ENV = "STUDIOFUND_DEBUG"


class LazyGroup(click.Group):
    """The ``studiofund`` group: its commands are imported when run, and all speak Chinese in
    their ``--help`` (:mod:`.helptext`)."""

    context_class = ChineseContext

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n, (mod, _) in COMMANDS.items() if importlib.util.find_spec(mod) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name]
        if importlib.util.find_spec(module_name) is None:
            return None
        return speak_chinese(getattr(importlib.import_module(module_name), attr))

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if self.get_command(ctx, name) is None and not name.startswith("-"):
            known = "、".join(self.list_commands(ctx))
            raise click.UsageError(f"没有命令 {name!r}；可用的命令：{known}。", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the command; every failure becomes a Chinese message and an exit status."""
        argv = list(sys.argv[1:] if args is None else args)
        debug = _debug_requested(argv)
        try:
            status = super().main(argv, "studiofund", complete_var, standalone_mode=False, **extra)
        except click.exceptions.Exit as exc:
            status = exc.exit_code
        except click.ClickException as exc:  # ours (InputError …) and click's usage errors
            _show_click_error(exc)
            status = exc.exit_code
        except click.Abort:
            click.echo("已取消。", err=True)
            status = INTERRUPTED
        except KeyboardInterrupt:
            click.echo("\n已中断。", err=True)
            status = INTERRUPTED
        except SystemExit:
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # `studiofund … | head`: the reader has gone
                _quiet_stdout()
                status = 0
            elif debug:
                raise
            else:
                status = _unexpected(exc)
        except Exception as exc:
            if debug:
                raise
            status = _unexpected(exc)
        if not isinstance(status, int):
            status = 0
        if standalone_mode:
            sys.exit(status)
        return status


def _debug_requested(argv: list[str]) -> bool:
    """``--debug`` before the command's name, or ``STUDIOFUND_DEBUG`` set."""
    if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
        return True
    for arg in argv:
        if arg == "--debug":
            return True
        if not arg.startswith("-"):
            return False
    return False


def _quiet_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _unexpected(exc: BaseException) -> int:
    """An error no command foresaw: a short message, no traceback, exit status 2."""
    if isinstance(exc, MemoryError):
        why = "内存不足（输入文件可能过大）"
    elif isinstance(exc, OSError):
        name = f"{exc.filename}：" if getattr(exc, "filename", None) else ""
        why = f"{name}{describe_error(exc)}"
    elif isinstance(exc, RecursionError):
        why = "输入嵌套过深"
    elif isinstance(exc, UnicodeError):
        why = "输入中有无法识别的字符编码"
    else:
        why = "程序遇到了未预料的情况"
    command = " ".join(sys.argv[1:2]) or "命令"
    click.echo(
        f"错误：{why}，命令未能完成（账簿的写入是原子的，不会留下写了一半的文件）。请检查输入的文件和选项；"
        f"如需查明原因，请加 --debug 重新运行（如 studiofund --debug {command} …）显示详细信息，并发给维护人员。",
        err=True,
    )
    return USAGE


#: a group run without a command (click 8.2 and later): its message is the group's help
_NO_ARGS_IS_HELP = getattr(click.exceptions, "NoArgsIsHelpError", ())


def _show_click_error(exc: click.ClickException) -> None:
    """A click exception in Chinese: ours as they are; click's usage errors rewritten, with
    the command's usage line and where to read more."""
    if not isinstance(exc, click.UsageError) or isinstance(exc, _NO_ARGS_IS_HELP):
        exc.show()
        return
    ctx = exc.ctx
    click.echo(f"错误：{_usage_message(exc)}", err=True)
    if ctx is not None:
        pieces = " ".join(ctx.command.collect_usage_pieces(ctx))
        click.echo(f"用法：{ctx.command_path} {pieces}".rstrip(), err=True)
        click.echo(f"请运行 {ctx.command_path} --help 查看全部选项和说明。", err=True)


def _usage_message(exc: click.UsageError) -> str:
    if isinstance(exc, click.MissingParameter):
        param = exc.param
        if param is None:
            return "缺少参数。"
        name = param_name(param)
        kind = "选项" if isinstance(param, click.Option) else "参数"
        help_text = getattr(param, "help", None)
        return f"缺少{kind} {name}" + (f"（{help_text}）" if help_text else "") + "。"
    if isinstance(exc, click.NoSuchOption):
        hint = f"；是不是要用 {'、'.join(sorted(exc.possibilities))}？" if exc.possibilities else "。"
        return f"没有选项 {exc.option_name}{hint}"
    if isinstance(exc, click.BadOptionUsage):
        if "requires an argument" in exc.message:
            return f"选项 {exc.option_name} 后面需要写一个值。"
        return f"选项 {exc.option_name} 的用法不对。"
    if isinstance(exc, click.BadParameter):
        if _has_chinese(exc.message):
            return exc.message
        return f"{param_name(exc.param)} 的值无效。"
    message = exc.message
    if message.startswith("Got unexpected extra argument"):
        extra = message[message.find("(") + 1: message.rfind(")")]
        return f"多余的参数：{extra}；请检查是否多写了内容，或含空格的值是否加了引号。"
    if message.startswith("Missing command"):
        return "缺少命令名；请在 studiofund 之后写要运行的命令，如 studiofund check 账簿.beancount。"
    if _has_chinese(message):
        return message
    return "命令行的写法不对。"


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             options_metavar=OPTIONS_METAVAR, subcommand_metavar=SUBCOMMAND_METAVAR)
@click.version_option(package_name="studiofund", message="%(prog)s 版本 %(version)s", help="显示版本号并退出。")
@click.option("--debug", is_flag=True,
              help="出错时显示 Python 的详细错误信息（traceback），供维护人员排查；须写在命令名之前。")
def main(debug: bool) -> None:
    """studiofund — 名师工作室专项经费的账簿、合规检查与年度经费使用情况表。

    退出码：0 成功（检查无违规）；1 有未整改的违规，或写入因违规被拒绝；2 用法错误或输入无法读取（不改动任何文件）。
    """
