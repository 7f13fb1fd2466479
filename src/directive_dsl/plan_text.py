"""A plan as a reader sees it (``directive plan FILE``): per dataset what is scanned, per rule
what is judged where, and how.

The text is stable (sorted, no timings or paths beyond the data's name), so
that plans can be compared in a diff; :func:`plan_dict` is the same as JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from . import model as m
from .aggregates import kind_of
from .partial import PartialPeriod
from .plan import AggregateRequest, Bucket, CoverageRequest, GrainBucket, RangeBucket, TableInfo
from .planner import DirectivePlan, PlannedRule
from .rule_points import Point, pro_rata
from .source import display_path


def describe_plan(plan: DirectivePlan) -> str:
    """The plan as text: datasets, then rules."""
    lines = [f"plan of {display_path(plan.directive.path)}"]
    for name, table in plan.tables.items():
        lines += ["", *_dataset_lines(name, table, plan)]
    for rule in plan.rules:
        lines += ["", *_rule_lines(rule)]
    return "\n".join(lines) + "\n"


def plan_dict(plan: DirectivePlan) -> dict[str, Any]:
    """The plan as a JSON document."""
    return {
        "directive": plan.directive.path,
        "datasets": [
            {"name": name, "source": table.origin, "rows": table.n_rows, "grain": table.grain,
             "as_of": table.as_of.label if table.as_of else None, "fill": table.fill,
             "scan": [request_text(r) for r in plan.aggregates if r.dataset == name and kind_of(r.func).decomposable],
             "over_rows": [request_text(r) for r in plan.aggregates if r.dataset == name
                           and not kind_of(r.func).decomposable],
             "coverage": [coverage_text(c) for c in plan.coverage if c.dataset == name]}
            for name, table in plan.tables.items()
        ],
        "rules": [
            {"id": rule.rule.id, "formula": rule.rule.formula,
             "as_of": rule.timing.as_of.label if rule.timing.as_of else None,
             "window": rule.timing.window.label if rule.timing.window else None,
             "reads_through": _day(rule.timing.until),
             "missing": rule.timing.missing,
             "groups": list(rule.rule.dimensions),
             "points": [point_text(p, rule.rule) for p in rule.points],
             "not_judged": [{"period": p, "reason": why} for p, why in rule.not_judged],
             "requests": len(rule.aggregates) + len(rule.coverage)}
            for rule in plan.rules
        ],
    }


def _dataset_lines(name: str, table: TableInfo, plan: DirectivePlan) -> list[str]:
    facts = [table.origin, f"{table.n_rows:,} rows"]
    if table.grain is not None:
        facts.append(f"{table.grain}ly" if table.grain != "day" else "daily")
    if table.periods:
        facts.append(f"{table.periods[0]}..{table.periods[-1]}")
    if table.as_of is not None:
        facts.append(f"as of {table.as_of}")
    if table.fill:
        facts.append("fill 0")
    asked = [r for r in plan.aggregates if r.dataset == name]
    shared = [r for r in asked if kind_of(r.func).decomposable]
    staged = [r for r in asked if not kind_of(r.func).decomposable]
    covers = [c for c in plan.coverage if c.dataset == name]
    lines = [f"dataset {name}: {', '.join(facts)}"]
    lines += _section("one scan, partials shared", (request_text(r) for r in shared))
    lines += _section("over the rows (not decomposable)", (request_text(r) for r in staged))
    lines += _section("coverage: which groups and periods have rows", (coverage_text(c) for c in covers))
    return lines


def _rule_lines(planned: PlannedRule) -> list[str]:
    timing, rule = planned.timing, planned.rule
    facts = [f"as of {timing.as_of}" if timing.as_of else "no data yet"]
    if timing.window is not None:
        facts.append(f"window {timing.window.label}" + (" (from the data)" if timing.window.from_data else ""))
    if timing.until is not None:
        facts.append(f"reads rows through {_day(timing.until)}")
    facts.append(f"missing counts as {timing.missing}")
    lines = [f"rule {rule.id}: {rule.formula}", f"  {', '.join(facts)}"]
    if rule.dimensions:
        lines.append(f"  groups: one outcome per {', '.join(rule.dimensions)}")
    time = rule.time
    if time.kind == "by" and time.deadline is not None:
        base = f" from {time.baseline_period}" if time.baseline_period is not None else ""
        lines.append(f"  deadline {time.deadline}{base}, tracked by {rule.track}")
    lines += _section("judged", (point_text(p, rule) for p in planned.points))
    lines += _section("not judged", (f"{p}: {why}" for p, why in planned.not_judged))
    lines.append(f"  compares: {_comparison(rule)}")
    lines.append(f"  asks: {_count(len(planned.aggregates), 'aggregate')}, "
                 f"{_count(len(planned.coverage), 'coverage check')}")
    return lines


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _section(title: str, items: Iterable[str]) -> list[str]:
    found = list(items)
    return [f"  {title}:", *(f"    {item}" for item in found)] if found else []


def _comparison(rule: m.CheckedRule) -> str:
    unit = f" in {rule.unit.name}" if rule.unit is not None and rule.unit.name else ""
    between = " and an upper bound" if rule.upper is not None else ""
    return f"left {rule.op} right{between}{unit}, equal within a relative 1e-9"


def point_text(point: Point, rule: m.CheckedRule) -> str:
    """One point of *rule*: the period, and how it is judged."""
    at = point.at
    if point.mode == "pending":
        return f"{point.period}: pending ({point.reason})"
    if isinstance(at, PartialPeriod):
        how = f"partial, through {at.through} ({at.fraction:.0%} of the period)"
        if point.mode == "path":
            how = f"on the path to the deadline, through {at.through}"
        return f"{point.period}: {how}"
    if point.mode == "path":
        return f"{point.period}: on the straight path to the deadline"
    if point.mode == "prorata" and pro_rata(rule):
        return f"{point.period}: pro rata ({point.fraction:.0%} of the window elapsed)"
    if point.mode == "prorata":
        return f"{point.period}: before the window's end ({point.fraction:.0%} elapsed), against the whole threshold"
    return f"{point.period}: whole"


def request_text(request: AggregateRequest) -> str:
    """An aggregate request: what, filtered how, grouped by what, in which buckets."""
    kind = kind_of(request.func)
    if request.column is not None:
        what = f"{request.func}({request.column})"
    elif request.measure is None or kind.counts_rows:
        what = "count(rows)"
    else:
        parameter = f", {request.parameter:g}" if request.parameter is not None else ""
        what = f"{request.func}({_measure(request.measure)}{parameter})"
    where = f" where {_condition(request.where)}" if request.where is not None else ""
    by = f" by {', '.join(request.groups)}" if request.groups else ""
    return f"{what}{where}{by} {bucket_text(request.bucket)}"


def coverage_text(request: CoverageRequest) -> str:
    return f"{request.dimension or 'the dataset'} {bucket_text(request.bucket)}"


def bucket_text(bucket: Bucket) -> str:
    if isinstance(bucket, GrainBucket):
        through = f" through {_day(bucket.until)}" if bucket.until is not None else ""
        return f"per {bucket.grain}{through}"
    assert isinstance(bucket, RangeBucket)
    if bucket.start is None and bucket.end is None:
        return "over all rows"
    return f"from {_day(bucket.start) or 'the start'} to {_day(bucket.end) or 'the end'}"


def _day(day: int | None) -> str | None:
    return None if day is None else dt.date.fromordinal(day).isoformat()


def _measure(measure: m.MeasureInfo) -> str:
    return measure.name


def _condition(cond: m.RowCondition) -> str:
    if isinstance(cond, m.ColumnCompare):
        value = cond.value.name if isinstance(cond.value, m.ColumnName) else cond.value
        return f"{cond.column} {cond.op} {_literal(value)}"
    if isinstance(cond, m.ColumnIn):
        items = ", ".join(_literal(v) for v in cond.values)
        return f"{cond.column} {'not in' if cond.negated else 'in'} [{items}]"
    if isinstance(cond, m.AllOf):
        return " and ".join(_condition(c) for c in cond.items)
    if isinstance(cond, m.AnyOf):
        return "(" + " or ".join(_condition(c) for c in cond.items) + ")"
    return f"not ({_condition(cond.item)})"


def _literal(value: object) -> str:
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


