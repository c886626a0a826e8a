"""Hardening (issue #11), one test per promise: the top-level handler, the shared parameter
types, no hangs on FIFOs, devices and absurd lines, confined and checked includes, no silent
zeros, nothing written on bad input, and Beancount's line numbering in every text edit.

The table-driven probes of every command are in ``tests/badinput``; these tests name the
mechanism each probe relies on, so a failure says which one broke."""

from __future__ import annotations

import datetime
import os
import shutil
from decimal import Decimal
from pathlib import Path

import click
import pytest
from beancount import loader

from clirun import init_studio, run
from deadline import outcome_within
from ledgertext import studio, txn

import studiofund.cli.programs as programs_cmd
from studiofund.checks.report import check_paths
from studiofund.cli.params import AMOUNT, DATE, YEAR, Text
from studiofund.files import MAX_LINE_BYTES, long_line, read_source
from studiofund.ledger.loading import LedgerInputError, chinese_message, find_ledgers, load_ledger
from studiofund.ledger.sources import PluginMissing, SourceError
from studiofund.ledger.text import text_problem

EXAMPLES = Path(__file__).parent.parent / "ledgers"
DEMO = EXAMPLES / "shenzhen-district.beancount"


def within(seconds: float, func, *args, **kwargs):
    """``func(*args)`` in a thread that must finish within ``seconds`` (a hang fails the test);
    what it raised is raised again."""
    outcome = outcome_within(seconds, func, *args, **kwargs)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def demo_copy(tmp_path: Path, name: str = "demo.beancount", extra: str = "", drop: str | None = None) -> Path:
    text = DEMO.read_text(encoding="utf-8")
    if drop:
        # the line is blanked, not removed, so every other line keeps its number
        text = "".join("\n" if line.startswith(drop) else line for line in text.splitlines(keepends=True))
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return path


# -- 1. one top-level handler; the shared parameter types ------------------------------------


def test_an_unexpected_error_is_a_chinese_message_with_a_pointer_to_debug(monkeypatch):
    def broken():
        raise RuntimeError("boom in English")

    monkeypatch.setattr(programs_cmd, "bundled_ids", broken)
    monkeypatch.delenv("STUDIOFUND_DEBUG", raising=False)
    result = run("programs", catch=True)
    assert result.exit_code == 2
    assert "--debug" in result.output and "未预料" in result.output
    assert "boom" not in result.output and "Traceback" not in result.output and "RuntimeError" not in result.output


def test_debug_shows_the_exception_itself(monkeypatch):
    def broken():
        raise RuntimeError("boom in English")

    monkeypatch.setattr(programs_cmd, "bundled_ids", broken)
    monkeypatch.delenv("STUDIOFUND_DEBUG", raising=False)
    with pytest.raises(RuntimeError, match="boom"):
        run("--debug", "programs")


def test_click_usage_errors_are_in_chinese():
    result = run("report", "--year", "2021", catch=True)
    assert result.exit_code == 2
    assert "缺少参数 账簿。" in result.output and "用法：studiofund report [选项] 账簿" in result.output
    assert "Usage:" not in result.output and "Missing" not in result.output
    result = run("report", DEMO, "--colour", catch=True)
    assert result.exit_code == 2 and "没有选项 --colour" in result.output


@pytest.mark.parametrize("value,accepted", [
    ("2021", 2021), ("２０２１", 2021), ("1990", 1990), ("2100", 2100),
    ("0", None), ("-5", None), ("10000", None), ("1989", None), ("2021.5", None), ("二〇二一", None),
])
def test_year(value, accepted):
    if accepted is None:
        with pytest.raises(click.BadParameter):
            YEAR.convert(value, None, None)
    else:
        assert YEAR.convert(value, None, None) == accepted


