"""Row conditions and derived measures as sqlglot expressions.

Everything here builds expression trees: column names become quoted
identifiers and directive values become literals, so no text in a directive
can change a query's shape. The meaning is the one in
:mod:`directive_dsl.conditions` (SQL's three-valued logic, text against
number comparisons, ``in`` lists, scale factors) and in the reference engine's
row expressions (``a / 0`` is unknown).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Protocol

import sqlglot
from sqlglot import exp

from ... import model as m
from ...conditions import as_number, as_text
from .cache import TemplateCache
from .dialects import on_doubles

_CMP: dict[str, Callable[..., exp.Expr]] = {
    ">=": exp.GTE,
    "<=": exp.LTE,
    ">": exp.GT,
    "<": exp.LT,
    "=": exp.EQ,
    "!=": exp.NEQ,
}

# Python's float() grammar (the spellings of inf and nan included); underscores
# are allowed between digits, as float() allows them.
_PY_FLOAT = (
    r"^\s*[+-]?(([0-9](_?[0-9])*(\.([0-9](_?[0-9])*)?)?|\.[0-9](_?[0-9])*)"
    r"([eE][+-]?[0-9](_?[0-9])*)?|[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])\s*$"
)


class Columns(Protocol):
    """How a query reads the columns of a dataset: as numbers or as text."""

    def is_number(self, name: str) -> bool: ...

    def number(self, name: str) -> exp.Expr: ...

    def text(self, name: str) -> exp.Expr: ...


def ident(name: str) -> exp.Column:
    """A quoted column reference."""
    return exp.Column(this=exp.Identifier(this=name, quoted=True))


@functools.cache
def _data_type(name: str) -> exp.DataType:
    return exp.DataType.build(name)


def cast(value: exp.Expr, to: str) -> exp.Cast:
    """``CAST(value AS to)`` on a copy of *value*, as ``exp.cast`` builds it (the type parsed once)."""
    return exp.cast(value, _data_type(to))


def number(value: float) -> exp.Expr:
    """A float literal that every dialect reads back as exactly *value*."""
    value = float(value)
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        literal: exp.Expr = exp.Literal.number(int(value))
        return exp.Neg(this=exp.Literal.number(-int(value))) if value < 0 else literal
    return cast(exp.Literal.string(repr(float(value))), "DOUBLE")


def text(value: str) -> exp.Expr:
    """A string literal."""
    return exp.Literal.string(value)


def template(sql: str, **parts: exp.Expr) -> exp.Expr:
    """A fixed SQL shape (no directive text in it) with ``:name`` placeholders filled by trees."""

    def fill(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Placeholder):
            return parts[str(node.name)].copy()
        return node

    return _parsed(sql).transform(fill, copy=True)


@functools.lru_cache(maxsize=256)
def _parsed(sql: str) -> exp.Expr:
    cached = _TEMPLATES.get(sql)
    if not isinstance(cached, exp.Expr):
        cached = _TEMPLATES.store(sql, sqlglot.parse_one(sql, read="duckdb"))
    assert isinstance(cached, exp.Expr)
    return cached


_TEMPLATES = TemplateCache()


def dimension_text(cell: exp.Expr, kind: str) -> exp.Expr:
    """A typed cell as dimension text, for the kinds every SQL engine reads alike
    ("" is unknown; 3.0 is "3"; booleans "true"/"false"; anything else cast)."""
    if kind == "text":
        return exp.Nullif(this=cast(cell, "TEXT"), expression=text(""))
    if kind == "float":
        return number_text(cast(cell, "DOUBLE"))
    if kind == "decimal":
        return decimal_text(cell)
    if kind == "bool":
        return bool_text(cell)
    if kind == "null":
        return cast(exp.null(), "TEXT")
    return cast(cell, "TEXT")


def decimal_text(cell: exp.Expr) -> exp.Expr:
    """A DECIMAL as dimension text: whole values without their ".000"."""
    return template("CASE WHEN :v = FLOOR(:v) THEN CAST(CAST(:v AS DECIMAL(38, 0)) AS TEXT)"
                    " ELSE CAST(:v AS TEXT) END", v=cell)


def bool_text(cell: exp.Expr) -> exp.Expr:
    """A BOOLEAN as dimension text: "true" or "false"."""
    return template("CASE WHEN :v IS NULL THEN NULL WHEN :v THEN 'true' ELSE 'false' END", v=cell)


def unknown_to_null(value: exp.Expr, truth: exp.Expr) -> exp.Expr:
    """*truth*, but NULL where *value* is NULL (``CASE WHEN v IS NULL THEN NULL ELSE t END``)."""
    return template("CASE WHEN :v IS NULL THEN NULL ELSE :t END", v=value, t=truth)


def py_float(value: exp.Expr) -> exp.Expr:
    """Text read as Python's ``float()`` reads it; NULL where it is not a number."""
    return template(
        "CASE WHEN REGEXP_MATCHES(:v, :p) THEN TRY_CAST(REPLACE(:v, '_', '') AS DOUBLE) END",
        v=value,
        p=text(_PY_FLOAT),
    )


