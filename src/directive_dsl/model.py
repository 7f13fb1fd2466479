"""The checked directive: names resolved, units known, every rule a tree of values.

This is the engine-neutral form both engines read. Values are trees of
:data:`Value` nodes whose leaves are :class:`Aggregate` requests ("sum of
investments.amount where partner = CN, per region"); numbers are held in the
base units of their dimension (``500 million USD`` is ``5e8``, ``10%`` is
``0.1``), and converted to the reported unit only in the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Literal, TypeAlias

import attrs

from .data.options import FileOptions
from .errors import Diagnostic
from .periods import Grain, Period
from .source import Span, unknown_span
from .units import Unit, UnitRegistry

#: An aggregate's name: one of :data:`directive_dsl.aggregates.NAMES`, where each one's meaning is.
AggregateFunc: TypeAlias = str
Severity = Literal["error", "warning", "info"]
MissingPolicy = Literal["fail", "warn", "ignore"]

_no_span = attrs.field(factory=unknown_span, eq=False, repr=False)


# ---------------------------------------------------------------- datasets


@attrs.frozen(kw_only=True)
class RowColumn:
    """A column read row by row inside a derived measure, in base units."""

    name: str
    scale: float = 1.0


@attrs.frozen(kw_only=True)
class RowConst:
    """A number inside a derived measure."""

    value: float


@attrs.frozen(kw_only=True)
class RowArith:
    """``left op right`` computed row by row."""

    op: Literal["+", "-", "*", "/"]
    left: RowExpr
    right: RowExpr


@attrs.frozen(kw_only=True)
class RowNeg:
    """``-operand`` computed row by row."""

    operand: RowExpr


@attrs.frozen(kw_only=True)
class RowUnit:
    """Each row's factor to base units, from the unit text in *column* (`unit from`, SPEC §13.2);
    unknown for a text not in *factors*."""

    column: str
    factors: tuple[tuple[str, float], ...]


RowExpr: TypeAlias = RowColumn | RowConst | RowArith | RowNeg | RowUnit


def row_columns(expr: RowExpr) -> Iterator[str]:
    """The columns a row expression reads."""
    if isinstance(expr, RowColumn | RowUnit):
        yield expr.column if isinstance(expr, RowUnit) else expr.name
    elif isinstance(expr, RowArith):
        yield from row_columns(expr.left)
        yield from row_columns(expr.right)
    elif isinstance(expr, RowNeg):
        yield from row_columns(expr.operand)


@attrs.frozen(kw_only=True)
class MeasureInfo:
    """A measure of a dataset: a column (scaled by its magnitude) or a row expression."""

    name: str
    expr: RowExpr
    unit: Unit | None  # None: unknown (not declared), or per row (`unit_column`)
    aggregate: AggregateFunc = "sum"
    unit_column: str | None = None  # `unit from COLUMN`: each row's unit is the text in COLUMN
    declared: bool = True
    span: Span = _no_span


@attrs.frozen(kw_only=True)
class DatasetInfo:
    """A declared (or merely used) dataset."""

    name: str
    path: str | None = None
    path_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    #: How to read the file of `from … with key value, …` (SPEC §13.2).
    file_options: FileOptions = attrs.field(factory=FileOptions)
    base_dir: Path = attrs.field(factory=Path.cwd, eq=False)
    time: str | None = None
    dimensions: tuple[str, ...] | None = None
    measures: Mapping[str, MeasureInfo] = attrs.field(factory=dict)
    complete: bool = False
    #: `fill 0`: a group and period with no row counts as zero (SPEC §13.2); where it is written.
    fill: Span | None = attrs.field(default=None, eq=False, repr=False)
    #: `as of P`: the data runs through P; the clause's span locates errors about it.
    as_of: Period | None = None
    as_of_span: Span | None = attrs.field(default=None, eq=False, repr=False)
    span: Span = _no_span
    #: Where the time column and each dimension are declared, to locate errors about them.
    column_spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False, repr=False)

    columns: frozenset[str] = attrs.field(
        init=False,
        eq=False,
        repr=False,
        default=attrs.Factory(lambda self: self._declared_columns(), takes_self=True),
    )

    def _declared_columns(self) -> frozenset[str]:
        columns = set(self.dimensions or ()) | set(self.measures)
        columns |= {c for m in self.measures.values() for c in row_columns(m.expr)}
        if self.time:
            columns.add(self.time)
        return frozenset(columns)

    def known_columns(self) -> frozenset[str]:
        """Every column the declaration names: time, dimensions, measures and what they read."""
        return self.columns


# ---------------------------------------------------------------- row conditions


@attrs.frozen(kw_only=True)
class ColumnCompare:
    """``column op value`` on one row; ``value`` a string, a number (base units) or a column."""

    column: str
    op: Literal[">=", "<=", ">", "<", "=", "!="]
    value: str | float | ColumnName
    scale: float = 1.0  # the column's magnitude × unit factor, to compare in base units


@attrs.frozen(kw_only=True)
class ColumnName:
    """A column on the right of a comparison: ``[exports > imports]``."""

    name: str
    scale: float = 1.0


@attrs.frozen(kw_only=True)
class ColumnIn:
    """``column in [values]`` (or ``not in``)."""

    column: str
    values: tuple[str | float, ...]
    negated: bool = False


@attrs.frozen(kw_only=True)
class AllOf:
    """Every condition holds."""

    items: tuple[RowCondition, ...]


@attrs.frozen(kw_only=True)
class AnyOf:
    """At least one condition holds."""

    items: tuple[RowCondition, ...]


@attrs.frozen(kw_only=True)
class Not:
    """The condition does not hold."""

    item: RowCondition


RowCondition: TypeAlias = ColumnCompare | ColumnIn | AllOf | AnyOf | Not


def condition_columns(cond: RowCondition) -> Iterator[str]:
    """Every column a condition reads."""
    if isinstance(cond, ColumnCompare):
        yield cond.column
        if isinstance(cond.value, ColumnName):
            yield cond.value.name
    elif isinstance(cond, ColumnIn):
        yield cond.column
    elif isinstance(cond, AllOf | AnyOf):
        for item in cond.items:
            yield from condition_columns(item)
    else:
        yield from condition_columns(cond.item)


def conjunction(items: tuple[RowCondition, ...]) -> RowCondition | None:
    """``AllOf(items)``, flattened; None when there is nothing to check."""
    flat: list[RowCondition] = []
    for item in items:
        flat.extend(item.items if isinstance(item, AllOf) else (item,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else AllOf(items=tuple(flat))


# ---------------------------------------------------------------- values


@attrs.frozen(kw_only=True)
class Aggregate:
    """A leaf: one measure of one dataset, filtered, grouped and aggregated.

    ``measure`` is None for ``count`` of rows, and for ``count_distinct`` of a
    dimension, named in ``column``. ``parameter`` is quantile's fraction.
    ``deferred`` may name a measure only the bound data will reveal (a partial
    dataset statement); binding replaces such leaves with resolved ones.
    """

    dataset: str
    measure: MeasureInfo | None
    func: AggregateFunc
    where: RowCondition | None = None
    groups: tuple[str, ...] = ()
    deferred: str | None = (
        None  # a measure name to resolve against the data ("" = its single measure)
    )
    parameter: float | None = None
    column: str | None = None  # the dimension `count_distinct` counts the values of
    span: Span = _no_span


@attrs.frozen(kw_only=True)
class Constant:
    """A number in base units."""

    value: float


@attrs.frozen(kw_only=True)
class Arith:
    """``left op right``; operands are aligned by dimension name."""

    op: Literal["+", "-", "*", "/"]
    left: Value
    right: Value
    span: Span = _no_span


@attrs.frozen(kw_only=True)
class Negate:
    """``-operand``."""

    operand: Value


@attrs.frozen(kw_only=True)
class Scale:
    """``operand × factor``: a measure of unknown unit taking the unit next to it."""

    operand: Value
    factor: float


@attrs.frozen(kw_only=True)
class Shift:
    """The operand in the period before (``growth``/``change`` lookback)."""

    operand: Value
    periods: int = -1
    span: Span = _no_span


@attrs.frozen(kw_only=True)
class AtPeriod:
    """The operand in one fixed period, whatever the rule's period."""

    operand: Value
    period: Period
    span: Span = _no_span