@pytest.mark.parametrize("value,accepted", [
    ("1234.50", Decimal("1234.50")), ("1,234.5", Decimal("1234.50")), ("￥１２３", Decimal("123.00")),
    ("0", Decimal("0.00")), ("NaN", None), ("sNaN", None), ("Infinity", None), ("-inf", None), ("1e3", None),
    ("-5", None), ("10.005", None), ("1" + "0" * 13, None), ("十元", None), ("", None),
])
def test_amount(value, accepted):
    if accepted is None:
        with pytest.raises(click.BadParameter) as refused:
            AMOUNT.convert(value, None, None)
        assert any("\u4e00" <= c <= "\u9fff" for c in refused.value.message)
    else:
        assert AMOUNT.convert(value, None, None) == accepted


def test_amount_with_three_places_says_how_to_round():
    with pytest.raises(click.BadParameter, match="四舍五入到分.*10.01"):
        AMOUNT.convert("10.005", None, None)


@pytest.mark.parametrize("value,ok", [
    ("2020-02-29", True), ("2021-02-29", False), ("2020-13-01", False), ("1900-01-01", False),
    ((datetime.date.today() + datetime.timedelta(days=400)).isoformat(), False), ("yesterday", False),
])
def test_date(value, ok):
    if ok:
        assert DATE.convert(value, None, None) == datetime.date.fromisoformat(value)
    else:
        with pytest.raises(click.BadParameter):
            DATE.convert(value, None, None)


@pytest.mark.parametrize("value", ["甲\n乙", "甲\r乙", "甲\u2028乙", "甲\u2029乙", "甲\x0c乙", "甲\x1b乙",
                                   "甲\u200b乙", "甲\u202e乙", "甲\x85乙", "   ", "长" * 201])
def test_text_refuses_line_breaks_control_characters_blanks_and_length(value):
    assert text_problem(value, "--payee")
    with pytest.raises(click.BadParameter):
        Text().convert(value, None, None)


def test_text_accepts_a_plain_name():
    assert Text().convert("  南山区李梅名班主任工作室 ", None, None) == "南山区李梅名班主任工作室"


# -- 2. no hangs -------------------------------------------------------------------------------


def test_read_source_refuses_fifos_devices_and_directories_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    for path in (tmp_path / "pipe", Path("/dev/zero"), tmp_path):
        data, problem = within(10, read_source, path)
        assert data is None and "不是普通文件" in problem


def test_a_line_longer_than_the_limit_is_refused_before_beancount_sees_it(tmp_path):
    ledger = demo_copy(tmp_path, extra="; " + "x" * (30 * 1024 * 1024) + "\n")
    with pytest.raises(LedgerInputError, match=r"第 \d+ 行超过 256 KB"):
        within(60, load_ledger, ledger)
    assert MAX_LINE_BYTES == 256 * 1024


def _first_long_line(data: bytes, limit: int) -> int:
    """The obvious line-by-line answer, to hold the striding scan to."""
    for number, line in enumerate(data.split(b"\n"), 1):
        if len(line) > limit:
            return number
    return 0


@pytest.mark.parametrize("data,limit,expected", [
    (b"", 4, 0), (b"abcd", 4, 0), (b"abcde", 4, 1), (b"abcd\nabcd\n", 4, 0), (b"abcd\nabcde", 4, 2),
    (b"\nabcd\n\nabcd\nabcde\n", 4, 5), (b"ab\n\n\nabcdefgh\nab", 4, 4), (b"\n\n\n\n\n\n", 0, 0),
    (b"\n\n\nx\n", 0, 4),
])
def test_long_line_finds_the_first_line_over_the_limit(data, limit, expected):
    assert long_line(data, limit) == expected == _first_long_line(data, limit)


def test_long_line_agrees_with_a_line_by_line_scan_on_random_text():
    import random

    rng = random.Random(11)
    for _ in range(3000):
        data = bytes(rng.choice(b"ab\n\n\r") for _ in range(rng.randrange(0, 60)))
        limit = rng.randrange(0, 12)
        assert long_line(data, limit) == _first_long_line(data, limit), (data, limit)


