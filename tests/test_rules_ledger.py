"""over-budget, allocation-mismatch, matching-shortfall, after-disqualification: rules that
only the whole ledger can decide, attached to the entry that caused them."""

from __future__ import annotations

from ledgertext import brief, findings, grant, papers, studio, txn


def budget(date: str, account: str, amount: str) -> str:
    return f'{date} custom "budget" {account} "yearly" {amount} CNY\n\n'


# -- over-budget --------------------------------------------------------------------------------

def test_over_budget_attaches_to_the_transaction_that_crosses():
    body = grant("2020-01-10", "40000.00") + grant("2021-01-10", "40000.00")
    body += budget("2020-01-01", "Expenses:Materials", "3000.00")
    body += txn("2020-03-01", "书店", "图书", "Expenses:Materials", "2000.00", voucher="2020-060", **papers())
    body += txn("2020-04-01", "书店", "图书", "Expenses:Materials", "1000.00", voucher="2020-061", **papers())
    body += txn("2020-05-01", "书店", "图书", "Expenses:Materials", "0.01", voucher="2020-062", **papers())
    body += txn("2020-06-01", "书店", "图书", "Expenses:Materials", "500.00", voucher="2020-063", **papers())
    # a new year: the budget (still in force, Fava's rule) starts afresh
    body += txn("2021-03-01", "书店", "图书", "Expenses:Materials", "2999.00", voucher="2021-001", **papers())
    text = studio(body)
    assert brief(text, "over-budget") == [("2020-05-01", "2020-062", "review")]
    [finding] = findings(text, "over-budget")
    assert "3000.00" in finding.message and "3000.01" in finding.message


def test_over_budget_counts_sub_accounts_and_respects_reviewed():
    body = grant("2020-01-10", "40000.00") + budget("2020-01-01", "Expenses:Materials", "1000.00")
    body += txn("2020-03-01", "书店", "图书", "Expenses:Materials:Books", "1200.00", voucher="2020-064",
                reviewed="预算调整已批（南教〔2020〕5号）", **papers())
    text = studio(body, extra_accounts=("Expenses:Materials:Books",))
    assert brief(text, "over-budget") == []
    assert brief(text.replace("  reviewed:", "  note:"), "over-budget") == [("2020-03-01", "2020-064", "review")]


def test_no_budget_no_finding():
    body = grant("2020-01-10", "40000.00")
    body += txn("2020-03-01", "书店", "图书", "Expenses:Materials", "9000.00", voucher="2020-065", **papers())
    assert brief(studio(body), "over-budget") == []


# -- allocation-mismatch ------------------------------------------------------------------------

def test_allocation_matches_the_standard():
    body = grant("2020-03-01", "20000.00") + grant("2020-09-01", "20000.00")
    body += grant("2021-03-01", "40000.00") + grant("2022-03-01", "40000.00")
    assert brief(studio(body), "allocation-mismatch") == []


def test_allocation_short_in_a_finished_year_and_over_at_once():
    body = grant("2020-03-01", "30000.00")  # 2020: 10000 short
    body += grant("2021-03-01", "40000.00") + grant("2021-06-01", "5000.00")  # 2021: over
    body += grant("2022-03-01", "40000.00")
    text = studio(body)
    assert [(d, s) for d, _, s in brief(text, "allocation-mismatch")] == [
        ("2020-03-01", "review"),
        ("2021-06-01", "review"),
    ]


def test_nothing_arrived_in_a_finished_year_is_on_the_declaration():
    body = grant("2021-03-01", "40000.00") + grant("2022-03-01", "40000.00")
    text = studio(body)  # cycle 2020-2022; 2020 has no grant
    [finding] = findings(text, "allocation-mismatch")
    assert finding.entry.type == "studio" and finding.date.isoformat() == "2020-12-31"
    assert finding.voucher is None and "2020" in finding.message


def test_an_unfinished_year_is_not_short():
    text = studio(grant("2099-03-01", "10000.00"), cycle_start="2099-01-01")
    assert brief(text, "allocation-mismatch") == []


def test_per_studio_programs_use_the_declared_allocation():
    body = grant("2020-03-01", "50000.00") + grant("2021-03-01", "30000.00") + grant("2022-03-01", "50000.00")
    text = studio(body, "chifeng", allocation="50000.00")
    assert [(d, s) for d, _, s in brief(text, "allocation-mismatch")] == [("2021-03-01", "review")]
    assert brief(studio(body, "chifeng"), "allocation-mismatch") == []  # nothing declared: no standard
    assert brief(studio(body, "county-research"), "allocation-mismatch") == []  # no grant at all


