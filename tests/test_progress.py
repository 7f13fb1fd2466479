"""Progress classes and trend projections (SPEC §13.8) against an independent reading of the method.

The reference here follows the specification's formulas literally
(R = CAGR_obs / CAGR_req, thresholds 0.95 / 0.6 / 0) with numpy's polyfit for
the trend, on the Gapminder life-expectancy series of every country.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from directive_dsl.progress import progress_class, projected

GAPMINDER = Path(__file__).parent.parent / "examples" / "gapminder" / "gapminder.csv"


def reference_class(op: str, y0: float, t0: float, yi: float, ti: float, yt: float, tt: float) -> str | None:
    increasing = op in (">=", ">")
    achieved = yi >= yt if increasing else yi <= yt
    if achieved:
        return "target_achieved"
    if min(y0, yi, yt) <= 0 or ti == t0 or (y0 >= yt if increasing else y0 <= yt):
        return None
    cagr_obs = (yi / y0) ** (1 / (ti - t0)) - 1
    cagr_req = (yt / y0) ** (1 / (tt - t0)) - 1
    r = cagr_obs / cagr_req
    if r >= 0.95:
        return "on_track"
    if r >= 0.6:
        return "acceleration_needed"
    if r >= 0:
        return "limited_progress"
    return "deterioration"


def _series() -> dict[str, dict[int, float]]:
    found: dict[str, dict[int, float]] = defaultdict(dict)
    with GAPMINDER.open(newline="") as f:
        for row in csv.DictReader(f):
            found[row["country"]][int(row["year"])] = float(row["lifeExp"])
    return found


@pytest.mark.parametrize("op,target", [(">=", 72.0), (">", 65.0)])
def test_life_expectancy_classes_match_the_reference(op: str, target: float) -> None:
    series = _series()
    assert len(series) >= 50
    seen = set()
    for country, values in series.items():
        got = progress_class(op, base=(1987, values[1987]), now=(2007, values[2007]),
                             target=(2030, target))
        want = reference_class(op, values[1987], 1987, values[2007], 2007, target, 2030)
        assert got.status == want, (country, got, want)
        seen.add(got.status)
    assert seen >= {"target_achieved", "on_track", "acceleration_needed", "limited_progress",
                    "deterioration"}


def test_decreasing_targets_use_the_direction() -> None:
    # Infant deaths down from 50 to 25 by 2030: halving needs about -4.5% a year.
    on = progress_class("<=", base=(2015, 50.0), now=(2020, 39.0), target=(2030, 25.0))
    assert on.status == "on_track"
    worse = progress_class("<=", base=(2015, 50.0), now=(2020, 55.0), target=(2030, 25.0))
    assert worse.status == "deterioration" and worse.ratio is not None and worse.ratio < 0
    slow = progress_class("<", base=(2015, 50.0), now=(2020, 47.0), target=(2030, 25.0))
    assert slow.status == "limited_progress"
    assert reference_class("<", 50.0, 2015, 47.0, 2020, 25.0, 2030) == "limited_progress"


def test_thresholds_sit_at_their_bounds() -> None:
    # Required growth 10% a year over 10 years; observed over 1 year at exactly R.
    def at(ratio: float) -> str | None:
        return progress_class(">=", base=(2020, 100.0), now=(2021, 100.0 * (1 + 0.1 * ratio)),
                              target=(2030, 100.0 * 1.1**10)).status

    assert at(0.95 + 1e-9) == "on_track"
    assert at(0.9499) == "acceleration_needed"
    assert at(0.6 + 1e-9) == "acceleration_needed"
    assert at(0.5999) == "limited_progress"
    assert at(0.0) == "limited_progress"
    assert at(-0.01) == "deterioration"


def test_no_class_with_a_reason() -> None:
    already = progress_class(">=", base=(2020, 200.0), now=(2022, 150.0), target=(2030, 180.0))
    assert already.status is None and already.reason == "the baseline already meets the target"
    zero = progress_class(">=", base=(2020, 0.0), now=(2022, 5.0), target=(2030, 10.0))
    assert zero.status is None and zero.reason is not None and "positive" in zero.reason
    negative = progress_class("<=", base=(2020, -3.0), now=(2022, -4.0), target=(2030, -10.0))
    assert negative.status is None and negative.reason is not None
    single = progress_class(">=", base=(2020, 10.0), now=(2020, 10.0), target=(2030, 20.0))
    assert single.status is None and single.reason is not None and "two values" in single.reason
    equal = progress_class("=", base=(2020, 10.0), now=(2021, 11.0), target=(2030, 20.0))
    assert equal.status is None
    missing = progress_class(">=", base=(2020, None), now=(2021, 11.0), target=(2030, 20.0))
    assert missing.status is None


def test_the_target_achieved_comes_first() -> None:
    # Already there, even from a baseline that met it as well.
    assert progress_class(">=", base=(2020, 30.0), now=(2022, 25.0), target=(2030, 20.0)).status == "target_achieved"
    # Within the comparison tolerance counts as met.
    assert progress_class(">=", base=(2020, 10.0), now=(2022, 20.0 - 1e-12), target=(2030, 20.0)).status == "target_achieved"


def test_projection_matches_polyfit_on_every_country() -> None:
    for country, values in _series().items():
        points = sorted((float(t), y) for t, y in values.items() if t >= 1987)
        slope, intercept = np.polyfit([t for t, _ in points], [y for _, y in points], 1)
        got = projected(points, 2030)
        assert got == pytest.approx(slope * 2030 + intercept, rel=1e-9), country


def test_projection_needs_two_years() -> None:
    assert projected([], 2030) is None
    assert projected([(2020.0, 5.0)], 2030) is None
    assert projected([(2020.0, 5.0), (2020.0, 6.0)], 2030) is None
    assert projected([(2020.0, 5.0), (2022.0, 9.0)], 2030) == pytest.approx(25.0)
