"""over-standard: lecture fees per 学时 by title after tax, training and meeting per person-day,
against the caps of the policy's [standards] — each over-cap case with its correct twin."""

from __future__ import annotations

from ledgertext import brief, findings, grant, papers, studio, txn

RULE = "over-standard"


def lecture(date, voucher, amount, tax=None, **meta):
    meta.setdefault("payee_id", "4403**********1234")
    if tax is not None:
        meta["raw_tax_withheld"] = f"{tax} CNY"
    for key in ("hours", "persons", "days"):
        if key in meta:
            meta[f"raw_{key}"] = meta.pop(key)
    return txn(date, "张教授", "专题讲座讲课费", "Expenses:LecturerFees", amount, voucher=voucher, **meta)


def ledger(body, program="shenzhen-district"):
    return studio(grant("2021-01-05", "80000.00") + body, program=program)


def errors_then_message(text: str, errors: list[tuple[str, str]], voucher: str) -> str:
    """Asserts that the rule's findings are exactly errors at ``errors`` (date, voucher); returns
    the message of ``voucher``'s."""
    assert brief(text, RULE) == [(date, number, "error") for date, number in errors]
    return next(f.message for f in findings(text, RULE) if f.voucher == voucher)


def test_lecture_fee_per_hour_after_tax_by_title():
    text = ledger(
        # 副高 500: (2000 − 240) / 4 = 440 ✓; (2500 − 340) / 4 = 540 ✗
        lecture("2021-03-01", "2021-101", "2000.00", "240.00", hours="4", title="副高")
        + lecture("2021-03-02", "2021-102", "2500.00", "340.00", hours="4", title="副高")
        # 正高 1000 (教授): (2500 − 340) / 3 = 720 ✓; / 2 = 1080 ✗
        + lecture("2021-03-03", "2021-103", "2500.00", "340.00", hours="3", title="教授")
        + lecture("2021-03-04", "2021-104", "2500.00", "340.00", hours="2", title="教授")
        # 中级 300: 600 / 2 ✓; 800 / 2 ✗
        + lecture("2021-03-05", "2021-105", "600.00", "0.00", hours="2", title="中级")
        + lecture("2021-03-06", "2021-106", "800.00", "0.00", hours="2", title="中级")
        # 院士 1500: (8000 − 1280) / 5 = 1344 ✓; (8000 − 1280) / 4 = 1680 ✗
        + lecture("2021-03-07", "2021-107", "8000.00", "1280.00", hours="5", title="院士")
        + lecture("2021-03-08", "2021-108", "8000.00", "1280.00", hours="4", title="院士")
    )
    over = [("2021-03-02", "2021-102"), ("2021-03-04", "2021-104"), ("2021-03-06", "2021-106"), ("2021-03-08", "2021-108")]
    message = errors_then_message(text, over, "2021-102")
    assert "每学时 540.00 元" in message and "副高" in message and "超标 160.00 元" in message
    assert "财行〔2016〕540号" in message


def test_the_cap_is_after_tax():
    """1,050 for 2 学时 of a 副高 is 525 before tax but 500 after the 50 withheld: within the cap;
    without a recorded tax the formula's tax is deducted."""
    text = ledger(
        lecture("2021-04-01", "2021-201", "1050.00", "50.00", hours="2", title="副高")
        + lecture("2021-04-02", "2021-202", "1050.00", hours="2", title="副高")
        + lecture("2021-04-03", "2021-203", "1100.00", "60.00", hours="2", title="副高")
    )
    assert brief(text, RULE) == [("2021-04-03", "2021-203", "error")]


def test_missing_hours_or_title_is_a_review_only_above_what_any_title_allows():
    text = ledger(
        lecture("2021-05-01", "2021-301", "300.00", "0.00")  # ≤ the lowest cap for one 学时
        + lecture("2021-05-02", "2021-302", "2000.00", "240.00")  # neither
        + lecture("2021-05-03", "2021-303", "900.00", "20.00", title="正高")  # 880 ≤ 1,000 for one 学时
        + lecture("2021-05-04", "2021-304", "1500.00", "140.00", title="正高")  # could exceed: hours?
        + lecture("2021-05-05", "2021-305", "1200.00", "80.00", hours="4")  # 280 ≤ 300 whatever the title
        + lecture("2021-05-06", "2021-306", "2000.00", "240.00", hours="4")  # 440 > 300: title?
        + lecture("2021-05-07", "2021-307", "2000.00", "240.00", hours="4", title="资深专家")  # unknown
        + lecture("2021-05-08", "2021-308", "2000.00", "240.00", reviewed="已核实：4 学时，正高")
    )
    assert brief(text, RULE) == [
        ("2021-05-02", "2021-302", "review"),
        ("2021-05-04", "2021-304", "review"),
        ("2021-05-06", "2021-306", "review"),
        ("2021-05-07", "2021-307", "review"),
    ]
    by_voucher = {f.voucher: f.message for f in findings(text, RULE)}
    assert "未记学时 hours:和职称 title:" in by_voucher["2021-302"]
    assert "未记学时 hours:" in by_voucher["2021-304"] and "title:" not in by_voucher["2021-304"].split("。")[0]
    assert "未记职称 title:" in by_voucher["2021-306"]
    assert "“资深专家”不在讲课费标准之列" in by_voucher["2021-307"]


