"""Selectors ``x[…]``: bare dimensions group, conditions filter rows.

On a compound expression a selector applies to every measure inside it that
has the columns it names, and is an error when none has them. A condition in
the same selector as a group, mentioning only that dimension, also narrows
the values the rule expects for it (SPEC §7.2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .. import model as m
from .. import nodes as n
from ..errors import DirectiveNameError, DirectiveUnitError, suggest
from ..source import Span
from ..units import UnknownUnit, incompatibility
from .typed import BROKEN, Typed, merge_narrowing, quantity_value

if TYPE_CHECKING:
    from .exprs import Resolver

_FLIP = {">=": "<=", "<=": ">=", ">": "<", "<": ">", "=": "=", "!=": "!="}


class _NotHere(Exception):
    """The condition names a column this dataset does not have."""

    def __init__(self, column: str) -> None:
        super().__init__(column)
        self.column = column


class _Invalid(Exception):
    """The condition is wrong whatever the dataset (reported already)."""


def apply_selector(resolver: Resolver, base: Typed, select: n.Select) -> Typed:
    value: m.Value | None = base.value
    narrowing: dict[str, tuple[m.RowCondition, ...]] = {}
    grouped = [item.name.name for item in select.items if isinstance(item, n.Group)]
    for item in select.items:
        assert value is not None
        if isinstance(item, n.Group):
            value = _group(resolver, value, item)
        else:
            value, narrowed = _filter(resolver, value, item, grouped)
            for dim, cond in narrowed.items():
                narrowing[dim] = (*narrowing.get(dim, ()), cond)
        if value is None:
            return BROKEN
    assert value is not None
    return attrs.evolve(base, value=value, narrowing=merge_narrowing(base.narrowing, narrowing))


def _has_column(info: m.DatasetInfo, column: str) -> bool:
    return column in info.known_columns() or not info.complete


def _group(resolver: Resolver, value: m.Value, item: n.Group) -> m.Value | None:
    name = item.name.name
    accepted = False

    def add(leaf: m.Aggregate) -> m.Value:
        nonlocal accepted
        info = resolver.datasets[leaf.dataset]
        if info.dimensions is not None and name in info.dimensions:
            ok = True
        else:
            ok = not info.complete and name not in info.measures and name != info.time
        if not ok:
            return leaf
        accepted = True
        return leaf if name in leaf.groups else attrs.evolve(leaf, groups=(*leaf.groups, name))

    grouped = m.map_aggregates(value, add)
    if accepted:
        return grouped
    leaves = list(m.aggregates(value))
    infos = [resolver.datasets[leaf.dataset] for leaf in leaves]
    if any(name == info.time for info in infos):
        resolver._fail(
            item.span,
            "E203",
            f"`{name}` is the time column; it cannot be grouped by",
            "one value per period comes from the time clause: `per year`",
            kind=DirectiveNameError,
        )
        return None
    if any(name in info.measures for info in infos):
        resolver._fail(
            item.span, "E203", f"`{name}` is a measure, not a dimension", kind=DirectiveNameError
        )
        return None
    dims = {d for info in infos for d in (info.dimensions or ())}
    where = " or ".join(sorted({f"`{info.name}`" for info in infos})) or "this expression"
    resolver._fail(
        item.span,
        "E203",
        f"{where} has no dimension `{name}`",
        suggest(name, dims) or None,
        kind=DirectiveNameError,
    )
    return None


def _filter(
    resolver: Resolver, value: m.Value, item: n.Condition, grouped: list[str]
) -> tuple[m.Value | None, dict[str, m.RowCondition]]:
    accepted: list[m.RowCondition] = []
    missing: list[str] = []

    def add(leaf: m.Aggregate) -> m.Value:
        info = resolver.datasets[leaf.dataset]
        try:
            cond = _condition(resolver, info, item)
        except _NotHere as not_here:
            missing.append(not_here.column)
            return leaf
        accepted.append(cond)
        where = m.conjunction(((leaf.where,) if leaf.where else ()) + (cond,))
        return attrs.evolve(leaf, where=where)

    try:
        filtered = m.map_aggregates(value, add)
    except _Invalid:
        return None, {}
    if not accepted:
        column = missing[0] if missing else "?"
        infos = {leaf.dataset: resolver.datasets[leaf.dataset] for leaf in m.aggregates(value)}
        columns = {c for info in infos.values() for c in info.known_columns()}
        names = " or ".join(f"`{d}`" for d in sorted(infos)) or "this expression"
        resolver._fail(
            item.span,
            "E203",
            f"{names} has no column `{column}`",
            suggest(column, [*columns, *resolver.lets]),
            kind=DirectiveNameError,
        )
        return None, {}
    narrowed: dict[str, m.RowCondition] = {}
    columns = set(m.condition_columns(accepted[0]))
    if len(columns) == 1 and (dim := next(iter(columns))) in grouped:
        narrowed[dim] = accepted[0]
    return filtered, narrowed


def _condition(resolver: Resolver, info: m.DatasetInfo, cond: n.Condition) -> m.RowCondition:
    if isinstance(cond, n.AllOf):
        return m.AllOf(
            items=(_condition(resolver, info, cond.left), _condition(resolver, info, cond.right))
        )
    if isinstance(cond, n.AnyOf):
        return m.AnyOf(
            items=(_condition(resolver, info, cond.left), _condition(resolver, info, cond.right))
        )
    if isinstance(cond, n.Negation):
        return m.Not(item=_condition(resolver, info, cond.operand))
    if isinstance(cond, n.Member):
        column = _column(resolver, info, cond.name.name, cond.name.span)
        if column is None:
            raise _NotHere(cond.name.name)
        return m.ColumnIn(
            column=column, values=_list_items(resolver, cond.values), negated=cond.negated
        )
    return _compare(resolver, info, cond)


def _column(resolver: Resolver, info: m.DatasetInfo, name: str, span: Span) -> str | None:
    """*name* as a column of *info*, or None when it is not one (it may be a let)."""
    if name == info.time:
        resolver._fail(
            span,
            "E402",
            f"`{name}` is the time column; filter periods with the time clause",
            "write `per year from 2027 to 2030` or `in 2027`",
        )
        raise _Invalid
    if name in info.known_columns():
        return name
    if name in resolver.lets:
        return None
    return name if not info.complete else None


def _list_items(resolver: Resolver, values: n.ListLit | n.Ref) -> tuple[str | float, ...]:
    typed = resolver.resolve(values)
    if typed.kind == "list":
        return typed.items
    if typed.kind != "broken":
        resolver._fail(values.span, "E402", '`in` needs a list: `["a", "b"]` or the name of one')
    raise _Invalid


def _compare(resolver: Resolver, info: m.DatasetInfo, cond: n.Compare) -> m.RowCondition:
    left = _side(resolver, info, cond.left)
    right = _side(resolver, info, cond.right)
    op = cond.op
    if not isinstance(left, m.ColumnName):
        if not isinstance(right, m.ColumnName):
            if isinstance(cond.left, n.Ref | n.Attr) or isinstance(cond.right, n.Ref | n.Attr):
                name = (
                    cond.left.name
                    if isinstance(cond.left, n.Ref)
                    else getattr(cond.right, "name", "?")
                )
                raise _NotHere(str(name))
            resolver._fail(cond.span, "E402", "a condition compares a column with a value")
            raise _Invalid
        left, right, op = right, left, _FLIP[op]
    assert isinstance(left, m.ColumnName)
    value: str | float | m.ColumnName = right if isinstance(right, m.ColumnName) else right[0]
    scale = left.scale
    if not isinstance(right, m.ColumnName) and right[1] is not None:
        scale = _unit_scale(resolver, info, left.name, right[1], cond.span)
    return m.ColumnCompare(column=left.name, op=op, value=value, scale=scale)  # type: ignore[arg-type]


def _side(
    resolver: Resolver, info: m.DatasetInfo, side: n.Expr
) -> m.ColumnName | tuple[str | float, object]:
    """A column, or (literal value in base units, its unit or None for a plain literal)."""
    if isinstance(side, n.Ref):
        column = _column(resolver, info, side.name, side.span)
        if column is not None:
            return m.ColumnName(name=column)
        if side.name not in resolver.lets:
            raise _NotHere(side.name)  # a column of another dataset in the expression, perhaps
        typed = resolver.resolve(side)
        if typed.kind == "string":
            return (typed.items[0], None)
        if typed.kind == "value" and isinstance(typed.value, m.Constant):
            return (typed.value.value, typed.unit if typed.unit and typed.unit.name else None)
        if typed.kind != "broken":
            resolver._fail(
                side.span,
                "E402",
                f"`{side.name}` is not a constant; conditions compare columns with values",
            )
        raise _Invalid
    if isinstance(side, n.String):
        return (side.value, None)
    if isinstance(side, n.Quantity):
        try:
            number, unit = quantity_value(side, resolver.units)
        except UnknownUnit as error:
            resolver._unknown_unit(side.span, error.name)
            raise _Invalid from None
        return (number, unit if side.unit else None)
    resolver._fail(side.span, "E402", "a condition compares a column with a string or a number")
    raise _Invalid


def _unit_scale(
    resolver: Resolver, info: m.DatasetInfo, column: str, unit: object, span: object
) -> float:
    """The factor that brings *column* to base units when compared with a quantity in *unit*."""
    from ..units import Unit

    assert isinstance(unit, Unit)
    measure = info.measures.get(column)
    if measure is None or measure.unit is None or not isinstance(measure.expr, m.RowColumn):
        return unit.factor  # a column of unknown unit takes the literal's
    problem = incompatibility(measure.unit, unit)
    if problem:
        resolver._fail(span, "E300", problem, kind=DirectiveUnitError)  # type: ignore[arg-type]
        raise _Invalid
    return measure.expr.scale
