"""The report stage: a plan and its judgement become the :class:`~directive_dsl.report.Report`.

:func:`build_report` is its entry: each rule's summary (its worst status,
counts, as-of, periods not judged, groups without a target, formula), the
window and as-of of the run, and the run block (what was read, SPEC §12).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from . import model as m
from .periods import latest
from .plan import TableInfo
from .planner import DirectivePlan
from .provenance import RunInfo, dataset_run, run_info
from .report import Location, Report, RuleSummary, Status
from .source import display_path
from .verdicts import Judgement


def build_report(plan: DirectivePlan, judgement: Judgement, *, engine: str,
                 sources: Mapping[str, tuple[object, Path]]) -> Report:
    """The report of a run of *plan* on *engine*, from the data read from *sources*."""
    report = _report(plan, judgement)
    run = _run(plan.directive, report.file, engine, plan.tables, sources)
    return attrs.evolve(report, warnings=judgement.warnings, run=run)


def _run(directive: m.CheckedDirective, file: str, engine: str, tables: Mapping[str, TableInfo],
         sources: Mapping[str, tuple[object, Path]]) -> RunInfo:
    """The report's run block: what was read, from the bindings, the same on every engine."""
    datasets = {
        name: dataset_run(name, value, base_dir=base_dir, directive_dir=directive.base_dir,
                          rows=tables[name].n_rows, grain=tables[name].grain, as_of=tables[name].as_of)
        for name, (value, base_dir) in sources.items()
    }
    return run_info(engine=engine, directive_file=file, directive_path=directive.path,
                    datasets=datasets)


_WORST: tuple[Status, ...] = ("fail", "missing", "off_track", "pending", "on_track", "pass")


def _report(plan: DirectivePlan, judgement: Judgement) -> Report:
    directive, caller_window = plan.directive, plan.options.window
    plans = [rule.timing for rule in plan.rules]
    not_judged = {rule.rule.id: rule.not_judged for rule in plan.rules}
    by_rule: dict[str, list[Any]] = {}
    for outcome in judgement.outcomes:
        by_rule.setdefault(outcome.rule, []).append(outcome)
    summaries = []
    for timing in plans:
        rule = timing.rule
        mine = by_rule.get(rule.id, [])
        counts: dict[str, int] = {}
        for outcome in mine:
            counts[outcome.status] = counts.get(outcome.status, 0) + 1
        status: Status = next((s for s in _WORST if s in counts), "pass")
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
                as_of=timing.as_of.label if timing.as_of is not None else None,
                not_judged=not_judged[rule.id],
                untargeted=judgement.untargeted.get(rule.id, 0),
                history=judgement.history.get(rule.id, ()),
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
    return Report(
        title=directive.title,
        file=display_path(directive.path),
        window=window,
        as_of=as_of.label if as_of else None,
        rules=tuple(summaries),
        outcomes=judgement.outcomes,
        source=directive.source,
        owner=directive.owner,
    )