# -- matching-shortfall -------------------------------------------------------------------------

def test_matching_shortfall_once_the_year_is_over():
    body = grant("2020-03-01", "40000.00") + grant("2020-04-01", "30000.00", "Income:Grant:District", "南山区教育局")
    body += grant("2021-03-01", "40000.00") + grant("2021-04-01", "40000.00", "Income:Grant:District", "南山区教育局")
    text = studio(body)
    assert [(d, s) for d, _, s in brief(text, "matching-shortfall")] == [("2020-04-01", "error")]
    [finding] = findings(text, "matching-shortfall")
    assert "40000.00" in finding.message and "30000.00" in finding.message and "10000.00" in finding.message


def test_no_district_money_at_all_attaches_to_the_city_grant():
    text = studio(grant("2020-03-01", "40000.00"))
    assert [(d, s) for d, _, s in brief(text, "matching-shortfall")] == [("2020-03-01", "error")]


def test_matching_waits_for_the_end_of_the_year_and_other_programs_have_none():
    text = studio(grant("2099-03-01", "40000.00"), cycle_start="2099-01-01")
    assert brief(text, "matching-shortfall") == []
    assert brief(studio(grant("2020-03-01", "80000.00"), "shenzhen-city"), "matching-shortfall") == []
    assert brief(studio(grant("2020-03-01", "25000.00"), "shenyang-studio"), "matching-shortfall") == []


# -- after-disqualification ---------------------------------------------------------------------

DISQUALIFIED = '2021-09-01 custom "studio-disqualified" "第二次考核不合格"\n\n'
REFUND = '2021-09-01 * "市教育局" "回收未使用经费"\n  voucher: "2021-090"\n  Assets:Bank:Dedicated  -30000.00 CNY\n  Liabilities:Refund:Bureau\n\n'


def test_spending_after_disqualification():
    body = grant("2021-03-01", "40000.00")
    body += txn("2021-08-31", "书店", "图书", "Expenses:Materials", "500.00", voucher="2021-080", **papers())
    body += txn("2021-09-01", "书店", "图书（当日）", "Expenses:Materials", "500.00", voucher="2021-081", **papers())
    body += DISQUALIFIED + REFUND
    body += txn("2021-09-02", "书店", "图书", "Expenses:Materials", "500.00", voucher="2021-082", **papers())
    body += txn("2021-10-02", "某公司", "转出", "Assets:Receivable:School", "500.00", voucher="2021-083")
    text = studio(body, extra_accounts=("Assets:Receivable:School",))
    assert brief(text, "after-disqualification") == [
        ("2021-09-02", "2021-082", "error"),
        ("2021-10-02", "2021-083", "error"),
    ]
    assert "第二次考核不合格" in findings(text, "after-disqualification")[0].message


def test_refund_after_disqualification_is_not_spending():
    later_refund = REFUND.replace("2021-09-01 *", "2021-10-01 *").replace("2021-090", "2021-091")
    body = grant("2021-03-01", "40000.00") + DISQUALIFIED + later_refund.replace("30000.00", "39000.00")
    assert brief(studio(body), "after-disqualification") == []


def test_error_is_not_silenced_by_reviewed():
    body = grant("2021-03-01", "40000.00") + DISQUALIFIED
    body += txn("2021-09-02", "书店", "图书", "Expenses:Materials", "500.00", voucher="2021-084",
                reviewed="已核", **papers())
    assert brief(studio(body), "after-disqualification") == [("2021-09-02", "2021-084", "error")]


def test_disqualification_stops_the_allocation_expectation():
    body = grant("2020-03-01", "40000.00") + grant("2020-04-01", "40000.00", "Income:Grant:District")
    body += '2021-02-01 custom "studio-disqualified" "年度考核不合格"\n\n'
    body += txn("2022-05-01", "某", "x", "Expenses:Materials", "1.00", voucher="2022-001", **papers())
    text = studio(body)
    assert brief(text, "allocation-mismatch") == []
    assert brief(text, "matching-shortfall") == []


def test_a_new_ledger_without_income_or_expenses_expects_nothing_yet():
    """Years the books do not reach yet are not checked: `init` gives a clean ledger."""
    carried = txn("2020-01-01", "上年结转", "期初余额", "Assets:Bank:Dedicated", "1200.00",
                  counter="Equity:CarryForward", voucher=None)
    assert brief(studio(carried), "allocation-mismatch") == []
    assert brief(studio(carried), "matching-shortfall") == []


