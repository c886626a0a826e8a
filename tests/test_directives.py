"""Our custom directives, parsed into typed values with errors (ledger/directives.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from beancount import loader

from studiofund.ledger.directives import (
    Directives, parse_assessments, parse_budgets, parse_disqualifications, parse_seals, parse_studio,
    read_directives, sealed_years)

from ledgertext import studio


def entries_of(text: str) -> list:
    entries, errors, _ = loader.load_string(text)
    return entries


DECLARATION = """\
2020-01-01 custom "studio" "lvyuan-training"
  name: "绿源学校教师培训"
  host-school: "绿源学校"
  district: "某县"
  cycle-start: 2020-01-01
  members: "张三, 李四，王五、赵六"
  host: "李梅"
  public-budget: 2000000.00 CNY
  principal-salaries: 300000
  host-school-tax-id: " 12440300MB2C12345X "
"""


def test_the_declaration_with_its_optional_keys():
    value, errors = parse_studio(entries_of(DECLARATION))
    assert errors == []
    assert value.program == "lvyuan-training" and value.district == "某县"
    assert value.members == ("张三", "李四", "王五", "赵六")
    assert value.host == ("李梅",)
    assert value.public_budget == Decimal("2000000.00")
    assert value.principal_salaries == Decimal("300000")
    assert value.host_school_tax_id == "12440300MB2C12345X"
    assert value.entry.date == datetime.date(2020, 1, 1)


def test_a_declaration_amount_that_is_no_amount_is_an_error():
    text = DECLARATION.replace("public-budget: 2000000.00 CNY", 'public-budget: "两百万"')
    value, errors = parse_studio(entries_of(text))
    assert value.public_budget is None
    [error] = errors
    assert "public-budget" in error.message and error.source["lineno"] == 1


def test_without_a_declaration():
    value, errors = parse_studio(entries_of('2020-01-01 open Assets:Bank:Dedicated CNY\n'))
    assert value is None and "custom \"studio\"" in errors[0].message


def test_seals_and_reopenings_never_guess_a_year():
    text = """\
2021-01-15 custom "studio-sealed" 2020 "sha256:abc"
  entries: 12
2021-03-01 custom "studio-reopened" 2020 "更正凭证"
2022-01-10 custom "studio-sealed" 2021 "sha256:def"
2022-01-11 custom "studio-sealed" "sha256:nope"
2022-01-12 custom "studio-sealed" 2019 "no digest"
"""
    marks, errors = parse_seals(entries_of(text))
    assert [(m.year, m.sealed) for m in marks] == [(2020, True), (2020, False), (2021, True), (2019, True)]
    assert marks[0].digest == "sha256:abc" and marks[0].count == 12
    assert marks[1].reason == "更正凭证"
    assert marks[3].digest is None
    [error] = errors
    assert error.entry.date == datetime.date(2022, 1, 11) and "缺少年度" in error.message
    assert sorted(sealed_years(entries_of(text))) == [2019, 2021]


def test_disqualification():
    text = '2021-09-01 custom "studio-disqualified" " 第二次考核不合格 "\n'
    [value], errors = parse_disqualifications(entries_of(text))
    assert (value.date, value.reason, errors) == (datetime.date(2021, 9, 1), "第二次考核不合格", [])


def test_assessments_and_their_errors():
    text = """\
2021-03-01 custom "assessment" 2020 "良好"
  assessor: "第三方评估机构"
2022-03-01 custom "assessment" 2021 "很好"
2022-03-02 custom "assessment" "合格"
"""
    [value], errors = parse_assessments(entries_of(text))
    assert (value.year, value.grade, value.assessor) == (2020, "良好", "第三方评估机构")
    assert [e.entry.date.day for e in errors] == [1, 2]
    assert all("优秀、良好、合格、不合格" in e.message for e in errors)


def test_budgets_as_fava_reads_them():
    text = """\
2021-01-01 open Expenses:Research CNY
2021-01-01 custom "budget" Expenses:Research "yearly" 8000.00 CNY
2021-01-01 custom "budget" Expenses:Research "fortnightly" 100.00 CNY
2020-01-01 custom "budget" Expenses:Research "yearly" 5000.00 CNY
"""
    budgets, errors = parse_budgets(entries_of(text))
    assert [b.number for b in budgets["Expenses:Research"]] == [Decimal("5000.00"), Decimal("8000.00")]
    [error] = errors
    assert "fortnightly" in error.message


def test_read_directives_reads_them_all_in_one_pass():
    text = studio("""
2021-09-01 custom "studio-disqualified" "考核不合格"
2021-03-01 custom "assessment" 2020 "不合格"
2021-01-15 custom "studio-sealed" 2020 "sha256:abc"
2021-01-01 custom "budget" Expenses:Research "yearly" 8000.00 CNY
2021-01-16 custom "studio-sealed" "oops"
""")
    found = read_directives(entries_of(text))
    assert isinstance(found, Directives)
    assert found.studio.name == "测试工作室" and found.studio_errors == ()
    assert found.disqualification.reason == "考核不合格"
    assert [a.grade for a in found.assessments] == ["不合格"]
    assert list(found.sealed) == [2020]
    assert list(found.budgets) == ["Expenses:Research"]
    assert [e.entry.date for e in found.errors] == [datetime.date(2021, 1, 16)]


def test_an_assessments_rectification_deadline_and_acceptance():
    text = """\
2022-01-20 custom "assessment" 2021 "不合格"
  deadline: 2022-04-30
  rectified: 2022-04-20
2023-01-20 custom "assessment" 2022 "不合格"
  rectified: TRUE
2024-01-20 custom "assessment" 2023 "不合格"
  deadline: "月底"
"""
    values, errors = parse_assessments(entries_of(text))
    assert [(a.deadline, a.rectified) for a in values] == [
        (datetime.date(2022, 4, 30), datetime.date(2022, 4, 20)),
        (None, datetime.date(2023, 1, 20)),  # accepted, no date given: the assessment's own
        (None, None),
    ]
    [error] = errors
    assert "deadline" in error.message and error.entry.date == datetime.date(2024, 1, 20)
