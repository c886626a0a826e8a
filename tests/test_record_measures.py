"""`record --hours/--title/--persons/--days`: what the spending standards measure a payment by,
checked before the write, written as CONTRACT.md's metadata, and the over-standard finding of the
ledger-as-it-would-be deciding (error: refused; review: written with the warning)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from studiofund.booking.complete import Completion, complete
from studiofund.booking.measures import Measures
from studiofund.ledger.loading import load_ledger
from studiofund.ledger.writer import append_to_ledger
from pendingtext import pending
from test_record import SIGNED, book, shenyang, shenzhen  # noqa: F401  (the ledgers test_record books on)

PERSON = ("--payee-id", "440301197001011234", "--tax", "auto")


def lecture(ledger: Path, *extra: str, amount="4000.00"):
    return book(ledger, *PERSON, *extra, payee="王教授", narration="班主任专业成长专题讲座讲课费",
                account="LecturerFees", amount=amount, invoice=None)


def booked(ledger: Path, voucher: str):
    [entry] = [e for e in load_ledger(ledger).entries
               if type(e).__name__ == "Transaction" and e.meta.get("voucher") == voucher]
    return entry


# -- written as metadata ------------------------------------------------------------------------------


def test_hours_and_title_are_written_and_a_fee_within_the_cap_passes(shenzhen):
    # 4,000 gross, 640 tax, 3,360 after tax over 4 hours = 840 an hour: within 正高's 1,000
    result, out = lecture(shenzhen, "--hours", "4", "--title", "正高")
    assert result.exit_code == 0, result.output
    assert out["written"] and out["findings"] == [] and out["tax"]["withheld"] == "640.00"
    assert "  hours: 4\n" in out["entry"] and '  title: "正高"\n' in out["entry"]
    entry = booked(shenzhen, out["voucher"])
    assert entry.meta["hours"] == Decimal(4) and entry.meta["title"] == "正高"


def test_a_title_as_people_write_it_is_written_as_the_standards_word(shenzhen):
    result, out = lecture(shenzhen, "--hours", "4", "--title", "教授")
    assert result.exit_code == 0, result.output
    assert booked(shenzhen, out["voucher"]).meta["title"] == "正高"


def test_persons_and_days_are_written_on_a_meeting(shenzhen):
    result, out = book(shenzhen, "--persons", "30", "--days", "2", payee="深圳会展酒店",
                       narration="班主任专题培训会会务费", account="Conference", amount="30000.00")
    assert result.exit_code == 0, result.output
    entry = booked(shenzhen, out["voucher"])
    assert entry.meta["persons"] == Decimal(30) and entry.meta["days"] == Decimal(2)
    assert out["findings"] == []  # 30,000 / 60 person-days = 500: within 550


# -- the over-standard rule decides, as the check would ----------------------------------------------


def test_a_lecture_fee_above_the_titles_cap_is_refused_and_nothing_written(shenzhen):
    before = shenzhen.read_bytes()
    result, out = lecture(shenzhen, "--hours", "4", "--title", "副高")  # 840 an hour > 500
    assert result.exit_code == 1
    assert out["written"] is False
    [finding] = out["findings"]
    assert finding["rule"] == "over-standard" and finding["severity"] == "error"
    assert "每学时 840.00 元" in finding["message"] and "超标 1,360.00 元" in finding["message"]
    assert shenzhen.read_bytes() == before


def test_without_the_hours_the_same_fee_is_refused_only_when_they_are_given(shenzhen):
    # without --hours the rule cannot measure it: a review asking for them, the fee is written
    result, out = lecture(shenzhen, "--title", "副高")
    assert result.exit_code == 0, result.output
    [finding] = out["findings"]
    assert finding["rule"] == "over-standard" and finding["severity"] == "review"
    assert "学时" in finding["message"]


def test_a_training_above_the_daily_cap_is_refused(shenyang):
    before = shenyang.read_bytes()
    result, out = book(shenyang, "--persons", "20", "--days", "1", payee="沈阳培训中心",
                       narration="青年教师培训费", account="Training", amount="12000.00", signed=False)
    assert result.exit_code == 1, result.output  # 600 a person-day > 550
    assert [f["rule"] for f in out["findings"]] == ["over-standard"]
    assert shenyang.read_bytes() == before
    result, out = book(shenyang, "--persons", "20", "--days", "2", payee="沈阳培训中心",
                       narration="青年教师培训费", account="Training", amount="12000.00", signed=False)
    assert result.exit_code == 0 and out["findings"] == []


def test_the_dry_run_shows_the_finding(shenzhen):
    before = shenzhen.read_bytes()
    result, out = lecture(shenzhen, "--hours", "2", "--title", "正高", "--dry-run")
    assert result.exit_code == 1 and out["findings"][0]["rule"] == "over-standard"
    assert shenzhen.read_bytes() == before


# -- bad values: exit 2, a Chinese message, nothing written -------------------------------------------


@pytest.mark.parametrize("extra, words", [
    (("--hours", "四"), "学时“四”不是数字"),
    (("--hours", "0"), "学时应大于 0"),
    (("--hours", "-2"), "学时应大于 0"),
    (("--hours", "1.255"), "最多两位小数"),
    (("--hours", "4000"), "不合理"),
    (("--title", "校长"), "职称“校长”不在本项目的讲课费标准之列"),
])
def test_bad_lecture_measures_are_refused_up_front(shenzhen, extra, words):
    before = shenzhen.read_bytes()
    result, out = lecture(shenzhen, *extra)
    assert result.exit_code == 2 and out is None
    assert words in result.output and "Traceback" not in result.output
    assert shenzhen.read_bytes() == before


@pytest.mark.parametrize("extra, words", [
    (("--persons", "3.5", "--days", "1"), "人数应为整数"),
    (("--persons", "三十", "--days", "1"), "人数“三十”不是数字"),
    (("--persons", "30", "--days", "0"), "天数应大于 0"),
    (("--persons", "30"), "请同时填写人数和天数（缺天数）"),
    (("--days", "2"), "缺人数"),
    (("--persons", "30", "--days", "400"), "不合理"),
])
def test_bad_daily_measures_are_refused_up_front(shenzhen, extra, words):
    before = shenzhen.read_bytes()
    result, _ = book(shenzhen, *extra, payee="深圳会展酒店", narration="班主任专题培训会会务费",
                     account="Conference", amount="3000.00")
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert shenzhen.read_bytes() == before


def test_hours_on_a_category_that_is_no_lecture_fee_are_refused(shenzhen):
    before = shenzhen.read_bytes()
    result, _ = book(shenzhen, "--hours", "3")
    assert result.exit_code == 2 and "学时和职称只记在讲课费上" in result.output
    assert shenzhen.read_bytes() == before


def test_units_and_full_width_digits_are_read(shenzhen):
    result, out = lecture(shenzhen, "--hours", "４学时", "--title", "正高级教师")
    assert result.exit_code == 0, result.output
    entry = booked(shenzhen, out["voucher"])
    assert entry.meta["hours"] == Decimal(4) and entry.meta["title"] == "正高"


# -- completing a pending entry ---------------------------------------------------------------------------


def test_a_completed_pending_lecture_fee_carries_its_measures(shenzhen):
    append_to_ledger(shenzhen, pending("2021-04-02", "王教授", "转账支出", "SZ20210402000001", "3360.00",
                                       opened="2021-01-01"))
    too_much = Completion(ref="SZ20210402000001", account="LecturerFees", payee_id="440301197001011234",
                          tax="auto", approver="李梅", reviewer="王建国", measures=Measures(hours="4", title="副高"))
    result = complete(shenzhen, too_much)
    assert not result.completed and any(f.rule == "over-standard" for f in result.findings)
    within = Completion(ref="SZ20210402000001", account="LecturerFees", payee_id="440301197001011234",
                        tax="auto", approver="李梅", reviewer="王建国", measures=Measures(hours="4", title="正高"))
    result = complete(shenzhen, within)
    assert result.completed, [f.message for f in result.findings]
    entry = booked(shenzhen, result.voucher)
    assert entry.flag == "*" and entry.meta["hours"] == Decimal(4) and entry.meta["title"] == "正高"


def test_the_cli_passes_the_measures_to_a_completion(shenzhen):
    append_to_ledger(shenzhen, pending("2021-04-02", "深圳会展酒店", "转账支出", "SZ20210402000002", "40000.00",
                                       opened="2021-01-01"))
    from test_record import record
    result, out = record(shenzhen, "--complete", "SZ20210402000002", "--account", "会务费", "--invoice",
                         "24442000000000000099", *SIGNED, "--persons", "30", "--days", "2")
    assert result.exit_code == 1  # 40,000 / 60 = 666.67 a person-day > 550: stays pending
    assert any(f["rule"] == "over-standard" for f in out["findings"])
