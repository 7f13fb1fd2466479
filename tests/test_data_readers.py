"""Reading bound data: every file format, every in-memory table kind, every error."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from directive_dsl.data import RawTable, find_in_dir, read_table, resolve_path
from directive_dsl.errors import DirectiveDataError


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files are written to, and named relative to, a fresh working folder."""
    monkeypatch.chdir(tmp_path)


def write(name: str, content: str | bytes) -> Path:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def error_of(action: Callable[[], object]) -> DirectiveDataError:
    with pytest.raises(DirectiveDataError) as info:
        action()
    return info.value


def lines(table: RawTable) -> list[int | None]:
    return [table.line_of(row) for row in range(table.n_rows)]


INVESTMENTS = "year,region,amount\n2026,Brest,150\n2026,Gomel,\n2027,Brest,1.5e6\n"


# --- CSV and TSV ------------------------------------------------------------------


def test_csv_cells_stay_text() -> None:
    write("investments.csv", INVESTMENTS)
    table = read_table("investments", "investments.csv")
    assert table == RawTable(
        "investments",
        "investments.csv",
        {
            "year": ["2026", "2026", "2027"],
            "region": ["Brest", "Gomel", "Brest"],
            "amount": ["150", "", "1.5e6"],
        },
        3,
        1,
    )
    assert lines(table) == [2, 3, 4]
    assert table.line_of(3) is None


def test_csv_path_like_and_base_dir(tmp_path: Path) -> None:
    write("data/investments.csv", INVESTMENTS)
    by_path = read_table("investments", tmp_path / "data" / "investments.csv")
    by_base = read_table("investments", "investments.csv", base_dir=Path("data"))
    assert by_path.columns == by_base.columns
    assert by_base.origin == os.path.join("data", "investments.csv")


def test_csv_with_bom_crlf_quotes_and_no_final_newline() -> None:
    write("x.csv", b'\xef\xbb\xbfyear,name\r\n2026,"Minsk, city"\r\n2027,"say ""hi"""')
    table = read_table("x", "x.csv")
    assert table.columns == {"year": ["2026", "2027"], "name": ["Minsk, city", 'say "hi"']}
    assert lines(table) == [2, 3]


def test_csv_lines_follow_multiline_cells_and_blank_rows() -> None:
    write("x.csv", 'a,b\n1,"two\nlines"\n\n3,4\n,\n5,6\n\n')
    table = read_table("x", "x.csv")
    assert table.columns == {"a": ["1", "3", "5"], "b": ["two\nlines", "4", "6"]}
    assert lines(table) == [2, 5, 7]


def test_csv_skips_blank_lines_before_the_header_and_rows_of_empty_cells() -> None:
    write("x.csv", "\nyear,amount\n2026,1\n,\n2027,\n,\n")
    table = read_table("x", "x.csv")
    assert table.header_line == 2
    assert table.columns == {"year": ["2026", "2027"], "amount": ["1", ""]}
    assert lines(table) == [3, 5]


def test_csv_drops_an_unnamed_empty_column() -> None:
    write("x.csv", "a,b,\n1,2,\n3,4,\n")
    assert read_table("x", "x.csv").columns == {"a": ["1", "3"], "b": ["2", "4"]}


def test_csv_header_only() -> None:
    write("x.csv", "year,amount\n")
    table = read_table("x", "x.csv")
    assert table.columns == {"year": [], "amount": []}
    assert table.n_rows == 0


def test_csv_keeps_spaces() -> None:
    write("x.csv", "year, region\n2026, Brest\n")
    assert read_table("x", "x.csv").columns == {"year": ["2026"], " region": [" Brest"]}


@pytest.mark.parametrize("name", ["x.tsv", "x.tab", "X.TSV"])
def test_tsv(name: str) -> None:
    write(name, "year\tregion\tamount\n2026\tMinsk, city\t5\n")
    table = read_table("x", name)
    assert table.columns == {"year": ["2026"], "region": ["Minsk, city"], "amount": ["5"]}
    assert lines(table) == [2]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("x.csv.gz", "year,amount\n2026,5\n"),
        ("x.tsv.gz", "year\tamount\n2026\t5\n"),
        ("x.jsonl.gz", '{"year": "2026", "amount": "5"}\n'),
        ("x.json.gz", '[{"year": "2026", "amount": "5"}]'),
    ],
)
def test_gzipped(name: str, text: str) -> None:
    write(name, gzip.compress(text.encode()))
    assert read_table("x", name).columns == {"year": ["2026"], "amount": ["5"]}


