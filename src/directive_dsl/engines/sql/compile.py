"""The SQL of a directive without any data: what ``directive compile`` prints.

With no data bound, the statements rest on what the directive declares, and
assume:

- each dataset is a table of the same name (``"investments"``), with the
  declared columns; dimensions hold text, measures hold numbers (NULL for
  unknown); a measure the directive leaves to the data is a column named
  after it, and a dataset's single undeclared measure a column named after
  the dataset;
- the time column holds years (numbers or text), quarters (``2026-Q1``),
  months (``2026-03``) or dates, parsed in SQL with the rules of data files;
  an undeclared time column is called ``year``;
- the window is the header's ``period`` (every period, without one), and the
  data reaches its end, so no rule reads past it.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator

import attrs
from sqlglot import exp

from ... import model as m
from ...errors import DirectiveUsageError, listing, suggest
from ...periods import Period
from ...plan import AggregateRequest, CoverageRequest, TableInfo, bound_table_info
from ...rule_requests import rule_requests
from ...rule_values import RulePlan
from ...timing import Window
from .conditions import ident
from .dialects import PREAMBLES, adapt
from .one_stage import OneStageQuery, one_stage
from .periods import TimeSource
from .query import DatasetQuery, SqlDataset, same


def check_dialect(name: str) -> None:
    """A usage error naming the dialects when sqlglot has none called *name*."""
    from sqlglot.dialects.dialect import Dialect

    known = sorted(k for k in Dialect.classes if k)
    if name not in known:
        raise DirectiveUsageError(
            f"unknown SQL dialect `{name}`",
            hint=suggest(name, known) or f"the dialects are {listing(known)}",
        )


#: Characters that end a line somewhere: in a `--` comment they would end it early.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def comment_text(text: str) -> str:
    r"""*text* made safe inside a ``--`` comment: no line break of any kind ends it early.

    >>> comment_text("rules a\r\nDROP TABLE x;\u2028b")
    'rules a  DROP TABLE x; b'
    """
    return _LINE_BREAKS.sub(" ", text)


@contextlib.contextmanager
def quietly() -> Iterator[list[str]]:
    """sqlglot's warnings about what a dialect cannot express, collected once each, not logged."""
    found: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if message not in found:
                found.append(message)

    logger = logging.getLogger("sqlglot")
    handler, propagate = Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def compile_directive(directive: m.CheckedDirective, dialect: str) -> list[tuple[str, str]]:
    """A heading and a pretty-printed statement per dataset the rules read."""
    tables = {name: _table_info(info) for name, info in directive.datasets.items()}
    start, end = directive.window or (Period.year(1000), Period.year(9999))
    window = Window(start=start, end=end)
    aggregates: set[AggregateRequest] = set()
    coverage: set[CoverageRequest] = set()
    readers: dict[str, list[str]] = {}
    for index, rule in enumerate(directive.rules):
        upper = None if rule.upper is None else m.map_aggregates(rule.upper, _resolved)
        rule = attrs.evolve(rule, left=m.map_aggregates(rule.left, _resolved),
                            right=m.map_aggregates(rule.right, _resolved), upper=upper)
        plan = RulePlan(rule=rule, index=index, as_of=end, window=window, until=None, missing="fail")
        found, covered = rule_requests(plan, tables, directive.domains)
        aggregates |= found
        coverage |= covered
        for name in rule.datasets():
            readers.setdefault(name, []).append(rule.id)
    out = []
    for name, rule_ids in readers.items():
        asked = sorted((r for r in aggregates if r.dataset == name), key=repr)
        covers = sorted((c for c in coverage if c.dataset == name), key=repr)
        dataset = _dataset(directive.datasets[name], asked, covers)
        heading = f"dataset {name} (rules {', '.join(rule_ids)})"
        shared = [r for r in asked if not one_stage(r)]
        staged = [r for r in asked if one_stage(r)]
        statements = []
        if shared or covers:
            statements.append((heading, DatasetQuery(dataset, shared, covers).expression))
        if staged:  # medians, quantiles, distinct counts: over the rows, not from the partials
            statements.append((f"dataset {name}, aggregates computed over the rows (rules "
                               f"{', '.join(_readers(directive, name, staged))})",
                               OneStageQuery(dataset, staged).expression))
        for title, expression in statements:
            tree = adapt(expression, dialect)  # the dialect's own spellings (GROUPING, TRY_CAST, …)
            out.append((title, tree.sql(dialect=dialect, pretty=True)))
    preamble = PREAMBLES.get(dialect, ())
    if preamble and out:
        out.insert(0, ("helper functions the statements below use", ";\n".join(preamble)))
    return out


