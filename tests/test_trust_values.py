"""What the data says (SPEC §13.1): infinite cells, overflow, unknown values, codes as text.

Every test runs on every engine; each pins a case where a plausible engine
gives a confident wrong verdict.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveDataError
from semantics_support import expect, run, table

SUM = """
dataset t
  time year
  dimensions region
  measure v USD
rule s: require t.v >= 5 USD per year
rule lo: require t.v <= 5 USD per year
rule each: require max(t.v[region]) >= 5 USD per year
"""


def _csv(tmp_path: Path, text: str, name: str = "t.csv") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return str(path)


@pytest.mark.parametrize("cell", ["inf", "Infinity", "-inf", "1e400", " INF "])
def test_an_infinite_cell_is_a_data_error(tmp_path: Path, engine: Any, cell: str) -> None:
    path = _csv(tmp_path, f"year,region,v\n2020,A,5\n2020,B,{cell}\n")
    directive = directive_dsl.loads(SUM, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": path}, engine=engine)
    error = caught.value
    assert (error.code, error.line, error.column) == ("E502", 3, 8)  # 2020,B,|inf: the cell starts at character 8
    assert "is infinite" in error.message and cell.strip() in error.message


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_an_infinite_value_in_rows_is_a_data_error(engine: Any, value: float) -> None:
    rows = [{"year": 2020, "region": "A", "v": 5.0}, {"year": 2020, "region": "B", "v": value}]
    directive = directive_dsl.loads(SUM, filename="t.directive")
    with pytest.raises(DirectiveDataError, match="is infinite"):
        directive.evaluate({"t": rows}, engine=engine)


@pytest.mark.parametrize("writer", ["duckdb", "pyarrow"])
@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_an_infinite_value_in_parquet_is_a_data_error(tmp_path: Path, engine: Any, writer: str,
                                                      value: float) -> None:
    # The duckdb engine skips the scan for infinities when the row groups' bounds are finite:
    # a file holding one must still be read cell by cell.
    path = tmp_path / "t.parquet"
    years, regions, values = [2020] * 3, ["A", "B", "C"], [5.0, value, 7.0]
    if writer == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute("CREATE TABLE t (year INTEGER, region VARCHAR, v DOUBLE)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", list(zip(years, regions, values, strict=True)))
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"year": years, "region": regions, "v": values}), path)
    directive = directive_dsl.loads(SUM, filename="t.directive")
    with pytest.raises(DirectiveDataError, match="is infinite"):
        directive.evaluate({"t": str(path)}, engine=engine)


def test_an_overflowing_sum_is_missing_not_pass(engine: Any) -> None:
    rows = [{"year": 2020, "region": "A", "v": 1e308}, {"year": 2020, "region": "B", "v": 1e308},
            {"year": 2021, "region": "A", "v": 7.0}]
    doc = run(SUM, {"t": rows}, engine)
    for rule in ("s", "lo"):
        outcome = table(doc, rule)["2020",]
        expect(outcome, "missing", actual=None)
        assert outcome["reason"] == "overflow in 2020"
    expect(table(doc, "s")["2021",], "pass", actual=7)
    expect(table(doc, "each")["A", "2020"], "pass", actual=1e308)  # a maximum does not overflow


def test_unknown_values_are_never_pass(engine: Any) -> None:
    rows = [
        {"year": 2020, "region": "A", "v": None}, {"year": 2020, "region": "B", "v": 7.0},
        {"year": 2021, "region": "A", "v": None}, {"year": 2021, "region": "B", "v": None},
    ]
    doc = run(SUM, {"t": rows}, engine)
    expect(table(doc, "s")["2020",], "pass", actual=7)  # the unknown value is skipped
    for rule in ("s", "lo"):
        outcome = table(doc, rule)["2021",]
        expect(outcome, "missing", actual=None)
        assert outcome["reason"].startswith("no values in 2021")
    expect(table(doc, "each")["A", "2020"], "missing", actual=None)


@pytest.mark.parametrize("cell", ["NaN", "nan", "", "NA"])
def test_unknown_cells_in_a_file(tmp_path: Path, engine: Any, cell: str) -> None:
    path = _csv(tmp_path, f"year,region,v\n2020,A,{cell}\n2020,B,{cell}\n2021,A,3\n")
    doc = directive_dsl.loads(SUM, filename="t.directive").evaluate(
        {"t": path}, engine=engine).to_dict(include_passing=True)
    for rule in ("s", "lo"):
        outcome = table(doc, rule)["2020",]
        expect(outcome, "missing", actual=None)
        assert outcome["reason"].startswith("no values")
    expect(table(doc, "lo")["2021",], "pass", actual=3)


PWT = """
dataset pwt
  time year
  dimensions isocode
  measure rgdpna million USD
