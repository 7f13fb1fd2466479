"""Check a relation in a database against its dataset declaration, in SQL: one flow for every backend.

The rules and the errors are those of :func:`directive_dsl.data.bind_table`:
a declared column missing (E501), a measure holding something that is not a
number (E502), a time value that is no period (E503), each at its first
offending row (and its line in the file, when rows have lines); undeclared
columns holding numbers only become measures. What binding learned comes back
as a :class:`SqlDataset` of expressions over the relation and a ``TableInfo``.

What differs between databases is a :class:`Backend`: how a column's cells read
as numbers, text and periods (by the *family* of its type), how a query runs
(and whether its answer is kept), how the first offending row is found, and
how the columns holding non-numbers are found (one scan of flags, or a probe
per column).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
from sqlglot import exp

from ...data import TIME_NAMES, DatasetSchema, RawTable
from ...data.binding import (
    check_present,
    dimension_columns,
    infer_time,
    number_problem,
    time_problem,
)
from ...data.raw import OneCell
from ...errors import Diagnostic, DirectiveDataError
from ...periods import GRAINS, Grain, Period
from ...plan import TableInfo, bound_table_info
from .conditions import cast, ident
from .periods import TimeSource, day_of, fine_value, grain_of
from .query import Convert, SqlDataset

#: The families whose cells are numbers as typed: such a dimension is numeric (3.0 reads "3").
NUMERIC_FAMILIES = ("int", "float", "decimal")


@attrs.frozen
class NumberFacts:
    """What the scan for numbers found: the columns holding a non-number, the candidates
    (undeclared columns) holding numbers only, at least one, and the number of rows."""

    broken: frozenset[str]
    measures: frozenset[str]
    n_rows: int


def time_source(cell: exp.Expr, family: str) -> TimeSource:
    """How a time column of *family* reads: numbers are years, dates days, text any period;
    other families (booleans, nulls, …) are never periods."""
    if family in NUMERIC_FAMILIES:
        return TimeSource(cell, "year")
    if family in ("date", "timestamp"):
        return TimeSource(cell, "date")
    if family == "text":
        return TimeSource(cell, "text")
    return TimeSource(cast(exp.null(), "TEXT"), "text")


class Backend(ABC):
    """One relation of one database, as the shared binding flow reads it.

    ``columns`` maps each column name to its name in ``table``; ``families``
    gives the family of each column's type.
    """

    name: str
    origin: str
    table: exp.Expr
    columns: Mapping[str, str]
    families: Mapping[str, str]

    def cell(self, column: str) -> exp.Expr:
        """The raw cell of *column*."""
        return ident(self.columns[column])

    # ---------------------------------------------------------------- cells by family

    @abstractmethod
    def number_of(self, column: str) -> Convert:
        """How a cell of *column* reads as a number (NaN and unknown text as NULL)."""

    @abstractmethod
    def text_of(self, column: str) -> Convert:
        """How a cell of *column* reads as dimension text ("" is unknown; 3.0 is "3")."""

    @abstractmethod
    def not_a_number(self, column: str) -> exp.Expr | None:
        """Whether a cell of *column* is neither a number nor unknown; None: never."""

    @abstractmethod
    def time_source(self, column: str) -> TimeSource:
        """How *column* reads as the time column."""

    # ---------------------------------------------------------------- running

    @abstractmethod
    def fetch(self, query: exp.Expr, *, remember: bool = False) -> list[tuple[Any, ...]]:
        """The rows of *query*; *remember*: the answer depends on the relation's cells alone."""

    @abstractmethod
    def first(self, where: exp.Expr, column: str) -> tuple[int | None, object]:
        """The 0-based row (None when rows have no order) and the cell of the first row where *where* holds."""

    def line(self, row: int) -> int | None:
        """The line in the file of 0-based *row*, when rows have lines."""
        return None

    @abstractmethod
    def numbers(self, numeric: list[str], candidates: list[str]) -> NumberFacts:
        """Which *numeric* columns hold a non-number, which *candidates* hold numbers only."""

    # ---------------------------------------------------------------- the dataset

    def finish(self, dataset: SqlDataset) -> SqlDataset:
        """The dataset with what the backend knows besides (measures read without guards, …)."""
        return dataset

    def numeric_dimensions(self, dimensions: Iterable[str]) -> frozenset[str]:
        """The *dimensions* whose cells are numbers as typed."""
        return frozenset(c for c in dimensions if self.families[c] in NUMERIC_FAMILIES)


# ---------------------------------------------------------------- the flow


