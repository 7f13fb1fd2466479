"""Evaluation: bind data, settle each rule's timing, ask an engine, judge, report.

``evaluate`` is the whole second half of the pipeline::

    bind → resolve deferred measures → time each rule → requests → engine.run → judge → Report
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from . import model as m
from .asof import EVERY_DATASET, caller_as_ofs, dataset_facts, earliest, within_as_of
from .bind import bind_datasets, resolve_rule
from .errors import (
    Diagnostic,
    DirectiveDataError,
    DirectiveError,
    DirectiveUsageError,
    listing,
    suggest,
)
from .judge import contexts, judge_rule, not_judged, requests
from .periods import Period, is_finer
from .plan import AggregateRequest, CoverageRequest, Engine, TableInfo
from .provenance import RunInfo, dataset_run, run_info
from .report import Report, RuleSummary, Status
from .row_units import check_kinds, convert, kind_requests, read_row_units
from .rule_groups import history, targeted_groups
from .rule_values import RulePlan
from .run_progress import SILENT, Progress, stepping
from .timing import Window, latest, window_for
from .waivers import apply_waivers, rule_first_periods

ENGINES = ("duckdb", "python", "spark", "postgres")


def make_engine(name: str, options: Mapping[str, Any]) -> Engine:
    """An engine by name; optional engines import their extras only here."""
    if name == "python":
        from .engines.python import PythonEngine

        return PythonEngine()
    if name == "duckdb":
        from .engines.duckdb import DuckDBEngine

        engine: Engine = DuckDBEngine(**options)
        return engine
    if name == "spark":
        from .engines.spark import SparkEngine

        spark: Engine = SparkEngine(**options)
        return spark
    if name == "postgres":
        from .engines.postgres import PostgresEngine

        postgres: Engine = PostgresEngine(**options)
        return postgres
    raise DirectiveUsageError(
        f"unknown engine `{name}`",
        hint=suggest(name, ENGINES) or f"the engines are {listing(ENGINES)}",
    )


def evaluate(
    directive: m.CheckedDirective,
    data: Mapping[str, object],
    *,
    engine: str | Engine = "duckdb",
    as_of: str | Mapping[str, str] | None = None,
    window: str | tuple[str, str] | None = None,
    missing: m.MissingPolicy | None = None,
    allow_outside: bool = False,
    engine_options: Mapping[str, object] | None = None,
    progress: Progress = SILENT,
) -> Report:
    """Evaluate *directive* against *data*; see :meth:`CheckedDirective.evaluate`.

    *progress* hears of each stage: ``read`` (a step per dataset bound), the
    engine's ``scan``, then ``judge`` (a step per rule).
    """
    caller = caller_as_ofs(as_of)
    caller_window = _window_option(window)
    if missing is not None and missing not in ("fail", "warn", "ignore"):
        raise DirectiveUsageError(
            f"unknown missing policy `{missing}`", hint="use fail, warn or ignore"
        )
    runner = make_engine(engine, engine_options or {}) if isinstance(engine, str) else engine
    try:
        bound: dict[str, tuple[object, Path]] = {}
        tables = dataset_facts(directive, bind_datasets(directive, data, runner, allow_outside, bound, progress),
                              caller)
        rules = [resolve_rule(rule, tables, directive.domains) for rule in directive.rules]
        row_units = read_row_units(rules, tables, runner, directive.units)
        rules = [convert(rule, row_units) for rule in rules]
        plans = [
            _time(rule, i, directive, tables, EVERY_DATASET in caller, caller_window, missing)
            for i, rule in enumerate(rules)
        ]
        _check_grains(plans, tables)
        aggregates: set[AggregateRequest] = set()
        coverage: set[CoverageRequest] = set()
        for plan in plans:
            a, c = requests(plan, tables, directive.domains)
            aggregates |= a | kind_requests(plan.rule, contexts(plan))
            coverage |= c
        units = _unit_column_requests(plans, tables)
        coverage |= {request for request, _ in units}
        answers = runner.run(sorted(aggregates, key=repr), sorted(coverage, key=repr), progress=progress)
    finally:
        if isinstance(engine, str):
            runner.close()
    mixed = [p for plan in plans for p in check_kinds(plan.rule, contexts(plan), answers, row_units)]
    if mixed:
        raise DirectiveError.from_diagnostics(mixed)
    targeted = {plan.rule.id: targeted_groups(plan, tables, answers, directive.domains) for plan in plans}
    outcomes = [o for plan in stepping(plans, progress, "judge", lambda p: p.rule.id)
                for o in judge_rule(plan, tables, answers, targeted[plan.rule.id][0])]
    outcomes.sort(key=lambda o: o.sort_key)
    starts = {p.rule.id: p.window.start if p.window is not None else None for p in plans}
    outcomes, unused = apply_waivers(outcomes, directive.waivers,
                                     rule_first_periods(directive.rules, starts))
    untargeted = {rule: without for rule, (_, without) in targeted.items()}
    past = {plan.rule.id: history(plan, tables, answers, targeted[plan.rule.id][0]) for plan in plans}
    report = _report(directive, plans, outcomes, caller_window, untargeted, past)
    run = _run(directive, report.file, runner.name, tables, bound)
    return attrs.evolve(report, warnings=_mixed_units(units, answers) + unused, run=run)


def _run(directive: m.CheckedDirective, file: str, engine: str, tables: Mapping[str, TableInfo],
         bound: Mapping[str, tuple[object, Path]]) -> RunInfo:
    """The report's run block: what was read, from the bindings, the same on every engine."""
    datasets = {
        name: dataset_run(name, value, base_dir=base_dir, directive_dir=directive.base_dir,
                          rows=tables[name].n_rows, grain=tables[name].grain, as_of=tables[name].as_of)
        for name, (value, base_dir) in bound.items()
    }
    return run_info(engine=engine, directive_file=file, directive_path=directive.path,
                    datasets=datasets)


