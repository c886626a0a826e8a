"""The bureau's engines: DuckDB over Parquet and Dask give the local engine's figures to the cent;
the Parquet export is what an analyst can query; interrupted runs resume from the cache."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from clirun import run
from bureau_ledgers import generate
from studiofund.ledger.loading import find_ledgers, load_ledger
from studiofund.reports.consolidate import Progress, consolidate, export_ledgers
from studiofund.reports.export import Dataset, ledger_tables

EXAMPLES = Path(__file__).resolve().parent.parent / "ledgers"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("bureau") / "studios")


def both(ledgers, year, cache):
    local = consolidate(ledgers, year, cache_directory=cache, jobs=2).to_json()
    duck = consolidate(ledgers, year, cache_directory=cache, jobs=2, engine="duckdb").to_json()
    return local, duck


@pytest.mark.parametrize("year", [2019, 2021, 2023])
def test_duckdb_equals_local_on_the_example_ledgers(year, tmp_path):
    local, duck = both(find_ledgers([EXAMPLES]), year, tmp_path / "cache")
    assert duck == local
    assert len(local["studios"]) == 7


def test_duckdb_equals_local_on_a_generated_set(generated, tmp_path):
    ledgers = find_ledgers([generated])
    for year in (2019, 2020, 2021, 2022):
        local, duck = both(ledgers, year, tmp_path / "cache")
        assert duck == local, year
    # the set exercises what the SQL computes
    # (CONTRACT.md: a ledger that is no usable studio ledger is listed, never summed as a row)
    assert [e.split("：")[0] for e in local["errors"]] == [f"{generated}/broken.beancount:2",
                                                          f"{generated}/undeclared.beancount"]
    local21, _ = both(ledgers, 2021, tmp_path / "cache")
    assert {d["invoice"] for d in local21["duplicate_invoices"]} >= {"SHARED-1"}
    assert sum(len(s["assets"]) for s in local21["studios"]) >= 24
    assert set(local21["totals"]["by_district"]) == {"南山区", "福田区", "和平区"}
    assert Decimal(local21["totals"]["all"]["refunded"]) > 0
    assert Decimal(local21["totals"]["all"]["income"]["other"]) == 0
    local20, _ = both(ledgers, 2020, tmp_path / "cache")
    assert Decimal(local20["totals"]["all"]["income"]["other"]) == Decimal("49.40")  # 4 studios × 12.345, each rounded half up
    assert sum(s["status"]["sealed"] for s in local20["studios"]) == 2
    assert [s["status"]["assessment"] for s in local20["studios"] if s["status"]["assessment"]] == ["良好", "良好"]
    assert any(s["spending"] and any(line["budget"] for line in s["spending"]) for s in local20["studios"])


def test_duckdb_engine_reloads_only_what_changed(generated, tmp_path):
    import shutil

    studios = tmp_path / "studios"
    shutil.copytree(generated, studios)
    (studios / "broken.beancount").unlink()
    (studios / "undeclared.beancount").unlink()
    ledgers = find_ledgers([studios])
    cache = tmp_path / "cache"
    first = consolidate(ledgers, 2021, cache_directory=cache, engine="duckdb")
    assert first.cached == 0 and not first.errors
    again = consolidate(ledgers, 2021, cache_directory=cache, engine="duckdb")
    assert again.cached == len(ledgers)
    assert again.to_json() == first.to_json()
    # one ledger gains a payment: only it is loaded again, and the figures follow
    target = studios / "studio-01.beancount"
    with target.open("a", encoding="utf-8") as handle:
        handle.write('\n2021-12-20 * "书店" "年终图书"\n  voucher: "2021-900"\n  invoice: "NEW-1"\n'
                     '  approver: "主持人"\n  reviewer: "校长"\n'
                     "  Expenses:Materials  100.00 CNY\n  Assets:Bank:Dedicated\n")
    third = consolidate(ledgers, 2021, cache_directory=cache, engine="duckdb")
    assert third.cached == len(ledgers) - 1
    before = Decimal(first.to_json()["totals"]["all"]["spending_total"])
    assert Decimal(third.to_json()["totals"]["all"]["spending_total"]) == before + 100
    assert third.to_json() == consolidate(ledgers, 2021, use_cache=False).to_json()
    # another year: the rows of that year are added, the earlier ones stay
    consolidate(ledgers, 2024, cache_directory=cache, engine="duckdb")
    dataset = Dataset(cache / "dataset")
    years = duckdb.sql(f"SELECT DISTINCT year FROM read_parquet({dataset.table_files('studios')}, "
                       "hive_partitioning = true) ORDER BY year").fetchall()
    assert (2021,) in years and (2024,) in years


def test_export_is_what_an_analyst_queries(tmp_path):
    out = tmp_path / "export"
    result = run("export", EXAMPLES, "--to", out)
    assert result.exit_code == 0, result.output
    assert "已导出 7 个账簿" in result.output
    for table in ("studios", "postings", "findings", "accounts"):
        assert list((out / table).glob("year=*/district=*/data.parquet")), table

    def sql(query):
        con = duckdb.connect()
        for table in ("studios", "postings", "findings", "accounts"):
            con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{out}/{table}/*/*/*.parquet', "
                        "hive_partitioning = true)")
        return con.execute(query).fetchall()

    ledger = load_ledger(EXAMPLES / "shenzhen-district.beancount")
    count = sum(len(e.postings) for e in ledger.entries if type(e).__name__ == "Transaction")
    name = ledger.studio.name
    assert sql(f"SELECT count(*) FROM postings WHERE studio = '{name}'") == [(count,)]
    # a voucher's postings, with the metadata as JSON and the Chinese label of the account
    rows = sql("SELECT account, label, number, json_extract_string(meta, '$.invoice'), district, year "
               "FROM postings WHERE voucher = '2021-001' AND district = '南山区' ORDER BY posting_index")
    assert rows == [("Expenses:Materials", "图书资料购置", Decimal("1736.000000000000000000"), "02354994", "南山区", 2021),
                    ("Assets:Bank:Dedicated", "专户", Decimal("-1736.000000000000000000"), "02354994", "南山区", 2021)]
    # spending by district, as the bureau's table has it
    local = consolidate(find_ledgers([EXAMPLES]), 2021, use_cache=False).to_json()
    nanshan = sql("SELECT sum(number) FROM postings WHERE year = 2021 AND district = '南山区' "
                  "AND account LIKE 'Expenses:%'")[0][0]
    assert nanshan == Decimal(local["totals"]["by_district"]["南山区"]["spending_total"])
    findings = sql("SELECT rule, severity, status FROM findings WHERE year = 2021 AND district = '南山区' ORDER BY rule")
    counts = local["totals"]["by_district"]["南山区"]["findings"]
    assert len(findings) == counts["error"] + counts["review"]
    assert all(status == "open" for _, _, status in findings)
    budgets = sql("SELECT label, budget, permitted FROM accounts WHERE year = 2021 AND district = '南山区' "
                  "AND account = 'Expenses:Research'")
    assert budgets == [("教育研究", Decimal("10000.000000000000000000"), True)]

    # unchanged: nothing loaded again
    again = run("export", EXAMPLES, "--to", out)
    assert "本次加载 0 个" in again.output


def test_export_replaces_a_changed_ledgers_rows(tmp_path):
    import shutil

    studios = tmp_path / "studios"
    shutil.copytree(EXAMPLES, studios)
    out = tmp_path / "export"
    ledgers = find_ledgers([studios])
    export_ledgers(ledgers, out)
    target = studios / "shenzhen-district.beancount"

    def postings_of(district):
        files = Dataset(out).table_files("postings")
        return duckdb.sql(f"SELECT count(*) FROM read_parquet({files}, hive_partitioning = true) "
                          f"WHERE district = '{district}'").fetchall()[0][0]

    before = postings_of("南山区")
    # the studio moves to another district: its rows leave the old partition, none doubled
    target.write_text(target.read_text(encoding="utf-8").replace('district: "南山区"', 'district: "宝安区"'),
                      encoding="utf-8")
    result = export_ledgers(ledgers, out)
    assert result.exported == 1
    assert postings_of("南山区") == 0
    assert postings_of("宝安区") == before
    assert not (out / "postings" / "year=2021" / "district=南山区").exists()


def test_export_year_writes_that_years_studio_rows(tmp_path):
    out = tmp_path / "export"
    result = run("export", EXAMPLES, "--to", out, "--year", "2021")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "studios").iterdir()) == ["year=2021"]
    assert (out / "postings" / "year=2023").is_dir()  # postings: every year


def test_an_undated_finding_counts_in_every_year(tmp_path):
    from studiofund.ledger.findings import Finding

    loaded = load_ledger(EXAMPLES / "shenzhen-district.beancount")
    loaded.findings.append(Finding({}, "整个账簿的问题", None, "studio-config", "error", None, None))
    tables = ledger_tables(loaded, str(EXAMPLES / "shenzhen-district.beancount"), [2020, 2021])
    rows = [r for r in tables["findings"].to_pylist() if r["rule"] == "studio-config"]
    assert sorted(r["year"] for r in rows) == [2020, 2021]


class StopAfter(Progress):
    """Ctrl-C after ``n`` ledgers."""

    def __init__(self, n):
        self.n = n

    def advance(self):
        self.n -= 1
        if self.n == 0:
            raise KeyboardInterrupt


@pytest.mark.parametrize("engine", ["local", "duckdb"])
def test_an_interrupted_consolidation_resumes_from_the_cache(engine, generated, tmp_path):
    ledgers = find_ledgers([generated])
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        consolidate(ledgers, 2021, cache_directory=cache, jobs=1, engine=engine, progress=StopAfter(4))
    resumed = consolidate(ledgers, 2021, cache_directory=cache, jobs=1, engine=engine)
    assert resumed.cached == 4 - 1  # the unreadable ledger is never cached
    assert resumed.to_json() == consolidate(ledgers, 2021, use_cache=False, engine=engine).to_json()


def test_cli_interrupted_and_unreadable_exit_status(generated, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    result = run("consolidate", generated, "--year", "2021", "--format", "json", "--engine", "duckdb", catch=True)
    assert result.exit_code == 1  # CONTRACT.md: an unreadable ledger is listed and exits 1
    assert "broken.beancount" in result.output and "未计入汇总" in result.output

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("studiofund.cli.consolidate.run", interrupt)
    result = run("consolidate", generated, "--year", "2021")
    assert result.exit_code == 130
    assert "重新运行同一命令将从中断处继续" in result.output


def test_scheduler_without_dask_says_how_to_install(tmp_path, monkeypatch):
    from studiofund.reports import runner

    monkeypatch.setattr(runner, "dask_available", lambda: False)
    for command in (["consolidate", EXAMPLES, "--year", "2021"], ["export", EXAMPLES, "--to", tmp_path / "x"]):
        result = run(*command, "--scheduler", "tcp://127.0.0.1:8786")
        assert result.exit_code == 2
        assert "pip install 'studiofund[cluster]'" in result.output
        assert "Traceback" not in result.output


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("studiofund.reports.runner.CONNECT_TIMEOUT", "1s")
    result = run("consolidate", EXAMPLES, "--year", "2021", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert "无法连接 Dask 调度器" in result.output


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local:
        yield local


def test_dask_cluster_gives_the_local_figures(cluster, generated, tmp_path):
    ledgers = find_ledgers([generated])
    expected = consolidate(ledgers, 2021, use_cache=False).to_json()
    for engine in ("local", "duckdb"):
        on_cluster = consolidate(ledgers, 2021, cache_directory=tmp_path / engine, engine=engine,
                                 scheduler=cluster.scheduler_address)
        assert on_cluster.cached == 0
        assert on_cluster.to_json() == expected, engine
    # through the command, with the results the cluster cached
    result = run("consolidate", generated, "--year", "2021", "--format", "json", "--scheduler",
                 cluster.scheduler_address, catch=True)
    assert result.exit_code == 1  # the unreadable ledger
    assert json.loads(result.stdout)["totals"] == expected["totals"]


def test_the_queries_of_the_docs_run_on_an_export(tmp_path):
    """docs/bureau.md's DuckDB queries, run as written on the example ledgers' export."""
    out = tmp_path / "导出目录"
    export_ledgers(find_ledgers([EXAMPLES]), out)
    doc = (EXAMPLES.parent / "docs" / "bureau.md").read_text(encoding="utf-8")
    block = doc.split("```sql")[1].split("```")[0].replace("导出目录", str(out)).replace("2023", "2021")
    con = duckdb.connect()
    answered = 0
    for statement in (s.strip() for s in block.split(";")):
        body = "\n".join(line for line in statement.splitlines() if not line.strip().startswith("--"))
        if not body:
            continue
        cursor = con.execute(body)
        if body.lstrip().upper().startswith("SELECT"):
            assert cursor.fetchall(), body
            answered += 1
    assert answered == 5


def test_progress_on_a_terminal_shows_counts_cache_and_time_left():
    import io

    from studiofund.cli.consolidate import Progress as TerminalProgress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = TerminalProgress(stream, interval=0)
    progress.start(10, 4)
    for _ in range(6):
        progress.advance()
    text = stream.getvalue()
    assert "汇总 [" in text and "4/10（缓存 4）" in text and "10/10" in text
    assert "约剩" in text  # estimated from the ledgers loaded so far
    assert text.endswith("\n")
    # not a terminal: nothing is written (stderr of a script stays clean)
    quiet = io.StringIO()
    other = TerminalProgress(quiet)
    other.start(10, 0)
    other.advance()
    assert quiet.getvalue() == ""
