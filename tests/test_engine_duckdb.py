"""The DuckDB engine: binding as the reference engine binds, safe SQL, one scan per dataset."""

from __future__ import annotations

import functools
import gzip
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import directive_dsl
from directive_dsl.data import DatasetSchema
from directive_dsl.engines.duckdb import DuckDBEngine
from directive_dsl.engines.duckdb.layout import choose_fine_sets
from directive_dsl.engines.python import PythonEngine
from directive_dsl.engines.sql.compile import compile_sql
from directive_dsl.errors import DirectiveError
from directive_dsl.plan import TableInfo

FIXTURES = Path(__file__).parent / "data_fixtures"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _bind(engine: Any, value: object, schema: DatasetSchema) -> TableInfo | DirectiveError:
    try:
        info: TableInfo = engine.bind(schema.name, value, schema, base_dir=Path.cwd(), allow_outside=True)
        return info
    except DirectiveError as error:
        return error
    finally:
        engine.close()


def _shown(result: TableInfo | DirectiveError) -> object:
    if isinstance(result, TableInfo):
        return result
    return str(result), [(d.code, d.message, d.file, d.line, d.column, d.hint) for d in result.diagnostics]


def assert_binds_alike(value: object, schema: DatasetSchema | None = None, *,
                       native: bool = True) -> TableInfo | DirectiveError:
    """The DuckDB engine binds *value* as the reference engine does (same table, same errors)."""
    schema = schema or DatasetSchema(name="x")
    expected = _bind(PythonEngine(), value, schema)
    engine = DuckDBEngine()
    actual = _bind(engine, value, schema)
    assert _shown(actual) == _shown(expected)
    if native and isinstance(actual, TableInfo):
        assert engine.routes[schema.name] == "duckdb"
    return actual


def csv(text: str, name: str = "x.csv") -> str:
    Path(name).write_text(text, encoding="utf-8")
    return name


MEASURE = DatasetSchema(name="investments", measures=("amount",))

# ---------------------------------------------------------------- binding: tables


def test_gapminder_sample_binds_alike() -> None:
    shutil.copy(FIXTURES / "gapminder_sample.csv", "gapminder.csv")
    info = assert_binds_alike("gapminder.csv", DatasetSchema(name="gapminder"))
    assert isinstance(info, TableInfo) and info.grain == "year"
    declared = DatasetSchema(name="gapminder", dimensions=("country", "iso_num"), measures=("pop",))
    assert_binds_alike("gapminder.csv", declared)
    complete = DatasetSchema(name="gapminder", dimensions=("country",), measures=("pop",), complete=True)
    assert_binds_alike("gapminder.csv", complete)


@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("year,all_empty,mixed,with_unknowns,flag,code\n2026,,1,NA,true,007\n2027,,x,2.5,false,008\n",
         None),
        ("date,year,amount\n2026-03-31,2026,5\n", DatasetSchema(name="x", time="date")),
        ("region,Quarter,amount\nBrest,2026-Q1,1\n", None),
        ("period,date,amount\n2026,2026-01-01,1\n", None),
        ("year,fiscal,amount\n2026,2027,1\n", DatasetSchema(name="x", time="fiscal")),
        ("year,amount\n2026,1\n", DatasetSchema(name="x", dimensions=("year",))),
        ("region,amount\nBrest,1\n", None),
        ("time,amount\n2026,1\n2026-03,1\n2026-Q3,2\n", None),
        ("time,amount\n2026-03-31T00:00:00,1\n 2026 ,2\n2026q2,3\n", None),
        ("id,amount\n1,-nan\n2,+NaN\n3, nAn\n4,inf\n5, 12 \n6,n/a\n7,None\n", None),
        ("year,region,amount\n", None),
        ("year,region,amount\n", DatasetSchema(name="x", dimensions=("region",), measures=("amount",),
                                               complete=True)),
        ("year,amount\n\n2026,1\n,\n2027,2\n", None),
        ("year,csh_x,cgdpo,note\n2026,0.5,10,x\n",
         DatasetSchema(name="x", numeric_columns=("csh_x", "cgdpo"), complete=True)),
        ('year,"name, quoted",amount\n2026,"a\nb",1\n2027," ",2\n', None),
        ("year,amount\r\n2026,1\r\n2027,2", None),
        ("year,code,amount\n2026,3,1\n2027,2.5,2\n", DatasetSchema(name="x", dimensions=("code",),
                                                                   measures=("amount", "code"))),
    ],
)
def test_csv_tables_bind_alike(text: str, schema: DatasetSchema | None) -> None:
    assert_binds_alike(csv(text), schema)