def test_books_reaching_a_year_make_its_missing_grant_visible():
    body = grant("2020-03-01", "40000.00", account="Income:Grant:District", payer="南山区教育局")
    body += grant("2021-03-01", "40000.00", account="Income:Grant:District", payer="南山区教育局")
    assert brief(studio(body), "allocation-mismatch") == [
        ("2020-12-31", None, "review"), ("2021-12-31", None, "review")]


def test_district_funded_program_counts_its_income_accounts():
    """lvyuan-training is paid by the district government: its allocation arrives on either
    grant account (the policy's ``allocation.income_accounts``)."""
    body = grant("2022-03-01", "30000.00", account="Income:Grant:District", payer="绿园区财政局")
    body += grant("2022-09-01", "30000.00", account="Income:Grant:District", payer="绿园区财政局")
    body += grant("2023-03-01", "48000.00", account="Income:Grant:District", payer="绿园区财政局")
    text = studio(body, "lvyuan-training", cycle_start="2021-01-01", allocation="60000.00")
    assert [(d, s) for d, _, s in brief(text, "allocation-mismatch")] == [
        ("2021-12-31", "review"), ("2023-03-01", "review")]
    [short] = [f for f in findings(text, "allocation-mismatch") if f.date.year == 2023]
    assert "48000.00" in short.message and "60000.00" in short.message and "区级配套" in short.message


def test_over_budget_equals_one_running_sum_a_category_in_date_order():
    """The rule sums per shape and bisects (studiofund/checks/rules/budget.py); on random ledgers
    — sub-accounts under a budgeted parent, payments on two categories at once, refunds
    (negative postings) in some years, a posting in another currency — its findings, their
    order and their figures are those of a plain running sum per category in date order."""
    import datetime
    import random
    import re
    from decimal import Decimal

    rng = random.Random(5)
    for ledger in range(12):
        budgets = {"Expenses:Materials": Decimal(rng.choice(["3000.00", "8000.00", "20000.00"])),
                   "Expenses:Materials:Books": Decimal(rng.choice(["1000.00", "5000.00"])),
                   "Expenses:Research": Decimal(rng.choice(["2000.00", "9000.00", "50000.00"]))}
        body = grant("2020-01-02", "900000.00") + grant("2021-01-02", "900000.00")
        body += "2020-01-01 open Expenses:Materials:Imported\n\n"
        body += "".join(budget("2020-01-01", a, f"{b}") for a, b in budgets.items())
        days = sorted(rng.sample(range(3, 720), 60))
        expected_postings = []  # (date, voucher, account, number) in date order
        for n, day in enumerate(days):
            date = datetime.date(2020, 1, 1) + datetime.timedelta(days=day)
            voucher = f"{date.year}-{n:03d}"
            postings = []
            for _ in range(rng.choice([1, 1, 2])):
                account = rng.choice(["Expenses:Materials", "Expenses:Materials:Books", "Expenses:Research"])
                number = Decimal(rng.randint(1, 300000)) / 100
                if ledger % 3 == 0 and rng.random() < 0.15:
                    number = -number  # a refund
                postings.append((account, number))
            lines = [f'{date} * "书店" "图书{n % 4}"', f'  voucher: "{voucher}"']
            lines += [f"  {account}  {number} CNY" for account, number in postings]
            if ledger % 4 == 1 and n % 9 == 0:
                lines.append("  Expenses:Materials:Imported  10 USD @ 7.00 CNY")  # counts for nothing
            lines.append("  Assets:Bank:Dedicated")
            body += "\n".join(lines) + "\n\n"
            expected_postings += [(str(date), voucher, a, x) for a, x in postings]
        text = studio(body, extra_accounts=("Expenses:Materials:Books",))

        expected = []
        for year in ("2020", "2021"):  # a year's findings in the order of the categories' first postings
            totals: dict[str, Decimal] = {}
            crossings: dict[str, tuple | None] = {}
            for date, voucher, account, number in expected_postings:
                if not date.startswith(year):
                    continue
                parents = ("Expenses:Materials",) if account.startswith("Expenses:Materials:") else ()
                for target in (*parents, account):
                    crossings.setdefault(target, None)
                    totals[target] = totals.get(target, Decimal(0)) + number
                    if totals[target] > budgets[target] and crossings[target] is None:
                        crossings[target] = (date, voucher, f"本笔 {number:.2f} CNY 入账后累计支出 {totals[target]:.2f} CNY")
            expected += [found for found in crossings.values() if found is not None]
        expected.sort(key=lambda found: found[0])  # findings come in the ledger's order (dates unique here)
        got = [(f.date.isoformat(), f.voucher, re.search(r"本笔 \S+ CNY 入账后累计支出 \S+ CNY", f.message).group(0))
               for f in findings(text, "over-budget")]
        assert got == expected, ledger