def test_large_csv_is_read_whole(tmp_path: Path) -> None:
    rows = "".join(f"{2000 + i % 30},r{i % 7},{i}.5\n" for i in range(20_000))
    write("big.csv", "year,region,amount\n" + rows)
    table = read_table("big", "big.csv")
    assert table.n_rows == 20_000
    assert table.columns["amount"][-1] == "19999.5"
    assert table.line_of(19_999) == 20_001


# --- JSON, JSON Lines, Parquet -------------------------------------------------------


def test_json_array_of_objects() -> None:
    write("x.json", '[{"year": 2026, "amount": 1.5},\n {"region": "Brest", "year": 2027}]')
    table = read_table("x", "x.json")
    assert table.columns == {
        "year": [2026, 2027],
        "amount": [1.5, None],
        "region": [None, "Brest"],
    }
    assert table.n_rows == 2
    assert lines(table) == [None, None]


def test_empty_json_array() -> None:
    write("x.json", "[]")
    table = read_table("x", "x.json")
    assert (table.columns, table.n_rows) == ({}, 0)


@pytest.mark.parametrize("name", ["x.jsonl", "x.ndjson"])
def test_json_lines(name: str) -> None:
    write(name, '{"year": 2026, "amount": 5}\n{"year": 2027, "amount": null}\n')
    table = read_table("x", name)
    assert table.columns == {"year": [2026, 2027], "amount": [5, None]}
    assert lines(table) == [1, 2]


def test_json_lines_skip_blank_lines_and_keep_line_numbers() -> None:
    write("x.jsonl", '\n{"a": 1}\r\n\n  \n{"a": 2, "b": "x"}\n')
    table = read_table("x", "x.jsonl")
    assert table.columns == {"a": [1, 2], "b": [None, "x"]}
    assert lines(table) == [2, 5]


def test_parquet() -> None:
    duckdb = pytest.importorskip("duckdb")
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES (2026, 'Brest', 1.5, DATE '2026-03-31'),"
        " (2027, NULL, 'NaN'::DOUBLE, NULL)) t(year, region, amount, day))"
        " TO 'x.parquet' (FORMAT parquet)"
    )
    table = read_table("x", "x.parquet")
    assert table.columns == {
        "year": [2026, 2027],
        "region": ["Brest", None],
        "amount": [1.5, None],
        "day": [dt.date(2026, 3, 31), None],
    }
    assert table.origin == "x.parquet"
    assert lines(table) == [None, None]
    Path("x.parquet").rename("x.pq")
    assert read_table("x", "x.pq").columns == table.columns


# --- in-memory tables -------------------------------------------------------------


def test_list_of_dicts() -> None:
    rows = [{"year": 2026, "amount": 5}, {"amount": None, "region": "Brest"}]
    table = read_table("x", rows)
    assert table == RawTable(
        "x",
        "<list of dicts>",
        {"year": [2026, None], "amount": [5, None], "region": [None, "Brest"]},
        2,
    )
    assert lines(table) == [None, None]
    assert read_table("x", tuple(rows)).columns == table.columns
    assert read_table("x", []).columns == {}


def test_pandas() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "year": [2026, 2027, 2028],
            "amount": [1.5, float("nan"), 3.0],
            "count": pd.array([1, None, 3], dtype="Int64"),
            "region": ["Brest", None, "Gomel"],
            "day": pd.to_datetime(["2026-01-01", None, "2026-03-31"]),
        }
    )
    table = read_table("x", frame)
    assert table.origin == "<pandas DataFrame>"
    assert table.n_rows == 3
    assert table.columns["year"] == [2026, 2027, 2028]
    assert table.columns["amount"] == [1.5, None, 3.0]
    assert table.columns["count"] == [1, None, 3]
    assert table.columns["region"] == ["Brest", None, "Gomel"]
    day = table.columns["day"]
    assert day[1] is None
    assert day[2] == pd.Timestamp("2026-03-31")
    assert lines(table) == [None, None, None]


