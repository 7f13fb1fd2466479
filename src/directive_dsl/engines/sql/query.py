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
result. Coverage comes from the same grouping sets; ``first``/``last`` read
the per-day sums of a set that also groups by day. :mod:`.answers` reads
the rows back (:func:`.sql_answers.decode`).

An engine that computes a CTE once (DuckDB) may go further, see
:mod:`directive_dsl.engines.duckdb.layout`: the scan may group by more columns, so that conditions
on them are decided per group, and by several *fine sets* of columns at once
(``GROUPING SETS`` in the scan, told apart by ``fine_set``); the final stage
is then a ``UNION ALL`` of one ``GROUP BY`` per grouping (``set_by_set``),
each computing only the aggregates its requests read.

The trees are dialect-neutral; :func:`compile_sql` renders them for DuckDB,
Spark, PostgreSQL and the other dialects sqlglot knows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import attrs
from sqlglot import exp

from ... import model as m
from ...aggregates import kind_of
from ...periods import Grain
from ...plan import (
    AggregateRequest,
    Bucket,
    Cell,
    CellKey,
    CoverageKey,
    CoverageRequest,
    GrainBucket,
)
from .conditions import condition, ident, number_text, row_expr
from .periods import TimeSource, bucket_key, day_of, fine_value, grain_of

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


class Cells:
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
class Read:
    """Where one request's answer sits in the result rows."""

    request: AggregateRequest
    grouping: int
    keys: tuple[int, ...]  # positions of the group keys, then the bucket key (then the day)
    rows: str  # aliases of the final aggregates
    known: str | None
    value: str | None
    by_day: bool


@attrs.frozen
class Cover:
    """Where one coverage request's answer sits: a grouping set, its dimension and bucket keys."""

    request: CoverageRequest
    grouping: int
    dim: int | None
    bucket: int


