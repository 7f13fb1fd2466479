"""Typed tables held in chunks of rows, each column compact: what the reference engine folds.

A dimension is a code per row (an ``array`` of ints) into the distinct values
of the whole table, in the order they first appear; the time column likewise
into the distinct periods; a measure is an ``array`` of floats, NaN standing
for an unknown value. A 5M-row table takes a few hundred MB instead of the
gigabytes its cells take as Python strings, and the engine folds it a chunk at
a time into the state of each request (``engines/python/fold.py``).

:func:`read_csv_chunks` types a CSV or TSV file while it reads it, so the file
is never held whole. It only takes the plain case: any problem (a bad number,
a row of the wrong width, a header it would have to guess about) makes it give
up and return None, and the caller reads the file with :func:`read_table` and
:func:`bind_table`, which name the problem exactly as they always have.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import zlib
from array import array
from collections.abc import Iterator, Sequence
from itertools import chain, islice
from operator import methodcaller
from typing import IO

import attrs

from ..periods import GRAINS, Grain, Period, parse_time_value
from .binding import (
    TIME_NAMES,
    BoundTable,
    DatasetSchema,
    dimension_columns,
    time_column_of,
)
from .readers import DelimitedFile
from .values import texts_to_numbers

#: Characters per chunk, about 50,000 rows of a narrow table: enough for the per-chunk work to
#: vanish, few enough to keep a chunk's cells (about 0.5 KB a row as Python strings) small.
CHUNK_CHARS = 1 << 21
#: Rows per chunk when the csv module reads them (a file with quoted cells).
CHUNK_ROWS = 50_000

_NAN = float("nan")


@attrs.define(eq=False)
class Chunk:
    """Some consecutive rows of a table, each column coded (see the module's description)."""

    n_rows: int
    dimensions: dict[str, Sequence[int]]
    measures: dict[str, Sequence[float | None]]
    #: The measures of this chunk that hold an unknown value (NaN in an array, else None).
    unknown: frozenset[str]
    times: Sequence[int] | None

    def numbers(self, column: str) -> list[float | None]:
        """A measure's values, None for unknown."""
        data = self.measures[column]
        if not isinstance(data, array):
            return list(data)
        values: list[float | None] = data.tolist()
        if column in self.unknown:
            values = [None if v != v else v for v in values]
        return values


@attrs.define(eq=False)
class ChunkedTable:
    """A typed table in chunks of rows; what :class:`BoundTable` holds, compactly."""

    name: str
    origin: str
    n_rows: int
    time_column: str | None
    grain: Grain | None
    #: Each dimension's distinct values (None for an empty cell), in order of appearance.
    dimensions: dict[str, list[str | None]]
    measures: tuple[str, ...]
    #: The distinct periods of the time column, in order of appearance.
    periods: list[Period]
    columns: tuple[str, ...]
    chunks: list[Chunk]
    numeric_dimensions: frozenset[str] = frozenset()


def chunked_from_bound(bound: BoundTable) -> ChunkedTable:
    """A table bound the usual way, as one chunk."""
    dimensions: dict[str, list[str | None]] = {}
    codes: dict[str, Sequence[int]] = {}
    for column, cells in bound.dimensions.items():
        index: dict[str | None, int] = {}
        for value in dict.fromkeys(cells):
            index[value] = len(index)
        dimensions[column] = list(index)
        codes[column] = list(map(index.__getitem__, cells))
    periods: list[Period] = []
    times: Sequence[int] | None = None
    if bound.time_codes is not None:
        periods, times = list(bound.time_codes.periods), bound.time_codes.codes
    elif bound.times is not None:
        where: dict[Period, int] = {}
        times = [where.setdefault(t, len(where)) for t in bound.times if t is not None]
        periods = list(where)
    unknown = frozenset(name for name, values in bound.measures.items() if None in values)
    chunk = Chunk(bound.n_rows, codes, dict(bound.measures), unknown, times)
    return ChunkedTable(
        name=bound.name, origin=bound.origin, n_rows=bound.n_rows, time_column=bound.time_column,
        grain=bound.grain, dimensions=dimensions, measures=tuple(bound.measures), periods=periods,
        columns=bound.columns, chunks=[chunk], numeric_dimensions=bound.numeric_dimensions,
    )


class _GiveUp(Exception):
    """The file is not the plain case: read it whole, which words the problem."""


def read_csv_chunks(schema: DatasetSchema, source: DelimitedFile) -> ChunkedTable | None:
    """*source* read and typed chunk by chunk, or None when it must be read whole."""
    if source.options.header is not None:
        return None
    try:
        with _open(source) as stream:
            return _read(schema, source, stream)
    except (_GiveUp, csv.Error, UnicodeError, OSError, EOFError, zlib.error, LookupError):
        return None


def _open(source: DelimitedFile) -> IO[str]:
    codec = codecs.lookup(source.options.encoding or "utf-8").name
    encoding = "utf-8-sig" if codec == "utf-8" else codec
    if source.compressed:
        return gzip.open(source.path, "rt", encoding=encoding, newline="")
    return open(source.path, encoding=encoding, newline="")


def _lines(stream: IO[str], source: DelimitedFile) -> Iterator[str]:
    """The file's lines, without the byte order mark a decoder other than UTF-8's leaves
    (UTF-8's drops one itself, as :func:`decode` does)."""
    if codecs.lookup(source.options.encoding or "utf-8").name == "utf-8":
        return iter(stream)
    first = stream.readline()
    return chain((first.removeprefix("\ufeff"),), stream)


class _Column:
    """How one column is typed, and what it has held so far."""

    def __init__(self, role: str) -> None:
        self.role = role  # "measure", "dimension", "both", "time" or "either" (inferred)
        self.index: dict[str, int] = {}  # dimension text as read -> code
        self.values: list[str | None] = []
        self.known = False  # an inferred measure has held a number


def _read(schema: DatasetSchema, source: DelimitedFile, stream: IO[str]) -> ChunkedTable:
    lines = _lines(stream, source)
    reader = csv.reader(lines, delimiter=source.delimiter, strict=True)  # reads no further than a record
    header = next((record for record in reader if any(record)), None)
    # A header with fewer than two named cells may be a title, or a file with another
    # delimiter; an unnamed or repeated column is refused: all for read_table to word.
    if header is None or sum(1 for cell in header if cell.strip()) < 2 or "" in header:
        raise _GiveUp
    if len(set(header)) != len(header):
        raise _GiveUp
    missing = [c for c in (schema.time, *(schema.dimensions or ()), *schema.measures,
                           *schema.numeric_columns) if c is not None and c not in header]
    if missing:
        raise _GiveUp
    time_column = time_column_of(schema, header)
    columns = {name: _Column(_role(schema, name, header, time_column)) for name in header}
    if time_column is not None and columns[time_column].role != "time":
        raise _GiveUp  # a time column also read as a measure or a dimension
    decimal = source.options.decimal
    periods: dict[Period, int] = {}
    period_of: dict[str, int] = {}  # time text as read -> code into periods
    chunks: list[Chunk] = []
    width = len(header)
    n_rows = 0
    for cells in _cells(stream, source.delimiter, width):
        chunk = Chunk(len(cells[0]), {}, {}, frozenset(), None)
        unknown: set[str] = set()
        for name, values in zip(header, cells, strict=True):
            column = columns[name]
            if column.role == "time":
                chunk.times = _period_codes(values, periods, period_of)
                continue
            if column.role in ("measure", "both", "either"):
                numbers, bad = texts_to_numbers(values, decimal)
                if bad >= 0 and column.role != "either":
                    raise _GiveUp
                if bad >= 0:
                    column.role = "dimension"  # not numbers after all
                    for chunk_before in chunks:
                        chunk_before.measures.pop(name, None)
                else:
                    try:
                        chunk.measures[name] = array("d", numbers)  # type: ignore[type-var]
                        column.known = True
                    except TypeError:  # an unknown value: NaN in the array
                        unknown.add(name)
                        column.known = column.known or numbers.count(None) < len(numbers)
                        chunk.measures[name] = array("d", [_NAN if v is None else v for v in numbers])
            if column.role in ("dimension", "both", "either"):
                chunk.dimensions[name] = _text_codes(values, column)
        chunk.unknown = frozenset(unknown)
        chunks.append(chunk)
        n_rows += chunk.n_rows
    return _table(schema, source, header, columns, time_column, list(periods), chunks, n_rows)


def _cells(stream: IO[str], delimiter: str, width: int) -> Iterator[list[Sequence[str]]]:
    """The cells of the rows after the header, a chunk at a time, column by column.

    Text without a double quote is split as text, several times quicker than the csv
    module with the transposing; from the first chunk with a quote, the csv module reads
    the rest of the file.
    """
    pending = ""
    while True:
        data = stream.read(CHUNK_CHARS)
        text = pending + data
        if not text:
            return
        cut = max(text.rfind("\n"), text.rfind("\r")) + 1 if data else len(text)
        if cut == 0:  # a line longer than a chunk
            pending = text
            continue
        text, pending = text[:cut], text[cut:]
        cells = _split_plain(text, delimiter, width)
        if cells is None:
            break
        yield cells
    rest = io.StringIO(text + pending + stream.readline(), newline="")
    records = csv.reader(chain(rest, stream), delimiter=delimiter, strict=True)
    while chunk := list(islice(records, CHUNK_ROWS)):
        if set(map(len, chunk)) != {width} or not all(map(any, chunk)):
            chunk = [record for record in chunk if any(record)]  # blank rows do not count
            if set(map(len, chunk)) - {width}:
                raise _GiveUp
        if chunk:
            yield list(map(list, zip(*chunk, strict=True)))


def _split_plain(text: str, delimiter: str, width: int) -> list[Sequence[str]] | None:
    """The cells of whole lines of *text*, column by column; None when the csv module must
    read them (a quote, a blank row, a row of another width, a NUL, a very long line)."""
    if '"' in text or "\0" in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows = text.split("\n")
    if rows[-1] == "":
        rows.pop()
    if not rows or set(map(methodcaller("count", delimiter), rows)) != {width - 1}:
        return None
    if max(map(len, rows)) > csv.field_size_limit():
        return None
    cells = delimiter.join(rows).split(delimiter)
    columns: list[Sequence[str]] = [cells[i::width] for i in range(width)]
    if "" in columns[0] and not all(row.strip(delimiter) for row in rows):
        return None  # a row of empty cells, which is blank
    return columns


def _role(schema: DatasetSchema, name: str, header: list[str], time_column: str | None) -> str:
    """What binding makes of a column (see :func:`bind_table`)."""
    numeric = set(schema.measures) | set(schema.numeric_columns)
    numeric |= {c for c in schema.wanted if c in header and c != schema.time}
    dimensions = dimension_columns(schema, header, time_column)
    if name in numeric:
        return "both" if name in dimensions else "measure"
    if name in dimensions:
        return "dimension"
    if name == time_column:
        return "time"
    if not schema.complete and name.lower() not in TIME_NAMES:
        return "either"
    return "dimension"


def _text_codes(values: Sequence[str], column: _Column) -> array[int]:
    index = column.index
    try:  # after the first chunks, every value is usually known already: one pass
        return array("i", list(map(index.__getitem__, values)))
    except KeyError:
        pass
    for value in dict.fromkeys(values):
        if value not in index:
            index[value] = len(column.values)
            column.values.append(value or None)
    return array("i", list(map(index.__getitem__, values)))


def _period_codes(values: Sequence[str], periods: dict[Period, int], period_of: dict[str, int]) -> array[int]:
    try:
        return array("i", list(map(period_of.__getitem__, values)))
    except KeyError:
        pass
    for value in dict.fromkeys(values):
        if value not in period_of:
            period = parse_time_value(value)
            if period is None:
                raise _GiveUp
            period_of[value] = periods.setdefault(period, len(periods))
    return array("i", list(map(period_of.__getitem__, values)))


def _table(schema: DatasetSchema, source: DelimitedFile, header: list[str], columns: dict[str, _Column],
           time_column: str | None, periods: list[Period], chunks: list[Chunk], n_rows: int) -> ChunkedTable:
    dimensions: dict[str, list[str | None]] = {}
    measures: list[str] = []
    for name, column in columns.items():
        if column.role == "either" and not column.known:
            column.role = "dimension"  # no number at all: text
        if column.role in ("measure", "both", "either"):
            measures.append(name)
        if column.role in ("dimension", "both"):
            dimensions[name] = column.values
        if column.role == "either":
            for chunk in chunks:
                chunk.dimensions.pop(name, None)
        elif column.role == "dimension":
            for chunk in chunks:
                chunk.measures.pop(name, None)
    grains = {period.grain for period in periods}
    grain = max(grains, key=GRAINS.index) if grains else None
    return ChunkedTable(
        name=schema.name, origin=source.origin, n_rows=n_rows,
        time_column=time_column, grain=grain if time_column is not None else None,
        dimensions=dimensions, measures=tuple(measures), periods=periods,
        columns=tuple(header), chunks=chunks,
    )
