"""What the engines running the shared SQL elsewhere (Spark, DB-API databases) have in common.

- :meth:`RemoteEngine.run`: one statement per dataset (see :mod:`.query`),
  fitted to the dialect (see :mod:`.dialects`); only its aggregates come back;
- :meth:`RemoteEngine.bind_reference`: data the database cannot read itself
  (lists of dicts, pandas/polars/Arrow tables, local files for a server that
  cannot see them) is read and checked by :mod:`directive_dsl.data`, which
  raises the reference engine's own errors, and handed over already typed:
  dimensions as text, measures as doubles, periods as years or labels;
- :meth:`RemoteEngine.bind_relation`: a relation the database holds is
  checked where it is (see :mod:`.remote_binding`).

A subclass says how to run a query (:meth:`~RemoteEngine.fetch_sql`) and how
to hold typed columns (:meth:`~RemoteEngine.load_columns`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlglot import exp

from ...data import FORMATS, BoundTable, DatasetSchema, bind_table, read_table, resolve_path
from ...errors import DirectiveEngineError, DirectiveError
from ...plan import (
    AggregateRequest,
    Answers,
    CoverageRequest,
    TableInfo,
    table_info,
)
from ...run_progress import SILENT, Progress
from .conditions import ident
from .dialects import render
from .periods import TimeSource
from .query import Convert, DatasetQuery, SqlDataset, same
from .remote_binding import Relation, bind_relation, text_number
from .run import answer_requests

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}")
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

#: The kinds of column :meth:`RemoteEngine.load_columns` creates.
ColumnTypes = dict[str, str]  # physical name -> "text" | "double" | "int"


class RemoteEngine:
    """The shared part of the Spark and DB-API engines (see the module's docstring)."""

    name = "remote"
    dialect = "duckdb"

    def __init__(self) -> None:
        self.datasets: dict[str, SqlDataset] = {}
        self.statements: list[str] = []  # the statements `run` issued, in order
        self.routes: dict[str, str] = {}  # dataset -> who read it: the database or "reference reader"

    # ---------------------------------------------------------------- what a subclass provides

    def fetch_sql(self, sql: str) -> list[tuple[Any, ...]]:
        """Run *sql* and return its rows."""
        raise NotImplementedError

    def load_columns(self, columns: dict[str, Sequence[object]], types: ColumnTypes) -> exp.Expr:
        """A temporary relation holding *columns* (all of one length), typed by *types*."""
        raise NotImplementedError

    # ---------------------------------------------------------------- shared

    def fetch(self, query: exp.Expr) -> list[tuple[Any, ...]]:
        """Run a query tree, rendered for the engine's dialect."""
        return self.fetch_sql(render(query, self.dialect))

    def bind_reference(self, name: str, value: object, schema: DatasetSchema, *,
                       base_dir: Path | None, allow_outside: bool) -> TableInfo:
        """Bind *value* read and checked by the reference reader, then held typed by the database."""
        raw = read_table(name, value, base_dir=base_dir, allow_outside=allow_outside)
        bound = bind_table(schema, raw)
        dataset, info = self._register(bound)
        self.datasets[name] = dataset
        self.routes[name] = "reference reader"
        return info

    def bind_relation(self, relation: Relation, schema: DatasetSchema) -> TableInfo:
        """Bind a relation the database holds, checked in SQL."""
        dataset, info = bind_relation(self.fetch, schema, relation)
        self.datasets[relation.name] = dataset
        self.routes[relation.name] = self.name
        return info

    def run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest], *,
            progress: Progress = SILENT) -> Answers:
        return answer_requests(self.datasets, aggregates, coverage, self._scan, self._statement, progress)

    def _scan(self, dataset: SqlDataset, asked: list[AggregateRequest], covers: list[CoverageRequest],
              _exactly: bool) -> tuple[DatasetQuery, list[tuple[Any, ...]]]:
        query = DatasetQuery(dataset, asked, covers)
        return query, self._statement(dataset.name, query.expression)

    def _statement(self, name: str, statement: exp.Expr) -> list[tuple[Any, ...]]:
        sql = render(statement, self.dialect)
        self.statements.append(sql)
        try:
            return self.fetch_sql(sql)
        except Exception as error:
            raise DirectiveEngineError(
                f"{self.name} could not answer the statement for dataset `{name}`: {reason_of(error)}",
                hint="the statement is in the engine's `statements`; `directive compile` prints it too",
            ) from error

    def _register(self, bound: BoundTable) -> tuple[SqlDataset, TableInfo]:
        """A table typed by the reference reader, handed to the database."""
        columns: dict[str, Sequence[object]] = {}
        types: ColumnTypes = {}
        cells: dict[str, exp.Expr] = {}
        numbers: dict[str, Convert] = {}
        for column in {**bound.dimensions, **bound.measures}:
            physical = f"c{len(columns)}"
            cells[column] = ident(physical)
            if column in bound.dimensions:
                columns[physical], types[physical] = bound.dimensions[column], "text"
                if column in bound.measures:  # read back from its text, which keeps the number
                    numbers[column] = text_number
            else:
                columns[physical], types[physical] = bound.measures[column], "double"
                numbers[column] = same
        time = None
        if bound.times is not None:
            if all(p is not None and p.grain == "year" for p in bound.times):
                columns["t"], types["t"] = [p.ordinal for p in bound.times if p is not None], "int"
                time = TimeSource(ident("t"), "year")
            else:
                columns["t"], types["t"] = [p.label if p is not None else None for p in bound.times], "text"
                time = TimeSource(ident("t"), "text")
        if not columns:
            columns, types = {"__empty": [None] * bound.n_rows}, {"__empty": "text"}
        try:
            relation = self.load_columns(columns, types)
        except DirectiveError:
            raise
        except Exception as error:  # a value the database cannot hold (NUL in PostgreSQL text)
            raise DirectiveEngineError(
                f"{self.name} could not hold dataset `{bound.name}` ({bound.origin}): {reason_of(error)}",
                hint="the data was read and checked; clean the values the database refuses, "
                     "or use another engine",
            ) from error
        dataset = SqlDataset(name=bound.name, relation=relation, cells=cells,
                             text=dict.fromkeys(bound.dimensions, same), numbers=numbers,
                             time=time, grain=bound.grain)
        return dataset, table_info(bound)


