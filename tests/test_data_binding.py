"""Binding: declared columns checked, time parsed, measures and dimensions typed, rest inferred."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from directive_dsl.data import BoundTable, DatasetSchema, bind_table, read_table
from directive_dsl.errors import DirectiveDataError
from directive_dsl.periods import Period
from directive_dsl.source import Source, Span

FIXTURES = Path(__file__).parent / "data_fixtures"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def bind_csv(text: str, schema: DatasetSchema | None = None, name: str = "x.csv") -> BoundTable:
    Path(name).write_text(text, encoding="utf-8")
    schema = schema or DatasetSchema(name=Path(name).stem)
    return bind_table(schema, read_table(schema.name, name))


def bind_rows(rows: list[dict[str, object]], schema: DatasetSchema | None = None) -> BoundTable:
    schema = schema or DatasetSchema(name="x")
    return bind_table(schema, read_table(schema.name, rows))


def error_of(action: Callable[[], object]) -> DirectiveDataError:
    with pytest.raises(DirectiveDataError) as info:
        action()
    return info.value


def periods(*labels: str | None) -> list[Period | None]:
    return [None if label is None else Period.parse(label) for label in labels]


# --- inference ------------------------------------------------------------------------


def test_gapminder_columns_are_inferred() -> None:
    shutil.copy(FIXTURES / "gapminder_sample.csv", "gapminder.csv")
    table = bind_table(DatasetSchema(name="gapminder"), read_table("gapminder", "gapminder.csv"))
    assert table.n_rows == 36
    assert table.columns == (
        "country",
        "continent",
        "year",
        "lifeExp",
        "pop",
        "gdpPercap",
        "iso_alpha",
        "iso_num",
    )
    assert table.time_column == "year"
    assert table.grain == "year"
    assert table.times is not None
    assert table.times[:2] == periods("1952", "1957")
    assert list(table.dimensions) == ["country", "continent", "iso_alpha"]
    assert list(table.measures) == ["lifeExp", "pop", "gdpPercap", "iso_num"]
    assert table.inferred_measures == ("lifeExp", "pop", "gdpPercap", "iso_num")
    assert table.dimensions["country"][0] == "Afghanistan"
    assert table.measures["pop"][0] == 8425333.0
    assert table.measures["lifeExp"][0] == pytest.approx(28.801)
    assert table.row_location(0) == "gapminder.csv:2"


def test_gapminder_rows_as_a_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(FIXTURES / "gapminder_sample.csv")
    table = bind_table(DatasetSchema(name="gapminder"), read_table("gapminder", frame))
    assert table.time_column == "year"
    assert list(table.measures) == ["lifeExp", "pop", "gdpPercap", "iso_num"]
    assert list(table.dimensions) == ["country", "continent", "iso_alpha"]
    assert table.row_location(3) == "<pandas DataFrame> row 4"


def test_declared_columns_with_the_rest_inferred() -> None:
    schema = DatasetSchema(name="gapminder", dimensions=("country", "iso_num"), measures=("pop",))
    shutil.copy(FIXTURES / "gapminder_sample.csv", "gapminder.csv")
    table = bind_table(schema, read_table("gapminder", "gapminder.csv"))
    assert list(table.dimensions) == ["country", "continent", "iso_alpha", "iso_num"]
    assert table.dimensions["iso_num"][0] == "4"
    assert list(table.measures) == ["lifeExp", "pop", "gdpPercap"]
    assert table.inferred_measures == ("lifeExp", "gdpPercap")


def test_complete_declaration_keeps_other_columns_as_text() -> None:
    schema = DatasetSchema(
        name="gapminder",
        dimensions=("country",),
        measures=("pop",),
        complete=True,
    )
    shutil.copy(FIXTURES / "gapminder_sample.csv", "gapminder.csv")
    table = bind_table(schema, read_table("gapminder", "gapminder.csv"))
    assert list(table.measures) == ["pop"]
    assert table.inferred_measures == ()
    assert list(table.dimensions) == [
        "country",
        "continent",
        "lifeExp",
        "gdpPercap",
        "iso_alpha",
        "iso_num",
    ]
    assert table.dimensions["lifeExp"][0] == "28.801"
    assert table.dimensions["iso_num"][0] == "4"


def test_inference_edge_cases() -> None:
    table = bind_csv(
        "year,all_empty,mixed,with_unknowns,flag,code\n2026,,1,NA,true,007\n2027,,x,2.5,false,008\n"
    )
    assert table.dimensions == {
        "all_empty": [None, None],
        "mixed": ["1", "x"],
        "flag": ["true", "false"],
    }
    assert table.measures == {"with_unknowns": [None, 2.5], "code": [7.0, 8.0]}


def test_boolean_columns_are_dimensions() -> None:
    table = bind_rows([{"ok": True}, {"ok": False}, {"ok": None}])
    assert table.dimensions == {"ok": ["true", "false", None]}
    assert table.measures == {}


def test_other_time_named_columns_are_not_measures() -> None:
    table = bind_csv("date,year,amount\n2026-03-31,2026,5\n", DatasetSchema(name="x", time="date"))
    assert table.time_column == "date"
    assert table.dimensions == {"year": ["2026"]}
    assert table.measures == {"amount": [5.0]}


# --- the time column ---------------------------------------------------------------------


def test_time_column_found_by_name_case_insensitively() -> None:
    table = bind_csv("region,Quarter,amount\nBrest,2026-Q1,1\n")
    assert table.time_column == "Quarter"
    assert table.grain == "quarter"


def test_first_time_named_column_wins() -> None:
    table = bind_csv("period,date,amount\n2026,2026-01-01,1\n")
    assert table.time_column == "period"
    assert table.dimensions == {"date": ["2026-01-01"]}


def test_declared_time_column() -> None:
    table = bind_csv("year,fiscal,amount\n2026,2027,1\n", DatasetSchema(name="x", time="fiscal"))
    assert table.time_column == "fiscal"
    assert table.times == periods("2027")
    assert table.dimensions == {"year": ["2026"]}


def test_a_time_named_column_declared_otherwise_is_not_the_time() -> None:
    table = bind_csv("year,amount\n2026,1\n", DatasetSchema(name="x", dimensions=("year",)))
    assert table.time_column is None
    assert table.times is None
    assert table.grain is None
    assert table.dimensions == {"year": ["2026"]}


def test_no_time_column() -> None:
    table = bind_csv("region,amount\nBrest,1\n")
    assert (table.time_column, table.times, table.grain) == (None, None, None)


@pytest.mark.parametrize(
    ("values", "grain", "expected"),
    [
        (["2026", "2027"], "year", ["2026", "2027"]),
        (["2026-Q1", "2026q2"], "quarter", ["2026-Q1", "2026-Q2"]),
        (["2026-01", "2026-12"], "month", ["2026-01", "2026-12"]),
        (["2026-03-31", "2026-04-01"], "day", ["2026-03-31", "2026-04-01"]),
        (["2026", "2026-03"], "month", ["2026", "2026-03"]),
        (["2026", "2026-Q3", "2026-03"], "month", ["2026", "2026-Q3", "2026-03"]),
        (["2026-Q1", "2026-03-31"], "day", ["2026-Q1", "2026-03-31"]),
        (["2026-03-31T00:00:00", " 2026 "], "day", ["2026-03-31", "2026"]),
    ],
)
def test_grain_is_the_finest_present(values: list[str], grain: str, expected: list[str]) -> None:
    table = bind_csv("time,amount\n" + "".join(f"{v},1\n" for v in values))
    assert table.grain == grain
    assert table.times == periods(*expected)


def test_times_of_typed_values() -> None:
    table = bind_rows(
        [
            {"date": dt.date(2026, 3, 31)},
            {"date": dt.datetime(2026, 4, 1, 12)},
            {"date": 2026},
            {"date": 2027.0},
        ]
    )
    assert table.times == periods("2026-03-31", "2026-04-01", "2026", "2027")
    assert table.grain == "day"


def test_times_from_dataframes() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    expected = periods("2026-01-31", "2026-02-28")
    days = ["2026-01-31", "2026-02-28"]
    for value in (
        pd.DataFrame({"date": pd.to_datetime(days), "amount": [1.0, 2.0]}),
        pl.DataFrame({"date": [dt.date.fromisoformat(d) for d in days], "amount": [1.0, 2.0]}),
        pa.table({"date": [dt.date.fromisoformat(d) for d in days], "amount": [1.0, 2.0]}),
    ):
        table = bind_table(DatasetSchema(name="x"), read_table("x", value))
        assert table.times == expected
        assert table.grain == "day"
        assert table.measures == {"amount": [1.0, 2.0]}


def test_unhashable_time_values_are_refused_by_row() -> None:
    error = error_of(lambda: bind_rows([{"year": 2026}, {"year": [2027]}]))
    assert error.code == "E503"
    assert error.message == "row 2, column `year`: [2027] is not a period"


# --- measures and dimensions -------------------------------------------------------------


def test_numbers_and_unknowns() -> None:
    cells = ["1.5", "-3", "150e6", " 12 ", "", "NA", "NaN", "nan", "null", "NULL", " n/a ", "None"]
    table = bind_csv(
        "id,amount\n" + "".join(f'{i},"{c}"\n' for i, c in enumerate(cells)),
        DatasetSchema(name="x", measures=("amount",)),
    )
    assert table.measures["amount"] == [1.5, -3.0, 150e6, 12.0] + [None] * 8


def test_odd_spellings_of_nan_are_unknown() -> None:
    table = bind_csv("id,amount\n1,-nan\n2,+NaN\n3, nAn\n4,5\n")
    assert table.measures["amount"] == [None, None, None, 5.0]


def test_numbers_of_typed_values() -> None:
    values: list[object] = [1, 2.5, Decimal("3.25"), None, float("nan"), Decimal("NaN"), "4"]
    table = bind_rows([{"v": v} for v in values], DatasetSchema(name="x", measures=("v",)))
    assert table.measures["v"] == [1.0, 2.5, 3.25, None, None, None, 4.0]


def test_numbers_from_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    table = bind_rows(
        [{"v": np.int64(3)}, {"v": np.float32(1.5)}],
        DatasetSchema(name="x", measures=("v",)),
    )
    assert table.measures["v"] == [3.0, 1.5]


def test_dimensions_are_text() -> None:
    rows: list[dict[str, object]] = [
        {"code": 2026, "ratio": 3.0, "name": "Brest", "day": dt.date(2026, 1, 2)},
        {"code": None, "ratio": 1.5, "name": "", "day": None},
        {"code": 7, "ratio": float("nan"), "name": None, "day": None},
    ]
    schema = DatasetSchema(name="x", dimensions=("code", "ratio", "name", "day"))
    table = bind_rows(rows, schema)
    assert table.dimensions == {
        "code": ["2026", None, "7"],
        "ratio": ["3", "1.5", None],
        "name": ["Brest", None, None],
        "day": ["2026-01-02", None, None],
    }
    assert table.measures == {}


def test_dimensions_of_a_pandas_frame() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"code": [1.0, None, 3.0], "region": ["a", None, "c"]})
    table = bind_table(
        DatasetSchema(name="x", dimensions=("code", "region")), read_table("x", frame)
    )
    assert table.dimensions == {"code": ["1", None, "3"], "region": ["a", None, "c"]}


def test_numeric_columns_are_measures() -> None:
    table = bind_csv(
        "year,csh_x,cgdpo,note\n2026,0.5,10,x\n",
        DatasetSchema(name="x", numeric_columns=("csh_x", "cgdpo"), complete=True),
    )
    assert table.measures == {"csh_x": [0.5], "cgdpo": [10.0]}
    assert table.dimensions == {"note": ["x"]}


def test_empty_tables_bind() -> None:
    table = bind_csv("year,region,amount\n")
    assert table.n_rows == 0
    assert table.times == []
    assert table.grain is None
    assert table.dimensions == {"region": [], "amount": []}
    assert table.measures == {}
    declared = bind_csv(
        "year,region,amount\n",
        DatasetSchema(name="x", dimensions=("region",), measures=("amount",), complete=True),
    )
    assert declared.measures == {"amount": []}


def test_row_location() -> None:
    table = bind_csv("year,amount\n\n2026,1\n2027,2\n")
    assert [table.row_location(i) for i in range(2)] == ["x.csv:3", "x.csv:4"]
    assert bind_rows([{"a": 1}]).row_location(0) == "<list of dicts> row 1"


def test_large_table_binds() -> None:
    rows = "".join(f"{2000 + i % 25},r{i % 9},{i % 1000}.25\n" for i in range(50_000))
    table = bind_csv("year,region,amount\n" + rows)
    assert table.grain == "year"
    assert table.measures["amount"][-1] == 999.25
    assert len(set(table.dimensions["region"])) == 9


# --- errors -----------------------------------------------------------------------------

DIRECTIVE = """dataset investments from "investments.csv"
  time year
  dimensions region, partner
  measure amout USD
