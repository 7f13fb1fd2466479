"""From an engine's answers to outcomes: alignment, lookback, paths, tolerance (SPEC §7).

This module is shared by every engine, so the meaning of a directive lives in
one place. Values are computed in base units and shown in the rule's unit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

import attrs

from . import model as m
from .aggregates import kind_of
from .partial import PartialPeriod, covers_whole_period, partial_at
from .periods import Period, is_finer, period_range
from .plan import (
    AggregateRequest,
    Answers,
    Bucket,
    CoverageRequest,
    GrainBucket,
    RangeBucket,
    TableInfo,
)
from .plan_tables import combination_requests, rows_of
from .report import Coverage, Location, Outcome, Status, significant
from .rule_groups import datasets_with
from .rule_values import At, Evaluator, RulePlan, in_rule_unit
from .timing import elapsed_path_fraction, last_within, path_fraction, per_periods

TOLERANCE = 1e-9


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
            for name in datasets_with(plan.rule, tables, dim):
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
    groups: Sequence[Mapping[str, str]],
) -> list[Outcome]:
    """The outcomes of one rule for its *groups* (those with a target, :func:`targeted_groups`)."""
    evaluator = Evaluator(plan, tables, answers)
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
            actual = in_rule_unit(values[0], factor) if status == "pending" else None
            threshold = in_rule_unit(values[1], factor)
            return _record(
                plan,
                group,
                point,
                status,
                actual,
                threshold,
                None,
                missing,
                in_rule_unit(values[2], factor),
                None,
                deadline,
            )
    actual, threshold, upper = (in_rule_unit(v, factor) for v in values)
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
            value = in_rule_unit(evaluator.value(rule.left, group, period)[0], factor)
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
        base = in_rule_unit(raw, factor)
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
        return kind_of(value.func).accumulates
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
