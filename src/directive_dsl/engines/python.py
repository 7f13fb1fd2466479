"""The reference engine: pure Python over column lists.

It reads and checks each dataset with :mod:`directive_dsl.data`, then answers
every request column by column. Text columns and times are dictionary-encoded
once (a small integer per row), so a condition on a dimension is decided once
per distinct value, and each cell of an aggregate is keyed by one integer:
``group code × number of buckets + bucket code``. Keys, masks and derived
columns are computed once and shared by every request that needs them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import add, mul
from pathlib import Path
from typing import Any

from .. import model as m
from ..aggregates import Values, kind_of
from ..conditions import (
    OPERATORS,
    Truth,
    compare_cell,
    condition_holds,
    member,
    truth_all,
    truth_any,
)
from ..data import BoundTable, DatasetSchema, bind_table, read_table
from ..data.raw import gc_paused
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
    requests_by_dataset,
    table_info,
)
from ..run_progress import SILENT, Progress, stepping

Keys = list[int | None]


class PythonEngine:
    """Evaluates plans in pure Python: the meaning every other engine is checked against."""

    name = "python"

    def __init__(self) -> None:
        self.tables: dict[str, _Table] = {}

    def bind(
        self, name: str, value: object, schema: object, *, base_dir: object, allow_outside: bool
    ) -> TableInfo:
        assert isinstance(schema, DatasetSchema)
        raw = read_table(
            name,
            value,
            base_dir=base_dir if isinstance(base_dir, Path) else None,
            allow_outside=allow_outside,
        )
        table = _Table(bind_table(schema, raw))
        self.tables[name] = table
        return table.info()

    def run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest], *,
            progress: Progress = SILENT) -> Answers:
        with gc_paused():  # millions of short lists: the collector would only slow them down
            return self._run(aggregates, coverage, progress)

    def _run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest],
             progress: Progress) -> Answers:
        answers: dict[AggregateRequest, Any] = {}
        covered: dict[CoverageRequest, frozenset[CoverageKey]] = {}
        by_dataset = requests_by_dataset(aggregates, coverage)
        for name in stepping(list(by_dataset), progress, "scan"):
            asked, covers = by_dataset[name]
            answers.update((req, self.tables[name].aggregate(req)) for req in asked)
            covered.update((req, self.tables[name].coverage(req)) for req in covers)
        return Answers(aggregates=answers, coverage=covered)

    def close(self) -> None:
        self.tables.clear()


class _Encoded:
    """A column as a code per row and the distinct values the codes stand for."""

    def __init__(self, values: Sequence[Any]) -> None:
        self.values: list[Any] = list(dict.fromkeys(values))
        index = {v: i for i, v in enumerate(self.values)}
        self.codes: list[int] = list(map(index.__getitem__, values))


class _Table:
    """A bound table and the per-row codes, keys and masks computed from it so far."""

    def __init__(self, bound: BoundTable) -> None:
        self.bound = bound
        self.n = bound.n_rows
        self.numeric = frozenset(bound.measures)
        self.columns: dict[str, Sequence[object]] = {**bound.dimensions, **bound.measures}
        self._encoded: dict[str, _Encoded] = {}
        self._times = self._encode_times()
        self._buckets: dict[Bucket, tuple[Keys, list[Period | None]]] = {}
        self._keys: dict[
            tuple[tuple[str, ...], Bucket], tuple[Keys, int, list[tuple[Any, ...]]]
        ] = {}
        self._masks: dict[m.RowCondition, list[bool]] = {}
        self._values: dict[m.RowExpr, list[float | None]] = {}

    def _encode_times(self) -> _Encoded | None:
        times = self.bound.times
        if times is None:
            return None
        if self.bound.time_codes is not None:  # binding has coded them already
            encoded = _Encoded(())
            encoded.codes = self.bound.time_codes.codes
            encoded.values = list(self.bound.time_codes.periods)
            return encoded
        # Rows share Period objects (binding caches them), so encode by identity, then merge equals.
        ids = list(map(id, times))
        by_id = _Encoded(ids)
        objects = dict(zip(ids, times, strict=True))
        canonical: dict[Period | None, int] = {}
        remap = [canonical.setdefault(objects[i], len(canonical)) for i in by_id.values]
        encoded = _Encoded(())
        encoded.codes = list(map(remap.__getitem__, by_id.codes))
        encoded.values = list(canonical)
        return encoded

    def info(self) -> TableInfo:
        return table_info(self.bound)

    # ---------------------------------------------------------------- per-row codes

    def encoded(self, column: str) -> _Encoded:
        """A column as text codes (a numeric column used as a dimension turns into text)."""
        found = self._encoded.get(column)
        if found is None:
            if column in self.bound.dimensions:
                found = _Encoded(self.bound.dimensions[column])
            else:
                found = _Encoded([_as_text(v) for v in self.bound.measures[column]])
            self._encoded[column] = found
        return found

    def buckets(self, bucket: Bucket) -> tuple[Keys, list[Period | None]]:
        """Each row's bucket code (None: not in the bucket), and the period of each code."""
        found = self._buckets.get(bucket)
        if found is not None:
            return found
        if self._times is None:  # no time column: every row is in every bucket
            found = ([0] * self.n, [None])
        else:
            periods: dict[Period | None, int] = {}
            per_time: list[int | None] = []
            for t in self._times.values:
                if t is None or not _inside(t, bucket):
                    per_time.append(None)
                else:
                    per_time.append(periods.setdefault(_bucket_of(t, bucket), len(periods)))
            found = (list(map(per_time.__getitem__, self._times.codes)), list(periods))
        self._buckets[bucket] = found
        return found

    def keys(
        self, groups: tuple[str, ...], bucket: Bucket
    ) -> tuple[Keys, int, list[tuple[Any, ...]]]:
        """Each row's cell key: group code × buckets + bucket code (None: in no cell)."""
        cache_key = (groups, bucket)
        found = self._keys.get(cache_key)
        if found is not None:
            return found
        bucket_codes, periods = self.buckets(bucket)
        width = max(1, len(periods))
        if not groups:
            found = (bucket_codes, width, [()])
        else:
            group_codes, group_values = self._group_codes(groups)
            if None in group_codes or None in bucket_codes:
                keys = [
                    None if g is None or b is None else g * width + b
                    for g, b in zip(group_codes, bucket_codes, strict=True)
                ]
            else:  # the common case, with map running in C
                keys = list(map(add, map(mul, group_codes, repeat(width)), bucket_codes))
            found = (keys, width, group_values)
        self._keys[cache_key] = found
        return found

    def _group_codes(self, groups: tuple[str, ...]) -> tuple[Keys, list[tuple[Any, ...]]]:
        columns = [self.encoded(g) for g in groups]
        if len(columns) == 1:
            values = columns[0].values
            labels = [(v,) for v in values]
            if None not in values:
                return columns[0].codes, labels  # type: ignore[return-value]
            usable = [i if v is not None else None for i, v in enumerate(values)]
            return list(map(usable.__getitem__, columns[0].codes)), labels
        combined = _Encoded(list(zip(*(c.codes for c in columns), strict=True)))
        codes: Keys = list(combined.codes)
        labels = [
            tuple(col.values[i] for col, i in zip(columns, combo, strict=True))
            for combo in combined.values
        ]
        usable = [i if None not in label else None for i, label in enumerate(labels)]
        return [usable[c] for c in codes], labels  # type: ignore[index]

    # ---------------------------------------------------------------- masks and values

    def mask(self, where: m.RowCondition | None) -> list[bool] | None:
        """True for the rows *where* holds (False when it fails or is unknown)."""
        if where is None:
            return None
        found = self._masks.get(where)
        if found is None:
            truth = self._truth(where)
            mask: list[bool] = truth if None not in truth else [t is True for t in truth]  # type: ignore[assignment]
            self._masks[where] = found = mask
        return found

    def _truth(self, cond: m.RowCondition) -> list[Truth]:
        if (
            isinstance(cond, m.ColumnCompare | m.ColumnIn)
            and cond.column not in self.numeric
            and not (isinstance(cond, m.ColumnCompare) and isinstance(cond.value, m.ColumnName))
        ):
            encoded = self.encoded(cond.column)  # decide once per distinct text value
            per_value = [condition_holds(cond, {cond.column: v}) for v in encoded.values]
            return list(map(per_value.__getitem__, encoded.codes))
        if isinstance(cond, m.ColumnCompare):
            return self._compare_numbers(cond)
        if isinstance(cond, m.ColumnIn):
            cells = self.bound.measures[cond.column]
            hits: list[Truth] = [None if c is None else member(c, cond.values, True) for c in cells]
            return [None if h is None else not h for h in hits] if cond.negated else hits
        if isinstance(cond, m.Not):
            return [None if t is None else not t for t in self._truth(cond.item)]
        parts = [self._truth(item) for item in cond.items]
        if not any(None in part for part in parts):  # plain booleans: min is AND, max is OR
            return list(map(min if isinstance(cond, m.AllOf) else max, *parts))
        combine = truth_all if isinstance(cond, m.AllOf) else truth_any
        return [combine(values) for values in zip(*parts, strict=True)]

    def _compare_numbers(self, cond: m.ColumnCompare) -> list[Truth]:
        cells = self._scaled(cond.column, cond.scale)
        if isinstance(cond.value, m.ColumnName):
            other_numeric = cond.value.name in self.numeric
            others = (
                self._scaled(cond.value.name, cond.value.scale)
                if other_numeric
                else self.columns[cond.value.name]
            )
            return [compare_cell(a, cond.op, b, True) for a, b in zip(cells, others, strict=True)]
        value = cond.value
        if isinstance(value, str):
            return [None if c is None else False for c in cells]
        op = OPERATORS[cond.op]
        return [None if c is None else op(c, value) for c in cells]

    def _scaled(self, name: str, scale: float) -> Sequence[Any]:
        cells = self.bound.measures[name]
        return cells if scale == 1.0 else [None if c is None else c * scale for c in cells]

    def values(self, expr: m.RowExpr) -> list[float | None]:
        found = self._values.get(expr)
        if found is None:
            found = self._compute(expr)
            self._values[expr] = found
        return found

    def _compute(self, expr: m.RowExpr) -> list[float | None]:
        if isinstance(expr, m.RowColumn):
            return list(self._scaled(expr.name, expr.scale))
        if isinstance(expr, m.RowConst):
            return [expr.value] * self.n
        if isinstance(expr, m.RowNeg):
            return [None if v is None else -v for v in self.values(expr.operand)]
        if isinstance(expr, m.RowUnit):
            column = self.encoded(expr.column)
            factors = dict(expr.factors)
            per_code = [factors.get(v) if isinstance(v, str) else None for v in column.values]
            return [per_code[c] for c in column.codes]
        left, right = self.values(expr.left), self.values(expr.right)
        op = _ROW_OPS[expr.op]
        return [
            None if a is None or b is None else op(a, b) for a, b in zip(left, right, strict=True)
        ]

    # ---------------------------------------------------------------- answers

    def coverage(self, req: CoverageRequest) -> frozenset[CoverageKey]:
        bucket_codes, periods = self.buckets(req.bucket)
        if req.dimension is None:
            return frozenset((None, periods[b]) for b in set(bucket_codes) if b is not None)
        # The cells of a grouping by that one dimension: shared with the aggregates that group by it.
        keys, width, groups = self.keys((req.dimension,), req.bucket)
        return frozenset(
            (groups[k // width][0], periods[k % width]) for k in set(keys) if k is not None
        )

    def aggregate(self, req: AggregateRequest) -> dict[CellKey, Cell]:
        keys, width, groups = self.keys(req.groups, req.bucket)
        periods = self.buckets(req.bucket)[1]
        mask = self.mask(req.where)
        kind = kind_of(req.func)
        if req.column is not None:  # a dimension's values, counted by `count_distinct`
            column = self.encoded(req.column)
            values: list[Any] | None = [column.values[c] for c in column.codes]
        else:
            counting = req.measure is None or kind.counts_rows
            values = None if counting or req.measure is None else self.values(req.measure.expr)
        days = self._days() if req.func in ("first", "last") else None
        if mask is not None:  # keep only the rows the condition selects (compress runs in C)
            keys = list(compress(keys, mask))
            values = list(compress(values, mask)) if values is not None else None
            days = list(compress(days, mask)) if days is not None else None
        if values is None:
            rows = Counter(keys)
            rows.pop(None, None)
            cells: dict[Any, Cell] = {k: Cell(float(n), n, n) for k, n in rows.items()}
        elif days is not None:
            cells = _first_last(keys, values, days, req.func == "last")
        elif kind.reduce is not None:
            cells = _reduced(keys, values, kind.reduce, req.parameter)
        else:
            cells = _REDUCERS[req.func](keys, values)
        return {(groups[k // width], periods[k % width]): cell for k, cell in cells.items()}

    def _days(self) -> list[int]:
        """Each row's first day, for first/last."""
        if self._times is None:
            return [0] * self.n
        days = [t.start_day() if t is not None else 0 for t in self._times.values]
        return [days[c] for c in self._times.codes]


# ---------------------------------------------------------------- buckets and reducers


def _as_text(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if value.is_integer() else str(value)


def _bucket_of(t: Period, bucket: Bucket) -> Period | None:
    return t.to_grain(bucket.grain) if isinstance(bucket, GrainBucket) else None


def _inside(t: Period, bucket: Bucket) -> bool:
    """Whether a row of period *t* counts in *bucket*: by its first day; never split into finer periods."""
    start = t.start_day()
    if isinstance(bucket, GrainBucket):
        if GRAINS.index(t.grain) < GRAINS.index(bucket.grain):
            return False
        return bucket.until is None or start <= bucket.until
    return (bucket.start is None or start >= bucket.start) and (
        bucket.end is None or start <= bucket.end
    )


_ROW_OPS: dict[str, Callable[[float, float], float | None]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b != 0 else None,
}


def _sum(keys: Keys, values: list[float | None]) -> dict[Any, Cell]:
    rows = Counter(keys)
    rows.pop(None, None)
    totals: defaultdict[int | None, float] = defaultdict(float)
    if None not in values:  # the common case: every value known, so known == rows
        for k, v in zip(keys, values, strict=True):
            totals[k] += v  # type: ignore[operator]
        return {k: Cell(totals[k], n, n) for k, n in rows.items()}
    known: Counter[int | None] = Counter()
    for k, v in zip(keys, values, strict=True):
        if v is not None:
            totals[k] += v
            known[k] += 1
    return {k: Cell(totals[k] if known[k] else None, n, known[k]) for k, n in rows.items()}


def _mean(keys: Keys, values: list[float | None]) -> dict[Any, Cell]:
    return {
        k: Cell(c.value / c.known if c.known and c.value is not None else None, c.rows, c.known)
        for k, c in _sum(keys, values).items()
    }


def _extreme(largest: bool) -> Callable[[Keys, list[float | None]], dict[Any, Cell]]:
    def reducer(keys: Keys, values: list[float | None]) -> dict[Any, Cell]:
        rows = Counter(keys)
        rows.pop(None, None)
        best: dict[int | None, float] = {}
        get = best.get
        for k, v in zip(keys, values, strict=True):
            if v is not None:
                b = get(k)
                if b is None or (v > b if largest else v < b):
                    best[k] = v
        known: Counter[int | None] = rows
        if None in values:
            known = Counter(k for k, v in zip(keys, values, strict=True) if v is not None)
        return {k: Cell(best.get(k), n, known.get(k, 0)) for k, n in rows.items()}

    return reducer


_REDUCERS: dict[str, Callable[[Keys, list[float | None]], dict[Any, Cell]]] = {
    "sum": _sum,
    "mean": _mean,
    "min": _extreme(largest=False),
    "max": _extreme(largest=True),
}


def _reduced(keys: Keys, values: list[Any], reduce: Callable[[Values, float | None], float],
             parameter: float | None) -> dict[Any, Cell]:
    """An aggregate that does not decompose: each cell's known values, gathered, then reduced."""
    rows = Counter(keys)
    rows.pop(None, None)
    known: defaultdict[int | None, list[Any]] = defaultdict(list)
    for k, v in zip(keys, values, strict=True):
        if v is not None:
            known[k].append(v)
    return {k: Cell(reduce(known[k], parameter) if known[k] else None, n, len(known[k]))
            for k, n in rows.items()}


def _first_last(
    keys: Keys, values: list[float | None], days: list[int], last: bool
) -> dict[Any, Cell]:
    """The sum of the known values at the earliest (latest) time in each cell."""
    state: dict[int, list[Any]] = {}  # [rows, known, best day, sum at best day]
    for k, v, day in zip(keys, values, days, strict=True):
        if k is None:
            continue
        acc = state.get(k)
        if acc is None:
            acc = state[k] = [0, 0, None, 0.0]
        acc[0] += 1
        if v is None:
            continue
        acc[1] += 1
        if acc[2] is None or (day > acc[2] if last else day < acc[2]):
            acc[2], acc[3] = day, v
        elif day == acc[2]:
            acc[3] += v
    return {k: Cell(a[3] if a[1] else None, a[0], a[1]) for k, a in state.items()}