def test_several_lecturers_in_one_voucher_each_against_their_own_title():
    text = ledger("""
2021-06-01 * "讲课费" "两位专家讲课费"
  voucher: "2021-401"
  payee-id: "见附表"
  Expenses:LecturerFees  2000.00 CNY
    tax-withheld: 240.00 CNY
    hours: 2
    title: "正高"
  Expenses:LecturerFees  2000.00 CNY
    tax-withheld: 240.00 CNY
    hours: 2
    title: "副高"
  Assets:Bank:Dedicated
""")
    (finding,) = findings(text, RULE)
    assert finding.voucher == "2021-401" and "副高" in finding.message and "880.00" in finding.message


def person_days(date, voucher, account, amount, persons, days):
    return txn(date, "某某酒店", "研修活动", account, amount, voucher=voucher,
               raw_persons=persons, raw_days=days, **papers())


def test_training_and_meetings_per_person_day():
    text = studio(
        grant("2021-01-05", "200000.00")
        # training (三类 550): 30 × 2 = 60 person-days
        + person_days("2021-07-01", "2021-501", "Expenses:Training", "30000.00", "30", "2")  # 500 ✓
        + person_days("2021-07-02", "2021-502", "Expenses:Training", "36000.00", "30", "2")  # 600 ✗
        + person_days("2021-07-03", "2021-503", "Expenses:BoardLodging", "33000.00", "30", "2")  # 550 ✓
        + person_days("2021-07-04", "2021-504", "Expenses:BoardLodging", "33060.00", "30", "2")  # 551 ✗
        # meetings (四类 550)
        + person_days("2021-07-05", "2021-505", "Expenses:Conference", "25000.00", "50", "1")  # 500 ✓
        + person_days("2021-07-06", "2021-506", "Expenses:Conference", "30000.00", "50", "1")  # 600 ✗
        # no persons/days: not measured
        + txn("2021-07-07", "某某酒店", "研修活动", "Expenses:Training", "90000.00", voucher="2021-507", **papers()),
        program="shenyang-studio",
    )
    message = errors_then_message(text, [("2021-07-02", "2021-502"), ("2021-07-04", "2021-504"), ("2021-07-06", "2021-506")],
                                  "2021-502")
    assert "30 人 × 2 天 = 60 人天" in message and "每人每天 600.00 元" in message and "三类" in message
    assert "超标 3,000.00 元" in message


def test_a_bureau_cap_replaces_the_national_one(tmp_path):
    from studiofund.policy import PROGRAMS_DIR

    policy = tmp_path / "bureau.toml"
    policy.write_text(
        f'include = ["{(PROGRAMS_DIR / "shenzhen-district.toml").as_posix()}"]\n'
        '[standards.lecture.caps]\n"副高" = "600.00"\n', encoding="utf-8")
    body = lecture("2021-03-02", "2021-102", "2500.00", "340.00", hours="4", title="副高")  # 540
    national = ledger(body)
    assert brief(national, RULE) == [("2021-03-02", "2021-102", "error")]
    own = national.replace('  district: "南山区"\n', f'  district: "南山区"\n  policy: "{policy.as_posix()}"\n', 1)
    assert brief(own, RULE) == []


def test_counts_and_titles_as_people_write_them():
    text = ledger(
        # "4学时" and 高级 (高级教师, 副高): (2500 − 340) / 4 = 540 > 500
        lecture("2021-08-01", "2021-601", "2500.00", "340.00", title="高级", raw_hours='"4学时"')
        + lecture("2021-08-02", "2021-602", "2000.00", "240.00", title="高级", raw_hours='"4 学时"')
        + txn("2021-08-03", "某某酒店", "研修活动", "Expenses:Conference", "30000.00", voucher="2021-603",
              raw_persons='"50人"', raw_days='"1天"', **papers())
    )
    assert brief(text, RULE) == [("2021-08-01", "2021-601", "error"), ("2021-08-03", "2021-603", "error")]
