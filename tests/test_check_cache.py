"""The check-result cache: an unchanged ledger is not loaded again; any change to what its
findings rest on (the ledger, an include, its policy file, our code) is a miss."""

from __future__ import annotations

import datetime
import json
import pickle

import pytest

from studiofund import files
from studiofund.checks import cache, report
from studiofund.checks.report import check_ledger
from studiofund.ledger.findings import Finding, from_kept, kept

from clirun import run
from ledgertext import BUREAU_POLICY, grant, papers, studio, txn


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))


def write(path, body, **kw):
    path.write_text(studio(body, **kw), encoding="utf-8")
    return path


BODY = grant("2021-01-05", "40000.00") + txn("2021-03-01", "某书店", "图书", "Expenses:Materials", "100.00",
                                               voucher="2021-002")


def test_a_second_check_of_an_unchanged_ledger_does_not_load_it(tmp_path, monkeypatch):
    ledger = write(tmp_path / "s.beancount", BODY)
    first = check_ledger(ledger)
    monkeypatch.setattr(files, "RACY_NS", 0)  # the file was written just now: trust its time
    monkeypatch.setattr(report, "load_ledger", lambda path: pytest.fail("loaded again"))
    again = check_ledger(ledger)
    assert [f.to_json() for f in again.findings] == [f.to_json() for f in first.findings]
    assert {f.rule for f in again.findings} >= {"missing-invoice", "missing-signoff"}
    assert (again.title, again.unreadable) == (first.title, first.unreadable)


def test_a_same_size_change_written_just_after_the_check_is_seen(tmp_path):
    ledger = write(tmp_path / "s.beancount", BODY)
    assert any(f.rule == "missing-invoice" for f in check_ledger(ledger).findings)
    text = ledger.read_text(encoding="utf-8")
    # the same number of bytes, the papers now complete: likely the same modification time too
    fixed = text.replace('  voucher: "2021-002"\n', '  voucher: "2021-002"\n  invoice: "12345678"\n'
                         '  approver: "李梅"\n  reviewer: "王校长"\n')
    ledger.write_text(fixed, encoding="utf-8")
    assert not any(f.rule == "missing-invoice" for f in check_ledger(ledger).findings)


def test_a_changed_include_is_a_miss(tmp_path):
    year = tmp_path / "2021.beancount"
    year.write_text(BODY, encoding="utf-8")
    ledger = write(tmp_path / "s.beancount", 'include "2021.beancount"\n')
    assert any(f.rule == "missing-invoice" for f in check_ledger(ledger).findings)
    year.write_text(grant("2021-01-05", "40000.00") + txn(
        "2021-03-01", "某书店", "图书", "Expenses:Materials", "100.00", voucher="2021-002", **papers()),
        encoding="utf-8")
    assert not any(f.rule == "missing-invoice" for f in check_ledger(ledger).findings)


def test_a_changed_policy_file_is_a_miss(tmp_path):
    policy = tmp_path / "bureau.toml"
    policy.write_text(BUREAU_POLICY, encoding="utf-8")
    body = (grant("2021-01-05", "30000.00")
            + txn("2021-03-01", "某书店", "图书", "Expenses:Research", "100.00", **papers()))
    text = studio(body, program="my-bureau").replace('  district: "南山区"', '  district: "南山区"\n  policy: "bureau.toml"')
    ledger = tmp_path / "s.beancount"
    ledger.write_text(text, encoding="utf-8")
    assert not [f for f in check_ledger(ledger).findings if f.rule == "category-not-permitted"]
    policy.write_text(BUREAU_POLICY.replace("Expenses:Research", "Expenses:Materials"), encoding="utf-8")
    assert [f for f in check_ledger(ledger).findings if f.rule == "category-not-permitted"]


def test_other_code_is_a_miss(tmp_path, monkeypatch):
    ledger = write(tmp_path / "s.beancount", BODY)
    check_ledger(ledger)
    assert cache.lookup(ledger) is not None
    monkeypatch.setattr(files, "code_digest", lambda *a, **k: "other code")
    assert cache.lookup(ledger) is None


def test_a_broken_entry_is_a_miss(tmp_path):
    ledger = write(tmp_path / "s.beancount", BODY)
    check_ledger(ledger)
    for entry in files.user_cache_dir("check").glob("*.pickle"):
        entry.write_text("{not a pickle", encoding="utf-8")
    assert cache.lookup(ledger) is None
    assert check_ledger(ledger).findings


