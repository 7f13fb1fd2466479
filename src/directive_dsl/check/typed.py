"""A resolved expression (:class:`Typed`) and the small helpers resolving shares with selectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import attrs

from .. import model as m
from .. import nodes as n
from ..units import DIMENSIONLESS, MAGNITUDES, Unit, UnitRegistry

Narrowing = Mapping[str, tuple[m.RowCondition, ...]]


@attrs.frozen(kw_only=True)
class Typed:
    """A resolved expression."""

    #: "column": a dimension read as values, which only `count_distinct` takes.
    kind: Literal["value", "dataset", "column", "list", "string", "broken"] = "value"
    value: m.Value = attrs.field(factory=lambda: m.Constant(value=0.0))
    unit: Unit | None = DIMENSIONLESS
    items: tuple[str | float, ...] = ()  # a list's items, a string's text
    narrowing: Narrowing = attrs.field(factory=dict)
    #: An aggregate call (`sum(x)`) made this value: another aggregate may not wrap it.
    aggregated: bool = False


BROKEN = Typed(kind="broken", unit=None)


def merge_narrowing(*parts: Narrowing) -> dict[str, tuple[m.RowCondition, ...]]:
    merged: dict[str, tuple[m.RowCondition, ...]] = {}
    for part in parts:
        for dim, conds in part.items():
            merged[dim] = merged.get(dim, ()) + tuple(
                c for c in conds if c not in merged.get(dim, ())
            )
    return merged


def quantity_value(q: n.Quantity, units: UnitRegistry) -> tuple[float, Unit]:
    """A literal's value in base units and its unit; raises UnknownUnit."""
    unit = units.parse(q.unit) if q.unit else DIMENSIONLESS
    scale = MAGNITUDES[q.magnitude] if q.magnitude else 1.0
    return q.number * scale * unit.factor, unit
