"""The ``tap`` format: TAP version 14, one test point per rule and group.

A test point is ``not ok`` when one of the group's outcomes is a violation of
severity error; a violation of severity warning or info is ``not ok`` with a
``# TODO`` directive, which TAP consumers show without failing the run (as
the command's exit code does not fail by default); a group whose outcomes are
all pending is ``ok`` with ``# SKIP``. A group whose misses are all waived is
``not ok`` with ``# TODO waived: reason``: TAP's known failure, which
consumers count as neither a pass nor a failure (``# SKIP`` would say it was
not judged, and it was). Each point that is not plainly ``ok``
carries a YAML block with its violations. Strings in the YAML block are
written as JSON strings, which YAML reads as they are.

>>> from directive_dsl.report import Report
>>> print(render(Report(title="T", file="t.directive", window=None, as_of=None, rules=(), outcomes=())), end="")
TAP version 14
1..0 # no rules
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..reasons import reason_words
from ..report import Outcome, Report
from ..wording import group_words, waiver_words


def render(report: Report, *, include_passing: bool = False) -> str:
    """The report as a TAP 14 stream; ``include_passing`` lists every outcome in the YAML blocks."""
    return render_many([report], include_passing=include_passing, by_file=False)


def render_many(reports: Sequence[Report], *, include_passing: bool = False, by_file: bool = True) -> str:
    """Several reports as one TAP stream: one plan over every test point, named by file."""
    points: list[tuple[str, list[Outcome]]] = []
    for report in reports:
        points += _points(report, f"{report.file}: " if by_file else "")
    lines = ["TAP version 14"]
    lines.append(f"1..{len(points)}" + (" # no rules" if not points else ""))
    for number, (name, outcomes) in enumerate(points, start=1):
        lines += _point(number, name, outcomes, include_passing)
    return "\n".join(lines) + "\n"


def _points(report: Report, prefix: str) -> list[tuple[str, list[Outcome]]]:
    points: list[tuple[str, list[Outcome]]] = []
    for rule in report.rules:
        groups: dict[tuple[tuple[str, str], ...], list[Outcome]] = {}
        for outcome in report.outcomes:
            if outcome.rule == rule.id:
                groups.setdefault(tuple(outcome.group.items()), []).append(outcome)
        for key, outcomes in groups.items():
            name = prefix + rule.id + (f" [{group_words(dict(key))}]" if key else "")
            points.append((name, outcomes))
    return points


def _point(number: int, name: str, outcomes: Sequence[Outcome], include_passing: bool) -> list[str]:
    violations = [o for o in outcomes if o.is_violation]
    waived = [o for o in outcomes if o.is_waived]
    description = _description(name)
    if any(o.violation_severity == "error" for o in violations):
        head = f"not ok {number} - {description}"
    elif violations:
        worst = "warning" if any(o.violation_severity == "warning" for o in violations) else "info"
        head = f"not ok {number} - {description} # TODO {worst}"
    elif waived:
        head = f"not ok {number} - {description} # TODO {_directive_text(waiver_words(waived[0]))}"
    elif all(o.status == "pending" for o in outcomes):
        reason = reason_words(outcomes[0].reason) if outcomes[0].reason else "pending"
        head = f"ok {number} - {description} # SKIP {_directive_text(reason)}"
    else:
        head = f"ok {number} - {description}"
    shown = list(outcomes) if include_passing else [o for o in outcomes if o.is_violation or o.is_waived]
    if not shown:
        return [head]
    block = ["  ---", "  outcomes:"]
    for outcome in shown:
        data = outcome.to_dict(as_violation=outcome.is_violation)
        block.append(f"    - period: {json.dumps(outcome.period)}")
        for key in ("status", "severity", "actual", "op", "threshold", "unit", "gap", "reason",
                    "message"):
            block.append(f"      {key}: {json.dumps(data[key], ensure_ascii=False)}")
        block.append(f"      at: {json.dumps(f'{outcome.location.file}:{outcome.location.line}')}")
        if outcome.waiver is not None:
            block.append(f"      waiver: {json.dumps(data['waiver'], ensure_ascii=False)}")
    block.append("  ...")
    return [head, *block]


def _description(name: str) -> str:
    """A description that cannot end the line early or start a directive (``#``)."""
    return _directive_text(name).replace("#", "\\#")


def _directive_text(text: str) -> str:
    return " ".join(text.split())
