"""The judge stage: an engine's answers to a plan, turned into outcomes (SPEC §7, §11, §13).

:func:`judge_plan` is its entry: units of different kinds added up are an
error (E512, from the per-unit counts the plan asked for); each rule is
judged for the groups that have a target (:mod:`.rule_groups`) at each of
its points (:mod:`.judge`); waivers are applied; and what the report shows
beside the outcomes (groups without a target, the periods before the
window, warnings) is gathered here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .aggregates import kind_of
from .errors import Diagnostic, DirectiveError, listing
from .judge import judge_rule
from .plan import Answers
from .planner import DirectivePlan, UnitColumnCheck
from .report import Outcome
from .row_units import check_kinds
from .rule_groups import history, targeted_groups
from .rule_requests import contexts
from .run_progress import SILENT, Progress, stepping
from .waivers import apply_waivers, rule_first_periods

History = tuple[tuple[tuple[tuple[str, str], ...], str, float], ...]


@attrs.frozen(kw_only=True)
class Judgement:
    """Every outcome of a run, sorted and waived, and what the report shows beside them."""

    outcomes: tuple[Outcome, ...]
    untargeted: Mapping[str, int]  # rule id -> groups without a target
    history: Mapping[str, History]  # rule id -> values before the window, for charts
    warnings: tuple[Diagnostic, ...]


def judge_plan(plan: DirectivePlan, answers: Answers, progress: Progress = SILENT) -> Judgement:
    """The outcomes of every rule of *plan* from the engine's *answers*."""
    mixed = [p for rule in plan.rules
             for p in check_kinds(rule.rule, contexts(rule.timing), answers, plan.row_units)]
    if mixed:
        raise DirectiveError.from_diagnostics(mixed)
    tables, domains = plan.tables, plan.directive.domains
    targeted = {rule.rule.id: targeted_groups(rule.timing, tables, answers, domains) for rule in plan.rules}
    outcomes = [o for rule in stepping(list(plan.rules), progress, "judge", lambda r: r.rule.id)
                for o in judge_rule(rule.timing, rule.points, tables, answers, targeted[rule.rule.id][0])]
    outcomes.sort(key=lambda o: o.sort_key)
    starts = {r.rule.id: r.timing.window.start if r.timing.window is not None else None for r in plan.rules}
    waived, unused = apply_waivers(outcomes, plan.directive.waivers,
                                   rule_first_periods(plan.directive.rules, starts))
    past = {r.rule.id: history(r.timing, tables, answers, targeted[r.rule.id][0]) for r in plan.rules}
    return Judgement(outcomes=tuple(waived), untargeted={rule: n for rule, (_, n) in targeted.items()},
                     history=past, warnings=_mixed_units(plan.unit_columns, answers) + unused)


def _mixed_units(checks: tuple[UnitColumnCheck, ...], answers: Any) -> tuple[Diagnostic, ...]:
    """W110 for a measure of unknown unit added up across several values of a unit column."""
    warnings: dict[tuple[object, ...], Diagnostic] = {}
    for check in checks:
        request, leaf = check.request, check.leaf
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
            f"holds {shown}: they are {_treated(leaf.func)} as plain numbers",
            hint=f'select one kind, e.g. [{request.dimension} = "{values[0]}"], or group by it: '
                 f"[{request.dimension}]",
            severity="warning",
        )
    return tuple(warnings.values())


def _treated(func: str) -> str:
    """What aggregate *func* does with values of several units: a median compares them."""
    kind = kind_of(func)
    if kind.reads_dimensions:
        return "counted"
    return "added up" if kind.partial in ("sum", "by_day") else "compared"
