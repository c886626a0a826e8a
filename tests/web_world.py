"""Two districts' ledgers on one server, and the attacks of the web probe (for the web tests).

``make_world(tmp)`` lays out what an administrator serves::

    srv/nanshan/nanshan.beancount      南山区, includes 2020.beancount, documents nanshan.documents/
    srv/futian/futian.beancount        福田区, includes 2021.beancount, documents futian.documents/
    srv/users.toml                     the users file
    outside/secret.txt                 a file of the server that no ledger may reach

Every file of 福田区 and outside holds a marker (``FUTIAN-…``, ``OUTSIDE-SECRET``) that must never
appear in an answer to a 南山区 user. ``hostile=True`` writes into 南山区's ledger every line the
probe used to reach 福田区 or run code (what an officer could once do through Fava's editor).
"""

from __future__ import annotations

import base64
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from functools import lru_cache

from ledgertext import studio

from studiofund.web.users import User, UserDirectory, new_user

PASSWORDS = {
    "nanshan-auditor": "audit-pass-1",
    "nanshan-officer": "officer-pass-1",
    "futian-officer": "officer-pass-2",
    "city-auditor": "audit-pass-2",
    "noexport-auditor": "audit-pass-3",
}
FOREIGN_MARKERS = ("FUTIAN-", "福田", "OUTSIDE-SECRET", "scrypt:")
NANSHAN_TITLE = "南山区测试名师工作室 专项经费"
FUTIAN_TITLE = "福田区测试名师工作室 专项经费"
NANSHAN = "/" + quote("南山区测试名师工作室-专项经费")
FUTIAN = "/" + quote("福田区测试名师工作室-专项经费")

NANSHAN_YEAR = """\
2020-03-01 * "深圳市教育局" "市级拨款"
  voucher: "2020-001"
  Assets:Bank:Dedicated  40000.00 CNY
  Income:Grant:City

2020-05-10 * "新华书店" "购买图书资料"
  voucher: "2020-002"
  invoice: "044001"
  approver: "李梅"
  reviewer: "张校长"
  document: "2020-05-10.invoice.pdf"
  Expenses:Materials  400.00 CNY
  Assets:Bank:Dedicated
"""

FUTIAN_YEAR = """\
2021-03-01 * "深圳市教育局" "FUTIAN-YEAR-SECRET 市级拨款"
  voucher: "F-2021-001"
  Assets:Bank:Dedicated  50000.00 CNY
  Income:Grant:City
"""

FUTIAN_MAIN_BODY = """
2020-04-01 * "福田区教育局" "FUTIAN-MAIN-SECRET 区级配套"
  voucher: "F-2020-001"
  Assets:Bank:Dedicated  30000.00 CNY
  Income:Grant:District
"""

#: Python that leaves a marker file when the server imports or runs it.
EVIL_PY = """\
import pathlib
pathlib.Path({marker!r}).write_text("ran")
__plugins__ = ()
"""

HOSTILE = """
; —— lines of the web probe: reach 福田区 and run code ——
include "../futian/futian.beancount"
include "../futian/2021.beancount"
include "../futian/*.beancount"
include "../../outside/secret.txt"
include "/dev/zero"
include "fifo.beancount"
include "link-to-futian.beancount"
include "../srv/nanshan/../futian/2021.beancount"
option "documents" "../futian/futian.documents"
option "documents" ".."
option "insert_pythonpath" "TRUE"
plugin "evil_plugin"
plugin "beancount.plugins.check_commodity" "__import__('pathlib').Path({marker_eval!r}).write_text('ran')"
2020-01-02 custom "fava-option" "import-config" "nanshan.documents/Expenses/Materials/evil_import.py"
2020-01-02 custom "fava-option" "import-dirs" "../futian/futian.documents"
2020-01-02 custom "fava-option" "default-file" "../futian/futian.beancount"
2020-01-02 custom "fava-option" "collapse-pattern" "(a+)+$"
2020-01-02 custom "fava-option" "default-page" "//evil.example/"
2020-01-02 custom "fava-extension" "evil_ext"
2020-01-02 custom "fava-sidebar-link" "点我" "javascript:alert(1)"
2020-05-11 document Expenses:Materials "../futian/futian.documents/Expenses/Materials/2020-05-11.secret.pdf"
2020-05-12 document Expenses:Materials "../../outside/secret.txt"
2020-05-13 document Expenses:Materials "/etc/passwd"
2020-05-14 document Expenses:Materials "../users.toml"
2020-01-03 query "evil" "CREATE TABLE t (a int) USING 'csv:{outside_secret}'"
2020-01-03 query "bills" "SELECT date, narration, position WHERE account ~ 'Expenses'"
"""


@dataclass
class World:
    root: Path
    nanshan: Path
    futian: Path
    users: Path
    outside_secret: Path
    nanshan_doc: Path
    futian_doc: Path
    futian_year: Path
    markers: dict[str, Path] = field(default_factory=dict)

    def foreign_files(self) -> dict[Path, bytes]:
        """Every file of 福田区 and outside, with its bytes (to show nothing changed)."""
        files = [p for p in (self.root / "srv" / "futian").rglob("*") if p.is_file()]
        files += [self.outside_secret, self.users]
        return {p: p.read_bytes() for p in files}

    def code_ran(self) -> list[str]:
        return [name for name, marker in self.markers.items() if marker.exists()]


