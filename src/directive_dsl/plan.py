"""The engine-neutral plan: what every engine must compute, and nothing more.

An engine answers two kinds of request about a bound dataset:

- :class:`AggregateRequest`: one leaf of a rule (a measure, filtered, grouped,
  aggregated) per *bucket*: each period of a grain, or one range of days;
- :class:`CoverageRequest`: which (dimension value, period) pairs have any row
  at all, unfiltered: the difference between "zero" and "no data" (SPEC §7.2).

Everything after that (alignment, lookback, paths, comparison) is computed
once, in judge.py, from these answers, so every engine gives the same report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol, TypeAlias

import attrs

from .data import DatasetSchema
from .data.binding import BoundTable
from .model import Aggregate, AggregateFunc, MeasureInfo, RowCondition
from .periods import GRAINS, Grain, Period
from .run_progress import SILENT, Progress


@attrs.frozen
class GrainBucket:
    """One bucket per period of ``grain``, counting rows up to day ``until`` (inclusive)."""

    grain: Grain
    until: int | None = None


@attrs.frozen
class RangeBucket:
    """One bucket for the rows whose period lies within days ``start``..``end`` (inclusive)."""

    start: int | None
    end: int | None


Bucket: TypeAlias = GrainBucket | RangeBucket


@attrs.frozen
class AggregateRequest:
    """Aggregate a leaf per (group, bucket)."""

    dataset: str
    measure: MeasureInfo | None  # None: count rows
    func: AggregateFunc
    where: RowCondition | None
    groups: tuple[str, ...]
    bucket: Bucket
    parameter: float | None = None  # quantile's fraction
    column: str | None = None  # the dimension `count_distinct` counts the values of

    @classmethod
    def of(cls, leaf: Aggregate, bucket: Bucket) -> AggregateRequest:
        return cls(leaf.dataset, leaf.measure, leaf.func, leaf.where, leaf.groups, bucket,
                   leaf.parameter, leaf.column)


@attrs.frozen
class CoverageRequest:
    """Which (value of ``dimension``, period) pairs have rows; ``dimension`` None: which periods."""

    dataset: str
    dimension: str | None
    bucket: Bucket


@attrs.frozen
class Cell:
    """An aggregate's answer for one group and bucket.

    ``rows`` counts the matching rows, ``known`` those whose measure is known;
    ``value`` is the aggregate over the known values (the row count for count),
    None when there were none.
    """

    value: float | None
    rows: int
    known: int


GroupKey: TypeAlias = tuple[str, ...]
CellKey: TypeAlias = tuple[
    GroupKey, Period | None
]  # period None: a range bucket, or a dataset without time
CoverageKey: TypeAlias = tuple[str | None, Period | None]


@attrs.frozen(kw_only=True)
class TableInfo:
    """What binding learned about a dataset: its columns, time and grain."""

    name: str
    origin: str
    n_rows: int
    columns: tuple[str, ...]
    numeric: frozenset[str]
    dimensions: tuple[str, ...]
    time_column: str | None
    grain: Grain | None
    periods: tuple[Period, ...]  # distinct periods present, in order
    # Dimensions whose values came typed as numbers (a DataFrame's integers, JSON numbers):
    # a text literal like "0402" can never match them (SPEC §13.1).
    numeric_dimensions: frozenset[str] = frozenset()
    # What the directive says of the dataset's time (SPEC §13.2), set after binding:
    fill: bool = False  # `fill 0`: a group and period with no row counts as zero
    as_of: Period | None = None  # the period the data is taken to run through


@attrs.frozen(kw_only=True)
class Answers:
    """An engine's answers to a plan's requests."""

    aggregates: Mapping[AggregateRequest, Mapping[CellKey, Cell]]
    coverage: Mapping[CoverageRequest, frozenset[CoverageKey]]


def table_info(bound: BoundTable) -> TableInfo:
    """What binding learned about a table read by the reference reader, as engines report it."""
    if bound.time_codes is not None:
        distinct: list[Period] = list(bound.time_codes.periods)
    else:
        distinct = (
            list({t for t in bound.times if t is not None}) if bound.times is not None else []
        )
    return bound_table_info(
        name=bound.name,
        origin=bound.origin,
        n_rows=bound.n_rows,
        dimensions=bound.dimensions,
        measures=bound.measures,
        time_column=bound.time_column,
        grain=bound.grain,
        periods=distinct,
        numeric_dimensions=bound.numeric_dimensions,
    )


def bound_table_info(
    *,
    name: str,
    origin: str,
    n_rows: int,
    dimensions: Iterable[str],
    measures: Iterable[str],
    time_column: str | None,
    grain: Grain | None,
    periods: Iterable[Period],
    numeric_dimensions: frozenset[str] = frozenset(),
) -> TableInfo:
    """What binding learned about a table, as engines report it: every binder ends here.

    The columns are the dimensions, then the measures, then the time column;
    the periods are ordered by their first day, coarser grains first.
    """
    dimensions, measures = tuple(dimensions), tuple(measures)
    columns = tuple(dict.fromkeys([*dimensions, *measures]))
    return TableInfo(
        name=name,
        origin=origin,
        n_rows=n_rows,
        columns=columns + ((time_column,) if time_column else ()),
        numeric=frozenset(measures),
        dimensions=dimensions,
        time_column=time_column,
        grain=grain,
        periods=tuple(sorted(periods, key=lambda p: (p.start_day(), GRAINS.index(p.grain)))),
        numeric_dimensions=numeric_dimensions,
    )


def requests_by_dataset(
    aggregates: list[AggregateRequest], coverage: list[CoverageRequest]
) -> dict[str, tuple[list[AggregateRequest], list[CoverageRequest]]]:
    """The requests of each dataset, for engines that answer a dataset at a time."""
    found: dict[str, tuple[list[AggregateRequest], list[CoverageRequest]]] = {}
    for request in aggregates:
        found.setdefault(request.dataset, ([], []))[0].append(request)
    for cover in coverage:
        found.setdefault(cover.dataset, ([], []))[1].append(cover)
    return found


#: What data is bound to a dataset: a path or :class:`~directive_dsl.data.DataFile`, a list of
#: row dicts, a pandas or polars DataFrame, a pyarrow Table, or what an engine holds itself (a
#: Spark DataFrame, a table name in PostgreSQL). Each engine says which it takes; any other is a
#: usage error, so the type stays open here.
DataValue: TypeAlias = object


class Engine(Protocol):
    """What an engine does: bind data to datasets, then answer a plan's requests.

    Every engine (see :mod:`directive_dsl.engines.registry`) implements it, and nothing else
    about an engine is read: binding gives one :class:`TableInfo` whatever the input, and
    the answers are cells and coverage, so the judging after it is the same for all.
    """

    #: The name ``--engine`` knows it by, and the report's ``run.engine``.
    name: str

    def bind(
        self, name: str, value: DataValue, schema: DatasetSchema, *, base_dir: Path | None,
        allow_outside: bool,
    ) -> TableInfo:
        """Bind *value* to dataset *name* and check it against *schema* (SPEC §6, §13.1); a
        relative path is read from *base_dir*, and leaves it only with *allow_outside*."""
        ...

    def run(
        self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest], *,
        progress: Progress = SILENT,
    ) -> Answers:
        """The answers; *progress* hears of a ``scan`` stage with a step per dataset."""
        ...

    def close(self) -> None:
        """Let go of what the engine holds (connections, sessions, temporary tables)."""
        ...
