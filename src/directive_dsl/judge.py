"""From an engine's answers to outcomes: alignment, lookback, paths, tolerance (SPEC §7).

This module is shared by every engine, so the meaning of a directive lives in
one place. Values are computed in base units and shown in the rule's unit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from typing import Literal

import attrs

from . import model as m
from .conditions import condition_holds
from .partial import PartialPeriod, covers_whole_period, partial_at
from .periods import Period, is_finer, period_range
from .plan import (
    AggregateRequest,
    Answers,
    Bucket,
    Cell,
    CellKey,
    CoverageKey,
    CoverageRequest,
    GrainBucket,
    RangeBucket,
    TableInfo,
)
from .plan_tables import combination_requests, combinations, rows_of, untargeted
from .report import Coverage, Location, Outcome, Status, significant
from .timing import Window, elapsed_path_fraction, last_within, path_fraction, per_periods

Result = tuple[float | None, str | None]  # (value, reason when missing)
At = Period | RangeBucket | PartialPeriod
TOLERANCE = 1e-9


@attrs.frozen(kw_only=True)
class RulePlan:
    """A rule with its timing settled."""

    rule: m.CheckedRule
    index: int
    as_of: Period | None
    window: Window | None
    until: int | None  # the last day of data to read (the caller's as-of), None for all
    missing: m.MissingPolicy


# ---------------------------------------------------------------- requests


def contexts(plan: RulePlan) -> list[Bucket]:
    """The buckets a rule reads its values in, before `at` and lookback."""
    time = plan.rule.time
    if time.kind == "total":
        if plan.window is None:
            return []
        return [plan.window.range_to(plan.as_of)]
    buckets: list[Bucket] = []
    grains = [time.grain]
    if time.kind == "by" and time.baseline_period is not None:
        grains.append(time.baseline_period.grain)
    for grain in dict.fromkeys(grains):
        assert grain is not None
        buckets.append(GrainBucket(grain, plan.until))
    return buckets


def requests(
    plan: RulePlan, tables: Mapping[str, TableInfo], domains: Mapping[str, tuple[str, ...]]
) -> tuple[set[AggregateRequest], set[CoverageRequest]]:
    """Every aggregate and coverage request a rule needs."""
    aggregates: set[AggregateRequest] = set()
    coverage: set[CoverageRequest] = set()

    def visit(value: m.Value, bucket: Bucket) -> None:
        if isinstance(value, m.AtPeriod):
            visit(value.operand, GrainBucket(value.period.grain, plan.until))
            return
        if isinstance(value, m.Aggregate):
            aggregates.add(AggregateRequest.of(value, bucket))
            if len(value.groups) >= 2:
                aggregates.add(AggregateRequest.of(rows_of(value), bucket))
            for dim in value.groups or (None,):
                coverage.add(CoverageRequest(value.dataset, dim, bucket))
            return
        for child in m.value_children(value):
            visit(child, bucket)

    for bucket in contexts(plan):
        for value in plan.rule.values():
            visit(value, bucket)

    def visit_part(value: m.Value, at: PartialPeriod) -> None:
        """What a partial period reads: its covered part, and the same part of earlier ones."""
        if isinstance(value, m.AtPeriod):
            if value.period.grain == at.grain:
                visit_part(value.operand, at.part_of(value.period))
            return  # a whole period: its grain's bucket is asked for above
        if isinstance(value, m.Shift):
            visit_part(value.operand, at.shift(value.periods))
            return
        if isinstance(value, m.Aggregate):
            visit(value, at.bucket())
            return
        for child in m.value_children(value):
            visit_part(child, at)

    for part in partial_periods(plan):
        for value in plan.rule.values():
            visit_part(value, part)
    coverage |= _sub_period_requests(plan, tables)
    aggregates |= combination_requests(plan.rule, tables, plan.until)
    for dim in plan.rule.dimensions:
        if dim not in domains:
            for name in _datasets_with(plan.rule, tables, dim):
                coverage.add(CoverageRequest(name, dim, RangeBucket(None, plan.until)))
    return aggregates, coverage


def _sub_period_requests(plan: RulePlan, tables: Mapping[str, TableInfo]) -> set[CoverageRequest]:
    """Which sub-periods at the data's grain each grouped leaf's dataset, and each of the group's
    values, has rows in: to find the periods a group is incomplete in (SPEC §13.4)."""
    found: set[CoverageRequest] = set()
    grain = plan.rule.time.grain
    for value in plan.rule.values():
        for leaf in m.aggregates(value):
            table = tables[leaf.dataset]
            if not leaf.groups or grain is None or table.grain is None or not is_finer(table.grain, grain):
                continue
            bucket = GrainBucket(table.grain, plan.until)
            found |= {CoverageRequest(leaf.dataset, dim, bucket) for dim in (*leaf.groups, None)}
    return found


def partial_periods(plan: RulePlan) -> list[PartialPeriod]:
    """The periods of the rule judged on the part its data covers (SPEC §13.4): at most one,
    the period holding the as-of, when it is coarser than the as-of and not yet over."""
    return [p.at for p in _points(plan) if isinstance(p.at, PartialPeriod)]


def not_judged(plan: RulePlan) -> list[tuple[str, str]]:
    """The periods `@partial skip` leaves without an outcome, and why."""
    if plan.rule.partial != "skip":
        return []
    tracked = attrs.evolve(plan, rule=attrs.evolve(plan.rule, partial="track"))
    return [(part.label, f"partial: the data runs through {part.through}")
            for part in partial_periods(tracked)]


def _datasets_with(rule: m.CheckedRule, tables: Mapping[str, TableInfo], dim: str) -> list[str]:
    return [name for name in rule.datasets() if dim in tables[name].columns]


# ---------------------------------------------------------------- groups


def expected_groups(
    plan: RulePlan,
    tables: Mapping[str, TableInfo],
    answers: Answers,
    domains: Mapping[str, tuple[str, ...]],
) -> list[dict[str, str]]:
    """The groups to judge: every combination of the rule's dimension values (SPEC §7.2), or with
    two or more dimensions those that occur together in the data, domains added (§13.6)."""
    per_dim: list[list[str]] = []
    for dim in plan.rule.dimensions:
        if dim in domains:
            values = set(domains[dim])
        else:
            values = set()
            for name in _datasets_with(plan.rule, tables, dim):
                seen = answers.coverage[CoverageRequest(name, dim, RangeBucket(None, plan.until))]
                values.update(v for v, _ in seen if v is not None)
        for cond in plan.rule.narrowing.get(dim, ()):
            values = {v for v in values if condition_holds(cond, {dim: v}) is True}
        per_dim.append(sorted(values))
    dims = plan.rule.dimensions
    occurring = combinations(plan.rule, tables, answers, plan.until)
    free = [i for i, d in enumerate(dims) if d not in domains]
    if occurring is None or not free:
        return [dict(zip(dims, combo, strict=True)) for combo in itertools.product(*per_dim)]
    allowed = [set(values) for values in per_dim]
    present = {tuple(g[dims[i]] for i in free) for g in occurring}
    groups: list[dict[str, str]] = []
    for part in sorted(present):
        if not all(v in allowed[i] for i, v in zip(free, part, strict=True)):
            continue
        fixed = dict(zip(free, part, strict=True))
        # each domain dimension takes all its values beside the combination of the others
        axes = [per_dim[i] if dims[i] in domains else [fixed[i]] for i in range(len(dims))]
        groups += [dict(zip(dims, combo, strict=True)) for combo in itertools.product(*axes)]
    return sorted(groups, key=lambda g: tuple(g[d] for d in dims))


#: How many periods before the window a chart shows for context.
HISTORY = 5


def history(plan: RulePlan, tables: Mapping[str, TableInfo], answers: Answers,
            domains: Mapping[str, tuple[str, ...]]) -> tuple[tuple[tuple[tuple[str, str], ...], str, float], ...]:
    """The rule's left side in up to :data:`HISTORY` periods with data before a declared window,
    per group: what a chart shows for context. Read from the answers the engine already gave."""
    time, window = plan.rule.time, plan.window
    if time.kind != "per" or time.grain is None or window is None or window.from_data or time.start is not None:
        return ()
    grain = time.grain
    earlier = sorted({Period("day", p.start_day()).to_grain(grain) for name in plan.rule.datasets()
                      for p in tables[name].periods if p.end_day() < window.start.start_day()})[-HISTORY:]
    if not earlier:
        return ()
    evaluator = Evaluator(plan, tables, answers)
    factor = plan.rule.unit.factor if plan.rule.unit is not None else 1.0
    found = []
    for group in targeted_groups(plan, tables, answers, domains)[0]:
        for period in earlier:
            value, _ = evaluator.value(plan.rule.left, group, period)
            shown = _show(value, factor)
            if shown is not None:
                found.append((tuple(group.items()), period.label, shown))
    return tuple(found)


def targeted_groups(
    plan: RulePlan,
    tables: Mapping[str, TableInfo],
    answers: Answers,
    domains: Mapping[str, tuple[str, ...]],
) -> tuple[list[dict[str, str]], int]:
    """The expected groups that have a target, and how many have none (no row in a plan table)."""
    groups = expected_groups(plan, tables, answers, domains)
    without = untargeted(plan.rule, tables, answers, plan.until, groups)
    return [g for g in groups if g not in without], len(without)


# ---------------------------------------------------------------- values


class Evaluator:
    """Computes a rule's values for one group at one period or range."""

    def __init__(self, plan: RulePlan, tables: Mapping[str, TableInfo], answers: Answers) -> None:
        self.plan = plan
        self.tables = tables
        self.answers = answers
        # per leaf and bucket: the coverage of each dimension, and the cells (looked up once)
        self._reads: dict[tuple[int, Bucket], tuple[list[tuple[str | None, frozenset[CoverageKey]]],
                                                     Mapping[CellKey, Cell]]] = {}
        self._by_value: dict[tuple[str, str | None, Bucket], Mapping[str | None, frozenset[Period]]] = {}
        # per group and period: the sub-periods without data that were let through (SPEC §13.4)
        self.gaps: dict[tuple[tuple[tuple[str, str], ...], str], set[Period]] = {}

    def value(self, value: m.Value, group: Mapping[str, str], at: At) -> Result:
        found, reason = self._value(value, group, at)
        if found is not None and not math.isfinite(found):
            # A sum past the largest float, or inf - inf: never a number to judge (SPEC §13.1).
            return None, f"overflow in {_label(at, self.plan)}"
        return found, reason

    def _value(self, value: m.Value, group: Mapping[str, str], at: At) -> Result:
        if isinstance(value, m.Constant):
            return value.value, None
        if isinstance(value, m.Aggregate):
            return self._leaf(value, group, at)
        if isinstance(value, m.AtPeriod):
            if isinstance(at, PartialPeriod) and value.period.grain == at.grain:
                return self.value(value.operand, group, at.part_of(value.period))  # the same part
            return self.value(value.operand, group, value.period)
        if isinstance(value, m.Shift):
            assert isinstance(at, Period | PartialPeriod)
            return self.value(value.operand, group, at.shift(value.periods))
        if isinstance(value, m.Negate | m.Scale):
            inner, reason = self.value(value.operand, group, at)
            if inner is None:
                return None, reason
            return (-inner if isinstance(value, m.Negate) else inner * value.factor), None
        assert isinstance(value, m.Arith)
        left, why = self.value(value.left, group, at)
        if left is None:
            return None, why
        right, why = self.value(value.right, group, at)
        if right is None:
            return None, why
        if value.op == "+":
            return left + right, None
        if value.op == "-":
            return left - right, None
        if value.op == "*":
            return left * right, None
        if right == 0:
            return None, f"division by zero in {_label(at, self.plan)}"
        return left / right, None

    def _leaf(self, leaf: m.Aggregate, group: Mapping[str, str], at: At) -> Result:
        bucket: Bucket
        if isinstance(at, Period):
            bucket = GrainBucket(at.grain, self.plan.until)
        else:
            bucket = at.bucket() if isinstance(at, PartialPeriod) else at
        table = self.tables[leaf.dataset]
        period: Period | None = at if isinstance(at, Period) and table.time_column else None
        coverage, cells = self._read(leaf, bucket)
        for dim, seen in coverage:
            value = group[dim] if dim is not None else None
            if (value, period) not in seen and _filled(table, at):
                self._note_gaps(group, at, self._gaps(leaf, group, at, table))
                return 0.0, None  # `fill 0`: no row is zero (SPEC §13.2)
            if (value, period) not in seen:
                about = f" for {dim} = {value}" if dim is not None else ""
                return None, f"no data{about} in {_label(at, self.plan)} ({leaf.dataset})"
        gaps = self._gaps(leaf, group, at, table)
        if gaps and not (table.fill or self.plan.rule.incomplete == "allow"):
            return None, f"incomplete: no data for {_some(gaps)}"
        self._note_gaps(group, at, gaps)
        key = (tuple(group[d] for d in leaf.groups), period)
        if len(leaf.groups) >= 2:  # the combination itself must have rows (SPEC §13.6)
            rows = self.answers.aggregates[AggregateRequest.of(rows_of(leaf), bucket)].get(key)
            if (rows is None or rows.rows == 0) and _filled(table, at):
                return 0.0, None
            if rows is None or rows.rows == 0:
                about = ", ".join(f"{d} = {group[d]}" for d in leaf.groups)
                return None, f"no data for {about} in {_label(at, self.plan)} ({leaf.dataset})"
        cell = cells.get(key)
        if cell is None or cell.rows == 0:
            if leaf.func in ("sum", "count"):
                return 0.0, None
            return None, f"no rows match in {_label(at, self.plan)} ({leaf.dataset})"
        if leaf.func == "count":
            return float(cell.rows), None
        if cell.known == 0 or cell.value is None:
            return None, (f"no values in {_label(at, self.plan)} ({leaf.dataset}: "
                          "every matching value is unknown)")
        return cell.value, None

    def _note_gaps(self, group: Mapping[str, str], at: At, gaps: list[Period]) -> None:
        """Keep the sub-periods without data let through, for the outcome's coverage."""
        if gaps and isinstance(at, Period | PartialPeriod):
            self.gaps.setdefault((tuple(group.items()), at.label), set()).update(gaps)

    def _gaps(self, leaf: m.Aggregate, group: Mapping[str, str], at: At, table: TableInfo) -> list[Period]:
        """The sub-periods of *at*, at the data's grain and up to the as-of, in which the dataset
        has rows and the group has none (SPEC §13.4)."""
        if not leaf.groups or table.grain is None or isinstance(at, RangeBucket):
            return []
        whole = at.period if isinstance(at, PartialPeriod) else at
        if not is_finer(table.grain, whole.grain) or self.plan.as_of is None:
            return []
        last = at.through.end_day() if isinstance(at, PartialPeriod) else min(
            whole.end_day(), self.plan.as_of.end_day())
        bucket = GrainBucket(table.grain, self.plan.until)
        present = [p for p in self._periods_with_rows(leaf.dataset, None, bucket).get(None, ())
                   if whole.start_day() <= p.start_day() and p.end_day() <= last]
        missing: set[Period] = set()
        for dim in leaf.groups:
            mine = self._periods_with_rows(leaf.dataset, dim, bucket).get(group[dim], frozenset())
            missing.update(p for p in present if p not in mine)
        return sorted(missing)

    def _periods_with_rows(self, dataset: str, dim: str | None, bucket: Bucket) -> Mapping[str | None, frozenset[Period]]:
        """The coverage of *dim* at *bucket* as value → periods with rows (looked up once)."""
        key = (dataset, dim, bucket)
        found = self._by_value.get(key)
        if found is None:
            grouped: dict[str | None, set[Period]] = {}
            for value, period in self.answers.coverage.get(CoverageRequest(dataset, dim, bucket), frozenset()):
                if period is not None:
                    grouped.setdefault(value, set()).add(period)
            found = self._by_value[key] = {v: frozenset(ps) for v, ps in grouped.items()}
        return found

    def _read(self, leaf: m.Aggregate, bucket: Bucket) -> tuple[
            list[tuple[str | None, frozenset[CoverageKey]]], Mapping[CellKey, Cell]]:
        key = (id(leaf), bucket)
        found = self._reads.get(key)
        if found is None:
            coverage = [(dim, self.answers.coverage[CoverageRequest(leaf.dataset, dim, bucket)])
                        for dim in leaf.groups or (None,)]
            found = self._reads[key] = (coverage, self.answers.aggregates[AggregateRequest.of(leaf, bucket)])
        return found