Value: TypeAlias = Aggregate | Constant | Arith | Negate | Scale | Shift | AtPeriod


def value_children(value: Value) -> tuple[Value, ...]:
    if isinstance(value, Arith):
        return (value.left, value.right)
    if isinstance(value, Negate | Scale | Shift | AtPeriod):
        return (value.operand,)
    return ()


def aggregates(value: Value) -> Iterator[Aggregate]:
    """Every leaf of a value, left to right."""
    if isinstance(value, Aggregate):
        yield value
    for child in value_children(value):
        yield from aggregates(child)


def map_aggregates(value: Value, func: Callable[[Aggregate], Value]) -> Value:
    """A copy of *value* with every leaf replaced by ``func(leaf)``."""
    if isinstance(value, Aggregate):
        return func(value)
    if isinstance(value, Arith):
        return attrs.evolve(
            value, left=map_aggregates(value.left, func), right=map_aggregates(value.right, func)
        )
    if isinstance(value, Negate | Scale | Shift | AtPeriod):
        return attrs.evolve(value, operand=map_aggregates(value.operand, func))
    return value


# ---------------------------------------------------------------- rules


@attrs.frozen(kw_only=True)
class TimeSpec:
    """A rule's time clause, checked."""

    kind: Literal["per", "in", "total", "by"]
    grain: Grain | None = None  # per: the grain; in/by: the literal's grain
    start: Period | None = None  # per … from; in: the period; in total from
    end: Period | None = None  # per … to; in total … to
    deadline: Period | None = None
    baseline_period: Period | None = None
    baseline_value: float | None = None  # stated baseline, base units
    explicit: bool = True  # False when the rule had no clause (same as `in total`)


