"""Reading a dataset statement's result rows back into the plan's answers.

Each result row belongs to one grouping set (its ``GROUPING(…)`` bitmask says
which); a request reads the rows of its set. Groups with a NULL key are rows
outside a bucket or with an unknown dimension value, and answer nothing, as
the reference engine's groups do not hold such rows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...aggregates import kind_of
from ...periods import Period
from ...plan import Bucket, Cell, CellKey, CoverageKey, GrainBucket
from .query import AggregateAnswers, Cover, CoverageAnswers, DatasetQuery, Read


def nan_seen(query: DatasetQuery, rows: Sequence[Sequence[Any]]) -> bool:
    """Whether a measure read without a NaN guard held a NaN (the sums of set 0 tell)."""
    numbers = query.set_numbers()
    positions = query.positions(0)
    at = [positions[alias] for alias in query.nan_outs]
    return any(numbers.get(int(row[0])) == 0 and isinstance(row[i], float) and row[i] != row[i]
               for row in rows for i in at)


def decode(query: DatasetQuery, rows: Sequence[Sequence[Any]]) -> tuple[AggregateAnswers, CoverageAnswers]:
    """The answers in the statement's result *rows*."""
    masks = query.set_numbers()
    by_set: dict[int, list[Sequence[Any]]] = {}
    for row in rows:
        index = masks.get(int(row[0]))
        if index is not None:
            by_set.setdefault(index, []).append(row)
    aggregates = {read.request: _cells(query, read, by_set.get(read.grouping, []), query.positions(read.grouping))
                  for read in query.reads}
    coverage = {c.request: _covered(query, c, by_set.get(c.grouping, [])) for c in query.covers}
    return aggregates, coverage


def _period(query: DatasetQuery, bucket: Bucket, key: Any) -> Period | None:
    if isinstance(bucket, GrainBucket) and query.ds.time is not None:
        return Period(bucket.grain, int(key))
    return None


def _cells(query: DatasetQuery, read: Read, rows: list[Sequence[Any]],
           outs: Mapping[str, int]) -> dict[CellKey, Cell]:
    request = read.request
    n_groups = len(request.groups)
    group_at = [1 + p for p in read.keys[:n_groups]]
    bucket_at = 1 + read.keys[n_groups]
    rows_at = outs[read.rows]
    known_at = outs[read.known] if read.known is not None else None
    value_at = outs[read.value] if read.value is not None else None
    found: dict[CellKey, Cell] = {}
    days: dict[CellKey, list[Any]] = {}
    for row in rows:
        count, bucket = row[rows_at], row[bucket_at]
        group = tuple(row[i] for i in group_at)
        if not count or bucket is None or None in group:
            continue
        key: CellKey = (group, _period(query, request.bucket, bucket))
        n = int(count)
        if known_at is None or value_at is None:
            found[key] = Cell(float(n), n, n)
            continue
        known, value = int(row[known_at] or 0), row[value_at]
        if read.by_day:
            _add_day(days, key, row[1 + read.keys[-1]], n, known, value, request.func == "last")
            continue
        if kind_of(request.func).combine == "over_known" and known:  # a mean: the sum of the known
            value = value / known
        found[key] = Cell(float(value) if known and value is not None else None, n, known)
    for key, (n, known, _, total) in days.items():
        found[key] = Cell(float(total) if known else None, n, known)
    return found


def _add_day(days: dict[CellKey, list[Any]], key: CellKey, day: Any, n: int, known: int,
             value: Any, last: bool) -> None:
    """Fold one day's sums into *key*'s [rows, known, best day, sum at the best day]."""
    acc = days.setdefault(key, [0, 0, None, 0.0])
    acc[0] += n
    if not known:
        return
    acc[1] += known
    if acc[2] is None or (day > acc[2] if last else day < acc[2]):
        acc[2], acc[3] = day, value
    elif day == acc[2]:
        acc[3] += value


def _covered(query: DatasetQuery, cover: Cover, rows: list[Sequence[Any]]) -> frozenset[CoverageKey]:
    bucket = cover.request.bucket
    seen: set[CoverageKey] = set()
    for row in rows:
        key = row[1 + cover.bucket]
        value = row[1 + cover.dim] if cover.dim is not None else None
        if key is None or (cover.dim is not None and value is None):
            continue
        seen.add((value, _period(query, bucket, key)))
    return frozenset(seen)
