"""studiofund budget: writes Fava's budget directives; refuses what the program does not allow."""

from __future__ import annotations

from clirun import run

from studiofund.ledger.budgets import budget_between, year_budgets
from studiofund.ledger.directives import parse_budgets
from studiofund.ledger.loading import load_ledger
from studiofund.reports.usage import build_report

from test_close import BODY


def test_writes_and_replaces_the_years_budget(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    r = run("budget", path, "--year", 2021, "--set", "Research=8000", "--set", "资料费=3000")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert '2021-01-01 custom "budget" Expenses:Research "yearly" 8000.00 CNY' in text
    assert '2021-01-01 custom "budget" Expenses:Materials "yearly" 3000.00 CNY' in text
    # replace one account's line; the other stays
    r = run("budget", path, "--year", 2021, "--set", "Expenses:Research=9000.5")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert text.count('custom "budget" Expenses:Research') == 1
    assert '"yearly" 9000.50 CNY' in text and '"yearly" 3000.00 CNY' in text
    loaded = load_ledger(path)
    assert not loaded.load_errors
    by_account = {s["account"]: s["budget"] for s in build_report(loaded, 2021).to_json()["spending"]}
    assert by_account == {"Expenses:Research": "9000.50", "Expenses:Materials": "3000.00"}


def test_refuses_accounts_the_program_does_not_permit(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    before = path.read_bytes()
    r = run("budget", path, "--year", 2021, "--set", "Equipment=100")
    assert r.exit_code == 2 and "不是项目 shenyang-studio 允许的开支科目" in r.output
    r = run("budget", path, "--year", 2021, "--set", "Research=abc")
    assert r.exit_code == 2 and "不是金额" in r.output
    r = run("budget", path, "--year", 2021, "--set", "Research")
    assert r.exit_code == 2
    assert path.read_bytes() == before


def test_total_within_opening_balance_plus_allocation(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    before = path.read_bytes()
    # 2021: opening 20960 + shenyang-studio allocation 25000 = 45960
    r = run("budget", path, "--year", 2021, "--set", "Research=40000", "--set", "Materials=5960.01")
    assert r.exit_code == 2 and "45,960.00" in r.output and "--allow-over" in r.output
    assert path.read_bytes() == before
    r = run("budget", path, "--year", 2021, "--set", "Research=40000", "--set", "Materials=5960")
    assert r.exit_code == 0, r.output
    r = run("budget", path, "--year", 2021, "--set", "Materials=9000", "--allow-over")
    assert r.exit_code == 0 and "allow-over" in r.output


def test_refuses_a_sealed_year(write_ledger):
    path = write_ledger(BODY, program="shenyang-studio")
    assert run("close", path, "--year", 2020).exit_code == 0
    before = path.read_bytes()
    r = run("budget", path, "--year", 2020, "--set", "Research=100")
    assert r.exit_code == 2 and "已封账" in r.output
    assert path.read_bytes() == before


def test_budget_semantics_follow_fava(write_ledger):
    body = BODY + (
        '2020-01-01 custom "budget" Expenses:Research "yearly" 3650.00 CNY\n'
        '2020-07-01 custom "budget" Expenses:Research "yearly" 7300.00 CNY\n'
        '2020-01-01 custom "budget" Expenses:Materials "monthly" 100.00 CNY\n'
    )
    loaded = load_ledger(write_ledger(body, program="shenyang-studio"))
    budgets, errors = parse_budgets(loaded.entries)
    assert not errors
    got = year_budgets(budgets, 2020)
    # 182 days (leap year, Jan–Jun) of 3650/366 + 184 days of 7300/366
    assert got["Expenses:Research"] == round((3650 * 182 + 7300 * 184) / __import__("decimal").Decimal(366), 2)
    assert got["Expenses:Materials"] == 1200
    # a budget stays in force in later years (Fava's rule)
    assert year_budgets(budgets, 2021)["Expenses:Research"] == 7300
    assert budget_between(budgets["Expenses:Research"], __import__("datetime").date(2019, 1, 1),
                          __import__("datetime").date(2020, 1, 1)) is None


def test_budget_between_matches_a_day_by_day_count():
    """The stretch-wise walk gives exactly what counting each day would."""
    import datetime
    import random
    from collections import defaultdict
    from decimal import Decimal

    from studiofund.ledger.budgets import _period_days, budget_between
    from studiofund.ledger.directives import Budget
    from studiofund.money import q2

    def naive(items, start, end):
        counts = defaultdict(int)
        active, day = -1, start
        while day < end:
            while active + 1 < len(items) and items[active + 1].date <= day:
                active += 1
            if active >= 0:
                counts[(active, _period_days(items[active].period, day))] += 1
            day += datetime.timedelta(days=1)
        if not counts:
            return None
        return q2(sum((items[i].number * n / d for (i, d), n in counts.items()), Decimal(0)))

    rng = random.Random(4)
    for _ in range(40):
        dates = sorted(datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(900))
                       for _ in range(rng.randrange(1, 4)))
        items = [Budget("Expenses:Research", d, rng.choice(["yearly", "quarterly", "monthly", "weekly"]),
                        Decimal(rng.randrange(1000, 90000)), "CNY", {}) for d in dates]
        start = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(700))
        end = start + datetime.timedelta(days=rng.randrange(1, 500))
        assert budget_between(items, start, end) == naive(items, start, end)
