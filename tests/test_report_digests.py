"""The data file's SHA-256 in the run block (SPEC §13.9): a big file's digest is read while the
engine scans it and kept between runs, keyed by what changes whenever the file does."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from directive_dsl import provenance
from directive_dsl.disk_cache import StoredDict


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> StoredDict:
    """A digest cache of its own, and no digest remembered by this process."""
    cache = StoredDict(tmp_path / "cache" / "sha256.pickle", 8)
    monkeypatch.setattr(provenance, "_KNOWN_DIGESTS", cache)
    monkeypatch.setattr(provenance, "_SOON_BYTES", 1024)
    provenance._hash.cache_clear()
    return cache


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written a moment ago count as settled (their change time cannot be set back)."""
    monkeypatch.setattr(provenance, "_SETTLED_NS", -1)


def test_a_big_file_is_hashed_in_the_background_and_its_digest_kept(tmp_path: Path, kept: StoredDict,
                                                                   settled: None) -> None:
    path = tmp_path / "big.parquet"
    path.write_bytes(b"a" * 4096)
    provenance.hash_soon(path.name, tmp_path)
    assert provenance.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    kept._save()
    again = StoredDict(tmp_path / "cache" / "sha256.pickle", 8)
    assert list(again._load().values()) == [hashlib.sha256(path.read_bytes()).hexdigest()]


def test_a_kept_digest_is_used_only_for_the_same_file(tmp_path: Path, kept: StoredDict, settled: None) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * 4096)
    first = provenance.file_sha256(path)
    [key] = kept._load()
    kept.store(key, "the kept digest")
    provenance._hash.cache_clear()
    assert provenance.file_sha256(path) == "the kept digest"  # not read again
    # the same size and modification time, other bytes: the change time differs, so it is read again
    stat = os.stat(path)
    path.write_bytes(b"b" * stat.st_size)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    provenance._hash.cache_clear()
    assert provenance.file_sha256(path) == hashlib.sha256(b"b" * stat.st_size).hexdigest() != first


def test_a_file_written_just_now_is_not_kept(tmp_path: Path, kept: StoredDict) -> None:
    path = tmp_path / "fresh.csv"
    path.write_bytes(b"x" * 4096)
    assert provenance.file_sha256(path) == hashlib.sha256(b"x" * 4096).hexdigest()
    assert kept._load() == {}


def test_a_missing_file_started_in_the_background_has_no_digest(tmp_path: Path, kept: StoredDict) -> None:
    provenance.hash_soon("gone.csv", tmp_path)
    assert provenance.file_sha256(tmp_path / "gone.csv") is None