def _some(periods: list[Period]) -> str:
    """At most three periods named, then how many more: ``2026-04, 2026-05, 2026-06 and 2 more``."""
    named = ", ".join(p.label for p in periods[:3])
    return named + (f" and {len(periods) - 3} more" if len(periods) > 3 else "")


def _filled(table: TableInfo, at: At) -> bool:
    """Whether `fill 0` makes a group with no row in *at* zero: a range always (a total of
    nothing); a period from the one holding the data's first row to the one holding its as-of
    (before the data starts, nothing is known)."""
    if isinstance(at, PartialPeriod):
        at = at.period
    if not table.fill or not isinstance(at, Period):
        return table.fill
    if not table.periods or table.as_of is None:
        return False
    first = Period("day", min(p.start_day() for p in table.periods)).to_grain(at.grain)
    return first.start_day() <= at.start_day() <= table.as_of.end_day()


def _label(at: At, plan: RulePlan) -> str:
    if isinstance(at, Period | PartialPeriod):
        return at.label
    return plan.window.label if plan.window else "the window"


# ---------------------------------------------------------------- comparison


def holds(op: str, a: float, b: float) -> bool:
    """``a op b`` with values within 1e-9 (relative) of each other counted equal (SPEC §7.3)."""
    tol = TOLERANCE * max(abs(a), abs(b))
    if op == ">=":
        return a >= b - tol
    if op == ">":
        return a > b + tol
    if op == "<=":
        return a <= b + tol
    if op == "<":
        return a < b - tol
    if op == "=":
        return abs(a - b) <= tol
    return abs(a - b) > tol


