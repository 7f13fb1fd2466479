"""Check a DuckDB relation against its dataset declaration, in SQL.

The rules are those of :func:`directive_dsl.data.bind_table`, and so are the
errors: a declared column missing (E501), a measure with a non-number (E502)
or a time value that is not a period (E503), each at the first offending row
(for CSV, its line in the file). Which columns are measures is inferred the
same way. Nothing is copied: the result is a :class:`SqlDataset` of
expressions over the relation, each cell converted as the reference engine
converts it (text "NA" is unknown, 3.0 as a dimension is "3", …).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

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
from ..sql.cache import duckdb_sql
from ..sql.conditions import cast, dimension_text, ident, number_text, template, text
from ..sql.periods import TimeSource, day_of, fine_value, grain_of
from ..sql.query import Convert, SqlDataset, bound_info, same
from .sources import Loader, Source, Unsupported, row_lines

Family = Literal["text", "int", "float", "decimal", "bool", "date", "timestamp", "null", "json"]

_INTS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
         "UINTEGER", "UBIGINT", "UHUGEINT"}
_WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_UNKNOWN = ("", "na", "n/a", "nan", "null", "none")


def family(duckdb_type: str) -> Family:
    """The kind of cells a DuckDB column type holds; Unsupported for the rest (lists, …)."""
    t = duckdb_type.upper()
    if t == "VARCHAR" or t.startswith("ENUM("):
        return "text"
    if t in _INTS:
        return "int"
    if t in ("FLOAT", "DOUBLE"):
        return "float"
    if t.startswith("DECIMAL"):
        return "decimal"
    if t == "BOOLEAN":
        return "bool"
    if t == "DATE":
        return "date"
    if t in ("TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S"):
        return "timestamp"
    if t == '"NULL"' or t == "NULL":
        return "null"
    if t == "JSON":
        return "json"
    raise Unsupported(duckdb_type)


# ---------------------------------------------------------------- cells as the reference reads them


def number_of(kind: Family) -> Convert:
    """How a cell of *kind* reads as a number."""
    return lambda cell: as_number(cell, kind)


def text_of(kind: Family, blanks: bool = True) -> Convert:
    """How a cell of *kind* reads as dimension text; *blanks*: text cells may be "" (unknown)."""
    if kind == "text" and not blanks:
        return same
    return lambda cell: as_text(cell, kind)


_JSON_NUMBER = "json_type(:v) IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'HUGEINT')"


def _json_string(cell: exp.Expr) -> exp.Expr:
    return template("CASE WHEN json_type(:v) = 'VARCHAR' THEN json_extract_string(:v, '$') END", v=cell)


def as_number(cell: exp.Expr, kind: Family) -> exp.Expr:
    """A cell as a DOUBLE, NULL when unknown (NaN included)."""
    if kind == "json":
        # A JSON number may be NaN (Python's json module writes it): unknown, as in a float column.
        return template(f"CASE WHEN {_JSON_NUMBER} THEN :d ELSE :s END",
                        v=cell, d=as_number(template("TRY_CAST(:v AS DOUBLE)", v=cell), "float"),
                        s=as_number(_json_string(cell), "text"))
    if kind in ("int", "decimal"):
        return cast(cell, "DOUBLE")
    if kind == "float":
        return template("CASE WHEN ISNAN(:v) THEN NULL ELSE CAST(:v AS DOUBLE) END", v=cell)
    if kind == "text":
        return template("CASE WHEN ISNAN(TRY_CAST(:v AS DOUBLE)) THEN NULL ELSE TRY_CAST(:v AS DOUBLE) END",
                        v=cast(cell, "TEXT"))
    return cast(exp.null(), "DOUBLE")


def not_a_number(cell: exp.Expr, kind: Family) -> exp.Expr:
    """Whether a cell holds something that is neither a number nor unknown."""
    if kind in ("int", "decimal", "null"):
        return exp.false()
    if kind == "float":  # an infinite value is no figure either (SPEC §13.1)
        return template("COALESCE(ISINF(:v), FALSE)", v=cell)
    if kind == "json":
        return template("(json_type(:v) IN ('BOOLEAN', 'ARRAY', 'OBJECT')"
                        " OR COALESCE(json_type(:v) = 'DOUBLE' AND ISINF(TRY_CAST(:v AS DOUBLE)), FALSE)"
                        " OR :s)",
                        v=cell, s=not_a_number(_json_string(cell), "text"))
    if kind != "text":
        return exp.Not(this=exp.Is(this=cell, expression=exp.null()))
    return template(
        "(:v IS NOT NULL AND LOWER(TRIM(:v, :ws)) NOT IN (:u0, :u1, :u2, :u3, :u4, :u5)"
        " AND (TRY_CAST(:v AS DOUBLE) IS NULL OR STRPOS(:v, '_') > 0"
        " OR ISINF(TRY_CAST(:v AS DOUBLE))))",
        v=cast(cell, "TEXT"), ws=text(_WHITESPACE),
        **{f"u{i}": text(u) for i, u in enumerate(_UNKNOWN)},
    )


def as_text(cell: exp.Expr, kind: Family) -> exp.Expr:
    """A cell as dimension text ("" is unknown; 3.0 is "3"; booleans "true"/"false")."""
    if kind == "json":
        return template(
            "CASE WHEN json_type(:v) = 'VARCHAR' THEN :s WHEN json_type(:v) = 'DOUBLE' THEN :d"
            " WHEN json_type(:v) IN ('BIGINT', 'UBIGINT', 'HUGEINT', 'BOOLEAN') THEN CAST(:v AS TEXT) END",
            v=cell, s=as_text(_json_string(cell), "text"), d=number_text(cast(cell, "DOUBLE")))
    if kind == "timestamp":
        return template("CASE WHEN MICROSECOND(:v) % 1000000 = 0 THEN STRFTIME(:v, '%Y-%m-%d %H:%M:%S')"
                        " ELSE STRFTIME(:v, '%Y-%m-%d %H:%M:%S.%f') END", v=cell)
    return dimension_text(cell, kind)


def time_source(cell: exp.Expr, kind: Family) -> TimeSource:
    """How the time column reads (booleans and nulls are never periods)."""
    if kind in ("int", "float", "decimal"):
        return TimeSource(cell, "year")
    if kind in ("date", "timestamp"):
        return TimeSource(cell, "date")
    if kind == "text":
        return TimeSource(cell, "text")
    if kind == "json":  # whole numbers 1000..9999 as their digits, anything else but text refused
        return TimeSource(template(
            f"CASE WHEN json_type(:v) = 'VARCHAR' THEN json_extract_string(:v, '$')"
            f" WHEN {_JSON_NUMBER} AND :y = 0 THEN CAST(CAST(CAST(:v AS DOUBLE) AS INT) AS TEXT)"
            " WHEN json_type(:v) <> 'NULL' THEN 'not a period' END",
            v=cell, y=grain_of(cell, "year")), "text")
    return TimeSource(cast(exp.null(), "TEXT"), "text")


# ---------------------------------------------------------------- binding


def _as_double(cell: exp.Expr) -> exp.Expr:
    """A float cell as a DOUBLE, NaN left as it is."""
    return cast(cell, "DOUBLE")


class _Binder:
    """Checks one source against one schema, query by query."""

    def __init__(self, loader: Loader, schema: DatasetSchema, source: Source) -> None:
        self.loader = loader
        self.schema = schema
        self.source = source
        self.kinds = {c: family(t) for c, t in source.types.items()}
        self.relation = exp.Table(this=exp.to_identifier(source.relation, quoted=True))

    def cell(self, column: str) -> exp.Expr:
        return ident(self.source.columns[column])

    def exists(self, where: exp.Expr) -> bool:
        probe = exp.select("1").from_(self.relation.copy()).where(where).limit(1)
        return bool(self.loader.execute_exactly(duckdb_sql(probe)))

    def first_row(self, where: exp.Expr, column: str) -> tuple[int, object]:
        """The 0-based index and the cell of the first row where *where* holds."""
        numbered = exp.to_table("numbered")
        query = (exp.select(ident("__row"), self.cell(column)).from_(numbered)
                 .where(where).order_by(ident("__row")).limit(1))
        sql = f"WITH numbered AS {self.source.numbered} {duckdb_sql(query)}"
        row, value = self.loader.execute(sql)[0]
        if self.kinds[column] == "json" and isinstance(value, str):
            value = json.loads(value)
        return int(row), value

    # ---------------------------------------------------------------- checks

    def time(self, column: str) -> tuple[TimeSource, tuple[Period, ...], Grain | None, Diagnostic | None]:
        source = time_source(self.cell(column), self.kinds[column])
        value = fine_value(source)
        distinct = exp.select(exp.alias_(value, "t", quoted=True)).from_(self.relation.copy()).distinct()
        grain = grain_of(ident("t"), source.kind)
        timed = exp.select(ident("t"), exp.alias_(grain, "grain", quoted=True)).from_(distinct.subquery("d"))
        query = exp.select(ident("grain"), day_of(ident("t"), source.kind, ident("grain"))).from_(
            timed.subquery("g"))
        found = self.loader.remembered(self.source.relation, duckdb_sql(query))
        if any(g is None or d is None for g, d in found):  # an unparsable or empty (NULL, NaT) time
            missing = exp.or_(exp.Is(this=value.copy(), expression=exp.null()),
                              exp.Is(this=grain_of(value, source.kind), expression=exp.null()))
            row, cell = self.first_row(missing, column)
            problem = time_problem(self._raw(column, row, cell), column, row,
                                    inferred=self.schema.time is None)
            return source, (), None, problem
        periods = {Period("day", d.toordinal()).to_grain(GRAINS[int(g)]) for g, d in found}
        ordered = sorted(periods)
        ordered.sort(key=lambda p: (p.start_day(), GRAINS.index(p.grain)))
        grains = {p.grain for p in ordered}
        return source, tuple(ordered), max(grains, key=GRAINS.index) if grains else None, None

    def bad_numbers(self, columns: list[str]) -> list[Diagnostic]:
        """E502 for each of *columns* holding a non-number, at its first one."""
        # float columns whose file statistics rule out infinities need no scan of their own
        columns = [c for c in columns if not (self.kinds[c] == "float" and c in self.source.finite)]
        checks = {c: not_a_number(self.cell(c), self.kinds[c]) for c in columns}
        checks = {c: e for c, e in checks.items() if not isinstance(e, exp.Boolean)}
        if not checks:
            return []
        query = exp.select(*(exp.func("bool_or", e) for e in checks.values())).from_(self.relation.copy())
        flags = self.loader.remembered(self.source.relation, duckdb_sql(query))[0]
        problems = []
        for (column, check), bad in zip(checks.items(), flags, strict=True):
            if bad:
                row, cell = self.first_row(check, column)
                problems.append(number_problem(self.schema, self._raw(column, row, cell), column, row))
        return problems

    def json_numbers(self, columns: list[str]) -> frozenset[str]:
        """The JSON *columns* whose every known value is a number, with at least one."""
        if not columns:
            return frozenset()
        checks = [template(f"bool_and(:v IS NULL OR json_type(:v) = 'NULL' OR {_JSON_NUMBER})",
                           v=self.cell(c)) for c in columns]
        seen = [template("bool_or(:v IS NOT NULL AND json_type(:v) <> 'NULL')", v=self.cell(c))
                for c in columns]
        row = self.loader.remembered(self.source.relation,
                                     duckdb_sql(exp.select(*checks, *seen).from_(self.relation.copy())))[0]
        return frozenset(c for c, numbers, any_ in zip(columns, row, row[len(columns):], strict=False)
                         if numbers and any_)

    def is_measure(self, column: str) -> bool:
        """Whether an undeclared column holds numbers only, and at least one."""
        kind = self.kinds[column]
        if kind not in ("text", "int", "float", "decimal", "json"):
            return False
        if kind in ("text", "json") and self.exists(not_a_number(self.cell(column), kind)):
            return False
        number = as_number(self.cell(column), kind)
        return self.exists(exp.Not(this=exp.Is(this=number, expression=exp.null())))

    def _raw(self, column: str, row: int, cell: object) -> RawTable:
        """A stand-in for the read table, holding just the cell the message shows."""
        lines: Sequence[int] | None = None
        if self.source.delimiter is not None or self.source.json_lines:
            line = row_lines(self.source, [row]).get(row)
            lines = OneCell(row, line) if line is not None else None
        columns: dict[str, Any] = {c: () for c in self.source.columns}
        columns[column] = OneCell(row, cell)
        return RawTable(self.source.name, self.source.origin, columns, self.source.n_rows, None, lines)


def bind_source(loader: Loader, schema: DatasetSchema, source: Source) -> tuple[SqlDataset, TableInfo]:
    """Check *source* against *schema*; the dataset as SQL reads it, and what binding learned."""
    stub = RawTable(schema.name, source.origin, {c: [] for c in source.columns}, source.n_rows)
    check_present(schema, stub)
    binder = _Binder(loader, schema, source)
    time_column = schema.time or infer_time(schema, stub)
    declared = dimension_columns(schema, source.columns, time_column)
    numeric = set(schema.measures) | set(schema.numeric_columns)
    numeric |= {c for c in schema.wanted if c in source.columns and c != schema.time}
    problems: list[Diagnostic] = []
    time: TimeSource | None = None
    periods: tuple[Period, ...] = ()
    grain: Grain | None = None
    if time_column is not None:
        time, periods, grain, problem = binder.time(time_column)
        problems.extend([problem] if problem is not None else [])
    problems.extend(binder.bad_numbers([c for c in source.columns if c in numeric]))
    dims: dict[str, Convert] = {}
    measures: dict[str, Convert] = {}
    for column in source.columns:
        kind = binder.kinds[column]
        if column in numeric:
            measures[column] = number_of(kind)
        blanks = column not in source.no_blanks
        if column in declared:
            dims[column] = text_of(kind, blanks)
        if column in numeric or column in declared or column == time_column:
            continue
        if not schema.complete and column.lower() not in TIME_NAMES and binder.is_measure(column):
            measures[column] = number_of(kind)
            continue
        dims[column] = text_of(kind, blanks)
    if problems:
        raise DirectiveDataError(problems[0].message, diagnostics=problems)
    cells = {c: binder.cell(c) for c in source.columns}
    nan_checks: dict[str, Convert] = {}
    if source.nan_rare:
        nan_checks = {c: f for c, f in measures.items() if binder.kinds[c] == "float"}
        measures.update(dict.fromkeys(nan_checks, _as_double))
    # A measure read by a plain cast from a column without NULLs is never unknown.
    whole = frozenset(c for c in measures if c in source.no_nulls
                      and (c in nan_checks or binder.kinds[c] in ("int", "decimal")))
    dataset = SqlDataset(name=schema.name, relation=binder.relation, cells=cells, text=dims,
                         numbers=measures, time=time, grain=grain, nan_checks=nan_checks, whole=whole)
    numeric_dimensions = frozenset(c for c in dims if binder.kinds[c] in ("int", "float", "decimal"))
    numeric_dimensions |= binder.json_numbers([c for c in dims if binder.kinds[c] == "json"])
    info = bound_info(dataset, origin=source.origin, n_rows=source.n_rows, time_column=time_column,
                      periods=periods, numeric_dimensions=numeric_dimensions)
    return dataset, info