rule x: require mean(pwt.csh_x[isocode]) >= 0.2 per year
"""


def test_undeclared_numeric_columns_stay_measures(engine: Any) -> None:
    rows = [{"year": 2020, "isocode": "BLR", "rgdpna": 100.0, "csh_x": 0.25, "label": "a"},
            {"year": 2021, "isocode": "BLR", "rgdpna": 110.0, "csh_x": 0.15, "label": "b"}]
    doc = run(PWT, {"pwt": rows}, engine)
    got = table(doc, "x")
    expect(got["BLR", "2020"], "pass", actual=0.25)
    expect(got["BLR", "2021"], "fail", actual=0.15, gap=0.05)


def test_an_undeclared_measure_the_data_lacks_is_located(engine: Any) -> None:
    rows = [{"year": 2020, "isocode": "BLR", "rgdpna": 100.0, "csh_i": 0.25}]
    directive = directive_dsl.loads(PWT, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"pwt": rows}, engine=engine)
    assert caught.value.code == "E501" and caught.value.line == 6
    assert "csh_i" in (caught.value.hint or "")


CODES = """
dataset exports
  time year
  dimensions product
  measure value USD
rule dairy: require exports.value[product = "0402"] >= 30 USD per year
rule wood: require exports.value[product in ["4403", "4407"]] >= 30 USD per year
"""


def test_codes_in_a_csv_keep_their_leading_zeros(tmp_path: Path, engine: Any) -> None:
    path = _csv(tmp_path, "year,product,value\n2026,0402,45.5\n2026,4403,12\n")
    doc = directive_dsl.loads(CODES, filename="t.directive").evaluate(
        {"exports": path}, engine=engine).to_dict(include_passing=True)
    expect(table(doc, "dairy")["2026",], "pass", actual=45.5)
    expect(table(doc, "wood")["2026",], "fail", actual=12)


def test_a_code_against_numbers_is_a_data_error(engine: Any) -> None:
    rows = [{"year": 2026, "product": 402, "value": 45.5}, {"year": 2026, "product": 4403, "value": 12.0}]
    directive = directive_dsl.loads(CODES, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"exports": rows}, engine=engine)
    error = caught.value
    assert (error.code, error.line) == ("E510", 6)
    assert "`product`" in error.message and '"0402"' in error.message
    assert "leading zeros" in (error.hint or "")
    # "4403" and "4407" equal numbers' text: allowed, and only the dairy rule is wrong.
    assert [d.line for d in error.errors] == [6]


@pytest.mark.parametrize("library", ["pandas", "polars", "pyarrow"])
def test_a_code_against_a_dataframe_of_integers(library: str) -> None:
    frame: Any
    columns = {"year": [2026, 2026], "product": [402, 4403], "value": [45.5, 12.0]}
    if library == "pandas":
        import pandas as pd
        frame = pd.DataFrame(columns)
    elif library == "polars":
        import polars as pl
        frame = pl.DataFrame(columns)
    else:
        import pyarrow as pa
        frame = pa.table(columns)
    directive = directive_dsl.loads(CODES, filename="t.directive")
    for engine in ("python", "duckdb"):
        with pytest.raises(DirectiveDataError, match="E510"):
            directive.evaluate({"exports": frame}, engine=engine)


UNITS_IN_A_COLUMN = """
dataset ex
  time year
  dimensions product, uom
  measure quantity
