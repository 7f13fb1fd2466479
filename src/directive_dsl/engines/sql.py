"""Compile a plan's requests to SQL: one statement per dataset, as sqlglot trees.

Every request about one dataset is answered by a single statement::

    WITH fine AS (       -- the one scan: rows grouped by every column a request
      SELECT … FROM (    -- groups by, and by the time value; each condition on
        SELECT … FROM d  -- other columns and each measure is computed once per
      ) GROUP BY …       -- row, and feeds conditional aggregates (FILTER)
    ), timed AS (…),     -- per group: the grain and first day of its time value
    dated AS (…),
    keyed AS (…)         -- per group: dimension text, each bucket's key, and the
                         -- conditions on grouped columns
    SELECT GROUPING(…), keys…, aggregates…
    FROM keyed GROUP BY GROUPING SETS ((groups…, bucket), …)

The scan's cost grows with the number of distinct columns and aggregate
expressions, not with the number of rules: identical aggregates are computed
once, and conditions on grouped columns are applied to the small grouped
result (an engine may group by a few more columns of few values, so that
conditions on them move there too). Coverage comes from the same grouping
sets; ``first``/``last`` read the per-day sums of a set that also groups by
day. :mod:`.sql_answers` reads the rows back.

The trees are dialect-neutral; :func:`compile_sql` renders them for DuckDB,
Spark, PostgreSQL and the other dialects sqlglot knows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from sqlglot import exp

from .. import model as m
from ..periods import Grain
from ..plan import (
    AggregateRequest,
    Bucket,
    Cell,
    CellKey,
    CoverageKey,
    CoverageRequest,
    GrainBucket,
)
from .sql_conditions import condition, ident, number_text, row_expr
from .sql_time import TimeSource, bucket_key, day_of, fine_value, grain_of

AggregateAnswers = dict[AggregateRequest, dict[CellKey, Cell]]
CoverageAnswers = dict[CoverageRequest, frozenset[CoverageKey]]


Convert = Callable[[exp.Expr], exp.Expr]


def same(cell: exp.Expr) -> exp.Expr:
    """The cell as it is (a column that already holds text, or numbers without NaN)."""
    return cell


@attrs.frozen(kw_only=True)
class SqlDataset:
    """How SQL reads one dataset: a relation, its cells, and how a cell becomes text or a number.

    ``cells`` holds each column's raw cell, what rows are grouped by; ``text``
    converts a dimension's cell to its text, ``numbers`` a measure's cell to a
    DOUBLE without NaN. A numeric column used as a dimension is turned into
    text ("3", "2.5"). Conversions apply to the raw cell or to the grouped one.

    ``nan_checks`` names the measures read without a NaN guard because NaN is
    unlikely there (Parquet stores unknowns as NULL), with their guarded
    conversion: the query sums each such column, and a NaN sum means the
    statement must run again on :meth:`guarded`. ``whole`` names the measures
    no row leaves unknown (no NULL, read as they are), whose known values need
    no count of their own.
    """

    name: str
    relation: exp.Expr
    cells: Mapping[str, exp.Expr]
    text: Mapping[str, Convert]
    numbers: Mapping[str, Convert]
    time: TimeSource | None
    grain: Grain | None = None  # the finest grain present, when known
    nan_checks: Mapping[str, Convert] = attrs.field(factory=dict)
    whole: frozenset[str] = frozenset()
    memo: dict[object, object] = attrs.field(factory=dict, eq=False)  # facts an engine learned

    def guarded(self) -> SqlDataset:
        """The dataset with every measure read through its NaN-proof conversion."""
        return attrs.evolve(self, numbers={**self.numbers, **self.nan_checks}, nan_checks={},
                            whole=frozenset())

    def is_number(self, name: str) -> bool:
        return name in self.numbers

    def as_number(self, name: str, cell: exp.Expr) -> exp.Expr:
        return self.numbers[name](cell.copy())

    def as_text(self, name: str, cell: exp.Expr) -> exp.Expr:
        if name in self.text:
            return self.text[name](cell.copy())
        return number_text(self.numbers[name](cell.copy()))


class _Cells:
    """Columns read from cells: the dataset's own, or the grouped ones of the ``fine`` stage."""

    def __init__(self, ds: SqlDataset, cells: Mapping[str, exp.Expr]) -> None:
        self.ds = ds
        self.cells = cells

    def is_number(self, name: str) -> bool:
        return self.ds.is_number(name)

    def number(self, name: str) -> exp.Expr:
        return self.ds.as_number(name, self.cells[name])

    def text(self, name: str) -> exp.Expr:
        return self.ds.as_text(name, self.cells[name])


