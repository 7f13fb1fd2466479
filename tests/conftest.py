"""Shared fixtures: every semantic test runs on every engine available here.

``python`` and ``duckdb`` are named; ``spark`` and ``postgres`` are engine
objects built on one SparkSession and one throwaway PostgreSQL server per
test run (``directive.evaluate(..., engine=engine)`` takes either). Those two
are skipped when pyspark or Java, psycopg or the PostgreSQL server binaries
are missing, except in CI (``CI=true``), where missing means failure.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from pg_server import server_binaries, throwaway_server

#: Engines every semantic test runs on.
ENGINES = [
    "python",
    "duckdb",
    pytest.param("spark", marks=pytest.mark.spark),
    pytest.param("postgres", marks=pytest.mark.postgres),
]


def in_ci_run() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing_for(name: str) -> str | None:
    """Why engine *name* cannot run on this machine, or None when it can."""
    if name == "duckdb" and importlib.util.find_spec("directive_dsl.engines.duckdb") is None:
        return "the duckdb engine is not installed"
    if name == "spark":
        if importlib.util.find_spec("pyspark") is None:
            return "pyspark is not installed (pip install -e '.[spark]')"
        java_home = os.environ.get("JAVA_HOME")
        if shutil.which("java") is None and not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))):
            return "Java is not installed (Spark needs Java 17 or later)"
    if name == "postgres":
        if importlib.util.find_spec("psycopg") is None:
            return "psycopg is not installed (pip install -e '.[postgres]')"
        if server_binaries() is None:
            return "no PostgreSQL server binaries (Debian package `postgresql`)"
    return None


def require(name: str) -> None:
    """Skip the test when engine *name* cannot run here; in CI, fail it instead."""
    reason = missing_for(name)
    if reason is None:
        return
    if in_ci_run():
        pytest.fail(f"engine {name} cannot run in CI: {reason}")
    pytest.skip(reason)


from browser import chromium  # noqa: E402,F401 (the fixture, for every browser test)


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One local SparkSession for the whole run (its catalog's tables in a temporary folder)."""
    require("spark")
    from directive_dsl.engines.spark import local_session

    warehouse = str(tmp_path_factory.mktemp("spark-warehouse"))
    session = local_session(master="local[2]", shuffle_partitions=1, app_name="directive-tests",
                            config={"spark.sql.warehouse.dir": warehouse})
    yield session
    session.stop()


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A throwaway PostgreSQL server for the whole run, removed at its end."""
    require("postgres")
    with throwaway_server() as dsn:
        yield dsn


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    """An engine for ``directive.evaluate(..., engine=engine)``: a name, or an engine object."""
    name = str(request.param)
    require(name)
    if name == "spark":
        from directive_dsl.engines.spark import SparkEngine

        runner: Any = SparkEngine(session=request.getfixturevalue("spark_session"))
    elif name == "postgres":
        from directive_dsl.engines.postgres import PostgresEngine

        runner = PostgresEngine(dsn=request.getfixturevalue("postgres_dsn"))
    else:
        yield name
        return
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture
def in_ci() -> bool:
    return in_ci_run()


# ---------------------------------------------------------------- comparing reports

_NUMBER = re.compile(r"-?[0-9][0-9,]*(\.[0-9]+)?")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def same_value(want: object, got: object) -> bool:
    """Equal, numbers within a relative 1e-9, numbers inside text too (engines add in other orders)."""
    if isinstance(want, float | int) and isinstance(got, float | int) and not isinstance(want, bool):
        return _close(float(want), float(got))
    if isinstance(want, str) and isinstance(got, str):
        if _NUMBER.sub("#", want) != _NUMBER.sub("#", got):
            return False
        numbers = zip(_NUMBER.finditer(want), _NUMBER.finditer(got), strict=True)
        return all(a.group() == b.group() or _close(float(a.group().replace(",", "")),
                                                    float(b.group().replace(",", ""))) for a, b in numbers)
    if isinstance(want, dict) and isinstance(got, dict):
        return want.keys() == got.keys() and all(same_value(want[k], got[k]) for k in want)
    if isinstance(want, list) and isinstance(got, list):
        return len(want) == len(got) and all(same_value(a, b) for a, b in zip(want, got, strict=True))
    return want == got


def assert_outcomes_match(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> None:
    """Every outcome the same, field by field, numbers within a relative 1e-9."""
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        assert same_value(want, got), (want, got)
