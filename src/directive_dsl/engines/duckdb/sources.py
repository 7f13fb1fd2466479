"""Bring bound data into DuckDB without passing rows through Python.

Parquet files are read in place through a view; CSV and TSV files are parsed
once by ``read_csv`` into a temporary table of text cells, JSON and JSON Lines
once by ``read_json_objects`` into a table of JSON values; pandas, polars and
Arrow tables are registered (zero-copy). Whatever DuckDB cannot read exactly
as the reference reader does (a broken file, a duplicate header, lists of
dicts, nested JSON values, workbooks, files read with options such as a
delimiter or a decimal comma) goes through :mod:`directive_dsl.data` instead:
that reader then either raises the very error the Python engine raises, or
returns the rows.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import os
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
from sqlglot import exp

from ...data import FORMATS, RawTable, read_table, resolve_path
from ...data.frames import ORIGINS, frame_kind
from ...data.readers import gzip_intact
from ...disk_cache import StoredDict, cache_file, settled_identity
from ...source import display_path
from ..sql.cache import duckdb_sql

_KEPT_ROWS = 5_000


@functools.cache
def _answers() -> StoredDict:
    """Rows of questions about unchanged files, kept between runs, per DuckDB version."""
    import duckdb

    return StoredDict(cache_file(f"duckdb-file-answers-{duckdb.__version__}.pickle"), 1_000)


class Unsupported(Exception):
    """DuckDB cannot read this binding exactly as the reference reader does."""


@attrs.frozen(kw_only=True)
class Source:
    """A table in DuckDB: its relation, its columns (name -> column there) and their types."""

    name: str
    origin: str
    relation: str
    columns: dict[str, str]  # column name -> name in the relation
    types: dict[str, str]  # column name -> DuckDB type
    n_rows: int
    numbered: str  # SQL of a relation with a 0-based "__row" column, for locating bad rows
    path: Path | None = None
    delimiter: str | None = None  # CSV/TSV: where row numbers come from lines
    json_lines: bool = False  # JSON Lines: rows are the file's non-blank lines
    no_blanks: frozenset[str] = frozenset()  # text columns known to hold no "" (only NULLs)
    no_nulls: frozenset[str] = frozenset()  # columns known to hold no NULL
    finite: frozenset[str] = frozenset()  # number columns known to hold no infinite value
    nan_rare: bool = False  # floats are unlikely to hold NaN (Parquet writes unknowns as NULL)


class Loader:
    """Creates the temporary objects of one engine in its connection."""

    def __init__(self, connection: Any, prefix: str) -> None:
        self.connection = connection
        self.prefix = prefix
        self.created: list[tuple[str, str]] = []  # (kind, name) to drop on close
        self.files: dict[str, str] = {}  # relation -> identity of the unchanged file it reads

    def remembered(self, relation: str | None, sql: str) -> list[tuple[Any, ...]]:
        """The rows of *sql*, a question about the cells of *relation* alone.

        When the relation reads a file that has not changed since a run asked the
        same (its path, size, times and inode the same: :func:`settled_identity`),
        the rows that run found are taken instead: the binding checks, the file's
        statistics and the layout's sample cost 50-100 ms on 10M rows of Parquet.
        """
        identity = self.files.get(relation) if relation is not None else None
        if identity is None:
            return self.execute(sql)
        key = f"{identity}\0{sql.replace(f'{chr(34)}{relation}{chr(34)}', '<file>')}"
        known = _answers().get(key)
        if isinstance(known, list):
            return known
        rows = self.execute(sql)
        if len(rows) <= _KEPT_ROWS:  # the file of answers stays small enough to load on every run
            _answers().store(key, rows)
        return rows

    def new_name(self, kind: str) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        self.created.append((kind, name))
        return name

    def execute(self, sql: str, parameters: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = self.connection.execute(sql, parameters or []).fetchall()
        return rows

    def execute_exactly(self, sql: str) -> list[tuple[Any, ...]]:
        """*sql* with DuckDB's statistics propagation off for the statement.

        Parquet writers leave NaN out of a column's min/max, and DuckDB would
        trust them and decide that ``ISNAN`` never holds.
        """
        before = self.execute("SELECT current_setting('disabled_optimizers')")[0][0]
        disabled = ",".join(filter(None, [str(before or ""), "statistics_propagation"]))
        self.connection.execute("SET disabled_optimizers = ?", [disabled])
        try:
            return self.execute(sql)
        finally:
            self.connection.execute("SET disabled_optimizers = ?", [str(before or "")])

    def close(self) -> None:
        for kind, name in reversed(self.created):
            if kind == "frame":
                self.connection.unregister(name)
            else:
                self.execute(f'DROP {kind} IF EXISTS "{name}"')
        self.created.clear()

    # ---------------------------------------------------------------- kinds of binding

    def load(self, name: str, value: object, *, base_dir: Path | None, allow_outside: bool) -> Source:
        """*value* as a DuckDB relation; Unsupported when the reference reader must read it."""
        if isinstance(value, str | os.PathLike) and not isinstance(os.fspath(value), bytes):
            path = resolve_path(value, base_dir=base_dir, allow_outside=allow_outside)
            return self._file(name, path)
        kind = frame_kind(value)
        if kind is None:
            raise Unsupported
        return self._frame(name, value, ORIGINS[kind], kind)

    def _file(self, name: str, path: Path) -> Source:
        lowered = path.name.lower()
        compressed = lowered.endswith(".gz")
        fmt = FORMATS.get(os.path.splitext(lowered.removesuffix(".gz"))[1])
        if not path.is_file() or fmt in (None, "excel") or (fmt == "parquet" and compressed):
            raise Unsupported  # a workbook is read by the reference reader and handed over as Arrow
        if compressed and not gzip_intact(path):
            raise Unsupported  # corrupt: the reference reader names the problem (E500)
        if fmt == "parquet":
            return self._parquet(name, path)
        if fmt in ("json", "jsonl"):
            return self._json(name, path, fmt == "jsonl")
        return self._delimited(name, path, "\t" if fmt == "tsv" else ",", compressed)

    def parquet_view(self, path: Path) -> str:
        """A view reading the Parquet file at *path* in place."""
        relation = self.new_name("VIEW")
        try:
            self.execute(f'CREATE TEMP VIEW "{relation}" AS {_parquet_rows(path)}')
        except Exception as error:  # the reference reader words the error
            raise Unsupported from error
        return relation

    def _parquet(self, name: str, path: Path) -> Source:
        relation = self.parquet_view(path)
        self._note_file(relation, path, _parquet_rows(path))
        source = self._described(name, display_path(str(path)), relation,
                                 numbered=_literal_call("read_parquet", path, "file_row_number"),
                                 path=path)
        no_blanks, no_nulls, finite = self._parquet_statistics(relation, path)
        return attrs.evolve(source, no_blanks=no_blanks, no_nulls=no_nulls, finite=finite, nan_rare=True)

    def _parquet_statistics(self, relation: str, path: Path) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """From the row groups' statistics: the columns whose smallest value is always a
        non-empty text, those holding no NULL, and those whose smallest and largest values
        are finite numbers in every row group (so no cell is infinite: a writer that meets
        an infinity records it as the bound, or records no bound, and then the cells are read)."""
        quoted = duckdb_sql(exp.Literal.string(str(path)))
        try:
            found = self.remembered(
                relation,
                "SELECT path_in_schema, bool_and(stats_min_value IS NOT NULL AND stats_min_value <> ''),"
                " bool_and(stats_null_count = 0),"
                " bool_and(isfinite(TRY_CAST(stats_min_value AS DOUBLE)) AND isfinite(TRY_CAST(stats_max_value AS DOUBLE)))"
                " FROM parquet_metadata(" + quoted + ") GROUP BY path_in_schema")
        except Exception:  # statistics are an optimisation only
            return frozenset(), frozenset(), frozenset()
        return (frozenset(str(name) for name, no_blank, _, _ in found if no_blank),
                frozenset(str(name) for name, _, no_null, _ in found if no_null),
                frozenset(str(name) for name, _, _, finite in found if finite))

    def _note_file(self, relation: str, path: Path, definition: str) -> None:
        """*relation*, made by *definition* (SQL without its name), reads the file at *path* as
        it is now (see :meth:`remembered`): answers are kept for the two together, so a
        relation made another way is asked afresh."""
        identity = settled_identity(path)
        if identity is not None:
            self.files[relation] = f"{identity}\0{definition}"

    def _delimited(self, name: str, path: Path, delimiter: str, compressed: bool) -> Source:
        header, skip = _header(path, delimiter, compressed)
        if "" in header or len(set(header)) != len(header) or len(header) == 1:
            # an unnamed or repeated column, or one column (another delimiter, a title row):
            # the reference reader decides
            raise Unsupported
        relation = self.new_name("TABLE")
        physical = {title: f"c{i}" for i, title in enumerate(header)}
        present = " OR ".join(f'"{p}" IS NOT NULL' for p in physical.values())
        rows = ("SELECT * FROM read_csv(?, delim = ?, quote = '\"', escape = '\"', header = false, skip = ?,"
                f" columns = ?, auto_detect = false) WHERE {present}")
        parameters = [str(path), delimiter, skip, {p: "VARCHAR" for p in physical.values()}]
        try:
            self.execute(f'CREATE TEMP TABLE "{relation}" AS {rows}', parameters)
        except Exception as error:
            raise Unsupported from error
        origin = display_path(str(path))
        self._note_file(relation, path, f"{rows}\0{parameters!r}")
        n_rows = int(self.remembered(relation, f'SELECT count(*) FROM "{relation}"')[0][0])
        return Source(name=name, origin=origin, relation=relation, columns=physical,
                      types=dict.fromkeys(header, "VARCHAR"), n_rows=n_rows,
                      numbered=f'(SELECT rowid AS "__row", * FROM "{relation}")',
                      path=path, delimiter=delimiter, no_blanks=frozenset(header))

    def _json(self, name: str, path: Path, lines: bool) -> Source:
        """A JSON array of objects or JSON Lines: one column of JSON values per key."""
        objects = self.new_name("TABLE")
        quoted = duckdb_sql(exp.Literal.string(str(path)))
        layout = "'newline_delimited'" if lines else "'array'"
        try:
            self.execute(f'CREATE TEMP TABLE "{objects}" AS SELECT json'
                         f" FROM read_json_objects({quoted}, format = {layout})")
        except Exception as error:
            raise Unsupported from error
        found = self.execute(
            f"SELECT count(*), count(*) FILTER (WHERE json_type(json) <> 'OBJECT') FROM \"{objects}\"")
        nested = self.execute(f"SELECT 1 FROM \"{objects}\", json_each(json) AS e"
                              " WHERE e.type IN ('ARRAY', 'OBJECT') LIMIT 1")
        if found[0][0] == 0 or found[0][1] or nested:
            raise Unsupported  # empty, not objects, or nested: the reference reader says so
        shapes = self.execute(f'SELECT json_keys(json) AS k, min(rowid) AS first FROM "{objects}"'
                              " GROUP BY k ORDER BY first")
        if any(len(set(keys)) != len(keys) for keys, _ in shapes):
            raise Unsupported  # a key twice in one object
        keys = list(dict.fromkeys(str(key) for keys, _ in shapes for key in keys))
        physical = {key: f"c{i}" for i, key in enumerate(keys)}
        relation = self.new_name("TABLE")
        columns = [exp.alias_(exp.JSONExtract(this=exp.column("json"), expression=_json_path(key)),
                              physical[key], quoted=True) for key in keys]
        select = exp.select(*columns).from_(exp.to_table(f'"{objects}"')).order_by(exp.column("rowid"))
        self.execute(f'CREATE TEMP TABLE "{relation}" AS {duckdb_sql(select)}')
        return Source(name=name, origin=display_path(str(path)), relation=relation, columns=physical,
                      types=dict.fromkeys(keys, "JSON"), n_rows=int(found[0][0]),
                      numbered=f'(SELECT rowid AS "__row", * FROM "{relation}")',
                      path=path, json_lines=lines)

    def _frame(self, name: str, value: Any, origin: str, kind: str) -> Source:
        if kind == "pandas":
            _check_pandas(value)
        elif kind == "polars" and type(value).__name__ == "LazyFrame":
            value = value.collect()
        names = [str(c) for c in (value.columns if kind != "pyarrow" else value.schema.names)]
        if len(set(names)) != len(names):
            raise Unsupported
        relation = self.new_name("frame")
        try:
            self.connection.register(relation, value)
        except Exception as error:
            raise Unsupported from error
        return self._described(name, origin, relation,
                               numbered=f'(SELECT row_number() OVER () - 1 AS "__row", * FROM "{relation}")')

    def _described(self, name: str, origin: str, relation: str, *, numbered: str,
                   path: Path | None = None) -> Source:
        described = self.remembered(relation, f'DESCRIBE SELECT * FROM "{relation}"')
        columns = {str(row[0]): str(row[0]) for row in described}
        if len(columns) != len(described):
            raise Unsupported
        types = {str(row[0]): str(row[1]) for row in described}
        n_rows = int(self.remembered(relation, f'SELECT count(*) FROM "{relation}"')[0][0])
        return Source(name=name, origin=origin, relation=relation, columns=columns, types=types,
                      n_rows=n_rows, numbered=numbered, path=path)


def parquet_file(value: object, *, base_dir: Path | None, allow_outside: bool) -> Path | None:
    """The Parquet file *value* names, if it names one that exists."""
    if not isinstance(value, str | os.PathLike) or isinstance(os.fspath(value), bytes):
        return None
    path = resolve_path(value, base_dir=base_dir, allow_outside=allow_outside)
    if FORMATS.get(os.path.splitext(path.name.lower())[1]) != "parquet" or not path.is_file():
        return None
    return path


def _parquet_rows(path: Path) -> str:
    """The rows of the Parquet file at *path*, read in place."""
    return f"SELECT * FROM read_parquet({duckdb_sql(exp.Literal.string(str(path)))})"


def _literal_call(function: str, path: Path, option: str) -> str:
    """``function('path', option = true) AS numbered`` with the path as a quoted literal."""
    quoted = duckdb_sql(exp.Literal.string(str(path)))
    return f'(SELECT {option} AS "__row", * EXCLUDE ({option}) FROM {function}({quoted}, {option} = true))'


def _json_path(key: str) -> exp.Expr:
    """The JSON path of a top-level *key*: ``$."key"``, its quotes and backslashes escaped."""
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return exp.Literal.string(f'$."{escaped}"')


def _check_pandas(frame: Any) -> None:
    """Frames whose cells DuckDB would read differently from the reference reader."""
    if any(level is not None for level in frame.index.names):
        raise Unsupported  # named index levels become columns
    for column in frame.columns:
        dtype = frame[column].dtype
        if str(dtype) == "object":
            from pandas.api.types import infer_dtype

            if infer_dtype(frame[column], skipna=True) not in ("string", "empty"):
                raise Unsupported


# ---------------------------------------------------------------- CSV lines


def _records(path: Path, delimiter: str, compressed: bool) -> Iterator[tuple[list[str], int]]:
    """Each record of a delimited file with the line it starts on."""
    raw = gzip.open(path, "rb") if compressed else open(path, "rb")  # noqa: SIM115
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as stream:
        reader = csv.reader(stream, delimiter=delimiter, strict=True)
        previous = 0
        for record in reader:
            yield record, previous + 1
            previous = reader.line_num


def _header(path: Path, delimiter: str, compressed: bool) -> tuple[list[str], int]:
    """The header record, and how many records (blank ones included) lead up to it."""
    try:
        for index, (record, _) in enumerate(_records(path, delimiter, compressed)):
            if any(record):
                return record, index + 1
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, zlib.error) as error:
        raise Unsupported from error  # a corrupt file: the reference reader says how
    raise Unsupported  # empty: the reference reader says so


def _json_lines(path: Path) -> Iterator[int]:
    """The number of each non-blank line of a JSON Lines file."""
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")  # noqa: SIM115
    with raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as stream:
        for number, line in enumerate(stream.read().split("\n"), start=1):
            if line.strip():
                yield number


def row_lines(source: Source, rows: Sequence[int]) -> dict[int, int]:
    """The file line of each 0-based data row in *rows* (CSV, TSV, JSON Lines), read on errors."""
    assert source.path is not None
    if source.json_lines:
        wanted = set(rows)
        return {row: line for row, line in enumerate(_json_lines(source.path)) if row in wanted}
    assert source.delimiter is not None
    wanted = set(rows)
    found: dict[int, int] = {}
    compressed = source.path.name.lower().endswith(".gz")
    header_seen = False
    row = 0
    for record, line in _records(source.path, source.delimiter, compressed):
        if not any(record):
            continue
        if not header_seen:
            header_seen = True
            continue
        if row in wanted:
            found[row] = line
            if len(found) == len(wanted):
                break
        row += 1
    return found


def reference_table(name: str, value: object, *, base_dir: Path | None, allow_outside: bool) -> RawTable:
    """The binding read by the reference reader (which raises its own errors)."""
    return read_table(name, value, base_dir=base_dir, allow_outside=allow_outside)