def bind(backend: Backend, schema: DatasetSchema) -> tuple[SqlDataset, TableInfo]:
    """Check *backend*'s relation against *schema*; the dataset as SQL reads it, and what binding learned."""
    stub = RawTable(schema.name, backend.origin, {c: [] for c in backend.columns}, 0)
    check_present(schema, stub)
    columns = list(backend.columns)
    time_column = schema.time or infer_time(schema, stub)
    declared = dimension_columns(schema, columns, time_column)
    numeric = set(schema.measures) | set(schema.numeric_columns)
    numeric |= {c for c in schema.wanted if c in backend.columns and c != schema.time}
    candidates = [c for c in columns
                  if c not in numeric and c not in declared and c != time_column
                  and not schema.complete and c.lower() not in TIME_NAMES]
    facts = backend.numbers([c for c in columns if c in numeric], candidates)
    problems: list[Diagnostic] = []
    time: TimeSource | None = None
    periods: tuple[Period, ...] = ()
    grain: Grain | None = None
    if time_column is not None:
        time, periods, grain, problem = _time(backend, schema, time_column)
        problems.extend([problem] if problem is not None else [])
    problems.extend(_bad_number(backend, schema, c) for c in columns if c in numeric and c in facts.broken)
    if problems:
        raise DirectiveDataError(problems[0].message, diagnostics=problems)
    dims: dict[str, Convert] = {}
    measures: dict[str, Convert] = {}
    for column in columns:
        if column in numeric:
            measures[column] = backend.number_of(column)
        if column in declared:
            dims[column] = backend.text_of(column)
        if column in numeric or column in declared or column == time_column:
            continue
        if column in facts.measures:
            measures[column] = backend.number_of(column)
            continue
        dims[column] = backend.text_of(column)
    cells = {c: backend.cell(c) for c in columns}
    dataset = backend.finish(SqlDataset(name=schema.name, relation=backend.table, cells=cells, text=dims,
                                        numbers=measures, time=time, grain=grain))
    info = bound_table_info(name=schema.name, origin=backend.origin, n_rows=facts.n_rows, dimensions=dims,
                            measures=dataset.numbers, time_column=time_column, grain=grain, periods=periods,
                            numeric_dimensions=backend.numeric_dimensions(dims))
    return dataset, info


def _time(backend: Backend, schema: DatasetSchema,
          column: str) -> tuple[TimeSource, tuple[Period, ...], Grain | None, Diagnostic | None]:
    """How the time column reads, its distinct periods and finest grain; or E503 at its first bad row."""
    source = backend.time_source(column)
    distinct = exp.select(exp.alias_(fine_value(source), "t", quoted=True)).from_(
        backend.table.copy()).distinct()
    grain, day = grain_of(ident("t"), source.kind), day_of(ident("t"), source.kind, ident("grain"))
    timed = exp.select(ident("t"), exp.alias_(grain, "grain", quoted=True)).from_(distinct.subquery("d"))
    query = exp.select(ident("grain"), exp.alias_(day, "day", quoted=True)).from_(
        timed.subquery("g")).distinct()
    found = backend.fetch(query, remember=True)
    if any(g is None or d is None for g, d in found):  # not a period, or no value (a null date, NaT)
        value = fine_value(source)
        bad = exp.or_(exp.Is(this=value, expression=exp.null()),
                      exp.Is(this=grain_of(value.copy(), source.kind), expression=exp.null()))
        row, cell = backend.first(bad, column)
        problem = _problem(backend, schema, column, row, cell, lambda raw, r: time_problem(
            raw, column, r, inferred=schema.time is None))
        return source, (), None, problem
    periods = {Period("day", d.toordinal()).to_grain(GRAINS[int(g)]) for g, d in found}
    grains = {p.grain for p in periods}
    return source, tuple(periods), max(grains, key=GRAINS.index) if grains else None, None


def _bad_number(backend: Backend, schema: DatasetSchema, column: str) -> Diagnostic:
    """E502 at the first non-number of *column*."""
    check = backend.not_a_number(column)
    assert check is not None
    row, cell = backend.first(check, column)
    return _problem(backend, schema, column, row, cell, lambda raw, r: number_problem(schema, raw, column, r))


def _problem(backend: Backend, schema: DatasetSchema, column: str, row: int | None, cell: object,
             make: Callable[[RawTable, int], Diagnostic]) -> Diagnostic:
    """The reference engine's diagnostic for *cell*, at *row* (and its line) when known."""
    at = 0 if row is None else row
    line = backend.line(at) if row is not None else None
    cells: dict[str, Any] = {c: () for c in backend.columns}
    cells[column] = OneCell(at, cell)
    lines = OneCell(at, line) if line is not None else None
    diagnostic = make(RawTable(schema.name, backend.origin, cells, at + 1, None, lines), at)
    if row is None:  # located by its value only
        diagnostic = attrs.evolve(diagnostic, message=diagnostic.message.removeprefix("row 1, "))
    return diagnostic
