"""Check a relation in another database (Spark, PostgreSQL, …) against its declaration, in SQL.

The rules and the errors are those of :func:`directive_dsl.data.bind_table`:
a declared column missing (E501), a measure holding something that is not a
number (E502), a time value that is no period (E503), each at its first
offending row; undeclared numeric columns become measures. Only a few
aggregates come back: one row of flags for every column, and the distinct
periods.

Cells are read by *family* (text, int, float, …, from the database's column
types) with the reference reader's rules: "NA" or an empty cell is unknown,
``1_000`` and ``1d`` are not numbers, 3.0 as a dimension is "3". The trees
built here are dialect-neutral; :func:`.dialects.adapt` fits them to a dialect.

Rows are located as well as the source allows: with ``numbered`` (a relation
numbering rows in their order, e.g. a file's) the message names the row, and
with ``lines`` its line in the file; without, the first bad value found is
named and the message says which column holds it, not where.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

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
from ...plan import TableInfo
from .conditions import cast, dimension_text, ident, template, text
from .periods import TimeSource, day_of, fine_value, grain_of, stripped
from .query import Convert, SqlDataset, bound_info

Family = Literal["text", "int", "float", "decimal", "bool", "date", "timestamp", "null", "other"]
Fetch = Callable[[exp.Expr], list[tuple[Any, ...]]]

_UNKNOWN = ("", "na", "n/a", "nan", "null", "none", "+nan", "-nan")
# What the reference reader takes for a finite number (Python's float() without "_", NaN and inf).
_NUMBER = r"^[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)$"
_NUMERIC: tuple[Family, ...] = ("int", "float", "decimal")


@attrs.frozen(kw_only=True)
class Relation:
    """A table in a database, ready to be checked: its columns, their families, how rows are found.

    ``columns`` maps each column name to its name in ``table``. ``numbered``
    selects every row of ``table`` with a ``"__row"`` column that orders them
    as the source does (``dense``: 0, 1, 2, …; else increasing, with gaps);
    ``lines`` gives the line in the file of a 0-based row.
    """

    name: str
    origin: str
    table: exp.Expr
    columns: Mapping[str, str]
    families: Mapping[str, Family]
    numbered: exp.Expr | None = None
    dense: bool = True
    lines: Callable[[int], int | None] | None = None


# ---------------------------------------------------------------- cells as the reference reads them


def _in_unknown(value: exp.Expr) -> exp.Expr:
    lowered = exp.Lower(this=value)
    return exp.In(this=lowered, expressions=[text(u) for u in _UNKNOWN])


def text_number(cell: exp.Expr) -> exp.Expr:
    """Text read as a number (DOUBLE), NULL when unknown or not a number."""
    value = stripped(cast(cell, "TEXT"))
    return template(
        "CASE WHEN :unknown THEN NULL WHEN REGEXP_MATCHES(:s, :p) THEN TRY_CAST(:s AS DOUBLE) END",
        unknown=_in_unknown(value.copy()), s=value, p=text(_NUMBER))


def number_of(family: Family) -> Convert:
    """How a cell of *family* reads as a number (NaN and unknown text as NULL)."""
    def convert(cell: exp.Expr) -> exp.Expr:
        if family == "int":
            return cast(cell, "DOUBLE")
        if family in ("float", "decimal"):
            return template("CASE WHEN ISNAN(:v) THEN NULL ELSE CAST(:v AS DOUBLE) END", v=cell)
        if family == "text":
            return text_number(cell)
        return cast(exp.null(), "DOUBLE")
    return convert


def not_a_number(cell: exp.Expr, family: Family) -> exp.Expr | None:
    """Whether a cell holds something that is neither a number nor unknown; None: never."""
    if family in ("int", "null"):
        return None
    if family in ("float", "decimal"):  # an infinite value is no figure (SPEC §13.1), nor is
        # PostgreSQL's NUMERIC 'Infinity'
        return template("(:v = CAST('Infinity' AS DOUBLE) OR :v = CAST('-Infinity' AS DOUBLE))", v=cell)
    if family != "text":
        return exp.Not(this=exp.Is(this=cell, expression=exp.null()))
    value = stripped(cast(cell, "TEXT"))
    # A number past the largest double ("1e400") is infinite in Spark and out of range
    # (so NULL from TRY_CAST) in PostgreSQL: either way no figure.
    return template("(:v IS NOT NULL AND NOT :unknown AND (NOT REGEXP_MATCHES(:s, :p)"
                    " OR TRY_CAST(:s AS DOUBLE) IS NULL"
                    " OR ABS(TRY_CAST(:s AS DOUBLE)) = CAST('Infinity' AS DOUBLE)))",
                    v=cell, unknown=_in_unknown(value.copy()), s=value, p=text(_NUMBER))


def text_of(family: Family) -> Convert:
    """How a cell of *family* reads as dimension text ("" is unknown; 3.0 is "3")."""
    return lambda cell: dimension_text(cell, family)


def time_source(cell: exp.Expr, family: Family) -> TimeSource:
    """How the time column reads (booleans and the like are never periods)."""
    if family in _NUMERIC:
        return TimeSource(cell, "year")
    if family in ("date", "timestamp"):
        return TimeSource(cell, "date")
    if family == "text":
        return TimeSource(cell, "text")
    return TimeSource(cast(exp.null(), "TEXT"), "text")


# ---------------------------------------------------------------- binding


def _flag(condition: exp.Expr) -> exp.Expr:
    """1 when *condition* holds for some row, else 0 (no boolean aggregate needed)."""
    return exp.Max(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                                 default=exp.Literal.number(0)))


class _Checker:
    """Runs the checks of one relation."""

    def __init__(self, fetch: Fetch, schema: DatasetSchema, relation: Relation) -> None:
        self.fetch = fetch
        self.schema = schema
        self.relation = relation

    def cell(self, column: str) -> exp.Expr:
        return ident(self.relation.columns[column])

    def family(self, column: str) -> Family:
        return self.relation.families[column]

    def scan(self, bad: Mapping[str, exp.Expr], known: Mapping[str, exp.Expr]) -> tuple[int, set[str], set[str]]:
        """The row count, the columns where *bad* holds somewhere, those where *known* does."""
        flags = [_flag(e) for e in (*bad.values(), *known.values())]
        row = self.fetch(exp.select(exp.Count(this=exp.Star()), *flags).from_(self.relation.table.copy()))[0]
        found = [bool(v) for v in row[1:]]
        return (int(row[0]), {c for c, f in zip(bad, found, strict=False) if f},
                {c for c, f in zip(known, found[len(bad):], strict=True) if f})

    def first(self, where: exp.Expr, column: str) -> tuple[int | None, object]:
        """The 0-based row (None when rows have no order) and the cell of the first row where *where* holds."""
        relation = self.relation
        if relation.numbered is None:
            query = exp.select(self.cell(column)).from_(relation.table.copy()).where(where).limit(1)
            return None, self.fetch(query)[0][0]
        numbered = relation.numbered.copy()
        query = (exp.select(ident("__row"), self.cell(column)).from_(numbered)
                 .where(where).order_by(ident("__row")).limit(1))
        row, value = self.fetch(query)[0]
        if not relation.dense:
            before = exp.LT(this=ident("__row"), expression=exp.Literal.number(int(row)))
            counted = exp.select(exp.Count(this=exp.Star())).from_(relation.numbered.copy()).where(before)
            row = self.fetch(counted)[0][0]
        return int(row), value

    def time(self, column: str) -> tuple[TimeSource, tuple[Period, ...], Grain | None, Diagnostic | None]:
        source = time_source(self.cell(column), self.family(column))
        distinct = exp.select(exp.alias_(fine_value(source), "t", quoted=True)).from_(
            self.relation.table.copy()).distinct()
        grain, day = grain_of(ident("t"), source.kind), day_of(ident("t"), source.kind, ident("grain"))
        timed = exp.select(ident("t"), exp.alias_(grain, "grain", quoted=True)).from_(distinct.subquery("d"))
        query = exp.select(ident("grain"), exp.alias_(day, "day", quoted=True)).from_(
            timed.subquery("g")).distinct()
        found = self.fetch(query)
        if any(g is None or d is None for g, d in found):  # not a period, or no value (a null date)
            value = fine_value(source)
            bad = exp.or_(exp.Is(this=value, expression=exp.null()),
                          exp.Is(this=grain_of(value.copy(), source.kind), expression=exp.null()))
            row, cell = self.first(bad, column)
            problem = self.problem(column, row, cell, lambda raw, r: time_problem(
                raw, column, r, inferred=self.schema.time is None))
            return source, (), None, problem
        periods = {Period("day", d.toordinal()).to_grain(GRAINS[int(g)]) for g, d in found}
        ordered = sorted(periods)
        ordered.sort(key=lambda p: (p.start_day(), GRAINS.index(p.grain)))
        grains = {p.grain for p in ordered}
        return source, tuple(ordered), max(grains, key=GRAINS.index) if grains else None, None

    def problem(self, column: str, row: int | None, cell: object,
                make: Callable[[RawTable, int], Diagnostic]) -> Diagnostic:
        """The reference engine's diagnostic for *cell*, at *row* (and its line) when known."""
        at = 0 if row is None else row
        line = self.relation.lines(at) if self.relation.lines is not None and row is not None else None
        columns: dict[str, Any] = {c: () for c in self.relation.columns}
        columns[column] = OneCell(at, cell)
        lines = OneCell(at, line) if line is not None else None
        diagnostic = make(RawTable(self.schema.name, self.relation.origin, columns, at + 1, None, lines), at)
        if row is None:  # located by its value only
            diagnostic = attrs.evolve(diagnostic, message=diagnostic.message.removeprefix("row 1, "))
        return diagnostic

    def bad_number(self, column: str) -> Diagnostic:
        check = not_a_number(self.cell(column), self.family(column))
        assert check is not None
        row, cell = self.first(check, column)
        return self.problem(column, row, cell, lambda raw, r: number_problem(self.schema, raw, column, r))


