"""`directive compile --dialect postgres` prints SQL that a real PostgreSQL server runs,
and its rule statements give there the verdicts they give in DuckDB."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.engines.sql.compile import compile_rules, compile_sql
from directive_dsl.engines.sql.dialects import PREAMBLES

ROOT = Path(__file__).resolve().parents[1]
psycopg = (
    pytest.importorskip("psycopg") if os.environ.get("CI") != "true" else __import__("psycopg")
)


@pytest.mark.postgres
def test_compiled_postgres_sql_runs_on_gapminder() -> None:
    from pg_server import server_binaries, throwaway_server

    if server_binaries() is None and os.environ.get("CI") != "true":
        pytest.skip("no PostgreSQL server binaries")
    directive = directive_dsl.load(ROOT / "examples" / "gapminder" / "targets.directive")
    columns = (
        'country text, continent text, year int, "lifeExp" double precision, pop double precision, '
        '"gdpPercap" double precision, iso_alpha text, iso_num int, centroid_lon double precision, '
        "centroid_lat double precision"
    )
    with throwaway_server() as dsn, psycopg.connect(dsn, autocommit=True) as con:
        con.execute(f"CREATE TABLE gapminder ({columns})")
        data = (ROOT / "examples" / "gapminder" / "gapminder.csv").read_text()
        with con.cursor().copy("COPY gapminder FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
        for function in PREAMBLES["postgres"]:
            con.execute(function)
        statements = [
            sql
            for heading, sql in compile_sql(directive, "postgres")
            if heading.startswith("dataset")
        ]
        assert statements
        for sql in statements:
            assert con.execute(sql).fetchall()
        verdicts = []
        for heading, sql in compile_rules(directive, "postgres"):
            if heading[0].startswith("rule "):
                verdicts.append([row[-1] for row in con.execute(sql).fetchall()])
    assert verdicts == _duckdb_verdicts(directive, data)


def _duckdb_verdicts(directive: directive_dsl.CheckedDirective, data: str) -> list[list[str]]:
    duckdb = pytest.importorskip("duckdb")
    import io

    con = duckdb.connect()
    con.execute("CREATE TABLE gapminder (country TEXT, continent TEXT, year TEXT, \"lifeExp\" DOUBLE, "
                "pop DOUBLE, \"gdpPercap\" DOUBLE, iso_alpha TEXT, iso_num TEXT, centroid_lon DOUBLE, "
                "centroid_lat DOUBLE)")
    rows = list(csv.reader(io.StringIO(data)))[1:]
    con.executemany("INSERT INTO gapminder VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[c if c != "" else None for c in row] for row in rows])
    return [[row[-1] for row in con.execute(sql).fetchall()]
            for heading, sql in compile_rules(directive, "duckdb") if heading[0].startswith("rule ")]