def shortfall(op: str, a: float, b: float) -> float:
    """How far *a* is from satisfying ``a op b``, never negative.

    A strict comparison that fails because the sides are equal within the
    tolerance has a shortfall of 0, not the tiny negative difference.
    """
    if op in (">=", ">"):
        return max(0.0, b - a)
    if op in ("<=", "<"):
        return max(0.0, a - b)
    return abs(a - b)


# ---------------------------------------------------------------- outcomes


@attrs.frozen
class _Point:
    """One outcome to compute: where, and how to judge it."""

    period: str
    at: At | None  # None: nothing to compute (pending before any data)
    sort: tuple[int, int]
    mode: Literal["judge", "path", "pending", "prorata", "partial"] = "judge"
    fraction: float = 1.0  # prorata: share of the window elapsed; partial: of the period covered
    reason: str | None = None


def judge_rule(
    plan: RulePlan,
    tables: Mapping[str, TableInfo],
    answers: Answers,
    domains: Mapping[str, tuple[str, ...]],
) -> list[Outcome]:
    evaluator = Evaluator(plan, tables, answers)
    groups, _ = targeted_groups(plan, tables, answers, domains)
    points = list(_points(plan))
    outcomes = [_outcome(plan, evaluator, group, point) for group in groups for point in points]
    return outcomes


