"""cycle-end-balance: the balance at the end of the cycle (or of the studio) is returned or
carried into a next cycle an assessment approved — planted balances found, twins clean."""

from __future__ import annotations

from ledgertext import brief, findings, grant, papers, studio, txn

RULE = "cycle-end-balance"


def assessment(date, year, grade):
    return f'{date} custom "assessment" {year} "{grade}"\n\n'


def spend(date, voucher, amount):
    return txn(date, "新华书店", "购买班主任工作书籍", "Expenses:Materials", amount, voucher=voucher, **papers())


def refund(date, voucher, amount):
    return txn(date, "深圳市教育局", "缴回建设周期结余经费", "Liabilities:Refund:Bureau", amount, voucher=voucher)


# a 2019–2021 cycle: 3 × 80,000 received, 235,000 spent: 5,000 left on 2021-12-31
CYCLE = (grant("2019-03-01", "80000.00") + grant("2020-03-01", "80000.00") + grant("2021-03-01", "80000.00")
         + spend("2019-06-01", "2019-101", "80000.00") + spend("2020-06-01", "2020-101", "80000.00")
         + spend("2021-06-01", "2021-101", "75000.00"))


def ledger(body, **kw):
    kw.setdefault("program", "shenzhen-city")
    kw.setdefault("cycle_start", "2019-01-01")
    return studio(CYCLE + body, **kw)


def test_a_balance_left_without_assessment_or_return_is_found():
    text = ledger("")
    assert brief(text, RULE) == [("2021-12-31", None, "review")]
    (finding,) = findings(text, RULE)
    assert "专户结余 5,000.00 元" in finding.message and "尚有 5,000.00 元" in finding.message
    assert "账上没有期满考核结果" in finding.message
    assert finding.source["lineno"] > 0  # on the studio declaration


def test_returned_or_carried_by_a_passing_assessment_is_not():
    assert brief(ledger(refund("2022-01-15", "2022-001", "5000.00")), RULE) == []
    assert brief(ledger(assessment("2022-01-10", 2021, "合格") + spend("2022-03-01", "2022-101", "2000.00")),
                 RULE) == []


def test_a_partial_return_leaves_the_rest():
    (finding,) = findings(ledger(refund("2022-01-15", "2022-001", "3000.00")), RULE)
    assert "其后已退回 3,000.00 元" in finding.message and "尚有 2,000.00 元" in finding.message


def test_a_failed_end_of_cycle_assessment_makes_it_an_error_on_the_assessment():
    text = ledger(assessment("2022-01-10", 2021, "不合格"))
    assert brief(text, RULE) == [("2021-12-31", None, "error")]
    (finding,) = findings(text, RULE)
    assert "期满考核（2021 年）：不合格" in finding.message
    assert text.splitlines()[finding.source["lineno"] - 1].startswith('2022-01-10 custom "assessment"')
    assert brief(ledger(assessment("2022-01-10", 2021, "不合格") + refund("2022-01-15", "2022-001", "5000.00")),
                 RULE) == []


def test_nothing_left_nothing_to_return():
    assert brief(ledger(spend("2021-12-20", "2021-102", "5000.00")), RULE) == []


def test_a_cycle_not_yet_over_or_not_yet_kept_is_not_judged():
    future = studio(grant("2025-03-01", "80000.00") + spend("2025-06-01", "2025-101", "1000.00"),
                    program="shenzhen-city", cycle_start="2025-01-01")
    assert brief(future, RULE) == []
    # books of a 2019–2021 cycle kept only through 2020: its end is not in the books yet
    partial = studio(grant("2019-03-01", "80000.00") + grant("2020-03-01", "80000.00"),
                     program="shenzhen-city", cycle_start="2019-01-01")
    assert brief(partial, RULE) == []


def test_a_studio_cancelled_by_assessment_returns_its_balance_then():
    body = (grant("2022-03-01", "25000.00") + spend("2022-06-01", "2022-101", "20000.00")
            + assessment("2022-12-20", 2022, "不合格"))
    text = studio(body, program="shenyang-studio", cycle_start="2022-01-01")
    assert brief(text, RULE) == [("2022-12-20", None, "error")]
    assert "取消资格" in findings(text, RULE)[0].message
    returned = studio(body + refund("2022-12-28", "2022-201", "5000.00"), program="shenyang-studio",
                      cycle_start="2022-01-01")
    assert brief(returned, RULE) == []


def test_the_claw_back_directive_with_its_refund_is_clean_and_without_it_is_not():
    body = grant("2022-03-01", "25000.00") + '2022-09-01 custom "studio-disqualified" "违反师德"\n\n'
    text = studio(body, program="shenyang-studio", cycle_start="2022-01-01")
    assert brief(text, RULE) == [("2022-09-01", None, "error")]
    clawed = studio(body + refund("2022-09-01", "2022-201", "25000.00"), program="shenyang-studio",
                    cycle_start="2022-01-01")
    assert brief(clawed, RULE) == []


def test_a_second_cycle_is_judged_after_the_first_was_carried():
    second = (assessment("2022-01-10", 2021, "合格") + grant("2022-03-01", "80000.00")
              + grant("2023-03-01", "80000.00") + grant("2024-03-01", "80000.00"))
    assert brief(ledger(second), RULE) == [("2024-12-31", None, "review")]
    (finding,) = findings(ledger(second), RULE)
    assert "专户结余 245,000.00 元" in finding.message


def test_lvyuan_keeps_no_cycle_balance():
    text = studio(grant("2021-03-01", "60000.00"), program="lvyuan-training", cycle_start="2019-01-01",
                  allocation="60000.00")
    assert brief(text, RULE) == []
