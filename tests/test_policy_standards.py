"""The policy data of the seeds' remaining rules: spending standards with their sources, each
program's assessment consequences, the cycle's end, lvyuan's 5 % / 2.5 % — bundled values, a
bureau's override, and broken data named by file and field."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from ledgertext import BUREAU_POLICY

from studiofund.policy import PROGRAMS_DIR, PolicyError, bundled_ids, load_policy_file, load_program
from studiofund.policy.assessment import Assessment, standing

D = Decimal


def test_every_bundled_program_has_the_national_standards_with_their_sources():
    for program in bundled_ids():
        standards = load_program(program).standards
        lecture = standards.lecture
        assert lecture.caps == {"中级": D("300"), "副高": D("500"), "正高": D("1000"), "院士": D("1500")}
        assert "财行〔2016〕540号" in lecture.source and lecture.after_tax
        assert lecture.cap("教授") == D("1000") and lecture.cap("高级教师") == D("500")
        assert lecture.cap("助教") is None
        assert lecture.lowest == D("300")
        assert standards.training.caps == {"一类": D("760"), "二类": D("650"), "三类": D("550")}
        assert standards.training.cap == D("550") and "三类" in standards.training.why
        assert standards.meeting.caps["四类"] == D("550") and "财行〔2016〕214号" in standards.meeting.source
        assert standards.daily_for("Expenses:BoardLodging") is standards.training
        assert standards.daily_for("Expenses:Conference:Venue") is standards.meeting
        assert standards.daily_for("Expenses:Materials") is None


@pytest.mark.parametrize(
    "program, on_fail, unrectified",
    [
        ("shenzhen-city", ("warning", "cancel"), None),
        ("shenzhen-district", ("warning", "cancel"), None),
        ("chifeng", ("reduce",), "cancel"),
        ("shenyang-workshop", ("cancel",), None),
        ("shenyang-studio", ("cancel",), None),
        ("county-research", ("none",), None),
    ],
)
def test_assessment_consequences_per_program(program, on_fail, unrectified):
    policy = load_program(program)
    assert policy.assessment.on_fail == on_fail
    assert policy.assessment.unrectified == unrectified
    assert policy.cycle_end is not None
    for rule in ("assessment-funding", "cycle-end-balance", "over-standard", "tax-withholding"):
        assert policy.citations.get(rule), (program, rule)


def test_lvyuan_shares_and_no_cycle_end():
    policy = load_program("lvyuan-training")
    assert policy.allocation.public_budget_share == D("0.05")
    assert policy.principal_training.salary_share == D("0.025")
    assert policy.assessment is None and policy.cycle_end is None
    pt = policy.principal_training
    assert pt.is_principal_training("Expenses:Training:Principals", {}, None)
    assert pt.is_principal_training("Expenses:BoardLodging", {"trainee": "副校长"}, None)
    assert pt.is_principal_training("Expenses:Travel", {}, {"trainee": "校长"})
    assert not pt.is_principal_training("Expenses:Training", {"trainee": "教师"}, None)
    assert "2.5%" in policy.cite("allocation-mismatch") and "5%" in policy.cite("allocation-mismatch")


def _bureau(tmp_path, snippet: str, include: str = "[]"):
    path = tmp_path / "bureau.toml"
    path.write_text(BUREAU_POLICY.replace("include = []", f"include = {include}") + snippet, encoding="utf-8")
    return path


def test_a_bureau_overrides_a_cap_and_keeps_the_rest(tmp_path):
    """A bureau includes the shared data and changes one cap; the rest stays national."""
    path = _bureau(tmp_path, '\n[standards.lecture.caps]\n"正高" = "800.00"\n',
                   include=f'["{(PROGRAMS_DIR / "_common.toml").as_posix()}"]')
    lecture = load_policy_file(path).standards.lecture
    assert lecture.cap("正高") == D("800.00") and lecture.cap("副高") == D("500.00")


def test_a_bureau_file_without_standards_checks_none(tmp_path):
    standards = load_policy_file(_bureau(tmp_path, "")).standards
    assert standards.lecture is None and standards.daily() == ()


@pytest.mark.parametrize(
    "snippet, field",
    [
        ('[standards.lecture]\nsource = "x"\n[standards.lecture.caps]\n"正高" = "-1"\n', "standards.lecture.caps.正高"),
        ('[standards.lecture]\nsource = "x"\ncaps = {}\n', "standards.lecture.caps"),
        ('[standards.lecture]\nsource = "x"\ncaps = {"正高" = "1000"}\naliases = {"教授" = "院长"}\n',
         "standards.lecture.aliases.教授"),
        ('[standards.lecture]\nsource = ""\ncaps = {"正高" = "1000"}\n', "standards.lecture.source"),
        ('[standards.training]\nlabel = "培训费"\nsource = "x"\napplies = "五类"\naccounts = ["Expenses:Training"]\n'
         '[standards.training.caps]\n"三类" = "550"\n', "standards.training.applies"),
        ('[standards.training]\nlabel = "培训费"\nsource = "x"\napplies = "三类"\naccounts = ["Expenses:Training"]\n'
         'caps = {"三类" = "550"}\n[standards.meeting]\nlabel = "会议费"\nsource = "x"\napplies = "四类"\n'
         'accounts = ["Expenses:Training"]\ncaps = {"四类" = "550"}\n', "standards.meeting.accounts"),
        ('[standards.lecture]\nsource = "x"\ncaps = {"正高" = "1000"}\nper_day = 4\n', "standards.lecture.per_day"),
        ('[assessment]\nclause = "第九条"\non_fail = ["warning", "expel"]\n', "assessment.on_fail[1]"),
        ('[assessment]\nclause = ""\n', "assessment.clause"),
        ('[cycle_end]\nclause = " "\n', "cycle_end.clause"),
        ('[principal_training]\nclause = "x"\nsalary_share = "0.025"\naccounts = ["Expenses:Training:Principals"]\n',
         "principal_training.accounts"),
        ('[principal_training]\nclause = "x"\nsalary_share = "2.5"\n', "principal_training.salary_share"),
    ],
)
def test_broken_data_names_file_and_field(tmp_path, snippet, field):
    path = _bureau(tmp_path, "\n" + snippet)
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert info.value.field == field, str(info.value)
    assert info.value.file == str(path) and str(path) in str(info.value)


def test_broken_share_in_allocation_names_the_field(tmp_path):
    path = tmp_path / "bureau.toml"
    path.write_text(BUREAU_POLICY.replace('clause = "第五条"', 'clause = "第五条"\npublic_budget_share = "5"'),
                    encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert info.value.field == "allocation.public_budget_share"


# -- the standing: consequences of recorded assessments -------------------------------------------

START = datetime.date(2019, 1, 1)


def _a(year, grade, date, rectified=None):
    return Assessment(year, grade, datetime.date.fromisoformat(date),
                      datetime.date.fromisoformat(rectified) if rectified else None)


def test_shenzhen_yellow_card_then_cancellation():
    policy = load_program("shenzhen-city").assessment
    first = standing([_a(2019, "不合格", "2020-01-15")], policy, START, 3)
    assert [o.consequence for o in first.outcomes] == ["warning"]
    assert first.ended is None and first.state() == "黄牌警告"
    assert first.grant_limit(2020)[0] == "full"
    second = standing([_a(2019, "不合格", "2020-01-15"), _a(2020, "不合格", "2021-01-20")], policy, START, 3)
    assert [o.consequence for o in second.outcomes] == ["warning", "cancel"]
    assert second.ended == datetime.date(2021, 1, 20) and second.state() == "取消资格"
    assert second.summary() == ("2019 年度考核：不合格（黄牌警告）；"
                                "2020 年度考核：不合格（第 2 次不合格，取消资格）")
    # one failure in each of two cycles is a first failure twice
    again = standing([_a(2019, "不合格", "2020-01-15"), _a(2022, "不合格", "2023-01-15")], policy, START, 3)
    assert [o.failure_number for o in again.outcomes] == [1, 1] and again.ended is None


def test_a_reassessment_replaces_the_failure():
    policy = load_program("shenzhen-city").assessment
    s = standing([_a(2019, "不合格", "2020-01-15"), _a(2019, "合格", "2020-03-01"),
                  _a(2020, "不合格", "2021-01-20")], policy, START, 3)
    assert [o.consequence for o in s.outcomes] == ["", "warning"] and s.ended is None


def test_chifeng_reduce_then_dissolve_when_the_deadline_passes_unrectified_and_cycle_end():
    policy = load_program("chifeng").assessment
    today = datetime.date(2021, 12, 1)
    s = standing([_a(2019, "合格", "2020-01-10"), _a(2020, "不合格", "2021-01-10")], policy, START, 3, today)
    assert s.grant_limit(2020) == ("full", s.outcomes[0])
    assert s.grant_limit(2021)[0] == "reduce" and s.ended is None
    met = Assessment(2020, "不合格", datetime.date(2021, 1, 10), datetime.date(2021, 4, 20),
                     deadline=datetime.date(2021, 4, 30))
    s = standing([met], policy, START, 3, today)
    assert s.ended is None and s.grant_limit(2021, datetime.date(2021, 6, 1))[0] == "reduce"
    assert "2021-04-20 已整改" in s.outcomes[0].label()
    unmet = met._replace(rectified=None)
    s = standing([unmet], policy, START, 3, today)
    assert s.ended == datetime.date(2021, 4, 30) and s.ended_how == "cancel" and s.state() == "取消资格"
    assert s.grant_limit(2021, datetime.date(2021, 3, 1))[0] == "reduce"
    assert s.grant_limit(2021, datetime.date(2021, 6, 1))[0] == "cancel"
    assert "整改期限 2021-04-30 已过未整改，取消资格" in s.outcomes[0].label()
    # before the deadline, nothing is decided yet
    early = standing([unmet], policy, START, 3, datetime.date(2021, 3, 1))
    assert early.ended is None and "限 2021-04-30 前整改" in early.outcomes[0].label()
    late = standing([met._replace(rectified=datetime.date(2021, 5, 10))], policy, START, 3, today)
    assert late.ended == datetime.date(2021, 4, 30)
    ended = standing([_a(2021, "不合格", "2022-01-10")], policy, START, 3)
    assert ended.outcomes[0].cycle_end and ended.ended == datetime.date(2021, 12, 31)
    assert ended.state() == "不进入下一周期" and ended.ended_how == "cycle"
    assert ended.summary() == "期满考核（2021 年）：不合格（不进入下一周期）"
    passed = standing([_a(2021, "优秀", "2022-01-10")], policy, START, 3)
    assert passed.outcomes[0].cycle_end and passed.ended is None


def test_shenyang_first_failure_cancels_and_county_failure_costs_nothing():
    cancel = standing([_a(2020, "不合格", "2020-12-20")], load_program("shenyang-studio").assessment, START, 3)
    assert cancel.ended == datetime.date(2020, 12, 20)
    county = standing([_a(2020, "不合格", "2020-12-20")], load_program("county-research").assessment, START, 3)
    assert county.ended is None and county.grant_limit(2021)[0] == "full"
    assert county.state() == "不合格"


def test_an_unknown_grade_is_set_aside():
    s = standing([_a(2020, "良", "2021-01-01")], load_program("chifeng").assessment, START, 3)
    assert s.outcomes == [] and [a.grade for a in s.unknown] == ["良"] and s.state() == "未考核"


def test_programs_show_prints_standards_consequences_and_shares():
    from clirun import run

    shown = run("programs", "show", "shenzhen-city").output
    assert "讲课费标准（每学时，税后" in shown and "副高 500.00" in shown and "财行〔2016〕540号" in shown
    assert "适用三类 550.00 元" in shown and "适用四类 550.00 元" in shown
    assert "第 1 次：黄牌警告；第 2 次：取消资格" in shown and "五（一）" in shown
    lvyuan = run("programs", "show", "lvyuan-training").output
    assert "public-budget:）的 5%" in lvyuan and "principal-salaries:）的 2.5%" in lvyuan
    assert "年度考核不合格" not in lvyuan