def _points(plan: RulePlan) -> Iterator[_Point]:
    time = plan.rule.time
    as_of = plan.as_of
    if as_of is None:
        label = _time_label(plan)
        yield _Point(label, None, (0, 0), mode="pending", reason="no data")
        return
    if time.kind == "per":
        assert plan.window is not None
        for period in per_periods(plan.rule, plan.window, as_of):
            yield from _judged(plan, period, as_of)
        return
    if time.kind == "in":
        assert time.start is not None
        period = time.start
        if period.start_day() > as_of.end_day():
            yield _Point(
                period.label,
                period,
                (period.start_day(), 0),
                mode="pending",
                reason=f"{period} is after the latest data ({as_of})",
            )
        else:
            yield from _judged(plan, period, as_of)
        return
    if time.kind == "total":
        window = plan.window
        assert window is not None
        sort = (window.start.start_day(), window.end.end_day())
        if as_of.end_day() >= window.end.end_day():
            yield _Point(window.label, window.range_to(), sort)
        elif as_of.end_day() < window.start.start_day():
            yield _Point(
                window.label,
                None,
                sort,
                mode="pending",
                reason=f"the window starts after the latest data ({as_of})",
            )
        else:
            from .periods import elapsed_fraction

            fraction = elapsed_fraction(window.start, window.end, as_of)
            yield _Point(
                window.label, window.range_to(as_of), sort, mode="prorata", fraction=fraction
            )
        return
    deadline = time.deadline
    assert deadline is not None
    # The as-of period at the deadline's grain; a coarser as-of (mixed-grain data) ends in its last one.
    now = as_of.to_grain(deadline.grain) if not _finer(deadline, as_of) else last_within(as_of, deadline.grain)
    if now.start_day() >= deadline.start_day():
        yield from _judged(plan, deadline, as_of)
    elif time.baseline_period is None:
        yield _Point(
            now.label,
            now,
            (now.start_day(), now.end_day()),
            mode="pending",
            reason=f"the deadline {deadline} is not reached",
        )
    elif now.start_day() < time.baseline_period.start_day():
        # before the baseline there is no path to judge the pace by
        yield _Point(
            now.label,
            now,
            (now.start_day(), now.end_day()),
            mode="pending",
            reason=f"the latest data ({as_of}) is before the baseline {time.baseline_period}",
        )
    else:
        part = partial_at(now, as_of)
        if part is None or plan.rule.partial == "full":
            yield _Point(now.label, now, (now.start_day(), now.end_day()), mode="path")
        elif plan.rule.partial == "track":
            yield _Point(now.label, part, (now.start_day(), now.end_day()), mode="path")


