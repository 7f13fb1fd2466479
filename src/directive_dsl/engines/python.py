"""The reference engine: pure Python over column lists.

It reads and checks each dataset with :mod:`directive_dsl.data`, then answers
every request column by column: a mask per condition, a key per row for each
grouping and bucket (each computed once and shared by the requests that need
it), and one tight loop per request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import model as m
from ..conditions import Truth, condition_mask
from ..data import BoundTable, DatasetSchema, bind_table, read_table
from ..periods import GRAINS, Period
from ..plan import (
    AggregateRequest,
    Answers,
    Bucket,
    Cell,
    CellKey,
    CoverageKey,
    CoverageRequest,
    GrainBucket,
    TableInfo,
)


class PythonEngine:
    """Evaluates plans in pure Python: the meaning every other engine is checked against."""

    name = "python"

    def __init__(self) -> None:
        self.tables: dict[str, _Table] = {}

    def bind(self, name: str, value: object, schema: object, *, base_dir: object,
             allow_outside: bool) -> TableInfo:
        assert isinstance(schema, DatasetSchema)
        raw = read_table(name, value, base_dir=base_dir if isinstance(base_dir, Path) else None,
                         allow_outside=allow_outside)
        table = _Table(bind_table(schema, raw))
        self.tables[name] = table
        return table.info()

    def run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest]) -> Answers:
        return Answers(
            aggregates={req: self.tables[req.dataset].aggregate(req) for req in aggregates},
            coverage={req: self.tables[req.dataset].coverage(req) for req in coverage},
        )

    def close(self) -> None:
        self.tables.clear()


class _Table:
    """A bound table and the per-row keys and masks computed from it so far."""

    def __init__(self, bound: BoundTable) -> None:
        self.bound = bound
        self.columns: dict[str, Sequence[object]] = {**bound.dimensions, **bound.measures}
        self.numeric = frozenset(bound.measures)
        self._buckets: dict[Bucket, list[Period | None]] = {}
        self._groups: dict[tuple[str, ...], list[tuple[str, ...] | None]] = {}
        self._masks: dict[m.RowCondition, list[Truth]] = {}
        self._values: dict[m.RowExpr, list[float | None]] = {}
        self._days: list[int] | None = None

    def info(self) -> TableInfo:
        b = self.bound
        present = sorted({t for t in b.times if t is not None}) if b.times is not None else []
        present.sort(key=lambda p: (p.start_day(), GRAINS.index(p.grain)))
        return TableInfo(
            name=b.name,
            origin=b.origin,
            n_rows=b.n_rows,
            columns=tuple(self.columns) + ((b.time_column,) if b.time_column else ()),
            numeric=self.numeric,
            dimensions=tuple(b.dimensions),
            time_column=b.time_column,
            grain=b.grain,
            periods=tuple(present),
        )

    # ---------------------------------------------------------------- per-row keys

    def bucket_keys(self, bucket: Bucket) -> list[Period | None]:
        """Each row's period in *bucket* (None: the row is not in it)."""
        found = self._buckets.get(bucket)
        if found is not None:
            return found
        times = self.bound.times
        n = self.bound.n_rows
        if times is None:
            keys: list[Period | None] = [None] * n  # no time column: every row, every period
        else:
            keys = [_bucket_of(t, bucket) if t is not None else None for t in times]
            if times and all(t is not None for t in times) and isinstance(bucket, GrainBucket):
                memo: dict[Period, Period | None] = {}
                keys = [memo[t] if t in memo else memo.setdefault(t, _bucket_of(t, bucket)) for t in times]  # type: ignore[index]
        self._buckets[bucket] = keys
        return keys

    def in_bucket(self, bucket: Bucket) -> list[bool]:
        times = self.bound.times
        if times is None:
            return [True] * self.bound.n_rows
        memo: dict[Period, bool] = {}
        return [t is not None and (memo[t] if t in memo else memo.setdefault(t, _inside(t, bucket)))
                for t in times]

    def group_keys(self, groups: tuple[str, ...]) -> list[tuple[str, ...] | None]:
        found = self._groups.get(groups)
        if found is not None:
            return found
        if not groups:
            keys: list[tuple[str, ...] | None] = [()] * self.bound.n_rows
        else:
            cols = [self._text_column(g) for g in groups]
            keys = [None if None in row else row for row in zip(*cols, strict=True)]  # type: ignore[misc]
        self._groups[groups] = keys
        return keys

    def _text_column(self, name: str) -> Sequence[str | None]:
        if name in self.bound.dimensions:
            return self.bound.dimensions[name]
        values = self.bound.measures[name]  # a numeric column used as a dimension
        return [None if v is None else (str(int(v)) if v.is_integer() else str(v)) for v in values]

    def mask(self, where: m.RowCondition | None) -> list[Truth] | None:
        if where is None:
            return None
        found = self._masks.get(where)
        if found is None:
            found = condition_mask(where, self.columns, self.numeric, self.bound.n_rows)
            self._masks[where] = found
        return found

    def values(self, expr: m.RowExpr) -> list[float | None]:
        found = self._values.get(expr)
        if found is None:
            found = self._compute(expr)
            self._values[expr] = found
        return found

    def _compute(self, expr: m.RowExpr) -> list[float | None]:
        if isinstance(expr, m.RowColumn):
            column = self.bound.measures[expr.name]
            scale = expr.scale
            return list(column) if scale == 1.0 else [None if v is None else v * scale for v in column]
        if isinstance(expr, m.RowConst):
            return [expr.value] * self.bound.n_rows
        if isinstance(expr, m.RowNeg):
            return [None if v is None else -v for v in self.values(expr.operand)]
        left, right = self.values(expr.left), self.values(expr.right)
        op = _ROW_OPS[expr.op]
        return [None if a is None or b is None else op(a, b) for a, b in zip(left, right, strict=True)]

    def days(self) -> list[int]:
        """Each row's first day, for first/last."""
        if self._days is None:
            times = self.bound.times or []
            self._days = [t.start_day() if t is not None else 0 for t in times]
        return self._days

    # ---------------------------------------------------------------- answers

    def coverage(self, req: CoverageRequest) -> frozenset[CoverageKey]:
        periods = self.bucket_keys(req.bucket)
        inside = self.in_bucket(req.bucket)
        if req.dimension is None:
            return frozenset((None, p) for p, ok in zip(periods, inside, strict=True) if ok)
        values = self._text_column(req.dimension)
        return frozenset(
            (v, p) for v, p, ok in zip(values, periods, inside, strict=True) if ok and v is not None
        )

    def aggregate(self, req: AggregateRequest) -> dict[CellKey, Cell]:
        periods = self.bucket_keys(req.bucket)
        inside = self.in_bucket(req.bucket)
        groups = self.group_keys(req.groups)
        mask = self.mask(req.where)
        selected = [
            i for i, (ok, g) in enumerate(zip(inside, groups, strict=True))
            if ok and g is not None and (mask is None or mask[i] is True)
        ]
        if req.measure is None or req.func == "count":
            return _count(selected, groups, periods)
        values = self.values(req.measure.expr)
        if req.func in ("first", "last"):
            return _first_last(selected, groups, periods, values, self.days(), req.func == "last")
        return _REDUCERS[req.func](selected, groups, periods, values)


