"""The PostgreSQL engine: tables checked where they are, files through temporary tables, same reports.

Runs against one throwaway server per test run (see pg_server.py).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from conftest import assert_outcomes_match, require
from directive_dsl.errors import DirectiveError

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
GAPMINDER = ROOT / "examples" / "gapminder"

SMALL = """
dataset x
  time year
  dimensions k
  measure v
rule r:
  require x.v[k] >= 5 per year
"""


@pytest.fixture(scope="module")
def connection(postgres_dsn: str) -> Iterator[Any]:
    """A connection of the test's own, with a schema `sales` holding the tables below."""
    import psycopg

    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS sales CASCADE")
        conn.execute("CREATE SCHEMA sales")
        conn.execute("CREATE TABLE sales.gapminder (country text, continent text, year integer,"
                     ' "lifeExp" double precision, pop bigint, "gdpPercap" double precision,'
                     " iso_alpha text, iso_num integer, centroid_lon double precision,"
                     " centroid_lat double precision)")
        with (GAPMINDER / "gapminder.csv").open(newline="", encoding="utf-8") as stream:
            rows = list(csv.reader(stream))[1:]
        with conn.cursor() as cursor, cursor.copy("COPY sales.gapminder FROM STDIN") as copy:
            for row in rows:
                copy.write_row([cell or None for cell in row])
        conn.execute("CREATE VIEW sales.asia AS SELECT * FROM sales.gapminder WHERE continent = 'Asia'")
        conn.execute("CREATE TABLE sales.good (year integer, k text, v numeric)")
        conn.execute("INSERT INTO sales.good VALUES (2026, 'a', 3), (2027, 'a', 7.5), (2027, 'b', NULL)")
        conn.execute("CREATE TABLE sales.texts (year text, k text, v text)")
        conn.execute("INSERT INTO sales.texts VALUES ('2026', 'a', ' 3 '), ('2027', 'a', 'NA'), ('2027', 'b', '1e1')")
        conn.execute("CREATE TABLE sales.bad (year text, k text, v text)")
        conn.execute("INSERT INTO sales.bad VALUES ('2026', 'a', '3'), ('2027', 'a', 'abc'), ('20x7', 'b', 'NA')")
        yield conn
        conn.execute("DROP SCHEMA sales CASCADE")


def _outcomes(directive: Any, data: dict[str, object], engine: Any) -> list[dict[str, Any]]:
    report = directive.evaluate(data, engine=engine)
    outcomes: list[dict[str, Any]] = report.to_dict(include_passing=True)["outcomes"]
    return outcomes


def _engine(dsn: str) -> Any:
    from directive_dsl.engines.postgres import PostgresEngine

    return PostgresEngine(dsn=dsn)


def _diagnostics(error: DirectiveError) -> list[tuple[object, ...]]:
    return [(d.code, d.message, d.file, d.line, d.column, d.hint) for d in error.diagnostics]


# ---------------------------------------------------------------- real data


def test_gapminder_file_gives_the_reference_outcomes(postgres_dsn: str) -> None:
    directive = directive_dsl.load(GAPMINDER / "targets.directive")
    expected = _outcomes(directive, {}, "python")
    engine = _engine(postgres_dsn)
    try:
        actual = _outcomes(directive, {}, engine)
        assert engine.routes == {"gapminder": "reference reader"}
    finally:
        engine.close()
    assert_outcomes_match(expected, actual)


def test_gapminder_table_gives_the_reference_outcomes(postgres_dsn: str, connection: Any) -> None:
    directive = directive_dsl.load(GAPMINDER / "targets.directive")
    expected = _outcomes(directive, {}, "python")
    engine = _engine(postgres_dsn)
    try:
        actual = _outcomes(directive, {"gapminder": "sales.gapminder"}, engine)
        assert engine.routes == {"gapminder": "postgres"}
        # one scan for every partial; the median, quantile and distinct counts over the rows
        shared, over_rows = engine.statements
        assert "GROUPING SETS" in shared and "PERCENTILE_CONT" in over_rows
    finally:
        engine.close()
    assert_outcomes_match(expected, actual)


def test_a_table_is_named_in_the_run_block_with_the_rows_read(postgres_dsn: str, connection: Any) -> None:
    directive = directive_dsl.load(GAPMINDER / "targets.directive")
    from_file = directive.evaluate(engine="python").to_dict()["run"]["datasets"]
    engine = _engine(postgres_dsn)
    try:
        run = directive.evaluate({"gapminder": "sales.gapminder"}, engine=engine).to_dict()["run"]
    finally:
        engine.close()
    assert run["engine"] == "postgres"
    assert run["datasets"] == [{**from_file[0], "source": "sales.gapminder", "sha256": None}]
    assert from_file[0]["rows"] == 1704 and from_file[0]["sha256"] is not None


def test_command_line_with_dsn_and_a_table(postgres_dsn: str, connection: Any) -> None:
    """`directive check --engine postgres --dsn … --data NAME=schema.table` prints the python engine's report."""
    def check(*options: str) -> dict[str, Any]:
        found = subprocess.run(
            [sys.executable, "-m", "directive_dsl", "check", str(GAPMINDER / "targets.directive"),
             "--format", "json", "--all", *options],
            capture_output=True, text=True, cwd=ROOT, env={**os.environ, "NO_COLOR": "1"}, check=False)
        assert found.returncode == 1, found.stderr
        result: dict[str, Any] = json.loads(found.stdout)
        return result

    expected = check("--engine", "python")
    actual = check("--engine", "postgres", "--dsn", postgres_dsn, "--data", "gapminder=sales.gapminder")
    assert expected["summary"] == actual["summary"]
    assert_outcomes_match(expected["outcomes"], actual["outcomes"])


