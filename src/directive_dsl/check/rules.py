"""Rules: annotations, the check and its units, the time clause."""

from __future__ import annotations

from pathlib import Path

import attrs

from .. import model as m
from .. import nodes as n
from ..errors import listing, suggest
from ..periods import GRAINS, Grain, Period, is_finer
from ..units import DIMENSIONLESS, PERCENT, Unit
from .exprs import Resolver
from .typed import Typed, merge_narrowing

ANNOTATIONS = {
    "severity": ("error", "warning", "info"),
    "missing": ("fail", "warn", "ignore"),
    "source": None,  # free text
    "owner": None,
    "track": ("path", "trend", "sdg"),
    "partial": ("track", "skip", "full"),
    "incomplete": ("missing", "allow"),
}


def rule_location(rule: n.Rule) -> tuple[int, int, int]:
    """(offset, line, column) of the rule's `rule` keyword, else of its `require`."""
    text = rule.span.source.text
    if rule.id is not None:
        offset = text.rfind("rule", rule.span.start, rule.id.span.start)
    else:
        offset = text.rfind("require", rule.span.start, rule.check.span.start)
    offset = offset if offset >= 0 else rule.span.start
    line, column = rule.span.source.position(offset)
    return offset, line, column


def rule_formula(rule: n.Rule) -> str:
    r"""The rule as written, from `require` to the end of its time clause, on one line.

    >>> from directive_dsl.parser import parse
    >>> module = parse('rule r "T":\n  require trade >= 5\n    per year  # yearly\n')
    >>> rule_formula(module.statements[0])
    'require trade >= 5 per year'
    """
    text = rule.span.source.text
    start = text.rfind("require", rule.span.start, rule.check.span.start)
    end = max(rule.check.span.end, rule.time.span.end if rule.time is not None else 0)
    return " ".join(text[start if start >= 0 else rule.check.span.start:end].split())


def check_rule(resolver: Resolver, rule: n.Rule) -> m.CheckedRule | None:
    offset, line, column = rule_location(rule)
    source = rule.span.source
    location = source.span(offset, offset + (4 if rule.id is not None else 7))
    stem = Path(source.path).stem if not source.path.startswith("<") else "directive"
    rule_id = rule.id.name if rule.id is not None else f"{stem}:{line}"
    notes = _annotations(resolver, rule)
    time = _time_spec(resolver, rule)
    check = rule.check
    if isinstance(check, n.Comparison):
        sides = [resolver.value(check.left), resolver.value(check.right)]
        op = check.op
    else:
        sides = [resolver.value(check.value), resolver.value(check.low), resolver.value(check.high)]
        op = "between"
    if any(s.kind == "broken" for s in sides) or notes is None or time is None:
        return None
    if notes.get("track", "path") != "path" and time.kind != "by":
        track = next(a for a in rule.annotations if a.key.name == "track")
        resolver._fail(track.span, "E400", "`@track` applies to a target with a deadline (`by P`)",
                      "remove it, or give the rule a deadline: `… by 2030 from 2025`")
        return None
    if "partial" in notes and time.kind == "total":
        partial = next(a for a in rule.annotations if a.key.name == "partial")
        resolver._fail(partial.span, "E400",
                       "`@partial` applies to a rule judged per period (`in total` has no period to be part of)",
                       "give the rule a time clause: `per year`, `in 2026` or `by 2030`")
        return None
    unified = _unify_sides(resolver, sides, check)
    if unified is None:
        return None
    sides, unit = unified
    stated_baseline = time.kind == "by" and time.baseline_value is not None
    if stated_baseline and rule.time is not None and not _baseline_fits(resolver, rule.time, unit):
        return None
    if not _grain_for_lookback(resolver, sides, time, rule):
        return None
    dimensions: dict[str, None] = {}
    for side in sides:
        for leaf in m.aggregates(side.value):
            dimensions.update(dict.fromkeys(leaf.groups))
    return m.CheckedRule(
        id=rule_id,
        title=rule.title.value if rule.title else None,
        op=op,  # type: ignore[arg-type]
        left=sides[0].value,
        right=sides[1].value,
        upper=sides[2].value if len(sides) > 2 else None,
        time=time,
        unit=unit,
        dimensions=tuple(dimensions),
        narrowing=merge_narrowing(*(s.narrowing for s in sides)),
        severity=notes.get("severity", "error"),  # type: ignore[arg-type]
        missing=notes.get("missing"),  # type: ignore[arg-type]
        source=notes.get("source"),
        owner=notes.get("owner"),
        track=notes.get("track", "path"),  # type: ignore[arg-type]
        partial=notes.get("partial", "track"),  # type: ignore[arg-type]
        incomplete=notes.get("incomplete", "missing"),  # type: ignore[arg-type]
        formula=rule_formula(rule),
        file=location.file,
        line=line,
        column=column,
        span=location,
    )


