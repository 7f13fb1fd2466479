"""Progress toward deadlines in reports (SPEC §13.8): projection, SDG class and @track, every engine."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import directive_dsl
from directive_dsl.errors import DirectiveError
from test_progress import _series, reference_class

GAPMINDER = Path(__file__).parent.parent / "examples" / "gapminder" / "gapminder.csv"

LIFE = """
dataset gapminder from "gapminder.csv"
  time year
  dimensions country, continent, iso_alpha
  measure lifeExp aggregate mean
rule life "Life expectancy of 72 years by 2030":
  require gapminder.lifeExp[country] >= 72 by 2030 from 1987
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gapminder")
    shutil.copy(GAPMINDER, path / "gapminder.csv")
    return path


def test_every_country_gets_the_reference_class_and_trend(folder: Path, engine: Any) -> None:
    directive = directive_dsl.loads(LIFE, filename=str(folder / "life.directive"))
    report = directive.evaluate(engine=engine)
    series = _series()
    seen = set()
    assert len(report.outcomes) >= 50
    for outcome in report.outcomes:
        values = series[outcome.group["country"]]
        want = reference_class(">=", values[1987], 1987, values[2007], 2007, 72.0, 2030)
        assert outcome.progress == want, outcome
        points = [(t, y) for t, y in values.items() if t >= 1987]
        slope, intercept = np.polyfit([t for t, _ in points], [y for _, y in points], 1)
        assert outcome.projected == pytest.approx(slope * 2030 + intercept, rel=1e-9)
        seen.add(outcome.progress)
    assert seen >= {"target_achieved", "on_track", "acceleration_needed", "limited_progress",
                    "deterioration"}


DECREASING = """
dataset d
  time year
  measure deaths
@track {track}
rule fewer:
  require d.deaths <= 25 by 2030 from 2020
"""


def _rows(values: dict[int, float]) -> list[dict[str, Any]]:
    return [{"year": y, "deaths": v} for y, v in values.items()]


@pytest.mark.parametrize("track,values,status,progress", [
    # Halving from 50 by 2030 needs about -6.7% a year; -8% a year is on track.
    ("sdg", {2020: 50.0, 2021: 46.0, 2022: 42.3}, "on_track", "on_track"),
    ("sdg", {2020: 50.0, 2021: 51.0, 2022: 52.0}, "off_track", "deterioration"),
    ("trend", {2020: 50.0, 2021: 44.0, 2022: 40.0}, "on_track", "on_track"),
    ("trend", {2020: 50.0, 2021: 49.0, 2022: 48.0}, "off_track", "limited_progress"),
    ("path", {2020: 50.0, 2021: 48.0, 2022: 45.0}, "on_track", "acceleration_needed"),
])
def test_track_decides_on_or_off_track(engine: Any, track: str, values: dict[int, float],
                                       status: str, progress: str) -> None:
    directive = directive_dsl.loads(DECREASING.format(track=track))
    [outcome] = directive.evaluate({"d": _rows(values)}, engine=engine).outcomes
    assert (outcome.status, outcome.progress) == (status, progress)
    assert outcome.projected is not None


def test_corners(engine: Any) -> None:
    sdg = directive_dsl.loads(DECREASING.format(track="sdg"))
    # The baseline already meets the target: no class, with a reason; the SDG track cannot judge.
    [met] = sdg.evaluate({"d": _rows({2020: 20.0, 2021: 30.0})}, engine=engine).outcomes
    assert met.progress is None and met.progress_reason == "the baseline already meets the target"
    assert met.status == "pending" and met.reason is not None
    # Zero is no base for a growth rate.
    [zero] = sdg.evaluate({"d": _rows({2020: 0.0, 2021: 30.0})}, engine=engine).outcomes
    assert zero.progress is None and "positive" in (zero.progress_reason or "")
    # One value: no trend, no class.
    trend = directive_dsl.loads(DECREASING.format(track="trend"))
    [single] = trend.evaluate({"d": _rows({2020: 40.0})}, engine=engine).outcomes
    assert single.projected is None and single.status == "pending"
    # Already there: target achieved comes first.
    [done] = sdg.evaluate({"d": _rows({2020: 50.0, 2021: 24.0})}, engine=engine).outcomes
    assert (done.progress, done.status) == ("target_achieved", "on_track")


def test_the_json_carries_projection_and_class(engine: Any) -> None:
    directive = directive_dsl.loads(DECREASING.format(track="path"))
    doc = directive.evaluate({"d": _rows({2020: 50.0, 2021: 48.0, 2022: 45.0})},
                             engine=engine).to_dict(include_passing=True)
    [outcome] = doc["outcomes"]
    assert outcome["progress"] == "acceleration_needed"
    # The line through (2020, 50), (2021, 48), (2022, 45): slope -2.5, 47.67 in 2021.
    assert outcome["projected"] == pytest.approx(143 / 3 - 2.5 * 9, rel=1e-9)


def test_track_needs_a_deadline() -> None:
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads("dataset d\n  time year\n  measure x\n@track trend\nrule r: require d.x >= 5 per year\n")
    assert caught.value.code == "E400" and "deadline" in caught.value.message
