"""Small studio ledgers and a users file for the web tests (imported by test_web_*.py)."""

from __future__ import annotations

import base64
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ledgertext import grant, txn

from studiofund.web.users import UserDirectory, new_user

#: Both signatures of the 南山区 studio's payments.
NANSHAN_SIGNED = {"approver": "李梅", "reviewer": "张校长"}

NANSHAN_BODY = (
    """
option "documents" "docs"

2020-01-01 custom "budget" Expenses:Materials "yearly" 3000.00 CNY
2020-01-01 custom "budget" Expenses:Research "yearly" 20000.00 CNY
2020-01-01 custom "budget" Expenses:Conference "yearly" 10000.00 CNY
2020-01-01 custom "budget" Expenses:LecturerFees "yearly" 6000.00 CNY

"""
    + grant("2020-03-01", "40000.00", payer="深圳市教育局", narration="市级拨款", voucher="2020-001")
    + grant("2020-04-01", "30000.00", "Income:Grant:District", "南山区教育局", "区级配套", voucher="2020-002")
    + txn("2020-05-10", "新华书店", "购买班主任工作图书资料", "Expenses:Materials", "4040.00", voucher="2020-003",
          invoice="044001", **NANSHAN_SIGNED)
    + txn("2020-06-20", "海鲜酒楼", "接待检查组宴请", "Expenses:Conference", "2800.00", voucher="2020-004",
          invoice="044002", **NANSHAN_SIGNED)
    + txn("2020-09-12", "课题组", "课题研究调研", "Expenses:Research", "12500.00", voucher="2020-005",
          invoice="044003")
    + txn("2020-11-03", "王教授", "外聘专家讲座课酬", "Expenses:LecturerFees", "4000.00", voucher="2020-006",
          payee_id="4403**********1234", raw_tax_withheld="320.00", **NANSHAN_SIGNED)
    + """2020-05-10 document Expenses:Materials "docs/Expenses/Materials/2020-05-10.invoice.txt"
2020-05-11 document Expenses:Materials "../secret.txt"
"""
)

FUTIAN_BODY = "\n" + grant("2020-03-01", "40000.00", payer="深圳市教育局", narration="市级拨款", voucher="F-001")

PASSWORDS = {
    "nanshan-auditor": "audit-pass-1",
    "city-auditor": "audit-pass-2",
    "nanshan-officer": "officer-pass-1",
    "futian-officer": "officer-pass-2",
}


@dataclass
class Site:
    root: Path
    nanshan: Path
    futian: Path
    users: Path
    secret: Path
    document: Path


def _init(path: Path, name: str, district: str, body: str) -> None:
    cmd = [sys.executable, "-m", "studiofund", "init", str(path), "--program", "shenzhen-district",
           "--name", name, "--host-school", f"{district}实验学校", "--district", district,
           "--start", "2020-01-01"]
    subprocess.run(cmd, check=True, capture_output=True)
    path.write_text(path.read_text(encoding="utf-8") + body, encoding="utf-8")


def make_site(tmp: Path) -> Site:
    """Two studio ledgers (南山区, 福田区), a document, a secret outside, a users file."""
    ledgers = tmp / "ledgers"
    (ledgers / "docs" / "Expenses" / "Materials").mkdir(parents=True)
    document = ledgers / "docs" / "Expenses" / "Materials" / "2020-05-10.invoice.txt"
    document.write_text("发票 044001", encoding="utf-8")
    secret = tmp / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    nanshan = ledgers / "nanshan.beancount"
    futian = ledgers / "futian.beancount"
    _init(nanshan, "南山区李梅名班主任工作室", "南山区", NANSHAN_BODY)
    _init(futian, "福田区陈红名班主任工作室", "福田区", FUTIAN_BODY)
    directory = UserDirectory()
    directory.add(new_user("nanshan-auditor", "auditor", PASSWORDS["nanshan-auditor"], districts=["南山区"]))
    directory.add(new_user("city-auditor", "auditor", PASSWORDS["city-auditor"]))
    directory.add(new_user("nanshan-officer", "officer", PASSWORDS["nanshan-officer"],
                           ledgers=["ledgers/nanshan.beancount"]))
    directory.add(new_user("futian-officer", "officer", PASSWORDS["futian-officer"], districts=["福田区"]))
    users = tmp / "users.toml"
    users.write_text(directory.dumps("toml"), encoding="utf-8")
    return Site(tmp, nanshan, futian, users, secret, document)


def login_form(client, path: str = "/login") -> str:
    """Open the login page and return its CSRF token (the cookie stays in ``client``)."""
    import re

    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, "the login page carries a CSRF token"
    return found.group(1)


def login(client, name: str, password: str | None = None, next_url: str = "/", **extra):
    """Log in through the form, as a browser does (login page first, for its CSRF token)."""
    csrf = login_form(client)
    password = PASSWORDS[name] if password is None else password
    return client.post("/login", data={"username": name, "password": password, "next": next_url,
                                       "csrf": csrf, **extra})


def basic(name: str, password: str | None = None) -> dict[str, str]:
    password = PASSWORDS[name] if password is None else password
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


NANSHAN_SLUG = "南山区李梅名班主任工作室-专项经费"
FUTIAN_SLUG = "福田区陈红名班主任工作室-专项经费"


def test_site_builds(tmp_path):
    site = make_site(tmp_path)
    assert site.nanshan.exists() and site.futian.exists() and site.users.exists()