"""


def span_of(source: Source, word: str) -> Span:
    start = source.text.index(word)
    return source.span(start, start + len(word))


def test_missing_columns_are_all_reported_at_the_declaration() -> None:
    source = Source(DIRECTIVE, "targets.directive")
    schema = DatasetSchema(
        name="investments",
        time="year",
        dimensions=("region", "partner"),
        measures=("amout",),
        spans={word: span_of(source, word) for word in ("year", "region", "partner", "amout")},
    )
    error = error_of(
        lambda: bind_csv("year,region,amount,kind\n2026,Brest,1,x\n", schema, "investments.csv")
    )
    assert error.code == "E501"
    assert len(error.diagnostics) == 2
    assert str(error) == (
        "targets.directive:3:22: error[E501]: dimension `partner` of dataset `investments` is "
        "not a column of `investments.csv`\n"
        " 3 |   dimensions region, partner\n"
        "   |                      ^^^^^^^\n"
        "   = hint: the data has columns `year`, `region`, `amount` and `kind`\n"
        "targets.directive:4:11: error[E501]: measure `amout` of dataset `investments` is not "
        "a column of `investments.csv`\n"
        " 4 |   measure amout USD\n"
        "   |           ^^^^^\n"
        "   = hint: did you mean `amount`?"
    )


def test_missing_column_without_a_span() -> None:
    error = error_of(
        lambda: bind_csv("Year,amount\n2026,1\n", DatasetSchema(name="x", time="year"))
    )
    assert str(error) == (
        "x.csv: error[E501]: time column `year` of dataset `x` is not a column of `x.csv`\n"
        "   = hint: did you mean `Year`?"
    )


def test_missing_column_named_with_spaces_in_the_data() -> None:
    error = error_of(
        lambda: bind_csv("year, amount\n2026,1\n", DatasetSchema(name="x", measures=("amount",)))
    )
    assert error.hint == "the data has ` amount`, with spaces around the name; remove them"


def test_missing_column_in_a_file_separated_by_semicolons() -> None:
    error = error_of(
        lambda: bind_csv("year;amount\n2026;1\n", DatasetSchema(name="x", measures=("amount",)))
    )
    assert (error.code, error.line) == ("E513", 1)
    assert error.message == (
        "every row is one cell: the file seems to separate cells with `;`, not `,`"
    )
    assert error.hint == (
        "read it with delimiter \";\" in the dataset's `from` clause, or after the path in --data: "
        "?delimiter=;"
    )


def test_missing_column_in_a_dataframe_and_in_no_columns() -> None:
    error = error_of(
        lambda: bind_rows([{"year": 2026}], DatasetSchema(name="fdi", measures=("amount",)))
    )
    assert str(error) == (
        "<list of dicts>: error[E501]: measure `amount` of dataset `fdi` is not a column of "
        "the list of dicts\n"
        "   = hint: the data has columns `year`"
    )
    error = error_of(lambda: bind_rows([], DatasetSchema(name="fdi", measures=("amount",))))
    assert error.hint == "the data has no columns"


def test_long_column_lists_are_cut() -> None:
    header = ",".join(f"c{i}" for i in range(20))
    error = error_of(lambda: bind_csv(header + "\n", DatasetSchema(name="x", measures=("amount",))))
    assert error.hint == (
        "the data has columns `c0`, `c1`, `c2`, `c3`, `c4`, `c5`, `c6`, `c7`, `c8`, `c9`, "
        "`c10` and `c11` and 8 more"
    )


COMMA_HINT = ("the file writes decimals with a comma: read it with decimal \",\" in the "
              "dataset's `from` clause, or after the path in --data: ?decimal=,")


MEASURE_HINT = (
    "`investments.amount` is a measure, so each value must be a number; "
    "leave the cell empty for an unknown value"
)


def test_non_numeric_measure_names_file_line_column_and_value() -> None:
    rows = "".join(f"2026,r{i},{i}\n" for i in range(11))
    text = "year,region,amount\n" + rows + "2026,Brest,12a\n2027,Brest,x\n"
    schema = DatasetSchema(name="investments", measures=("amount",))
    error = error_of(lambda: bind_csv(text, schema, "investments.csv"))
    assert (error.code, error.file, error.line, error.column) == ("E502", "investments.csv", 13, 12)
    assert str(error) == (
        'investments.csv:13:12: error[E502]: column `amount`: "12a" is not a number\n'
        f"   = hint: {MEASURE_HINT}"
    )


def test_non_numeric_measure_hint_names_the_declaration() -> None:
    source = Source(DIRECTIVE.replace("amout", "amount"), "targets.directive")
    schema = DatasetSchema(
        name="investments", measures=("amount",), spans={"amount": span_of(source, "amount")}
    )
    error = error_of(lambda: bind_csv("amount\n1\nlots\n", schema, "investments.csv"))
    assert error.hint == (
        "`investments.amount` is a measure (targets.directive:4), so each value must be a "
        "number; leave the cell empty for an unknown value"
    )


@pytest.mark.parametrize(
    ("cell", "shown", "hint"),
    [
        (
            '"1,234"',
            '"1,234"',
            "write numbers without thousands separators: 1234567, not 1,234,567",
        ),
        ('"1,5"', '"1,5"', COMMA_HINT),
        ('"1 234,5"', '"1 234,5"', COMMA_HINT),
        ("12.5%", '"12.5%"', "write percentages as plain numbers: 12.5, not 12.5%"),
        ("1_000", '"1_000"', MEASURE_HINT),
        ("0x10", '"0x10"', MEASURE_HINT),
        ("USD 5", '"USD 5"', MEASURE_HINT),
        ("true", '"true"', MEASURE_HINT),
    ],
)
def test_non_numbers(cell: str, shown: str, hint: str) -> None:
    schema = DatasetSchema(name="investments", measures=("amount",))
    error = error_of(lambda: bind_csv(f"amount\n1\n{cell}\n", schema, "investments.csv"))
    assert str(error) == (
        f"investments.csv:3:1: error[E502]: column `amount`: {shown} is not a number\n"
        f"   = hint: {hint}"
    )


def test_booleans_are_not_numbers() -> None:
    schema = DatasetSchema(name="fdi", numeric_columns=("flag",))
    error = error_of(lambda: bind_rows([{"flag": 1}, {"flag": True}], schema))
    assert str(error) == (
        "<list of dicts>: error[E502]: row 2, column `flag`: True is not a number\n"
        "   = hint: `fdi.flag` is read by a derived measure, so each value must be a number; "
        "leave the cell empty for an unknown value"
    )


def test_non_numeric_measure_in_a_dataframe_says_the_row() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"amount": ["1", "2", "two"]})
    error = error_of(
        lambda: bind_table(
            DatasetSchema(name="investments", measures=("amount",)),
            read_table("investments", frame),
        )
    )
    assert str(error) == (
        '<pandas DataFrame>: error[E502]: row 3, column `amount`: "two" is not a number\n'
        f"   = hint: {MEASURE_HINT}"
    )


PERIOD_HINT = (
    "time values are years (2026), quarters (2026-Q1), months (2026-03) or dates (2026-03-31)"
)


def test_bad_time_value() -> None:
    error = error_of(
        lambda: bind_csv("year,amount\n2026,1\n2026/27,2\n", DatasetSchema(name="x", time="year"))
    )
    assert str(error) == (
        f'x.csv:3:1: error[E503]: column `year`: "2026/27" is not a period\n   = hint: {PERIOD_HINT}'
    )


def test_bad_inferred_time_value() -> None:
    error = error_of(lambda: bind_csv("Year,amount\n2026,1\n26,2\n"))
    assert str(error) == (
        'x.csv:3:1: error[E503]: column `Year`: "26" is not a period\n'
        f"   = hint: {PERIOD_HINT}; `Year` is the time column because of its name"
    )


@pytest.mark.parametrize("cell", ["", " ", "NaN"])
def test_empty_time_value(cell: str) -> None:
    schema = DatasetSchema(name="x", time="year")
    text = f"year,amount\n2026,1\n{cell},2\n"
    if cell == "NaN":
        error = error_of(lambda: bind_rows([{"year": 2026}, {"year": float("nan")}], schema))
        assert error.message == "row 2, column `year`: empty time value"
        return
    error = error_of(lambda: bind_csv(text, schema))
    assert str(error) == (
        "x.csv:3:1: error[E503]: column `year`: empty time value\n"
        "   = hint: every row needs a time value; fill it in or remove the row"
    )


def test_time_and_measure_errors_are_reported_together() -> None:
    schema = DatasetSchema(name="x", measures=("a", "b"))
    error = error_of(lambda: bind_csv("year,a,b\n2026,1,x\nlater,y,2\n", schema))
    assert [(d.code, d.line, d.message) for d in error.diagnostics] == [
        ("E503", 3, 'column `year`: "later" is not a period'),
        ("E502", 3, 'column `a`: "y" is not a number'),
        ("E502", 2, 'column `b`: "x" is not a number'),
    ]
    assert error.code == "E503"
