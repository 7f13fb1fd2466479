"""Check a relation in another database (Spark, PostgreSQL, …) against its declaration, in SQL.

The flow, the rules and the errors are those of :mod:`.binder`; this is its
backend for other databases. Only a few aggregates come back: one row of
flags for every column, and the distinct periods.

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

from ...data import DatasetSchema
from ...plan import TableInfo
from .binder import NUMERIC_FAMILIES, Backend, NumberFacts, bind, time_source
from .conditions import cast, dimension_text, ident, template, text
from .periods import TimeSource, stripped
from .query import Convert, SqlDataset

Family = Literal["text", "int", "float", "decimal", "bool", "date", "timestamp", "null", "other"]
Fetch = Callable[[exp.Expr], list[tuple[Any, ...]]]

_UNKNOWN = ("", "na", "n/a", "nan", "null", "none", "+nan", "-nan")
# What the reference reader takes for a finite number (Python's float() without "_", NaN and inf).
_NUMBER = r"^[+-]?(([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?)$"


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


# ---------------------------------------------------------------- binding


def _flag(condition: exp.Expr) -> exp.Expr:
    """1 when *condition* holds for some row, else 0 (no boolean aggregate needed)."""
    return exp.Max(this=exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))],
                                 default=exp.Literal.number(0)))


class RemoteBackend(Backend):
    """A relation of another database, read by family; every check in one scan of flags."""

    def __init__(self, fetch: Fetch, relation: Relation) -> None:
        self.run = fetch
        self.relation = relation
        self.name = relation.name
        self.origin = relation.origin
        self.table = relation.table
        self.columns = relation.columns
        self.families = relation.families

    def family(self, column: str) -> Family:
        return self.relation.families[column]

    def number_of(self, column: str) -> Convert:
        return number_of(self.family(column))

    def text_of(self, column: str) -> Convert:
        return text_of(self.family(column))

    def not_a_number(self, column: str) -> exp.Expr | None:
        return not_a_number(self.cell(column), self.family(column))

    def time_source(self, column: str) -> TimeSource:
        return time_source(self.cell(column), self.family(column))

    def fetch(self, query: exp.Expr, *, remember: bool = False) -> list[tuple[Any, ...]]:
        return self.run(query)

    def line(self, row: int) -> int | None:
        return self.relation.lines(row) if self.relation.lines is not None else None

    def numbers(self, numeric: list[str], candidates: list[str]) -> NumberFacts:
        """One scan: the row count, a flag per column for a non-number, one per candidate for a number."""
        candidates = [c for c in candidates if self.family(c) in (*NUMERIC_FAMILIES, "text")]
        bad: dict[str, exp.Expr] = {}
        for column in [*numeric, *candidates]:
            check = self.not_a_number(column)
            if check is not None:
                bad[column] = check
        known = {c: exp.Not(this=exp.Is(this=self.number_of(c)(self.cell(c)), expression=exp.null()))
                 for c in candidates}
        flags = [_flag(e) for e in (*bad.values(), *known.values())]
        row = self.run(exp.select(exp.Count(this=exp.Star()), *flags).from_(self.table.copy()))[0]
        found = [bool(v) for v in row[1:]]
        broken = {c for c, f in zip(bad, found, strict=False) if f}
        holding = {c for c, f in zip(known, found[len(bad):], strict=True) if f}
        return NumberFacts(broken=frozenset(broken), measures=frozenset(holding - broken), n_rows=int(row[0]))

    def first(self, where: exp.Expr, column: str) -> tuple[int | None, object]:
        relation = self.relation
        if relation.numbered is None:
            query = exp.select(self.cell(column)).from_(relation.table.copy()).where(where).limit(1)
            return None, self.run(query)[0][0]
        numbered = relation.numbered.copy()
        query = (exp.select(ident("__row"), self.cell(column)).from_(numbered)
                 .where(where).order_by(ident("__row")).limit(1))
        row, value = self.run(query)[0]
        if not relation.dense:
            before = exp.LT(this=ident("__row"), expression=exp.Literal.number(int(row)))
            counted = exp.select(exp.Count(this=exp.Star())).from_(relation.numbered.copy()).where(before)
            row = self.run(counted)[0][0]
        return int(row), value


def bind_relation(fetch: Fetch, schema: DatasetSchema, relation: Relation) -> tuple[SqlDataset, TableInfo]:
    """Check *relation* against *schema* with *fetch* (runs a query, returns its rows).

    Returns the dataset as the shared SQL reads it, and what binding learned.
    """
    return bind(RemoteBackend(fetch, relation), schema)