# ---------------------------------------------------------------- options


def _period_option(name: str, text: str | None) -> Period | None:
    if text is None:
        return None
    found = Period.parse(str(text))
    if found is None:
        raise DirectiveUsageError(
            f"--{name} `{text}` is not a period",
            hint="write a year (2027), a quarter (2027-Q2) or a month (2027-03)",
        )
    return found


def _window_option(window: str | tuple[str, str] | None) -> tuple[Period, Period] | None:
    if window is None:
        return None
    parts = window.split("..") if isinstance(window, str) else list(window)
    if len(parts) != 2:
        raise DirectiveUsageError(
            f"--window `{window}` is not a range", hint="write FROM..TO, e.g. 2026..2030"
        )
    start, end = (
        _period_option("window", parts[0].strip()),
        _period_option("window", parts[1].strip()),
    )
    assert start is not None and end is not None
    if end.end_day() < start.start_day():
        raise DirectiveUsageError(f"--window `{window}` runs backwards")
    return start, end


# ---------------------------------------------------------------- units in a column

#: Column names that usually hold each row's unit (SPEC §13.1).
UNIT_COLUMNS = ("unit", "units", "uom", "currency")


def _unit_column_requests(
    plans: list[RulePlan], tables: Mapping[str, TableInfo]
) -> list[tuple[CoverageRequest, m.Aggregate]]:
    """For each measure of unknown unit summed across a unit column: the request for its values."""
    from .plan import RangeBucket

    found: list[tuple[CoverageRequest, m.Aggregate]] = []
    for plan in plans:
        for value in plan.rule.values():
            for leaf in m.aggregates(value):
                if leaf.measure is None or leaf.measure.unit is not None or leaf.measure.unit_column:
                    continue
                table = tables[leaf.dataset]
                read = set(leaf.groups) | set(m.condition_columns(leaf.where) if leaf.where else ())
                for column in table.dimensions:
                    if column.lower() in UNIT_COLUMNS and column not in read:
                        request = CoverageRequest(leaf.dataset, column, RangeBucket(None, plan.until))
                        found.append((request, leaf))
    return found


def _mixed_units(
    units: list[tuple[CoverageRequest, m.Aggregate]], answers: Any
) -> tuple[Diagnostic, ...]:
    """W110 for a measure of unknown unit added up across several values of a unit column."""
    warnings: dict[tuple[object, ...], Diagnostic] = {}
    for request, leaf in units:
        values = sorted({v for v, _ in answers.coverage[request] if v is not None})
        assert leaf.measure is not None and request.dimension is not None
        key = (leaf.span.start if leaf.span else None, leaf.dataset, leaf.measure.name, request.dimension)
        if len(values) < 2 or key in warnings:
            continue
        shown = listing(values[:5]) + (f" and {len(values) - 5} more" if len(values) > 5 else "")
        warnings[key] = Diagnostic.at(
            leaf.span,
            "W110",
            f"`{leaf.dataset}.{leaf.measure.name}` has no unit and column `{request.dimension}` "
            f"holds {shown}: they are added up as plain numbers",
            hint=f'select one kind, e.g. [{request.dimension} = "{values[0]}"], or group by it: '
                 f"[{request.dimension}]",
            severity="warning",
        )
    return tuple(warnings.values())


# ---------------------------------------------------------------- timing


