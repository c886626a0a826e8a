"""assessment-funding: grants and spending against the consequences of the recorded assessments,
program by program — each planted case with its correct twin."""

from __future__ import annotations

from ledgertext import brief, findings, grant, papers, studio, txn

RULE = "assessment-funding"


def assessment(date, year, grade, **meta):
    lines = [f'{date} custom "assessment" {year} "{grade}"']
    lines += [f"  {k}: {v}" for k, v in meta.items()]
    return "\n".join(lines) + "\n\n"


def spend(date, voucher, amount="1000.00"):
    return txn(date, "新华书店", "购买班主任工作书籍", "Expenses:Materials", amount, voucher=voucher, **papers())


def refund(date, voucher, amount):
    return txn(date, "市教育局", "缴回未使用经费", "Liabilities:Refund:Bureau", amount, voucher=voucher)


def years(amount="80000.00", first=2019, last=2020):
    return "".join(grant(f"{y}-03-01", amount) for y in range(first, last + 1))


# -- Shenzhen: a yellow card, then cancellation ----------------------------------------------------

def test_shenzhen_first_failure_is_a_yellow_card_without_finding():
    text = studio(years() + assessment("2020-01-15", 2019, "不合格") + spend("2020-05-01", "2020-101")
                  + grant("2021-03-01", "80000.00"), program="shenzhen-city", cycle_start="2019-01-01")
    assert brief(text, RULE) == []


def test_shenzhen_second_failure_cancels_grants_and_spending_after_it():
    body = (years() + assessment("2020-01-15", 2019, "不合格") + assessment("2021-01-20", 2020, "不合格")
            + refund("2021-02-01", "2021-001", "1000.00")  # returning money is allowed
            + grant("2021-03-01", "80000.00")  # not allowed
            + spend("2021-05-01", "2021-101"))  # not allowed
    text = studio(body, program="shenzhen-city", cycle_start="2019-01-01")
    found = brief(text, RULE)
    assert [(d, s) for d, _, s in found] == [("2021-03-01", "error"), ("2021-05-01", "error")]
    messages = [f.message for f in findings(text, RULE)]
    assert all("2020 年度考核：不合格（第 2 次不合格，取消资格）" in m for m in messages)
    assert "建设方案》五（一）" in messages[0]
    # the twin: the second assessment passed
    twin = studio(body.replace('2020 "不合格"', '2020 "合格"'), program="shenzhen-city", cycle_start="2019-01-01")
    assert brief(twin, RULE) == []


def test_a_reassessment_lifts_the_cancellation():
    body = (years() + assessment("2020-01-15", 2019, "不合格") + assessment("2021-01-20", 2020, "不合格")
            + assessment("2021-02-20", 2020, "合格", assessor='"复评"') + grant("2021-03-01", "80000.00"))
    assert brief(studio(body, program="shenzhen-city", cycle_start="2019-01-01"), RULE) == []


def test_spending_after_a_recorded_disqualification_is_left_to_that_rule():
    body = (years() + assessment("2020-01-15", 2019, "不合格") + assessment("2021-01-20", 2020, "不合格")
            + spend("2021-01-25", "2021-101")
            + '2021-02-01 custom "studio-disqualified" "第二次考核不合格"\n\n'
            + spend("2021-05-01", "2021-102"))
    text = studio(body, program="shenzhen-city", cycle_start="2019-01-01")
    assert brief(text, RULE) == [("2021-01-25", "2021-101", "error")]
    assert brief(text, "after-disqualification") == [("2021-05-01", "2021-102", "error")]


# -- Chifeng: reduce, stop while not rectified, end of cycle ---------------------------------------

CHIFENG = {"program": "chifeng", "allocation": "50000.00", "cycle_start": "2019-01-01"}


def test_chifeng_pass_means_full_funds():
    text = studio(years(amount="50000.00") + assessment("2020-01-10", 2019, "合格"), **CHIFENG)
    assert brief(text, RULE) == []


def test_chifeng_failure_wants_a_reduced_grant():
    """视情况减拨或停拨: a reduced grant (or none) is right, the full amount is not; the district's
    own funds (第十一条) are not the city's grant."""
    failed = grant("2019-03-01", "50000.00") + assessment("2020-01-10", 2019, "不合格")
    reduced = studio(failed + grant("2020-03-01", "30000.00")
                     + grant("2020-04-01", "10000.00", "Income:Grant:District"), **CHIFENG)
    assert brief(reduced, RULE) == []
    full = studio(failed + grant("2020-03-01", "30000.00") + grant("2020-09-01", "20000.00"), **CHIFENG)
    assert [(d, s) for d, _, s in brief(full, RULE)] == [("2020-09-01", "review")]
    assert "已达足额标准 50,000.00 元" in findings(full, RULE)[0].message


