"""The Spark engine: data read by Spark and checked there, the reference engine's reports and errors.

Every test works in the one local SparkSession of the run (see conftest.py).
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from conftest import assert_outcomes_match
from directive_dsl.errors import DirectiveError

pytestmark = pytest.mark.spark

ROOT = Path(__file__).resolve().parent.parent
GAPMINDER = ROOT / "examples" / "gapminder"

SMALL = """
dataset x
  time year
  dimensions k
  measure v
rule r:
  require x.v[k] >= 5 per year
rule total:
  require share(x.v[k = "a"], x.v) >= 40% in total
"""
ROWS = [
    {"year": 2026, "k": "a", "v": 3.0},
    {"year": 2026, "k": "b", "v": None},
    {"year": 2027, "k": "a", "v": 7.5},
    {"year": 2027, "k": "b", "v": 0.25},
    {"year": 2028, "k": "b", "v": 12.0},
]


def _engine(session: Any) -> Any:
    from directive_dsl.engines.spark import SparkEngine

    return SparkEngine(session=session)


def _outcomes(directive: Any, data: dict[str, object], engine: Any) -> list[dict[str, Any]]:
    outcomes: list[dict[str, Any]] = directive.evaluate(data, engine=engine).to_dict(include_passing=True)["outcomes"]
    return outcomes


def _error(directive: Any, data: dict[str, object], engine: Any) -> tuple[object, ...]:
    with pytest.raises(DirectiveError) as caught:
        directive.evaluate(data, engine=engine)
    error = caught.value
    return error.render(), [(d.code, d.message, d.file, d.line, d.column, d.hint) for d in error.diagnostics]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# ---------------------------------------------------------------- real data


def test_gapminder_example_gives_the_reference_outcomes(spark_session: Any) -> None:
    """The CSV is read by Spark, checked in Spark SQL, and answered by one scan for the partials
    and one statement over the rows for the median, quantile and distinct counts."""
    directive = directive_dsl.load(GAPMINDER / "targets.directive")
    expected = _outcomes(directive, {}, "python")
    engine = _engine(spark_session)
    try:
        actual = _outcomes(directive, {}, engine)
        assert engine.routes == {"gapminder": "spark"}
        shared, over_rows = engine.statements
        assert "GROUPING SETS" in shared and "PERCENTILE(" in over_rows
    finally:
        engine.close()
    assert_outcomes_match(expected, actual)


# ---------------------------------------------------------------- what Spark reads


def _write(fmt: str, rows: list[dict[str, Any]]) -> str:
    import pandas as pd

    frame = pd.DataFrame(rows)
    if fmt == "parquet":
        frame.to_parquet("x.parquet")
        return "x.parquet"
    if fmt == "json":
        frame.to_json("x.json", orient="records")
        return "x.json"
    if fmt == "jsonl":
        frame.to_json("x.jsonl", orient="records", lines=True)
        return "x.jsonl"
    if fmt == "tsv":
        frame.to_csv("x.tsv", sep="\t", index=False)
        return "x.tsv"
    with gzip.open("x.csv.gz", "wt", encoding="utf-8") as stream:
        stream.write("\n" + frame.to_csv(index=False, na_rep="NA"))
    return "x.csv.gz"


@pytest.mark.parametrize("fmt", ["parquet", "json", "jsonl", "tsv", "csv.gz"])
def test_files_are_read_by_spark(spark_session: Any, fmt: str) -> None:
    directive = directive_dsl.loads(SMALL)
    path = _write(fmt, ROWS)
    engine = _engine(spark_session)
    try:
        actual = _outcomes(directive, {"x": path}, engine)
        assert engine.routes == {"x": "spark"}
    finally:
        engine.close()
    assert_outcomes_match(_outcomes(directive, {"x": path}, "python"), actual)


def test_dataframes_views_and_catalog_tables(spark_session: Any) -> None:
    """A DataFrame, a temporary view's name and a catalog table's name are read where they are."""
    text = SMALL + "".join(f"""
dataset {name}
  time year
  dimensions k
  measure v
rule r_{name}:
  require {name}.v[k] >= 5 per year
""" for name in ("frame", "view", "table"))
    directive = directive_dsl.loads(text)
    frame = spark_session.createDataFrame(ROWS, "year long, k string, v double")
    frame.createOrReplaceTempView("directive_rows")
    spark_session.sql("CREATE DATABASE IF NOT EXISTS directive_test")
    frame.write.mode("overwrite").saveAsTable("directive_test.rows")
    engine = _engine(spark_session)
    try:
        actual = _outcomes(directive, {"x": ROWS, "frame": frame, "view": "directive_rows",
                                       "table": "directive_test.rows"}, engine)
        assert engine.routes == {"x": "reference reader", "frame": "spark", "view": "spark", "table": "spark"}
    finally:
        engine.close()
        spark_session.catalog.dropTempView("directive_rows")
    expected = _outcomes(directive, {name: ROWS for name in ("x", "frame", "view", "table")}, "python")
    assert_outcomes_match(expected, actual)


def test_the_run_block_names_a_dataframe_a_view_and_a_table(spark_session: Any) -> None:
    text = "".join(f"""
dataset {name}
  time year
  dimensions k
  measure v
rule r_{name}:
  require {name}.v[k] >= 5 per year