@attrs.frozen
class _Read:
    """Where one request's answer sits in the result rows."""

    request: AggregateRequest
    grouping: int
    keys: tuple[int, ...]  # positions of the group keys, then the bucket key (then the day)
    rows: str  # aliases of the final aggregates
    known: str | None
    value: str | None
    by_day: bool


@attrs.frozen
class _Cover:
    """Where one coverage request's answer sits: a grouping set, its dimension and bucket keys."""

    request: CoverageRequest
    grouping: int
    dim: int | None
    bucket: int


class DatasetQuery:
    """The one statement answering every request about a dataset, and how to read its rows."""

    def __init__(self, ds: SqlDataset, aggregates: Sequence[AggregateRequest],
                 coverage: Sequence[CoverageRequest], *, also_group: Sequence[str] = ()) -> None:
        self.ds = ds
        self._fine_groups: dict[str, str] = {}  # column -> alias in `fine`
        self._scan: dict[str, tuple[str, exp.Expr]] = {}  # key -> (alias, expression) per row
        self._slots: dict[str, tuple[str, exp.Expr]] = {}  # key -> (alias, aggregate) in `fine`
        self._conds: dict[str, tuple[str, exp.Expr]] = {}  # key -> (alias, condition) in `keyed`
        self._keys: dict[str, tuple[str, exp.Expr]] = {}  # key -> (alias, expression) in `keyed`
        self._sets: dict[tuple[int, ...], int] = {}
        self._outs: dict[str, tuple[str, exp.Expr]] = {}  # final aggregates
        self._slot("rows", None, None)  # every group counts its rows, so `fine` always aggregates
        for column in [*grouped_columns(aggregates, coverage), *also_group]:
            self._group_column(column)
        self.reads = [self._read(request) for request in aggregates]
        self.covers = [self._cover(request) for request in coverage]
        self.nan_outs = [self._out("sum", self._slot("sum", ds.as_number(c, ds.cells[c]), None), None)
                         for c in sorted(self._measure_columns(aggregates)) if c in ds.nan_checks]
        self.expression = self._statement()

    @staticmethod
    def _measure_columns(aggregates: Sequence[AggregateRequest]) -> set[str]:
        return {c for r in aggregates if r.measure is not None for c in m.row_columns(r.measure.expr)}

    # ---------------------------------------------------------------- building

    def _group_column(self, column: str) -> str:
        if column not in self._fine_groups:
            self._fine_groups[column] = f"g{len(self._fine_groups)}"
        return self._fine_groups[column]

    def _base(self) -> _Cells:
        return _Cells(self.ds, self.ds.cells)

    def _fine(self) -> _Cells:
        return _Cells(self.ds, {c: ident(a) for c, a in self._fine_groups.items()})

    def _scanned(self, prefix: str, expression: exp.Expr) -> exp.Expr:
        """A column computed once per row in the scan (a condition or a measure), by alias."""
        key = expression.sql()
        if key not in self._scan:
            self._scan[key] = (f"__{prefix}{len(self._scan)}", expression)
        return ident(self._scan[key][0])

    def _slot(self, func: str, value: exp.Expr | None, where: exp.Expr | None) -> str:
        inner: exp.Expr = exp.Star() if value is None else self._scanned("v", value)
        kinds: dict[str, type[exp.Expr]] = {"rows": exp.Count, "known": exp.Count, "sum": exp.Sum,
                                            "min": exp.Min, "max": exp.Max}
        agg: exp.Expr = kinds[func](this=inner)
        if where is not None:
            agg = exp.Filter(this=agg, expression=exp.Where(this=self._scanned("w", where)))
        key = agg.sql()
        if key not in self._slots:
            self._slots[key] = (f"f{len(self._slots)}", agg)
        return self._slots[key][0]

    def _keyed(self, prefix: str, expression: exp.Expr) -> str:
        key = prefix + ":" + expression.sql()
        found = self._keys.get(key)
        if found is None:
            found = self._keys[key] = (f"{prefix}{len(self._keys)}", expression)
        return found[0]

    def _bucket(self, bucket: Bucket) -> str:
        if self.ds.time is None:
            return self._keyed("b", bucket_key(bucket, None, None))
        return self._keyed("b", bucket_key(bucket, ident("grain"), ident("day")))

    def _day_key(self) -> str:
        return self._keyed("d", ident("day"))

    def _text_key(self, column: str) -> str:
        return self._keyed("k", self._fine().text(column))

    def _split(self, where: m.RowCondition | None) -> tuple[exp.Expr | None, str | None]:
        """*where* as a condition in the scan, and the name of a condition on grouped columns."""
        if where is None:
            return None, None
        items = where.items if isinstance(where, m.AllOf) else (where,)
        late = [item for item in items if self._groupable(item)]
        early = [item for item in items if not self._groupable(item)]
        scan = m.conjunction(tuple(early))
        grouped = m.conjunction(tuple(late))
        scan_sql = condition(scan, self._base()) if scan is not None else None
        if grouped is None:
            return scan_sql, None
        compiled = condition(grouped, self._fine())
        key = compiled.sql()
        if key not in self._conds:
            self._conds[key] = (f"c{len(self._conds)}", compiled)
        return scan_sql, self._conds[key][0]

    def _groupable(self, cond: m.RowCondition) -> bool:
        """Whether every column *cond* reads is grouped (its raw cells are in ``fine``)."""
        return all(column in self._fine_groups for column in m.condition_columns(cond))

    def _grouping(self, keys: tuple[str, ...]) -> int:
        names = tuple(sorted({int(k[1:]) for k in keys}))
        return self._sets.setdefault(names, len(self._sets))

    def _out(self, func: str, slot: str, cond: str | None) -> str:
        # CASE rather than FILTER here: DuckDB evaluates a FILTER once per grouping set and
        # aggregate, several times slower than a CASE over these few grouped rows.
        value: exp.Expr = ident(slot)
        if cond is not None:
            value = exp.Case(ifs=[exp.If(this=ident(cond), true=value)])
        agg: exp.Expr = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max}[func](this=value)
        key = agg.sql()
        if key not in self._outs:
            self._outs[key] = (f"a{len(self._outs)}", agg)
        return self._outs[key][0]

    def _by_day(self, request: AggregateRequest) -> bool:
        if request.func not in ("first", "last") or self.ds.time is None:
            return False
        bucket = request.bucket
        return not (isinstance(bucket, GrainBucket) and bucket.grain == self.ds.grain)

    def _read(self, request: AggregateRequest) -> _Read:
        scan, late = self._split(request.where)
        keys = [self._text_key(g) for g in request.groups] + [self._bucket(request.bucket)]
        by_day = self._by_day(request)
        if by_day:
            keys.append(self._day_key())
        rows = self._out("sum", self._slot("rows", None, scan), late)
        if request.measure is None or request.func == "count":
            return _Read(request, self._grouping(tuple(keys)), self._positions(keys), rows, None, None, False)
        value = row_expr(request.measure.expr, self._base())
        if _never_unknown(request.measure.expr, self.ds.whole):
            known = rows
        else:
            known = self._out("sum", self._slot("known", value, scan), late)
        func = request.func if request.func in ("min", "max") else "sum"
        total = self._out(func, self._slot(func, value.copy(), scan), late)
        return _Read(request, self._grouping(tuple(keys)), self._positions(keys), rows, known, total, by_day)

    def _cover(self, request: CoverageRequest) -> _Cover:
        keys = [self._bucket(request.bucket)]
        if request.dimension is not None:
            keys.insert(0, self._text_key(request.dimension))
        positions = self._positions(keys)
        dim = positions[0] if request.dimension is not None else None
        return _Cover(request, self._grouping(tuple(keys)), dim, positions[-1])

    @staticmethod
    def _positions(keys: list[str]) -> tuple[int, ...]:
        return tuple(int(k[1:]) for k in keys)

    # ---------------------------------------------------------------- the statement

    def _statement(self) -> exp.Select:
        ds = self.ds
        scan = [_as(ds.cells[c].copy(), f"__{a}") for c, a in self._fine_groups.items()]
        columns = [_as(ident(f"__{a}"), a) for a in self._fine_groups.values()]
        group_by: list[exp.Expr] = [ident(a) for a in self._fine_groups.values()]
        if ds.time is not None:
            scan.append(_as(fine_value(ds.time), "__t"))
            columns.append(_as(ident("__t"), "t"))
            group_by.append(ident("t"))
        scan += [_as(e, a) for a, e in self._scan.values()]
        columns += [_as(agg, alias) for alias, agg in self._slots.values()]
        rows = _select(scan or [exp.Literal.number(1)], ds.relation.copy()).subquery("scan", copy=False)
        fine = _select(columns, rows, group_by)
        keyed = _select(
            [*(_as(e, a) for a, e in self._keys.values()),
             *(_as(e, a) for a, e in self._conds.values()),
             *(ident(a) for a, _ in self._slots.values())],
            "dated" if ds.time is not None else "fine",
        )
        keys = [ident(a) for a, _ in self._keys.values()]
        sets = [exp.Tuple(expressions=[keys[i].copy() for i in names]) for names in self._sets]
        final = _select(
            [_as(exp.Grouping(expressions=[k.copy() for k in keys]), "grouping"), *keys,
             *(_as(agg, alias) for alias, agg in self._outs.values())],
            "keyed",
            [exp.GroupingSets(expressions=sets)],
        )
        ctes = [("fine", fine)]
        if ds.time is not None:
            grain = grain_of(ident("t"), ds.time.kind)
            day = day_of(ident("t"), ds.time.kind, ident("grain"))
            ctes.append(("timed", _select([exp.Star(), _as(grain, "grain")], "fine")))
            ctes.append(("dated", _select([exp.Star(), _as(day, "day")], "timed")))
        ctes.append(("keyed", keyed))
        for name, query in ctes:
            final = final.with_(name, as_=query, copy=False)
        return final

    # ---------------------------------------------------------------- reading rows

    @property
    def key_count(self) -> int:
        """How many keys the statement groups by (they follow the ``grouping`` column)."""
        return len(self._keys)

    @property
    def sets(self) -> Mapping[tuple[int, ...], int]:
        """Each grouping set (the positions of its keys) and its number."""
        return self._sets

    @property
    def outputs(self) -> list[str]:
        """The aliases of the aggregates, in the order they follow the keys."""
        return [alias for alias, _ in self._outs.values()]

    def nan_seen(self, rows: Sequence[Sequence[Any]]) -> bool:
        """Whether a measure read without a NaN guard held a NaN (run :meth:`SqlDataset.guarded`)."""
        from .sql_answers import nan_seen

        return nan_seen(self, rows)

    def decode(self, rows: Sequence[Sequence[Any]]) -> tuple[AggregateAnswers, CoverageAnswers]:
        """The answers in the statement's result *rows*."""
        from .sql_answers import decode

        return decode(self, rows)


