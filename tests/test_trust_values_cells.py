"""What the data says, cell by cell (SPEC §13.1), on every engine and every kind of input.

Each test pins a case where one engine disagreed with the others or gave a
confident wrong answer: NaN written into JSON, arithmetic past the largest
double, the largest double itself, digits that only Python reads as
numbers, codes in a domain against numbers, and the Belarus–China example
read through pandas.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveDataError
from semantics_support import expect, run, table

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "belarus_china"

RULES = """
dataset t
  time year
  dimensions region
  measure v USD
rule s: require t.v >= 1 USD per year
rule lo: require min(t.v) <= 100 USD per year
rule each: require last(t.v[region]) >= 1 USD per year
"""


def _evaluate(text: str, data: dict[str, object], engine: Any) -> dict[str, Any]:
    directive = directive_dsl.loads(textwrap.dedent(text), filename="t.directive")
    return directive.evaluate(data, engine=engine).to_dict(include_passing=True)


@pytest.mark.parametrize("lines", [False, True], ids=["json", "jsonl"])
def test_nan_in_a_json_file_is_unknown(tmp_path: Path, engine: Any, lines: bool) -> None:
    # Python's json module writes NaN for a float NaN; DuckDB's reader takes it for a number.
    rows = [{"year": 2020, "region": "A", "v": 5.0}, {"year": 2020, "region": "B", "v": float("nan")},
            {"year": 2021, "region": "A", "v": float("nan")}, {"year": 2021, "region": "B", "v": float("nan")}]
    path = tmp_path / ("t.jsonl" if lines else "t.json")
    path.write_text("\n".join(map(json.dumps, rows)) if lines else json.dumps(rows))
    doc = _evaluate(RULES, {"t": str(path)}, engine)
    expect(table(doc, "s")["2020",], "pass", actual=5)
    expect(table(doc, "lo")["2020",], "pass", actual=5)
    expect(table(doc, "each")["B", "2020"], "missing", actual=None)
    for rule in ("s", "lo"):
        outcome = table(doc, rule)["2021",]
        expect(outcome, "missing", actual=None)
        assert outcome["reason"].startswith("no values in 2021")


DERIVED = """
dataset t
  time year
  dimensions region
  measure v million USD
  measure w
  measure product = v * w
  measure ratio = v / w
  measure total = v + v
rule scaled: require t.v >= 1 USD per year
rule product: require t.product >= 1 USD per year
rule ratio: require t.ratio >= 1 USD per year
rule total: require t.total >= 1 USD per year
rule filtered: require count(t[v > 5 USD]) >= 1 per year
"""


def test_arithmetic_past_the_largest_double_is_overflow(engine: Any) -> None:
    # A unit's magnitude, a derived measure and a condition all compute on each row;
    # PostgreSQL used to stop the whole query there ("value out of range").
    rows = [{"year": 2020, "region": "A", "v": 1e303, "w": 1e10},
            {"year": 2021, "region": "A", "v": 2.0, "w": 1e-305},
            {"year": 2022, "region": "A", "v": 2.0, "w": 4.0}]
    doc = run(DERIVED, {"t": rows}, engine)
    for rule in ("scaled", "product", "ratio", "total"):  # 1e303 million is past 1.8e308
        outcome = table(doc, rule)["2020",]
        expect(outcome, "missing", actual=None)
        assert outcome["reason"] == "overflow in 2020"
    expect(table(doc, "filtered")["2020",], "pass", actual=1)
    ratio = table(doc, "ratio")["2021",]
    expect(ratio, "missing", actual=None)
    assert ratio["reason"] == "overflow in 2021"
    expect(table(doc, "product")["2022",], "pass", actual=8e6)
    expect(table(doc, "ratio")["2022",], "pass", actual=5e5)


def test_the_largest_double_is_no_overflow(tmp_path: Path, engine: Any) -> None:
    # PostgreSQL added sums as NUMERIC rounded to 15 digits, which put it past the largest double.
    path = tmp_path / "t.csv"
    path.write_text("year,region,v\n2020,A,1.7976931348623157e308\n2020,B,5\n")
    doc = _evaluate(RULES, {"t": str(path)}, engine)
    expect(table(doc, "s")["2020",], "pass", actual=1.79769313486e308)  # 12 significant digits
    expect(table(doc, "each")["B", "2020"], "pass", actual=5)


@pytest.mark.parametrize(("cell", "shown", "named"), [
    ("１２", '"１２"', "fullwidth digit one (U+FF11)"),
    ("12\u00a0", '"12\\u00a0"', "no-break space (U+00A0)"),
    ("1\u00a0234", '"1\\u00a0234"', "no-break space (U+00A0)"),
    ("\u066312", '"٣12"', "arabic-indic digit three (U+0663)"),
])
def test_digits_and_spaces_beyond_ascii_are_no_number(tmp_path: Path, engine: Any, cell: str, shown: str,
                                                      named: str) -> None:
    # Python's float() reads "１２" and "12\u00a0"; SQL engines do not. The reference agrees with them.
    path = tmp_path / "t.csv"
    path.write_text(f"year,region,v\n2020,A,5\n2020,B,{cell}\n", encoding="utf-8")
    directive = directive_dsl.loads(RULES, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": str(path)}, engine=engine)
    error = caught.value
    assert (error.code, error.line, error.column) == ("E502", 3, 8)
    assert f"{shown} is not a number" in error.message and named in (error.hint or "")


CODES = """
dataset exports
  time year
  dimensions product
  measure value USD
