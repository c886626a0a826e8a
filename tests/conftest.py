"""Shared fixtures: a helper to write a studio ledger from text; the caches of the run."""

from __future__ import annotations

import os
import tempfile
import textwrap

import pytest


def pytest_configure(config):
    # the run's caches (policies, check results) in a directory of its own, not the user's
    os.environ["STUDIOFUND_CACHE_DIR"] = tempfile.mkdtemp(prefix="studiofund-test-cache-")

HEADER = """\
option "operating_currency" "CNY"
plugin "studiofund.plugin"

2021-01-01 custom "studio" "{program}"
  name: "测试名班主任工作室"
  host-school: "测试学校"
  district: "南山区"
  cycle-start: 2019-01-01
"""


@pytest.fixture
def write_ledger(tmp_path):
    """write_ledger(body, program=...) → path of a studio ledger whose body is ``body``."""

    def write(body: str, program: str = "shenzhen-district", name: str = "studio.beancount",
              header: bool = True):
        path = tmp_path / name
        text = (HEADER.format(program=program) if header else "") + textwrap.dedent(body)
        path.write_text(text, encoding="utf-8")
        return path

    return write
