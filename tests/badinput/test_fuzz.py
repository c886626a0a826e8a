"""A little fuzzing: random bytes, truncated and corrupted copies of good files, read as each kind
of input the commands take — ledger, bank statement, policy file, users file, e-invoice. Each
reader must answer within the deadline with its result or its own error (a Chinese message), never
another exception; and the ``check`` and ``import`` commands, run as processes on a sample of
them, end with exit status 1 or 2 and no traceback. Seeded: a failure reproduces."""

from __future__ import annotations

import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from deadline import outcome_within  # noqa: E402  (tests/, as for every test)
from runner import Zygote  # noqa: E402
from world import EXAMPLE, FIXTURES  # noqa: E402

from studiofund.importers import StatementError, UnknownBank, read_statements
from studiofund.importers.einvoice import EInvoiceError, read_einvoice
from studiofund.ledger.loading import LedgerInputError, load_ledger
from studiofund.policy import PolicyError, load_policy_file
from studiofund.web.users import UsersFileError, load_users

CJK = re.compile(r"[\u4e00-\u9fff]")
DEADLINE = 60.0
POLICY = Path(__file__).parents[2] / "studiofund" / "policy" / "programs" / "shenzhen-city.toml"
USERS = b'[users."\xe5\xae\xa1\xe8\xae\xa1\xe5\x91\x98"]\nrole = "auditor"\npassword = "scrypt:32768:8:1$abc$def"\n'

#: kind → (a good file's bytes, its suffix, the reader, the errors it may raise)
KINDS = {
    "ledger": (EXAMPLE.read_bytes(), ".beancount", load_ledger, (LedgerInputError,)),
    "statement": ((FIXTURES / "banks" / "icbc_historydetail.csv").read_bytes(), ".csv",
                  lambda p: read_statements([p]), (StatementError, UnknownBank)),
    "statement-xlsx": ((FIXTURES / "banks" / "ccb_two_row.xlsx").read_bytes(), ".xlsx",
                       lambda p: read_statements([p]), (StatementError, UnknownBank)),
    "policy": (POLICY.read_bytes(), ".toml", load_policy_file, (PolicyError,)),
    "users": (USERS, ".toml", load_users, (UsersFileError,)),
    "einvoice": ((FIXTURES / "einvoice" / "blue_catering.xml").read_bytes(), ".xml", read_einvoice, (EInvoiceError,)),
    "einvoice-ofd": ((FIXTURES / "einvoice" / "with_data.ofd").read_bytes(), ".ofd", read_einvoice, (EInvoiceError,)),
}


def variants(good: bytes, seed: int) -> list[tuple[str, bytes]]:
    """Random bytes, truncations and corruptions of ``good``."""
    rng = random.Random(seed)
    out = [("random-short", rng.randbytes(rng.randrange(1, 64))),
           ("random-long", rng.randbytes(rng.randrange(1000, 20000))),
           ("nul", b"\x00" * 100), ("newlines", b"\n" * 1000), ("bom-only", b"\xef\xbb\xbf")]
    for i in range(4):
        out.append((f"truncated-{i}", good[: rng.randrange(1, max(2, len(good)))]))
    for i in range(4):
        data = bytearray(good)
        for _ in range(rng.randrange(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        out.append((f"corrupted-{i}", bytes(data)))
    spliced = bytearray(good)
    cut = rng.randrange(len(good))
    spliced[cut:cut] = rng.randbytes(200)
    out.append(("spliced", bytes(spliced)))
    return out


CASES = [(kind, name, data) for seed, kind in enumerate(KINDS) for name, data in variants(KINDS[kind][0], seed)]


def with_includes(folder: Path) -> None:
    """The bundled policies' shared files beside a fuzzed policy (its include lines name them)."""
    for shared in POLICY.parent.glob("_*.toml"):
        shutil.copy(shared, folder / shared.name)


@pytest.mark.parametrize("kind,name,data", CASES, ids=[f"{k}-{n}" for k, n, _ in CASES])
def test_a_reader_answers_with_its_result_or_its_own_chinese_error(kind, name, data, tmp_path):
    _, suffix, reader, allowed = KINDS[kind]
    with_includes(tmp_path)
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    outcome = outcome_within(DEADLINE, reader, path)
    error = outcome.get("error")
    if error is not None:
        assert isinstance(error, allowed), f"{type(error).__name__}: {error}"
        assert CJK.search(str(error)), str(error)
        assert "Error" not in str(error) and "Traceback" not in str(error), str(error)


@pytest.fixture(scope="module")
def zygote():
    z = Zygote()
    yield z
    z.close()


SAMPLE = [c for c in CASES if c[0] in ("ledger", "statement", "policy")][::2]


@pytest.mark.parametrize("kind,name,data", SAMPLE, ids=[f"{k}-{n}" for k, n, _ in SAMPLE])
def test_the_commands_on_fuzzed_files_end_cleanly(zygote, kind, name, data):
    root = Path(tempfile.mkdtemp(prefix="studiofund-fuzz-"))
    try:
        shutil.copy(EXAMPLE, root / "demo.beancount")
        with_includes(root)
        path = root / f"fuzz{KINDS[kind][1]}"
        path.write_bytes(data)
        args = {"ledger": ["check", path.name], "statement": ["import", path.name, "--ledger", "demo.beancount",
                                                              "--dry-run"],
                "policy": ["programs", "show", "shenzhen-city", "--policy", path.name]}[kind]
        result = zygote.run(args, cwd=root, timeout=DEADLINE, env={"STUDIOFUND_CACHE_DIR": str(root / ".cache"),
                                                                   "STUDIOFUND_DEBUG": ""})
        assert not result.timed_out
        assert "Traceback" not in result.output and "Error:" not in result.output, result.output[-2000:]
        assert result.code in (0, 1, 2), result.output[-2000:]
        if result.code == 2:
            assert CJK.search(result.stderr), result.stderr
    finally:
        shutil.rmtree(root)