def table_name(value: object, *, base_dir: Path | None, allow_outside: bool) -> str | None:
    """The table *value* names (``table``, ``schema.table``, ``catalog.schema.table``), if it names one.

    Only a name the caller binds counts (a directive's ``from`` names files),
    and only when no file or folder of that name exists and it does not end
    in a data file's extension (``trade.csv`` is a file, even a missing one).

    >>> table_name("sales.trade", base_dir=None, allow_outside=True)
    'sales.trade'
    >>> table_name("trade.csv", base_dir=None, allow_outside=True) is None
    True
    """
    if not isinstance(value, str) or not allow_outside or _TABLE_NAME.fullmatch(value) is None:
        return None
    extension = os.path.splitext(value.lower().removesuffix(".gz"))[1]
    if extension in FORMATS or value.lower().endswith(".gz"):
        return None
    if resolve_path(value, base_dir=base_dir, allow_outside=True).exists():
        return None
    return value


def reason_of(error: BaseException) -> str:
    """What went wrong, in one line (for a JVM error, its own message rather than py4j's preamble)."""
    lines = [line.strip().lstrip(": ") for line in str(error).strip().splitlines()]
    lines = [line for line in lines if line and not line.startswith("An error occurred while calling")]
    return lines[0] if lines else type(error).__name__


def is_uri(value: object) -> bool:
    """Whether *value* is a URI such as ``s3a://bucket/key`` or ``hdfs:///data/trade``."""
    return isinstance(value, str) and _URI.match(value) is not None
