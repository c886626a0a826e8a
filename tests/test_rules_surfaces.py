"""The same findings reach bean-check, ``studiofund check --format json`` and Fava's error list."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ledgertext import grant, papers, studio, txn

BIN = Path(sys.executable).parent


def _ledger(tmp_path: Path) -> Path:
    body = grant("2020-01-10", "40000.00") + grant("2020-02-10", "40000.00", "Income:Grant:District")
    body += grant("2020-02-20", "5000.00")  # more than the standard
    body += '2020-01-01 custom "budget" Expenses:Seminars "yearly" 500.00 CNY\n\n'
    body += txn("2020-02-25", "新华书店", "图书", "Expenses:Materials", "60.00", voucher="2020-009",
                approver="李", reviewer="王")
    body += txn("2020-03-01", "某某大酒店", "宴请市督导组", "Expenses:Seminars", "800.00", voucher="2020-001", **papers())
    body += txn("2020-03-02", "某某停车场", "停车费", "Expenses:FieldVisits", "50.00", voucher="2020-002", **papers())
    body += txn("2020-03-03", "张教授", "讲课费", "Expenses:LecturerFees", "900.00", voucher="2020-003")
    body += txn("2020-03-04", "京东", "投影仪", "Expenses:Equipment", "3000.00", voucher="2020-004", invoice="X1")
    body += txn("2020-03-05", "新华书店", "图书", "Expenses:Materials", "100.00", voucher="2020-005",
                **papers(invoice="X1"))
    body += txn("2020-03-06", "京东", "购物卡", "Expenses:OtherCollective", "1000.00", voucher="2020-006", **papers())
    body += txn("2020-03-07", "国家电网", "电费", "Expenses:OtherCollective", "300.00", voucher="2020-007", **papers())
    body += '2020-06-01 custom "studio-disqualified" "考核不合格"\n\n'
    body += txn("2020-07-01", "新华书店", "图书", "Expenses:Materials", "10.00", voucher="2020-008", **papers())
    path = tmp_path / "studio.beancount"
    path.write_text(studio(body), encoding="utf-8")
    return path


def _env():
    return {**os.environ, "BEANCOUNT_DISABLE_LOAD_CACHE": "1"}


def test_same_findings_in_bean_check_check_json_and_fava(tmp_path):
    path = _ledger(tmp_path)

    out = subprocess.run([str(BIN / "studiofund"), "check", "--format", "json", str(path)],
                         capture_output=True, text=True, env=_env())
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    check = sorted((f["lineno"], f["message"]) for f in report["ledgers"][0]["findings"])
    rules = {f["rule"] for f in report["ledgers"][0]["findings"]}
    assert {"three-public", "personal-consumption", "school-operating-cost", "missing-signoff",
            "payee-undocumented", "asset-unregistered", "duplicate-invoice", "missing-invoice",
            "over-budget", "after-disqualification", "allocation-mismatch"} <= rules
    assert report["summary"]["review"] >= 1

    bc = subprocess.run([str(BIN / "bean-check"), str(path)], capture_output=True, text=True, env=_env())
    assert bc.returncode == 1
    prefix = f"{path}:"
    bean = sorted(
        (int(line[len(prefix):].split(":", 1)[0]), line[len(prefix):].split(": ", 1)[1])
        for line in bc.stdout.splitlines() + bc.stderr.splitlines()
        if line.startswith(prefix)
    )
    assert bean == check

    from fava.core import FavaLedger

    fava = sorted((e.source["lineno"], e.message) for e in FavaLedger(str(path)).errors)
    assert fava == check
