"""A CSV or TSV file read in chunks holds exactly what reading it whole and binding it holds;
a file with anything to report is left to the whole reading, which words it."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from directive_dsl.data import DataFile, DatasetSchema, FileOptions, bind_table, read_table
from directive_dsl.data import chunks as chunks_module
from directive_dsl.data.chunks import ChunkedTable, chunked_from_bound, read_csv_chunks
from directive_dsl.data.readers import delimited_file
from directive_dsl.data.values import comma_decimals, texts_to_numbers, to_numbers


@pytest.fixture(autouse=True)
def _small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of three rows or twenty characters, so every file here spans several; files
    in a fresh folder."""
    monkeypatch.setattr(chunks_module, "CHUNK_ROWS", 3)
    monkeypatch.setattr(chunks_module, "CHUNK_CHARS", 20)
    monkeypatch.chdir(tmp_path)


def rows_of(table: ChunkedTable) -> dict[str, list[Any]]:
    """Every column of *table* as the values of its rows, chunks joined."""
    out: dict[str, list[Any]] = {name: [] for name in table.dimensions}
    out.update({"#" + name: [] for name in table.measures})
    if table.time_column is not None:
        out["@time"] = []
    for chunk in table.chunks:
        for name, values in table.dimensions.items():
            out[name].extend(values[c] for c in chunk.dimensions[name])
        for name in table.measures:
            out["#" + name].extend(chunk.numbers(name))
        if chunk.times is not None:
            out["@time"].extend(table.periods[c] for c in chunk.times)
    return out


def both(value: object, schema: DatasetSchema) -> tuple[ChunkedTable | None, ChunkedTable]:
    source = delimited_file(value)
    assert source is not None
    chunked = read_csv_chunks(schema, source)
    whole = chunked_from_bound(bind_table(schema, read_table(schema.name, value)))
    return chunked, whole


def same(chunked: ChunkedTable | None, whole: ChunkedTable) -> None:
    assert chunked is not None
    for field in ("n_rows", "time_column", "grain", "dimensions", "measures", "periods", "columns",
                  "numeric_dimensions"):
        assert getattr(chunked, field) == getattr(whole, field), field
    assert rows_of(chunked) == rows_of(whole)


TRADE = DatasetSchema(name="trade", dimensions=("region",), measures=("amount",))


@pytest.mark.parametrize(
    "text",
    [
        "year,region,amount\n2024,Brest,1\n2024,Minsk,2.5\n2025,Brest,\n2025,,NA\n2026,Gomel,1e3\n",
        "year,region,amount\r\n2024,Brest,1\r\n2025,Minsk,2\r\n2026,Gomel,3",  # CRLF, no last newline
        "year,region,amount\r2024,Brest,1\r2025,Minsk,2\r",  # old Mac line ends
        '\n\nyear,region,amount\n2024,"Brest, city",1\n2025,"Min\nsk",2\n\n2026,Gomel,3\n',
        "year,region,amount\n2024,Brest,1\n,,\n2025,Minsk,2\n\n2026,Gomel,3\n2027,x,4\n",
        "\ufeffyear,region,amount,note,code\n2024,Brest,1,a,1\n2025,Minsk,2,,2\n2026,Gomel,3,c,x\n"
        "2027,Vitebsk,4,d,5\n",  # a column inferred as text only in its last chunk
        "year,region,amount,share\n2024,Brest,1,\n2025,Minsk,2,\n2026,Gomel,3,\n2027,x,4,0.5\n",
        "month,region,amount\n2024-01,Brest,1\n2024-Q1,Minsk,2\n2024,Gomel,3\n2024-01,x,4\n",
        "year,region,amount\n",  # no rows
    ],
)
def test_chunks_hold_what_the_whole_file_holds(text: str) -> None:
    Path("trade.csv").write_text(text, encoding="utf-8", newline="")
    same(*both("trade.csv", TRADE))


def test_gzipped_tsv_with_a_decimal_comma() -> None:
    text = "year\tregion\tamount\n2024\tBrest\t1,5\n2025\tMinsk\t1 234,25\n2026\tGomel\t3\n2027\ty\t4\n"
    Path("trade.tsv.gz").write_bytes(gzip.compress(text.encode()))
    same(*both(DataFile("trade.tsv.gz", FileOptions(decimal=",")), TRADE))


def test_another_encoding_keeps_its_byte_order_mark_out() -> None:
    text = "\ufeffyear;region;amount\n2024;Брест;1\n2025;Минск;2\n2026;Гомель;3\n2027;y;4\n"
    Path("trade.csv").write_bytes(text.encode("utf-16"))
    same(*both(DataFile("trade.csv", FileOptions(delimiter=";", encoding="utf-16")), TRADE))


@pytest.mark.parametrize(
    "text",
    [
        "year,region,amount\n2024,Brest,1\n2025,Minsk,x\n",  # a bad number (E502)
        "year,region,amount\n2024,Brest,1\n2025,Minsk\n",  # a short row (E500)
        "year,region,amount\n2024,Brest,1\nsoon,Minsk,2\n",  # a bad period (E503)
        "year,region,amount\n2024,Brest,1\n2025,\"Minsk,2\n",  # a quote never closed (E500)
        "year,region,region,amount\n2024,Brest,Brest,1\n",  # a repeated column (E505)
        "Trade by region\nyear,region,amount\n2024,Brest,1\n",  # a title above the header
        "year;region;amount\n2024;Brest;1\n",  # another delimiter (E513)
        "year,amount\n2024,1\n",  # a declared column missing (E501)
        "",  # empty (E504)
    ],
)
def test_a_file_with_a_problem_is_left_to_the_whole_reading(text: str) -> None:
    Path("trade.csv").write_text(text, encoding="utf-8")
    source = delimited_file("trade.csv")
    assert source is not None
    assert read_csv_chunks(TRADE, source) is None


def test_only_delimited_files_are_read_in_chunks() -> None:
    Path("trade.json").write_text("[]", encoding="utf-8")
    assert delimited_file("trade.json") is None
    assert delimited_file("missing.csv") is None
    assert delimited_file([{"year": 2024}]) is None


@pytest.mark.parametrize(
    "cells",
    [
        ["1", "2.5", "-0", "1e5", " 12 "],
        ["1", "nan"], ["1", "NaN"], ["inf", "2"], ["1e400"], ["9" * 400], ["1e308", "1e308"],
        ["1_000"], ["\uff11\uff12"], ["12\u00a0"], ["NA", ""], ["1", "x"], ["1,5", "2"],
    ],
)
@pytest.mark.parametrize("decimal", [".", ","])
def test_text_cells_become_the_numbers_binding_gives(cells: list[str], decimal: str) -> None:
    expected = to_numbers(comma_decimals(list(cells)) if decimal == "," else list(cells))
    found = texts_to_numbers(cells, decimal)
    assert found[1] == expected[1]
    assert [None if v is None else repr(v) for v in found[0]] == [
        None if v is None else repr(v) for v in expected[0]]
