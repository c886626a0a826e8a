"""Lvyuan (003 四（二）): the training fund at least 5 % of the school's public-funds budget,
principals' training at least 2.5 % of their salaries over the year — both reported as
allocation-mismatch; budgets under the percentages are found, at or over them are not."""

from __future__ import annotations

from clirun import run
from ledgertext import brief, findings, grant, papers, studio, txn

RULE = "allocation-mismatch"
PRINCIPALS = "Expenses:Training:Principals"


def school(body, allocation=None, public_budget="1000000.00", salaries="400000.00"):
    declaration = {}
    if public_budget:
        declaration["public-budget"] = f"{public_budget} CNY"
    if salaries:
        declaration["principal-salaries"] = f"{salaries} CNY"
    return studio(body, program="lvyuan-training", cycle_start="2021-01-01", allocation=allocation,
                  declaration=declaration, extra_accounts=(PRINCIPALS,))


def training(date, voucher, amount, account="Expenses:Training", **meta):
    return txn(date, "东北师范大学", "校长能力提升培训", account, amount, voucher=voucher, **papers(**meta))


def teachers_only(amount="50000.00"):
    return grant("2021-03-01", amount, "Income:Grant:District") + training("2021-04-01", "2021-101", "1000.00")


def test_the_fund_below_five_percent_of_the_public_budget_is_found():
    """No allocation declared: 5 % of 1,000,000 = 50,000 is the floor."""
    under = school(grant("2021-03-01", "40000.00", "Income:Grant:District"), salaries=None)
    assert [(d, s) for d, _, s in brief(under, RULE)] == [("2021-03-01", "review")]
    assert "5%（50,000.00 元）" in findings(under, RULE)[0].message
    for enough in ("50000.00", "65000.00"):  # at and over the floor
        assert brief(school(grant("2021-03-01", enough, "Income:Grant:District"), salaries=None), RULE) == []


def test_a_declared_allocation_below_the_share_is_found_on_the_declaration():
    under = school(grant("2021-03-01", "40000.00", "Income:Grant:District"), allocation="40000.00", salaries=None)
    assert brief(under, RULE) == [("2021-01-01", None, "review")]
    assert "低于年度公用经费预算 1,000,000.00 元的 5%" in findings(under, RULE)[0].message
    over = school(grant("2021-03-01", "60000.00", "Income:Grant:District"), allocation="60000.00", salaries=None)
    assert brief(over, RULE) == []


def test_principal_training_below_two_and_a_half_percent_of_salaries_is_found():
    """2.5 % of 400,000 = 10,000 a year, counted on Expenses:Training:Principals or marked trainee: 校长."""
    marked = (teachers_only()
              + training("2021-05-01", "2021-102", "6000.00", PRINCIPALS)
              + txn("2021-05-02", "某某宾馆", "校长培训住宿", "Expenses:BoardLodging", "4000.00",
                    voucher="2021-103", **papers(trainee="校长")))
    assert brief(school(marked), RULE) == []
    short = teachers_only() + training("2021-05-01", "2021-102", "6000.00", PRINCIPALS)
    assert brief(school(short), RULE) == [("2021-12-31", None, "review")]
    message = findings(school(short), RULE)[0].message
    assert "校长培训支出 6,000.00 元" in message and "2.5%（10,000.00 元）" in message and "差额 4,000.00 元" in message
    # teachers' training does not count, however much
    assert [(d, s) for d, _, s in brief(school(teachers_only() + training("2021-05-01", "2021-102", "20000.00")),
                                        RULE)] == [("2021-12-31", "review")]


def test_without_the_declared_figures_nothing_is_computed():
    assert brief(school(teachers_only(), public_budget=None, salaries=None, allocation="50000.00"), RULE) == []


def test_init_computes_the_allocation_from_the_public_budget(tmp_path):
    path = tmp_path / "school.beancount"
    args = ["init", str(path), "--program", "lvyuan-training", "--name", "青年路小学教师培训经费",
            "--host-school", "长春市绿园区青年路小学", "--district", "绿园区", "--start", "2023-01-01"]
    done = run(*args, "--public-budget", "1,200,000", "--principal-salaries", "480000")
    assert done.exit_code == 0, done.output
    text = path.read_text(encoding="utf-8")
    assert "  allocation: 60000.00 CNY\n  public-budget: 1200000.00 CNY\n  principal-salaries: 480000.00 CNY" in text
    assert "open Expenses:Training:Principals CNY\n  name: \"校长培训费\"" in text
    assert run("check", str(path)).exit_code == 0
    below = run(*[a if a != str(path) else str(tmp_path / "b.beancount") for a in args],
                "--public-budget", "1200000", "--allocation", "50000")
    assert below.exit_code == 2 and "低于年度公用经费预算" in below.output
    assert not (tmp_path / "b.beancount").exists()
    other = run("init", str(tmp_path / "c.beancount"), "--program", "shenzhen-city", "--name", "x",
                "--host-school", "x", "--district", "x", "--start", "2023-01-01", "--principal-salaries", "1")
    assert other.exit_code == 2 and "--principal-salaries" in other.output


def test_a_schools_fund_is_checked_every_year_not_only_in_a_cycle():
    """A school's training fund has no studio cycle: a ledger of 2024 under a 2020 cycle-start is
    checked for 2024 (5 % of 1,000,000 = 50,000)."""
    text = studio(grant("2024-03-01", "40000.00", "Income:Grant:District"), program="lvyuan-training",
                  cycle_start="2020-01-01", declaration={"public-budget": "1000000.00 CNY"})
    text = text.replace('2020-01-01 custom "studio"', '2024-01-01 custom "studio"')  # books opened in 2024
    assert [(d, s) for d, _, s in brief(text, RULE)] == [("2024-03-01", "review")]