def test_mixed_line_ends_are_read_by_the_reference_reader() -> None:
    assert_binds_alike(csv("year,amount\n2026,1\r\n2027,2\n"), native=False)


def test_tsv_and_gzip_bind_alike() -> None:
    Path("x.tsv").write_text("year\tregion\tamount\n2026\tBrest\t1.5\n", encoding="utf-8")
    assert_binds_alike("x.tsv")
    Path("x.csv.gz").write_bytes(gzip.compress(b"year,region,amount\n2026,Brest,1.5\n"))
    assert_binds_alike("x.csv.gz")


def test_dataframes_bind_alike() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    import datetime as dt

    days = [dt.date(2026, 1, 31), dt.date(2026, 2, 28)]
    assert_binds_alike(pd.DataFrame({"date": pd.to_datetime(days), "amount": [1.0, float("nan")],
                                     "region": ["a", None], "flag": [True, False]}))
    assert_binds_alike(pd.DataFrame({"year": [2026, 2027], "code": [1.0, 2.5], "n": [1, 2]}),
                       DatasetSchema(name="x", dimensions=("code", "n")))
    assert_binds_alike(pl.DataFrame({"date": days, "amount": [1.0, 2.0], "region": ["a", "b"]}))
    assert_binds_alike(pl.DataFrame({"year": [2026], "amount": [1]}).lazy())
    assert_binds_alike(pa.table({"date": days, "amount": [1.0, 2.0]}))


def test_parquet_binds_alike() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"year": [2026, 2027, 2026], "region": ["a", "", None],
                          "amount": [1.5, None, 3.0], "text_amount": ["1", "NA", "2.5"]})
    frame.to_parquet("x.parquet")
    assert_binds_alike("x.parquet")
    assert_binds_alike("x.parquet", DatasetSchema(name="x", dimensions=("region", "amount"),
                                                  measures=("text_amount",)))


def test_rows_go_through_the_reference_reader() -> None:
    assert_binds_alike([{"year": 2026, "amount": 1}, {"year": 2027, "amount": None}], native=False)


JSON_ROWS: list[dict[str, object]] = [
    {"year": 2026, "amount": 1.5, "name": "a", "flag": True, 'odd "key\\"': 3, "code": 7},
    {"amount": "NA", "year": "2027", "name": None, "code": 2.0},
    {"year": 2028.0, "amount": "2.5e3", "name": "", "flag": False, "code": "x"},
]


@pytest.mark.parametrize(
    "schema",
    [None, DatasetSchema(name="x", dimensions=("code", "flag", "amount")),
     DatasetSchema(name="x", measures=("amount", 'odd "key\\"'))],
)
def test_json_binds_alike(schema: DatasetSchema | None) -> None:
    Path("x.json").write_text(json.dumps(JSON_ROWS), encoding="utf-8")
    assert_binds_alike("x.json", schema)
    Path("x.jsonl").write_text("\n\n".join(map(json.dumps, JSON_ROWS)), encoding="utf-8")
    assert_binds_alike("x.jsonl", schema)