def test_chifeng_unrectified_by_the_deadline_dissolves_the_studio():
    """整改不力的，工作室予以撤消: past the deadline without rectified:, grants and spending stop."""
    def body(**meta):
        return (grant("2019-03-01", "50000.00") + assessment("2020-01-10", 2019, "不合格", deadline="2020-04-30", **meta)
                + grant("2020-03-01", "30000.00")  # before the deadline: a reduced grant is right
                + grant("2020-06-01", "10000.00") + spend("2020-07-01", "2020-101"))

    unmet = studio(body(), **CHIFENG)
    assert [(d, s) for d, _, s in brief(unmet, RULE)] == [("2020-06-01", "error"), ("2020-07-01", "error")]
    message = findings(unmet, RULE)[0].message
    assert "整改期限 2020-04-30 已过未整改，取消资格" in message and "第十七条" in message
    assert brief(studio(body(rectified="2020-04-20"), **CHIFENG), RULE) == []
    late = studio(body(rectified="2020-05-15"), **CHIFENG)  # rectified after the deadline
    assert len(brief(late, RULE)) == 2


def test_a_bureau_that_stops_next_years_grant(tmp_path):
    from studiofund.policy import PROGRAMS_DIR

    policy = tmp_path / "bureau.toml"
    policy.write_text(f'include = ["{(PROGRAMS_DIR / "chifeng.toml").as_posix()}"]\n'
                      '[assessment]\non_fail = ["stop"]\n', encoding="utf-8")
    body = grant("2019-03-01", "50000.00") + assessment("2020-01-10", 2019, "不合格") + grant("2020-03-01", "10000.00")
    text = studio(body, **CHIFENG).replace('  district: "南山区"\n', f'  district: "南山区"\n  policy: "{policy.as_posix()}"\n', 1)
    assert [(d, s) for d, _, s in brief(text, RULE)] == [("2020-03-01", "error")]
    assert "停拨下一年度经费" in findings(text, RULE)[0].message


def test_chifeng_failed_end_of_cycle_ends_the_studio():
    body = (years(amount="50000.00", last=2021) + assessment("2022-01-15", 2021, "不合格")
            + spend("2022-02-01", "2022-101") + grant("2022-03-01", "50000.00"))
    text = studio(body, **CHIFENG)
    assert [(d, s) for d, _, s in brief(text, RULE)] == [("2022-02-01", "error"), ("2022-03-01", "error")]
    assert "期满考核（2021 年）：不合格" in findings(text, RULE)[0].message
    twin = studio(body.replace('2021 "不合格"', '2021 "优秀"'), **CHIFENG)
    assert brief(twin, RULE) == []


# -- Shenyang: the first failure disqualifies; county: funding unaffected --------------------------

def test_shenyang_first_failure_disqualifies():
    body = (grant("2022-03-01", "25000.00") + assessment("2022-12-20", 2022, "不合格")
            + spend("2023-01-10", "2023-101") + grant("2023-03-01", "25000.00"))
    text = studio(body, program="shenyang-studio", cycle_start="2022-01-01")
    assert [(d, s) for d, _, s in brief(text, RULE)] == [("2023-01-10", "error"), ("2023-03-01", "error")]
    twin = studio(body.replace('"不合格"', '"合格"'), program="shenyang-studio", cycle_start="2022-01-01")
    assert brief(twin, RULE) == []


def test_county_yearly_failure_changes_no_funding():
    body = (grant("2022-03-01", "10000.00") + assessment("2022-12-10", 2022, "不合格")
            + spend("2023-01-10", "2023-101") + grant("2023-03-01", "10000.00"))
    assert brief(studio(body, program="county-research", cycle_start="2022-01-01"), RULE) == []


def test_lvyuan_has_no_assessment_consequences():
    body = grant("2022-03-01", "60000.00") + assessment("2022-12-10", 2022, "不合格") + grant("2023-03-01", "60000.00")
    assert brief(studio(body, program="lvyuan-training", cycle_start="2022-01-01", allocation="60000.00"), RULE) == []


def test_an_unreadable_assessment_is_reported_not_ignored():
    text = studio(years() + '2021-01-15 custom "assessment" 2020 "良"\n\n', program="shenzhen-city",
                  cycle_start="2019-01-01")
    (finding,) = findings(text, RULE)
    assert finding.severity == "error" and "考核指令无法读取" in finding.message
    assert finding.date.isoformat() == "2021-01-15"


def test_a_studio_continued_by_its_end_of_cycle_assessment_expects_the_next_cycles_grants():
    """After 期满考核 合格 the next cycle's years are expected years of allocation-mismatch; without
    it they are not (the studio ended with its cycle)."""
    body = years(last=2021) + grant("2022-03-01", "40000.00")
    continued = studio(body + assessment("2022-01-10", 2021, "合格"), program="shenzhen-city", cycle_start="2019-01-01")
    assert [(d, s) for d, _, s in brief(continued, "allocation-mismatch")] == [("2022-03-01", "review")]
    ended = studio(body, program="shenzhen-city", cycle_start="2019-01-01")
    assert brief(ended, "allocation-mismatch") == []
