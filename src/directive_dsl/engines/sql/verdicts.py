"""Per rule, one SQL statement that yields its outcomes: what ``directive compile`` prints.

The engines ask SQL for aggregates only and judge in Python (``judge.py``),
so that every engine means the same. This module writes the judging itself
as SQL, for a reader or another system: per expected group and period, the
``actual`` value, the ``threshold`` (and ``upper`` for ``between``), both in
the rule's unit, and the ``status``, with the tolerance of SPEC §7.3. It
follows the reference engine: a group's value is missing when its dataset
has no row in the period for one of the group's values (coverage, §7.2), an
empty selection is 0 for ``sum``/``count``, a division by zero is missing.

What it leaves out, it says in the statement's heading: the straight path
before a ``by`` deadline and the pro-rata path before the end of ``in
total`` (those outcomes are ``pending`` here), and the caller's options
(``--as-of``, ``--window``, ``--missing``). It assumes, as ``compile`` does,
a table per dataset with the declared columns, dimensions as text, and data
no coarser than the periods a rule asks for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import attrs
from sqlglot import exp

from ... import model as m
from ...aggregates import kind_of
from ...comparison import TOLERANCE
from ...periods import GRAINS, Grain, Period, period_range
from ...timing import first_within, last_within
from .conditions import condition, ident, number, row_expr, template, text
from .periods import date_literal, day_of, grain_of, ordinal

TIME = "__time"  # a row's time value, as written
GRAIN = "__grain"  # a row's grain rank (0 year … 3 day), as sql/periods.py counts
DAY = "__day"  # the first day of a row's period


@attrs.frozen
class _Columns:
    """Columns read as they are: numbers where the rule reads numbers, else text."""

    numeric: frozenset[str]

    def is_number(self, name: str) -> bool:
        return name in self.numeric

    def number(self, name: str) -> exp.Expr:
        return ident(name)

    def text(self, name: str) -> exp.Expr:
        return ident(name)


@attrs.frozen
class _At:
    """Where a leaf is read: at *grain* with the period ordinal *key*, or (grain None) over the window."""

    grain: Grain | None
    key: exp.Expr


def _name(text_: str) -> exp.Identifier:
    return exp.to_identifier(text_, quoted=True)


def _col(table: str, column: str) -> exp.Column:
    return exp.column(_name(column), table=_name(table))


#: An ordinal past every period, the as-of of a rule that reads no data.
_EVERY_PERIOD = 10**9


def _union(selects: Sequence[exp.Select]) -> exp.Expr:
    query: exp.Expr = selects[0]
    for select in selects[1:]:
        query = exp.union(query, select, distinct=False)
    return query


class RuleStatement:
    """Builds the statement of one rule; :meth:`build` returns it with the notes for its heading."""

    def __init__(self, directive: m.CheckedDirective, rule: m.CheckedRule) -> None:
        self.directive = directive
        self.rule = rule
        self.ctes: list[tuple[str, exp.Expr]] = []
        self.joins: list[tuple[str, str, exp.Expr]] = []  # alias, CTE, condition
        self._leaves: dict[tuple[object, ...], str] = {}
        self._covers: dict[tuple[object, ...], str] = {}
        self.notes: list[str] = []

    # ------------------------------------------------------------ the statement

    def build(self) -> tuple[exp.Expr, list[str]]:
        rule = self.rule
        if not rule.datasets() and self.directive.window is None:
            return self._without_data(), ["it reads no dataset and no window is declared: pending (no data)"]
        for index, name in enumerate(rule.datasets()):
            self.ctes.append((f"rows{index + 1}", self._rows(name)))
        grain, frame_periods = self._periods()
        self.ctes.append(("periods", frame_periods))
        if rule.dimensions:
            self.ctes.append(("groups", self._groups()))
        at = _At(grain, _col("periods", "p"))
        sides = [self._value(value, at) for value in rule.values()]
        factor = rule.unit.factor if rule.unit is not None else 1.0
        if factor != 1.0:
            sides = [exp.Div(this=exp.paren(side, copy=False), expression=number(factor)) for side in sides]
        names = ["actual", "threshold", "upper"][: len(sides)]
        frame = exp.select(
            *(_col("groups", d).as_(_name(d)) for d in rule.dimensions),
            _col("periods", "period").as_(_name("period")),
            _col("periods", "reached").as_(_name("reached")),
            *(side.as_(_name(n)) for side, n in zip(sides, names, strict=True)),
        ).from_(exp.Table(this=_name("periods")))
        if rule.dimensions:
            frame = frame.join(exp.Table(this=_name("groups")), join_type="cross")
        for alias, cte, on in self.joins:
            frame = frame.join(exp.Table(this=_name(cte), alias=exp.TableAlias(this=_name(alias))),
                               on=on, join_type="left")
        self.ctes.append(("judged", frame))
        status = self._status(names)
        final = exp.select(
            *(_col("judged", d).as_(_name(d)) for d in rule.dimensions),
            _col("judged", "period").as_(_name("period")),
            *(_col("judged", n).as_(_name(n)) for n in names),
            status.as_(_name("status")),
        ).from_(exp.Table(this=_name("judged")))
        final = final.order_by(*(_col("judged", d) for d in rule.dimensions), _col("judged", "period"))
        for name, query in self.ctes:
            final = final.with_(_name(name), as_=query)
        return final, self.notes

    def _without_data(self) -> exp.Expr:
        """The outcome of a rule of constants only, which the reference engine leaves pending."""
        nothing = exp.cast(exp.null(), "DOUBLE")
        names = ["actual", "threshold", "upper"][: len(self.rule.values())]
        time = self.rule.time
        period = {"in": time.start, "by": time.deadline}.get(time.kind)
        return exp.select(text(str(period or "all")).as_(_name("period")), *(nothing.copy().as_(_name(n)) for n in names),
                          text("pending").as_(_name("status")))

    def _status(self, names: list[str]) -> exp.Expr:
        values = [_col("judged", n) for n in names]
        unknown = exp.or_(*(exp.Is(this=v.copy(), expression=exp.null()) for v in values))
        actual, threshold = values[0], values[1]
        holds: exp.Expr
        if self.rule.op == "between":
            holds = exp.and_(_holds(">=", actual, threshold), _holds("<=", actual, values[2]))
        else:
            holds = _holds(self.rule.op, actual, threshold)
        return exp.Case(
            ifs=[
                exp.If(this=exp.Not(this=_col("judged", "reached")), true=text("pending")),
                exp.If(this=unknown, true=text("missing")),
                exp.If(this=holds, true=text("pass")),
            ],
            default=text("fail"),
        )

    # ------------------------------------------------------------ rows, periods, groups

    def _rows(self, name: str) -> exp.Expr:
        """The columns of dataset *name* the rule reads, with each row's grain and first day."""
        info = self.directive.datasets[name]
        columns = [ident(c).as_(_name(c)) for c in sorted(self._columns_read(name))]
        named = [ident(c) for c in sorted(self._columns_read(name))]
        timed = exp.select(*columns, ident(info.time or "year").as_(_name(TIME))).from_(
            exp.Table(this=_name(name)))
        graded = exp.select(*named, ident(TIME), grain_of(ident(TIME), "text").as_(_name(GRAIN))).from_(
            exp.Subquery(this=timed, alias=exp.TableAlias(this=_name("timed"))))
        rows = exp.select(*(c.copy() for c in named), ident(GRAIN),
                          day_of(ident(TIME), "text", ident(GRAIN)).as_(_name(DAY))).from_(
            exp.Subquery(this=graded, alias=exp.TableAlias(this=_name("graded"))))
        if info.as_of is None:
            return rows
        # `as of P`: the rows after P are not read (SPEC §13.2)
        return exp.select("*").from_(exp.Subquery(this=rows, alias=exp.TableAlias(this=_name("dated")))).where(
            exp.LTE(this=ident(DAY), expression=date_literal(info.as_of.start_day())))

    def _columns_read(self, name: str) -> set[str]:
        info = self.directive.datasets[name]
        found = {d for d in self.rule.dimensions if self._has(name, d)}
        for value in self.rule.values():
            for leaf in m.aggregates(value):
                if leaf.dataset != name:
                    continue
                found.update(leaf.groups)
                if leaf.where is not None:
                    found.update(m.condition_columns(leaf.where))
                if leaf.measure is not None:
                    found.update(m.row_columns(leaf.measure.expr))
                if leaf.column is not None:
                    found.add(leaf.column)
        found.discard(info.time or "year")
        return found

    def _has(self, name: str, dimension: str) -> bool:
        info = self.directive.datasets[name]
        if dimension in info.columns:
            return True
        return any(dimension in leaf.groups for v in self.rule.values() for leaf in m.aggregates(v)
                   if leaf.dataset == name)

    def _all_rows(self) -> exp.Expr:
        return _union([exp.select(_name(GRAIN), _name(DAY)).from_(exp.Table(this=_name(f"rows{i + 1}")))
                       for i in range(len(self.rule.datasets()))])

    def _latest(self, grain: Grain) -> exp.Expr:
        """The as-of period at *grain*: the latest that all of the rule's data reaches (§13.3)."""
        if not self.rule.datasets():  # constants only: every period of the window is reached
            return number(_EVERY_PERIOD)
        each = [self._dataset_latest(name, grain) for name in self.rule.datasets()]
        return each[0] if len(each) == 1 else exp.Least(this=each[0], expressions=each[1:])

    def _dataset_latest(self, name: str, grain: Grain) -> exp.Expr:
        """Dataset *name*'s as-of at *grain*: its `as of` clause, else its latest row's period."""
        stated = self.directive.datasets[name].as_of
        if stated is not None:
            return number(Period("day", stated.start_day()).to_grain(grain).ordinal)
        return exp.Subquery(this=exp.select(exp.Max(this=ordinal(ident(DAY), grain))).from_(
            exp.Table(this=_name(self._source(name)))))

    def _periods(self) -> tuple[Grain | None, exp.Expr]:
        """The outcome periods: ``period`` (label), ``p`` (ordinal) and ``reached`` (judged, not pending)."""
        time = self.rule.time
        window = self.directive.window
        per_row = sorted({f"{leaf.dataset}.{leaf.measure.name} (unit from {leaf.measure.unit_column})"
                          for value in self.rule.values() for leaf in m.aggregates(value)
                          if leaf.measure is not None and leaf.measure.unit_column})
        if per_row:
            self.notes.append(f"the engine converts each row of {', '.join(per_row)} to one unit by the text "
                              "in its unit column before adding up; here the numbers are added as written")
        if time.kind in ("per", "in", "by") and self._finer_data():
            self.notes.append("with data finer than the rule's periods, the engine judges the period the as-of "
                              "lies inside year to date (on_track/off_track) and a group lacking one of its "
                              "sub-periods as missing; here both are judged on the rows present")
        if time.kind == "per":
            assert time.grain is not None
            grain = time.grain
            if window is None:
                periods = self._periods_in_data(grain)
            else:
                listed = period_range(first_within(window[0], grain), last_within(window[1], grain))
                periods = _listed(listed, exp.true())
            conditions: list[exp.Expr] = [exp.LTE(this=ident("p"), expression=self._latest(grain))]
            if time.start is not None:
                conditions.append(exp.GTE(this=ident("p"), expression=number(time.start.ordinal)))
            if time.end is not None:
                conditions.append(exp.LTE(this=ident("p"), expression=number(time.end.ordinal)))
            query = exp.select("*").from_(exp.Subquery(this=periods, alias=exp.TableAlias(
                this=_name("listed")))).where(exp.and_(*conditions))
            return grain, query
        if time.kind in ("in", "by"):
            period = time.start if time.kind == "in" else time.deadline
            assert period is not None
            reached: exp.Expr = exp.GTE(this=self._latest(period.grain), expression=number(period.ordinal))
            if time.kind == "by" and time.baseline_period is not None:
                self.notes.append(f"before {period} the engine judges the straight path from "
                                  f"{time.baseline_period} (on_track/off_track); here that is pending")
            return period.grain, _listed([period], reached)
        # in total: the window (or the rule's sub-window) as one range
        if time.start is not None and time.end is not None:
            window = (time.start, time.end)
        if window is None:  # the periods the data holds, all of them reached
            first, last = (_any_label(f(this=ident(DAY)), exp.Max(this=ident(GRAIN))) for f in (exp.Min, exp.Max))
            label = exp.DPipe(this=exp.DPipe(this=first, expression=text("..")), expression=last)
            query = exp.select(label.as_(_name("period")), number(0).as_(_name("p")),
                               exp.true().as_(_name("reached"))).from_(
                exp.Subquery(this=self._all_rows(), alias=exp.TableAlias(this=_name("all_rows"))))
            return None, query
        start, end = window
        reached = self._reaches(end.end_day())
        self.notes.append("before the window ends the engine judges against the pro-rata path "
                          "(on_track/off_track); here that is pending")
        return None, exp.select(text(f"{start}..{end}").as_(_name("period")), number(0).as_(_name("p")),
                                reached.as_(_name("reached")))

    def _finer_data(self) -> bool:
        """Whether a dataset of the rule is declared with a time column finer than the rule's grain
        (by its name: `month`, `quarter`, `date`, `day`), or with no declared time at all."""
        rank = {"year": 0, "quarter": 1, "month": 2, "date": 3, "day": 3}
        grain = self.rule.time.grain
        if grain is None:
            return False
        for name in self.rule.datasets():
            time = self.directive.datasets[name].time
            if time is None or rank.get(time, 3) > GRAINS.index(grain):
                return True
        return False

    def _periods_in_data(self, grain: Grain) -> exp.Expr:
        """The periods at *grain* the rule's data has rows in (no window declared)."""
        day = exp.Min(this=ident(DAY))
        return exp.select(
            _label(day, grain).as_(_name("period")),
            ordinal(ident(DAY), grain).as_(_name("p")),
            exp.true().as_(_name("reached")),
        ).from_(exp.Subquery(this=self._all_rows(), alias=exp.TableAlias(this=_name("all_rows")))).where(
            exp.GTE(this=ident(GRAIN), expression=number(GRAINS.index(grain)))
        ).group_by(ordinal(ident(DAY), grain))

    def _reaches(self, day: int) -> exp.Expr:
        """Whether every dataset of the rule has reached *day* (§13.3)."""
        return exp.and_(exp.true(), *(self._dataset_reaches(name, day) for name in self.rule.datasets()))

    def _dataset_reaches(self, name: str, day: int) -> exp.Expr:
        """Whether dataset *name*'s as-of has reached *day*: a row's period ends on or after it."""
        stated = self.directive.datasets[name].as_of
        if stated is not None:
            return exp.true() if stated.end_day() >= day else exp.false()
        ifs = [exp.If(this=exp.EQ(this=ident(GRAIN), expression=number(i)),
                      true=exp.GTE(this=ordinal(ident(DAY), g),
                                   expression=number(Period("day", day).to_grain(g).ordinal)))
               for i, g in enumerate(GRAINS)]
        reaches = exp.Case(ifs=ifs, default=exp.false())
        flag = exp.Max(this=exp.Case(ifs=[exp.If(this=reaches, true=number(1))], default=number(0)))
        found = exp.Subquery(this=exp.select(flag).from_(exp.Table(this=_name(self._source(name)))))
        return exp.EQ(this=found, expression=number(1))

    def _groups(self) -> exp.Expr:
        """The expected groups (§7.2, §13.6): with two or more dimensions the combinations that
        occur together, each domain's values added; else each dimension's values, crossed. A
        group with no row in a plan table (a dataset only the threshold reads) has no target."""
        dims = self.rule.dimensions
        holders = [f"rows{i + 1}" for i, name in enumerate(self.rule.datasets())
                   if all(self._has(name, d) for d in dims)]
        free = [d for d in dims if d not in self.directive.domains]
        base = self._crossed() if len(dims) < 2 or not holders or not free else self._combinations(holders, free)
        groups = exp.select(*(_col("g", d).as_(_name(d)) for d in dims)).from_(
            exp.Subquery(this=base, alias=exp.TableAlias(this=_name("g"))))
        for index, name in enumerate(self.rule.datasets()):
            if name not in self._plan_tables():
                continue
            held = [d for d in dims if self._has(name, d)]
            targets = exp.select(*(ident(d) for d in held)).distinct().from_(
                exp.Table(this=_name(f"rows{index + 1}")))
            alias = f"t{index + 1}"
            groups = groups.join(exp.Subquery(this=targets, alias=exp.TableAlias(this=_name(alias))),
                                 on=exp.and_(*(exp.EQ(this=_col(alias, d), expression=_col("g", d)) for d in held)))
        return groups

    def _plan_tables(self) -> set[str]:
        """Datasets only the threshold reads, grouped by some of the rule's dimensions."""
        left = {leaf.dataset for leaf in m.aggregates(self.rule.left)}
        return {leaf.dataset for value in self.rule.values()[1:] for leaf in m.aggregates(value)
                if leaf.groups and leaf.dataset not in left}

    def _combinations(self, holders: list[str], free: list[str]) -> exp.Select:
        """The combinations of the free dimensions that occur, narrowed, with every domain value."""
        seen = _union([exp.select(*(ident(d) for d in free)).from_(exp.Table(this=_name(s))).where(
            exp.and_(*(exp.Not(this=exp.Is(this=ident(d), expression=exp.null())) for d in free)))
            for s in holders])
        combos = exp.select(*(ident(d) for d in free)).distinct().from_(
            exp.Subquery(this=seen, alias=exp.TableAlias(this=_name("seen"))))
        query = exp.select(*(_col(f"d{i + 1}", d).as_(_name(d)) for i, d in enumerate(self.rule.dimensions))).from_(
            exp.Subquery(this=combos, alias=exp.TableAlias(this=_name("combos"))))
        for index, dim in enumerate(self.rule.dimensions):
            alias = f"d{index + 1}"
            values = exp.Subquery(this=self._dimension_values(dim), alias=exp.TableAlias(this=_name(alias)))
            if dim in free:  # only the values the rule keeps (narrowing)
                query = query.join(values, on=exp.EQ(this=_col(alias, dim), expression=_col("combos", dim)))
            else:
                query = query.join(values, join_type="cross")
        return query

    def _crossed(self) -> exp.Select:
        """Each dimension's domain or values seen, narrowed, crossed (§7.2)."""
        query: exp.Select | None = None
        for index, dim in enumerate(self.rule.dimensions):
            alias = f"d{index + 1}"
            values = self._dimension_values(dim)
            table = exp.Subquery(this=values, alias=exp.TableAlias(this=_name(alias)))
            if query is None:
                query = exp.select(*(_col(f"d{i + 1}", d).as_(_name(d))
                                     for i, d in enumerate(self.rule.dimensions))).from_(table)
            else:
                query = query.join(table, join_type="cross")
        assert query is not None
        return query

    def _dimension_values(self, dim: str) -> exp.Expr:
        domain = self.directive.domains.get(dim)
        if domain is not None:
            query = _union([exp.select(text(v).as_(_name(dim))) for v in domain])
        else:
            sources = [f"rows{i + 1}" for i, name in enumerate(self.rule.datasets()) if self._has(name, dim)]
            query = _union([exp.select(ident(dim).as_(_name(dim))).from_(exp.Table(this=_name(s)))
                            .where(exp.Not(this=exp.Is(this=ident(dim), expression=exp.null())))
                            for s in sources])
            query = exp.select(ident(dim)).distinct().from_(
                exp.Subquery(this=query, alias=exp.TableAlias(this=_name("seen"))))
        narrowing = self.rule.narrowing.get(dim, ())
        if narrowing:
            columns = _Columns(frozenset())
            query = exp.select(ident(dim)).from_(
                exp.Subquery(this=query, alias=exp.TableAlias(this=_name("all_values")))
            ).where(exp.and_(*(condition(c, columns) for c in narrowing)))
        return query

    # ------------------------------------------------------------ values

    def _value(self, value: m.Value, at: _At) -> exp.Expr:
        if isinstance(value, m.Constant):
            return number(value.value)
        if isinstance(value, m.Aggregate):
            return self._leaf(value, at)
        if isinstance(value, m.AtPeriod):
            return self._value(value.operand, _At(value.period.grain, number(value.period.ordinal)))
        if isinstance(value, m.Shift):
            shifted = exp.Add(this=at.key.copy(), expression=number(value.periods))
            return self._value(value.operand, _At(at.grain, shifted))
        if isinstance(value, m.Negate):
            return exp.Neg(this=exp.paren(self._value(value.operand, at), copy=False))
        if isinstance(value, m.Scale):
            return exp.Mul(this=exp.paren(self._value(value.operand, at), copy=False),
                           expression=number(value.factor))
        left = exp.paren(self._value(value.left, at), copy=False)
        right = exp.paren(self._value(value.right, at), copy=False)
        if value.op == "/":  # division by zero: missing
            return exp.Div(this=exp.cast(left, "DOUBLE"), expression=exp.Nullif(this=right, expression=number(0)))
        kinds: dict[str, type[exp.Expr]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul}
        return kinds[value.op](this=left, expression=right)

    def _leaf(self, leaf: m.Aggregate, at: _At) -> exp.Expr:
        """The leaf's value in the frame's group at *at*: NULL when its data has no row there."""
        cte = self._leaf_cte(leaf, at.grain)
        alias = f"v{len(self.joins) + 1}"
        self.joins.append((alias, cte, self._match(alias, leaf.groups, at)))
        covered = [self._cover(leaf.dataset, (dim,) if dim else (), at) for dim in leaf.groups or (None,)]
        if len(leaf.groups) >= 2:  # the combination itself has rows (§13.6)
            covered.append(self._cover(leaf.dataset, tuple(leaf.groups), at))
        cell_value, rows = _col(alias, "value"), _col(alias, "rows")
        kind = kind_of(leaf.func)
        if kind.counts_rows:
            found: exp.Expr = exp.Coalesce(this=rows, expressions=[number(0)])
        elif kind.empty_is_zero:  # no matching row: nothing happened, 0
            none = exp.or_(exp.Is(this=rows, expression=exp.null()), exp.EQ(this=rows.copy(), expression=number(0)))
            found = exp.Case(ifs=[exp.If(this=none, true=number(0))], default=cell_value)
        else:
            found = cell_value
        check = exp.and_(*(exp.Not(this=exp.Is(this=_col(c, "p"), expression=exp.null())) for c in covered))
        ifs = [exp.If(this=check, true=exp.cast(found, "DOUBLE"))]
        if self.directive.datasets[leaf.dataset].fill is not None:  # `fill 0`: no row is zero
            ifs.append(exp.If(this=self._filled(leaf.dataset, at), true=exp.cast(number(0), "DOUBLE")))
        return exp.Case(ifs=ifs)

    def _filled(self, name: str, at: _At) -> exp.Expr:
        """Whether `fill 0` makes a group with no row at *at* zero: over the window always, in a
        period from the one holding the data's first row to the dataset's as-of."""
        if at.grain is None:
            return exp.true()
        first = exp.Subquery(this=exp.select(exp.Min(this=ordinal(ident(DAY), at.grain))).from_(
            exp.Table(this=_name(self._source(name)))))
        return exp.Between(this=at.key.copy(), low=first, high=self._dataset_latest(name, at.grain))

    def _match(self, alias: str, groups: Sequence[str], at: _At) -> exp.Expr:
        parts: list[exp.Expr] = [exp.EQ(this=_col(alias, g), expression=_col("groups", g)) for g in groups]
        parts.append(exp.EQ(this=_col(alias, "p"), expression=at.key.copy()))
        return exp.and_(*parts)

    def _bucket(self, grain: Grain | None) -> tuple[exp.Expr, exp.Expr | None]:
        """A row's period key at *grain* and which rows count: finer or equal grain, or the window."""
        if grain is not None:
            return (ordinal(ident(DAY), grain),
                    exp.GTE(this=ident(GRAIN), expression=number(GRAINS.index(grain))))
        window = self.directive.window
        if window is None:
            return number(0), None
        return number(0), exp.Between(this=ident(DAY), low=date_literal(window[0].start_day()),
                                      high=date_literal(window[1].end_day()))

    def _source(self, name: str) -> str:
        return f"rows{self.rule.datasets().index(name) + 1}"

    def _leaf_cte(self, leaf: m.Aggregate, grain: Grain | None) -> str:
        key = (leaf, grain)
        found = self._leaves.get(key)
        if found is not None:
            return found
        cte = self._leaves[key] = f"leaf{len(self._leaves) + 1}"
        source = self._source(leaf.dataset)
        period, rows_in = self._bucket(grain)
        columns = _Columns(frozenset(self._numbers(leaf.dataset)))
        conditions = [c for c in (rows_in, condition(leaf.where, columns) if leaf.where else None) if c is not None]
        measure = row_expr(leaf.measure.expr, columns) if leaf.measure is not None else None
        if leaf.column is not None:  # count_distinct of a dimension
            measure = ident(leaf.column)
        keys = [ident(g) for g in leaf.groups]
        kind = kind_of(leaf.func)
        if kind.one_stage is None and measure is not None:  # first/last: by the day
            self.ctes.append((cte, self._first_last(leaf, source, period, conditions, measure)))
            return cte
        value: exp.Expr = (kind.one_stage(measure, leaf.parameter)
                           if measure is not None and kind.one_stage is not None and not kind.counts_rows
                           else exp.Count(this=exp.Star()))
        query = exp.select(
            *(k.as_(_name(g)) for k, g in zip(keys, leaf.groups, strict=True)),
            period.as_(_name("p")),
            value.as_(_name("value")),
            exp.Count(this=exp.Star()).as_(_name("rows")),
        ).from_(exp.Table(this=_name(source)))
        if conditions:
            query = query.where(exp.and_(*conditions))
        grouped = [*keys, period.copy()] if grain is not None else keys  # the window: one bucket
        self.ctes.append((cte, query.group_by(*grouped) if grouped else query))
        return cte

    def _first_last(self, leaf: m.Aggregate, source: str, period: exp.Expr,
                    conditions: list[exp.Expr], measure: exp.Expr) -> exp.Expr:
        """The sum of the known values at the earliest (latest) day in each cell."""
        edge = exp.Max if leaf.func == "last" else exp.Min
        keys = [ident(g) for g in leaf.groups]
        known_day = exp.Case(ifs=[exp.If(this=exp.Not(this=exp.Is(this=measure.copy(), expression=exp.null())),
                                         true=ident(DAY))])
        inner = exp.select(
            *(k.as_(_name(g)) for k, g in zip(keys, leaf.groups, strict=True)),
            period.as_(_name("p")), measure.as_(_name("x")), ident(DAY).as_(_name("d")),
            exp.Window(this=edge(this=known_day), partition_by=[*(k.copy() for k in keys), period.copy()])
            .as_(_name("edge")),
        ).from_(exp.Table(this=_name(source)))
        if conditions:
            inner = inner.where(exp.and_(*conditions))
        at_edge = exp.Case(ifs=[exp.If(this=exp.EQ(this=ident("d"), expression=ident("edge")), true=ident("x"))])
        return exp.select(
            *(ident(g) for g in leaf.groups), ident("p"),
            exp.Sum(this=at_edge).as_(_name("value")), exp.Count(this=exp.Star()).as_(_name("rows")),
        ).from_(exp.Subquery(this=inner, alias=exp.TableAlias(this=_name("cells")))).group_by(
            *(ident(g) for g in leaf.groups), ident("p"))

    def _numbers(self, name: str) -> set[str]:
        info = self.directive.datasets[name]
        found = {c for measure in info.measures.values() for c in m.row_columns(measure.expr)}
        for value in self.rule.values():
            for leaf in m.aggregates(value):
                if leaf.dataset == name and leaf.measure is not None:
                    found.update(m.row_columns(leaf.measure.expr))
        return found

    def _cover(self, dataset: str, dims: tuple[str, ...], at: _At) -> str:
        """Join the periods in which *dataset* has a row for the group's values of *dims* (or any row)."""
        key = (dataset, dims, at.grain)
        cte = self._covers.get(key)
        if cte is None:
            cte = self._covers[key] = f"cover{len(self._covers) + 1}"
            period, rows_in = self._bucket(at.grain)
            query = exp.select(*(ident(d).as_(_name(d)) for d in dims), period.as_(_name("p"))).distinct()
            query = query.from_(exp.Table(this=_name(self._source(dataset))))
            if rows_in is not None:
                query = query.where(rows_in)
            self.ctes.append((cte, query))
        alias = f"c{len(self.joins) + 1}"
        self.joins.append((alias, cte, self._match(alias, dims, at)))
        return alias


