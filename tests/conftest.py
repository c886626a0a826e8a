"""Shared fixtures: a studio ledger file from text (built by ledgertext.py); the caches of the run."""

from __future__ import annotations

import os
import tempfile

import pytest

from ledgertext import write


def pytest_configure(config):
    # the run's caches (policies, check results) in a directory of its own, not the user's
    os.environ["STUDIOFUND_CACHE_DIR"] = tempfile.mkdtemp(prefix="studiofund-test-cache-")
    # an unexpected exception in a command run in-process reaches the test (as with --debug)
    # instead of becoming the top-level handler's message; tests/badinput runs without it
    os.environ["STUDIOFUND_DEBUG"] = "1"


@pytest.fixture
def write_ledger(tmp_path):
    """write_ledger(body, program=...) → the path of a studio ledger (declared 2021-01-01, cycle
    from 2019) whose body, opening its own accounts, is ``body``."""

    def write_file(body: str, program: str = "shenzhen-district", name: str = "studio.beancount"):
        return write(tmp_path / name, body, program=program, name="测试名班主任工作室", host_school="测试学校",
                     cycle_start="2019-01-01", declared="2021-01-01", accounts=())

    return write_file