def test_pandas_named_index_levels_become_columns() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {"region": ["Brest", "Gomel"], "year": [2026, 2026], "amount": [1.0, 2.0]}
    ).set_index(["region", "year"])
    assert read_table("x", frame).columns == {
        "region": ["Brest", "Gomel"],
        "year": [2026, 2026],
        "amount": [1.0, 2.0],
    }
    unnamed = pd.DataFrame({"amount": [1.0]}, index=[7])
    assert read_table("x", unnamed).columns == {"amount": [1.0]}


def test_polars() -> None:
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {
            "year": [2026, 2027],
            "amount": [1.5, float("nan")],
            "region": ["Brest", None],
            "day": [dt.date(2026, 1, 1), None],
        }
    )
    table = read_table("x", frame)
    assert table == RawTable(
        "x",
        "<polars DataFrame>",
        {
            "year": [2026, 2027],
            "amount": [1.5, None],
            "region": ["Brest", None],
            "day": [dt.date(2026, 1, 1), None],
        },
        2,
    )
    assert read_table("x", frame.lazy()).columns == table.columns


def test_pyarrow() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.table({"year": [2026, 2027], "amount": [1.5, float("nan")], "region": ["a", None]})
    raw = read_table("x", table)
    assert raw == RawTable(
        "x",
        "<pyarrow Table>",
        {"year": [2026, 2027], "amount": [1.5, None], "region": ["a", None]},
        2,
    )
    assert read_table("x", table.to_batches()[0]).columns == raw.columns