""" for name in ("frame", "view", "table"))
    frame = spark_session.createDataFrame(ROWS, "year long, k string, v double")
    frame.createOrReplaceTempView("directive_rows")
    spark_session.sql("CREATE DATABASE IF NOT EXISTS directive_test")
    frame.write.mode("overwrite").saveAsTable("directive_test.rows")
    engine = _engine(spark_session)
    try:
        report = directive_dsl.loads(text).evaluate(
            {"frame": frame, "view": "directive_rows", "table": "directive_test.rows"}, engine=engine)
    finally:
        engine.close()
        spark_session.catalog.dropTempView("directive_rows")
    reference = directive_dsl.loads(text).evaluate({n: ROWS for n in ("frame", "view", "table")},
                                                   engine="python").to_dict()["run"]["datasets"][0]
    found = [(d["name"], d["source"], d["sha256"], d["rows"], d["grain"], d["as_of"])
             for d in report.to_dict()["run"]["datasets"]]
    assert found == [(name, source, None, len(ROWS), reference["grain"], reference["as_of"])
                     for name, source in (("frame", "DataFrame"), ("view", "directive_rows"),
                                          ("table", "directive_test.rows"))]


def test_a_name_that_is_neither_a_table_nor_a_file(spark_session: Any) -> None:
    engine = _engine(spark_session)
    _, diagnostics = _error(directive_dsl.loads(SMALL), {"x": "nowhere.rows"}, engine)
    engine.close()
    assert diagnostics == [("E500", "`nowhere.rows` is neither a table Spark knows nor a file", "nowhere.rows",
                            None, None,
                            "name a table as it is in the catalog (SHOW TABLES), or a file with its extension")]


# ---------------------------------------------------------------- data errors


@pytest.mark.parametrize(("name", "content"), [
    ("number.csv", 'year,k,v\n2026,a,1\n\n2027,b,"1,5"\n'),
    ("time.csv", "year,k,v\n2026,a,1\n20x6,b,2\n"),
    ("missing.csv", "year,kk,v\n2026,a,1\n"),
    ("empty.csv", ""),
    ("width.csv", "year,k,v\n2026,a,1\n2027,b\n"),
    ("number.jsonl", '{"year": 2026, "k": "a", "v": 1}\n\n{"year": 2027, "k": "b", "v": "q"}\n'),
    ("number.json", '[{"year": 2026, "k": "a", "v": 1}, {"year": 2027, "k": "b", "v": true}]'),
])
def test_data_errors_are_the_reference_errors(spark_session: Any, name: str, content: str) -> None:
    """Same code, message, file, line and column as the python engine (lines read on the driver)."""
    Path(name).write_text(content, encoding="utf-8")
    directive = directive_dsl.loads(SMALL, filename="t.directive")
    engine = _engine(spark_session)
    try:
        actual = _error(directive, {"x": name}, engine)
    finally:
        engine.close()
    assert actual == _error(directive, {"x": name}, "python")


def test_a_bad_value_in_a_dataframe_names_its_row(spark_session: Any) -> None:
    frame = spark_session.createDataFrame([(2026, "a", "1"), (2027, "a", "NA"), (2027, "b", "abc")],
                                          "year long, k string, v string")
    engine = _engine(spark_session)
    _, diagnostics = _error(directive_dsl.loads(SMALL, filename="t.directive"), {"x": frame}, engine)
    engine.close()
    assert [d[:5] for d in diagnostics] == [
        ("E502", 'row 3, column `v`: "abc" is not a number', "<Spark DataFrame>", None, None)]


def test_a_bad_value_in_a_table_is_named_by_value(spark_session: Any) -> None:
    frame = spark_session.createDataFrame([("2026", "a", 1.0), ("2027-13", "b", 2.0)], "year string, k string, v double")
    frame.createOrReplaceTempView("directive_bad")
    engine = _engine(spark_session)
    try:
        _, diagnostics = _error(directive_dsl.loads(SMALL, filename="t.directive"), {"x": "directive_bad"}, engine)
    finally:
        engine.close()
        spark_session.catalog.dropTempView("directive_bad")
    assert [d[:5] for d in diagnostics] == [
        ("E503", 'column `year`: "2027-13" is not a period', "directive_bad", None, None)]


# ---------------------------------------------------------------- sessions


def test_a_caller_session_stays_and_the_views_go(spark_session: Any) -> None:
    engine = _engine(spark_session)
    directive_dsl.loads(SMALL).evaluate({"x": ROWS}, engine=engine)
    views = {t.name for t in spark_session.catalog.listTables() if t.name.startswith("__directive")}
    assert len(views) == 1
    engine.close()
    assert not {t.name for t in spark_session.catalog.listTables() if t.name.startswith("__directive")}
    assert spark_session.sql("SELECT 1").collect()[0][0] == 1


def test_by_name_the_engine_works_in_the_active_session(spark_session: Any) -> None:
    report = directive_dsl.loads(SMALL).evaluate({"x": ROWS}, engine="spark")
    assert report.to_dict()["summary"]["outcomes"] == 7
    assert spark_session.sql("SELECT 1").collect()[0][0] == 1  # not stopped


def test_a_session_the_engine_starts_is_the_one_it_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    from directive_dsl.engines import spark

    class Session:
        stopped = False

        def stop(self) -> None:
            self.stopped = True

    started = Session()
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    monkeypatch.setattr(spark, "_active_session", lambda: None)
    monkeypatch.setattr(spark, "local_session", lambda **options: started)
    spark.SparkEngine().close()
    assert started.stopped
    given_session = Session()
    spark.SparkEngine(session=given_session).close()
    assert not given_session.stopped
