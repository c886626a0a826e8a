"""Consolidation: totals equal the sum of the studio reports, cache, duplicates, XLSX."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from studiofund.cli import main
from studiofund.ledger.loading import load_ledger
from studiofund.reports.consolidate import consolidate
from studiofund.reports.usage import build_report

from ledgertext import studio

ACCOUNTS = ("Assets:Bank:Dedicated", "Income:Grant:City", "Income:Grant:District", "Expenses:Research",
            "Expenses:Materials")


def head(program: str, name: str, district: str) -> str:
    return studio(program=program, name=name, district=district, host_school="学校", cycle_start="2019-01-01",
                  accounts=ACCOUNTS)


TXNS = """\
2020-03-01 * "市教育局" "拨款"
  voucher: "2020-001"
  Assets:Bank:Dedicated  {grant} CNY
  Income:Grant:City
2020-04-01 * "书店" "图书"
  voucher: "2020-002"
  invoice: "{invoice}"
  Expenses:Materials  {spent} CNY
  Assets:Bank:Dedicated
"""


@pytest.fixture
def studios(tmp_path):
    root = tmp_path / "studios"
    (root / "nanshan").mkdir(parents=True)
    specs = [
        ("nanshan/a.beancount", "shenzhen-district", "甲工作室", "南山区", "40000.00", "1000.00", "F-1"),
        ("nanshan/b.beancount", "shenzhen-district", "乙工作室", "南山区", "40000.00", "2500.50", "F-SHARED"),
        ("c.beancount", "shenyang-studio", "丙工作室", "和平区", "25000.00", "300.00", "F-SHARED"),
    ]
    for rel, program, name, district, grant, spent, invoice in specs:
        text = head(program, name, district)
        text += TXNS.format(grant=grant, spent=spent, invoice=invoice)
        (root / rel).write_text(text, encoding="utf-8")
    # a studio with no activity in the year, its 2020 in an included file
    (root / "d").mkdir()
    (root / "d" / "2020.beancount").write_text("; nothing yet\n", encoding="utf-8")
    (root / "d" / "main.beancount").write_text(
        head("shenyang-studio", "丁工作室", "和平区") + 'include "2020.beancount"\n',
        encoding="utf-8")
    return root


def test_totals_equal_the_sum_of_studio_reports(studios, tmp_path):
    from studiofund.ledger.loading import find_ledgers

    ledgers = find_ledgers([studios])
    assert len(ledgers) == 4  # the included year file is not a studio of its own
    c = consolidate(ledgers, 2020, jobs=2, cache_directory=tmp_path / "cache")
    out = c.to_json()
    names = [s["studio"]["name"] for s in out["studios"]]
    assert sorted(names) == ["丁工作室", "丙工作室", "乙工作室", "甲工作室"]
    empty = next(s for s in out["studios"] if s["studio"]["name"] == "丁工作室")
    assert empty["spending_total"] == "0.00" and empty["income"]["total"] == "0.00"
    # each row is the studio's own report
    for row in out["studios"]:
        status = row.pop("status")
        assert row == build_report(load_ledger(row["ledger"]), 2020).to_json()
        assert status == {"sealed": False, "disqualified": None, "assessment": None}
    reports = out["studios"]
    for key in ("opening_balance", "spending_total", "refunded", "closing_balance"):
        assert Decimal(out["totals"]["all"][key]) == sum(Decimal(r[key]) for r in reports)
    assert Decimal(out["totals"]["all"]["income"]["total"]) == sum(Decimal(r["income"]["total"]) for r in reports)
    assert out["totals"]["all"]["income"]["city"] == "105000.00"
    assert out["totals"]["all"]["spending_total"] == "3800.50"
    assert out["totals"]["all"]["findings"]["error"] == sum(r["findings"]["error"] for r in reports)
    assert out["totals"]["all"]["studios"] == 4
    nanshan = out["totals"]["by_district"]["南山区"]
    assert nanshan["studios"] == 2 and nanshan["spending_total"] == "3500.50"
    assert nanshan["income"]["city"] == "80000.00"
    assert out["totals"]["by_program"]["shenyang-studio"]["closing_balance"] == "24700.00"
    assert set(out["totals"]["by_district"]) == {"南山区", "和平区"}
    # cross-ledger duplicate invoice
    assert [d["invoice"] for d in out["duplicate_invoices"]] == ["F-SHARED"]
    assert {u["studio"] for u in out["duplicate_invoices"][0]["uses"]} == {"乙工作室", "丙工作室"}
    # sequential gives the same
    sequential = consolidate(ledgers, 2020, jobs=1, use_cache=False).to_json()
    for row in sequential["studios"]:
        row.pop("status")
    assert sequential == out


def test_cache_hit_on_rerun_and_invalidated_by_a_change(studios, tmp_path):
    from studiofund.ledger.loading import find_ledgers

    ledgers = find_ledgers([studios])
    cache = tmp_path / "cache"
    first = consolidate(ledgers, 2020, cache_directory=cache)
    assert first.cached == 0
    second = consolidate(ledgers, 2020, cache_directory=cache)
    assert second.cached == 4
    assert second.to_json() == first.to_json()
    # another year is another entry
    assert consolidate(ledgers, 2021, cache_directory=cache).cached == 0
    # a change to an included file is noticed without loading
    (studios / "d" / "2020.beancount").write_text(
        '2020-05-01 * "市教育局" "拨款"\n  voucher: "2020-001"\n  Assets:Bank:Dedicated  25000.00 CNY\n'
        "  Income:Grant:City\n", encoding="utf-8")
    third = consolidate(ledgers, 2020, cache_directory=cache)
    assert third.cached == 3
    row = next(r for r in third.reports if r.studio.name == "丁工作室")
    assert row.income_total == Decimal("25000.00")


def test_warm_run_stats_a_file_shared_by_all_ledgers_once(studios, tmp_path, monkeypatch):
    """The plugin's code and the bundled policies rest under every ledger's result: a warm run
    stats each of them once, not once a ledger — and still notices a ledger's own change."""
    import os

    import studiofund.files
    import studiofund.plugin
    from studiofund.ledger.loading import find_ledgers

    ledgers = find_ledgers([studios])
    cache = tmp_path / "cache"
    consolidate(ledgers, 2020, cache_directory=cache)
    plugin_file = str(studiofund.plugin.__file__)
    calls: list[str] = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        calls.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(studiofund.files.os, "stat", counting_stat)
    warm = consolidate(ledgers, 2020, cache_directory=cache)
    assert warm.cached == 4
    assert calls.count(plugin_file) == 1
    monkeypatch.undo()
    (studios / "c.beancount").write_text((studios / "c.beancount").read_text(encoding="utf-8").replace(
        "300.00", "400.00"), encoding="utf-8")
    again = consolidate(ledgers, 2020, cache_directory=cache)
    assert again.cached == 3


