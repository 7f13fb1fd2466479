"""Workbooks and CSV files with options give the report the plain CSV file gives, on every engine.

The fixtures in tests/data_fixtures hold one table of monthly exports five
ways: plain UTF-8 CSV, a semicolon-separated cp1251 CSV with decimal commas
and thousands separators, an .xlsx (two sheets, a title row over the
header), an .ods and an .xls (see make_workbooks.py beside them).
"""

from __future__ import annotations

import functools
import json
import shutil
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import directive_dsl
from directive_dsl.data import DataFile, FileOptions
from directive_dsl.errors import DirectiveDataError, DirectiveError, DirectiveUsageError
from directive_dsl.formats import render
from engine_neutral import engine_neutral, neutral_json

FIXTURES = Path(__file__).parent / "data_fixtures"
DIRECTIVE = FIXTURES / "exports.directive"  # never written: `from` paths resolve beside it

RULES = """
  time month
  dimensions region, hs
  measure amount thousand USD

rule total "All exports": require exports.amount >= 1000 thousand USD per month
rule brest: require exports.amount[region = "Брестская"] >= 3000 thousand USD per quarter
rule dairy: require exports.amount[hs = "0402"] >= 1000 thousand USD per month
rule growth: require exports.amount[region = "Минская"] at 2026-06 >= 1.05 * exports.amount[region = "Минская"] at 2026-01
"""

# The same table, as each `from` clause names it.
SOURCES = {
    "csv": 'from "exports_monthly.csv"',
    "cp1251": 'from "exports_cp1251.csv" with delimiter ";", decimal ",", encoding "cp1251"',
    "xlsx": 'from "exports.xlsx" with sheet "Monthly", header 3',
    "xlsx sheet number": 'from "exports.xlsx" with sheet 2, header 3',
    "ods": 'from "exports.ods" with header 3',
    "xls": 'from "exports.xls" with header 3',
}


def _directive(source: str, name: str = "exports") -> directive_dsl.CheckedDirective:
    return directive_dsl.loads(f"dataset {name} {source}\n{RULES}", filename=str(DIRECTIVE))


def _same_bytes(report: directive_dsl.Report) -> tuple[str, str]:
    """The JSON and text reports, but for what names the engine, the time and the file read
    (its name and SHA-256 in the run block, the text's Data and Made lines)."""
    text = render(report, "text", include_passing=True)
    kept = [line for line in text.splitlines() if not line.startswith(("Data: ", "Made "))]
    return neutral_json(report, binding=True), "\n".join(kept)


@functools.cache
def _reference() -> tuple[str, str]:
    return _same_bytes(_directive(SOURCES["csv"]).evaluate(engine="python"))


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_every_copy_of_the_table_gives_the_same_report(engine: Any, kind: str) -> None:
    report = _directive(SOURCES[kind]).evaluate(engine=engine)
    assert _same_bytes(report) == _reference()
    file = {"csv": "exports_monthly.csv", "cp1251": "exports_cp1251.csv", "ods": "exports.ods",
            "xls": "exports.xls"}.get(kind, "exports.xlsx")
    assert [d.source for d in report.run.datasets] == [file]


def test_the_reference_report_judges_every_rule() -> None:
    """The table is read as meant: months, codes with their zero, amounts with their decimals."""
    report = _directive(SOURCES["csv"]).evaluate(engine="python")
    assert {rule.id: rule.status for rule in report.rules} == {
        "total": "pass", "brest": "pass", "dairy": "fail", "growth": "pass"}
    dairy = [o for o in report.outcomes if o.rule == "dairy"]
    assert [o.period for o in dairy][:2] == ["2026-01", "2026-02"]
    assert dairy[0].actual == pytest.approx(1234.5e3)


@pytest.mark.parametrize("kind", ["cp1251", "xlsx"])
def test_options_given_on_the_command_line_side_give_the_same_report(engine: Any, kind: str) -> None:
    """A DataFile (what --data NAME=PATH?… binds) instead of the `from` clause's options."""
    options = {"cp1251": FileOptions(delimiter=";", decimal=",", encoding="cp1251"),
               "xlsx": FileOptions(sheet="Monthly", header=3)}[kind]
    path = {"cp1251": "exports_cp1251.csv", "xlsx": "exports.xlsx"}[kind]
    directive = _directive("")
    report = directive.evaluate({"exports": DataFile(str(FIXTURES / path), options)}, engine=engine)
    assert _same_bytes(report) == _reference()