# ---------------------------------------------------------------- reducers


def _bucket_of(t: Period, bucket: Bucket) -> Period | None:
    if not isinstance(bucket, GrainBucket):
        return None
    if GRAINS.index(t.grain) < GRAINS.index(bucket.grain):
        return None  # a coarser row cannot be split into finer periods
    return t.to_grain(bucket.grain)


def _inside(t: Period, bucket: Bucket) -> bool:
    start = t.start_day()
    if isinstance(bucket, GrainBucket):
        if GRAINS.index(t.grain) < GRAINS.index(bucket.grain):
            return False
        return bucket.until is None or start <= bucket.until
    return (bucket.start is None or start >= bucket.start) and (bucket.end is None or start <= bucket.end)


_ROW_OPS: dict[str, Callable[[float, float], float | None]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b != 0 else None,
}

Keys = Sequence[Any]


def _count(selected: list[int], groups: Keys, periods: Keys) -> dict[CellKey, Cell]:
    rows: dict[CellKey, int] = {}
    for i in selected:
        key = (groups[i], periods[i])
        rows[key] = rows.get(key, 0) + 1
    return {k: Cell(float(n), n, n) for k, n in rows.items()}


def _gather(selected: list[int], groups: Keys, periods: Keys,
            values: Sequence[float | None]) -> dict[CellKey, tuple[int, list[float]]]:
    found: dict[CellKey, tuple[int, list[float]]] = {}
    for i in selected:
        key = (groups[i], periods[i])
        entry = found.get(key)
        if entry is None:
            entry = found[key] = (0, [])
        v = values[i]
        if v is not None:
            entry[1].append(v)
        found[key] = (entry[0] + 1, entry[1])
    return found


def _reduce(fn: Callable[[list[float]], float]) -> Callable[..., dict[CellKey, Cell]]:
    def reducer(selected: list[int], groups: Keys, periods: Keys,
                values: Sequence[float | None]) -> dict[CellKey, Cell]:
        return {
            key: Cell(fn(known) if known else None, rows, len(known))
            for key, (rows, known) in _gather(selected, groups, periods, values).items()
        }

    return reducer


def _sum(selected: list[int], groups: Keys, periods: Keys,
         values: Sequence[float | None]) -> dict[CellKey, Cell]:
    totals: dict[CellKey, list[Any]] = {}
    for i in selected:
        key = (groups[i], periods[i])
        acc = totals.get(key)
        if acc is None:
            acc = totals[key] = [0.0, 0, 0]
        acc[1] += 1
        v = values[i]
        if v is not None:
            acc[0] += v
            acc[2] += 1
    return {k: Cell(a[0] if a[2] else None, a[1], a[2]) for k, a in totals.items()}


_REDUCERS: Mapping[str, Callable[..., dict[CellKey, Cell]]] = {
    "sum": _sum,
    "mean": _reduce(lambda xs: sum(xs) / len(xs)),
    "min": _reduce(min),
    "max": _reduce(max),
}


def _first_last(selected: list[int], groups: Keys, periods: Keys, values: Sequence[float | None],
                days: Sequence[int], last: bool) -> dict[CellKey, Cell]:
    """The sum of the known values at the earliest (latest) time in each group and period."""
    state: dict[CellKey, list[Any]] = {}  # [rows, known, best day, sum at best day]
    for i in selected:
        key = (groups[i], periods[i])
        acc = state.get(key)
        if acc is None:
            acc = state[key] = [0, 0, None, 0.0]
        acc[0] += 1
        v = values[i]
        if v is None:
            continue
        acc[1] += 1
        day = days[i]
        if acc[2] is None or (day > acc[2] if last else day < acc[2]):
            acc[2], acc[3] = day, v
        elif day == acc[2]:
            acc[3] += v
    return {k: Cell(a[3] if a[1] else None, a[0], a[1]) for k, a in state.items()}
