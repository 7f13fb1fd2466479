"""Progress toward a deadline: the trend projection and the SDG progress class (SPEC §13.8).

Both look at the yearly values of a ``by`` rule from its baseline to the
as-of period. Times are in years (a quarter is a quarter of a year), so the
growth rates are annual whatever the data's grain.

The progress class is the method of Statistics Canada adopted by Open SDG:
the observed compound annual growth rate over the one required to reach the
target on time, ``R = d * CAGR_obs / |CAGR_req|`` with ``d`` the desired
direction (+1 for ``>=``/``>``, -1 for ``<=``/``<``). Where the method is
defined at all, ``d / |CAGR_req|`` equals ``1 / CAGR_req``, so this is the
``CAGR_obs / CAGR_req`` of the specification.

>>> progress_class(">=", base=(2020, 100.0), now=(2023, 115.0), target=(2030, 150.0)).status
'on_track'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import attrs

from .comparison import TOLERANCE

ProgressStatus = Literal[
    "target_achieved", "on_track", "acceleration_needed", "limited_progress", "deterioration"
]
PROGRESS_STATUSES: tuple[ProgressStatus, ...] = (
    "target_achieved",
    "on_track",
    "acceleration_needed",
    "limited_progress",
    "deterioration",
)

#: The lower bound of R for each class after ``target_achieved``, best first.
THRESHOLDS: tuple[tuple[float, ProgressStatus], ...] = (
    (0.95, "on_track"),
    (0.6, "acceleration_needed"),
    (0.0, "limited_progress"),
)

_DIRECTIONS = {">=": 1, ">": 1, "<=": -1, "<": -1}


@attrs.frozen
class Progress:
    """A progress class, the ratio R it came from, or why there is none."""

    status: ProgressStatus | None
    ratio: float | None = None
    reason: str | None = None


def cagr(start: float, end: float, years: float) -> float:
    """The compound annual growth rate from *start* to *end* over *years*.

    >>> round(cagr(100.0, 121.0, 2), 12)
    0.1
    """
    return float((end / start) ** (1.0 / years) - 1.0)


def meets(op: str, value: float, target: float) -> bool:
    """Whether *value* already meets the target of ``op`` (the tolerance of SPEC §7.3)."""
    direction = _DIRECTIONS[op]
    tolerance = TOLERANCE * max(abs(value), abs(target))
    if op in (">=", "<="):
        return direction * (value - target) >= -tolerance
    return direction * (value - target) > tolerance


def progress_class(
    op: str,
    *,
    base: tuple[float, float | None],
    now: tuple[float, float | None],
    target: tuple[float, float],
) -> Progress:
    """The class of the progress from ``base`` to ``now`` toward ``target``, each (year, value)."""
    if op not in _DIRECTIONS:
        return Progress(None, reason=f"`{op}` has no direction to progress in")
    (t_base, y_base), (t_now, y_now), (t_target, y_target) = base, now, target
    if y_base is None or y_now is None:
        return Progress(None, reason="a value is missing")
    if meets(op, y_now, y_target):
        return Progress("target_achieved")
    if t_now <= t_base:
        return Progress(None, reason="fewer than two values since the baseline")
    if y_base <= 0 or y_now <= 0 or y_target <= 0:
        return Progress(None, reason="growth rates need positive values")
    if meets(op, y_base, y_target):
        return Progress(None, reason="the baseline already meets the target")
    if t_target <= t_base:
        return Progress(None, reason="the deadline is not after the baseline")
    observed = cagr(y_base, y_now, t_now - t_base)
    required = cagr(y_base, y_target, t_target - t_base)
    ratio = _DIRECTIONS[op] * observed / abs(required)
    for bound, status in THRESHOLDS:
        if ratio >= bound:
            return Progress(status, ratio)
    return Progress("deterioration", ratio)


def projected(points: Sequence[tuple[float, float]], at: float) -> float | None:
    """The least-squares line through *points* (year, value), read at year *at*.

    None with fewer than two distinct years.

    >>> projected([(2020, 1.0), (2021, 2.0), (2022, 3.0)], 2030)
    11.0
    """
    if len({t for t, _ in points}) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((t - mean_t) ** 2 for t, _ in points)
    sxy = sum((t - mean_t) * (y - mean_y) for t, y in points)
    slope = sxy / sxx
    return mean_y + slope * (at - mean_t)