@pytest.mark.parametrize(
    ("rows", "schema"),
    [
        ([{"year": 2026, "amount": 1}, {"year": 2027, "amount": True}], MEASURE),
        ([{"year": 2026, "amount": 1}, {"year": 2027, "amount": "lots"}], MEASURE),
        ([{"year": 2026}, {"year": 2026.5}], None),
        ([{"year": 2026}, {"year": "26"}], None),
        ([{"year": 2026}, {"year": None}], None),
        ([{"year": 2026}, {"year": False}], None),
        ([{"year": 2026, "amount": [1]}], MEASURE),
        ([1, 2], None),
        ([], None),
    ],
)
def test_json_errors_alike(rows: list[object], schema: DatasetSchema | None) -> None:
    Path("x.json").write_text(json.dumps(rows), encoding="utf-8")
    assert_binds_alike("x.json", schema, native=False)
    Path("x.jsonl").write_text("\n\n".join(map(json.dumps, rows)), encoding="utf-8")
    assert_binds_alike("x.jsonl", schema, native=False)
    Path("bad.json").write_text('[{"year": 2026,]', encoding="utf-8")
    assert_binds_alike("bad.json", schema, native=False)


# ---------------------------------------------------------------- binding: errors

@pytest.mark.parametrize(
    ("text", "schema"),
    [
        ("year,region,amount,kind\n2026,Brest,1,x\n",
         DatasetSchema(name="x", time="year", dimensions=("region", "partner"), measures=("amout",))),
        ("Year,amount\n2026,1\n", DatasetSchema(name="x", time="year")),
        ("year, amount\n2026,1\n", MEASURE),
        ("year;amount\n2026;1\n", MEASURE),
        ("year,region,amount\n" + "".join(f"2026,r{i},{i}\n" for i in range(11))
         + "2026,Brest,12a\n2027,Brest,x\n", MEASURE),
        ('amount\n1\n"1,234"\n', MEASURE),
        ('amount\n1\n"1,5"\n', MEASURE),
        ("amount\n1\n12.5%\n", MEASURE),
        ("amount\n1\n1_000\n", MEASURE),
        ("amount\n1\n0x10\n", MEASURE),
        ("amount\n1\nUSD 5\n", MEASURE),
        ("amount\n1\n\n\ntrue\n", MEASURE),
        ("year,amount\n2026,1\n2026/27,2\n", DatasetSchema(name="x", time="year")),
        ("Year,amount\n2026,1\n26,2\n", None),
        ("year,amount\n2026,1\n,2\n", DatasetSchema(name="x", time="year")),
        ("year,amount\n2026,1\n \t,2\n", DatasetSchema(name="x", time="year")),
        ("year,amount\n2026,1\n2026-13,2\n2026-02-30,3\n", None),
        ("year,a,b\n2026,1,x\nlater,y,2\n", DatasetSchema(name="x", measures=("a", "b"))),
        ("year,amount\n2026,1,3\n", None),
        ("year,amount\n2026,\"1\n2027,2\n", None),
        ('year,amount\n2026,"1"x\n', None),
        ("year,amount,year\n2026,1,2\n", None),
        ("year,,amount\n2026,,1\n", None),
        ("year,,amount\n2026,5,1\n", None),
        ("", None),
        ("\n\n", None),
    ],
)
def test_csv_errors_alike(text: str, schema: DatasetSchema | None) -> None:
    result = assert_binds_alike(csv(text, "investments.csv"), schema, native=False)
    if text.count("\n") > 2 and "2026,1,3" not in text:
        assert isinstance(result, DirectiveError | TableInfo)


def test_file_errors_alike() -> None:
    assert_binds_alike("missing.csv", native=False)
    Path("x.xlsx").write_bytes(b"PK")
    assert_binds_alike("x.xlsx", native=False)
    Path("folder.csv").mkdir()
    assert_binds_alike("folder.csv", native=False)
    Path("bad.parquet").write_text("not parquet", encoding="utf-8")
    assert_binds_alike("bad.parquet", native=False)
    Path("latin.csv").write_bytes("year,region\n2026,Gomel\xe9\n".encode("latin-1"))
    assert_binds_alike("latin.csv", native=False)


