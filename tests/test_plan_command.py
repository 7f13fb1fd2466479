"""`directive plan FILE`: the plan a check would execute, printed; and the plan as an object."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

import directive_dsl
from directive_dsl.cli import main
from directive_dsl.evaluate import plan

ROOT = Path(__file__).resolve().parents[1]
MINISTRY = ROOT / "examples" / "ministry" / "ministry.directive"


def test_plan_prints_scans_and_points(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["plan", str(MINISTRY)]) == 0
    out = capsys.readouterr().out
    assert "dataset exports: examples/ministry/exports.csv, 150 rows, monthly, 2024-01..2026-06, as of 2026-06" in out
    assert "dataset investments: examples/ministry/investments.csv, 106 rows, monthly, 2024-01..2026-04, as of 2026-04, fill 0" in out
    # the half-over year is judged on January–June (SPEC §13.4)
    assert "    2026: partial, through 2026-06 (50% of the period)" in out
    assert "rule plan_met: require exports.value[enterprise, product] >= plan.target[enterprise, product] per year" in out
    assert "  one scan, partials shared:" in out


def test_plan_as_json_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(MINISTRY), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    directive = directive_dsl.load(MINISTRY)
    assert [r["id"] for r in doc["rules"]] == [r.id for r in directive.rules]
    assert {d["name"] for d in doc["datasets"]} == {"exports", "plan", "investments"}


def test_plan_follows_the_callers_as_of(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(MINISTRY), "--as-of", "2025", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["as_of"] for r in doc["rules"]} == {"2025"}


def test_aggregates_that_do_not_decompose_are_planned_over_the_rows(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.csv").write_text("year,region,v\n2020,A,1\n2020,A,3\n2021,B,2\n")
    (tmp_path / "t.directive").write_text(
        'dataset t from "t.csv"\n  time year\n  dimensions region\n  measure v\n'
        "rule m: require median(t.v[region]) >= 1 per year\n"
        "rule s: require t.v >= 1 per year\n")
    assert main(["plan", str(tmp_path / "t.directive")]) == 0
    out = capsys.readouterr().out
    assert "  over the rows (not decomposable):\n    median(v) by region per year\n" in out
    assert "  one scan, partials shared:\n    sum(v) per year\n" in out


def test_plan_is_frozen_and_every_engine_gets_the_same_requests() -> None:
    directive = directive_dsl.load(MINISTRY)
    first = plan(directive, {}, engine="python")
    second = plan(directive, {}, engine="duckdb")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        first.rules = ()  # type: ignore[misc]
    assert first.aggregates == second.aggregates and first.coverage == second.coverage
    assert [r.points for r in first.rules] == [r.points for r in second.rules]


def test_a_missing_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(tmp_path / "nothing.directive")]) == 2
    assert "error" in capsys.readouterr().err


def test_a_total_before_the_windows_end_says_whether_its_threshold_is_pro_rata(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sum in total is compared with the elapsed share of its target; a median or a number of
    distinct values with the whole target (docs/semantics.md §3): the plan must not call both pro rata."""
    (tmp_path / "t.csv").write_text("year,region,v\n2020,A,1\n2021,A,3\n")
    (tmp_path / "t.directive").write_text(
        'directive "T"\n  period 2020 to 2023\n'
        'dataset t from "t.csv"\n  time year\n  dimensions region\n  measure v\n'
        "rule s: require t.v >= 8 in total\n"
        "rule m: require median(t.v) >= 1 in total\n"
        "rule d: require count_distinct(t.region) >= 1 in total\n")
    assert main(["plan", str(tmp_path / "t.directive"), "--format", "json"]) == 0
    points = {r["id"]: r["points"] for r in json.loads(capsys.readouterr().out)["rules"]}
    assert points["s"] == ["2020..2023: pro rata (50% of the window elapsed)"]
    whole = "2020..2023: before the window's end (50% elapsed), against the whole threshold"
    assert points["m"] == points["d"] == [whole]
    doc = directive_dsl.load(tmp_path / "t.directive").evaluate({}).to_dict(include_passing=True)
    assert {o["rule"]: o["threshold"] for o in doc["outcomes"]} == {"s": 4, "m": 1, "d": 1}
