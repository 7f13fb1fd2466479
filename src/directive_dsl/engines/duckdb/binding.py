"""Check a DuckDB relation against its dataset declaration, in SQL.

The flow, the rules and the errors are those of :mod:`..sql.binder`; this is
its backend for DuckDB: DuckDB's cell families (JSON among them), the first
offending row located in the file (for CSV, its line), and answers kept for
files that have not changed. Nothing is copied: the result is a
:class:`SqlDataset` of expressions over the relation, each cell converted as
the reference engine converts it (text "NA" is unknown, 3.0 as a dimension
is "3", …).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

import attrs
from sqlglot import exp

from ...data import DatasetSchema
from ...plan import TableInfo
from ..sql.binder import Backend, NumberFacts, bind
from ..sql.binder import time_source as family_time_source
from ..sql.cache import duckdb_sql
from ..sql.conditions import cast, dimension_text, ident, number_text, template, text
from ..sql.periods import TimeSource, grain_of
from ..sql.query import Convert, SqlDataset, same
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
    if kind == "json":  # whole numbers 1000..9999 as their digits, anything else but text refused
        return TimeSource(template(
            f"CASE WHEN json_type(:v) = 'VARCHAR' THEN json_extract_string(:v, '$')"
            f" WHEN {_JSON_NUMBER} AND :y = 0 THEN CAST(CAST(CAST(:v AS DOUBLE) AS INT) AS TEXT)"
            " WHEN json_type(:v) <> 'NULL' THEN 'not a period' END",
            v=cell, y=grain_of(cell, "year")), "text")
    return family_time_source(cell, kind)


# ---------------------------------------------------------------- binding


def _as_double(cell: exp.Expr) -> exp.Expr:
    """A float cell as a DOUBLE, NaN left as it is."""
    return cast(cell, "DOUBLE")


class DuckDbBackend(Backend):
    """A source loaded in DuckDB: rows located in the file, answers kept for unchanged files."""

    def __init__(self, loader: Loader, source: Source) -> None:
        self.loader = loader
        self.source = source
        self.name = source.name
        self.origin = source.origin
        self.columns = source.columns
        self.kinds = {c: family(t) for c, t in source.types.items()}
        self.families = self.kinds
        self.table = exp.Table(this=exp.to_identifier(source.relation, quoted=True))

    # ---------------------------------------------------------------- cells by family

    def number_of(self, column: str) -> Convert:
        return number_of(self.kinds[column])

    def text_of(self, column: str) -> Convert:
        return text_of(self.kinds[column], column not in self.source.no_blanks)

    def not_a_number(self, column: str) -> exp.Expr | None:
        check = not_a_number(self.cell(column), self.kinds[column])
        return None if isinstance(check, exp.Boolean) else check

    def time_source(self, column: str) -> TimeSource:
        return time_source(self.cell(column), self.kinds[column])

    # ---------------------------------------------------------------- running

    def fetch(self, query: exp.Expr, *, remember: bool = False) -> list[tuple[Any, ...]]:
        if remember:
            return self.loader.remembered(self.source.relation, duckdb_sql(query))
        return self.loader.execute(duckdb_sql(query))

    def exists(self, where: exp.Expr) -> bool:
        probe = exp.select("1").from_(self.table.copy()).where(where).limit(1)
        return bool(self.loader.execute_exactly(duckdb_sql(probe)))

    def first(self, where: exp.Expr, column: str) -> tuple[int | None, object]:
        numbered = exp.to_table("numbered")
        query = (exp.select(ident("__row"), self.cell(column)).from_(numbered)
                 .where(where).order_by(ident("__row")).limit(1))
        sql = f"WITH numbered AS {self.source.numbered} {duckdb_sql(query)}"
        row, value = self.loader.execute(sql)[0]
        if self.kinds[column] == "json" and isinstance(value, str):
            value = json.loads(value)
        return int(row), value

    def line(self, row: int) -> int | None:
        if self.source.delimiter is None and not self.source.json_lines:
            return None
        return row_lines(self.source, [row]).get(row)

    def numbers(self, numeric: list[str], candidates: list[str]) -> NumberFacts:
        """One scan of flags for the *numeric* columns, then a probe or two per candidate."""
        # float columns whose file statistics rule out infinities need no scan of their own
        checks = {c: self.not_a_number(c) for c in numeric
                  if not (self.kinds[c] == "float" and c in self.source.finite)}
        bad = {c: e for c, e in checks.items() if e is not None}
        broken: frozenset[str] = frozenset()
        if bad:
            query = exp.select(*(exp.func("bool_or", e) for e in bad.values())).from_(self.table.copy())
            flags = self.fetch(query, remember=True)[0]
            broken = frozenset(c for c, flag in zip(bad, flags, strict=True) if flag)
        measures = frozenset(c for c in candidates if self.is_measure(c))
        return NumberFacts(broken=broken, measures=measures, n_rows=self.source.n_rows)

    def is_measure(self, column: str) -> bool:
        """Whether an undeclared column holds numbers only, and at least one."""
        kind = self.kinds[column]
        if kind not in ("text", "int", "float", "decimal", "json"):
            return False
        # An infinite float is no figure either (SPEC §13.1): unless the file's statistics
        # rule it out, the column is a dimension, as the reference reader makes it.
        check = self.not_a_number(column)
        if check is not None and not (kind == "float" and column in self.source.finite) and self.exists(check):
            return False
        number = as_number(self.cell(column), kind)
        return self.exists(exp.Not(this=exp.Is(this=number, expression=exp.null())))

    # ---------------------------------------------------------------- the dataset

    def finish(self, dataset: SqlDataset) -> SqlDataset:
        measures = dict(dataset.numbers)
        nan_checks: dict[str, Convert] = {}
        if self.source.nan_rare:
            nan_checks = {c: f for c, f in measures.items() if self.kinds[c] == "float"}
            measures.update(dict.fromkeys(nan_checks, _as_double))
        # A measure read by a plain cast from a column without NULLs is never unknown.
        whole = frozenset(c for c in measures if c in self.source.no_nulls
                          and (c in nan_checks or self.kinds[c] in ("int", "decimal")))
        return attrs.evolve(dataset, numbers=measures, nan_checks=nan_checks, whole=whole)

    def numeric_dimensions(self, dimensions: Iterable[str]) -> frozenset[str]:
        dimensions = list(dimensions)
        found = super().numeric_dimensions(dimensions)
        return found | self.json_numbers([c for c in dimensions if self.kinds[c] == "json"])

    def json_numbers(self, columns: list[str]) -> frozenset[str]:
        """The JSON *columns* whose every known value is a number, with at least one."""
        if not columns:
            return frozenset()
        checks = [template(f"bool_and(:v IS NULL OR json_type(:v) = 'NULL' OR {_JSON_NUMBER})",
                           v=self.cell(c)) for c in columns]
        seen = [template("bool_or(:v IS NOT NULL AND json_type(:v) <> 'NULL')", v=self.cell(c))
                for c in columns]
        row = self.fetch(exp.select(*checks, *seen).from_(self.table.copy()), remember=True)[0]
        return frozenset(c for c, numbers, any_ in zip(columns, row, row[len(columns):], strict=False)
                         if numbers and any_)


def bind_source(loader: Loader, schema: DatasetSchema, source: Source) -> tuple[SqlDataset, TableInfo]:
    """Check *source* against *schema*; the dataset as SQL reads it, and what binding learned."""
    return bind(DuckDbBackend(loader, source), schema)