def test_errors_in_typed_tables_name_the_row() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"year": [2026, 2027, 2028], "amount": ["1", "2", "two"]})
    error = assert_binds_alike(frame, MEASURE)
    assert isinstance(error, DirectiveError) and "row 3" in str(error)
    frame.to_parquet("x.parquet")
    assert_binds_alike("x.parquet", MEASURE)
    bad_years = pd.DataFrame({"year": [2026.0, 2026.5], "flag": [True, False]})
    assert_binds_alike(bad_years, DatasetSchema(name="x", numeric_columns=("flag",)))


# ---------------------------------------------------------------- evaluation

DIRECTIVE = """
dataset trade
  time year
  dimensions region, partner
  measure amount
  measure qty
domain region = ["A", "B"]
rule total "Total":
  require trade.amount[partner = "CN"] >= 3 per year
rule regions "Per region":
  require share(trade.amount[partner = "CN", region], trade.amount[region]) >= 10% per year
rule growth "Growth":
  require growth(trade.qty[region]) >= 5% per year
rule stock "Last stock":
  require last(trade.qty) between 1 and 9 in total
require count(trade[partner in ["CN", "DE"]]) >= 2 by 2023 from 2021
"""

ROWS = [
    {"year": 2021, "region": "A", "partner": "CN", "amount": 2.0, "qty": 1.0},
    {"year": 2021, "region": "B", "partner": "DE", "amount": 5.0, "qty": None},
    {"year": 2022, "region": "A", "partner": "CN", "amount": 4.5, "qty": 3.0},
    {"year": 2022, "region": "B", "partner": "CN", "amount": 0.0, "qty": 2.0},
    {"year": 2022, "region": "A", "partner": "FR", "amount": None, "qty": 7.0},
]


def outcomes(text: str, data: object, engine: str | Any) -> list[dict[str, Any]]:
    report = directive_dsl.loads(text).evaluate({"trade": data}, engine=engine)
    found: list[dict[str, Any]] = report.to_dict(include_passing=True)["outcomes"]
    return found