def test_a_year_column_of_numbers_in_a_sheet_is_read_as_years(engine: Any) -> None:
    """Excel holds 2026 as the double 2026.0: it is the year "2026", as in the CSV file."""
    rules = "\n  time year\n  dimensions region\n  measure amount USD\n" \
            "rule r: require annual.amount >= 20000 USD per year\n"

    def report(source: str) -> str:
        directive = directive_dsl.loads(f"dataset annual {source}\n{rules}", filename=str(DIRECTIVE))
        return neutral_json(directive.evaluate(engine=engine), binding=True)

    assert report('from "exports.xlsx"') == report('from "exports_annual.csv"')
    assert '"period": "2026"' in report('from "exports.xlsx" with sheet "Annual"')


# ---------------------------------------------------------------- errors


def _error(source: str, engine: Any = "python") -> DirectiveError:
    with pytest.raises(DirectiveError) as caught:
        _directive(source).evaluate(engine=engine)
    return caught.value


def test_a_title_row_over_the_header_names_the_row_and_the_option(engine: Any) -> None:
    error = _error('from "exports.xlsx" with sheet "Monthly"', engine)
    assert (error.code, error.line) == ("E514", 1)
    assert error.message == (
        'row 1 holds one cell, "Экспорт по областям, тыс. долларов США", not the names of the columns')
    assert error.hint is not None and error.hint.startswith("if the column names are in row 3, say so: with header 3")


def test_an_unknown_sheet_lists_the_sheets(engine: Any) -> None:
    error = _error('from "exports.xlsx" with sheet "Monthy", header 3', engine)
    assert error.code == "E500"
    assert error.message.endswith("has no sheet `Monthy`: its sheets are `Annual` and `Monthly`")
    assert error.hint == "did you mean `Monthly`?"
    assert error.file is not None and error.file.endswith("exports.directive")  # at the `from` clause
    assert error.line == 1
    error = _error('from "exports.xlsx" with sheet 3', engine)
    assert error.message.endswith("has no sheet 3: its sheets are `Annual` and `Monthly`")


@pytest.mark.parametrize(("header", "words"), [
    (2, "row 2 is empty, but header 2 names it as the header"),
    (40, "header 40 names row 40, but `"),
])
def test_a_header_row_that_holds_no_header(engine: Any, header: int, words: str) -> None:
    error = _error(f'from "exports.xlsx" with sheet 2, header {header}', engine)
    assert error.code == "E514" and words in error.message
    assert error.hint is not None and "with header N" in error.hint