def _annotations(resolver: Resolver, rule: n.Rule) -> dict[str, str] | None:
    found: dict[str, str] = {}
    ok = True
    for note in rule.annotations:
        key = note.key.name
        if key not in ANNOTATIONS:
            resolver._fail(
                note.key.span,
                "E400",
                f"unknown annotation `@{key}`",
                suggest(key, ANNOTATIONS, prefix="@")
                or f"the annotations are {listing('@' + a for a in ANNOTATIONS)}",
            )
            ok = False
            continue
        if key in found:
            resolver._fail(note.span, "E400", f"`@{key}` is given twice")
            ok = False
            continue
        value = note.value.value if isinstance(note.value, n.String) else note.value.name
        choices = ANNOTATIONS[key]
        if choices is None and not isinstance(note.value, n.String):
            resolver._fail(
                note.value.span, "E400", f"`@{key}` takes a string", f'write `@{key} "{value}"`'
            )
            ok = False
        elif choices is not None and value not in choices:
            resolver._fail(
                note.value.span,
                "E400",
                f"`@{key}` must be {listing(choices).replace(' and ', ' or ')}, not `{value}`",
                suggest(value, choices),
            )
            ok = False
        found[key] = value
    return found if ok else None


def _period(resolver: Resolver, lit: n.PeriodLit | None) -> Period | None:
    return resolver.period(lit) if lit is not None else None


def _time_spec(resolver: Resolver, rule: n.Rule) -> m.TimeSpec | None:
    clause = rule.time
    if clause is None:
        resolver.warn(
            rule.check.span,
            "W101",
            "the rule has no time clause: it is checked once over the whole window",
            "add `per year`, `in 2027`, `by 2030` or `in total`",
        )
        return m.TimeSpec(kind="total", explicit=False)
    if isinstance(clause, n.InTotal):
        return _sub_window(resolver, clause)
    if isinstance(clause, n.InPeriod):
        period = _period(resolver, clause.period)
        return m.TimeSpec(kind="in", grain=period.grain, start=period) if period else None
    if isinstance(clause, n.Per):
        return _per(resolver, clause)
    deadline = _period(resolver, clause.deadline)
    if deadline is None:
        return None
    baseline = _period(resolver, clause.baseline_period)
    if clause.baseline_period is not None and baseline is None:
        return None
    if (
        clause.baseline_period is not None
        and baseline is not None
        and baseline.start_day() >= deadline.start_day()
    ):
        resolver._fail(
            clause.baseline_period.span,
            "E404",
            f"the baseline {baseline} is not before the deadline {deadline}",
        )
        return None
    stated = None
    if clause.baseline_value is not None:
        typed = resolver.value(clause.baseline_value)
        if typed.kind == "broken" or not isinstance(typed.value, m.Constant):
            if typed.kind != "broken":
                resolver._fail(clause.baseline_value.span, "E402", "a stated baseline is a number")
            return None
        stated = typed.value.value
    return m.TimeSpec(
        kind="by",
        grain=deadline.grain,
        deadline=deadline,
        baseline_period=baseline,
        baseline_value=stated,
    )


def _per(resolver: Resolver, clause: n.Per) -> m.TimeSpec | None:
    grain = _grain(clause.grain)
    start, end = _period(resolver, clause.start), _period(resolver, clause.end)
    if clause.start is not None and (start is None or end is None):
        return None
    if start is not None and end is not None:
        assert clause.start is not None and clause.end is not None
        for lit, period in ((clause.start, start), (clause.end, end)):
            if is_finer(period.grain, grain):
                resolver._fail(
                    lit.span,
                    "E404",
                    f"`{period}` is finer than `per {grain}`",
                    f"write the {grain} it falls in",
                )
                return None
        # A coarser bound stands for all of it: `per quarter from 2027-Q1 to 2028` ends in 2028-Q4.
        start = Period("day", start.start_day()).to_grain(grain)
        end = Period("day", end.end_day()).to_grain(grain)
        if end < start:
            resolver._fail(clause.span, "E404", f"the range {start} to {end} runs backwards")
            return None
    return m.TimeSpec(kind="per", grain=grain, start=start, end=end)


