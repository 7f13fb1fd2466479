"""How the reference engine reduces an aggregate's rows: one fold per request.

A fold takes the rows of a table a chunk at a time (each row's cell key, None
for a row in no cell, and its value) and keeps only what the aggregate needs:
sums, counts, the extreme so far. Keys are the same integers in every chunk,
and each fold adds the rows in the order of the table, so a sum comes out the
same to the last bit as one pass over the whole table would give.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ...aggregates import Values, kind_of
from ...plan import AggregateRequest, Cell

#: Each row's cell key; None: the row is in no cell.
Keys = Sequence[int | None]


class Fold(Protocol):
    """The running state of one aggregate."""

    def add(self, keys: Keys, values: list[Any] | None, days: list[int] | None,
            unknown: bool = True) -> None:
        """Take some rows: their keys, their values (None: counting) and days (first/last);
        *unknown* False tells that no value is None (True: some may be)."""

    def cells(self) -> dict[int, Cell]:
        """The answer for each key that has rows."""
        ...


def _known_rows(keys: Keys, values: list[float | None]) -> Any:
    return (k for k, v in zip(keys, values, strict=True) if v is not None)


class RowCount:
    """``count``, and any aggregate asked without a measure: the rows of each cell."""

    def __init__(self) -> None:
        self.rows: Counter[int | None] = Counter()

    def add(self, keys: Keys, values: list[float | None] | None, days: list[int] | None,
            unknown: bool = True) -> None:
        self.rows.update(keys)  # counted in C

    def cells(self) -> dict[int, Cell]:
        return {k: Cell(float(n), n, n) for k, n in self.rows.items() if k is not None}


class _Counted:
    """The rows of each cell, and those with a known value, counted apart only once a value
    is unknown."""

    def __init__(self) -> None:
        self.rows: Counter[int | None] = Counter()
        self._known: Counter[int | None] | None = None  # None: every value known so far

    def count(self, keys: Keys, values: list[float | None], unknown: bool) -> None:
        if unknown and self._known is None:
            self._known = self.rows.copy()
        self.rows.update(keys)  # counted in C
        if self._known is not None:
            self._known.update(_known_rows(keys, values) if unknown else keys)

    @property
    def known(self) -> Counter[int | None]:
        return self.rows if self._known is None else self._known


class Sum(_Counted):
    """``sum``: the known values added in row order."""

    def __init__(self) -> None:
        super().__init__()
        self.totals: defaultdict[int | None, float] = defaultdict(float)

    def add(self, keys: Keys, values: list[float | None] | None, days: list[int] | None,
            unknown: bool = True) -> None:
        assert values is not None
        self.count(keys, values, unknown)
        totals = self.totals
        if not unknown:  # the common case: every value known
            for k, v in zip(keys, values, strict=True):
                totals[k] += v  # type: ignore[operator]
            return
        for k, v in zip(keys, values, strict=True):
            if v is not None:
                totals[k] += v

    def cells(self) -> dict[int, Cell]:
        totals, known = self.totals, self.known
        return {k: Cell(totals[k] if known[k] else None, n, known[k])
                for k, n in self.rows.items() if k is not None}


class Mean(Sum):
    """``mean``: the sum over the number of known values."""

    def cells(self) -> dict[int, Cell]:
        return {
            k: Cell(c.value / c.known if c.known and c.value is not None else None, c.rows, c.known)
            for k, c in super().cells().items()
        }


class Extreme(_Counted):
    """``min`` or ``max`` of the known values."""

    def __init__(self, largest: bool) -> None:
        super().__init__()
        self.largest = largest
        self.best: dict[int | None, float] = {}

    def add(self, keys: Keys, values: list[float | None] | None, days: list[int] | None,
            unknown: bool = True) -> None:
        assert values is not None
        self.count(keys, values, unknown)
        best, largest = self.best, self.largest
        get = best.get
        for k, v in zip(keys, values, strict=True):
            if v is not None:
                b = get(k)
                if b is None or (v > b if largest else v < b):
                    best[k] = v

    def cells(self) -> dict[int, Cell]:
        best, known = self.best, self.known
        return {k: Cell(best.get(k), n, known.get(k, 0))
                for k, n in self.rows.items() if k is not None}


class FirstLast:
    """``first`` or ``last``: the sum of the known values at the earliest (latest) day of each cell."""

    def __init__(self, last: bool) -> None:
        self.last = last
        self.state: dict[int, list[Any]] = {}  # [rows, known, best day, sum at best day]

    def add(self, keys: Keys, values: list[float | None] | None, days: list[int] | None,
            unknown: bool = True) -> None:
        assert values is not None and days is not None
        state, last = self.state, self.last
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

    def cells(self) -> dict[int, Cell]:
        return {k: Cell(a[3] if a[1] else None, a[0], a[1]) for k, a in self.state.items()}


#: A new fold for each aggregate function that reads a measure.
FOLDS: dict[str, Callable[[], Fold]] = {
    "sum": Sum,
    "mean": Mean,
    "min": lambda: Extreme(largest=False),
    "max": lambda: Extreme(largest=True),
    "first": lambda: FirstLast(last=False),
    "last": lambda: FirstLast(last=True),
}


class Gathered:
    """An aggregate that does not decompose (a median, a count of distinct values): each
    cell's known values, gathered, then reduced."""

    def __init__(self, reduce: Callable[[Values, float | None], float], parameter: float | None) -> None:
        self.reduce = reduce
        self.parameter = parameter
        self.rows: Counter[int | None] = Counter()
        self.known: defaultdict[int | None, list[Any]] = defaultdict(list)

    def add(self, keys: Keys, values: list[Any] | None, days: list[int] | None,
            unknown: bool = True) -> None:
        assert values is not None
        self.rows.update(keys)
        known = self.known
        for k, v in zip(keys, values, strict=True):
            if v is not None:
                known[k].append(v)

    def cells(self) -> dict[int, Cell]:
        known, reduce, parameter = self.known, self.reduce, self.parameter
        return {k: Cell(reduce(known[k], parameter) if known[k] else None, n, len(known[k]))
                for k, n in self.rows.items() if k is not None}


def fold_for(req: AggregateRequest) -> Fold:
    """A new fold for *req*, by its aggregate's entry in the registry."""
    kind = kind_of(req.func)
    if req.column is None and (req.measure is None or kind.counts_rows):
        return RowCount()
    if kind.reduce is not None and req.func not in ("first", "last"):
        return Gathered(kind.reduce, req.parameter)
    return FOLDS[req.func]()