def _judged(plan: RulePlan, period: Period, as_of: Period) -> Iterator[_Point]:
    """*period* to judge: whole, or on the part the data covers when the as-of lies inside it,
    as `@partial` says (SPEC §13.4)."""
    sort = (period.start_day(), period.end_day())
    part = partial_at(period, as_of)
    if part is None or plan.rule.partial == "full":
        yield _Point(period.label, period, sort)
    elif plan.rule.partial == "track":
        yield _Point(period.label, part, sort, mode="partial", fraction=part.fraction)


def _finer(a: Period, b: Period) -> bool:
    from .periods import is_finer

    return is_finer(a.grain, b.grain)


def _time_label(plan: RulePlan) -> str:
    time = plan.rule.time
    if time.kind == "in" and time.start is not None:
        return time.start.label
    if time.kind == "by" and time.deadline is not None:
        return time.deadline.label
    return plan.window.label if plan.window else "all"


def _outcome(
    plan: RulePlan, evaluator: Evaluator, group: Mapping[str, str], point: _Point
) -> Outcome:
    rule = plan.rule
    factor = rule.unit.factor if rule.unit is not None else 1.0
    at = point.at
    actual = threshold = upper = target = None
    status: Status
    gap = None
    reason = point.reason
    deadline = None
    if rule.time.kind == "by":
        deadline = rule.time.deadline.label if rule.time.deadline else None
    elif point.mode == "prorata" and plan.window is not None:
        deadline = plan.window.end.label
    values: list[float | None] = [None] * 3
    if at is not None:
        computed = [evaluator.value(v, group, at) for v in rule.values()]
        missing = next((why for value, why in computed if value is None), None)
        values = [value for value, _ in computed] + [None] * (3 - len(computed))
        if missing is not None:
            status = "pending" if point.mode == "pending" else "missing"
            # A missing outcome reports no actual value (SPEC §10); a pending one shows what it has.
            actual = _show(values[0], factor) if status == "pending" else None
            threshold = _show(values[1], factor)
            return _record(
                plan,
                group,
                point,
                status,
                actual,
                threshold,
                None,
                missing,
                _show(values[2], factor),
                None,
                deadline,
            )
    actual, threshold, upper = (_show(v, factor) for v in values)
    if point.mode == "pending":
        target = threshold if rule.time.kind == "by" else None
        return _record(
            plan, group, point, "pending", actual, threshold, None, reason, upper, target, deadline
        )
    assert actual is not None and threshold is not None
    if point.mode in ("path", "prorata"):
        target = threshold
        path = _path(plan, evaluator, group, point, threshold, factor)
        if path is None:
            return _record(
                plan,
                group,
                point,
                "missing",
                None,
                None,
                None,
                f"no baseline value for {rule.time.baseline_period}",
                upper,
                target,
                deadline,
            )
        threshold = significant(path)
        if upper is not None:
            upper = significant(_path(plan, evaluator, group, point, upper, factor))
    coverage = None
    if isinstance(at, PartialPeriod):
        coverage = Coverage(through=at.through.label, fraction=significant(at.fraction))
        if _accumulates(rule.left) and all(covers_whole_period(v, evaluator.tables, at.period)
                                           for v in rule.values()[1:]):
            # the threshold stands for the whole period: its part for the part covered
            target = target if target is not None else threshold
            threshold = significant(threshold * at.fraction)
            upper = significant(upper * at.fraction) if upper is not None else None
    gaps = evaluator.gaps.get((tuple(group.items()), point.period))
    if gaps and isinstance(at, Period | PartialPeriod):  # let through by `fill 0` or `@incomplete allow`
        labels = tuple(p.label for p in sorted(gaps))
        if coverage is None:
            assert isinstance(at, Period)
            last = last_within(at, next(iter(gaps)).grain)
            coverage = Coverage(through=last.label, fraction=1.0, gaps=labels)
        else:
            coverage = attrs.evolve(coverage, gaps=labels)
    status, gap, threshold = _verdict(rule.op, actual, threshold, upper)
    gap = significant(gap)
    if point.mode in ("path", "prorata", "partial"):
        status = "on_track" if status == "pass" else "off_track"
    outcome = _record(
        plan, group, point, status, actual, threshold, gap, None, upper, target, deadline
    )
    if coverage is not None:
        outcome = attrs.evolve(outcome, coverage=coverage)
    if rule.time.kind == "by" and isinstance(point.at, Period):
        outcome = _with_progress(plan, evaluator, group, point.at, outcome, factor)
    return outcome