def _holds(op: str, a: exp.Expr, b: exp.Expr) -> exp.Expr:
    """``a op b`` with values within 1e-9 (relative) of each other counted equal (SPEC §7.3)."""
    tol = template(":t * GREATEST(ABS(:a), ABS(:b))", t=number(TOLERANCE), a=a, b=b)
    parts = {
        ">=": ":a >= :b - :tol", ">": ":a > :b + :tol", "<=": ":a <= :b + :tol", "<": ":a < :b - :tol",
        "=": "ABS(:a - :b) <= :tol", "!=": "ABS(:a - :b) > :tol",
    }
    return template(parts[op], a=a, b=b, tol=exp.paren(tol, copy=False))


def _label(day: exp.Expr, grain: Grain) -> exp.Expr:
    """The period label (``2027``, ``2027-Q1``, ``2027-03``, ``2027-03-31``) of the period holding *day*."""
    shapes = {
        "year": "CAST(EXTRACT(YEAR FROM :d) AS TEXT)",
        "quarter": "CAST(EXTRACT(YEAR FROM :d) AS TEXT) || '-Q' || CAST(EXTRACT(QUARTER FROM :d) AS TEXT)",
        "month": "CAST(EXTRACT(YEAR FROM :d) AS TEXT) || '-' || LPAD(CAST(EXTRACT(MONTH FROM :d) AS TEXT), 2, '0')",
        "day": "CAST(:d AS TEXT)",
    }
    return template(shapes[grain], d=day)


def _listed(periods: Sequence[Period], reached: exp.Expr) -> exp.Expr:
    return _union([exp.select(text(p.label).as_(_name("period")), number(p.ordinal).as_(_name("p")),
                              reached.copy().as_(_name("reached"))) for p in periods])


def _any_label(day: exp.Expr, grain: exp.Expr) -> exp.Expr:
    """The label of the period holding *day* at the grain whose rank is *grain*."""
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=grain.copy(), expression=number(i)), true=_label(day, g))
                         for i, g in enumerate(GRAINS)])


def rule_statements(directive: m.CheckedDirective) -> Iterator[tuple[m.CheckedRule, exp.Expr, list[str]]]:
    """Each rule with its statement and what the statement leaves to the engine."""
    for rule in directive.rules:
        statement, notes = RuleStatement(directive, rule).build()
        yield rule, statement, notes
