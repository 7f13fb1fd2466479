"""The reference engine: pure Python over coded columns, a chunk of rows at a time.

Each dataset is read and checked by :mod:`directive_dsl.data`, a CSV file while
it is read (``data/chunks.py``), into chunks of coded columns: text and times
as a small integer per row. Every request then folds the chunks one after the
other into its own state (:mod:`.fold`), so no more than a chunk's rows
are ever expanded. A condition on a dimension is decided once per distinct
value, and each cell of an aggregate is keyed by one integer:
``group code × number of buckets + bucket code``, the same in every chunk.
Within a chunk, keys, masks and derived columns are computed once and shared
by every request that needs them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import reduce
from itertools import compress, repeat
from operator import add, and_, mul, or_
from pathlib import Path
from typing import Any

from ... import model as m
from ...aggregates import kind_of
from ...conditions import (
    OPERATORS,
    Truth,
    compare_cell,
    condition_holds,
    member,
    truth_all,
    truth_any,
)
from ...data import DatasetSchema, bind_table, read_table
from ...data.chunks import Chunk, ChunkedTable, chunked_from_bound, read_csv_chunks
from ...data.raw import gc_paused
from ...data.readers import delimited_file
from ...periods import GRAINS, Period
from ...plan import (
    AggregateRequest,
    Answers,
    Bucket,
    Cell,
    CellKey,
    CoverageKey,
    CoverageRequest,
    DataValue,
    GrainBucket,
    TableInfo,
    bound_table_info,
    requests_by_dataset,
)
from ...run_progress import SILENT, Progress, stepping
from .fold import Fold, Keys, fold_for


class PythonEngine:
    """Evaluates plans in pure Python: the meaning every other engine is checked against."""

    name = "python"

    def __init__(self) -> None:
        self.tables: dict[str, _Table] = {}

    def bind(self, name: str, value: DataValue, schema: DatasetSchema, *, base_dir: Path | None,
             allow_outside: bool) -> TableInfo:
        folder = base_dir
        with gc_paused():  # millions of short lists: the collector would only slow them down
            source = delimited_file(value, base_dir=folder, allow_outside=allow_outside)
            chunked = read_csv_chunks(schema, source) if source is not None else None
        if chunked is None:  # not a CSV file, or one with a problem to word
            raw = read_table(name, value, base_dir=folder, allow_outside=allow_outside)
            chunked = chunked_from_bound(bind_table(schema, raw))
        table = _Table(chunked)
        self.tables[name] = table
        return table.info()

    def run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest], *,
            progress: Progress = SILENT) -> Answers:
        with gc_paused():
            return self._run(aggregates, coverage, progress)

    def _run(self, aggregates: list[AggregateRequest], coverage: list[CoverageRequest],
             progress: Progress) -> Answers:
        answers: dict[AggregateRequest, Any] = {}
        covered: dict[CoverageRequest, frozenset[CoverageKey]] = {}
        by_dataset = requests_by_dataset(aggregates, coverage)
        for name in stepping(list(by_dataset), progress, "scan"):
            asked, covers = by_dataset[name]
            found, seen = self.tables[name].answer(asked, covers)
            answers.update(found)
            covered.update(seen)
        return Answers(aggregates=answers, coverage=covered)

    def close(self) -> None:
        self.tables.clear()


class _Codes:
    """Codes for values met chunk after chunk: the same value has the same code in every chunk."""

    def __init__(self) -> None:
        self.index: dict[Any, int] = {}
        self.values: list[Any] = []

    def encode(self, cells: Sequence[Any]) -> list[int]:
        index = self.index
        for value in dict.fromkeys(cells):
            if value not in index:
                index[value] = len(self.values)
                self.values.append(value)
        return list(map(index.__getitem__, cells))


class _Table:
    """A table in chunks, and what holds for all its chunks: the codes of each bucket and
    grouping, and what each condition makes of each value of a dimension."""

    def __init__(self, table: ChunkedTable) -> None:
        self.table = table
        self.numeric = frozenset(table.measures)
        self._buckets: dict[Bucket, tuple[list[int | None] | None, list[Period | None]]] = {}
        self._groupings: dict[tuple[str, ...], _Codes] = {}
        self._texts: dict[str, _Codes] = {}  # measures read as text
        self._per_value: dict[m.RowCondition, list[Truth]] = {}
        self._days: list[int] | None = None

    def info(self) -> TableInfo:
        """What binding learned, as every engine reports it."""
        table = self.table
        return bound_table_info(
            name=table.name,
            origin=table.origin,
            n_rows=table.n_rows,
            dimensions=table.dimensions,
            measures=table.measures,
            time_column=table.time_column,
            grain=table.grain,
            periods=table.periods,
            numeric_dimensions=table.numeric_dimensions,
        )

    def answer(
        self, asked: list[AggregateRequest], covers: list[CoverageRequest]
    ) -> tuple[dict[AggregateRequest, dict[CellKey, Cell]],
               dict[CoverageRequest, frozenset[CoverageKey]]]:
        """Every request on this table, the chunks folded one after the other."""
        folds = {req: fold_for(req) for req in asked}
        seen: dict[CoverageRequest, set[int | None]] = {req: set() for req in covers}
        for chunk in self.table.chunks:
            rows = _Rows(self, chunk)
            for req in asked:
                rows.fold(req, folds[req])
            for cover in covers:
                seen[cover].update(rows.cover(cover))
        answers = {req: self._cells(req.groups, req.bucket, folds[req].cells()) for req in asked}
        covered = {cover: self._covered(cover, seen[cover]) for cover in covers}
        return answers, covered

    def _cells(self, groups: tuple[str, ...], bucket: Bucket,
               cells: dict[int, Any]) -> dict[Any, Any]:
        label, periods = self.label_of(groups), self.buckets(bucket)[1]
        width = max(1, len(periods))
        return {(label(k // width), periods[k % width]): cell for k, cell in cells.items()}

    def _covered(self, cover: CoverageRequest, keys: set[int | None]) -> frozenset[CoverageKey]:
        keys.discard(None)
        if cover.dimension is None:
            periods = self.buckets(cover.bucket)[1]
            return frozenset((None, periods[k]) for k in keys)  # type: ignore[index]
        cells = self._cells((cover.dimension,), cover.bucket, dict.fromkeys(keys))  # type: ignore[arg-type]
        return frozenset((group[0], period) for group, period in cells)

    # ---------------------------------------------------------------- codes for every chunk

    def buckets(self, bucket: Bucket) -> tuple[list[int | None] | None, list[Period | None]]:
        """Each period's bucket code (None: not in the bucket), and the period of each code;
        None for the first when there is no time column: every row is in every bucket."""
        found = self._buckets.get(bucket)
        if found is not None:
            return found
        if self.table.time_column is None:
            found = (None, [None])
        else:
            periods: dict[Period | None, int] = {}
            per_time: list[int | None] = []
            for t in self.table.periods:
                if not _inside(t, bucket):
                    per_time.append(None)
                else:
                    per_time.append(periods.setdefault(_bucket_of(t, bucket), len(periods)))
            found = (per_time, list(periods))
        self._buckets[bucket] = found
        return found

    def column_values(self, column: str) -> list[Any]:
        """The distinct values of a column read as text, as far as they are coded yet."""
        if column in self.table.dimensions:
            return self.table.dimensions[column]
        return self._texts.setdefault(column, _Codes()).values

    def text_codes(self, column: str, chunk: Chunk) -> Sequence[int]:
        """A chunk's codes of a column read as text (a measure used as a dimension turns into text)."""
        if column in self.table.dimensions:
            return chunk.dimensions[column]
        codes = self._texts.setdefault(column, _Codes())
        return codes.encode([_as_text(v) for v in chunk.numbers(column)])

    def grouping(self, groups: tuple[str, ...]) -> _Codes:
        """The codes of the combinations of values of *groups* (two or more columns), when
        one of them is a measure read as text."""
        return self._groupings.setdefault(groups, _Codes())

    def radix(self, groups: tuple[str, ...]) -> list[int] | None:
        """When every column of *groups* is a dimension, the number of values of each: a
        combination's code is then its codes as digits in these bases."""
        if not all(g in self.table.dimensions for g in groups):
            return None
        return [len(self.table.dimensions[g]) for g in groups]

    def label_of(self, groups: tuple[str, ...]) -> Callable[[int], tuple[Any, ...]]:
        """The values of *groups* that a group code stands for."""
        if not groups:
            return lambda code: ()
        columns = [self.column_values(g) for g in groups]
        if len(groups) == 1:
            return lambda code: (columns[0][code],)
        radix = self.radix(groups)
        if radix is None:
            combos = self.grouping(groups).values
            return lambda code: tuple(col[i] for col, i in zip(columns, combos[code], strict=True))

        def label(code: int) -> tuple[Any, ...]:
            digits = []
            for base in reversed(radix):
                code, digit = divmod(code, base)
                digits.append(digit)
            return tuple(col[i] for col, i in zip(columns, reversed(digits), strict=True))

        return label

    def per_value(self, cond: m.ColumnCompare | m.ColumnIn) -> list[Truth]:
        """Whether *cond* holds for each value of its dimension."""
        found = self._per_value.get(cond)
        if found is None:
            values = self.table.dimensions[cond.column]
            found = [condition_holds(cond, {cond.column: v}) for v in values]
            self._per_value[cond] = found
        return found

    def days(self) -> list[int]:
        """Each period's first day, for first/last."""
        if self._days is None:
            self._days = [t.start_day() for t in self.table.periods]
        return self._days