def _with_progress(plan: RulePlan, evaluator: Evaluator, group: Mapping[str, str], now: Period,
                   outcome: Outcome, factor: float) -> Outcome:
    """A deadline's outcome with the trend's projection and the SDG progress class (SPEC §13.8);
    under ``@track trend`` or ``@track sdg`` these decide on or off track instead of the path."""
    from .progress import progress_class, projected

    rule, time = plan.rule, plan.rule.time
    assert time.deadline is not None
    target = outcome.target if outcome.target is not None else outcome.threshold
    base = time.baseline_period
    if base is None or target is None or now.start_day() < base.start_day():
        return attrs.evolve(outcome, progress_reason="no baseline to measure progress from")
    series: list[tuple[float, float]] = []
    for period in period_range(base.to_grain(now.grain), now):
        if period == base.to_grain(now.grain) and time.baseline_value is not None:
            value: float | None = time.baseline_value / factor
        else:
            value = _show(evaluator.value(rule.left, group, period)[0], factor)
        if value is not None:
            series.append((_years(period), value))
    trend = significant(projected(series, _years(time.deadline)))
    first = series[0] if series and series[0][0] == _years(base.to_grain(now.grain)) else None
    last = series[-1] if series and series[-1][0] == _years(now) else None
    judged = progress_class(
        rule.op,
        base=(first[0], first[1]) if first else (_years(base), None),
        now=(last[0], last[1]) if last else (_years(now), None),
        target=(_years(time.deadline), target),
    )
    reason = judged.reason
    if trend is None and reason is None and judged.status is None:
        reason = "fewer than two values since the baseline"
    found = attrs.evolve(outcome, projected=trend, progress=judged.status,
                         progress_reason=reason if judged.status is None else None,
                         baseline_period=base.label, baseline=first[1] if first else None)
    if outcome.status not in ("on_track", "off_track") or rule.track == "path":
        return found
    if rule.track == "trend":
        decided = None if trend is None else holds(rule.op, trend, target)
        why = "the trend needs two values since the baseline"
    else:
        decided = None if judged.status is None else judged.status in ("target_achieved", "on_track")
        why = f"no progress class: {judged.reason}"
    if decided is None:
        return attrs.evolve(found, status="pending", reason=why, violation_severity=None,
                            severity=rule.severity)
    status: Status = "on_track" if decided else "off_track"
    violation = _violation_severity(status, rule.severity, plan.missing)
    return attrs.evolve(found, status=status, violation_severity=violation,
                        severity=violation or rule.severity, gap=found.gap if not decided else None)