class DatasetQuery:
    """The one statement answering every request about a dataset, and how to read its rows."""

    def __init__(self, ds: SqlDataset, aggregates: Sequence[AggregateRequest],
                 coverage: Sequence[CoverageRequest], *,
                 fine_sets: Sequence[Sequence[str]] | None = None, set_by_set: bool = False) -> None:
        """``fine_sets``: the groupings of the scan (by default one, by every column a request
        groups by); each request reads the one that decides most of its conditions.
        ``set_by_set``: compute each final grouping on its own, with just the aggregates it
        needs (needed for several fine groupings; suits engines that compute a CTE once).
        """
        grouped = grouped_columns(aggregates, coverage)
        if fine_sets is None:
            fine_sets = [grouped]
        if len(fine_sets) != 1 and not set_by_set:
            raise ValueError("several fine groupings are only read set by set")
        self.ds = ds
        self.set_by_set = set_by_set
        self._fine_sets = [frozenset(s) for s in fine_sets]
        self._fine_groups: dict[str, str] = {}  # column -> alias in `fine`
        self._scan: dict[object, tuple[str, exp.Expr]] = {}  # key -> (alias, expression) per row
        self._slots: dict[object, tuple[str, exp.Expr]] = {}  # key -> (alias, aggregate) in `fine`
        self._conds: dict[object, tuple[str, exp.Expr]] = {}  # key -> (alias, condition) in `keyed`
        self._keys: dict[object, tuple[str, exp.Expr]] = {}  # key -> (alias, expression) in `keyed`
        self._sets: dict[tuple[tuple[int, ...], int], int] = {}  # (keys, fine set) -> number
        self._set_outs: dict[int, set[str]] = {}  # set number -> the final aggregates it needs
        self._outs: dict[object, tuple[str, exp.Expr]] = {}  # final aggregates
        self._slot("rows", None, None)  # every group counts its rows, so `fine` always aggregates
        for column in [*grouped, *(c for s in fine_sets for c in s)]:
            self._group_column(column)
        self.reads = [self._read(request) for request in aggregates]
        self.covers = [self._cover(request) for request in coverage]
        self.nan_outs = [self._out("sum", self._slot("sum", ds.as_number(c, ds.cells[c]), None), None)
                         for c in sorted(self._measure_columns(aggregates)) if c in ds.nan_checks]
        if self._set_outs:  # the rows of any one set hold every row
            self._set_outs[0].update(self.nan_outs)
        self.expression = self._statement()

    @staticmethod
    def _measure_columns(aggregates: Sequence[AggregateRequest]) -> set[str]:
        return {c for r in aggregates if r.measure is not None for c in m.row_columns(r.measure.expr)}

    # ---------------------------------------------------------------- building

    def _group_column(self, column: str) -> str:
        if column not in self._fine_groups:
            self._fine_groups[column] = f"g{len(self._fine_groups)}"
        return self._fine_groups[column]

    def _base(self) -> Cells:
        return Cells(self.ds, self.ds.cells)

    def _fine(self) -> Cells:
        return Cells(self.ds, {c: ident(a) for c, a in self._fine_groups.items()})

    def _scanned(self, prefix: str, expression: exp.Expr) -> exp.Expr:
        """A column computed once per row in the scan (a condition or a measure), by alias."""
        key = expression  # sqlglot trees hash and compare by structure
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
        key = agg
        if key not in self._slots:
            self._slots[key] = (f"f{len(self._slots)}", agg)
        return self._slots[key][0]

    def _keyed(self, prefix: str, expression: exp.Expr) -> str:
        key = (prefix, expression)
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

    def _split(self, where: m.RowCondition | None, fine: int) -> tuple[exp.Expr | None, str | None]:
        """*where* as a condition in the scan, and the name of a condition on the columns
        fine set *fine* groups by."""
        if where is None:
            return None, None
        items = condition_items(where)
        late = [item for item in items if set(m.condition_columns(item)) <= self._fine_sets[fine]]
        early = [item for item in items if item not in late]
        scan = m.conjunction(tuple(early))
        grouped = m.conjunction(tuple(late))
        scan_sql = condition(scan, self._base()) if scan is not None else None
        if grouped is None:
            return scan_sql, None
        compiled = condition(grouped, self._fine())
        key = compiled
        if key not in self._conds:
            self._conds[key] = (f"c{len(self._conds)}", compiled)
        return scan_sql, self._conds[key][0]

    def _grouping(self, keys: tuple[str, ...], fine: int, *outs: str | None) -> int:
        names = tuple(sorted({int(k[1:]) for k in keys}))
        index = self._sets.setdefault((names, fine), len(self._sets))
        self._set_outs.setdefault(index, set()).update(o for o in outs if o is not None)
        return index

    def _out(self, func: str, slot: str, cond: str | None) -> str:
        # CASE rather than FILTER here: DuckDB evaluates a FILTER once per grouping set and
        # aggregate, several times slower than a CASE over these few grouped rows.
        value: exp.Expr = ident(slot)
        if cond is not None:
            value = exp.Case(ifs=[exp.If(this=ident(cond), true=value)])
        agg: exp.Expr = {"sum": exp.Sum, "min": exp.Min, "max": exp.Max}[func](this=value)
        key = agg
        if key not in self._outs:
            self._outs[key] = (f"a{len(self._outs)}", agg)
        return self._outs[key][0]

    def _by_day(self, request: AggregateRequest) -> bool:
        if request.func not in ("first", "last") or self.ds.time is None:
            return False
        bucket = request.bucket
        return not (isinstance(bucket, GrainBucket) and bucket.grain == self.ds.grain)

    def _read(self, request: AggregateRequest) -> Read:
        fine = fine_set_for(request.groups, request.where, self._fine_sets)
        scan, late = self._split(request.where, fine)
        keys = [self._text_key(g) for g in request.groups] + [self._bucket(request.bucket)]
        by_day = self._by_day(request)
        if by_day:
            keys.append(self._day_key())
        rows = self._out("sum", self._slot("rows", None, scan), late)
        kind = kind_of(request.func)
        if request.measure is None or kind.counts_rows:
            return Read(request, self._grouping(tuple(keys), fine, rows), self._positions(keys), rows,
                         None, None, False)
        value = row_expr(request.measure.expr, self._base())
        if never_unknown(request.measure.expr, self.ds.whole):
            known = rows
        else:
            known = self._out("sum", self._slot("known", value, scan), late)
        func = kind.partial if kind.partial in ("min", "max") else "sum"  # by_day: sums per day
        total = self._out(func, self._slot(func, value.copy(), scan), late)
        grouping = self._grouping(tuple(keys), fine, rows, known, total)
        return Read(request, grouping, self._positions(keys), rows, known, total, by_day)

    def _cover(self, request: CoverageRequest) -> Cover:
        keys = [self._bucket(request.bucket)]
        dimensions = (request.dimension,) if request.dimension is not None else ()
        if request.dimension is not None:
            keys.insert(0, self._text_key(request.dimension))
        positions = self._positions(keys)
        dim = positions[0] if request.dimension is not None else None
        fine = fine_set_for(dimensions, None, self._fine_sets)
        return Cover(request, self._grouping(tuple(keys), fine), dim, positions[-1])

    @staticmethod
    def _positions(keys: list[str]) -> tuple[int, ...]:
        return tuple(int(k[1:]) for k in keys)

    # ---------------------------------------------------------------- the statement

    def _statement(self) -> exp.Query:
        ds = self.ds
        scan = [aliased(ds.cells[c].copy(), f"__{a}") for c, a in self._fine_groups.items()]
        columns = [aliased(ident(f"__{a}"), a) for a in self._fine_groups.values()]
        if ds.time is not None:
            scan.append(aliased(fine_value(ds.time), "__t"))
            columns.append(aliased(ident("__t"), "t"))
        scan += [aliased(e, a) for a, e in self._scan.values()]
        columns += [aliased(agg, alias) for alias, agg in self._slots.values()]
        rows = select_from(scan or [exp.Literal.number(1)], ds.relation.copy()).subquery("scan", copy=False)
        several = len(self._fine_sets) > 1
        if several:  # one GROUPING SETS scan, its rows told apart by `fine_set`
            columns.append(aliased(exp.Grouping(expressions=[ident(a) for a in self._fine_groups.values()]),
                               "fine_set"))
        fine = select_from(columns, rows, self._fine_group_by())
        keyed = select_from(
            [*(aliased(e, a) for a, e in self._keys.values()),
             *(aliased(e, a) for a, e in self._conds.values()),
             *(ident(a) for a, _ in self._slots.values()),
             *([ident("fine_set")] if several else [])],
            "dated" if ds.time is not None else "fine",
        )
        final = self._set_by_set() if self.set_by_set else self._grouping_sets()
        ctes = [("fine", fine)]
        if ds.time is not None:
            grain = grain_of(ident("t"), ds.time.kind)
            day = day_of(ident("t"), ds.time.kind, ident("grain"))
            ctes.append(("timed", select_from([exp.Star(), aliased(grain, "grain")], "fine")))
            ctes.append(("dated", select_from([exp.Star(), aliased(day, "day")], "timed")))
        ctes.append(("keyed", keyed))
        for name, query in ctes:
            # set by set, every grouping reads `keyed`: computed once, not once per grouping
            materialized = True if self.set_by_set and name == "keyed" else None
            final = final.with_(name, as_=query, materialized=materialized, copy=False)
        return final

    def _fine_group_by(self) -> list[exp.Expr]:
        """The scan's GROUP BY: the grouped columns and the time, or a GROUPING SETS of them."""
        time = [ident("t")] if self.ds.time is not None else []
        if len(self._fine_sets) == 1:
            return [*(ident(a) for a in self._fine_groups.values()), *time]
        sets = [exp.Tuple(expressions=[*(ident(a) for c, a in self._fine_groups.items() if c in fine),
                                       *(t.copy() for t in time)])
                for fine in self._fine_sets]
        return [exp.GroupingSets(expressions=sets)]

    def _fine_set_id(self, fine: int) -> int:
        """The ``fine_set`` value of the scan's rows grouped by fine set *fine*."""
        positions = tuple(i for i, c in enumerate(self._fine_groups) if c in self._fine_sets[fine])
        return grouping_mask(positions, len(self._fine_groups))

    def _grouping_sets(self) -> exp.Select:
        """The final stage as one GROUP BY GROUPING SETS: every aggregate for every set."""
        keys = [ident(a) for a, _ in self._keys.values()]
        sets = [exp.Tuple(expressions=[keys[i].copy() for i in names]) for names, _ in self._sets]
        return select_from(
            [aliased(exp.Grouping(expressions=[k.copy() for k in keys]), "grouping"), *keys,
             *(aliased(agg, alias) for alias, agg in self._outs.values())],
            "keyed",
            [exp.GroupingSets(expressions=sets)],
        )

    def _set_by_set(self) -> exp.Query:
        """The final stage as one GROUP BY per set, numbered in ``grouping``, each computing
        just the aggregates its requests read, packed to the left (:meth:`positions`)."""
        key_aliases = [a for a, _ in self._keys.values()]
        width = max(len(self._packed(index)) for index in self._sets.values())
        aliases = ["grouping", *key_aliases, *(f"v{i}" for i in range(width))]
        union: exp.Query | None = None
        for (names, fine), index in self._sets.items():
            packed = [self._outs_by_alias[alias].copy() for alias in self._packed(index)]
            keys = [ident(a) if i in names else exp.null() for i, a in enumerate(key_aliases)]
            values = [exp.Literal.number(index), *keys, *packed, *(exp.null() for _ in range(width - len(packed)))]
            branch = select_from([aliased(c, a) for c, a in zip(values, aliases, strict=True)], "keyed",
                             [ident(a) for i, a in enumerate(key_aliases) if i in names])
            if len(self._fine_sets) > 1:
                branch = branch.where(exp.EQ(this=ident("fine_set"),
                                             expression=exp.Literal.number(self._fine_set_id(fine))), copy=False)
            union = branch if union is None else exp.union(union, branch, distinct=False, copy=False)
        assert union is not None, "every statement answers some request"
        return union

    @functools.cached_property
    def _outs_by_alias(self) -> dict[str, exp.Expr]:
        return {alias: agg for alias, agg in self._outs.values()}

    def _packed(self, index: int) -> list[str]:
        """The aggregates set *index* computes, in the order of its columns."""
        wanted = self._set_outs.get(index, set())
        return [alias for alias, _ in self._outs.values() if alias in wanted]

    # ---------------------------------------------------------------- reading rows

    @property
    def key_count(self) -> int:
        """How many keys the statement groups by (they follow the ``grouping`` column)."""
        return len(self._keys)

    def set_numbers(self) -> dict[int, int]:
        """The value of the ``grouping`` column of each set's rows, and the set's number."""
        if self.set_by_set:
            return {index: index for index in self._sets.values()}
        return {grouping_mask(names, self.key_count): index for (names, _), index in self._sets.items()}

    def positions(self, index: int) -> dict[str, int]:
        """Where each aggregate set *index* computes sits in its rows (by alias)."""
        first = 1 + self.key_count
        aliases = self._packed(index) if self.set_by_set else [a for a, _ in self._outs.values()]
        return {alias: first + i for i, alias in enumerate(aliases)}