def test_dataframe_libraries_stay_unimported() -> None:
    code = (
        "import sys\n"
        "from directive_dsl.data import read_table, bind_table, DatasetSchema\n"
        "open('x.csv', 'w').write('year,amount\\n2026,5\\n')\n"
        "bind_table(DatasetSchema(name='x'), read_table('x', 'x.csv'))\n"
        "bind_table(DatasetSchema(name='x'), read_table('x', [{'year': 2026}]))\n"
        "print(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'numpy') if m in sys.modules))\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"


# --- find_in_dir ------------------------------------------------------------------


def test_find_in_dir_takes_the_first_extension() -> None:
    folder = Path("data")
    assert find_in_dir(folder, "fdi") is None
    write("data/fdi.parquet", "")
    assert find_in_dir(folder, "fdi") == folder / "fdi.parquet"
    write("data/fdi.jsonl", "")
    write("data/fdi.json", "")
    assert find_in_dir(folder, "fdi") == folder / "fdi.json"
    write("data/fdi.tsv", "")
    assert find_in_dir(folder, "fdi") == folder / "fdi.tsv"
    write("data/fdi.csv", "")
    assert find_in_dir(folder, "fdi") == folder / "fdi.csv"
    (folder / "other.csv").mkdir()
    assert find_in_dir(folder, "other") is None


# --- path containment -------------------------------------------------------------

OUTSIDE_HINT = (
    "   = hint: a directive may only read files inside its own folder (`project`); "
    "bind the data yourself (--data NAME=PATH), or allow paths outside the folder"
)


def test_paths_inside_the_folder_are_allowed() -> None:
    write("project/data/x.csv", "a\n1\n")
    base = Path("project")
    assert read_table("x", "data/x.csv", base_dir=base, allow_outside=False).n_rows == 1
    assert read_table("x", "data/../data/x.csv", base_dir=base, allow_outside=False).n_rows == 1


def test_an_absolute_path_is_refused(tmp_path: Path) -> None:
    write("project/x.csv", "a\n1\n")
    absolute = str(tmp_path / "project" / "x.csv")
    error = error_of(
        lambda: read_table("x", absolute, base_dir=Path("project"), allow_outside=False)
    )
    assert error.code == "E509"
    assert str(error) == (
        f"{absolute}: error[E509]: path `{absolute}` leaves the directive's folder\n" + OUTSIDE_HINT
    )


def test_dot_dot_escaping_is_refused() -> None:
    write("secret.csv", "a\n1\n")
    Path("project").mkdir()
    error = error_of(
        lambda: read_table("x", "../secret.csv", base_dir=Path("project"), allow_outside=False)
    )
    assert str(error) == (
        "../secret.csv: error[E509]: path `../secret.csv` leaves the directive's folder\n"
        + OUTSIDE_HINT
    )
    assert read_table("x", "../secret.csv", base_dir=Path("project")).n_rows == 1


def test_symlink_escaping_is_refused() -> None:
    write("secret.csv", "a\n1\n")
    write("outside/other.csv", "a\n2\n")
    Path("project").mkdir()
    Path("project/link.csv").symlink_to(Path("secret.csv").resolve())
    Path("project/folder").symlink_to(Path("outside").resolve())
    for path in ("link.csv", "folder/other.csv"):
        with pytest.raises(DirectiveDataError) as info:
            read_table("x", path, base_dir=Path("project"), allow_outside=False)
        error = info.value
        assert error.code == "E509"
        assert error.message.startswith(f"path `{path}` leaves the directive's folder (it leads to ")
    assert read_table("x", "link.csv", base_dir=Path("project")).n_rows == 1


def test_symlink_inside_the_folder_is_allowed() -> None:
    write("project/real.csv", "a\n1\n")
    Path("project/link.csv").symlink_to(Path("project/real.csv").resolve())
    assert read_table("x", "link.csv", base_dir=Path("project"), allow_outside=False).n_rows == 1


def test_without_base_dir_the_working_folder_contains() -> None:
    write("x.csv", "a\n1\n")
    assert resolve_path("x.csv", allow_outside=False) == Path("x.csv")
    assert error_of(lambda: resolve_path("../x.csv", allow_outside=False)).code == "E509"


# --- file errors --------------------------------------------------------------------


def test_missing_file_suggests_a_close_name() -> None:
    write("investments.csv", INVESTMENTS)
    error = error_of(lambda: read_table("x", "investment.csv"))
    assert error.code == "E500"
    assert str(error) == (
        "investment.csv: error[E500]: cannot read `investment.csv`: no such file\n"
        "   = hint: did you mean `investments.csv`?"
    )


def test_missing_folder() -> None:
    error = error_of(lambda: read_table("x", "data/x.csv"))
    assert str(error) == (
        "data/x.csv: error[E500]: cannot read `data/x.csv`: no such file\n"
        "   = hint: there is no folder `data`"
    )


def test_missing_parquet_file() -> None:
    error = error_of(lambda: read_table("x", "x.parquet"))
    assert str(error) == "x.parquet: error[E500]: cannot read `x.parquet`: no such file"


def test_folder_instead_of_a_file() -> None:
    Path("data.csv").mkdir()
    error = error_of(lambda: read_table("x", "data.csv"))
    assert str(error) == (
        "data.csv: error[E500]: `data.csv` is a folder, not a data file\n"
        "   = hint: name a file inside it (--data-dir finds NAME.csv, NAME.parquet, … in a folder)"
    )


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads everything")
def test_unreadable_file() -> None:
    path = write("x.csv", "a\n1\n")
    path.chmod(0)
    error = error_of(lambda: read_table("x", "x.csv"))
    assert str(error) == "x.csv: error[E500]: cannot read `x.csv`: permission denied"


def test_not_utf8_names_line_and_column() -> None:
    write("x.csv", "year,name\n2026,ok\n2027,caf\xe9\n".encode("latin-1"))
    error = error_of(lambda: read_table("x", "x.csv"))
    assert (error.code, error.line, error.column) == ("E500", 3, 9)
    assert str(error) == (
        "x.csv:3:9: error[E500]: `x.csv` is not UTF-8 text (byte 0xe9)\n"
        '   = hint: save the file as UTF-8, or name its encoding: with encoding "cp1251" in the '
        "dataset's `from` clause, or after the path in --data: ?encoding=cp1251"
    )


@pytest.mark.parametrize(
    ("name", "shown", "extra"),
    [
        ("x.txt", ".txt", ""),
        ("x", "(none)", ""),
        ("x.parquet.gz", ".parquet.gz", ""),
        ("x.xlsx.gz", ".xlsx.gz", ""),
    ],
)
def test_unknown_extension(name: str, shown: str, extra: str) -> None:
    write(name, "a\n1\n")
    error = error_of(lambda: read_table("x", name))
    assert str(error) == (
        f"{name}: error[E508]: cannot read `{name}`: unknown file type `{shown}`\n"
        f"   = hint: {extra}data files may be CSV (.csv), TSV (.tsv, .tab), JSON arrays of "
        "objects (.json), JSON Lines (.jsonl, .ndjson), Parquet (.parquet, .pq) or workbooks "
        "(.xlsx, .xlsm, .xls, .ods); CSV, TSV and JSON may be gzipped (.csv.gz, …)"
    )


@pytest.mark.parametrize(
    ("name", "content", "hint"),
    [
        ("x.csv", "", "a CSV file starts with a header line naming its columns"),
        ("x.csv", ",,\n,,\n", "a CSV file starts with a header line naming its columns"),
        ("x.tsv", "", "a TSV file starts with a header line naming its columns"),
        (
            "x.json",
            "  \n",
            'a .json data file holds one array of objects: [{"year": 2026, "amount": 5}, …]',
        ),
        (
            "x.jsonl",
            "\n\n",
            'each line of a JSON Lines file holds one object: {"year": 2026, "amount": 5}',
        ),
    ],
)
def test_empty_file(name: str, content: str, hint: str | None) -> None:
    write(name, content)
    error = error_of(lambda: read_table("x", name))
    assert error.code == "E504"
    assert error.message == f"`{name}` is empty"
    if hint is not None:
        assert error.hint == hint


def test_whitespace_only_csv_header() -> None:
    # A line of spaces is a header with one column named " ", not an empty file.
    write("x.csv", " \n1\n")
    assert read_table("x", "x.csv").columns == {" ": ["1"]}


def test_duplicate_header() -> None:
    write("x.csv", "year,amount,region,amount\n2026,1,a,2\n")
    error = error_of(lambda: read_table("x", "x.csv"))
    assert str(error) == (
        "x.csv:1: error[E505]: column `amount` appears twice in the header, "
        "as columns 2 and 4\n"
        "   = hint: give each column its own name"
    )


def test_unnamed_column_with_values() -> None:
    write("x.csv", ",year\n0,2026\n1,2027\n")
    error = error_of(lambda: read_table("x", "x.csv"))
    assert str(error) == (
        "x.csv:1: error[E500]: column 1 has no name in the header\n"
        "   = hint: name it in the header line, or delete the column"
    )


def test_row_with_too_many_cells() -> None:
    write("x.csv", "year,region,amount\n2026,Brest,1\n2026,Minsk, city,2\n")
    error = error_of(lambda: read_table("x", "x.csv"))
    assert (error.code, error.file, error.line) == ("E500", "x.csv", 3)
    assert str(error) == (
        "x.csv:3: error[E500]: this row has 4 cells, but the header names 3 columns\n"
        "   = hint: a cell that holds a comma must be in double quotes"
    )


def test_row_with_too_few_cells_after_a_multiline_cell() -> None:
    write("x.tsv", 'year\tnote\tamount\n2026\t"a\nb"\t1\n\n2027\t2\n')
    error = error_of(lambda: read_table("x", "x.tsv"))
    assert str(error) == (
        "x.tsv:5: error[E500]: this row has 2 cells, but the header names 3 columns\n"
        "   = hint: every row needs a cell for each column; leave a cell empty for an unknown"
    )


def test_unclosed_quote() -> None:
    write("x.csv", 'year,name\n2026,a\n2027,"b\n2028,c\n')
    error = error_of(lambda: read_table("x", "x.csv"))
    assert str(error) == (
        "x.csv:3: error[E500]: a quoted cell that starts in this row is never closed\n"
        '   = hint: end the cell with a double quote (")'
    )


def test_quote_after_a_quoted_cell() -> None:
    write("x.csv", 'year,name\n2026,"a"b\n')
    error = error_of(lambda: read_table("x", "x.csv"))
    assert str(error) == (
        "x.csv:2: error[E500]: a double quote in the middle of a cell\n"
        '   = hint: put the whole cell in double quotes and double each quote inside it: "a ""b"""'
    )


def test_invalid_json() -> None:
    write("x.json", '[{"year": 2026},\n {"year": 2027,}]')
    error = error_of(lambda: read_table("x", "x.json"))
    assert (error.line, error.column) == (2, 16)
    assert str(error) == (
        "x.json:2:16: error[E500]: not valid JSON: Expecting property name enclosed in "
        "double quotes\n"
        '   = hint: a .json data file holds one array of objects: [{"year": 2026, "amount": 5}, …]'
    )


def test_json_that_is_not_an_array() -> None:
    write("x.json", '{"rows": []}')
    error = error_of(lambda: read_table("x", "x.json"))
    assert str(error) == (
        "x.json: error[E508]: `x.json` holds an object, not an array of objects\n"
        '   = hint: a .json data file holds one array of objects: [{"year": 2026, "amount": 5}, '
        "…]; for one object per line, use JSON Lines (.jsonl)"
    )


def test_json_array_of_non_objects() -> None:
    write("x.json", '[{"year": 2026}, [2027]]')
    error = error_of(lambda: read_table("x", "x.json"))
    assert str(error) == (
        "x.json: error[E508]: item 2 of `x.json` is a list, not an object\n"
        "   = hint: every item must be an object"
    )


def test_invalid_json_line() -> None:
    write("x.jsonl", '{"year": 2026}\n\n{"year": }\n')
    error = error_of(lambda: read_table("x", "x.jsonl"))
    assert str(error) == (
        "x.jsonl:3:10: error[E500]: not valid JSON: Expecting value\n"
        '   = hint: each line of a JSON Lines file holds one object: {"year": 2026, "amount": 5}'
    )


def test_json_line_that_is_not_an_object() -> None:
    write("x.jsonl", '{"year": 2026}\n"2027"\n')
    error = error_of(lambda: read_table("x", "x.jsonl"))
    assert str(error) == (
        "x.jsonl:2: error[E508]: this line is a string, not an object\n"
        '   = hint: each line of a JSON Lines file holds one object: {"year": 2026, "amount": 5}'
    )


def test_deeply_nested_json() -> None:
    write("x.json", "[" * 100_000 + "]" * 100_000)
    assert error_of(lambda: read_table("x", "x.json")).code == "E500"


def test_bad_gzip() -> None:
    write("x.csv.gz", "year\n2026\n")
    error = error_of(lambda: read_table("x", "x.csv.gz"))
    assert error.code == "E500"
    assert error.message.startswith("`x.csv.gz` is not a valid gzip file: ")


def test_bad_parquet() -> None:
    write("x.parquet", "year\n2026\n")
    error = error_of(lambda: read_table("x", "x.parquet"))
    assert error.code == "E500"
    assert error.message.startswith("cannot read `x.parquet` as Parquet: ")
    assert error.hint is not None and error.hint.startswith(
        "is it a Parquet file? Other formats need their own extension (.csv, .json, …)"
    )


# --- errors of in-memory tables ---------------------------------------------------------

BINDING_HINT = (
    "bind a path to a data file, a list of dicts, or a pandas DataFrame, polars DataFrame "
    "or pyarrow Table"
)


def test_list_with_an_item_that_is_not_a_dict() -> None:
    error = error_of(lambda: read_table("fdi", [{"year": 2026}, "2027"]))
    assert str(error) == (
        "<list of dicts>: error[E508]: item 2 of the list of dicts is a string, not a dict\n"
        "   = hint: every item must be a dict"
    )


@pytest.mark.parametrize(
    ("value", "shown", "extra"),
    [
        (42, "an int", ""),
        (b"x", "a bytes", ""),
        (
            {"year": [2026]},
            "a dict",
            "for a dict of columns, pass pandas.DataFrame(data) or polars.DataFrame(data); ",
        ),
        (None, "a NoneType", ""),
    ],
)
def test_unsupported_binding(value: object, shown: str, extra: str) -> None:
    error = error_of(lambda: read_table("fdi", value))
    assert str(error) == (
        f"<input>: error[E508]: dataset `fdi` is bound to {shown}, which is not a table\n"
        f"   = hint: {extra}{BINDING_HINT}"
    )


def test_pandas_duplicate_columns() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([[2026, 1, 2]], columns=["year", "amount", "amount"])
    error = error_of(lambda: read_table("x", frame))
    assert str(error) == (
        "<pandas DataFrame>: error[E505]: column `amount` appears twice in the pandas "
        "DataFrame, as columns 2 and 3\n"
        "   = hint: give each column its own name"
    )


def test_pandas_index_level_named_like_a_column() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"year": [2026]}, index=pd.Index([2026], name="year"))
    assert error_of(lambda: read_table("x", frame)).code == "E505"


def test_pyarrow_duplicate_columns() -> None:
    pa = pytest.importorskip("pyarrow")
    table = pa.Table.from_arrays([pa.array([1]), pa.array([2])], names=["a", "a"])
    error = error_of(lambda: read_table("x", table))
    assert error.message == "column `a` appears twice in the pyarrow Table, as columns 1 and 2"
