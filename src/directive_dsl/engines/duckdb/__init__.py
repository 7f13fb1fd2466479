"""The DuckDB engine: data read in place, one SQL statement per dataset.

``bind`` brings each dataset into DuckDB (see :mod:`.sources`) and
checks it in SQL (see :mod:`.binding`); ``run`` compiles every request
about a dataset into one statement (see :mod:`directive_dsl.engines.sql.query`) and reads the answers
back. Bindings DuckDB cannot read exactly as the reference reader does (lists
of dicts, nested JSON values, broken files) are read by :mod:`directive_dsl.data`,
which raises the reference engine's error or returns rows handed to DuckDB
already typed.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
from sqlglot import exp

from ...data import BoundTable, DataFile, DatasetSchema, bind_table
from ...errors import DirectiveEngineError
from ...plan import (
    AggregateRequest,
    Answers,
    CoverageRequest,
    DataValue,
    TableInfo,
    table_info,
)
from ...run_progress import SILENT, Progress
from ..sql.cache import duckdb_sql
from ..sql.conditions import ident
from ..sql.periods import TimeSource, fine_value
from ..sql.query import Convert, DatasetQuery, SqlDataset, filter_columns, grouped_columns, same
from ..sql.remote import reason_of
from ..sql.run import answer_requests
from .binding import bind_source, number_of
from .layout import choose_fine_sets
from .sources import Loader, Unsupported, parquet_file, reference_table

_ENGINES = itertools.count()
_SAMPLE_ROWS = 10_000  # rows read to count a column's values
_SHARED: list[Any] = []
# Parquet files bound so far, by (path, size, modification time, dataset, schema): what binding
# learned (its queries read the whole time column) holds while the file is unchanged.
_PARQUET_BINDINGS: dict[tuple[object, ...], tuple[SqlDataset, TableInfo]] = {}
_SHARED_LOCK = threading.Lock()
_STAND_IN = "__directive_relation"  # the relation's name in a statement kept for later runs


def _quiet(connection: Any) -> Any:
    """No progress bar: the report may be going to stdout."""
    connection.execute("SET enable_progress_bar = false")
    return connection


def _shared_database() -> Any:
    """The process's in-memory database, opened on first use."""
    with _SHARED_LOCK:
        if not _SHARED:
            import duckdb

            _SHARED.append(_quiet(duckdb.connect()))
        return _SHARED[0]


