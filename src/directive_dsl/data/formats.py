"""File formats: CSV, TSV, JSON arrays, JSON Lines and Parquet into a :class:`RawTable`.

Text formats arrive decoded (see :func:`decode`); every cell of a CSV or TSV
stays a string, typing happens at binding. Rows remember their line in the
file so messages can point at it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from array import array
from collections.abc import Mapping, Sequence
from operator import itemgetter
from pathlib import Path
from typing import cast

from .raw import RawTable, data_error, describe, nan_to_none, origin_text

_TABLE_HINT = 'a .json data file holds one array of objects: [{"year": 2026, "amount": 5}, …]'
_JSONL_HINT = 'each line of a JSON Lines file holds one object: {"year": 2026, "amount": 5}'


def decode(data: bytes, origin: str) -> str:
    """*data* as UTF-8 text (a byte order mark is dropped); E500 at the first bad byte."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        raise data_error(
            "E500",
            f"`{origin}` is not UTF-8 text (byte 0x{data[start]:02x})",
            file=origin,
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def _record_lines(text: str, delimiter: str, origin: str) -> array[int]:
    """The first line of each record (a quoted cell may span lines); E500 at a broken record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    starts: array[int] = array("q")
    previous = 0
    try:
        for _ in reader:
            starts.append(previous + 1)
            previous = reader.line_num
    except csv.Error as exc:
        raise _csv_error(exc, origin, previous + 1, delimiter) from None
    return starts


def _csv_error(exc: csv.Error, origin: str, line: int, delimiter: str) -> Exception:
    reason = str(exc)
    if "unexpected end of data" in reason:
        return data_error(
            "E500",
            "a quoted cell that starts in this row is never closed",
            file=origin,
            line=line,
            hint='end the cell with a double quote (")',
        )
    if "expected after" in reason:
        return data_error(
            "E500",
            "a double quote in the middle of a cell",
            file=origin,
            line=line,
            hint='put the whole cell in double quotes and double each quote inside it: "a ""b"""',
        )
    kind = "TSV" if delimiter == "\t" else "CSV"
    return data_error("E500", f"cannot read the {kind} file: {reason}", file=origin, line=line)


def read_delimited(name: str, origin: str, text: str, delimiter: str) -> RawTable:
    """A CSV (``,``) or TSV (tab) file: a header line, then one record per row."""
    kind = "TSV" if delimiter == "\t" else "CSV"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        _record_lines(text, delimiter, origin)
        raise _csv_error(exc, origin, reader.line_num, delimiter) from None
    starts: Sequence[int]
    if reader.line_num == len(records):
        starts = range(1, len(records) + 1)
    else:
        starts = _record_lines(text, delimiter, origin)
    header_at = next((k for k, record in enumerate(records) if any(record)), None)
    if header_at is None:
        raise data_error(
            "E504",
            f"`{origin}` is empty",
            file=origin,
            hint=f"a {kind} file starts with a header line naming its columns",
        )
    header = records[header_at]
    header_line = starts[header_at]
    body = records[header_at + 1 :]
    lines: Sequence[int] = starts[header_at + 1 :]
    width = len(header)
    if set(map(len, body)) - {width}:
        body, lines = _drop_rows(body, lines, [i for i, r in enumerate(body) if not any(r)])
        bad = next((i for i, record in enumerate(body) if len(record) != width), None)
        if bad is not None:
            raise _width_error(origin, lines[bad], len(body[bad]), width, delimiter)
    values: list[list[object]] = [list(map(itemgetter(i), body)) for i in range(width)]
    if body and "" in values[0]:
        blank = [
            i
            for i, cell in enumerate(values[0])
            if cell == "" and not any(column[i] for column in values)
        ]
        if blank:
            body, lines = _drop_rows(body, lines, blank)
            values = [list(map(itemgetter(i), body)) for i in range(width)]
    columns = _named_columns(header, values, origin, header_line)
    return RawTable(name, origin, columns, len(body), header_line, lines)


def _drop_rows(
    body: list[list[str]], lines: Sequence[int], drop: list[int]
) -> tuple[list[list[str]], Sequence[int]]:
    """*body* and *lines* without the rows at the indices *drop* (blank rows)."""
    if not drop:
        return body, lines
    dropped = set(drop)
    kept = [i for i in range(len(body)) if i not in dropped]
    return [body[i] for i in kept], array("q", (lines[i] for i in kept))


def _width_error(origin: str, line: int, cells: int, width: int, delimiter: str) -> Exception:
    separator = "a tab" if delimiter == "\t" else "a comma"
    return data_error(
        "E500",
        f"this row has {cells} cells, but the header names {width} columns",
        file=origin,
        line=line,
        hint=(
            f"a cell that holds {separator} must be in double quotes"
            if cells > width
            else "every row needs a cell for each column; leave a cell empty for an unknown"
        ),
    )


def _named_columns(
    header: list[str], values: list[list[object]], origin: str, header_line: int
) -> dict[str, list[object]]:
    """Header names to columns; unnamed empty columns dropped, duplicates refused."""
    columns: dict[str, list[object]] = {}
    first: dict[str, int] = {}
    for index, (title, column) in enumerate(zip(header, values, strict=True)):
        if title == "":
            if not any(column):
                continue
            raise data_error(
                "E500",
                f"column {index + 1} has no name in the header",
                file=origin,
                line=header_line,
                hint="name it in the header line, or delete the column",
            )
        if title in first:
            raise data_error(
                "E505",
                f"column `{title}` appears twice in the header, as columns "
                f"{first[title] + 1} and {index + 1}",
                file=origin,
                line=header_line,
                hint="give each column its own name",
            )
        first[title] = index
        columns[title] = column
    return columns


