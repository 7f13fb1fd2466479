"""Bring what a dataset is bound to into Spark, read by Spark: DataFrames, tables and files.

- a Spark DataFrame is used as it is;
- a table name (``trade``, ``sales.trade``, ``catalog.sales.trade``) that
  the session's catalog knows is read with ``session.table``;
- a file or a URI (``s3a://…``, ``hdfs://…``, ``abfss://…``) is read by
  Spark: Parquet (a folder of Parquet parts too), CSV and TSV with a header
  and every cell as text (typed afterwards as the reference reader types
  them), JSON arrays and JSON Lines.

Columns are renamed ``c0``, ``c1``, … in a temporary view (Spark matches
names without regard to case, and the reference reader does not). Whatever
Spark would read differently from the reference reader (an empty file, a
repeated or unnamed header cell, a broken row of a local file) raises
:class:`NotNative`: the engine then reads it with :mod:`directive_dsl.data`,
which gives the reference engine's error, or its rows.

Bad values are located as well as the source allows: the row (by Spark's
scan order) for files and DataFrames, and, for local CSV, TSV and JSON Lines
files, the line, found by reading the file on the driver; a table's rows
have no order, so its messages name the column and the value only.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import attrs
from sqlglot import exp

from ...data import FORMATS, resolve_path
from ...data.frames import check_unique
from ...data.raw import data_error
from ...data.readers import gzip_intact
from ...source import display_path
from ..sql.remote import is_uri, table_name
from ..sql.remote_binding import Family, Relation

_FAMILIES: dict[str, Family] = {
    "StringType": "text", "VarcharType": "text", "CharType": "text",
    "ByteType": "int", "ShortType": "int", "IntegerType": "int", "LongType": "int",
    "FloatType": "float", "DoubleType": "float", "DecimalType": "decimal",
    "BooleanType": "bool", "DateType": "date", "TimestampType": "timestamp",
    "TimestampNTZType": "timestamp", "NullType": "null",
}
ORIGIN = "<Spark DataFrame>"


class NotNative(Exception):
    """Spark cannot read this binding as the reference reader does; that reader must."""


@attrs.frozen
class Opened:
    """A binding as a Spark relation, and the local file it came from (re-read if Spark fails).

    ``reworded``: Spark may type the file's values otherwise than the
    reference reader (JSON: a column of numbers and booleans becomes text),
    so a bad value is best named by that reader.
    """

    relation: Relation
    local: Path | None
    reworded: bool = False


def is_spark_error(error: BaseException) -> bool:
    """Whether *error* comes from Spark or its JVM (not from this package)."""
    return any(cls.__module__.startswith(("pyspark", "py4j")) for cls in type(error).__mro__)


def _is_json(path: Path) -> bool:
    return FORMATS.get(os.path.splitext(path.name.lower().removesuffix(".gz"))[1]) in ("json", "jsonl")


def family(data_type: object) -> Family:
    """The family of a Spark SQL type."""
    return _FAMILIES.get(type(data_type).__name__, "other")


def is_spark_frame(value: object) -> bool:
    """Whether *value* is a Spark DataFrame (classic or Spark Connect)."""
    return any(cls.__name__ == "DataFrame" and cls.__module__.startswith("pyspark.sql")
               for cls in type(value).__mro__)


class Sources:
    """The temporary views one engine creates in a session, dropped on close."""

    def __init__(self, session: Any, prefix: str) -> None:
        self.session = session
        self.prefix = prefix
        self.views: list[str] = []

    def new_view(self, frame: Any) -> exp.Table:
        """*frame* as a temporary view of a new name."""
        name = f"{self.prefix}_{len(self.views)}"
        frame.createOrReplaceTempView(name)
        self.views.append(name)
        return exp.Table(this=exp.to_identifier(name, quoted=True))

    def close(self) -> None:
        for name in reversed(self.views):
            self.session.catalog.dropTempView(name)
        self.views.clear()

    # ---------------------------------------------------------------- kinds of binding

    def open(self, name: str, value: object, *, base_dir: Path | None, allow_outside: bool) -> Opened:
        """*value* as a Spark relation; NotNative when the reference reader must read it."""
        if is_spark_frame(value):
            return Opened(self._frame(name, value, ORIGIN, numbered=True), None)
        table = table_name(value, base_dir=base_dir, allow_outside=allow_outside)
        if table is not None and self._is_table(table):
            return Opened(self._frame(name, self.session.table(table), table, numbered=False), None)
        if is_uri(value):
            assert isinstance(value, str)
            if not allow_outside:
                raise data_error("E509", f"path `{value}` leaves the directive's folder", file=value,
                                 hint="bind the data yourself (--data NAME=URI)")
            return Opened(self._file(name, value, value, None), None)
        if table is not None:
            raise data_error("E500", f"`{table}` is neither a table Spark knows nor a file", file=table,
                             hint="name a table as it is in the catalog (SHOW TABLES), or a file with its extension")
        if not isinstance(value, str | os.PathLike) or isinstance(os.fspath(value), bytes):
            raise NotNative
        path = resolve_path(value, base_dir=base_dir, allow_outside=allow_outside)
        parts = path.is_dir() and any(path.glob("*.parquet"))
        if not path.is_file() and not parts:
            raise NotNative
        try:
            relation = self._file(name, str(path), display_path(str(path)), path, "parquet" if parts else None)
        except NotNative:
            raise
        except Exception as error:  # Spark could not read it (schema inference reads JSON at once)
            if is_spark_error(error):
                raise NotNative from error
            raise
        return Opened(relation, path, reworded=_is_json(path))

    def _is_table(self, name: str) -> bool:
        try:
            return bool(self.session.catalog.tableExists(name))
        except Exception as error:  # an unknown catalog, say
            if is_spark_error(error):
                return False
            raise

    def _frame(self, name: str, frame: Any, origin: str, *, numbered: bool,
               names: list[str] | None = None, lines: Any = None) -> Relation:
        names = names if names is not None else [str(c) for c in frame.columns]
        check_unique(names, origin if origin.startswith("<") else f"<{origin}>")
        physical = [f"c{i}" for i in range(len(names))]
        renamed = frame.toDF(*physical)
        view = self.new_view(renamed)
        families = {n: family(f.dataType) for n, f in zip(names, renamed.schema.fields, strict=True)}
        counted = None
        if numbered:
            counted = exp.select(exp.alias_(exp.func("monotonically_increasing_id"), "__row", quoted=True),
                                 exp.Star()).from_(view.copy()).subquery("numbered")
        return Relation(name=name, origin=origin, table=view, columns=dict(zip(names, physical, strict=True)),
                        families=families, numbered=counted, dense=False, lines=lines)

    def _file(self, name: str, location: str, origin: str, local: Path | None,
              fmt: str | None = None) -> Relation:
        lowered = location.lower()
        compressed = lowered.endswith(".gz")
        fmt = fmt or FORMATS.get(os.path.splitext(lowered.removesuffix(".gz"))[1])
        if fmt is None and local is None and not os.path.splitext(lowered)[1]:
            fmt = "parquet"  # a folder of Parquet parts
        if fmt is None or fmt == "excel" or (fmt == "parquet" and compressed):
            if local is not None:
                raise NotNative  # workbooks and unknown types: the reference reader
            if fmt == "excel":
                raise data_error("E508", f"cannot read `{origin}`: a workbook is read from a local file only",
                                 file=origin, hint="copy it here, or save the sheet as CSV or Parquet")
            raise data_error("E508", f"cannot read `{origin}`: unknown file type", file=origin)
        if compressed and local is not None and not gzip_intact(local):
            raise NotNative  # damaged: the reference reader says how (E500)
        reader = self.session.read
        if fmt == "parquet":
            frame = reader.parquet(location)
            return self._checked(name, frame, origin, local, None)
        if fmt in ("json", "jsonl"):
            frame = reader.json(location, multiLine=fmt == "json", mode="FAILFAST")
            if "_corrupt_record" in frame.columns:
                raise NotNative
            if local is not None:
                keys = json_keys(local, fmt)
                if keys is None or not set(keys) <= set(frame.columns):
                    raise NotNative
                keys += [k for k in frame.columns if k not in keys]
                frame = frame.select(*(_column(k) for k in keys))
            lines = (lambda row: jsonl_line(local, row)) if fmt == "jsonl" and local is not None else None
            return self._checked(name, frame, origin, local, lines)
        return self._delimited(name, location, origin, local, "\t" if fmt == "tsv" else ",")

    def _checked(self, name: str, frame: Any, origin: str, local: Path | None, lines: Any) -> Relation:
        if not frame.columns:
            if local is not None:
                raise NotNative  # the reference reader says how it is empty
            raise data_error("E504", f"`{origin}` is empty", file=origin)
        if len(set(frame.columns)) != len(frame.columns) and local is not None:
            raise NotNative
        return self._frame(name, frame, origin, numbered=True, lines=lines)

    def _delimited(self, name: str, location: str, origin: str, local: Path | None,
                   delimiter: str) -> Relation:
        from pyspark.sql.types import StringType, StructField, StructType

        options = {"sep": delimiter, "quote": '"', "escape": '"', "mode": "FAILFAST", "header": True}
        if local is not None:
            header = read_header(local, delimiter)
            if header is None or "" in header or len(set(header)) != len(header) or len(header) == 1:
                # empty, an unnamed or a repeated column, or one column (another delimiter, a
                # title row): the reference reader decides
                raise NotNative
            schema = StructType([StructField(f"c{i}", StringType()) for i in range(len(header))])
            frame = self.session.read.csv(location, schema=schema, enforceSchema=True, **options)
        else:
            frame = self.session.read.csv(location, inferSchema=False, **options)
            header = [str(c) for c in frame.columns]
            if not header:
                raise data_error("E504", f"`{origin}` is empty", file=origin,
                                 hint="a CSV file starts with a header line naming its columns")
        physical = [f"c{i}" for i in range(len(header))]
        frame = frame.toDF(*physical)
        blank = [(frame[c].isNull() | (frame[c] == "")) for c in physical]
        every = blank[0]
        for check in blank[1:]:
            every = every & check
        frame = frame.filter(~every)  # rows with no cell at all, as the reference reader drops them
        lines = (lambda row: csv_line(local, delimiter, row)) if local is not None else None
        return self._frame(name, frame, origin, numbered=True, names=header, lines=lines)


def _column(name: str) -> Any:
    """A column of a DataFrame by its exact name (dots and backticks in it included)."""
    from pyspark.sql import functions

    return functions.col("`" + name.replace("`", "``") + "`")


# ---------------------------------------------------------------- local files, read on the driver


def _text(path: Path) -> IO[str]:
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _records(path: Path, delimiter: str) -> Iterator[tuple[list[str], int]]:
    """Each non-blank record of a delimited file with the line it starts on."""
    with _text(path) as stream:
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        previous = 0
        for record in reader:
            if any(record):
                yield record, previous + 1
            previous = reader.line_num


def read_header(path: Path, delimiter: str) -> list[str] | None:
    """The header of a local delimited file; None when it is empty. NotNative when it is broken."""
    try:
        for record, _ in _records(path, delimiter):
            return record
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, zlib.error) as error:
        raise NotNative from error
    return None


def csv_line(path: Path, delimiter: str, row: int) -> int | None:
    """The line of 0-based data row *row* of a local delimited file."""
    try:
        for index, (_, line) in enumerate(_records(path, delimiter)):
            if index == row + 1:
                return line
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, zlib.error):
        return None
    return None


def jsonl_line(path: Path, row: int) -> int | None:
    """The line of 0-based row *row* of a local JSON Lines file (blank lines hold no row)."""
    with _text(path) as stream:
        index = 0
        for number, line in enumerate(stream.read().split("\n"), start=1):
            if line.strip():
                if index == row:
                    return number
                index += 1
    return None


def json_keys(path: Path, fmt: str, first: int = 10_000) -> list[str] | None:
    """The keys of a local JSON file's objects in the order they first appear (the column order).

    For JSON Lines, the keys of the *first* objects; Spark's order for keys seen later.
    """
    try:
        with _text(path) as stream:
            if fmt == "json":
                rows = json.load(stream)
            else:
                lines = (line for line in stream if line.strip())
                rows = [json.loads(line) for _, line in zip(range(first), lines, strict=False)]
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, EOFError, zlib.error):
        return None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        return None
    return list(dict.fromkeys(key for row in rows for key in row))
