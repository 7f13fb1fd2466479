"""The plan stage: from a checked directive and what binding learned, everything to compute.

:func:`plan_directive` decides, once and for every engine, what each rule
needs (SPEC §7, §13): its as-of and window (the earliest as-of of its
datasets, a sub-window of its own), the periods it is judged in and how
(:mod:`.rule_points`: whole, partial, on a path, pending), the aggregates
and coverage it asks for (:mod:`.rule_requests`), and per dataset the one
set of requests an engine answers. Engines execute the plan; judging reads
it; none derives meaning from the tree again. ``directive plan`` prints it
(:mod:`.plan_text`).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from . import model as m
from .asof import EVERY_DATASET, earliest, within_as_of
from .bind import Bound
from .errors import Diagnostic, DirectiveDataError, DirectiveError
from .periods import is_finer
from .plan import AggregateRequest, CoverageRequest, GrainBucket, RangeBucket, TableInfo
from .row_units import RowUnits, kind_requests
from .rule_points import Point, not_judged, points
from .rule_requests import contexts, rule_requests
from .rule_values import RulePlan
from .run_options import RunOptions
from .timing import Window, window_for

#: Column names that usually hold each row's unit (SPEC §13.1).
UNIT_COLUMNS = ("unit", "units", "uom", "currency")


@attrs.frozen(kw_only=True)
class PlannedRule:
    """One rule, planned: its timing, where it is judged, and what it asks of the engine."""

    timing: RulePlan
    points: tuple[Point, ...]
    aggregates: frozenset[AggregateRequest]
    coverage: frozenset[CoverageRequest]
    not_judged: tuple[tuple[str, str], ...]

    @property
    def rule(self) -> m.CheckedRule:
        return self.timing.rule


@attrs.frozen(kw_only=True)
class UnitColumnCheck:
    """A measure of unknown unit added up across a column that looks like a unit (W110)."""

    request: CoverageRequest
    leaf: m.Aggregate


@attrs.frozen(kw_only=True)
class DirectivePlan:
    """Everything a run computes, decided before any engine runs: frozen, and printable."""

    directive: m.CheckedDirective
    options: RunOptions
    tables: Mapping[str, TableInfo]
    rules: tuple[PlannedRule, ...]
    row_units: RowUnits
    unit_columns: tuple[UnitColumnCheck, ...]

    @property
    def aggregates(self) -> list[AggregateRequest]:
        """Every aggregate request, once, in a fixed order (every engine sees the same list)."""
        return sorted({a for rule in self.rules for a in rule.aggregates}, key=repr)

    @property
    def coverage(self) -> list[CoverageRequest]:
        found = {c for rule in self.rules for c in rule.coverage}
        found |= {check.request for check in self.unit_columns}
        return sorted(found, key=repr)


def plan_directive(directive: m.CheckedDirective, bound: Bound, options: RunOptions) -> DirectivePlan:
    """The plan of *directive* on the data *bound* describes."""
    tables = bound.tables
    timings = [time_rule(rule, i, directive, tables, options) for i, rule in enumerate(bound.rules)]
    _check_grains(timings, tables)
    planned = tuple(_plan_rule(timing, tables, directive.domains) for timing in timings)
    return DirectivePlan(directive=directive, options=options, tables=tables, rules=planned,
                         row_units=bound.row_units, unit_columns=tuple(_unit_columns(timings, tables)))


def _plan_rule(timing: RulePlan, tables: Mapping[str, TableInfo],
               domains: Mapping[str, tuple[str, ...]]) -> PlannedRule:
    aggregates, coverage = rule_requests(timing, tables, domains)
    aggregates |= kind_requests(timing.rule, contexts(timing))
    return PlannedRule(timing=timing, points=tuple(points(timing)), aggregates=frozenset(aggregates),
                       coverage=frozenset(coverage), not_judged=tuple(not_judged(timing)))


# ---------------------------------------------------------------- timing


def time_rule(rule: m.CheckedRule, index: int, directive: m.CheckedDirective,
              tables: Mapping[str, TableInfo], options: RunOptions) -> RulePlan:
    """A rule's as-of (the earliest of its datasets'), window, and the last day it reads."""
    mine = [tables[name] for name in rule.datasets()]
    present = sorted({p for table in mine for p in within_as_of(table)},
                     key=lambda p: (p.start_day(), p.end_day()))
    as_of = earliest(t.as_of for t in mine if t.as_of is not None)
    # Rows after the rule's as-of are left unread when some of its data runs further, or
    # when the caller's as-of says so (SPEC §13.3).
    capped = EVERY_DATASET in options.as_of
    beyond = as_of is not None and any(p.start_day() > as_of.end_day() for t in mine for p in t.periods)
    until = as_of.end_day() if as_of is not None and (capped or beyond) else None
    window = window_for(options.window, directive.window, present)
    if rule.time.kind == "total" and rule.time.start is not None and rule.time.end is not None:
        window = Window(start=rule.time.start, end=rule.time.end)  # `in total from A to B`
    if as_of is None and window is not None and not any(t.time_column for t in mine):
        as_of = window.end  # data without a time column holds in every period of the window
    return RulePlan(rule=rule, index=index, as_of=as_of, window=window, until=until,
                    missing=rule.missing or options.missing or "fail")


def _check_grains(timings: list[RulePlan], tables: Mapping[str, TableInfo]) -> None:
    """A rule may not ask for a grain finer than its data's (SPEC §6)."""
    problems: list[Diagnostic] = []
    for timing in timings:
        grains = {b.grain for b in contexts(timing) if isinstance(b, GrainBucket)}
        for name in timing.rule.datasets():
            table = tables[name]
            for grain in grains:
                if table.grain is not None and is_finer(grain, table.grain):
                    problems.append(Diagnostic.at(
                        timing.rule.span, "E507",
                        f"rule `{timing.rule.id}` asks for {grain}s but `{name}` ({table.origin}) has "
                        f"{table.grain}s",
                        hint=f"judge it per {table.grain} or coarser", kind=DirectiveDataError))
    if problems:
        raise DirectiveError.from_diagnostics(problems)


def _unit_columns(timings: list[RulePlan], tables: Mapping[str, TableInfo]) -> list[UnitColumnCheck]:
    """For each measure of unknown unit summed across a unit column: the request for its values."""
    found: list[UnitColumnCheck] = []
    for timing in timings:
        for value in timing.rule.values():
            for leaf in m.aggregates(value):
                if leaf.measure is None or leaf.measure.unit is not None or leaf.measure.unit_column:
                    continue
                table = tables[leaf.dataset]
                read = set(leaf.groups) | set(m.condition_columns(leaf.where) if leaf.where else ())
                for column in table.dimensions:
                    if column.lower() in UNIT_COLUMNS and column not in read:
                        request = CoverageRequest(leaf.dataset, column, RangeBucket(None, timing.until))
                        found.append(UnitColumnCheck(request=request, leaf=leaf))
    return found