class DuckDBEngine:
    """Evaluates plans with DuckDB, on a connection of its own or the caller's.

    ``connection``: an open ``duckdb`` connection to work in (left open on
    close); ``threads`` and ``memory_limit`` set DuckDB's options of the same
    name on a connection the engine opens itself. Without either, the engine
    works in a cursor of one in-memory database shared by the process (a
    cursor costs microseconds, a new database tens of milliseconds); its
    temporary tables and views are its own and go when it closes.
    """

    name = "duckdb"

    def __init__(self, connection: Any = None, *, threads: int | None = None,
                 memory_limit: str | None = None) -> None:
        import duckdb

        self._owned = connection is None
        config: dict[str, Any] = {}
        if threads is not None:
            config["threads"] = threads
        if memory_limit is not None:
            config["memory_limit"] = memory_limit
        if connection is not None:
            self.connection = connection
        elif config:
            self.connection = _quiet(duckdb.connect(config=config))
        else:
            self.connection = _quiet(_shared_database().cursor())
        self.loader = Loader(self.connection, f"__directive_{next(_ENGINES)}")
        self.datasets: dict[str, SqlDataset] = {}
        self.statements: list[str] = []  # the statements `run` issued, in order
        self.routes: dict[str, str] = {}  # dataset -> who read it: "duckdb" or "reference reader"
        self.row_counts: dict[str, int] = {}
        self._read_from: dict[str, tuple[object, Path | None, bool]] = {}  # what bind was given

    def bind(self, name: str, value: DataValue, schema: DatasetSchema, *, base_dir: Path | None,
             allow_outside: bool) -> TableInfo:
        folder = base_dir
        try:
            dataset, info = self._bind_native(name, value, schema, folder, allow_outside)
            route = "duckdb"
        except Unsupported:
            route = "reference reader"
            raw = reference_table(name, value, base_dir=folder, allow_outside=allow_outside)
            dataset, info = self._register(bind_table(schema, raw))
        self.datasets[name] = dataset
        self.routes[name] = route
        self.row_counts[name] = info.n_rows
        self._read_from[name] = (value, folder, allow_outside)
        return info

    def _bind_native(self, name: str, value: object, schema: DatasetSchema, folder: Path | None,
                     allow_outside: bool) -> tuple[SqlDataset, TableInfo]:
        """Bind in DuckDB; an unchanged Parquet file bound before is not checked again."""
        parquet = parquet_file(value, base_dir=folder, allow_outside=allow_outside)
        key = None
        if parquet is not None:
            stat = parquet.stat()
            key = (str(parquet.resolve()), stat.st_size, stat.st_mtime_ns, name, schema)
            known = _PARQUET_BINDINGS.get(key)
            if known is not None:
                view = exp.Table(this=exp.to_identifier(self.loader.parquet_view(parquet), quoted=True))
                return attrs.evolve(known[0], relation=view), known[1]
        import duckdb

        source = self.loader.load(name, value, base_dir=folder, allow_outside=allow_outside)
        try:
            dataset, info = bind_source(self.loader, schema, source)
        except duckdb.Error as error:
            # A file DuckDB cannot read to its end (a damaged Parquet page): the reference
            # reader reads it again and names the problem (E500).
            raise Unsupported from error
        if key is not None:
            while len(_PARQUET_BINDINGS) >= 64:
                del _PARQUET_BINDINGS[next(iter(_PARQUET_BINDINGS))]
            _PARQUET_BINDINGS[key] = (dataset, info)
        return dataset, info

    def run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest], *,
            progress: Progress = SILENT) -> Answers:
        return answer_requests(self.datasets, aggregates, coverage,
                               lambda dataset, asked, covers, exactly: self._query(dataset, asked, covers,
                                                                                   exactly=exactly),
                               self._execute, progress)

    def _query(self, dataset: SqlDataset, asked: list[AggregateRequest], covers: list[CoverageRequest],
               *, exactly: bool = False) -> tuple[DatasetQuery, list[tuple[Any, ...]]]:
        query, sql = self._statement(dataset, asked, covers)
        return query, self._execute(dataset.name, sql, exactly=exactly)

    def _statement(self, dataset: SqlDataset, asked: list[AggregateRequest],
                   covers: list[CoverageRequest]) -> tuple[DatasetQuery, str]:
        """The statement answering *asked* and *covers*, and its text. The same requests on the
        same data are built and rendered once (for fifty rules that is 20 ms of sqlglot work a
        run): the text names a stand-in for the relation, replaced by the one this engine reads
        (each engine reads a file through a view of its own)."""
        key = ("statement", tuple(asked), tuple(covers), frozenset(dataset.nan_checks), dataset.whole)
        known = dataset.memo.get(key)
        if not isinstance(known, tuple):
            stand_in = attrs.evolve(dataset, relation=exp.Table(this=exp.to_identifier(_STAND_IN, quoted=True)))
            query = DatasetQuery(stand_in, asked, covers, fine_sets=self._fine_sets(dataset, asked, covers),
                                 set_by_set=True)
            text = duckdb_sql(query.expression)
            if text.count(f'"{_STAND_IN}"') != 1:  # a name that clashes: built for this engine alone
                query = DatasetQuery(dataset, asked, covers, fine_sets=self._fine_sets(dataset, asked, covers),
                                     set_by_set=True)
                return query, duckdb_sql(query.expression)
            known = dataset.memo[key] = (query, text)
        query, text = known
        assert isinstance(query, DatasetQuery) and isinstance(text, str)
        return query, text.replace(f'"{_STAND_IN}"', duckdb_sql(dataset.relation))

    def _execute(self, name: str, statement: exp.Expr | str, *, exactly: bool = False) -> list[tuple[Any, ...]]:
        import duckdb

        sql = statement if isinstance(statement, str) else duckdb_sql(statement)
        self.statements.append(sql)
        try:
            return self.loader.execute_exactly(sql) if exactly else self.loader.execute(sql)
        except duckdb.Error as error:
            self._name_damage(name)
            raise DirectiveEngineError(
                f"duckdb could not answer the statement for dataset `{name}`: {reason_of(error)}",
                hint="the statement is in the engine's `statements`; `directive compile` prints it too",
            ) from error

    def _name_damage(self, name: str) -> None:
        """A file read in place that DuckDB could not read to its end (a damaged Parquet page
        its checks at binding did not reach): the reference reader reads it again and names
        the problem (E500). Returns when it reads the file without one."""
        if self.routes.get(name) != "duckdb" or name not in self._read_from:
            return
        value, folder, allow_outside = self._read_from[name]
        if isinstance(value, str | Path | DataFile):
            reference_table(name, value, base_dir=folder, allow_outside=allow_outside)

    def _fine_sets(self, dataset: SqlDataset, asked: list[AggregateRequest],
                   covers: list[CoverageRequest]) -> list[tuple[str, ...]]:
        """The scan's groupings (see :mod:`.layout`), from the values of the first rows;
        the same requests on the same data are laid out once."""
        key = ("layout", tuple(asked), tuple(covers))
        known = dataset.memo.get(key)
        if not isinstance(known, list):
            known = dataset.memo[key] = self._layout(dataset, asked, covers)
        return known

    def _layout(self, dataset: SqlDataset, asked: list[AggregateRequest],
                covers: list[CoverageRequest]) -> list[tuple[str, ...]]:
        columns = [*grouped_columns(asked, covers), *filter_columns(asked)]
        columns = [c for c in dict.fromkeys(columns) if c in dataset.cells]
        if not columns:
            return [()]
        if self.row_counts.get(dataset.name, _SAMPLE_ROWS + 1) <= _SAMPLE_ROWS:
            # a small table: every layout is quick, so no counting (one grouping by every column)
            return choose_fine_sets(asked, covers, dict.fromkeys(columns, 1), time_values=1,
                                    whole=dataset.whole)
        rows = self.row_counts.get(dataset.name, _SAMPLE_ROWS)
        # a column with values on most sampled rows may hold as many as the table has rows
        found = [n if n < _SAMPLE_ROWS // 2 else max(n, rows) for n in self._distinct_counts(dataset, columns)]
        time_values = found[len(columns)] if dataset.time is not None else 1
        return choose_fine_sets(asked, covers, dict(zip(columns, found, strict=False)),
                                time_values=time_values, whole=dataset.whole)

    def _distinct_counts(self, dataset: SqlDataset, columns: list[str]) -> tuple[int, ...]:
        """How many values each column (then the time column) holds in the first rows."""
        key = ("distinct", *columns)
        known = dataset.memo.get(key)
        if isinstance(known, tuple):
            return known
        cells = [dataset.cells[c].copy() for c in columns]
        if dataset.time is not None:
            cells.append(fine_value(dataset.time))
        sample = exp.select(*(exp.alias_(cell, f"c{i}", quoted=True) for i, cell in enumerate(cells)))
        sample = sample.from_(dataset.relation.copy()).limit(_SAMPLE_ROWS)
        counts = exp.select(*(exp.Count(this=exp.Distinct(expressions=[ident(f"c{i}")]))
                              for i in range(len(cells)))).from_(sample.subquery("sample"))
        relation = dataset.relation.name if isinstance(dataset.relation, exp.Table) else None
        found = tuple(int(n) for n in self.loader.remembered(relation, duckdb_sql(counts))[0])
        dataset.memo[key] = found
        return found

    def close(self) -> None:
        self.loader.close()
        self.datasets.clear()
        if self._owned:
            self.connection.close()

    # ---------------------------------------------------------------- typed by the reference reader

    def _register(self, bound: BoundTable) -> tuple[SqlDataset, TableInfo]:
        """A table bound by the reference engine's rules, handed to DuckDB as typed columns."""
        columns: dict[str, Sequence[object]] = {}
        cells: dict[str, exp.Expr] = {}
        numbers: dict[str, Convert] = {}
        for column in {**bound.dimensions, **bound.measures}:
            physical = f"c{len(columns)}"
            cells[column] = ident(physical)
            if column in bound.dimensions:
                columns[physical] = bound.dimensions[column]
                if column in bound.measures:  # read back from its text, which keeps the number
                    numbers[column] = number_of("text")
            else:
                columns[physical] = bound.measures[column]
                numbers[column] = same
        time = None
        if bound.times is not None:
            time = TimeSource(ident("t"), "text")
            columns["t"] = [p.label if p is not None else None for p in bound.times]
        numeric = {cells[c].name for c, convert in numbers.items() if convert is same}
        relation = self._table(columns, numeric, bound.n_rows)
        dataset = SqlDataset(name=bound.name, relation=exp.Table(this=exp.to_identifier(relation, quoted=True)),
                             cells=cells, text=dict.fromkeys(bound.dimensions, same),
                             numbers=numbers, time=time, grain=bound.grain)
        return dataset, table_info(bound)

    def _table(self, columns: dict[str, Sequence[object]], numeric: set[str], n_rows: int) -> str:
        """A temporary table holding *columns* (DOUBLE for *numeric*, else text)."""
        relation = self.loader.new_name("TABLE")
        types = {c: "DOUBLE" if c in numeric else "VARCHAR" for c in columns}
        definition = ", ".join(f'"{c}" {t}' for c, t in types.items()) or '"__empty" VARCHAR'
        self.loader.execute(f'CREATE TEMP TABLE "{relation}" ({definition})')
        if columns and n_rows:
            try:
                import pyarrow as pa
            except ImportError:
                placeholders = ", ".join("?" for _ in columns)
                rows = list(zip(*columns.values(), strict=True))
                self.connection.executemany(f'INSERT INTO "{relation}" VALUES ({placeholders})', rows)
            else:
                table = pa.table({c: pa.array(list(v), type=pa.float64() if c in numeric else pa.string())
                                  for c, v in columns.items()})
                self.connection.register(f"{relation}_arrow", table)
                self.loader.execute(f'INSERT INTO "{relation}" SELECT * FROM "{relation}_arrow"')
                self.connection.unregister(f"{relation}_arrow")
        return relation