def test_output_may_not_be_a_ledger_by_another_name(studios, tmp_path):
    """An output path that is an input under another name (a symbolic or hard link) is refused."""
    import os

    out = tmp_path / "linked.json"
    os.link(studios / "c.beancount", out)
    result = CliRunner().invoke(main, ["consolidate", str(studios), "--year", "2020", "--format", "json",
                                       "-o", str(out)])
    assert result.exit_code != 0
    assert "输出文件不能是账簿本身" in result.output
    assert (studios / "c.beancount").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_cli_json_xlsx_and_csv(studios, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    r = runner.invoke(main, ["consolidate", str(studios), "--year", "2020", "--format", "json"])
    assert r.exit_code == 0, r.output
    obj = json.loads(r.output)
    assert obj["year"] == 2020 and len(obj["studios"]) == 4
    assert (tmp_path / "cache").is_dir()

    out = tmp_path / "sum.xlsx"
    r = runner.invoke(main, ["consolidate", str(studios), "--year", "2020", "--format", "xlsx", "-o", str(out)])
    assert r.exit_code == 0, r.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "南山区", "和平区", "重复发票"]
    ws = wb["汇总"]
    assert ws["A1"].value == "2020年度名师工作室专项经费使用情况汇总表"
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 10, 13, 16)] == [
        "工作室", "所属区（县）", "支出合计", "执行率", "已整改"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    total = rows["总计"]
    assert ws.cell(row=total, column=10).value == 3800.5
    assert ws.cell(row=total, column=10).number_format == "#,##0.00"
    assert ws.cell(row=total, column=13).number_format == "0.0%"
    assert ws.cell(row=rows["乙工作室"], column=10).value == 2500.5
    assert ws.cell(row=rows["合计·南山区"], column=10).value == 3500.5
    # Readable on A4: landscape, the header repeated on every page, no more than ~190 columns
    # of width (printed at about nine-tenths of size, not at five points).
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$3:$3"
    assert sum(ws.column_dimensions[chr(64 + c)].width for c in range(1, 17)) <= 190
    district = wb["南山区"]
    names = [district.cell(row=r, column=1).value for r in range(4, district.max_row + 1)]
    assert names == ["乙工作室", "甲工作室", "合计·南山区"]
    assert wb["重复发票"]["A2"].value == "F-SHARED"

    r = runner.invoke(main, ["consolidate", str(studios), "--year", "2020", "--format", "csv"])
    assert r.exit_code == 0
    lines = r.output.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("工作室,项目,承担单位,所属区（县）,上年结余")
    assert lines[-1].startswith("总计,,,,0.00,105000.00,0.00,0.00,105000.00")

    r = runner.invoke(main, ["consolidate", str(studios), "--year", "2020"])
    assert r.exit_code == 0 and "F-SHARED" in r.output and "丁工作室" in r.output


def test_bad_input(tmp_path):
    runner = CliRunner()
    r = runner.invoke(main, ["consolidate", str(tmp_path / "none"), "--year", "2020"])
    assert r.exit_code == 2 and "不存在" in r.output
    r = runner.invoke(main, ["consolidate", str(tmp_path), "--year", "2020"])
    assert r.exit_code == 2 and "没有找到工作室账簿" in r.output


def test_find_duplicates_reports_only_numbers_shared_by_two_ledgers():
    """Exact comparison after the bitmap pass: a number repeated inside one ledger is that
    ledger's own duplicate-invoice finding, not a cross-studio one; a number in two ledgers is
    reported once with both uses; a use outside the year alone does not report it."""
    from types import SimpleNamespace

    from studiofund.reports.consolidate import find_duplicates

    def ledger(name, *lines):
        import base64

        from studiofund.reports.consolidate import invoice_record

        report = SimpleNamespace(ledger=f"{name}.beancount", studio=SimpleNamespace(name=name))
        invoices, hashes = invoice_record(["\t".join(line) for line in lines])
        return report, base64.b64decode(invoices), base64.b64decode(hashes)

    results = [
        ledger("甲", ("A-1", "2020-03-01", "2020-001", "", "10"), ("A-1", "2020-04-01", "2020-002", "", "14")),
        ledger("乙", ("B-1", "2020-05-01", "2020-007", "", "20"), ("OLD", "2019-05-01", "2019-001", "", "9")),
        ledger("丙", ("B-1", "2020-06-01", "2020-003", "", "30"), ("OLD", "2019-06-01", "2019-004", "", "8")),
    ]
    found = find_duplicates(results, 2020)
    assert list(found) == ["B-1"]
    assert [(u.studio, u.voucher) for u in found["B-1"]] == [("乙", "2020-007"), ("丙", "2020-003")]
    assert list(find_duplicates(results, 2019)) == ["OLD"]


def settle(root, seconds_ago: int = 60) -> None:
    """Give every ledger file under ``root`` a modification time in the past (as ledgers
    written some time before a consolidation have)."""
    import os

    for path in root.rglob("*.beancount"):
        when = os.stat(path).st_mtime_ns - seconds_ago * 1_000_000_000
        os.utime(path, ns=(when, when))


def test_an_unchanged_run_is_answered_from_its_snapshot_and_an_edit_is_not(studios, tmp_path, monkeypatch):
    """A second run over the same unchanged ledgers reads no cache entry (one snapshot of the
    whole run, checked with a stat a file); a ledger edited to the same size with a new
    modification time sends the run back to the entries, and its new figure appears."""
    import os

    from studiofund.ledger.loading import find_ledgers
    from studiofund.reports import cache as result_cache

    settle(studios)
    ledgers = find_ledgers([studios])
    cache = tmp_path / "cache"
    first = consolidate(ledgers, 2020, cache_directory=cache)
    assert first.cached == 0 and len(list((cache / result_cache.RUNS).glob("*.json"))) == 1
    looked_up: list = []
    real = result_cache.lookup_entry

    def counting(directory, ledger, year, seen=None):
        looked_up.append(ledger)
        return real(directory, ledger, year, seen)

    monkeypatch.setattr(result_cache, "lookup_entry", counting)
    second = consolidate(ledgers, 2020, cache_directory=cache)
    assert looked_up == [] and second.cached == 4
    assert second.dumps() == first.dumps()
    assert [r.studio.name for r in second.reports] == [r.studio.name for r in first.reports]
    assert second.total().spending_total == Decimal("3800.50")
    assert [d for d in second.duplicates] == ["F-SHARED"]
    # the reports read back from the snapshot's rows render as the run's own
    from studiofund.reports.text import render_consolidation_csv, render_consolidation_table

    assert render_consolidation_table(second) == render_consolidation_table(first)
    assert render_consolidation_csv(second) == render_consolidation_csv(first)

    b = studios / "nanshan" / "b.beancount"
    text = b.read_text(encoding="utf-8")
    b.write_text(text.replace("2500.50", "2600.50"), encoding="utf-8")
    assert len(b.read_text(encoding="utf-8")) == len(text)
    when = os.stat(b).st_mtime_ns - 30 * 1_000_000_000  # a new time, settled
    os.utime(b, ns=(when, when))
    third = consolidate(ledgers, 2020, cache_directory=cache)
    assert len(looked_up) == 4 and third.cached == 3
    assert third.total().spending_total == Decimal("3900.50")
    looked_up.clear()
    fourth = consolidate(ledgers, 2020, cache_directory=cache)  # from the renewed snapshot
    assert looked_up == [] and fourth.dumps() == third.dumps()


def test_no_snapshot_of_a_run_with_an_unreadable_ledger_nor_of_files_just_written(studios, tmp_path):
    from studiofund.ledger.loading import find_ledgers
    from studiofund.reports import cache as result_cache

    import os
    import time

    settle(studios)
    ledgers = find_ledgers([studios])
    cache = tmp_path / "cache"
    # a file changed just before its result was taken (here: its time a little ahead of the
    # run): a second edit within the same clock tick would not move its time
    soon = time.time_ns() + 1_000_000_000
    os.utime(studios / "c.beancount", ns=(soon, soon))
    consolidate(ledgers, 2020, cache_directory=cache)
    assert result_cache.lookup_run(cache, ledgers, 2020) is None
    settle(studios)
    consolidate(ledgers, 2020, cache_directory=cache)
    assert result_cache.lookup_run(cache, ledgers, 2020) is not None
    (studios / "broken.beancount").write_text('option "title" "x"\n2020-01-01 custom "studio" "nope"\n',
                                              encoding="utf-8")
    settle(studios)
    ledgers = find_ledgers([studios])
    result = consolidate(ledgers, 2020, cache_directory=cache)
    assert len(result.errors) == 1
    assert result_cache.lookup_run(cache, ledgers, 2020) is None
    again = consolidate(ledgers, 2020, cache_directory=cache)
    assert len(again.errors) == 1 and again.cached == 4