def grouping_mask(names: tuple[int, ...], n_keys: int) -> int:
    """The ``GROUPING(k0, k1, …)`` of the set grouping by the keys at *names*: 1 bits for the rest."""
    mask = 0
    for position in range(n_keys):
        mask = (mask << 1) | (0 if position in names else 1)
    return mask


def never_unknown(expr: m.RowExpr, whole: frozenset[str]) -> bool:
    """Whether *expr* has a value on every row: its columns are whole, and it divides by nothing."""
    if isinstance(expr, m.RowColumn):
        return expr.name in whole
    if isinstance(expr, m.RowConst):
        return True
    if isinstance(expr, m.RowNeg):
        return never_unknown(expr.operand, whole)
    if isinstance(expr, m.RowUnit):
        return False
    return expr.op != "/" and never_unknown(expr.left, whole) and never_unknown(expr.right, whole)


def condition_items(where: m.RowCondition) -> tuple[m.RowCondition, ...]:
    """The conditions that must all hold."""
    return where.items if isinstance(where, m.AllOf) else (where,)


def fine_set_for(groups: Sequence[str], where: m.RowCondition | None,
                 fine_sets: Sequence[frozenset[str]]) -> int:
    """The fine set a request reads: one holding its groups, deciding most of its conditions,
    then the one of fewest columns."""
    items = condition_items(where) if where is not None else ()
    found = [(-sum(set(m.condition_columns(item)) <= fine for item in items), len(fine), i)
             for i, fine in enumerate(fine_sets) if set(groups) <= fine]
    if not found:
        raise ValueError(f"no fine grouping holds {sorted(groups)}")
    return min(found)[2]


def grouped_columns(aggregates: Sequence[AggregateRequest], coverage: Sequence[CoverageRequest]) -> list[str]:
    """The columns some request groups by, in order."""
    found = [*(g for r in aggregates for g in r.groups), *(c.dimension for c in coverage)]
    return list(dict.fromkeys(c for c in found if c is not None))


def filter_columns(aggregates: Sequence[AggregateRequest]) -> list[str]:
    """The columns the requests' conditions read, in order."""
    found = [c for r in aggregates if r.where is not None for c in m.condition_columns(r.where)]
    return list(dict.fromkeys(found))


def aliased(expression: exp.Expr, alias: str) -> exp.Expr:
    return exp.alias_(expression, alias, quoted=True, copy=False)


def select_from(columns: list[exp.Expr], source: exp.Expr | str,
            group_by: list[exp.Expr] | None = None) -> exp.Select:
    """``SELECT columns FROM source [GROUP BY …]``, built in place."""
    if isinstance(source, str):  # a CTE's name, built rather than parsed
        source = exp.Table(this=exp.to_identifier(source))
    select = exp.select(*columns, copy=False).from_(source, copy=False)
    return select.group_by(*group_by, copy=False) if group_by else select
