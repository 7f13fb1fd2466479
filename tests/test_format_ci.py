"""The CI formats: GitHub Actions annotations and TAP version 14."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import directive_dsl
from directive_dsl.formats import github, tap
from directive_dsl.report import Report

EXAMPLE = Path(__file__).parent.parent / "examples" / "belarus_china" / "belarus_china.directive"
_COMMAND = re.compile(r"^::(error|warning|notice) file=([^,]*),line=(\d+),col=(\d+),title=([^:]*)::(.*)$")


@pytest.fixture(scope="module")
def report() -> Report:
    return directive_dsl.load(EXAMPLE).evaluate(engine="python")


def test_one_annotation_per_violation_at_its_rule(report: Report) -> None:
    lines = github.render(report).splitlines()
    commands = [_COMMAND.match(line) for line in lines[:-1]]
    assert all(commands) and len(commands) == len(report.violations)
    for match, violation in zip(commands, report.violations, strict=True):
        assert match is not None
        command, file, line, col, title, message = match.groups()
        expected = {"error": "error", "warning": "warning", "info": "notice"}[violation.violation_severity or ""]
        assert command == expected
        assert (file, int(line), int(col)) == (violation.location.file, violation.location.line,
                                               violation.location.column)
        assert title.startswith(violation.rule)
        assert message == github.escape_data(violation.message)
    assert lines[-1].startswith(f"{report.file}: {report.status}: ")


def test_text_from_the_data_cannot_start_a_command() -> None:
    directive = directive_dsl.loads("rule r: require t.v[c] >= 5 per year")
    hostile = "x\n::error file=evil::owned,50%"
    report = directive.evaluate({"t": [{"year": 2026, "c": hostile, "v": 1}]}, engine="python")
    lines = github.render(report).splitlines()
    assert len(lines) == 2 and lines[0].startswith("::error ")
    assert "x%0A%3A%3Aerror file=evil%3A%3Aowned%2C50%25" in lines[0]


def _tap_points(text: str) -> tuple[str, list[str], list[object]]:
    lines = text.splitlines()
    assert lines[0] == "TAP version 14"
    plan = lines[1]
    points, blocks, current = [], [], None
    for line in lines[2:]:
        if re.match(r"^(not )?ok \d+ - ", line):
            points.append(line)
        elif line == "  ---":
            current = []
        elif line == "  ...":
            assert current is not None
            blocks.append(yaml.safe_load("\n".join(current)))
            current = None
        else:
            assert current is not None, line
            current.append(line[2:])
    return plan, points, blocks


def test_tap_points_per_rule_and_group(report: Report) -> None:
    plan, points, blocks = _tap_points(tap.render(report))
    groups = {(o.rule, tuple(o.group.items())) for o in report.outcomes}
    assert plan == f"1..{len(groups)}" and len(points) == len(groups)
    assert [int(p.split()[1 if p.startswith("ok") else 2]) for p in points] == list(range(1, len(points) + 1))
    failing = [p for p in points if p.startswith("not ok") and "# TODO" not in p]
    error_groups = {(o.rule, tuple(o.group.items())) for o in report.violations
                    if o.violation_severity == "error"}
    assert len(failing) == len(error_groups)
    assert any("cn_share" in p and p.endswith("# TODO warning") for p in points)
    shown = sum(len(b["outcomes"]) for b in blocks)  # type: ignore[index]
    assert shown == len(report.violations)
    first = blocks[0]["outcomes"][0]  # type: ignore[index]
    assert {"period", "status", "actual", "threshold", "unit", "gap", "message"} <= set(first)


def test_tap_with_every_outcome_and_hostile_names() -> None:
    directive = directive_dsl.loads("rule r: require t.v[c] >= 5 per year")
    report = directive.evaluate({"t": [{"year": 2026, "c": "a # SKIP\nnot ok 9", "v": 7},
                                       {"year": 2026, "c": "b", "v": 1}]}, engine="python")
    plan, points, blocks = _tap_points(tap.render(report, include_passing=True))
    assert plan == "1..2" and len(points) == 2
    assert points[0] == "ok 1 - r [c = a \\# SKIP not ok 9]"
    assert points[1].startswith("not ok 2 - r [c = b]")
    assert len(blocks) == 2
