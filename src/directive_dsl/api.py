"""The pipeline in one place: text → syntax tree → checked directive → report.

``parse`` (parser.py) gives the syntax tree; ``check`` (check/) resolves names
and units; :meth:`Directive.evaluate` binds data, plans the rules, runs an
engine and builds the report (evaluate.py), and :meth:`Directive.plan` stops
after planning.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from . import model as m
from .check import check
from .check.scope import read_text
from .engines.registry import DEFAULT_ENGINE
from .parser import parse_partial
from .run_progress import SILENT, Progress
from .source import Source

if TYPE_CHECKING:  # the later stages are imported when a directive is evaluated, not loaded
    from .plan import Engine
    from .planner import DirectivePlan
    from .report import Report


@attrs.frozen(kw_only=True)
class Directive(m.CheckedDirective):
    """A checked directive, ready to evaluate against data (what :func:`load` returns)."""

    @classmethod
    def of(cls, checked: m.CheckedDirective) -> Directive:
        return cls(**{f.name: getattr(checked, f.name) for f in attrs.fields(m.CheckedDirective)})

    def evaluate(
        self,
        data: Mapping[str, object] | None = None,
        *,
        engine: str | Engine = DEFAULT_ENGINE,
        as_of: str | Mapping[str, str] | None = None,
        window: str | tuple[str, str] | None = None,
        missing: m.MissingPolicy | None = None,
        include_passing: bool = False,
        allow_outside: bool = False,
        progress: Progress | None = None,
        **engine_options: object,
    ) -> Report:
        """Evaluate every rule against *data* (dataset name -> rows, DataFrame or path).

        Datasets not in *data* are read from their ``from`` clause. *as_of* is a
        period for every dataset (``"2027"``), or one per dataset name
        (``{"exports": "2026-06"}``, with ``"*"`` for the others). *progress*
        hears how far the run has got (see :mod:`directive_dsl.run_progress`).
        Returns a :class:`~directive_dsl.report.Report`.
        """
        from .evaluate import evaluate

        report = evaluate(
            self,
            data or {},
            engine=engine,
            as_of=as_of,
            window=window,
            missing=missing,
            allow_outside=allow_outside,
            engine_options=engine_options,
            progress=progress or SILENT,
        )
        # What the report's documents and tables hold unless asked otherwise.
        return attrs.evolve(report, include_passing=include_passing)

    def plan(
        self,
        data: Mapping[str, object] | None = None,
        *,
        engine: str | Engine = DEFAULT_ENGINE,
        as_of: str | Mapping[str, str] | None = None,
        window: str | tuple[str, str] | None = None,
        missing: m.MissingPolicy | None = None,
        allow_outside: bool = False,
        **engine_options: object,
    ) -> DirectivePlan:
        """What :meth:`evaluate` would compute, without computing it: the data is bound, and
        the plan (:mod:`directive_dsl.planner`) returned; ``directive plan`` prints one."""
        from .evaluate import plan

        return plan(self, data or {}, engine=engine, as_of=as_of, window=window, missing=missing,
                    allow_outside=allow_outside, engine_options=engine_options)


def loads(
    text: str, filename: str = "<string>", *, allow_outside: bool = False
) -> Directive:
    """Parse and check directive *text*; imports and ``from`` paths resolve beside *filename*.

    >>> directive = loads('''
    ... dataset trade
    ...   time year
    ...   dimensions partner
    ...   measure value USD
    ... rule cn "Exports to China":
    ...   require trade.value[partner = "CN"] >= 5 million USD per year
    ... ''')
    >>> [rule.id for rule in directive.rules]
    ['cn']
    """
    source = Source(text, filename)
    partial = parse_partial(source)
    return Directive.of(check(
        partial.module,
        source,
        allow_outside=allow_outside,
        syntax_errors=partial.diagnostics,
        broken_names=partial.broken_names,
    ))


def load(path: str | os.PathLike[str], *, allow_outside: bool = False) -> Directive:
    """Read, parse and check the directive file at *path*.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "targets.directive").write_text('require trade >= 5 per year')
    >>> load(folder / "targets.directive").rules[0].id
    'targets:1'
    """
    file = Path(path)
    return loads(read_text(file), str(file), allow_outside=allow_outside)