def test_no_cache_loads_and_stores_nothing(tmp_path):
    ledger = write(tmp_path / "s.beancount", BODY)
    result = run("check", "--no-cache", ledger)
    assert result.exit_code == 1 and "missing-invoice" in result.output
    assert not (tmp_path / "cache" / "check").exists()
    run("check", ledger)
    assert len(list((tmp_path / "cache" / "check").glob("*.pickle"))) == 1


def test_the_year_filter_applies_to_a_cached_result(tmp_path):
    body = BODY + txn("2022-03-01", "某书店", "图书", "Expenses:Materials", "100.00", voucher="2022-001")
    ledger = write(tmp_path / "s.beancount", body)
    every = check_ledger(ledger)
    assert {f.date.year for f in every.findings if f.rule == "missing-invoice"} == {2021, 2022}
    only = check_ledger(ledger, 2022)
    assert {f.date.year for f in only.findings if f.rule == "missing-invoice"} == {2022}


def test_a_finding_survives_the_round_trip_through_json():
    finding = Finding({"filename": "a.beancount", "lineno": 12, "other": 1}, "【违规·x】消息", object(),
                      "missing-invoice", "error", "2021-001", datetime.date(2021, 3, 1), ("图书",))
    finding = finding.rectify(("2021-009",))
    back = Finding.from_json(json.loads(json.dumps(finding.to_json())))
    assert back.to_json() == finding.to_json()
    # every field of a finding is in its JSON, or the cache would lose it
    assert set(Finding._fields) - {"source", "entry"} <= set(finding.to_json())


@pytest.mark.parametrize("rectified", [False, True])
def test_a_kept_finding_is_the_finding_its_json_gives_back(rectified):
    """The cache keeps a finding as a tuple of its fields (kept), read back as the JSON form
    would be: every field but the entry, the source as its file and line."""
    finding = Finding({"filename": "a.beancount", "lineno": 12, "other": 1}, "【违规·x】消息", object(),
                      "missing-invoice", "error", "2021-001", datetime.date(2021, 3, 1), ("图书",))
    if rectified:
        finding = finding.rectify(("2021-009",))
    back = from_kept(pickle.loads(pickle.dumps(kept(finding))))
    assert back == Finding.from_json(json.loads(json.dumps(finding.to_json())))
    assert back.to_json() == finding.to_json()


def test_a_settled_ledger_is_kept_without_a_digest_and_any_rewrite_is_seen(tmp_path, monkeypatch):
    """A ledger last changed well before its result was kept is trusted by its size, times,
    inode and device alone: nothing is digested then, and a later same-size edit that puts the
    modification time back is still seen (its change time moved)."""
    import os

    monkeypatch.setattr(files, "RACY_NS", 0)  # every file written before the check counts as settled
    ledger = write(tmp_path / "s.beancount", BODY)
    digested = []
    real_digest = files.content_digest
    monkeypatch.setattr(files, "content_digest", lambda *a: digested.append(a) or real_digest(*a))
    assert any(f.rule == "missing-invoice" for f in check_ledger(ledger).findings)
    assert cache.lookup(ledger) is not None and digested == []
    before = os.stat(ledger)
    text = ledger.read_text(encoding="utf-8")
    fixed = text.replace('  voucher: "2021-002"\n', '  voucher: "2021-002"\n  invoice: "12345678"\n'
                         '  approver: "李梅"\n  reviewer: "王校长"\n')
    ledger.write_text(fixed, encoding="utf-8")
    os.utime(ledger, ns=(before.st_atime_ns, before.st_mtime_ns))  # the time put back
    assert cache.lookup(ledger) is None
    assert not any(f.rule == "missing-invoice" for f in check_ledger(ledger).findings)


def test_a_result_kept_with_another_salt_is_a_miss(tmp_path, monkeypatch):
    """The salt (the year, Beancount's version) counts even where the files are unchanged."""
    monkeypatch.setattr(files, "RACY_NS", 0)
    ledger = write(tmp_path / "s.beancount", BODY)
    check_ledger(ledger)
    assert cache.lookup(ledger) is not None
    monkeypatch.setattr(cache, "_salt", lambda: "check:another year")
    assert cache.lookup(ledger) is None