def bind_relation(fetch: Fetch, schema: DatasetSchema, relation: Relation) -> tuple[SqlDataset, TableInfo]:
    """Check *relation* against *schema* with *fetch* (runs a query, returns its rows).

    Returns the dataset as the shared SQL reads it, and what binding learned.
    """
    stub = RawTable(schema.name, relation.origin, {c: [] for c in relation.columns}, 0)
    check_present(schema, stub)
    checker = _Checker(fetch, schema, relation)
    time_column = schema.time or infer_time(schema, stub)
    declared = dimension_columns(schema, relation.columns, time_column)
    numeric = set(schema.measures) | set(schema.numeric_columns)
    numeric |= {c for c in schema.wanted if c in relation.columns and c != schema.time}
    candidates = [c for c in relation.columns
                  if c not in numeric and c not in declared and c != time_column
                  and not schema.complete and c.lower() not in TIME_NAMES
                  and relation.families[c] in (*_NUMERIC, "text")]
    bad: dict[str, exp.Expr] = {}
    for column in [*(c for c in relation.columns if c in numeric), *candidates]:
        check = not_a_number(checker.cell(column), checker.family(column))
        if check is not None:
            bad[column] = check
    known = {c: exp.Not(this=exp.Is(this=number_of(checker.family(c))(checker.cell(c)), expression=exp.null()))
             for c in candidates}
    n_rows, broken, holding = checker.scan(bad, known)
    problems: list[Diagnostic] = []
    time: TimeSource | None = None
    periods: tuple[Period, ...] = ()
    grain: Grain | None = None
    if time_column is not None:
        time, periods, grain, problem = checker.time(time_column)
        problems.extend([problem] if problem is not None else [])
    problems.extend(checker.bad_number(c) for c in relation.columns if c in numeric and c in broken)
    if problems:
        raise DirectiveDataError(problems[0].message, diagnostics=problems)
    dims: dict[str, Convert] = {}
    measures: dict[str, Convert] = {}
    for column in relation.columns:
        family = relation.families[column]
        if column in numeric:
            measures[column] = number_of(family)
        if column in declared:
            dims[column] = text_of(family)
        if column in numeric or column in declared or column == time_column:
            continue
        if column in holding and column not in broken:
            measures[column] = number_of(family)
            continue
        dims[column] = text_of(family)
    cells = {c: checker.cell(c) for c in relation.columns}
    dataset = SqlDataset(name=schema.name, relation=relation.table, cells=cells, text=dims,
                         numbers=measures, time=time, grain=grain)
    numeric_dimensions = frozenset(c for c in dims if relation.families[c] in _NUMERIC)
    info = bound_info(dataset, origin=relation.origin, n_rows=n_rows, time_column=time_column,
                      periods=periods, numeric_dimensions=numeric_dimensions)
    return dataset, info