def rows_to_table(
    name: str,
    origin: str,
    rows: Sequence[object],
    *,
    noun: str,
    row_lines: Sequence[int] | None = None,
) -> RawTable:
    """A table from records (mappings), columns in the order keys are first seen."""
    if not all(type(row) is dict for row in rows):
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                line = row_lines[index] if row_lines is not None else None
                where = (
                    "this line"
                    if line is not None
                    else f"item {index + 1} of {origin_text(origin)}"
                )
                raise data_error(
                    "E508",
                    f"{where} is {describe(row)}, not {noun}",
                    file=origin,
                    line=line,
                    hint=_JSONL_HINT if line is not None else f"every item must be {noun}",
                )
    records = cast(Sequence[Mapping[object, object]], rows)
    shapes = dict.fromkeys(tuple(row) for row in records)
    keys = list(dict.fromkeys(key for shape in shapes for key in shape))
    columns: dict[str, list[object]] = {}
    for key in keys:
        title = key if isinstance(key, str) else str(key)
        if title in columns:
            raise data_error(
                "E505",
                f"column `{title}` appears twice in {origin_text(origin)}",
                file=origin,
                hint="give each column its own name",
            )
        if len(shapes) == 1:
            columns[title] = [row[key] for row in records]
        else:
            columns[title] = [row.get(key) for row in records]
    return RawTable(name, origin, columns, len(records), None, row_lines)


def read_json(name: str, origin: str, text: str) -> RawTable:
    """A JSON file holding one array of objects."""
    if not text.strip():
        raise data_error("E504", f"`{origin}` is empty", file=origin, hint=_TABLE_HINT)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise data_error(
            "E500",
            f"not valid JSON: {exc.msg}",
            file=origin,
            line=exc.lineno,
            column=exc.colno,
            hint=_TABLE_HINT,
        ) from None
    except RecursionError:
        raise data_error("E500", f"`{origin}` is nested too deeply", file=origin) from None
    if not isinstance(document, list):
        hint = _TABLE_HINT
        if isinstance(document, dict):
            hint += "; for one object per line, use JSON Lines (.jsonl)"
        raise data_error(
            "E508",
            f"`{origin}` holds {describe(document)}, not an array of objects",
            file=origin,
            hint=hint,
        )
    return rows_to_table(name, origin, document, noun="an object")


def read_jsonl(name: str, origin: str, text: str) -> RawTable:
    """A JSON Lines file: one object per line; blank lines are skipped."""
    rows: list[object] = []
    lines: array[int] = array("q")
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise data_error(
                "E500",
                f"not valid JSON: {exc.msg}",
                file=origin,
                line=number,
                column=exc.colno,
                hint=_JSONL_HINT,
            ) from None
        except RecursionError:
            raise data_error("E500", "nested too deeply", file=origin, line=number) from None
        lines.append(number)
    if not rows:
        raise data_error("E504", f"`{origin}` is empty", file=origin, hint=_JSONL_HINT)
    row_lines: Sequence[int] = lines
    if lines[-1] == len(lines):
        row_lines = range(1, len(lines) + 1)
    return rows_to_table(name, origin, rows, noun="an object", row_lines=row_lines)


def _parquet_problem(exc: Exception, path: Path, origin: str) -> str:
    """DuckDB's reason a Parquet file cannot be read, in words, naming the file as given."""
    text = str(exc).strip()
    if "magic bytes" in text or "too small to be a Parquet file" in text:
        return "it does not end with Parquet's footer (not Parquet, or cut short)"
    reason = text.splitlines()[0] if text else type(exc).__name__
    return reason.replace(str(path.resolve()), origin).replace(str(path), origin)


def read_parquet(name: str, origin: str, path: Path) -> RawTable:
    """A Parquet file, read with DuckDB."""
    import duckdb

    connection = duckdb.connect()
    try:
        cursor = connection.execute("SELECT * FROM read_parquet(?)", [str(path)])
        names = [str(column[0]) for column in cursor.description or ()]
        rows = cursor.fetchall()
    except duckdb.Error as exc:
        raise data_error(
            "E500",
            f"cannot read `{origin}` as Parquet: {_parquet_problem(exc, path, origin)}",
            file=origin,
            hint="is it a Parquet file? Other formats need their own extension (.csv, .json, …); "
            "a Parquet file cut short on its way here must be exported or downloaded again",
        ) from None
    finally:
        connection.close()
    values: list[list[object]] = (
        [nan_to_none(list(column)) for column in zip(*rows, strict=True)]
        if rows
        else [[] for _ in names]
    )
    columns: dict[str, list[object]] = {}
    for index, (title, column) in enumerate(zip(names, values, strict=True)):
        if title in columns:
            raise data_error(
                "E505",
                f"column `{title}` appears twice in `{origin}`, as columns "
                f"{names.index(title) + 1} and {index + 1}",
                file=origin,
                hint="give each column its own name",
            )
        columns[title] = column
    return RawTable(name, origin, columns, len(rows))
