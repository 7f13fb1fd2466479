"""The time axis of a chart: evenly spaced periods, and where an outcome or a path falls on it.

>>> axis(["2026", "2027"], ("2026", "2030"))
['2026', '2027', '2028', '2029', '2030']
>>> slot("2027", ["2026", "2027", "2028"]), slot("2027-Q2", ["2026", "2027"]), future(["2026", "2027"], "2026")
(1, 1, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..periods import GRAINS, Grain, Period, is_finer, period_range

if TYPE_CHECKING:
    from ..report import Outcome

#: Past this many periods the axis keeps only the periods that have outcomes.
MAX_AXIS = 240


def parse(label: str | None) -> Period | None:
    """The period a label names, or None (a window ``2026..2030`` is not one period)."""
    return Period.parse(label) if label else None


def at_grain(period: Period, grain: Grain) -> Period:
    """*period* at *grain*: the period holding it, or its first sub-period when *grain* is finer."""
    if is_finer(grain, period.grain):
        return Period("day", period.start_day()).to_grain(grain)
    return period.to_grain(grain)


def axis(labels: Sequence[str], window: tuple[str, str] | None) -> list[str] | None:
    """Evenly spaced period labels: the window and every labelled period, at the finest grain."""
    parsed = [parse(label) for label in labels]
    if not parsed:
        return None
    if any(p is None for p in parsed):
        return list(dict.fromkeys(labels))  # not periods: keep them in order, one slot each
    periods = [p for p in parsed if p is not None]
    grain = max((p.grain for p in periods), key=GRAINS.index)
    found = {at_grain(p, grain) for p in periods}
    if window is not None:
        start, end = parse(window[0]), parse(window[1])
        if start is not None and end is not None:
            found |= {at_grain(start, grain), Period("day", end.end_day()).to_grain(grain)}
    first, last = min(found), max(found)
    if last.ordinal - first.ordinal >= MAX_AXIS:
        return [p.label for p in sorted(found)]
    return [p.label for p in period_range(first, last)]


def slot(label: str | None, labels: Sequence[str]) -> int | None:
    """The position of period *label* on the axis *labels* (at the axis's grain), if it is there."""
    if label is None:
        return None
    if label in labels:
        return labels.index(label)
    period, first = parse(label), parse(labels[0]) if labels else None
    if period is None or first is None:
        return None
    moved = at_grain(period, first.grain).label
    return labels.index(moved) if moved in labels else None


def future(labels: Sequence[str], as_of: str | None) -> int | None:
    """The first slot after the as-of period, if any."""
    now = parse(as_of)
    if now is None:
        return None
    for i, label in enumerate(labels):
        period = parse(label)
        if period is not None and period.start_day() > now.end_day():
            return i
    return None


def where(o: Outcome, labels: Sequence[str], as_of: str | None) -> int | None:
    """The slot of an outcome: its period, or the as-of period for a window judged so far."""
    found = slot(o.period, labels)
    return found if found is not None else slot(as_of, labels)


def path_line(o: Outcome, labels: Sequence[str], as_of: str | None) -> list[tuple[int, float]]:
    """The straight path through this outcome's path value and its target at the deadline, slot by slot.

    The path is straight in periods (SPEC §7.5), so the two points the outcome
    carries fix it: its threshold now and its target at the deadline. It is
    drawn from the baseline period (``by … from``), never before it.
    """
    at, due = where(o, labels, as_of), slot(o.deadline, labels)
    if o.status not in ("on_track", "off_track") or at is None or due is None or at == due:
        return []
    if o.threshold is None or o.target is None:
        return []
    slope = (o.target - o.threshold) / (due - at)
    # it starts at the baseline, where progress is measured from; without one, where the data stands
    start = slot(o.baseline_period, labels)
    start = at if start is None or start > at else start
    return [(i, o.threshold + slope * (i - at)) for i in range(start, due + 1)]
