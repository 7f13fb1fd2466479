"""Every aggregate the language knows, one entry each: the single place its meaning lives.

An entry says what the checker needs (its name, its arguments, the unit of
its result), what judging needs (whether a group with no row is zero,
whether it grows with the window), how the reference engine reduces one
cell's values, and how SQL computes it: from the partials of the shared
scan (``partial``, then ``combine``), or, when it does not decompose into
partials (a median, a count of distinct values), in one stage of its own
over the rows (``one_stage``). The checker, the engines, the language
server and the highlighters all read this table: adding an aggregate is
adding an entry.

>>> AGGREGATES["quantile"].signature
'quantile(x, 0.9)'
>>> reduce_quantile([1.0, 2.0, 3.0, 4.0], 0.9)
3.7
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

import attrs

if TYPE_CHECKING:  # sqlglot is imported when SQL is built, so that checking a file stays quick
    from sqlglot import exp

#: One cell's known values: numbers of a measure, or the texts of a dimension.
Values = Sequence[float] | Sequence[str]
#: SQL for one cell, from the row's value and the entry's parameter (quantile's fraction).
OneStage = Callable[["exp.Expr", float | None], "exp.Expr"]


@attrs.frozen(kw_only=True)
class AggregateKind:
    """One aggregate: what it means and how each stage computes it."""

    name: str
    #: What the language server shows on hover and completion.
    help: str
    #: How it is written, for messages and help: ``quantile(x, 0.9)``.
    signature: str
    #: A number after the measure (quantile's fraction), or None.
    parameter: str | None = None
    #: The unit of the result: the measure's own, or a plain number (a count).
    unit: Literal["measure", "number"] = "measure"
    #: It counts the rows of a dataset, and needs no measure (``count``).
    counts_rows: bool = False
    #: It may read a dimension as well as a measure (``count_distinct(trade.partner)``).
    reads_dimensions: bool = False
    #: A group with no matching row has this value ("nothing happened"), not "no rows match".
    empty_is_zero: bool = False
    #: A total that grows with the window: compared with a pro-rata share of a target on a
    #: path, and with a yearly target scaled to the part of a partial year (SPEC §13.3).
    accumulates: bool = False
    #: The partial the shared SQL scan computes (then summed, or min/max again), or None
    #: when it does not decompose: then :attr:`one_stage` computes it over the rows.
    partial: Literal["sum", "min", "max", "count", "by_day"] | None = "sum"
    #: How the combined partial becomes the value: as it is, or divided by the known values.
    combine: Literal["as_is", "over_known"] = "as_is"
    #: The reference engine's reducer of one cell's known values (None: the engine's own
    #: vectorised loop for a decomposable aggregate).
    reduce: Callable[[Values, float | None], float] | None = None
    #: The aggregate over a cell's rows in one SQL stage (None: first/last, which need the day).
    one_stage: OneStage | None

    @property
    def decomposable(self) -> bool:
        return self.partial is not None

    @property
    def arity(self) -> int:
        return 1 if self.parameter is None else 2


# ---------------------------------------------------------------- Python reducers


def reduce_quantile(values: Values, fraction: float | None) -> float:
    """The *fraction* quantile of *values* by linear interpolation (DuckDB's ``quantile_cont``,
    PostgreSQL's ``percentile_cont``): position ``(n − 1) × fraction`` in the sorted values.

    The two neighbours are weighted rather than subtracted: their difference may pass the largest
    double (−1.7e308 and 1.7e308) while the quantile between them does not.

    >>> reduce_quantile([-1.7e308, 1.7e308], 0.5)
    0.0
    """
    ordered = sorted(float(v) for v in values)
    position = (len(ordered) - 1) * (0.5 if fraction is None else fraction)
    lower = math.floor(position)
    upper = math.ceil(position)
    low, high = ordered[lower], ordered[upper]
    if lower == upper or low == high:
        return low
    weight = position - lower
    return low * (1.0 - weight) + high * weight


def reduce_median(values: Values, _: float | None) -> float:
    return reduce_quantile(values, 0.5)


def reduce_distinct(values: Values, _: float | None) -> float:
    return float(len(set(values)))


# ---------------------------------------------------------------- SQL in one stage


def _quantile_sql(value: exp.Expr, fraction: float | None) -> exp.Expr:
    """``quantile_cont(value, q)``; sqlglot writes ``percentile_cont … WITHIN GROUP`` where a
    dialect wants it, and :mod:`.engines.sql.dialects` Spark's exact ``percentile``."""
    from sqlglot import exp

    q = 0.5 if fraction is None else fraction
    return exp.PercentileCont(this=value, expression=exp.Literal.number(repr(q)))


def _distinct_sql(value: exp.Expr, _: float | None) -> exp.Expr:
    from sqlglot import exp

    return exp.Count(this=exp.Distinct(expressions=[value]))


def _plain(kind: str) -> OneStage:
    """An aggregate of sqlglot's by its class name (``Sum``, ``Avg``…)."""

    def one_stage(value: exp.Expr, _: float | None) -> exp.Expr:
        from sqlglot import exp

        made: exp.Expr = getattr(exp, kind)(this=value)
        return made

    return one_stage


def _count_sql(_value: exp.Expr, _param: float | None) -> exp.Expr:
    from sqlglot import exp

    return exp.Count(this=exp.Star())


_ENTRIES = (
    AggregateKind(name="sum", help="sum(x): the total of a measure over the rows that match.",
                  signature="sum(x)", empty_is_zero=True, accumulates=True, one_stage=_plain("Sum")),
    AggregateKind(name="mean", help="mean(x): the average of a measure over the rows that match.",
                  signature="mean(x)", combine="over_known", one_stage=_plain("Avg")),
    AggregateKind(name="min", help="min(x): the smallest value of a measure.", signature="min(x)",
                  partial="min", one_stage=_plain("Min")),
    AggregateKind(name="max", help="max(x): the largest value of a measure.", signature="max(x)",
                  partial="max", one_stage=_plain("Max")),
    AggregateKind(name="count",
                  help="count(dataset): the number of rows (of a dataset or a selection of it).",
                  signature="count(dataset)", unit="number", counts_rows=True, empty_is_zero=True,
                  accumulates=True, partial="count", one_stage=_count_sql),
    AggregateKind(name="first", help="first(x): the value at the earliest time inside the period (for stocks).",
                  signature="first(x)", partial="by_day", one_stage=None),
    AggregateKind(name="last", help="last(x): the value at the latest time inside the period (for stocks).",
                  signature="last(x)", partial="by_day", one_stage=None),
    AggregateKind(name="median", help="median(x): the middle value of a measure (the mean of the "
                  "two middle ones when their number is even).", signature="median(x)",
                  partial=None, reduce=reduce_median, one_stage=lambda v, _: _quantile_sql(v, 0.5)),
    AggregateKind(name="quantile",
                  help="quantile(x, 0.9): the value below which that fraction of a measure's values "
                  "lie, interpolated linearly between the two nearest (0.5 is the median).",
                  signature="quantile(x, 0.9)", parameter="fraction", partial=None,
                  reduce=reduce_quantile, one_stage=_quantile_sql),
    AggregateKind(name="count_distinct",
                  help="count_distinct(x): the number of different values of a measure or a "
                  "dimension: `count_distinct(trade.partner[region])` counts the partners of each "
                  "region.", signature="count_distinct(x)", unit="number", reads_dimensions=True,
                  empty_is_zero=True, partial=None, reduce=reduce_distinct, one_stage=_distinct_sql),
)

#: Every aggregate by name, in the order help lists them.
AGGREGATES: dict[str, AggregateKind] = {entry.name: entry for entry in _ENTRIES}
NAMES: tuple[str, ...] = tuple(AGGREGATES)


def kind_of(name: str) -> AggregateKind:
    """The entry of aggregate *name* (a name the checker accepted)."""
    return AGGREGATES[name]