def _never_unknown(expr: m.RowExpr, whole: frozenset[str]) -> bool:
    """Whether *expr* has a value on every row: its columns are whole, and it divides by nothing."""
    if isinstance(expr, m.RowColumn):
        return expr.name in whole
    if isinstance(expr, m.RowConst):
        return True
    if isinstance(expr, m.RowNeg):
        return _never_unknown(expr.operand, whole)
    return expr.op != "/" and _never_unknown(expr.left, whole) and _never_unknown(expr.right, whole)


def grouped_columns(aggregates: Sequence[AggregateRequest], coverage: Sequence[CoverageRequest]) -> list[str]:
    """The columns some request groups by, in order."""
    found = [*(g for r in aggregates for g in r.groups), *(c.dimension for c in coverage)]
    return list(dict.fromkeys(c for c in found if c is not None))


def filter_columns(aggregates: Sequence[AggregateRequest]) -> list[str]:
    """The columns the requests' conditions read, in order."""
    found = [c for r in aggregates if r.where is not None for c in m.condition_columns(r.where)]
    return list(dict.fromkeys(found))


def _as(expression: exp.Expr, alias: str) -> exp.Expr:
    return exp.alias_(expression, alias, quoted=True, copy=False)


def _select(columns: list[exp.Expr], source: exp.Expr | str,
            group_by: list[exp.Expr] | None = None) -> exp.Select:
    """``SELECT columns FROM source [GROUP BY …]``, built in place."""
    select = exp.select(*columns, copy=False).from_(source, copy=False)
    return select.group_by(*group_by, copy=False) if group_by else select


def compile_sql(directive: m.CheckedDirective, dialect: str = "duckdb") -> list[tuple[str, str]]:
    """The statement each dataset of *directive* is read with, rendered for *dialect*.

    Works without data: it assumes the declared schema and the header's
    window (see :mod:`directive_dsl.engines.sql_compile` for the assumptions).

    >>> from directive_dsl import loads
    >>> directive = loads('''
    ... dataset trade
    ...   time year
    ...   dimensions partner
    ...   measure value
    ... rule cn "Exports to China": require trade.value[partner = "CN"] >= 5 per year
    ... ''')
    >>> [(heading, "GROUPING SETS" in sql) for heading, sql in compile_sql(directive, "spark")]
    [('dataset trade (rules cn)', True)]
    """
    from .sql_compile import compile_directive

    return compile_directive(directive, dialect)