@attrs.frozen(kw_only=True)
class CheckedRule:
    """One target, ready to evaluate."""

    id: str
    title: str | None
    op: Literal[">=", "<=", ">", "<", "=", "!=", "between"]
    left: Value
    right: Value
    upper: Value | None = None  # `between`: left between right and upper
    time: TimeSpec
    unit: Unit | None  # the reported unit; None when neither side has one
    dimensions: tuple[str, ...] = ()
    narrowing: Mapping[str, tuple[RowCondition, ...]] = attrs.field(factory=dict)
    severity: Severity = "error"
    missing: MissingPolicy | None = None
    source: str | None = None
    owner: str | None = None
    track: Literal["path", "trend", "sdg"] = "path"  # what decides on/off track (SPEC §13.8)
    # A period the as-of lies inside (SPEC §13.4): judged on/off track, not judged, or as complete.
    partial: Literal["track", "skip", "full"] = "track"
    # A period with a quiet sub-period for a group: missing, or the rows present (SPEC §13.4).
    incomplete: Literal["missing", "allow"] = "missing"
    formula: str | None = None  # the rule as written: `require … per year`
    file: str = "<string>"
    line: int = 1
    column: int = 1
    span: Span = _no_span

    def values(self) -> tuple[Value, ...]:
        return (self.left, self.right) + ((self.upper,) if self.upper is not None else ())

    def datasets(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for value in self.values():
            for leaf in aggregates(value):
                seen.setdefault(leaf.dataset, None)
        return tuple(seen)


@attrs.frozen(kw_only=True)
class CheckedWaiver:
    """A ``waive`` statement, checked: which outcomes of which rule it excuses, and why."""

    rule: str
    reason: str
    where: RowCondition | None = None  # on the rule's dimensions, read as text
    until: Period | None = None  # the last period it covers, inclusive
    #: The until is known before any data to end before the rule's first period (W120 already).
    early: bool = False
    file: str = "<string>"
    line: int = 1
    column: int = 1
    span: Span = _no_span


@attrs.frozen(kw_only=True)
class CheckedDirective:
    """A directive whose names, units and rules were checked: the check stage's output.

    :func:`directive_dsl.load` returns it as a :class:`directive_dsl.api.Directive`,
    which adds ``evaluate`` and ``plan``: the later stages are not this module's.
    """

    title: str | None
    path: str
    base_dir: Path = attrs.field(eq=False)
    window: tuple[Period, Period] | None
    source: str | None = None
    owner: str | None = None
    datasets: Mapping[str, DatasetInfo] = attrs.field(factory=dict)
    domains: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)
    units: UnitRegistry = attrs.field(factory=UnitRegistry, eq=False)
    rules: tuple[CheckedRule, ...] = ()
    waivers: tuple[CheckedWaiver, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