def _years(period: Period) -> float:
    """A period's start in years (2026-07 is 2026.5), the time axis of growth rates."""
    import datetime as dt

    day = dt.date.fromordinal(period.start_day())
    start = dt.date(day.year, 1, 1).toordinal()
    length = dt.date(day.year + 1, 1, 1).toordinal() - start
    return day.year + (period.start_day() - start) / length


def _verdict(
    op: str, actual: float, threshold: float, upper: float | None
) -> tuple[Status, float | None, float]:
    if op == "between":
        assert upper is not None
        if not holds(">=", actual, threshold):
            return "fail", shortfall(">=", actual, threshold), threshold
        if not holds("<=", actual, upper):
            return "fail", shortfall("<=", actual, upper), upper
        return "pass", None, threshold
    if holds(op, actual, threshold):
        return "pass", None, threshold
    return "fail", shortfall(op, actual, threshold), threshold


def _path(
    plan: RulePlan,
    evaluator: Evaluator,
    group: Mapping[str, str],
    point: _Point,
    target: float,
    factor: float,
) -> float | None:
    """The threshold's value on the path at this point, in the reported unit."""
    rule = plan.rule
    if point.mode == "prorata":
        if any(True for v in rule.values()[1:] for _ in m.aggregates(v)):
            return target  # a threshold read from data is already "so far"
        if not _accumulates(rule.left):
            return target  # a mean, a stock or a ratio does not grow from zero over the window
        return target * point.fraction
    time = rule.time
    assert (
        time.deadline is not None
        and time.baseline_period is not None
        and isinstance(point.at, Period | PartialPeriod)
    )
    if time.baseline_value is not None:
        base: float | None = time.baseline_value / factor
    else:
        raw, _ = evaluator.value(rule.left, group, time.baseline_period)
        base = _show(raw, factor)
    if base is None:
        return None
    if isinstance(point.at, PartialPeriod):  # elapsed up to the as-of, in the data's sub-periods
        fraction = elapsed_path_fraction(time.baseline_period, time.deadline, point.at.through)
    else:
        fraction = path_fraction(time.baseline_period, time.deadline, point.at)
    return base + (target - base) * fraction