def _time(
    rule: m.CheckedRule,
    index: int,
    directive: m.CheckedDirective,
    tables: Mapping[str, TableInfo],
    capped: bool,
    caller_window: tuple[Period, Period] | None,
    missing: m.MissingPolicy | None,
) -> RulePlan:
    mine = [tables[name] for name in rule.datasets()]
    present = sorted({p for table in mine for p in within_as_of(table)},
                     key=lambda p: (p.start_day(), p.end_day()))
    as_of = earliest(t.as_of for t in mine if t.as_of is not None)
    # Rows after the rule's as-of are left unread when some of its data runs further, or
    # when the caller's as-of says so (SPEC §13.3).
    beyond = as_of is not None and any(p.start_day() > as_of.end_day() for t in mine for p in t.periods)
    until = as_of.end_day() if as_of is not None and (capped or beyond) else None
    window = window_for(caller_window, directive.window, present)
    if rule.time.kind == "total" and rule.time.start is not None and rule.time.end is not None:
        window = Window(start=rule.time.start, end=rule.time.end)  # `in total from A to B`
    if (
        as_of is None
        and window is not None
        and not any(tables[name].time_column for name in rule.datasets())
    ):
        as_of = window.end  # data without a time column holds in every period of the window
    return RulePlan(
        rule=rule,
        index=index,
        as_of=as_of,
        window=window,
        until=until,
        missing=rule.missing or missing or "fail",
    )


def _check_grains(plans: list[RulePlan], tables: Mapping[str, TableInfo]) -> None:
    """A rule may not ask for a grain finer than its data's (SPEC §6)."""
    from .plan import GrainBucket

    problems: list[Diagnostic] = []
    for plan in plans:
        grains = {b.grain for b in contexts(plan) if isinstance(b, GrainBucket)}
        for name in plan.rule.datasets():
            table = tables[name]
            for grain in grains:
                if table.grain is not None and is_finer(grain, table.grain):
                    problems.append(
                        Diagnostic.at(
                            plan.rule.span,
                            "E507",
                            f"rule `{plan.rule.id}` asks for {grain}s but `{name}` ({table.origin}) has {table.grain}s",
                            hint=f"judge it per {table.grain} or coarser",
                            kind=DirectiveDataError,
                        )
                    )
    if problems:
        raise DirectiveError.from_diagnostics(problems)


# ---------------------------------------------------------------- the report

_WORST: tuple[Status, ...] = ("fail", "missing", "off_track", "pending", "on_track", "pass")


def _report(
    directive: m.CheckedDirective,
    plans: list[RulePlan],
    outcomes: list[Any],
    caller_window: tuple[Period, Period] | None,
    untargeted: Mapping[str, int],
    past: Mapping[str, tuple[Any, ...]],
) -> Report:
    by_rule: dict[str, list[Any]] = {}
    for outcome in outcomes:
        by_rule.setdefault(outcome.rule, []).append(outcome)
    summaries = []
    for plan in plans:
        rule = plan.rule
        mine = by_rule.get(rule.id, [])
        counts: dict[str, int] = {}
        for outcome in mine:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        status: Status = next((s for s in _WORST if s in counts), "pass")
        from .report import Location

        summaries.append(
            RuleSummary(
                id=rule.id,
                title=rule.title,
                severity=rule.severity,
                status=status,
                location=Location(file=rule.file, line=rule.line, column=rule.column),
                counts=counts,
                source=rule.source,
                owner=rule.owner,
                unit=rule.unit.name if rule.unit is not None and rule.unit.name else None,
                op=rule.op,
                time=rule.time.kind,
                as_of=plan.as_of.label if plan.as_of is not None else None,
                not_judged=tuple(not_judged(plan)),
                untargeted=untargeted.get(rule.id, 0),
                history=past.get(rule.id, ()),
                formula=rule.formula,
            )
        )
    # A rule's own sub-window (`in total from A to B`) says nothing of the directive's window,
    # unless every rule has one: then the window is what they cover.
    windows = [p.window for p in plans
               if p.window is not None and not (p.rule.time.kind == "total" and p.rule.time.start)]
    windows = windows or [p.window for p in plans if p.window is not None]
    window = None
    if caller_window or directive.window:
        chosen = caller_window or directive.window
        assert chosen is not None
        window = (chosen[0].label, chosen[1].label)
    elif windows:
        first = min(windows, key=lambda w: w.start.start_day()).start
        last = max(windows, key=lambda w: w.end.end_day()).end
        window = (first.label, last.label)
    as_ofs = [p.as_of for p in plans if p.as_of is not None]
    as_of = latest(as_ofs)
    from .source import display_path

    return Report(
        title=directive.title,
        file=display_path(directive.path),
        window=window,
        as_of=as_of.label if as_of else None,
        rules=tuple(summaries),
        outcomes=tuple(outcomes),
        source=directive.source,
        owner=directive.owner,
    )
