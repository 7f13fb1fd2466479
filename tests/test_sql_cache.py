"""Parsed SQL templates survive between processes, and a broken cache is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot

from directive_dsl.engines.sql.cache import TemplateCache


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


def test_rendered_statements_are_kept_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from directive_dsl.engines.sql import cache as sql_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(sql_cache, "_RENDERED", sql_cache.DiskCache("duckdb", 2))
    monkeypatch.setattr(sql_cache, "_stored", [0])
    tree = sqlglot.parse_one("SELECT TRY_CAST(x AS DOUBLE) FROM t WHERE y = 'it''s'", read="duckdb")
    text = sql_cache.duckdb_sql(tree)
    assert text == tree.sql("duckdb")
    sql_cache._RENDERED._save()
    again = sql_cache.DiskCache("duckdb", 2)
    assert list(again._load().values()) == [text]
    other = sqlglot.parse_one("SELECT TRY_CAST(x AS DOUBLE) FROM t WHERE y = 'its'", read="duckdb")
    assert sql_cache.duckdb_sql(other) == other.sql("duckdb")  # another tree, another key
    for n in range(3):  # the oldest entries make way
        sql_cache.duckdb_sql(sqlglot.parse_one(f"SELECT {n}"))
    assert len(sql_cache._RENDERED._load()) == 2


def test_a_long_lived_process_soon_renders_directly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from directive_dsl.engines.sql import cache as sql_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(sql_cache, "_RENDERED", sql_cache.DiskCache("duckdb", 100))
    monkeypatch.setattr(sql_cache, "_stored", [0])
    for n in range(sql_cache._STORES_PER_PROCESS + 5):
        assert sql_cache.duckdb_sql(sqlglot.parse_one(f"SELECT {n}")) == f"SELECT {n}"
    assert len(sql_cache._RENDERED._load()) == sql_cache._STORES_PER_PROCESS