def _kinds() -> dict[str, Callable[[], object]]:
    def to_csv(delimiter: str, name: str) -> str:
        lines = [delimiter.join(ROWS[0])]
        lines += [delimiter.join("" if v is None else str(v) for v in row.values()) for row in ROWS]
        Path(name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        return name

    def frame() -> Any:
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(ROWS)

    def parquet() -> str:
        pytest.importorskip("pyarrow")
        frame().to_parquet("trade.parquet")
        return "trade.parquet"

    def polars() -> Any:
        return pytest.importorskip("polars").DataFrame(ROWS)

    def arrow() -> Any:
        return pytest.importorskip("pyarrow").Table.from_pylist(ROWS)

    def jsonl() -> str:
        Path("trade.jsonl").write_text("\n".join(map(json.dumps, ROWS)), encoding="utf-8")
        return "trade.jsonl"

    return {"rows": lambda: ROWS, "csv": lambda: to_csv(",", "trade.csv"),
            "tsv": lambda: to_csv("\t", "trade.tsv"), "pandas": frame, "parquet": parquet,
            "polars": polars, "arrow": arrow, "jsonl": jsonl}


@pytest.mark.parametrize("kind", list(_kinds()))
def test_each_input_kind_gives_the_reference_outcomes(kind: str) -> None:
    data = _kinds()[kind]()
    expected = outcomes(DIRECTIVE, ROWS, "python")
    assert outcomes(DIRECTIVE, data, "duckdb") == expected
    assert {o["status"] for o in expected} >= {"pass", "fail", "missing"}


INJECTION = 'it\'s"; DROP TABLE trade; -- \' OR 1=1 --'


def test_directive_text_cannot_change_the_query() -> None:
    escaped = INJECTION.replace('"', '\\"')
    text = f"""
dataset trade
  time year
  dimensions `region"; DROP TABLE x; --`, partner
  measure amount
rule odd "Odd strings":
  require trade.amount[partner = "{escaped}"] >= 1 per year
rule names "Odd names":
  require trade.amount[`region"; DROP TABLE x; --` in ["'; --", "a"]] >= 1 per year
"""
    rows = [{"year": 2026, 'region"; DROP TABLE x; --': "'; --", "partner": INJECTION, "amount": 2.0},
            {"year": 2026, 'region"; DROP TABLE x; --': "b", "partner": "x", "amount": 5.0}]
    import duckdb

    connection = duckdb.connect()
    connection.execute("CREATE TABLE x AS SELECT 1 AS a")
    engine = DuckDBEngine(connection=connection)
    assert outcomes(text, rows, engine) == outcomes(text, rows, "python")
    assert [o["status"] for o in outcomes(text, rows, "duckdb")] == ["pass", "pass"]
    assert connection.execute("SELECT a FROM x").fetchall() == [(1,)]  # still there
    assert any(INJECTION.replace("'", "''") in sql for sql in engine.statements)
    for _, sql in compile_sql(directive_dsl.loads(text), "duckdb"):
        assert "'; --'" not in sql.replace("'''; --'", "")  # the literal is quoted, never bare


def test_one_statement_per_dataset_whatever_the_number_of_rules() -> None:
    rules = "\n".join(f'require trade.amount[partner = "CN"] >= {i} per year' for i in range(30))
    text = "dataset trade\n  time year\n  dimensions region, partner\n  measure amount\n" + rules
    few = DuckDBEngine()
    outcomes(text.split("\nrequire")[0] + "\nrequire" + text.split("\nrequire")[1], ROWS, few)
    many = DuckDBEngine()
    outcomes(text, ROWS, many)
    assert len(many.statements) == len(few.statements) == 1
    def shape(sql: str) -> str:
        return re.sub(r"__directive_[0-9]+_[0-9]+", "data", sql)

    assert shape(many.statements[0]) == shape(few.statements[0])  # identical aggregates: once


def test_the_statement_scans_the_data_once() -> None:
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pd.DataFrame(ROWS).to_parquet("trade.parquet")
    engine = DuckDBEngine()
    outcomes(DIRECTIVE, "trade.parquet", engine)  # an engine passed in is left open
    assert len(engine.statements) == 1
    plan = engine.connection.execute("EXPLAIN " + engine.statements[0]).fetchall()
    assert str(plan).upper().count("READ_PARQUET") == 1
    engine.close()


def test_several_groupings_still_scan_the_data_once() -> None:
    pytest.importorskip("pyarrow")
    pd = pytest.importorskip("pandas")
    pd.DataFrame(ROWS).to_parquet("trade.parquet")

    def one_per_rule(asked: Any, covers: Any, counts: Any, **_: Any) -> list[tuple[str, ...]]:
        return sorted({tuple(sorted(r.groups)) for r in asked} | {("partner",), ("region", "partner")})

    engine = DuckDBEngine()
    with mock.patch("directive_dsl.engines.duckdb.choose_fine_sets", one_per_rule):
        assert outcomes(DIRECTIVE, "trade.parquet", engine) == outcomes(DIRECTIVE, ROWS, "python")
    assert "GROUPING SETS" in engine.statements[0].split("timed AS")[0]  # in the scan itself
    plan = engine.connection.execute("EXPLAIN " + engine.statements[0]).fetchall()
    assert str(plan).upper().count("READ_PARQUET") == 1
    engine.close()


def test_a_parquet_file_is_checked_again_once_it_changes() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    pd.DataFrame(ROWS).to_parquet("trade.parquet")
    first = outcomes(DIRECTIVE, "trade.parquet", "duckdb")
    assert outcomes(DIRECTIVE, "trade.parquet", "duckdb") == first
    changed = [*ROWS, {"year": 2023, "region": "B", "partner": "CN", "amount": 9.0, "qty": 4.0}]
    pd.DataFrame(changed).to_parquet("trade.parquet")
    assert outcomes(DIRECTIVE, "trade.parquet", "duckdb") == outcomes(DIRECTIVE, changed, "python")
    assert outcomes(DIRECTIVE, "trade.parquet", "duckdb") != first


def test_measures_without_nulls_need_no_count_of_known_values() -> None:
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    whole = [{**row, "amount": row["amount"] or 1.0, "qty": row["qty"] or 1.0} for row in ROWS]
    pd.DataFrame(whole).to_parquet("whole.parquet")
    pd.DataFrame(ROWS).to_parquet("gaps.parquet")
    counted = {}
    for name, rows in (("whole", whole), ("gaps", ROWS)):
        engine = DuckDBEngine()
        assert outcomes(DIRECTIVE, f"{name}.parquet", engine) == outcomes(DIRECTIVE, rows, "python")
        counted[name] = re.findall(r'COUNT\("__v[0-9]+"\)', engine.statements[0])
        engine.close()
    assert counted["whole"] == [] and counted["gaps"]  # the Parquet statistics tell them apart


def test_nan_in_parquet_is_unknown() -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rows = {"year": [2021, 2021, 2022], "region": ["A", "B", "A"], "partner": ["CN", "CN", "CN"],
            "amount": [2.0, float("nan"), 1.0], "qty": [1.0, 2.0, 3.0]}
    pq.write_table(pa.table(rows), "trade.parquet")
    engine = DuckDBEngine()
    expected = outcomes(DIRECTIVE, [dict(zip(rows, v, strict=True)) for v in zip(*rows.values(), strict=True)],
                        "python")
    assert outcomes(DIRECTIVE, "trade.parquet", engine) == expected
    assert len(engine.statements) == 2  # read again with a guard against NaN
    engine.close()


def test_a_given_connection_stays_open() -> None:
    import duckdb

    connection = duckdb.connect()
    engine = DuckDBEngine(connection=connection)
    outcomes(DIRECTIVE, ROWS, engine)
    engine.close()
    assert connection.execute("SELECT 1").fetchall() == [(1,)]
    leftovers = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__directive%'").fetchall()
    assert leftovers == [(0,)]


def test_engine_options_open_a_connection_of_its_own() -> None:
    assert outcomes(DIRECTIVE, ROWS, DuckDBEngine(threads=1, memory_limit="256MB")) == \
        outcomes(DIRECTIVE, ROWS, "python")


# ---------------------------------------------------------------- compile


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres"])
def test_compile_without_data(dialect: str) -> None:
    compiled = compile_sql(directive_dsl.loads(DIRECTIVE), dialect)
    [(heading, sql)] = [(h, s) for h, s in compiled if h.startswith("dataset")]
    assert heading.startswith("dataset trade (rules total, regions, growth, stock, ")
    assert "GROUPING SETS" in sql
    helpers = [h for h, _ in compiled if not h.startswith("dataset")]
    assert helpers == (["helper functions the statements below use"] if dialect == "postgres" else [])


def test_compiled_duckdb_sql_runs_on_a_table_named_like_the_dataset() -> None:
    import duckdb

    connection = duckdb.connect()
    connection.execute("CREATE TABLE trade (year INT, region TEXT, partner TEXT, amount DOUBLE, qty DOUBLE)")
    connection.executemany("INSERT INTO trade VALUES (?, ?, ?, ?, ?)", [tuple(r.values()) for r in ROWS])
    [(_, sql)] = compile_sql(directive_dsl.loads(DIRECTIVE), "duckdb")
    assert connection.execute(sql).fetchall()


# ---------------------------------------------------------------- cells, as SQL reads them

TIME_TEXTS = st.one_of(
    st.sampled_from(["2026", " 2026 ", "2026-Q1", "2026q4", "2026Q2", "2026-Q5", "2026-03", "2026-13",
                     "2026-00", "2026-02-28", "2026-02-30", "2026-03-31T12:00:00", "2026-03-31 12:00",
                     "2026-03-31T12:00:00.5+02:00", "2026-03-31T12:00:00Z", "0999", "26", "2026.0",
                     "2026/27", "", " ", "\t2026\n", "9999-12-31", "1000-01-01", "2026-3", "Q1-2026"]),
    st.text(alphabet="0123456789-QqT:Z .+", max_size=20),
)
NUMBER_TEXTS = st.one_of(
    st.sampled_from(["1.5", "-3", "150e6", " 12 ", "", "NA", "n/a", " None ", "NaN", "-nan", "inf",
                     "-Infinity", "1_000", "0x10", "1,5", "12.5%", ".5", "5.", "+.5e-3", "1e", "e5", "--1",
                     "\t7\n", "nul", "Inf"]),
    st.text(alphabet="0123456789.eE+-_ naNifINF", max_size=12),
)


_CONNECTIONS: list[Any] = []


@functools.cache
def _time_query() -> str:
    from sqlglot import exp

    from directive_dsl.engines.sql.periods import day_of, grain_of

    value = exp.column("t", quoted=True)
    grain = grain_of(value, "text")
    return exp.select(value, grain, day_of(value, "text", grain)).sql("duckdb")


def _connection() -> Any:
    """One connection for the cell tests (opening one per example costs more than the test)."""
    if not _CONNECTIONS:
        import duckdb

        _CONNECTIONS.append(duckdb.connect())
    return _CONNECTIONS[0]


@settings(max_examples=200, deadline=None, derandomize=True)
@given(texts=st.lists(TIME_TEXTS, min_size=1, max_size=20))
def test_time_text_is_parsed_in_sql_as_in_python(texts: list[str]) -> None:
    from directive_dsl.periods import GRAINS, Period, parse_time_value

    query = _time_query()
    rows = _connection().execute(f"{query} FROM (SELECT unnest(?) AS t)", [texts]).fetchall()
    for text, rank, day in rows:
        expected = parse_time_value(text)
        found = None if rank is None else Period("day", day.toordinal()).to_grain(GRAINS[rank])
        assert found == expected, text


@settings(max_examples=200, deadline=None, derandomize=True)
@given(texts=st.lists(NUMBER_TEXTS, min_size=1, max_size=20))
def test_number_text_is_read_in_sql_as_in_python(texts: list[str]) -> None:
    from sqlglot import exp

    from directive_dsl.data.values import is_infinite, parse_number
    from directive_dsl.engines.duckdb.binding import as_number, not_a_number

    cell = exp.column("v", quoted=True)
    query = exp.select(cell, not_a_number(cell, "text"), as_number(cell, "text")).sql("duckdb")
    rows = _connection().execute(f"{query} FROM (SELECT unnest(?) AS v)", [texts]).fetchall()
    for text, bad, number in rows:
        try:
            expected = parse_number(text)
        except ValueError:
            assert bad, text
            continue
        if is_infinite(text):  # no figure, as in the reference reader (SPEC §13.1)
            assert bad, text
            continue
        assert not bad, text
        assert number == expected or (number is None and expected is None), text


def test_an_undeclared_float_column_with_an_infinity_is_a_dimension_as_in_the_reference() -> None:
    """An infinite value is no figure (SPEC §13.1): the column is not inferred to be a measure."""
    import pandas as pd

    frame = pd.DataFrame({"year": [2020, 2021], "x": [1.0, float("inf")], "y": [1.0, 2.0]})
    schema = DatasetSchema(name="t")
    found = [engine.bind("t", frame, schema, base_dir=None, allow_outside=False)
             for engine in (PythonEngine(), DuckDBEngine())]
    assert found[0].numeric == found[1].numeric == frozenset({"y"})
    assert found[0].dimensions == found[1].dimensions == ("x",)


def test_an_empty_date_in_a_dataframe_is_located_like_the_reference() -> None:
    """A NaT in a datetime time column is E503 "empty time value" on both engines."""
    import pandas as pd

    import directive_dsl
    from directive_dsl import DirectiveError

    frame = pd.DataFrame({"date": pd.to_datetime(["2026-01-31", None]), "v": [1.0, 2.0]})
    directive = directive_dsl.loads("require t.v >= 1 per month", "t.directive")
    messages = []
    for engine in ("python", "duckdb"):
        with pytest.raises(DirectiveError) as caught:
            directive.evaluate({"t": frame}, engine=engine)
        messages.append((caught.value.code, caught.value.message))
    assert messages[0] == messages[1]
    assert messages[0][0] == "E503"


# ---------------------------------------------------------------- the scan's layout

LAYOUT_HEADER = """
dataset trade
  time year
  dimensions region, partner, product, kind
  measure amount
  measure qty
"""
FEW_RULES = [
    'require trade.amount[partner = "CN"] >= 5 per year',
    'require trade.amount[partner = "CN", kind = "direct", region] >= 1 per year',
    'require trade.qty[partner = "CN", product = "P007"] >= 5 per year',
]
MANY_RULES = [*FEW_RULES, "require max(trade.qty[product]) <= 100 per year",
              *(f'require trade.amount[partner = "{p}", region = "{r}"] >= 1 per year'
                for p in ("CN", "DE", "FR", "PL", "RU", "US") for r in ("A", "B", "C"))]
COUNTS = {"region": 7, "partner": 12, "product": 50, "kind": 2}


def _layout(rules: list[str], counts: dict[str, int] = COUNTS) -> list[tuple[str, ...]]:
    """The scan's groupings for *rules* on data with these numbers of values (the benchmark's)."""
    seen: list[tuple[Any, Any]] = []

    def capture(asked: Any, covers: Any, counts: Any, **options: Any) -> list[tuple[str, ...]]:
        seen.append((asked, covers))
        return choose_fine_sets(asked, covers, counts, **options)

    with mock.patch("directive_dsl.engines.duckdb.choose_fine_sets", capture):
        outcomes(LAYOUT_HEADER + "\n".join(rules), [{"year": 2020, "region": "A", "partner": "CN",
                                                     "product": "P007", "kind": "direct", "amount": 1.0,
                                                     "qty": 1.0}], "duckdb")
    (asked, covers), = seen
    return choose_fine_sets(asked, covers, counts, time_values=10)


def test_a_rare_condition_stays_in_the_scan() -> None:
    # partner and kind are grouped (168 groups a year); product = "P007" is filtered
    assert _layout(FEW_RULES) == [("region", "kind", "partner")]


def test_many_conditions_move_after_the_scan_in_few_groupings() -> None:
    # every condition decided on groups: by partner, kind and region, and by partner and product
    # (one table of 84,000 groups would cost more than two of 1,680 and 6,000)
    assert sorted(_layout(MANY_RULES)) == [("product", "partner"), ("region", "kind", "partner")]


def test_a_condition_on_a_column_of_many_values_stays_in_the_scan() -> None:
    rules = [*FEW_RULES, 'require trade.amount[product = "P007"] >= 1 per year']
    layout = _layout(rules, {**COUNTS, "product": 10_000_000})
    assert all("product" not in columns for columns in layout)


def test_the_layout_of_many_rules_on_many_columns_is_chosen_quickly() -> None:
    columns = [f"d{i}" for i in range(30)]
    header = "dataset trade\n  time year\n  dimensions " + ", ".join(columns) + "\n  measure amount\n"
    rules = [f'require trade.amount[{a} = "x", {b}] >= 1 per year'
             for a in columns[:15] for b in columns[15:]]  # 225 rules, 225 groupings
    row = {"year": 2020, **dict.fromkeys(columns, "x"), "amount": 1.0}
    seen: list[tuple[Any, Any]] = []

    def capture(asked: Any, covers: Any, counts: Any, **options: Any) -> list[tuple[str, ...]]:
        seen.append((asked, covers))
        return choose_fine_sets(asked, covers, counts, **options)

    with mock.patch("directive_dsl.engines.duckdb.choose_fine_sets", capture):
        assert outcomes(header + "\n".join(rules), [row], "duckdb") == outcomes(header + "\n".join(rules), [row],
                                                                                  "python")
    (asked, covers), = seen
    layout = choose_fine_sets(asked, covers, dict.fromkeys(columns, 5), time_values=10)
    assert len(layout) == 1
    assert all(any({*r.groups} <= set(fine) for fine in layout) for r in asked)