def test_a_damaged_workbook_is_a_located_data_error(tmp_path: Path, engine: Any) -> None:
    whole = (FIXTURES / "exports.xlsx").read_bytes()
    damaged = tmp_path / "exports.xlsx"
    damaged.write_bytes(whole[: len(whole) // 2])
    directive = directive_dsl.loads(f'dataset exports from "exports.xlsx"\n{RULES}',
                                    filename=str(tmp_path / "exports.directive"))
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate(engine=engine)
    error = caught.value
    assert error.code == "E500" and (error.line, error.column) == (1, 22)  # the `from` clause
    assert error.message.endswith(
        "exports.xlsx` as a workbook: it is not a whole zip archive, as .xlsx, .xlsm and .ods files "
        "are (damaged, cut short, or not a workbook)")
    assert error.hint is not None and "exported or downloaded again" in error.hint


def test_a_workbook_without_its_content_is_a_located_data_error(tmp_path: Path) -> None:
    with zipfile.ZipFile(FIXTURES / "exports.xlsx") as source, \
            zipfile.ZipFile(tmp_path / "exports.xlsx", "w") as target:
        for item in source.infolist():
            if "worksheets" not in item.filename:
                target.writestr(item, source.read(item))
    with pytest.raises(DirectiveDataError) as caught:
        directive_dsl.loads(f'dataset exports from "exports.xlsx"\n{RULES}',
                            filename=str(tmp_path / "exports.directive")).evaluate(engine="python")
    assert caught.value.code == "E500"


def test_a_wrong_cell_of_a_sheet_names_its_row_and_column(tmp_path: Path, engine: Any) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "exports.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["month", "region", "hs", "amount"])
    sheet.write_row(1, 0, ["2026-01", "Брестская", "0402", 5])
    sheet.write_row(2, 0, ["2026-02", "Брестская", "0402", "n/a?"])
    book.close()
    directive = directive_dsl.loads(f'dataset exports from "exports.xlsx"\n{RULES}',
                                    filename=str(tmp_path / "exports.directive"))
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate(engine=engine)
    error = caught.value
    assert (error.code, error.line, error.column) == ("E502", 3, 4)
    assert error.message == 'column `amount`: "n/a?" is not a number'


def test_without_python_calamine_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # as if it were not installed
    with pytest.raises(DirectiveUsageError) as caught:
        _directive(SOURCES["xlsx"]).evaluate(engine="python")
    assert caught.value.hint == "pip install 'directive_dsl[excel]'"


# ---------------------------------------------------------------- CSV files that need options


def _csv_error(tmp_path: Path, data: bytes, engine: Any, with_: str = "") -> DirectiveError:
    (tmp_path / "exports.csv").write_bytes(data)
    directive = directive_dsl.loads(f'dataset exports from "exports.csv"{with_}\n{RULES}',
                                    filename=str(tmp_path / "exports.directive"))
    with pytest.raises(DirectiveError) as caught:
        directive.evaluate(engine=engine)
    return caught.value


def test_a_semicolon_file_with_a_byte_order_mark_asks_for_the_delimiter(tmp_path: Path, engine: Any) -> None:
    data = "\ufeffmonth;region;hs;amount\n2026-01;Брестская;0402;5\n".encode()
    error = _csv_error(tmp_path, data, engine)
    assert (error.code, error.line) == ("E513", 1)
    assert error.message == "every row is one cell: the file seems to separate cells with `;`, not `,`"
    assert error.hint is not None and error.hint.startswith('read it with delimiter ";" in the dataset')


def test_the_same_file_read_with_its_delimiter_is_the_table(tmp_path: Path, engine: Any) -> None:
    text = (FIXTURES / "exports_monthly.csv").read_text(encoding="utf-8").replace(",", ";")
    (tmp_path / "exports.csv").write_bytes("\ufeff".encode() + text.encode())
    directive = directive_dsl.loads(f'dataset exports from "{tmp_path / "exports.csv"}" with delimiter ";"'
                                    f"\n{RULES}", filename=str(DIRECTIVE), allow_outside=True)
    report = directive.evaluate(engine=engine, allow_outside=True)
    assert _same_bytes(report) == _reference()


def test_decimal_commas_ask_for_the_decimal_option(tmp_path: Path, engine: Any) -> None:
    data = "month;region;hs;amount\n2026-01;Брестская;0402;1 234,5\n".encode()
    error = _csv_error(tmp_path, data, engine, ' with delimiter ";"')
    assert (error.code, error.line, error.column) == ("E502", 2, 24)
    assert error.hint is not None and error.hint.startswith(
        'the file writes decimals with a comma: read it with decimal ","')


def test_a_cp1251_file_read_as_utf8_names_the_encoding_option(engine: Any) -> None:
    error = _error('from "exports_cp1251.csv" with delimiter ";", decimal ","', engine)
    assert error.code == "E500" and "is not UTF-8 text" in error.message
    assert error.hint is not None and 'with encoding "cp1251"' in error.hint


# ---------------------------------------------------------------- options in the directive


@pytest.mark.parametrize(("clause", "at", "message", "hint"), [
    ('with delimeter ";"', "delimeter", "unknown file option `delimeter`", "did you mean `delimiter`?"),
    ('with decimal ":"', '":"', 'decimal `:` is neither "." nor ","', None),
    ('with encoding "cp9999"', '"cp9999"', "unknown encoding `cp9999`", None),
    ("with header 0", "0", "header `0` is not a row number", None),
    ('with delimiter ";;"', '";;"', "delimiter `;;` is not one character", None),
    ('with sheet "2026"', "sheet", "file option `sheet` does not apply to CSV files",
     "it takes delimiter, decimal, encoding, header"),
    ("with header 2, header 3", "header 3", "file option `header` is given twice", None),
])
def test_a_wrong_option_is_located(clause: str, at: str, message: str, hint: str | None) -> None:
    line = f'dataset exports from "exports.csv" {clause}'
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(f"{line}\n{RULES}", filename="x.directive")
    error = caught.value
    column = line.rindex(at) + 1
    assert (error.code, error.line, error.column, error.message) == ("E408", 1, column, message)
    if hint is not None:
        assert error.hint == hint


def test_options_that_do_not_apply_to_a_workbook() -> None:
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(f'dataset exports from "exports.xlsx" with encoding "cp1251"\n{RULES}')
    assert caught.value.message == "file option `encoding` does not apply to workbooks"


def test_a_data_folder_finds_a_workbook(tmp_path: Path) -> None:
    from directive_dsl.data import find_in_dir

    shutil.copy(FIXTURES / "exports.ods", tmp_path / "exports.ods")
    assert find_in_dir(tmp_path, "exports") == tmp_path / "exports.ods"


# ---------------------------------------------------------------- the command line


def _check(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    import contextlib
    import io
    import os

    from directive_dsl.cli import main

    (tmp_path / "exports.directive").write_text(f"dataset exports\n{RULES}", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "exports.directive", "--format", "json", "--all", *args])
    finally:
        os.chdir(here)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("binding", [
    "exports_monthly.csv",
    "exports_cp1251.csv?delimiter=;&decimal=,&encoding=cp1251",
    "exports_cp1251.csv?delimiter=%3B&decimal=%2C&encoding=cp1251",
    "exports.xlsx?sheet=Monthly&header=3",
    "exports.xlsx?sheet=2&header=3",
    "exports.ods?header=3",
])
def test_data_options_on_the_command_line(tmp_path: Path, binding: str) -> None:
    for name in ("exports_monthly.csv", "exports_cp1251.csv", "exports.xlsx", "exports.ods"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    code, out, _ = _check(tmp_path, "--engine", "duckdb", "--data", f"exports={binding}")
    want, want_out, _ = _check(tmp_path, "--engine", "python", "--data", "exports=exports_monthly.csv")
    assert code == want == 1  # the dairy rule fails
    got = engine_neutral(json.loads(out), binding=True)
    assert got == engine_neutral(json.loads(want_out), binding=True)
    assert json.loads(out)["run"]["datasets"][0]["source"] == binding.partition("?")[0]


@pytest.mark.parametrize(("binding", "message"), [
    ("exports.csv?sheet=2", "file option `sheet` does not apply to CSV files"),
    ("exports.csv?delimiter", "file option `delimiter` has no value"),
    ("exports.csv?separator=;", "unknown file option `separator`"),
    ("exports.xlsx?header=first", "header `first` is not a row number"),
])
def test_wrong_data_options_on_the_command_line(tmp_path: Path, binding: str, message: str) -> None:
    code, _, err = _check(tmp_path, "--data", f"exports={binding}")
    assert code == 2
    assert f"error[E700]: --data `exports={binding}`: {message}" in err


def test_duckdb_takes_workbooks_and_optioned_files_from_the_reference_reader() -> None:
    """Handed over typed, as an Arrow table; a plain CSV file DuckDB reads itself."""
    from directive_dsl.engines.duckdb import DuckDBEngine

    routes = {}
    for kind in ("csv", "cp1251", "xlsx", "ods"):
        engine = DuckDBEngine()
        try:
            _directive(SOURCES[kind]).evaluate(engine=engine)
            routes[kind] = engine.routes["exports"]
        finally:
            engine.close()
    assert routes == {"csv": "duckdb", "cp1251": "reference reader", "xlsx": "reference reader",
                      "ods": "reference reader"}


# ---------------------------------------------------------------- decimal commas, any number


def _grouped(whole: str, separator: str) -> str:
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return separator.join([whole, *groups])


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False),
       st.sampled_from(["", " ", "\u00a0", "\u202f", "."]))
def test_a_number_written_with_a_decimal_comma_reads_as_written_with_a_point(
        number: Decimal, separator: str) -> None:
    from directive_dsl.data.values import comma_decimals, to_numbers

    written = f"{abs(number):f}"
    whole, _, fraction = written.partition(".")
    sign = "-" if number < 0 else ""
    comma = sign + _grouped(whole, separator) + ("," + fraction if fraction else "")
    numbers, bad = to_numbers(comma_decimals([comma]))
    assert bad < 0 and numbers == [float(sign + written)]


def test_a_macro_enabled_workbook_reads_as_the_workbook(tmp_path: Path, engine: Any) -> None:
    shutil.copy(FIXTURES / "exports.xlsx", tmp_path / "exports.xlsm")
    binding = DataFile(str(tmp_path / "exports.xlsm"), FileOptions(sheet="Monthly", header=3))
    report = _directive("").evaluate({"exports": binding}, engine=engine)
    assert _same_bytes(report) == _reference()


def test_every_wrong_option_is_reported_at_once() -> None:
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(f'dataset exports from "exports.csv" with delimeter ";", decimal ":", header 2\n{RULES}')
    assert [d.message for d in caught.value.diagnostics] == [
        "unknown file option `delimeter`", 'decimal `:` is neither "." nor ","']


def test_codes_a_sheet_holds_as_numbers_are_an_error_when_compared_with_text(
        tmp_path: Path, engine: Any) -> None:
    """Excel drops the zero of 0402 typed as a number: `[hs = "0402"]` would match nothing."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "exports.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["month", "region", "hs", "amount"])
    sheet.write_row(1, 0, ["2026-01", "Брестская", 402, 1500])
    sheet.write_row(2, 0, ["2026-01", "Минская", 8701, 2500])
    book.close()
    directive = directive_dsl.loads(f'dataset exports from "exports.xlsx"\n{RULES}',
                                    filename=str(tmp_path / "exports.directive"))
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate(engine=engine)
    error = caught.value
    assert error.code == "E510"
    assert error.message.startswith("`hs` of dataset `exports` (")
    assert error.message.endswith('exports.xlsx) holds numbers, so "0402" can never match it')
    assert error.hint is not None and error.hint.endswith(
        "format `hs` as Text in the workbook and type the codes again (0402)")