@pytest.mark.parametrize("target", ["/dev/zero", "pipe"])
def test_an_include_of_a_device_or_fifo_is_an_error_not_a_hang(tmp_path, target):
    os.mkfifo(tmp_path / "pipe")
    ledger = demo_copy(tmp_path, extra=f'\ninclude "{target}"\n')
    loaded = within(60, load_ledger, ledger)
    errors = [e for e in loaded.load_errors if isinstance(e, SourceError)]
    assert len(errors) == 1
    assert errors[0].source["filename"] == str(ledger.resolve())
    assert errors[0].source["lineno"] == ledger.read_text(encoding="utf-8").count("\n")
    assert loaded.problem()  # no figures from a ledger missing part of its text


def test_a_fifo_as_the_ledger_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe.beancount")
    with pytest.raises(LedgerInputError, match="管道"):
        within(10, load_ledger, tmp_path / "pipe.beancount")


# -- 2. includes: inside the ledger's tree, no cycles, missing files named ---------------------


def test_include_cycle_is_named_with_its_chain(tmp_path):
    ledger = demo_copy(tmp_path, "a.beancount", '\ninclude "b.beancount"\n')
    (tmp_path / "b.beancount").write_text('include "a.beancount"\n', encoding="utf-8")
    loaded = within(60, load_ledger, ledger)
    [cycle] = [e for e in loaded.load_errors if isinstance(e, SourceError)]
    assert "循环包含（a.beancount → b.beancount → a.beancount）" in cycle.message
    assert cycle.source == {"filename": str((tmp_path / "b.beancount").resolve()), "lineno": 1}


def test_a_missing_include_is_a_chinese_error_at_the_including_line(tmp_path):
    ledger = demo_copy(tmp_path, extra='\ninclude "2022.beancount"\n')
    loaded = load_ledger(ledger)
    [missing] = [e for e in loaded.load_errors if isinstance(e, SourceError)]
    assert "2022.beancount 不存在" in missing.message
    assert missing.source["filename"] == str(ledger.resolve()) and missing.source["lineno"] > 400
    assert not [e for e in loaded.load_errors if "<load>" in str((e.source or {}).get("filename"))]


def test_an_include_outside_the_ledgers_directory_is_refused(tmp_path):
    (tmp_path / "secret.beancount").write_text('2020-01-01 open Assets:Secret CNY\n', encoding="utf-8")
    (tmp_path / "studio").mkdir()
    ledger = demo_copy(tmp_path / "studio", extra='\ninclude "../secret.beancount"\n')
    loaded = load_ledger(ledger)
    [outside] = [e for e in loaded.load_errors if isinstance(e, SourceError)]
    assert "不在账簿所在目录" in outside.message
    assert not any(getattr(e, "account", None) == "Assets:Secret" for e in loaded.entries)


def test_the_example_with_year_files_loads_as_beancount_does():
    main = EXAMPLES / "shenzhen-city" / "studio.beancount"
    loaded = load_ledger(main)
    theirs, _, _ = loader.load_file(str(main))
    assert len(loaded.entries) == len(theirs) and not loaded.load_errors


def test_an_included_file_that_is_not_utf8_is_one_error_at_its_include(tmp_path):
    (tmp_path / "2022.beancount").write_bytes('2022-01-01 * "书店" "图书"\n'.encode("gbk"))
    ledger = demo_copy(tmp_path, extra='\ninclude "2022.beancount"\n')
    loaded = load_ledger(ledger)
    [error] = loaded.parse_errors
    assert "2022.beancount:1 不是 UTF-8" in error.message and error.source["filename"] == str(ledger.resolve())


# -- 3. no silent zeros ------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", 'option "operating_currency" "CNY"\n2020-01-01 open Assets:Cash CNY\n'])
def test_check_of_a_file_without_a_studio_declaration_exits_2_saying_so(tmp_path, text):
    path = tmp_path / "not-a-studio.beancount"
    path.write_text(text, encoding="utf-8")
    result = run("check", path, catch=True)
    assert result.exit_code == 2
    assert "工作室声明" in result.output and str(path) in result.output