def compile_rules(directive: m.CheckedDirective, dialect: str) -> list[tuple[list[str], str]]:
    """Per rule, the heading lines and the statement that yields its outcomes (see :mod:`.verdicts`)."""
    from .verdicts import rule_statements

    rules = []
    for rule in directive.rules:
        upper = None if rule.upper is None else m.map_aggregates(rule.upper, _resolved)
        rules.append(attrs.evolve(rule, left=m.map_aggregates(rule.left, _resolved),
                                  right=m.map_aggregates(rule.right, _resolved), upper=upper))
    out: list[tuple[list[str], str]] = []
    for rule, statement, notes in rule_statements(attrs.evolve(directive, rules=tuple(rules))):
        title = f": {rule.title}" if rule.title else ""
        unit = f" in {rule.unit.name}" if rule.unit is not None and rule.unit.name else ""
        heading = [f"rule {rule.id}{title}",
                   f"{_outcomes_of(rule)}: actual, threshold{unit} and status "
                   "(pass, fail, missing or pending)",
                   *notes]
        tree = adapt(statement, dialect)
        out.append(([comment_text(line) for line in heading], tree.sql(dialect=dialect, pretty=True)))
    preamble = PREAMBLES.get(dialect, ())
    if preamble and out:
        out.insert(0, (["helper functions the statements below use"], ";\n".join(preamble)))
    return out


def _readers(directive: m.CheckedDirective, name: str, requests: list[AggregateRequest]) -> list[str]:
    """The rules of dataset *name* that ask for one of *requests*."""
    wanted = {(r.func, r.measure, r.column, r.parameter) for r in requests}
    return [rule.id for rule in directive.rules
            if any((leaf.func, leaf.measure, leaf.column, leaf.parameter) in wanted
                   for value in (rule.left, rule.right, rule.upper) if value is not None
                   for leaf in m.aggregates(value) if leaf.dataset == name)]


def _outcomes_of(rule: m.CheckedRule) -> str:
    """Which outcomes a rule has: ``per region and year``, ``in 2007``, ``per continent, by 2030``."""
    time = rule.time
    if time.kind == "per":
        return f"per {' and '.join([*rule.dimensions, str(time.grain)])}"
    when = {"in": f"in {time.start}", "by": f"by {time.deadline}", "total": "in total"}[time.kind]
    return f"per {' and '.join(rule.dimensions)}, {when}" if rule.dimensions else when


def _resolved(leaf: m.Aggregate) -> m.Value:
    """A leaf whose measure the data was to name: a column named after it (or the dataset)."""
    if leaf.deferred is None:
        return leaf
    column = leaf.deferred or leaf.dataset
    measure = m.MeasureInfo(name=column, expr=m.RowColumn(name=column), unit=None, declared=False)
    return attrs.evolve(leaf, measure=measure, deferred=None)


def _columns(info: m.DatasetInfo) -> tuple[str, ...]:
    measures = [c for measure in info.measures.values() for c in m.row_columns(measure.expr)]
    return tuple(dict.fromkeys([*(info.dimensions or ()), *measures]))


def _table_info(info: m.DatasetInfo) -> TableInfo:
    """What binding would learn, as far as the declaration tells (no rows, no periods)."""
    measures = [c for measure in info.measures.values() for c in m.row_columns(measure.expr)]
    return bound_table_info(
        name=info.name, origin=info.name, n_rows=0, dimensions=info.dimensions or (),
        measures=measures, time_column=info.time or "year", grain=None, periods=(),
    )


def _dataset(info: m.DatasetInfo, asked: list[AggregateRequest],
             covers: list[CoverageRequest]) -> SqlDataset:
    numeric = {c for measure in info.measures.values() for c in m.row_columns(measure.expr)}
    for request in asked:
        if request.measure is not None:
            numeric |= set(m.row_columns(request.measure.expr))
    named = set(_columns(info)) | numeric
    for request in asked:
        named |= set(request.groups) | set(m.condition_columns(request.where) if request.where else ())
        named |= {request.column} if request.column is not None else set()
    named |= {c.dimension for c in covers if c.dimension is not None}
    return SqlDataset(
        name=info.name,
        relation=exp.Table(this=exp.to_identifier(info.name, quoted=True)),
        cells={c: ident(c) for c in sorted(named)},
        text=dict.fromkeys(sorted(named - numeric), same),
        numbers=dict.fromkeys(sorted(numeric), same),
        time=TimeSource(ident(info.time or "year"), "text"),
    )


def compile_sql(directive: m.CheckedDirective, dialect: str = "duckdb") -> list[tuple[str, str]]:
    """The statement each dataset of *directive* is read with, rendered for *dialect*.

    Works without data: it assumes the declared schema and the header's
    window (see this module's docstring for the assumptions).

    >>> from directive_dsl import loads
    >>> directive = loads('''
    ... dataset trade
    ...   time year
    ...   dimensions partner
    ...   measure value
    ... rule cn "Exports to China": require trade.value[partner = "CN"] >= 5 per year
    ... ''')
    >>> [(heading, "GROUPING SETS" in sql) for heading, sql in compile_sql(directive, "spark")]
    [('dataset trade (rules cn)', True)]
    """
    return compile_directive(directive, dialect)
