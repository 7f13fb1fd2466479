"""Per rule, the human formats give the rule as written and, for a target due by a deadline, its
baseline, target, projection and progress class (SPEC §13.8, §13.9); the same on every engine."""

from __future__ import annotations

import re
from typing import Any

import pytest

import directive_dsl
from directive_dsl.formats import render
from directive_dsl.report import Report
from engine_neutral import neutral_json

DIRECTIVE = """\
dataset trade
  time year
  dimensions region
  measure value USD

rule reach "Each region reaches 200 USD by 2030":
  require trade.value[region]
    >= 200 USD by 2030 from 2024   # the path starts at each region's own 2024 value
rule share "A share stated from a baseline":
  require share(trade.value[region = "North"], trade.value) >= 60% by 2030 from 40% in 2024
"""

ROWS = [{"year": year, "region": region, "value": value}
        for year, north, south in ((2024, 100.0, 80.0), (2025, 110.0, 80.0), (2026, 125.0, 78.0),
                                   (2027, 140.0, 75.0))
        for region, value in (("North", north), ("South", south))]


@pytest.fixture
def report(engine: Any) -> Report:
    return directive_dsl.loads(DIRECTIVE, filename="t.directive").evaluate({"trade": ROWS}, engine=engine)


def test_the_rule_as_written_is_in_the_json_and_every_human_format(report: Report) -> None:
    formulas = [r["formula"] for r in report.to_dict()["rules"]]
    assert formulas == ["require trade.value[region] >= 200 USD by 2030 from 2024",
                        'require share(trade.value[region = "North"], trade.value) >= 60% by 2030 from 40% in 2024']
    text = render(report, "text", include_passing=True)
    markdown = render(report, "markdown", include_passing=True)
    html = render(report, "html")
    for formula in formulas:
        assert f"  rule: {formula}\n" in text
        assert f"Rule: `{formula}`" in markdown
        assert f"Rule as written: <code>{formula.replace('>', '&gt;')}</code>" in html


def test_a_deadline_gives_baseline_target_projection_and_progress(report: Report) -> None:
    outcomes = {(o["rule"], o["group"].get("region"), o["period"]): o
                for o in report.to_dict(include_passing=True)["outcomes"]}
    north = outcomes[("reach", "North", "2027")]
    assert (north["baseline_period"], north["baseline"], north["target"], north["deadline"]) == (
        "2024", 100.0, 200.0, "2030")
    assert north["projected"] == 179.5  # least squares through 100, 110, 125, 140: 118.75 + 13.5 × 4.5
    south = outcomes[("reach", "South", "2027")]
    assert (south["baseline"], south["progress"]) == (80.0, "deterioration")
    stated = outcomes[("share", None, "2027")]
    assert (stated["baseline_period"], stated["baseline"]) == ("2024", 40.0)

    text = render(report, "text", include_passing=True)
    line = next(line for line in text.splitlines() if line.startswith("  progress region = South, 2027: "))
    assert re.fullmatch(r"  progress region = South, 2027: baseline 80 USD in 2024 · target 200 USD by 2030 · "
                        r"projected [0-9.]+ USD in 2030 · deterioration", line), line
    assert "- progress region = South, 2027: baseline 80 USD in 2024 · " in render(report, "markdown",
                                                                                  include_passing=True)
    html = render(report, "html")
    assert '<li><span class="where">region = South, 2027</span>: baseline 80 USD in 2024 · ' in html
    # the percentage gap of the stated share is in percentage points
    assert re.search(r"\| 2027 \| \S+ (on|off) track \| [0-9.]+% \| ≥ [0-9.]+% \(path; target 60% by 2030\) \|",
                     render(report, "markdown", include_passing=True))


def test_every_engine_writes_the_same_rule_words(report: Report) -> None:
    reference = directive_dsl.loads(DIRECTIVE, filename="t.directive").evaluate({"trade": ROWS}, engine="python")
    assert neutral_json(report) == neutral_json(reference)
    for fmt in ("text", "markdown", "html"):  # all but the line on when and by which engine
        mine, theirs = (re.sub(r'<p class="made">.*?</p>|^\*?Made .*$', "", render(r, fmt, include_passing=True),
                               flags=re.MULTILINE) for r in (report, reference))
        assert "region = North, 2027" in mine and "baseline 100 USD in 2024" in mine and mine == theirs


@pytest.mark.parametrize(("locale", "words"), [
    ("ru", ["  правило: require trade.value[region] >= 200 USD by 2030 from 2024\n",
            "  ход выполнения, region = South, 2027: базовое значение 80 USD (2024) · цель 200 USD к 2030 · "
            "прогноз на 2030: "]),
    ("be", ["  правіла: require trade.value[region] >= 200 USD by 2030 from 2024\n",
            "  ход выканання, region = South, 2027: базавае значэнне 80 USD (2024) · мэта 200 USD да 2030 · "
            "прагноз на 2030: "]),
])
def test_the_rule_words_are_in_the_report_language(report: Report, locale: str, words: list[str]) -> None:
    text = render(report, "text", include_passing=True, locale=locale)
    assert all(w in text for w in words), text
    assert ("пагаршэнне" if locale == "be" else "ухудшение") in text
