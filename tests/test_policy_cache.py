"""The validated-policy cache: a hit skips validation (and pydantic); any change is a miss."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledgertext import BUREAU_POLICY

from studiofund.policy import cache, load_policy_file

BUREAU = BUREAU_POLICY.replace("include = []", 'include = ["shared.toml"]')


def write_policy(tmp_path, threshold="1000.00"):
    (tmp_path / "shared.toml").write_text(f'asset_threshold = "{threshold}"\n', encoding="utf-8")
    path = tmp_path / "bureau.toml"
    path.write_text(BUREAU, encoding="utf-8")
    return path


def test_hit_returns_the_same_policy_and_an_include_change_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    path = write_policy(tmp_path)
    assert cache.lookup(path) is None
    first = load_policy_file(path)
    assert cache.lookup(path) == (first, [tmp_path / "shared.toml"])
    write_policy(tmp_path, threshold="2000.00")
    assert cache.lookup(path) is None
    # the process that loaded it sees the changed include too (a long-running `serve`)
    assert str(load_policy_file(path).asset_threshold) == "2000.00"


def test_a_cache_hit_does_not_import_pydantic(tmp_path):
    env = dict(os.environ, STUDIOFUND_CACHE_DIR=str(tmp_path / "cache"))
    code = ("import sys; from studiofund.policy import load_program; "
            "p = load_program('shenzhen-city'); print(p.allocation.city, 'pydantic' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout.split() for _ in range(2)]
    assert runs == [["80000.00", "True"], ["80000.00", "False"]]


def test_a_broken_cache_entry_is_a_miss(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    path = write_policy(tmp_path)
    load_policy_file(path)
    for entry in (tmp_path / "cache" / "policy").iterdir():
        entry.write_bytes(b"not a pickle")
    assert cache.lookup(path) is None


def test_the_code_digest_covers_every_module_it_finds(tmp_path):
    from studiofund import files

    (tmp_path / "models.py").write_text("x = 1\n", encoding="utf-8")
    first = files.code_digest(tmp_path, (".py",))
    (tmp_path / "standards.py").write_text("y = 2\n", encoding="utf-8")  # a new module: no list to update
    files.code_digest.cache_clear()
    second = files.code_digest(tmp_path, (".py",))
    (tmp_path / "models.py").write_text("x = 3\n", encoding="utf-8")
    files.code_digest.cache_clear()
    assert len({first, second, files.code_digest(tmp_path, (".py",))}) == 3


def test_the_code_digest_is_kept_while_the_files_keep_their_sizes_and_times(tmp_path, monkeypatch):
    """The digest is read back from the cache directory, not recomputed, while every file has
    the size and time it had; a changed or new file is hashed again, and a file written just
    before the digest was kept is not trusted by its time (as the caches treat it)."""
    from studiofund import files

    code = tmp_path / "code"
    code.mkdir()
    module = code / "models.py"
    module.write_text("x = 1\n", encoding="utf-8")
    old = time.time() - 3600
    os.utime(module, (old, old))
    first = files.code_digest.__wrapped__(code, (".py",))

    def unread(self):
        raise AssertionError(f"{self} read again")

    with monkeypatch.context() as patched:
        patched.setattr(Path, "read_bytes", unread)
        assert files.code_digest.__wrapped__(code, (".py",)) == first  # kept: nothing read

    module.write_text("x = 33\n", encoding="utf-8")  # changed: hashed again
    second = files.code_digest.__wrapped__(code, (".py",))
    assert second != first
    with monkeypatch.context() as patched:  # written just now: its time proves nothing yet
        patched.setattr(Path, "read_bytes", unread)
        with pytest.raises(AssertionError, match="read again"):
            files.code_digest.__wrapped__(code, (".py",))
    (code / "standards.py").write_text("y = 2\n", encoding="utf-8")  # a new module
    assert files.code_digest.__wrapped__(code, (".py",)) not in (first, second)


def test_an_entry_is_keyed_on_the_code_of_the_whole_policy_package(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIOFUND_CACHE_DIR", str(tmp_path / "cache"))
    path = write_policy(tmp_path)
    load_policy_file(path)
    assert cache.lookup(path) is not None
    seen = []
    monkeypatch.setattr(cache, "code_digest", lambda root, suffixes: seen.append((root, suffixes)) or "other")
    assert cache.lookup(path) is None
    assert seen == [(cache.POLICY_DIR, (".py",))]
