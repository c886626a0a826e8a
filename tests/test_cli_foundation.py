"""`studiofund programs`, `init` and `check`: exit codes, bad input, and what they write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data

from clirun import init_studio, run
from ledgertext import BUREAU_POLICY, grant, txn

from studiofund.policy import bundled_ids, load_program
from studiofund.policy.models import BASE_ACCOUNTS

ALLOCATION = {"chifeng": "30000", "lvyuan-training": "52000"}


def init_args(path: Path, program: str, *extra: str) -> list[str]:
    args = ["init", str(path), "--program", program, "--name", "测试工作室",
            "--host-school", "测试学校", "--district", "南山区", "--start", "2021-01-01"]
    if program in ALLOCATION:
        args += ["--allocation", ALLOCATION[program]]
    return args + list(extra)


# -- programs ------------------------------------------------------------------------------------

def test_programs_lists_the_seven_bundled_programs():
    result = run("programs")
    assert result.exit_code == 0
    for program_id in ["shenyang-workshop", "shenyang-studio", "shenzhen-city", "shenzhen-district",
                       "chifeng", "county-research", "lvyuan-training"]:
        assert program_id in result.output
    assert len(bundled_ids()) == 7


def test_programs_show_prints_accounts_labels_and_clause():
    result = run("programs", "show", "shenzhen-district")
    assert result.exit_code == 0
    assert "图书资料购置" in result.output and "Expenses:Materials" in result.output
    assert "1:1" in result.output and "双签（主持人 + 法定代表人）：要求" in result.output
    shenyang = run("programs", "show", "shenyang-studio")
    assert "双签（主持人 + 法定代表人）：不要求" in shenyang.output


def test_programs_show_unknown_is_exit_2():
    result = run("programs", "show", "nope")
    assert result.exit_code == 2
    assert "未知的项目" in result.output


# -- init ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("program", sorted(["shenyang-workshop", "shenyang-studio", "shenzhen-city",
                                            "shenzhen-district", "chifeng", "county-research",
                                            "lvyuan-training"]))
def test_init_yields_a_clean_ledger_with_exactly_the_programs_accounts(tmp_path, program):
    path = tmp_path / "studio.beancount"
    result = run(*init_args(path, program, "--opening-balance", "1,200.50"))
    assert result.exit_code == 0, result.output
    entries, errors, options = loader.load_file(str(path))
    assert errors == []
    opened = {e.account: e.meta.get("name") for e in entries if isinstance(e, data.Open)}
    policy = load_program(program)
    expected = {a.account: a.label for a in policy.accounts} | BASE_ACCOUNTS
    if policy.principal_training is not None:  # lvyuan: the principals' training sub-account
        expected |= {a: policy.principal_training.label for a in policy.principal_training.accounts}
    assert opened == expected
    custom = [e for e in entries if isinstance(e, data.Custom)]
    assert {c.type for c in custom} == {"studio", "fava-option", "fava-extension"}
    studio = next(c for c in custom if c.type == "studio")
    assert studio.values[0].value == program
    assert studio.meta["district"] == "南山区"
    if program in ALLOCATION:
        assert str(studio.meta["allocation"].number) == f"{ALLOCATION[program]}.00"
    opening = [e for e in entries if isinstance(e, data.Transaction)]
    assert [str(p.units) for p in opening[0].postings] == ["1200.50 CNY", "-1200.50 CNY"]
    assert options["operating_currency"] == ["CNY"]
    assert ("studiofund.plugin", None) in options["plugin"]


def test_init_refuses_to_overwrite(tmp_path):
    path = tmp_path / "studio.beancount"
    path.write_text("; 财务人员的账簿\n", encoding="utf-8")
    result = run(*init_args(path, "shenzhen-city"))
    assert result.exit_code == 2
    assert "已存在" in result.output
    assert path.read_text(encoding="utf-8") == "; 财务人员的账簿\n"


def test_init_unknown_program_writes_nothing(tmp_path):
    path = tmp_path / "studio.beancount"
    result = run(*init_args(path, "no-such-program"))
    assert result.exit_code == 2
    assert "未知的项目" in result.output and "shenzhen-city" in result.output
    assert list(tmp_path.iterdir()) == []


def test_init_per_studio_program_needs_allocation(tmp_path):
    path = tmp_path / "studio.beancount"
    args = init_args(path, "shenzhen-city")
    args[args.index("shenzhen-city")] = "chifeng"
    result = run(*args)
    assert result.exit_code == 2 and "--allocation" in result.output
    assert not path.exists()


def test_init_rejects_a_bad_amount(tmp_path):
    result = run(*init_args(tmp_path / "s.beancount", "shenzhen-city", "--opening-balance", "十元"))
    assert result.exit_code == 2
    assert not (tmp_path / "s.beancount").exists()




def test_init_with_a_bureaus_own_policy_file(tmp_path):
    policy = tmp_path / "policy" / "bureau.toml"
    policy.parent.mkdir()
    policy.write_text(BUREAU_POLICY, encoding="utf-8")
    path = tmp_path / "studio.beancount"
    result = run(*init_args(path, "my-bureau", "--policy", policy))
    assert result.exit_code == 0, result.output
    assert 'policy: "policy/bureau.toml"' in path.read_text(encoding="utf-8")
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    assert run("check", path).exit_code == 0


@pytest.mark.parametrize("text, field, words", [
    ("id = 'x'\nname = [", None, "不是有效的 TOML"),
    (BUREAU_POLICY.replace('account = "Expenses:Research"', 'account = "Expenses:Banquets"'),
     "accounts[0].account", "Expenses:Banquets"),
    (BUREAU_POLICY.replace('city = "30000.00"', 'city = "-5"'), "allocation.city", "应不小于 0"),
    (BUREAU_POLICY.replace('issuer = "某区教育局"\n', ""), "issuer", "缺少该字段"),
])
def test_bad_policy_file_names_file_field_and_problem(tmp_path, text, field, words):
    policy = tmp_path / "bad.toml"
    policy.write_text(text, encoding="utf-8")
    path = tmp_path / "studio.beancount"
    result = run(*init_args(path, "my-bureau", "--policy", policy))
    assert result.exit_code == 2
    assert str(policy) in result.output and words in result.output
    if field:
        assert f"字段 {field}" in result.output
    assert not path.exists()


# -- check ---------------------------------------------------------------------------------------

def studio(tmp_path: Path, body: str = "", program: str = "shenzhen-city") -> Path:
    path = init_studio(tmp_path / f"{program}.beancount", program=program, start="2021-01-01")
    with path.open("a", encoding="utf-8") as handle:
        handle.write(body)
    return path


GRANT = grant("2021-01-05", "80000.00", payer="深圳市教育局")
#: a payment with its papers but no voucher (missing-voucher)
BAD = txn("2021-03-01", "新华书店", "图书", "Expenses:Materials", "300.00", voucher=None,
          invoice="12345678", approver="李梅", reviewer="王建国")


def test_check_clean_ledger_exits_0(tmp_path):
    result = run("check", studio(tmp_path, GRANT))
    assert result.exit_code == 0, result.output
    assert "未发现问题" in result.output


def test_check_with_an_error_exits_1_and_prints_file_line_rule_voucher(tmp_path):
    path = studio(tmp_path, GRANT + BAD)
    result = run("check", path)
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if "missing-voucher" in l)
    assert f"{path}:" in line and "【违规·missing-voucher】" in line


def test_check_json_shape(tmp_path):
    path = studio(tmp_path, GRANT + BAD)
    result = run("check", "--format", "json", path)
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert set(doc) == {"ledgers", "summary"}
    assert doc["ledgers"][0]["ledger"] == str(path)
    finding = next(f for f in doc["ledgers"][0]["findings"] if f["rule"] == "missing-voucher")
    assert set(finding) == {"rule", "severity", "filename", "lineno", "date", "voucher", "message", "evidence",
                            "status"}
    assert finding["evidence"] == [] and finding["status"] == "open"
    assert finding["severity"] == "error" and finding["date"] == "2021-03-01"
    assert finding["voucher"] is None and finding["lineno"] > 0
    assert doc["summary"]["error"] >= 1 and "review" in doc["summary"]


def test_check_year_lists_exactly_the_findings_of_that_year(tmp_path):
    bad_2022 = BAD.replace("2021-03-01", "2022-03-01")
    broken = "\n2021-06-30 balance Assets:Bank:Dedicated  1.00 CNY\n"  # a Beancount error of 2021
    path = studio(tmp_path, GRANT + BAD + bad_2022 + broken)

    def found(*year: str) -> list[tuple[str, str]]:
        doc = json.loads(run("check", "--format", "json", *year, path).output)
        return sorted((f["rule"], f["date"]) for f in doc["ledgers"][0]["findings"])

    every = found()
    assert ("missing-voucher", "2021-03-01") in every and ("missing-voucher", "2022-03-01") in every
    assert found("--year", "2022") == [f for f in every if f[1].startswith("2022") or f[0] == "beancount"]
    assert found("--year", "2021") == [f for f in every if f[1].startswith("2021")]
    assert ("beancount", "2021-06-30") in found("--year", "2022")  # load errors are always listed
    assert [f for f in found("--year", "2023") if f[0] != "beancount"] == []


def test_check_directory_finds_top_level_ledgers_only(tmp_path):
    a = studio(tmp_path, GRANT)
    (tmp_path / "years").mkdir()
    (tmp_path / "years" / "2021.beancount").write_text(BAD, encoding="utf-8")
    doc = json.loads(run("check", "--format", "json", tmp_path).output)
    assert [l["ledger"] for l in doc["ledgers"]] == [str(a)]


def test_check_missing_file_exits_2(tmp_path):
    result = run("check", tmp_path / "nope.beancount")
    assert result.exit_code == 2 and "不存在" in result.output


def test_check_directory_without_ledgers_exits_2(tmp_path):
    result = run("check", tmp_path)
    assert result.exit_code == 2 and "没有找到工作室账簿" in result.output


def test_check_unparseable_ledger_exits_2_naming_the_line(tmp_path):
    path = studio(tmp_path, "\n2021-03-01 * 这不是 beancount {{{\n")
    result = run("check", path)
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "beancount" in result.output


def test_check_binary_file_exits_2(tmp_path):
    path = tmp_path / "x.beancount"
    path.write_bytes(b"\xff\xfe\x00garbage")
    result = run("check", path)
    assert result.exit_code == 2 and "UTF-8" in result.output


def test_check_gbk_ledger_exits_2_naming_the_file_and_line(tmp_path):
    path = studio(tmp_path, GRANT)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    result = run("check", path)
    assert result.exit_code == 2
    assert f"{path}:" in result.output and "不是 UTF-8" in result.output


def test_check_gbk_included_file_is_named(tmp_path):
    path = studio(tmp_path, '\ninclude "2021.beancount"\n')
    year = tmp_path / "2021.beancount"
    year.write_bytes(GRANT.encode("gbk"))
    result = run("check", path)
    assert result.exit_code == 2
    assert f"{year}:" in result.output and "不是 UTF-8" in result.output


def test_check_unknown_program_exits_2(tmp_path):
    path = studio(tmp_path, GRANT)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'custom "studio" "shenzhen-city"', 'custom "studio" "shenzhen-nowhere"'), encoding="utf-8")
    result = run("check", path)
    assert result.exit_code == 2 and "shenzhen-nowhere" in result.output


def test_console_script_runs_and_bean_check_agrees(tmp_path):
    path = studio(tmp_path, GRANT + BAD)
    bindir = Path(sys.executable).parent
    ours = subprocess.run([bindir / "studiofund", "check", "--format", "json", path],
                          capture_output=True, text=True)
    assert ours.returncode == 1
    theirs = subprocess.run([bindir / "bean-check", path], capture_output=True, text=True)
    assert theirs.returncode == 1
    lines = {(f["lineno"], f["rule"]) for f in json.loads(ours.stdout)["ledgers"][0]["findings"]}
    assert lines and all(f":{n}: 【违规·{r}】" in theirs.stderr + theirs.stdout for n, r in lines)
