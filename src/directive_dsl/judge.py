"""From an engine's answers to outcomes: alignment, lookback, paths, tolerance (SPEC §7).

This module is shared by every engine, so the meaning of a directive lives in
one place. Values are computed in base units and shown in the rule's unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from . import model as m
from .comparison import holds, shortfall
from .partial import PartialPeriod, covers_whole_period
from .periods import Period, period_range
from .plan import (
    Answers,
    TableInfo,
)
from .report import Coverage, Location, Outcome, Status, significant
from .rule_points import Point, accumulates, pro_rata
from .rule_values import Evaluator, RulePlan, in_rule_unit
from .timing import elapsed_path_fraction, last_within, path_fraction

# ---------------------------------------------------------------- outcomes


def judge_rule(
    plan: RulePlan,
    points: Sequence[Point],
    tables: Mapping[str, TableInfo],
    answers: Answers,
    groups: Sequence[Mapping[str, str]],
) -> list[Outcome]:
    """The outcomes of one rule for its *groups* (those with a target, :func:`targeted_groups`)."""
    evaluator = Evaluator(plan, tables, answers)
    outcomes = [_outcome(plan, evaluator, group, point) for group in groups for point in points]
    return outcomes


def _outcome(
    plan: RulePlan, evaluator: Evaluator, group: Mapping[str, str], point: Point
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
        values = []
        missing, seen_missing = None, False  # the reason of the first side without a value
        for side in rule.values():
            value, why = evaluator.value(side, group, at)
            if value is None and not seen_missing:
                missing, seen_missing = why, True
            values.append(value)
        values += [None] * (3 - len(values))
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
    actual, threshold, upper = in_rule_unit(values[0], factor), in_rule_unit(values[1], factor), in_rule_unit(
        values[2], factor)
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
        if accumulates(rule.left) and all(covers_whole_period(v, evaluator.tables, at.period)
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
    point: Point,
    target: float,
    factor: float,
) -> float | None:
    """The threshold's value on the path at this point, in the reported unit."""
    rule = plan.rule
    if point.mode == "prorata":
        return target * point.fraction if pro_rata(rule) else target
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


def _record(
    plan: RulePlan,
    group: Mapping[str, str],
    point: Point,
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