def test_without_the_plugin_line_every_rule_still_runs_plus_a_studio_config_error(tmp_path):
    with_plugin = load_ledger(DEMO)
    ledger = demo_copy(tmp_path, drop='plugin "studiofund.plugin"')
    without = load_ledger(ledger)
    assert without.plugin_missing and len(with_plugin.findings) >= 5
    assert [(f.rule, f.lineno) for f in without.findings] == [(f.rule, f.lineno) for f in with_plugin.findings]
    [missing] = without.config_errors
    assert isinstance(missing, PluginMissing) and 'plugin "studiofund.plugin"' in missing.message
    run_ = check_paths([ledger], use_cache=False)
    rules = [f.rule for f in run_.results[0].findings]
    assert rules.count("studio-config") == 1 and len(rules) == len(with_plugin.findings) + 1
    assert run_.exit_status == 1  # the checks are complete: open errors, not an unreadable input


def test_directory_mode_finds_a_studio_by_its_declaration_and_skips_year_files(tmp_path):
    demo_copy(tmp_path, "a.beancount", drop='plugin "studiofund.plugin"')
    shutil.copytree(EXAMPLES / "shenzhen-city", tmp_path / "city")
    (tmp_path / "plain.beancount").write_text("2020-01-01 open Assets:Cash CNY\n", encoding="utf-8")
    found = sorted(p.relative_to(tmp_path).as_posix() for p in find_ledgers([tmp_path]))
    assert found == ["a.beancount", "city/studio.beancount"]


def test_consolidate_lists_a_ledger_with_a_syntax_error_and_exits_1(tmp_path):
    good = demo_copy(tmp_path, "good.beancount")
    bad = demo_copy(tmp_path, "bad.beancount", '\n2021-12-30 * "书店" "图书"\n  Expenses:Materials  12,3x CNY\n'
                                               '  Assets:Bank:Dedicated\n')
    result = run("consolidate", good, bad, "--year", "2021", "--format", "json", "--no-cache", catch=True)
    assert result.exit_code == 1
    assert "bad.beancount" in result.stderr and "语法错误" in result.stderr
    assert result.stdout.count('"ledger"') == 1  # the broken ledger is no row


def test_the_compliance_page_says_when_the_plugin_line_is_missing(tmp_path):
    from studiofund.web.confine import Site, confined_load

    ledger = demo_copy(tmp_path, drop='plugin "studiofund.plugin"')
    load = confined_load(ledger, Site([ledger]))
    assert any(isinstance(e, PluginMissing) for e in load.errors)
    assert sum(1 for e in load.errors if type(e).__name__ == "Finding") >= 5  # the rules ran
    template = Path(programs_cmd.__file__).parents[1] / "web" / "fava_extension" / "templates" / "Compliance.html"
    assert "page.plugin_missing" in template.read_text(encoding="utf-8")


def test_beancounts_english_errors_reach_users_in_chinese():
    assert chinese_message("ValueError: Invalid number format: '12,3'") == (
        "金额格式不对：'12,3'；请写成 1234.50（不用千位分隔符、不带单位）。")
    assert chinese_message("Transaction does not balance: (-1.00 CNY)").startswith("这笔分录借贷不平衡")
    assert "Error" not in chinese_message("KeyError: something odd")
    # an English message quoting the ledger's Chinese text is still translated
    assert chinese_message("Invalid token: '\"甲'").startswith("无法识别的内容")


# -- writes on bad input: nothing written ------------------------------------------------------


