"""What a row condition means, in Python, with SQL's three-valued logic.

An unknown cell (empty, null) makes a comparison unknown (None); ``and``,
``or`` and ``not`` treat unknown as SQL does, and a row is kept only when its
condition is True. The SQL engines get the same meaning for free; the Python
engine and the narrowing of expected groups use this module.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import model as m

Truth = bool | None
Column = Sequence[object]

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "=": operator.eq,
    "!=": operator.ne,
}


def as_text(value: str | float) -> str:
    """A literal as a dimension value: 2026.0 is "2026"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def as_number(value: object) -> float | None:
    """A cell as a number, or None when it holds none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def compare_cell(cell: object, op: str, value: object, numeric: bool) -> Truth:
    """``cell op value``; numeric compares numbers, otherwise text (numbers as their text)."""
    if cell is None or value is None:
        return None
    if numeric:
        left, right = as_number(cell), as_number(value)
        if left is None or right is None:
            return None
        return OPERATORS[op](left, right)
    if isinstance(value, float) and op not in ("=", "!="):
        number = as_number(cell)
        return None if number is None else OPERATORS[op](number, value)
    right_text = as_text(value) if isinstance(value, float) else str(value)
    return OPERATORS[op](str(cell), right_text)


def condition_holds(
    cond: m.RowCondition, row: Mapping[str, object], numeric: frozenset[str] = frozenset()
) -> Truth:
    """Whether one row (column name → cell) satisfies *cond*."""
    if isinstance(cond, m.ColumnCompare):
        cell = row.get(cond.column)
        is_number = cond.column in numeric
        if is_number and cell is not None:
            cell = float(cell) * cond.scale  # type: ignore[arg-type]
        if isinstance(cond.value, m.ColumnName):
            other = row.get(cond.value.name)
            if other is not None and cond.value.name in numeric:
                other = float(other) * cond.value.scale  # type: ignore[arg-type]
            return compare_cell(cell, cond.op, other, is_number)
        return compare_cell(cell, cond.op, cond.value, is_number)
    if isinstance(cond, m.ColumnIn):
        cell = row.get(cond.column)
        if cell is None:
            return None
        found = member(cell, cond.values, cond.column in numeric)
        return (not found) if cond.negated else found
    if isinstance(cond, m.Not):
        inner = condition_holds(cond.item, row, numeric)
        return None if inner is None else not inner
    results = [condition_holds(item, row, numeric) for item in cond.items]
    if isinstance(cond, m.AllOf):
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def member(cell: object, values: Sequence[str | float], numeric: bool) -> bool:
    if numeric:
        number = as_number(cell)
        return number is not None and any(as_number(v) == number for v in values)
    text = str(cell)
    return any((as_text(v) if isinstance(v, float) else v) == text for v in values)


def condition_mask(
    cond: m.RowCondition, columns: Mapping[str, Column], numeric: frozenset[str], n_rows: int
) -> list[Truth]:
    """*cond* for every row of a column-major table, column by column."""
    if isinstance(cond, m.ColumnCompare):
        cells = _scaled(columns, cond.column, cond.scale, numeric)
        is_number = cond.column in numeric
        op = OPERATORS[cond.op]
        if isinstance(cond.value, m.ColumnName):
            others = _scaled(columns, cond.value.name, cond.value.scale, numeric)
            return [
                compare_cell(a, cond.op, b, is_number) for a, b in zip(cells, others, strict=True)
            ]
        value = cond.value
        if is_number:
            if isinstance(value, str):
                return [None if c is None else False for c in cells]
            return [None if c is None else op(c, value) for c in cells]
        return [compare_cell(c, cond.op, value, False) for c in cells]
    if isinstance(cond, m.ColumnIn):
        cells = columns[cond.column]
        is_number = cond.column in numeric
        if is_number:
            wanted = {as_number(v) for v in cond.values}
            hits = [None if c is None else c in wanted for c in cells]
        else:
            texts = {as_text(v) if isinstance(v, float) else v for v in cond.values}
            hits = [None if c is None else c in texts for c in cells]
        if cond.negated:
            return [None if h is None else not h for h in hits]
        return hits
    if isinstance(cond, m.Not):
        return [
            None if h is None else not h
            for h in condition_mask(cond.item, columns, numeric, n_rows)
        ]
    masks = [condition_mask(item, columns, numeric, n_rows) for item in cond.items]
    if isinstance(cond, m.AllOf):
        return [truth_all(values) for values in zip(*masks, strict=True)]
    return [truth_any(values) for values in zip(*masks, strict=True)]


def _scaled(
    columns: Mapping[str, Column], name: str, scale: float, numeric: frozenset[str]
) -> Column:
    cells = columns[name]
    if name in numeric and scale != 1.0:
        return [None if c is None else c * scale for c in cells]  # type: ignore[operator]
    return cells


def truth_all(values: tuple[Truth, ...]) -> Truth:
    """SQL's AND over three-valued truths."""
    if False in values:
        return False
    return None if None in values else True


def truth_any(values: tuple[Truth, ...]) -> Truth:
    """SQL's OR over three-valued truths."""
    if True in values:
        return True
    return None if None in values else False
