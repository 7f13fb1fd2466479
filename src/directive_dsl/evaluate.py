"""The second half of the pipeline, in one function: bind → plan → execute → judge → report.

Each stage is a module with one entry function, and data flows down only:

- bind (:func:`.bind.bind_directive`): each dataset bound by the engine, its as-of settled,
  measures left to the data resolved, units in a column read;
- plan (:func:`.planner.plan_directive`): each rule's timing, the periods it is judged in,
  and every request the engine answers;
- execute (:func:`.engines.registry.execute`): the engine answers the requests;
- judge (:func:`.verdicts.judge_plan`): the answers become outcomes;
- report (:func:`.report_build.build_report`): the outcomes become the report.

The first half, parse then check, is :func:`directive_dsl.api.loads`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from . import model as m
from .bind import bind_directive
from .engines.registry import ENGINES, make_engine
from .engines.registry import execute as execute_plan
from .plan import Engine
from .planner import DirectivePlan, plan_directive
from .report import Report
from .report_build import build_report
from .run_options import RunOptions
from .run_progress import SILENT, Progress
from .verdicts import judge_plan

__all__ = ["ENGINES", "evaluate", "make_engine", "plan"]


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
    """Evaluate *directive* against *data*; see :meth:`Directive.evaluate <directive_dsl.api.Directive.evaluate>`.

    *progress* hears of each stage: ``read`` (a step per dataset bound), the
    engine's ``scan``, then ``judge`` (a step per rule).
    """
    options = RunOptions.parse(as_of=as_of, window=window, missing=missing)
    with opened(engine, engine_options) as runner:
        bound = bind_directive(directive, data, runner, options, allow_outside=allow_outside, progress=progress)
        plan = plan_directive(directive, bound, options)
        answers = execute_plan(plan, runner, progress)
    judgement = judge_plan(plan, answers, progress)
    return build_report(plan, judgement, engine=runner.name, sources=bound.sources)


def plan(
    directive: m.CheckedDirective,
    data: Mapping[str, object],
    *,
    engine: str | Engine = "duckdb",
    as_of: str | Mapping[str, str] | None = None,
    window: str | tuple[str, str] | None = None,
    missing: m.MissingPolicy | None = None,
    allow_outside: bool = False,
    engine_options: Mapping[str, object] | None = None,
) -> DirectivePlan:
    """The plan :func:`evaluate` would execute: the data is bound (what it holds decides the
    periods and groups), nothing is aggregated."""
    options = RunOptions.parse(as_of=as_of, window=window, missing=missing)
    with opened(engine, engine_options) as runner:
        bound = bind_directive(directive, data, runner, options, allow_outside=allow_outside, progress=SILENT)
        return plan_directive(directive, bound, options)


@contextlib.contextmanager
def opened(engine: str | Engine, options: Mapping[str, object] | None) -> Iterator[Engine]:
    """The engine named, made here and closed after; or the engine given, left open."""
    runner = make_engine(engine, options or {}) if isinstance(engine, str) else engine
    try:
        yield runner
    finally:
        if isinstance(engine, str):
            runner.close()