domain product = ["0402", "4403"]
rule each: require exports.value[product] >= 10 USD per year
"""


def test_a_code_in_a_domain_against_numbers_is_a_data_error(engine: Any) -> None:
    import pandas as pd

    frame = pd.DataFrame({"year": [2026, 2026], "product": [402, 4403], "value": [45.5, 12.0]})
    directive = directive_dsl.loads(CODES, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"exports": frame}, engine=engine)
    error = caught.value
    assert (error.code, error.line) == ("E510", 7)
    assert '"0402" in its domain' in error.message and "`product`" in error.message
    assert [d.code for d in error.errors] == ["E510"]  # "4403" reads as the number 4403


def test_the_same_codes_as_text_match(engine: Any) -> None:
    rows = [{"year": 2026, "product": "0402", "value": 45.5}, {"year": 2026, "product": "4403", "value": 12.0}]
    doc = run(CODES, {"exports": rows}, engine)
    expect(table(doc, "each")["0402", "2026"], "pass", actual=45.5)
    expect(table(doc, "each")["4403", "2026"], "pass", actual=12)


@pytest.mark.parametrize(("library", "advice"), [
    ("pandas", "dtype={'product': str}"),
    ("polars", "schema_overrides={'product': pl.String}"),
    ("pyarrow", "ConvertOptions(column_types={'product': pa.string()})"),
])
def test_the_hint_speaks_the_library_the_frame_came_from(library: str, advice: str) -> None:
    import pandas as pd
    import polars as pl
    import pyarrow.csv as pa_csv

    path = str(EXAMPLE / "exports.csv")
    readers = {"pandas": pd.read_csv, "polars": pl.read_csv, "pyarrow": pa_csv.read_csv}
    frame = readers[library](path)  # each reads product 0402 as the integer 402
    directive = directive_dsl.load(EXAMPLE / "belarus_china.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"exports": frame}, engine="python")
    assert caught.value.code == "E510" and advice in (caught.value.hint or "")


def test_the_example_read_by_pandas_as_text_gives_the_files_report(engine: Any) -> None:
    import pandas as pd

    directive = directive_dsl.load(EXAMPLE / "belarus_china.directive")
    with pytest.raises(DirectiveDataError, match="can never match"):
        directive.evaluate({"exports": pd.read_csv(EXAMPLE / "exports.csv")}, engine=engine)
    frame = pd.read_csv(EXAMPLE / "exports.csv", dtype={"product": str})
    from_frame = directive.evaluate({"exports": frame}, engine=engine).to_dict(include_passing=True)
    from_file = directive.evaluate(engine=engine).to_dict(include_passing=True)
    dairy = [o for o in from_file["outcomes"] if o["rule"] == "dairy"]
    assert dairy and all(o["actual"] is not None for o in dairy)  # 0402 matched its rows
    assert from_frame["outcomes"] == from_file["outcomes"]


def test_an_undeclared_column_used_as_a_measure_names_its_role(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "pwt.csv"
    path.write_text("year,isocode,rgdpna,label\n2020,BLR,100,a\n")
    text = ("dataset pwt\n  time year\n  dimensions isocode\n  measure rgdpna million USD\n"
            "rule x: require pwt.label >= 1 per year\n")
    directive = directive_dsl.loads(text, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"pwt": str(path)}, engine=engine)
    error = caught.value
    assert (error.code, error.line) == ("E502", 2)
    assert "`pwt.label` is used as a measure by a rule" in (error.hint or "")


@pytest.mark.postgres
@pytest.mark.parametrize(("kind", "cell", "shown"), [
    ("numeric", "Infinity", "Infinity is infinite"),
    ("double precision", "-Infinity", "-inf is infinite"),
    ("text", "1e400", '"1e400" is infinite'),
    ("text", "12\u00a0", '"12\\u00a0" is not a number'),
])
def test_a_postgres_table_is_read_as_a_file_is(postgres_dsn: str, kind: str, cell: str, shown: str) -> None:
    import psycopg

    from directive_dsl.engines.postgres import PostgresEngine

    with psycopg.connect(postgres_dsn, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS cells")
        connection.execute(f"CREATE TABLE cells (year integer, region text, v {kind})")
        connection.execute(f"INSERT INTO cells VALUES (2020, 'A', 5), (2020, 'B', %s::{kind})", [cell])
        engine = PostgresEngine(connection=connection)
        directive = directive_dsl.loads(RULES, filename="t.directive")
        with pytest.raises(DirectiveDataError) as caught:
            directive.evaluate({"t": "cells"}, engine=engine)
        assert caught.value.code == "E502" and shown in caught.value.message


def test_a_parquet_file_damaged_inside_is_a_data_error(tmp_path: Path, engine: Any) -> None:
    # The footer is whole, so DuckDB opens the file and fails only on reading a damaged page.
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    n = 3000
    pq.write_table(pa.table({"year": [2000 + i % 20 for i in range(n)], "region": [f"R{i % 5}" for i in range(n)],
                             "v": [float(i) for i in range(n)]}), path, compression="snappy")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    data[len(data) // 2 + 1] ^= 0xFF
    path.write_bytes(bytes(data))
    directive = directive_dsl.loads(RULES, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": str(path)}, engine=engine)
    assert caught.value.code == "E500" and "t.parquet" in caught.value.message


@pytest.mark.postgres
def test_text_postgres_cannot_hold_is_an_engine_error(postgres_dsn: str, tmp_path: Path) -> None:
    from directive_dsl.engines.postgres import PostgresEngine
    from directive_dsl.errors import DirectiveEngineError

    broken, fine = tmp_path / "broken.csv", tmp_path / "fine.csv"
    broken.write_bytes(b"year,region,v\n2020,A\x00,5\n")
    fine.write_text("year,region,v\n2020,A,5\n")
    directive = directive_dsl.loads(RULES, filename="t.directive")
    engine = PostgresEngine(dsn=postgres_dsn)
    try:
        with pytest.raises(DirectiveEngineError) as caught:
            directive.evaluate({"t": str(broken)}, engine=engine)
        assert caught.value.code == "E600" and "broken.csv" in caught.value.message
        assert "NUL" in caught.value.message
        # The engine stays usable: the half-made table is not in the way of the next one.
        doc = directive.evaluate({"t": str(fine)}, engine=engine).to_dict(include_passing=True)
        expect(table(doc, "s")["2020",], "pass", actual=5)
    finally:
        engine.close()