def _accumulates(value: m.Value) -> bool:
    """Whether *value* is a total that grows with the window: sums and counts, added or scaled.

    Only such a value has a pro-rata path from zero; a mean, a minimum, a
    first/last value or a ratio of totals is compared with the whole target.
    """
    if isinstance(value, m.Aggregate):
        return value.func in ("sum", "count")
    if isinstance(value, m.Constant):
        return True
    if isinstance(value, m.Negate | m.Scale):
        return _accumulates(value.operand)
    if isinstance(value, m.Arith):
        fixed = [not any(True for _ in m.aggregates(side)) for side in (value.left, value.right)]
        if value.op in "+-":
            return _accumulates(value.left) and _accumulates(value.right)
        if value.op == "*":
            return (fixed[0] and _accumulates(value.right)) or (
                fixed[1] and _accumulates(value.left)
            )
        return fixed[1] and _accumulates(value.left)
    return False  # a value fixed in time (`at`) or a lookback


def _show(value: float | None, factor: float) -> float | None:
    """A value in the reported unit, to the report's precision, so every engine judges the same."""
    return None if value is None else significant(value / factor)


def _record(
    plan: RulePlan,
    group: Mapping[str, str],
    point: _Point,
    status: Status,
    actual: float | None,
    threshold: float | None,
    gap: float | None,
    reason: str | None,
    upper: float | None,
    target: float | None,
    deadline: str | None,
) -> Outcome:
    rule = plan.rule
    violation = _violation_severity(status, rule.severity, plan.missing)
    unit = rule.unit.name if rule.unit is not None and rule.unit.name else None
    return Outcome(
        rule=rule.id,
        severity=violation or rule.severity,
        status=status,
        group=dict(group),
        period=point.period,
        actual=actual,
        op=rule.op,
        threshold=threshold,
        unit=unit,
        gap=gap,
        reason=reason,
        location=Location(file=rule.file, line=rule.line, column=rule.column),
        violation_severity=violation,
        target=target,
        deadline=deadline,
        upper=upper,
        sort_key=(plan.index, tuple(group.get(d, "") for d in rule.dimensions), point.sort),
    )


def _violation_severity(status: Status, severity: str, missing: m.MissingPolicy) -> str | None:
    if status == "fail":
        return severity
    if status == "off_track":
        return "warning"
    if status == "missing":
        if missing == "ignore":
            return None
        if missing == "warn":
            return "info" if severity == "info" else "warning"
        return severity
    return None