rule q: require ex.quantity >= 50 per year
rule kg: require ex.quantity[uom = "kg"] >= 50 per year
rule each: require ex.quantity[uom] >= 50 per year
rule tonnes: require ex.quantity[product = "0402"] >= 50 per year
"""


def test_units_in_a_column_added_up_are_a_warning(engine: Any) -> None:
    rows = [{"year": 2026, "product": "0402", "uom": "t", "quantity": 50.0},
            {"year": 2026, "product": "0402", "uom": "kg", "quantity": 30000.0},
            {"year": 2026, "product": "8701", "uom": "pcs", "quantity": 12.0}]
    report = directive_dsl.loads(UNITS_IN_A_COLUMN, filename="t.directive").evaluate(
        {"ex": rows}, engine=engine)
    found = [(w.code, w.line) for w in report.warnings]
    assert found == [("W110", 6), ("W110", 9)]  # neither the filtered nor the grouped rule
    assert "`kg`, `pcs` and `t`" in report.warnings[0].message


def test_the_warning_says_what_the_aggregate_does_with_the_mixed_units() -> None:
    """A median compares t with kg as plain numbers, a distinct count counts them: neither adds."""
    rows = [{"year": 2026, "product": "0402", "uom": "t", "quantity": 50.0},
            {"year": 2026, "product": "0402", "uom": "kg", "quantity": 30000.0}]
    text = UNITS_IN_A_COLUMN.split("rule q:")[0] + (
        "rule m: require median(ex.quantity) >= 50 per year\n"
        "rule d: require count_distinct(ex.quantity) >= 1 per year\n"
        "rule s: require ex.quantity >= 1 per year\n")
    report = directive_dsl.loads(text, filename="t.directive").evaluate({"ex": rows}, engine="python")
    endings = [w.message.rsplit(": ", 1)[1] for w in report.warnings]
    assert endings == ["they are compared as plain numbers", "they are counted as plain numbers",
                       "they are added up as plain numbers"]


def test_one_unit_in_the_column_is_no_warning(engine: Any) -> None:
    rows = [{"year": 2026, "product": "0402", "uom": "t", "quantity": 50.0}]
    report = directive_dsl.loads(UNITS_IN_A_COLUMN, filename="t.directive").evaluate(
        {"ex": rows}, engine=engine)
    assert report.warnings == ()


def test_check_prints_lint_and_data_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from directive_dsl.cli import main

    (tmp_path / "ex.csv").write_text("year,product,uom,quantity\n2026,0402,t,50\n2026,0402,kg,3\n")
    (tmp_path / "t.directive").write_text(
        'dataset ex from "ex.csv"\n  time year\n  dimensions product, uom\n  measure quantity\n'
        "rule q: require ex.quantity >= 50 per year\n"
        'rule s: require share(ex.quantity[uom = "t"], ex.quantity) >= 10 per year\n')
    assert main(["check", str(tmp_path / "t.directive")]) == 1
    err = capsys.readouterr().err
    assert "warning[W103]" in err and "warning[W110]" in err


def _gzip_rows(n: int = 20000) -> bytes:
    import gzip

    lines = [b"year,region,v\n"] + [f"{2000 + i % 20},R{i % 7},{i}\n".encode() for i in range(n)]
    return gzip.compress(b"".join(lines), mtime=0)


@pytest.mark.parametrize("damage", ["checksum", "stream", "truncated"])
def test_a_corrupt_gzip_file_is_a_data_error(tmp_path: Path, engine: Any, damage: str) -> None:
    data = bytearray(_gzip_rows())
    if damage == "checksum":  # a flipped byte that still inflates, to other numbers
        data[-6] ^= 0x55
    elif damage == "stream":
        data[len(data) // 2] ^= 0xFF
        data[len(data) // 2 + 1] ^= 0xFF
    else:
        data = data[: len(data) // 2]
    path = tmp_path / "t.csv.gz"
    path.write_bytes(bytes(data))
    directive = directive_dsl.loads(SUM, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": str(path)}, engine=engine)
    assert caught.value.code == "E500" and "t.csv.gz" in caught.value.message


def test_a_truncated_parquet_file_is_a_data_error(tmp_path: Path, engine: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"year": [2020] * 1000, "region": ["A"] * 1000, "v": [1.0] * 1000}), path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    directive = directive_dsl.loads(SUM, filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"t": str(path)}, engine=engine)
    assert caught.value.code == "E500" and "t.parquet" in caught.value.message


def test_a_declared_column_the_data_lacks_is_located_at_its_clause(tmp_path: Path, engine: Any) -> None:
    (tmp_path / "t.csv").write_text("year,region,v\n2020,A,5\n")
    text = ('dataset t from "t.csv"\n  time year\n  dimensions region, kind\n  measure v USD\n'
            "rule r: require t.v >= 5 USD per year\n")
    directive = directive_dsl.loads(text, filename=str(tmp_path / "a.directive"))
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate(engine=engine)
    error = caught.value
    assert (error.code, error.line, error.column) == ("E501", 3, 22)
    assert "t.csv" in error.message and "`kind`" in error.message


@pytest.mark.parametrize("how", ["dotdot", "symlink"])
def test_a_path_leaving_the_folder_is_located_at_from(tmp_path: Path, engine: Any, how: str) -> None:
    (tmp_path / "outside.csv").write_text("year,v\n2020,5\n")
    folder = tmp_path / "sub"
    folder.mkdir()
    if how == "symlink":
        (folder / "link.csv").symlink_to(tmp_path / "outside.csv")
    written = "../outside.csv" if how == "dotdot" else "link.csv"
    text = f'dataset t from "{written}"\n  time year\n  measure v USD\nrule r: require t.v >= 5 USD per year\n'
    directive = directive_dsl.loads(text, filename=str(folder / "b.directive"))
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate(engine=engine)
    error = caught.value
    assert (error.code, error.line, error.column) == ("E509", 1, 16)
    assert written in error.message and "outside.csv" in error.message.split("leads to")[-1]
    assert error.render().splitlines()[2].strip().startswith("|") and "^" in error.render()