def number_text(value: exp.Expr) -> exp.Expr:
    """A number as dimension text: ``3`` for 3.0, ``2.5``, ``inf`` (Python's ``str``)."""
    return template(
        "CASE WHEN :v IS NULL OR ISNAN(:v) THEN NULL"
        " WHEN :v = FLOOR(:v) AND ABS(:v) < 1e38 THEN CAST(CAST(:v AS DECIMAL(38, 0)) AS TEXT)"
        " ELSE CAST(:v AS TEXT) END",
        v=value,
    )


# ---------------------------------------------------------------- derived measures


def row_expr(expr: m.RowExpr, columns: Columns) -> exp.Expr:
    """A derived measure computed row by row; unknown where any input is, or on division by 0."""
    if isinstance(expr, m.RowColumn):
        column = columns.number(expr.name)
        return column if expr.scale == 1.0 else on_doubles(exp.Mul(this=column, expression=number(expr.scale)))
    if isinstance(expr, m.RowConst):
        return number(expr.value)
    if isinstance(expr, m.RowNeg):
        return exp.Neg(this=exp.paren(row_expr(expr.operand, columns), copy=False))
    if isinstance(expr, m.RowUnit):  # each row's unit factor; NULL for a text not listed
        return exp.Case(this=columns.text(expr.column),
                        ifs=[exp.If(this=exp.Literal.string(text), true=number(factor))
                             for text, factor in expr.factors]) if expr.factors else exp.cast(exp.null(), "DOUBLE")
    left = exp.paren(row_expr(expr.left, columns), copy=False)
    right = exp.paren(row_expr(expr.right, columns), copy=False)
    if expr.op == "/":
        return on_doubles(exp.Div(this=left, expression=exp.Nullif(this=right, expression=number(0.0))))
    kinds: dict[str, type[exp.Expr]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}
    return on_doubles(kinds[expr.op](this=left, expression=right))


# ---------------------------------------------------------------- conditions


def condition(cond: m.RowCondition, columns: Columns) -> exp.Expr:
    """*cond* as a boolean with SQL's three-valued logic (a row counts only when it is TRUE)."""
    if isinstance(cond, m.ColumnCompare):
        return _compare(cond, columns)
    if isinstance(cond, m.ColumnIn):
        return _member(cond, columns)
    if isinstance(cond, m.Not):
        return exp.Not(this=_grouped(condition(cond.item, columns)))
    parts = [_grouped(condition(item, columns)) for item in cond.items]
    return exp.and_(*parts, copy=False) if isinstance(cond, m.AllOf) else exp.or_(*parts, copy=False)


def _grouped(expression: exp.Expr) -> exp.Expr:
    """*expression*, in parentheses when it is an AND, an OR or a NOT."""
    if isinstance(expression, exp.Connector | exp.Not):
        return exp.paren(expression, copy=False)
    return expression


def _scaled(name: str, scale: float, columns: Columns) -> exp.Expr:
    column = columns.number(name)
    return column if scale == 1.0 else on_doubles(exp.Mul(this=column, expression=number(scale)))


def _numeric_compare(left: exp.Expr, op: str, right: exp.Expr) -> exp.Expr:
    """``left op right`` where *right* was read from text: a NaN there compares false."""
    return template(
        "CASE WHEN :l IS NULL OR :r IS NULL THEN NULL WHEN ISNAN(:r) THEN FALSE ELSE :c END",
        l=left,
        r=right,
        c=_CMP[op](this=left.copy(), expression=right.copy()),
    )


def _compare(cond: m.ColumnCompare, columns: Columns) -> exp.Expr:
    op, value = cond.op, cond.value
    if columns.is_number(cond.column):
        left = _scaled(cond.column, cond.scale, columns)
        if isinstance(value, m.ColumnName):
            if columns.is_number(value.name):
                right = _scaled(value.name, value.scale, columns)
                return _CMP[op](this=left, expression=right)
            return _numeric_compare(left, op, py_float(columns.text(value.name)))
        if isinstance(value, str):
            return unknown_to_null(left, exp.false())
        return _CMP[op](this=left, expression=number(value))
    cell = columns.text(cond.column)
    if isinstance(value, m.ColumnName):
        if columns.is_number(value.name):
            other = _scaled(value.name, value.scale, columns)
            if op in ("=", "!="):
                return _CMP[op](this=cell, expression=number_text(other))
            return _numeric_compare(other, _FLIPPED[op], py_float(cell))
        return _CMP[op](this=cell, expression=columns.text(value.name))
    if isinstance(value, float) and op not in ("=", "!="):
        return _numeric_compare(number(value), _FLIPPED[op], py_float(cell))
    shown = as_text(value) if isinstance(value, float) else value
    return _CMP[op](this=cell, expression=text(shown))


_FLIPPED = {">=": "<=", "<=": ">=", ">": "<", "<": ">"}


def _member(cond: m.ColumnIn, columns: Columns) -> exp.Expr:
    if columns.is_number(cond.column):
        cell = columns.number(cond.column)
        wanted = sorted({n for n in map(as_number, cond.values) if n is not None and n == n})
        items = [number(n) for n in wanted]
    else:
        cell = columns.text(cond.column)
        texts = sorted({as_text(v) if isinstance(v, float) else v for v in cond.values})
        items = [text(t) for t in texts]
    found = exp.In(this=cell, expressions=items) if items else unknown_to_null(cell, exp.false())
    return exp.Not(this=_grouped(found)) if cond.negated else found
