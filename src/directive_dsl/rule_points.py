"""Which periods a rule is judged in, and how (SPEC §7, §13.3–13.4): part of the plan.

A rule ``per year`` is judged in each year of its window up to its as-of; a
rule ``by 2030`` at its deadline, or on the path to it before; a year the
as-of lies inside is judged on its covered part (``@partial``). Each is a
:class:`Point`; judging computes the values at each point for each group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import attrs

from . import model as m
from .aggregates import kind_of
from .partial import PartialPeriod, partial_at
from .periods import Period, elapsed_fraction, is_finer
from .rule_values import At, RulePlan
from .timing import last_within, per_periods


@attrs.frozen
class Point:
    """One period (or window) a rule's groups are judged in, and how: judged, on a path to a
    deadline, pro rata, on its covered part, or pending with a reason."""

    period: str
    at: At | None  # None: nothing to compute (pending before any data)
    sort: tuple[int, int]
    mode: Literal["judge", "path", "pending", "prorata", "partial"] = "judge"
    fraction: float = 1.0  # prorata: share of the window elapsed; partial: of the period covered
    reason: str | None = None


def accumulates(value: m.Value) -> bool:
    """Whether *value* is a total that grows with the window: sums and counts, added or scaled.

    Only such a value has a pro-rata path from zero; a mean, a minimum, a
    first/last value or a ratio of totals is compared with the whole target.
    """
    if isinstance(value, m.Aggregate):
        return kind_of(value.func).accumulates
    if isinstance(value, m.Constant):
        return True
    if isinstance(value, m.Negate | m.Scale):
        return accumulates(value.operand)
    if isinstance(value, m.Arith):
        fixed = [not any(True for _ in m.aggregates(side)) for side in (value.left, value.right)]
        if value.op in "+-":
            return accumulates(value.left) and accumulates(value.right)
        if value.op == "*":
            return (fixed[0] and accumulates(value.right)) or (
                fixed[1] and accumulates(value.left)
            )
        return fixed[1] and accumulates(value.left)
    return False  # a value fixed in time (`at`) or a lookback


def pro_rata(rule: m.CheckedRule) -> bool:
    """Whether a total judged before its window's end is compared with the elapsed share of its
    threshold (SPEC §7.5, §13.4): a sum or a count, against a constant. A threshold read from data
    is already "so far", and a mean, a median or a number of distinct values does not grow from
    zero over the window: those are compared with the whole threshold."""
    if any(True for v in rule.values()[1:] for _ in m.aggregates(v)):
        return False
    return accumulates(rule.left)


def partial_periods(plan: RulePlan) -> list[PartialPeriod]:
    """The periods of the rule judged on the part its data covers (SPEC §13.4): at most one,
    the period holding the as-of, when it is coarser than the as-of and not yet over."""
    return [p.at for p in points(plan) if isinstance(p.at, PartialPeriod)]


def not_judged(plan: RulePlan) -> list[tuple[str, str]]:
    """The periods `@partial skip` leaves without an outcome, and why."""
    if plan.rule.partial != "skip":
        return []
    tracked = attrs.evolve(plan, rule=attrs.evolve(plan.rule, partial="track"))
    return [(part.label, f"partial: the data runs through {part.through}")
            for part in partial_periods(tracked)]


def points(plan: RulePlan) -> Iterator[Point]:
    time = plan.rule.time
    as_of = plan.as_of
    if as_of is None:
        label = time_label(plan)
        yield Point(label, None, (0, 0), mode="pending", reason="no data")
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
            yield Point(
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
            yield Point(window.label, window.range_to(), sort)
        elif as_of.end_day() < window.start.start_day():
            yield Point(
                window.label,
                None,
                sort,
                mode="pending",
                reason=f"the window starts after the latest data ({as_of})",
            )
        else:
            fraction = elapsed_fraction(window.start, window.end, as_of)
            yield Point(
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
        yield Point(
            now.label,
            now,
            (now.start_day(), now.end_day()),
            mode="pending",
            reason=f"the deadline {deadline} is not reached",
        )
    elif now.start_day() < time.baseline_period.start_day():
        # before the baseline there is no path to judge the pace by
        yield Point(
            now.label,
            now,
            (now.start_day(), now.end_day()),
            mode="pending",
            reason=f"the latest data ({as_of}) is before the baseline {time.baseline_period}",
        )
    else:
        part = partial_at(now, as_of)
        if part is None or plan.rule.partial == "full":
            yield Point(now.label, now, (now.start_day(), now.end_day()), mode="path")
        elif plan.rule.partial == "track":
            yield Point(now.label, part, (now.start_day(), now.end_day()), mode="path")


def _judged(plan: RulePlan, period: Period, as_of: Period) -> Iterator[Point]:
    """*period* to judge: whole, or on the part the data covers when the as-of lies inside it,
    as `@partial` says (SPEC §13.4)."""
    sort = (period.start_day(), period.end_day())
    part = partial_at(period, as_of)
    if part is None or plan.rule.partial == "full":
        yield Point(period.label, period, sort)
    elif plan.rule.partial == "track":
        yield Point(period.label, part, sort, mode="partial", fraction=part.fraction)


def _finer(a: Period, b: Period) -> bool:
    return is_finer(a.grain, b.grain)


def time_label(plan: RulePlan) -> str:
    time = plan.rule.time
    if time.kind == "in" and time.start is not None:
        return time.start.label
    if time.kind == "by" and time.deadline is not None:
        return time.deadline.label
    return plan.window.label if plan.window else "all"
