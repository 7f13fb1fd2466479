"""Parsed SQL templates survive between processes, and a broken cache is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from directive_dsl.engines.sql_cache import TemplateCache


def test_templates_are_kept_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    first = TemplateCache()
    tree = sqlglot.parse_one("CASE WHEN :v IS NULL THEN 1 END", read="duckdb")
    first.store("CASE WHEN :v IS NULL THEN 1 END", tree)
    first._save()
    second = TemplateCache()
    assert second.get("CASE WHEN :v IS NULL THEN 1 END") == tree


def test_a_broken_cache_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = TemplateCache()
    assert cache._file is not None
    cache._file.parent.mkdir(parents=True)
    cache._file.write_bytes(b"not a pickle")
    assert TemplateCache().get("SELECT 1") is None