def _ledger(stem: str, title: str, district: str, year: str) -> str:
    """A shenzhen-district studio ledger (``ledgertext.studio``) with its title, its documents
    folder ``{stem}.documents``, Fava's document plugin and options, and the include of its year file."""
    options = f'option "title" "{title}"\noption "documents" "{stem}.documents"\n'
    return options + studio(
        'plugin "fava.plugins.link_documents"\n\n'
        '2019-01-01 custom "fava-option" "language" "zh"\n'
        '2019-01-01 custom "fava-extension" "studiofund.web.fava_extension"\n\n'
        f'include "{year}.beancount"\n',
        name=f"{district}测试名师工作室", host_school=f"{district}实验学校", district=district,
        cycle_start="2020-01-01",
        accounts=("Assets:Bank:Dedicated", "Income:Grant:City", "Income:Grant:District", "Expenses:Materials",
                  "Expenses:Research"))


def make_world(tmp: Path, *, hostile: bool = False) -> World:
    srv = tmp / "srv"
    nanshan_dir, futian_dir = srv / "nanshan", srv / "futian"
    outside = tmp / "outside"
    for d in (nanshan_dir, futian_dir, outside):
        d.mkdir(parents=True)
    secret = outside / "secret.txt"
    secret.write_text("OUTSIDE-SECRET 服务器上的私密文件\n", encoding="utf-8")

    nanshan = nanshan_dir / "nanshan.beancount"
    nanshan_doc = nanshan_dir / "nanshan.documents" / "Expenses" / "Materials" / "2020-05-10.invoice.pdf"
    nanshan_doc.parent.mkdir(parents=True)
    nanshan_doc.write_bytes(b"%PDF-1.4 nanshan invoice 044001\n")
    (nanshan_dir / "2020.beancount").write_text(NANSHAN_YEAR, encoding="utf-8")

    futian = futian_dir / "futian.beancount"
    futian.write_text(_ledger("futian", FUTIAN_TITLE, "福田区", "2021") + FUTIAN_MAIN_BODY, encoding="utf-8")
    futian_year = futian_dir / "2021.beancount"
    futian_year.write_text(FUTIAN_YEAR, encoding="utf-8")
    futian_doc = futian_dir / "futian.documents" / "Expenses" / "Materials" / "2020-05-11.secret.pdf"
    futian_doc.parent.mkdir(parents=True)
    futian_doc.write_bytes(b"%PDF-1.4 FUTIAN-SCAN-SECRET\n")

    markers: dict[str, Path] = {}
    text = _ledger("nanshan", NANSHAN_TITLE, "南山区", "2020")
    if hostile:
        for name in ("evil_plugin", "evil_ext", "evil_import", "eval"):
            markers[name] = tmp / f"RAN-{name}"
        (nanshan_dir / "evil_plugin.py").write_text(EVIL_PY.format(marker=str(markers["evil_plugin"])))
        (nanshan_dir / "evil_ext.py").write_text(EVIL_PY.format(marker=str(markers["evil_ext"])))
        (nanshan_doc.parent / "evil_import.py").write_text(EVIL_PY.format(marker=str(markers["evil_import"])))
        os.mkfifo(nanshan_dir / "fifo.beancount")
        (nanshan_dir / "link-to-futian.beancount").symlink_to(futian_year)
        text += HOSTILE.format(marker_eval=str(markers["eval"]), outside_secret=str(secret))
    nanshan.write_text(text, encoding="utf-8")

    directory = UserDirectory()
    directory.add(_user("nanshan-auditor", "auditor", districts=("南山区",)))
    directory.add(_user("nanshan-officer", "officer", districts=("南山区",)))
    directory.add(_user("futian-officer", "officer", districts=("福田区",)))
    directory.add(_user("city-auditor", "auditor"))
    directory.add(_user("noexport-auditor", "auditor", districts=("南山区",), export=False))
    users = srv / "users.toml"
    users.write_text(directory.dumps("toml"), encoding="utf-8")
    return World(tmp, nanshan, futian, users, secret, nanshan_doc, futian_doc, futian_year, markers)


@lru_cache(maxsize=None)
def _user(name: str, role: str, districts: tuple[str, ...] = (), export: bool = True) -> User:
    """A user of :data:`PASSWORDS` (hashed once per test run: scrypt is slow on purpose)."""
    return new_user(name, role, PASSWORDS[name], districts=districts, export=export)


def basic(name: str, password: str | None = None) -> dict[str, str]:
    password = PASSWORDS[name] if password is None else password
    token = base64.b64encode(f"{name}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def login(client, name: str, password: str | None = None, next_url: str = "/"):
    """Log in through the form as a browser does (the login page first, for its CSRF token)."""
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    password = PASSWORDS[name] if password is None else password
    return client.post("/login", data={"username": name, "password": password, "next": next_url, "csrf": csrf})


def leaks(body: bytes | str, markers=FOREIGN_MARKERS) -> list[str]:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return [m for m in markers if m in text]
