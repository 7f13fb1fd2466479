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

from .options import DEFAULTS, FileOptions
from .raw import RawTable, data_error, describe, nan_to_none, origin_text

_TABLE_HINT = 'a .json data file holds one array of objects: [{"year": 2026, "amount": 5}, …]'
_JSONL_HINT = 'each line of a JSON Lines file holds one object: {"year": 2026, "amount": 5}'


def decode(data: bytes, origin: str, encoding: str | None = None) -> str:
    """*data* as text in *encoding* (default UTF-8; a byte order mark is dropped);
    E500 at the first byte that is not in it."""
    codec = codecs.lookup(encoding or "utf-8").name
    if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        start = exc.start
        line = data.count(b"\n", 0, start) + 1
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode(codec, errors="replace")) + 1
        named = encoding is not None
        raise data_error(
            "E500",
            f"`{origin}` is not {encoding if named else 'UTF-8'} text (byte 0x{data[start]:02x})",
            file=origin,
            line=line,
            column=column,
            hint=(f"is it in another encoding? name that one: {option_hint('encoding', 'utf-8')}"
                  if named else
                  "save the file as UTF-8, or name its encoding: " + option_hint("encoding", "cp1251")),
        ) from None
    return text.removeprefix("\ufeff") if codec != "utf-8" else text


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


def read_delimited(
    name: str, origin: str, text: str, delimiter: str, options: FileOptions = DEFAULTS
) -> RawTable:
    """A CSV (``,``) or TSV (tab) file, or one with its own *delimiter*: a header line,
    then one record per row."""
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
    return table_from_records(name, origin, records, starts, delimiter=delimiter, options=options)


def table_from_records(
    name: str,
    origin: str,
    records: list[list[str]],
    starts: Sequence[int],
    *,
    delimiter: str | None,
    options: FileOptions,
) -> RawTable:
    """The table in text *records* (a delimited file's, or a sheet's when *delimiter* is
    None), each starting on the line or row in *starts*: the header, then the rows."""
    place = "line" if delimiter is not None else "row"
    header_at = _header_index(records, starts, origin, delimiter, options.header)
    header = records[header_at]
    header_line = starts[header_at]
    body = records[header_at + 1 :]
    lines: Sequence[int] = starts[header_at + 1 :]
    if delimiter is not None:
        _check_one_column(header, body, origin, header_line, delimiter)
    _check_title(header, body, lines, origin, header_line, place)
    width = len(header)
    if set(map(len, body)) - {width}:
        body, lines = _drop_rows(body, lines, [i for i, r in enumerate(body) if not any(r)])
        bad = next((i for i, record in enumerate(body) if len(record) != width), None)
        if bad is not None:
            raise _width_error(origin, lines[bad], len(body[bad]), width, delimiter or ",")
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
    columns = _named_columns(header, values, origin, header_line, place)
    return RawTable(name, origin, columns, len(body), header_line, lines, options=options)


_WHERE_OPTIONS = "in the dataset's `from` clause, or after the path in --data: ?{key}={value}"


def option_hint(key: str, value: str) -> str:
    """How to give file option *key* the value *value*, in a directive and on the command line."""
    url = {"\t": "%09", "&": "%26"}.get(value, value)
    return f'with {key} {value if key == "header" else json.dumps(value)} ' + _WHERE_OPTIONS.format(
        key=key, value=url
    )


def _header_index(
    records: list[list[str]],
    starts: Sequence[int],
    origin: str,
    delimiter: str | None,
    header: int | None,
) -> int:
    """The index in *records* of the header: the first record that is not blank, or the
    one on the line (row) the `header` option names."""
    place = "line" if delimiter is not None else "row"
    if header is None:
        found = next((k for k, record in enumerate(records) if any(record)), None)
        if found is None:
            kind = "sheet" if delimiter is None else "TSV file" if delimiter == "\t" else "CSV file"
            raise data_error(
                "E504",
                f"`{origin}` is empty",
                file=origin,
                hint=f"a {kind} starts with a header {place} naming its columns",
            )
        return found
    at = next((k for k, start in enumerate(starts) if start >= header), None)
    if at is None or starts[at] != header:
        last = starts[-1] if len(starts) else 0
        what = (f"`{origin}` has {last} {place}s" if at is None
                else f"{place} {header} is inside a quoted cell that starts on {place} {starts[at - 1]}")
        raise data_error(
            "E514",
            f"header {header} names {place} {header}, but {what}",
            file=origin,
            hint=f"name the {place} that holds the column names: " + option_hint("header", "N"),
        )
    if not any(records[at]):
        raise data_error(
            "E514",
            f"{place} {header} is empty, but header {header} names it as the header",
            file=origin,
            line=header,
            hint=f"name the {place} that holds the column names: " + option_hint("header", "N"),
        )
    return at


_SEPARATORS = (";", "\t", "|", ",")


def _check_one_column(
    header: list[str], body: list[list[str]], origin: str, header_line: int, delimiter: str
) -> None:
    """E513 when every cell lands in one column because the file has another delimiter."""
    named = [cell for cell in header if cell]
    if len(named) != 1 or header[0] != named[0]:
        return
    counts = {s: named[0].count(s) for s in _SEPARATORS if s != delimiter}
    separator = max(counts, key=lambda s: counts[s])
    first = next((record for record in body if any(record)), None)
    if not counts[separator] or (first is not None and separator not in first[0]):
        return  # a title above the header, rather
    shown = "a tab" if separator == "\t" else f"`{separator}`"
    written = "a tab" if delimiter == "\t" else f"`{delimiter}`"
    raise data_error(
        "E513",
        f"every row is one cell: the file seems to separate cells with {shown}, not {written}",
        file=origin,
        line=header_line,
        hint="read it " + option_hint("delimiter", separator),
    )


def _check_title(
    header: list[str],
    body: list[list[str]],
    lines: Sequence[int],
    origin: str,
    header_line: int,
    place: str,
) -> None:
    """E514 when the header holds only a title in its first cell and the rows below are wider."""
    filled = [i for i, cell in enumerate(header) if cell.strip()]
    if len(filled) != 1 or any(any(c.strip() for c in r[: filled[0]]) for r in body):
        return  # not one cell in the first column of the table
    wide = next((i for i, record in enumerate(body) if sum(1 for c in record if c.strip()) > 1), None)
    if wide is None:
        return
    text = header[filled[0]]
    title = text if len(text) <= 40 else text[:39] + "…"
    raise data_error(
        "E514",
        f"{place} {header_line} holds one cell, {json.dumps(title, ensure_ascii=False)}, "
        "not the names of the columns",
        file=origin,
        line=header_line,
        hint=f"if the column names are in {place} {lines[wide]}, say so: "
        + option_hint("header", str(lines[wide])),
    )


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
    header: list[str], values: list[list[object]], origin: str, header_line: int, place: str
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
                hint=f"name it in the header {place}, or delete the column",
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