def test_budget_refuses_a_ledger_with_a_syntax_error_and_writes_nothing(tmp_path):
    ledger = init_studio(tmp_path / "studio.beancount")
    with ledger.open("a", encoding="utf-8") as handle:
        handle.write('\n2020-03-01 * "书店" "图书"\n  Expenses:Materials  12,3x CNY\n  Assets:Bank:Dedicated\n')
    before = sorted(tmp_path.rglob("*")), ledger.read_bytes()
    result = run("budget", ledger, "--year", "2020", "--set", "Research=100", catch=True)
    assert result.exit_code == 2 and "语法错误" in result.output
    assert (sorted(tmp_path.rglob("*")), ledger.read_bytes()) == before


def test_init_refuses_a_name_that_would_start_a_directive(tmp_path):
    result = run("init", tmp_path / "s.beancount", "--program", "shenzhen-district", "--name",
                 "甲\n2020-01-01 open Expenses:Yachts CNY", "--host-school", "乙", "--district", "丙",
                 "--start", "2020-01-01", catch=True)
    assert result.exit_code == 2 and "--name" in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_refused_write_leaves_no_lock_file(tmp_path):
    ledger = init_studio(tmp_path / "studio.beancount")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("close", ledger, "--year", "2020", "--reopen", "--reason", "没有封账的年度", catch=True)
    assert result.exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# -- 4. line handling: "\n" only, as Beancount counts ------------------------------------------


def test_a_budget_change_after_narrations_with_other_line_breaks_replaces_only_the_budget(tmp_path):
    body = "".join(
        txn(f"2021-03-0{i}", "书店", f"图书{sep}资料", "Expenses:Materials", "10.00", voucher=f"2021-00{i}",
            invoice=f"0440000000{i}", approver="李梅", reviewer="王校长")
        for i, sep in enumerate(["\u2028", "\r", "\x0c", "\u0085"], start=1))
    text = studio(body, cycle_start="2021-01-01")
    text = text.replace('  name: "测试工作室"', '  name: "测试工作室"\n  allocation: 40000.00 CNY')
    ledger = tmp_path / "studio.beancount"
    ledger.write_bytes(text.encode("utf-8"))
    for amount in ("100", "200"):  # the second run replaces the first run's line
        result = run("budget", ledger, "--year", "2021", "--set", f"Research={amount}", catch=True)
        assert result.exit_code == 0, result.output
    after = ledger.read_bytes().decode("utf-8")
    assert after.startswith(text)  # every narration byte for byte, nothing removed
    added = after[len(text):]
    assert added.count('custom "budget"') == 1 and "Expenses:Research \"yearly\" 200.00 CNY" in added


def test_an_import_after_narrations_with_other_line_breaks_links_the_right_entries(tmp_path):
    """The import inserts ``bank-ref`` lines by Beancount's line numbers: a narration holding
    U+2028, ``\\r`` or ``\\x0c`` above the matched entries must not shift them."""
    from test_import_reconcile import BOOKS, GRANT, STATEMENT, WEBSITE

    ledger = init_studio(tmp_path / "studio.beancount", name="南山区李梅名班主任工作室",
                         host_school="深圳市南山区第二实验学校")
    odd = "购买\u2028图书\r资料\x0c（一）"
    with ledger.open("ab") as handle:
        handle.write((GRANT + BOOKS.replace("购买图书资料", odd) + WEBSITE).encode("utf-8"))
    result = run("import", STATEMENT, "--ledger", ledger, catch=True)
    assert result.exit_code == 0, result.output
    entries, errors, _ = loader.load_file(str(ledger))
    assert [e for e in errors if type(e).__name__ != "Finding" and not hasattr(e, "rule")] == []
    by_voucher = {e.meta.get("voucher"): e for e in entries if hasattr(e, "narration") and e.meta.get("voucher")}
    assert by_voucher["2020-002"].narration == odd
    assert by_voucher["2020-001"].meta["bank-ref"] == "SZ20200310000101"
    assert by_voucher["2020-002"].meta["bank-ref"] == "SZ20200408001503"
    assert by_voucher["2020-003"].meta["bank-ref"] == "SZ20200520003311"
