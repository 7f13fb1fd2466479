"""Which groupings the DuckDB engine's scan computes, chosen by a small cost model.

Every request about a dataset is answered from one scan that groups the rows
(see :mod:`directive_dsl.engines.sql.query`). A condition on a column the scan groups by is decided once
per group, after the scan; a condition left in the scan costs a FILTERed
aggregate per row for each measure it filters. Grouping by more columns makes
the scan's hash table larger and each aggregate dearer, and every further
grouping set (GROUPING SETS in the scan) is one more hash table per row. So
the layout is a trade:

- which columns that only conditions read are grouped by (fewest values first);
- which fine groupings the scan computes: each request needs its groups and the
  columns of the conditions it leaves to the groups; groupings contained in
  another are dropped, and two are merged while one larger table costs less
  than both.

The figures below are nanoseconds per row, fitted to DuckDB's timings of
``benchmarks/run.py`` (10M rows, 2 cores); only their ratios matter.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

from ... import model as m
from ...aggregates import kind_of
from ...plan import AggregateRequest, CoverageRequest
from ..sql.query import condition_items, fine_set_for, grouped_columns, never_unknown

_TABLE_NS, _TABLE_GROWTH_NS = 7.0, 5.0  # per row and grouping set: a lookup in its hash table
_AGGREGATE_NS, _AGGREGATE_GROWTH_NS = 2.0, 7.0  # per row, grouping set and aggregate
_HALF_GROWTH_GROUPS = 30_000  # groups at which a table has half its growth (cache misses)
_FILTER_NS = 0.5  # per row, grouping set and FILTERed aggregate, beyond the aggregate
_CONDITION_NS = 1.0  # per row and condition evaluated in the scan
_MAX_WEIGHED_SETS = 8  # groupings weighed in pairs by the model; beyond, one grouping

FineSets = list[tuple[str, ...]]


def choose_fine_sets(aggregates: Sequence[AggregateRequest], coverage: Sequence[CoverageRequest],
                     counts: Mapping[str, int], *, time_values: int,
                     whole: frozenset[str] = frozenset()) -> FineSets:
    """The scan's groupings: the cheapest layout by the model, given each column's number of
    distinct values (*counts*) and the time column's (*time_values*, 1 without one)."""
    grouped = grouped_columns(aggregates, coverage)
    candidates = sorted({c for r in aggregates if r.where is not None for c in m.condition_columns(r.where)
                         if c not in grouped and c in counts}, key=lambda c: (counts[c], c))
    order = {c: i for i, c in enumerate([*grouped, *candidates])}
    model = _Model(aggregates, coverage, counts, time_values, whole)
    best: tuple[float, FineSets] | None = None
    for n in range(len(candidates) + 1):
        sets = model.layout(set(grouped) | set(candidates[:n]))
        cost = model.cost(sets)
        if best is None or cost < best[0]:
            best = (cost, [tuple(sorted(s, key=order.__getitem__)) for s in sets])
    assert best is not None
    return best[1]


class _Model:
    def __init__(self, aggregates: Sequence[AggregateRequest], coverage: Sequence[CoverageRequest],
                 counts: Mapping[str, int], time_values: int, whole: frozenset[str]) -> None:
        self.aggregates = aggregates
        self.coverage = coverage
        self.counts = counts
        self.time_values = max(time_values, 1)
        self.whole = whole

    def groups(self, columns: frozenset[str]) -> int:
        return math.prod(max(self.counts.get(c, 1), 1) for c in columns) * self.time_values

    def layout(self, groupable: set[str]) -> list[frozenset[str]]:
        """The fine groupings when conditions on *groupable* columns are decided after the scan."""
        needs = set()
        for request in self.aggregates:
            need = set(request.groups)
            for item in condition_items(request.where) if request.where is not None else ():
                columns = set(m.condition_columns(item))
                if columns <= groupable:
                    need |= columns
            needs.add(frozenset(need))
        needs.update(frozenset({c.dimension} if c.dimension is not None else ()) for c in self.coverage)
        sets = [s for s in needs if not any(s < other for other in needs)]
        sets.sort(key=lambda s: (len(s), sorted(s)))
        if len(sets) > _MAX_WEIGHED_SETS:  # too many to weigh in pairs: one grouping by them all
            return [frozenset().union(*sets)]
        while len(sets) > 1:
            cost = self.cost(sets)
            merged = min((self._merged(sets, a, b) for a, b in itertools.combinations(sets, 2)), key=self.cost)
            if self.cost(merged) >= cost:
                break
            sets = merged
        return sets or [frozenset()]

    @staticmethod
    def _merged(sets: list[frozenset[str]], a: frozenset[str], b: frozenset[str]) -> list[frozenset[str]]:
        union = a | b
        return [*(s for s in sets if s not in (a, b) and not s <= union), union]

    def cost(self, sets: list[frozenset[str]]) -> float:
        """Nanoseconds per row of a scan grouped by *sets*."""
        slots: set[tuple[object, ...]] = {("rows", frozenset())}
        conditions: set[m.RowCondition] = set()
        for request in self.aggregates:
            fine = sets[fine_set_for(request.groups, request.where, sets)]
            items = condition_items(request.where) if request.where is not None else ()
            early = frozenset(i for i in items if not set(m.condition_columns(i)) <= fine)
            conditions |= early
            slots.add(("rows", early))
            kind = kind_of(request.func)
            if request.measure is not None and not kind.counts_rows:
                expr = request.measure.expr
                if not never_unknown(expr, self.whole):
                    slots.add(("known", expr, early))
                slots.add((kind.partial if kind.partial in ("min", "max") else "sum", expr, early))
        filtered = sum(1 for slot in slots if slot[-1])
        total = len(conditions) * _CONDITION_NS
        for fine in sets:
            growth = self.groups(fine) / (self.groups(fine) + _HALF_GROWTH_GROUPS)
            total += _TABLE_NS + _TABLE_GROWTH_NS * growth
            total += len(slots) * (_AGGREGATE_NS + _AGGREGATE_GROWTH_NS * growth) + filtered * _FILTER_NS
        return total
