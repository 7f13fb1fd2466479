"""The DuckDB engine's questions about an unchanged data file are asked once across runs:
its binding checks, its Parquet statistics and the layout's sample (SPEC §13.9's run block and
every verdict stay the same)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pytest

import directive_dsl
from directive_dsl import disk_cache
from directive_dsl.engines import duckdb as duckdb_engine
from directive_dsl.engines.duckdb import DuckDBEngine
from directive_dsl.engines.duckdb import sources as duckdb_sources

DIRECTIVE = """
dataset t
  time year
  dimensions region
  measure v USD
rule s: require t.v >= 5 USD per year
rule each: require t.v[region] >= 5 USD per year
"""


@pytest.fixture
def fresh_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A cache folder of its own, files settled at once, and the statements each run issues."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(disk_cache, "SETTLED_NS", -1)
    duckdb_sources._answers.cache_clear()
    issued: list[str] = []
    execute = duckdb_sources.Loader.execute

    def spy(self: duckdb_sources.Loader, sql: str, parameters: Any = None) -> list[tuple[Any, ...]]:
        issued.append(sql)
        return execute(self, sql, parameters)

    monkeypatch.setattr(duckdb_sources.Loader, "execute", spy)
    yield issued
    duckdb_sources._answers.cache_clear()


def _run(path: Path) -> str:
    """A run as a new process makes it: nothing bound before in this process."""
    duckdb_engine._PARQUET_BINDINGS.clear()
    directive = directive_dsl.loads(DIRECTIVE, filename="t.directive")
    return directive.evaluate({"t": str(path)}, engine=DuckDBEngine()).to_json()


def _write(path: Path, rows: list[tuple[int, str, float]]) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (year INTEGER, region VARCHAR, v DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    if path.suffix == ".parquet":
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    else:
        con.execute(f"COPY t TO '{path}' (HEADER, DELIMITER ',')")


@pytest.mark.parametrize("name", ["t.parquet", "t.csv"])
def test_an_unchanged_file_is_checked_once(tmp_path: Path, fresh_runs: list[str], name: str) -> None:
    path = tmp_path / name
    _write(path, [(2020, "A", 7.0), (2021, "B", 3.0)])
    first = _run(path)
    asked = len(fresh_runs)
    fresh_runs.clear()
    duckdb_sources._answers()._save()
    duckdb_sources._answers.cache_clear()  # as a new process reads the kept answers
    again = _run(path)
    assert again.replace(_stamp(again), "") == first.replace(_stamp(first), "")
    assert not any(sql.startswith('SELECT DISTINCT "grain"') for sql in fresh_runs)  # the periods were known
    assert len(fresh_runs) < asked


def test_a_rewritten_file_is_checked_again(tmp_path: Path, fresh_runs: list[str]) -> None:
    path = tmp_path / "t.parquet"
    _write(path, [(2020, "A", 7.0), (2021, "B", 3.0)])
    _run(path)
    _write(path, [(2022, "A", 9.0)])
    fresh_runs.clear()
    report = _run(path)
    assert any(sql.startswith('SELECT DISTINCT "grain"') for sql in fresh_runs)
    assert '"2022"' in report and '"2020"' not in report


def test_a_file_written_just_now_is_not_remembered(tmp_path: Path, fresh_runs: list[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_cache, "SETTLED_NS", 60_000_000_000)
    path = tmp_path / "t.parquet"
    _write(path, [(2020, "A", 7.0)])
    _run(path)
    fresh_runs.clear()
    _run(path)
    assert any(sql.startswith('SELECT DISTINCT "grain"') for sql in fresh_runs)


def _stamp(report: str) -> str:
    """The report's time of making, the one part that differs between runs."""
    start = report.index('"generated_at"')
    return report[start:report.index(",", start)]


def test_settled_identity_changes_with_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disk_cache, "SETTLED_NS", -1)
    path = tmp_path / "f.bin"
    path.write_bytes(b"a" * 10)
    before = disk_cache.settled_identity(path)
    stat = os.stat(path)
    path.write_bytes(b"b" * 10)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # size and mtime as they were
    assert before is not None and disk_cache.settled_identity(path) not in (None, before)
    assert disk_cache.settled_identity(tmp_path / "missing") is None


def test_a_relation_made_another_way_is_asked_afresh(tmp_path: Path, fresh_runs: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Answers are kept for the file and the SQL that reads it together: a newer version that
    # reads the same file differently never meets the older version's answers.
    path = tmp_path / "t.parquet"
    _write(path, [(2020, "A", 7.0), (2021, "B", 3.0)])
    _run(path)
    rows = duckdb_sources._parquet_rows
    monkeypatch.setattr(duckdb_sources, "_parquet_rows", lambda p: rows(p) + " WHERE year = 2021")
    fresh_runs.clear()
    report = _run(path)
    assert any(sql.startswith('SELECT DISTINCT "grain"') for sql in fresh_runs)
    assert '"2021"' in report and '"2020"' not in report