# ---------------------------------------------------------------- tables and views


@pytest.mark.parametrize("name", ["sales.good", "Sales.Good", "postgres.sales.good"])
def test_tables_are_named_as_postgres_reads_names(postgres_dsn: str, connection: Any, name: str) -> None:
    directive = directive_dsl.loads(SMALL)
    rows = [{"year": 2026, "k": "a", "v": 3}, {"year": 2027, "k": "a", "v": 7.5}, {"year": 2027, "k": "b", "v": None}]
    engine = _engine(postgres_dsn)
    try:
        assert_outcomes_match(_outcomes(directive, {"x": rows}, "python"),
                              _outcomes(directive, {"x": name}, engine))
    finally:
        engine.close()


def test_text_cells_are_typed_as_the_reference_reader_types_them(postgres_dsn: str, connection: Any) -> None:
    directive = directive_dsl.loads(SMALL)
    rows = [{"year": "2026", "k": "a", "v": " 3 "}, {"year": "2027", "k": "a", "v": "NA"},
            {"year": "2027", "k": "b", "v": "1e1"}]
    engine = _engine(postgres_dsn)
    try:
        assert_outcomes_match(_outcomes(directive, {"x": rows}, "python"),
                              _outcomes(directive, {"x": "sales.texts"}, engine))
    finally:
        engine.close()


def test_a_view_is_read_in_place(postgres_dsn: str, connection: Any) -> None:
    directive = directive_dsl.loads("""
    dataset asia
      time year
      dimensions country
      measure pop
    rule r:
      require asia.pop[country] >= 10000000 in 2007
    """.replace("\n    ", "\n"))
    engine = _engine(postgres_dsn)
    try:
        got = _outcomes(directive, {"asia": "sales.asia"}, engine)
    finally:
        engine.close()
    assert len(got) == 33 and {o["status"] for o in got} == {"pass", "fail"}


def test_bad_values_in_a_table_are_named_by_value(postgres_dsn: str, connection: Any) -> None:
    """A table's rows have no order: the messages name the column and the first bad value found."""
    engine = _engine(postgres_dsn)
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(SMALL, filename="t.directive").evaluate({"x": "sales.bad"}, engine=engine)
    engine.close()
    assert [(d.code, d.message, d.file, d.line) for d in caught.value.diagnostics] == [
        ("E503", 'column `year`: "20x7" is not a period', "sales.bad", None),
        ("E502", 'column `v`: "abc" is not a number', "sales.bad", None),
    ]


@pytest.mark.parametrize(("name", "code", "message"), [
    ("sales.nothing", "E500", "`sales.nothing` is neither a table or view of the database nor a file"),
    ("otherdb.sales.good", "E500", "`otherdb.sales.good` is neither a table or view of the database nor a file"),
    ("sales.texts", None, None),
])
def test_missing_tables_and_columns(postgres_dsn: str, connection: Any, name: str, code: str | None,
                                    message: str | None) -> None:
    text = SMALL.replace("dimensions k", "dimensions k, region")
    engine = _engine(postgres_dsn)
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text).evaluate({"x": name}, engine=engine)
    engine.close()
    diagnostic = caught.value.diagnostics[0]
    if code is None:
        assert (diagnostic.code, diagnostic.message) == (
            "E501", "dimension `region` of dataset `x` is not a column of `sales.texts`")
    else:
        assert (diagnostic.code, diagnostic.message) == (code, message)


# ---------------------------------------------------------------- files


@pytest.mark.parametrize(("content", "code"), [
    ("year,k,v\n2026,a,1\n2027,b,1,5\n", "E500"),
    ('year,k,v\n2026,a,1\n2027,b,"1,5"\n', "E502"),
    ("year,k,v\n2026,a,1\n20x6,b,2\n", "E503"),
    ("year,kk,v\n2026,a,1\n", "E501"),
    ("", "E504"),
])
def test_file_errors_are_the_reference_errors(postgres_dsn: str, tmp_path: Path, content: str,
                                              code: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(content, encoding="utf-8")
    directive = directive_dsl.loads(SMALL, filename="t.directive")
    errors = []
    for engine in ("python", _engine(postgres_dsn)):
        with pytest.raises(DirectiveError) as caught:
            directive.evaluate({"x": str(path)}, engine=engine)
        errors.append((caught.value.render(), _diagnostics(caught.value)))
        if not isinstance(engine, str):
            engine.close()
    assert errors[0] == errors[1]
    assert caught.value.code == code


# ---------------------------------------------------------------- connections


def test_a_caller_connection_stays_open_and_temporary_tables_go(postgres_dsn: str) -> None:
    import psycopg

    from directive_dsl.engines.postgres import PostgresEngine

    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        engine = PostgresEngine(connection=conn)
        directive_dsl.loads(SMALL).evaluate({"x": [{"year": 2026, "k": "a", "v": 1}]}, engine=engine)
        assert conn.execute("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_\\_directive%'").fetchone() == (1,)
        engine.close()
        assert not conn.closed
        assert conn.execute("SELECT count(*) FROM pg_class WHERE relname LIKE '\\_\\_directive%'").fetchone() == (0,)


def test_an_unreachable_server_is_an_engine_error(tmp_path: Path) -> None:
    require("postgres")
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(SMALL).evaluate({"x": []}, engine="postgres",
                                            dsn=f"host={tmp_path} dbname=none connect_timeout=2")
    assert caught.value.code == "E600"
    assert caught.value.message.startswith("cannot connect to PostgreSQL")
