"""Writing ledgers: atomic, validated by reloading, nothing left behind on refusal."""

from __future__ import annotations

import os

import pytest

from studiofund.ledger.writer import LedgerWriteError, LockedFile, rewrite_ledger

LEDGER = """\
option "operating_currency" "CNY"
plugin "studiofund.plugin"
2021-01-01 custom "studio" "shenzhen-city"
  name: "测试工作室"
  host-school: "测试学校"
  district: "福田区"
2021-01-01 open Assets:Bank:Dedicated CNY
2021-01-01 open Income:Grant:City CNY
"""

def files(directory):
    """The files of ``directory`` but the writer's lock file (which stays, empty, by design)."""
    return sorted(p.name for p in directory.iterdir() if not p.name.endswith(".lock"))


GRANT = """
2021-01-05 * "深圳市教育局" "市级工作室经费"
  voucher: "2021-001"
  Assets:Bank:Dedicated  80000.00 CNY
  Income:Grant:City
"""


def test_rewrite_ledger_replaces_when_the_result_loads(tmp_path):
    path = tmp_path / "s.beancount"
    path.write_text(LEDGER, encoding="utf-8")
    os.chmod(path, 0o640)
    rewrite_ledger(path, LEDGER + GRANT)
    assert path.read_text(encoding="utf-8") == LEDGER + GRANT
    assert path.stat().st_mode & 0o777 == 0o640
    assert files(tmp_path) == ["s.beancount"]


@pytest.mark.parametrize("addition, words", [
    ("\n2021-02-01 * broken {{{\n", "无法正确加载"),
    ("\n2021-02-01 balance Assets:Bank:Dedicated 5.00 CNY\n", "无法正确加载"),
    ("\n2021-02-01 * \"x\" \"y\"\n  Assets:Bank:Dedicated 1.00 CNY\n  Expenses:Unopened\n", "无法正确加载"),
])
def test_rewrite_ledger_refuses_a_result_that_no_longer_loads(tmp_path, addition, words):
    path = tmp_path / "s.beancount"
    path.write_text(LEDGER + GRANT, encoding="utf-8")
    with pytest.raises(LedgerWriteError, match=words):
        rewrite_ledger(path, LEDGER + GRANT + addition)
    assert path.read_text(encoding="utf-8") == LEDGER + GRANT
    assert files(tmp_path) == ["s.beancount"]


def test_rewrite_ledger_tolerates_errors_the_old_file_already_had(tmp_path):
    old = LEDGER + GRANT + "\n2021-02-01 balance Assets:Bank:Dedicated 5.00 CNY\n"
    path = tmp_path / "s.beancount"
    path.write_text(old, encoding="utf-8")
    rewrite_ledger(path, old + "\n; 备注\n")
    assert path.read_text(encoding="utf-8").endswith("; 备注\n")


def test_a_locked_file_crash_before_rename_leaves_old_file(tmp_path, monkeypatch):
    path = tmp_path / "s.beancount"
    path.write_text("old", encoding="utf-8")

    def crash(*_):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(LedgerWriteError, match="写入失败"):
        with LockedFile(path) as f:
            f.replace("new")
    assert path.read_text(encoding="utf-8") == "old"
    assert files(tmp_path) == ["s.beancount"]