class _Rows:
    """One chunk of a table, and the per-row codes, keys, masks and values computed from it."""

    def __init__(self, table: _Table, chunk: Chunk) -> None:
        self.table = table
        self.chunk = chunk
        self.n = chunk.n_rows
        self.numeric = table.numeric
        self._keys: dict[tuple[tuple[str, ...], Bucket], Keys] = {}
        self._buckets: dict[Bucket, Keys] = {}
        self._masks: dict[m.RowCondition, list[bool]] = {}
        self._values: dict[m.RowExpr, tuple[list[float | None], bool]] = {}
        self._numbers: dict[str, list[float | None]] = {}

    def numbers(self, column: str) -> list[float | None]:
        found = self._numbers.get(column)
        if found is None:
            found = self._numbers[column] = self.chunk.numbers(column)
        return found

    def texts(self, column: str) -> list[str | None]:
        """A dimension's text in each row."""
        values = self.table.column_values(column)
        return list(map(values.__getitem__, self.table.text_codes(column, self.chunk)))

    # ---------------------------------------------------------------- per-row codes

    def buckets(self, bucket: Bucket) -> Keys:
        """Each row's bucket code (None: not in the bucket)."""
        found = self._buckets.get(bucket)
        if found is None:
            per_time = self.table.buckets(bucket)[0]
            if per_time is None or self.chunk.times is None:
                found = [0] * self.n
            else:
                found = list(map(per_time.__getitem__, self.chunk.times))
            self._buckets[bucket] = found
        return found

    def keys(self, groups: tuple[str, ...], bucket: Bucket) -> Keys:
        """Each row's cell key: group code × buckets + bucket code (None: in no cell)."""
        cache_key = (groups, bucket)
        found = self._keys.get(cache_key)
        if found is not None:
            return found
        bucket_codes = self.buckets(bucket)
        if not groups:
            found = bucket_codes
        else:
            per_time, periods = self.table.buckets(bucket)
            width = max(1, len(periods))
            group_codes, gaps = self._group_codes(groups)
            if gaps or (per_time is not None and None in per_time):  # a row may be in no cell
                found = [
                    None if g is None or b is None else g * width + b
                    for g, b in zip(group_codes, bucket_codes, strict=True)
                ]
            else:  # the common case, with map running in C
                found = list(map(add, map(mul, group_codes, repeat(width)), bucket_codes))
        self._keys[cache_key] = found
        return found

    def _group_codes(self, groups: tuple[str, ...]) -> tuple[Keys, bool]:
        """Each row's group code, and whether a row may be in no group (None)."""
        table = self.table
        columns = [table.text_codes(g, self.chunk) for g in groups]
        if len(columns) == 1:
            values = table.column_values(groups[0])
            if None not in values:
                return columns[0], False
            usable = [i if v is not None else None for i, v in enumerate(values)]
            return list(map(usable.__getitem__, columns[0])), True
        values = [table.column_values(g) for g in groups]
        radix = table.radix(groups)
        if radix is not None:  # the codes as digits, computed in C
            combined: Keys = columns[0]
            for column, base in zip(columns[1:], radix[1:], strict=True):
                combined = list(map(add, map(mul, combined, repeat(base)), column))
            gaps = False
            for column, distinct in zip(columns, values, strict=True):
                if None in distinct:  # a row with an empty cell is in no group
                    empty, gaps = distinct.index(None), True
                    combined = [None if c == empty else k for k, c in zip(combined, column, strict=True)]
            return combined, gaps
        combos = list(zip(*columns, strict=True))
        grouping = table.grouping(groups)
        local: dict[tuple[int, ...], int | None] = {}
        for combo in dict.fromkeys(combos):
            if any(col[i] is None for col, i in zip(values, combo, strict=True)):
                local[combo] = None
            else:
                local[combo] = grouping.encode([combo])[0]
        return list(map(local.__getitem__, combos)), True

    # ---------------------------------------------------------------- masks and values

    def mask(self, where: m.RowCondition | None) -> list[bool] | None:
        """True for the rows *where* holds (False when it fails or is unknown)."""
        if where is None:
            return None
        found = self._masks.get(where)
        if found is None:
            truth, unknown = self._truth(where)
            mask: list[bool] = [t is True for t in truth] if unknown else truth  # type: ignore[assignment]
            self._masks[where] = found = mask
        return found

    def _truth(self, cond: m.RowCondition) -> tuple[list[Truth], bool]:
        """Whether *cond* holds in each row (None: unknown), and whether any may be unknown."""
        if (
            isinstance(cond, m.ColumnCompare | m.ColumnIn)
            and cond.column not in self.numeric
            and not (isinstance(cond, m.ColumnCompare) and isinstance(cond.value, m.ColumnName))
        ):
            per_value = self.table.per_value(cond)  # decided once per distinct text value
            rows = list(map(per_value.__getitem__, self.chunk.dimensions[cond.column]))
            return rows, None in per_value
        if isinstance(cond, m.ColumnCompare):
            truth = self._compare_numbers(cond)
        elif isinstance(cond, m.ColumnIn):
            cells = self.numbers(cond.column)
            hits: list[Truth] = [None if c is None else member(c, cond.values, True) for c in cells]
            truth = [None if h is None else not h for h in hits] if cond.negated else hits
        elif isinstance(cond, m.Not):
            item, unknown = self._truth(cond.item)
            return [None if t is None else not t for t in item], unknown
        else:
            parts = [self._truth(item) for item in cond.items]
            if not any(unknown for _, unknown in parts):  # plain booleans: & and | in C
                both = and_ if isinstance(cond, m.AllOf) else or_
                return reduce(lambda a, b: list(map(both, a, b)), [p for p, _ in parts]), False
            combine = truth_all if isinstance(cond, m.AllOf) else truth_any
            truth = [combine(values) for values in zip(*(p for p, _ in parts), strict=True)]
        return truth, None in truth

    def _compare_numbers(self, cond: m.ColumnCompare) -> list[Truth]:
        cells = self._scaled(cond.column, cond.scale)
        if isinstance(cond.value, m.ColumnName):
            other = cond.value.name
            others: Sequence[Any] = (
                self._scaled(other, cond.value.scale) if other in self.numeric else self.texts(other)
            )
            return [compare_cell(a, cond.op, b, True) for a, b in zip(cells, others, strict=True)]
        value = cond.value
        if isinstance(value, str):
            return [None if c is None else False for c in cells]
        op = OPERATORS[cond.op]
        return [None if c is None else op(c, value) for c in cells]

    def _scaled(self, name: str, scale: float) -> list[float | None]:
        cells = self.numbers(name)
        return cells if scale == 1.0 else [None if c is None else c * scale for c in cells]

    def values(self, expr: m.RowExpr) -> tuple[list[float | None], bool]:
        """*expr* in each row (None: unknown), and whether any may be unknown."""
        found = self._values.get(expr)
        if found is None:
            found = self._compute(expr)
            self._values[expr] = found
        return found

    def _compute(self, expr: m.RowExpr) -> tuple[list[float | None], bool]:
        if isinstance(expr, m.RowColumn):
            return self._scaled(expr.name, expr.scale), expr.name in self.chunk.unknown
        if isinstance(expr, m.RowConst):
            return [expr.value] * self.n, expr.value is None
        if isinstance(expr, m.RowNeg):
            operand, unknown = self.values(expr.operand)
            return [None if v is None else -v for v in operand], unknown
        if isinstance(expr, m.RowUnit):
            codes = self.table.text_codes(expr.column, self.chunk)
            factors = dict(expr.factors)
            values = self.table.column_values(expr.column)
            per_code = [factors.get(v) if isinstance(v, str) else None for v in values]
            return list(map(per_code.__getitem__, codes)), None in per_code
        left, right = self.values(expr.left)[0], self.values(expr.right)[0]
        op = _ROW_OPS[expr.op]
        found = [
            None if a is None or b is None else op(a, b) for a, b in zip(left, right, strict=True)
        ]
        return found, None in found

    # ---------------------------------------------------------------- folding

    def cover(self, req: CoverageRequest) -> set[int | None]:
        """The cell keys with rows: bucket codes, or those of a grouping by the one dimension
        (shared with the aggregates that group by it)."""
        if req.dimension is None:
            return set(self.buckets(req.bucket))
        return set(self.keys((req.dimension,), req.bucket))

    def fold(self, req: AggregateRequest, fold: Fold) -> None:
        keys = self.keys(req.groups, req.bucket)
        mask = self.mask(req.where)
        values: list[Any] | None = None
        unknown = True
        if req.column is not None:  # a dimension's values, counted by `count_distinct`
            values = self.texts(req.column)
        elif req.measure is not None and not kind_of(req.func).counts_rows:
            values, unknown = self.values(req.measure.expr)
        days = self._days() if req.func in ("first", "last") else None
        if mask is not None:  # keep only the rows the condition selects (compress runs in C)
            keys = list(compress(keys, mask))
            values = list(compress(values, mask)) if values is not None else None
            days = list(compress(days, mask)) if days is not None else None
        fold.add(keys, values, days, unknown)

    def _days(self) -> list[int]:
        """Each row's first day, for first/last."""
        if self.chunk.times is None:
            return [0] * self.n
        return list(map(self.table.days().__getitem__, self.chunk.times))


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