def _sub_window(resolver: Resolver, clause: n.InTotal) -> m.TimeSpec | None:
    """``in total [from A to B]``: the whole window, or the sub-window A..B (SPEC §13.5)."""
    if clause.start is None or clause.end is None:
        return m.TimeSpec(kind="total")
    start, end = _period(resolver, clause.start), _period(resolver, clause.end)
    if start is None or end is None:
        return None
    if end.end_day() < start.start_day():
        resolver._fail(clause.span, "E404", f"the range {start} to {end} runs backwards")
        return None
    return m.TimeSpec(kind="total", start=start, end=end)


def _grain(text: str) -> Grain:
    for grain in GRAINS:
        if grain == text:
            return grain
    raise ValueError(text)


def _unify_sides(
    resolver: Resolver, sides: list[Typed], check: n.Check
) -> tuple[list[Typed], Unit | None] | None:
    """All sides in one dimension; the reported unit is the threshold's (right side), else the left's."""
    sides = _row_units_in_base(sides)
    value = sides[0]
    unit_sides = sides[1:]
    out = [value]
    for side in unit_sides:
        unified = resolver.unify(value, side, check.span)
        if unified is None:
            return None
        value, side, _ = unified
        out[0] = value
        out.append(side)
    thresholds = [s.unit for s in out[1:] if s.unit is not None]
    unit = thresholds[0] if thresholds else out[0].unit
    left = out[0].unit
    if unit == DIMENSIONLESS and left is not None and left.name:
        unit = left  # a plain-number threshold takes the left side's unit (SPEC §13.1)
    _warn_units(resolver, sides, unit, check)
    return out, unit


def _row_units_in_base(sides: list[Typed]) -> list[Typed]:
    """A side read in each row's own unit (`unit from`) is converted to base units row by row:
    it is in the base unit of the kind the other sides name (no scaling, no W100)."""
    named = next((s.unit for s in sides if s.unit is not None and s.unit.dims), None)
    if named is None:
        return sides
    base = Unit(name=named.name, factor=1.0, dims=named.dims)
    return [attrs.evolve(s, unit=base) if s.unit is None and _per_row_unit(s) else s for s in sides]


def _per_row_unit(side: Typed) -> bool:
    return any(leaf.measure is not None and leaf.measure.unit_column for leaf in m.aggregates(side.value))


def _warn_units(resolver: Resolver, sides: list[Typed], unit: Unit | None, check: n.Check) -> None:
    named = [s.unit for s in sides if s.unit is not None and s.unit.name]
    # a measure whose unit is in a column (`unit from`) is converted row by row, not unknown
    unknown = [s for s in sides if s.unit is None and not _per_row_unit(s)]
    if unknown and named:
        resolver.warn(
            check.span,
            "W100",
            f"a measure of unknown unit is compared with `{named[0].name}`: its numbers are read as {named[0].name}",
            "declare the measure's unit: `measure NAME UNIT`",
        )
    plain = [  # zero is zero in any unit: nothing to warn about
        s for s in sides
        if s.unit == DIMENSIONLESS and isinstance(s.value, m.Constant) and s.value.value != 0
    ]
    percent = [s for s in sides if s.unit == PERCENT]
    if plain and percent:
        number = plain[0].value.value  # type: ignore[union-attr]
        resolver.warn(
            check.span,
            "W103",
            f"a percentage is compared with the plain number {number:g}, which means {number * 100:g}%",
            f"write `{number * 100:g}%` to say so, or `{number:g}%` if you meant {number:g} percent",
        )


def _baseline_fits(resolver: Resolver, clause: n.TimeClause, unit: Unit | None) -> bool:
    assert isinstance(clause, n.By) and clause.baseline_value is not None
    typed = resolver.value(clause.baseline_value)
    if typed.kind == "broken" or unit is None or typed.unit is None:
        return typed.kind != "broken"
    if typed.unit == DIMENSIONLESS and unit.is_dimensionless:
        return True
    return resolver.unify(Typed(unit=unit), typed, clause.baseline_value.span) is not None


def _grain_for_lookback(
    resolver: Resolver, sides: list[Typed], time: m.TimeSpec, rule: n.Rule
) -> bool:
    if time.kind != "total":
        return True
    for side in sides:
        shift = _first_shift(side.value)
        if shift is not None:
            resolver._fail(
                shift.span,
                "E403",
                "`growth` and `change` compare with the period before: the rule needs a grain",
                "add `per year`, `in 2027` or `by 2030`",
            )
            return False
    return True


def _first_shift(value: m.Value) -> m.Shift | None:
    if isinstance(value, m.Shift):
        return value
    for child in m.value_children(value):
        found = _first_shift(child)
        if found is not None:
            return found
    return None
