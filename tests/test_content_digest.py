"""Content digests (the caches' fingerprints): a file's digest is kept while the file is not
written to, and any write — even one that keeps its size and puts its time back — is seen."""

from __future__ import annotations

import os

from studiofund import files


def test_a_settled_file_is_hashed_once_and_a_rewrite_is_seen(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "RACY_NS", 0)  # every file counts as settled
    path = tmp_path / "policy.toml"
    path.write_text("cap = 100\n", encoding="utf-8")
    first = files.content_digest([str(path)], "salt")
    hashed = []
    real_blake2b = files.hashlib.blake2b
    monkeypatch.setattr(files.hashlib, "blake2b", lambda *a, **k: hashed.append(a) or real_blake2b(*a, **k))
    assert files.content_digest([str(path)], "salt") == first
    assert not hashed  # the file's content was not hashed again
    before = os.stat(path)
    path.write_text("cap = 900\n", encoding="utf-8")  # same size, time put back
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert files.content_digest([str(path)], "salt") != first


def test_a_file_just_written_is_hashed_every_time(tmp_path, monkeypatch):
    path = tmp_path / "ledger.beancount"
    path.write_text("; one\n", encoding="utf-8")
    files.content_digest([str(path)], "salt")
    hashed = []
    real_blake2b = files.hashlib.blake2b
    monkeypatch.setattr(files.hashlib, "blake2b", lambda *a, **k: hashed.append(a) or real_blake2b(*a, **k))
    files.content_digest([str(path)], "salt")
    assert len(hashed) == 1  # changed within RACY_NS: not kept
