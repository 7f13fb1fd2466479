"""When a rule is judged: its as-of period, its window and its periods (SPEC §7.1, §7.5).

The window is the caller's, else the header's ``period``, else the periods
present in the rule's data. The as-of period is the caller's, else the latest
period with data in the rule's datasets.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from .model import CheckedRule
from .periods import Grain, Period, is_finer, latest, period_range
from .plan import RangeBucket


@attrs.frozen(kw_only=True)
class Window:
    """The evaluation window: a range of periods, or the periods present in the data."""

    start: Period
    end: Period
    from_data: bool = False
    present: tuple[Period, ...] = ()  # from_data: the periods with data

    @property
    def label(self) -> str:
        return f"{self.start}..{self.end}"

    def range_to(self, last: Period | None = None) -> RangeBucket:
        """The days from the window's start to its end, or to the end of *last* if earlier."""
        end = self.end.end_day()
        if last is not None:
            end = min(end, last.end_day())
        return RangeBucket(self.start.start_day(), end)


def first_within(period: Period, grain: Grain) -> Period:
    """The first period of the finer (or same) *grain* inside *period*."""
    return Period("day", period.start_day()).to_grain(grain)


def last_within(period: Period, grain: Grain) -> Period:
    """The last period of the finer (or same) *grain* inside *period*."""
    return Period("day", period.end_day()).to_grain(grain)


def start_index(period: Period, grain: Grain) -> int:
    """*period*'s position on the time line of *grain* (its first sub-period's ordinal)."""
    return first_within(period, grain).ordinal


def window_for(
    caller: tuple[Period, Period] | None,
    header: tuple[Period, Period] | None,
    present: Sequence[Period],
) -> Window | None:
    chosen = caller or header
    if chosen is not None:
        return Window(start=chosen[0], end=chosen[1])
    if not present:
        return None
    first = min(present, key=lambda p: (p.start_day(), p.end_day()))
    return Window(start=first, end=latest(present) or first, from_data=True, present=tuple(present))


def per_periods(rule: CheckedRule, window: Window, as_of: Period) -> list[Period]:
    """The periods of a ``per GRAIN`` rule: the window's (or the data's), within the rule's range, up to as-of."""
    grain = rule.time.grain
    assert grain is not None
    if window.from_data:
        candidates = sorted({p.to_grain(grain) for p in window.present if not is_finer(grain, p.grain)})
    else:
        candidates = period_range(first_within(window.start, grain), last_within(window.end, grain))
    start, end = rule.time.start, rule.time.end
    return [
        p
        for p in candidates
        if (start is None or p.ordinal >= start.ordinal)
        and (end is None or p.ordinal <= end.ordinal)
        and p.start_day() <= as_of.end_day()
    ]


def path_fraction(baseline: Period, deadline: Period, at: Period) -> float:
    """How far along the straight path from *baseline* to *deadline* the period *at* stands."""
    from .periods import finer

    grain = finer(finer(baseline.grain, deadline.grain), at.grain)
    first = start_index(baseline, grain)
    span = start_index(deadline, grain) - first
    return (start_index(at, grain) - first) / span if span else 1.0


def elapsed_path_fraction(baseline: Period, deadline: Period, as_of: Period) -> float:
    """How far along the path from the end of *baseline* to the end of *deadline* data through
    *as_of* stands, counted in the finest grain's periods (SPEC §13.4): with yearly data the
    same as :func:`path_fraction`, with monthly data through June six months of a year."""
    from .periods import finer

    grain = finer(finer(baseline.grain, deadline.grain), as_of.grain)
    start = last_within(baseline, grain).ordinal
    span = last_within(deadline, grain).ordinal - start
    return (last_within(as_of, grain).ordinal - start) / span if span else 1.0
