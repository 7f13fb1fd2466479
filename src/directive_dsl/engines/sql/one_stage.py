"""Aggregates that do not decompose into partials, computed in one stage over the rows.

A median, a quantile or a count of distinct values cannot be assembled from
the grouped partials of :class:`.sql.DatasetQuery`'s shared scan (the median
of medians is not the median). Their requests are answered by a second
statement per dataset, one ``GROUP BY`` per request over the rows::

    WITH scan AS (SELECT cells…, time FROM d), timed AS (…), dated AS (…)
    SELECT 0 AS r, keys…, bucket, COUNT(*), COUNT(v), QUANTILE_CONT(v, 0.9) FROM dated
      WHERE … GROUP BY keys…, bucket
    UNION ALL SELECT 1 AS r, …

Each request's rows are told apart by ``r``; keys a request lacks are NULL.
Which aggregate, and its SQL, come from :mod:`directive_dsl.aggregates`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from ...aggregates import kind_of
from ...model import condition_columns, row_columns
from ...periods import Period
from ...plan import AggregateRequest, Cell, CellKey, GrainBucket
from .conditions import condition, ident, row_expr
from .periods import bucket_key, day_of, fine_value, grain_of
from .query import AggregateAnswers, Cells, SqlDataset, aliased, select_from


def one_stage(request: AggregateRequest) -> bool:
    """Whether *request* is answered here rather than from the shared scan's partials."""
    return not kind_of(request.func).decomposable


class OneStageQuery:
    """The statement answering a dataset's requests for aggregates that do not decompose."""

    def __init__(self, ds: SqlDataset, requests: Sequence[AggregateRequest]) -> None:
        self.ds = ds.guarded()  # the rows are read once each: NaN is turned into unknown as read
        self.requests = list(requests)
        self.width = max(len(r.groups) for r in self.requests)
        self._aliases: dict[str, str] = {}  # column -> alias in `scan`
        for request in self.requests:
            for column in self._columns(request):
                self._aliases.setdefault(column, f"c{len(self._aliases)}")
        self.expression = self._statement()

    @staticmethod
    def _columns(request: AggregateRequest) -> list[str]:
        found = [*request.groups]
        if request.where is not None:
            found += condition_columns(request.where)
        if request.column is not None:
            found.append(request.column)
        elif request.measure is not None:
            found += row_columns(request.measure.expr)
        return found

    def _statement(self) -> exp.Query:
        ds = self.ds
        scan = [aliased(ds.cells[c].copy(), a) for c, a in self._aliases.items()]
        if ds.time is not None:
            scan.append(aliased(fine_value(ds.time), "t"))
        rows = select_from(scan or [exp.Literal.number(1)], ds.relation.copy())
        source = "scan"
        ctes: list[tuple[str, exp.Expr]] = [("scan", rows)]
        if ds.time is not None:
            grain = grain_of(ident("t"), ds.time.kind)
            day = day_of(ident("t"), ds.time.kind, ident("grain"))
            ctes.append(("timed", select_from([exp.Star(), aliased(grain, "grain")], "scan")))
            ctes.append(("dated", select_from([exp.Star(), aliased(day, "day")], "timed")))
            source = "dated"
        union: exp.Query | None = None
        for index, request in enumerate(self.requests):
            branch = self._branch(index, request, source)
            union = branch if union is None else exp.union(union, branch, distinct=False, copy=False)
        assert union is not None, "a one-stage statement answers some request"
        for name, query in ctes:
            union = union.with_(name, as_=query, copy=False)
        return union

    def _branch(self, index: int, request: AggregateRequest, source: str) -> exp.Select:
        cells = Cells(self.ds, {c: ident(a) for c, a in self._aliases.items()})
        keys = [cells.text(g) for g in request.groups]
        timed = self.ds.time is not None
        bucket = bucket_key(request.bucket, ident("grain") if timed else None, ident("day") if timed else None)
        if request.column is not None:
            value: exp.Expr = cells.text(request.column)
        else:
            assert request.measure is not None
            value = row_expr(request.measure.expr, cells)
        kind = kind_of(request.func)
        assert kind.one_stage is not None
        columns = [
            aliased(exp.Literal.number(index), "r"),
            *(aliased(k, f"k{i}") for i, k in enumerate(keys)),
            *(aliased(exp.null(), f"k{i}") for i in range(len(keys), self.width)),
            aliased(bucket, "b"),
            aliased(exp.Count(this=exp.Star()), "n"),
            aliased(exp.Count(this=value.copy()), "known"),
            aliased(kind.one_stage(value.copy(), request.parameter), "value"),
        ]
        # A bucket that is a constant (rows without time are in every period) is no key: a
        # number in GROUP BY is read as a column's position there.
        grouped = [*(k.copy() for k in keys), *([] if isinstance(bucket, exp.Literal) else [bucket.copy()])]
        branch = select_from(columns, source, grouped)
        if request.where is not None:
            branch = branch.where(condition(request.where, cells), copy=False)
        return branch

    def decode(self, rows: Sequence[Sequence[Any]]) -> AggregateAnswers:
        """The answers in the statement's result *rows*."""
        found: AggregateAnswers = {request: {} for request in self.requests}
        for row in rows:
            request = self.requests[int(row[0])]
            groups = tuple(row[1:1 + len(request.groups)])
            bucket, count, known, value = row[1 + self.width:5 + self.width]
            if not count or bucket is None or None in groups:
                continue
            period = (Period(request.bucket.grain, int(bucket))
                      if isinstance(request.bucket, GrainBucket) and self.ds.time is not None else None)
            key: CellKey = (groups, period)
            known = int(known or 0)
            found[request][key] = Cell(float(value) if known and value is not None else None, int(count), known)
        return found
