"""The bind stage: each dataset a rule reads bound to its data, and each rule checked against
what the data holds (columns, measures left to the data, codes held as numbers, units in a
column); :func:`bind_directive` is its entry."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from . import model as m
from .asof import dataset_facts
from .data import DataFile, DatasetSchema
from .errors import (
    Diagnostic,
    DirectiveDataError,
    DirectiveError,
    DirectiveUsageError,
    listing,
    suggest,
)
from .plan import Engine, TableInfo
from .provenance import hash_soon
from .row_units import RowUnits, convert, read_row_units
from .run_options import RunOptions
from .run_progress import Progress, stepping


def schema_of(info: m.DatasetInfo) -> DatasetSchema:
    """What binding checks a table against, from a dataset's declaration."""
    plain = [
        name
        for name, measure in info.measures.items()
        if isinstance(measure.expr, m.RowColumn) and measure.expr.name == name
    ]
    read = {c for measure in info.measures.values() for c in m.row_columns(measure.expr)}
    # A column only a derived measure reads is located at that measure's clause.
    read_by = {c: measure.span for measure in info.measures.values() for c in m.row_columns(measure.expr)}
    spans = {**read_by, **info.column_spans,
             **{name: measure.span for name, measure in info.measures.items()}}
    return DatasetSchema(
        name=info.name,
        time=info.time,
        dimensions=info.dimensions,
        measures=tuple(plain),
        numeric_columns=tuple(sorted(read - set(plain))),
        complete=info.complete,
        spans=spans,
    )


def bind_datasets(
    directive: m.CheckedDirective, data: Mapping[str, object], engine: Engine, allow_outside: bool,
    bound: dict[str, tuple[object, Path]], progress: Progress,
) -> dict[str, TableInfo]:
    """Bind every dataset a rule reads; *bound* receives what each was bound to, and its folder."""
    used = dict.fromkeys(name for rule in directive.rules for name in rule.datasets())
    unknown = [name for name in data if name not in directive.datasets]
    if unknown:
        raise DirectiveUsageError(
            f"data is bound to `{unknown[0]}`, which the directive does not use",
            hint=suggest(unknown[0], directive.datasets)
            or f"its datasets are {listing(directive.datasets)}",
        )
    tables: dict[str, TableInfo] = {}
    problems: list[Diagnostic] = []
    for name in stepping(list(used), progress, "read"):
        info = directive.datasets[name]
        if name in data:
            value, base_dir, outside = data[name], Path.cwd(), True
        elif info.path is not None:
            value, base_dir, outside = info.path, info.base_dir, allow_outside
            if info.file_options:
                value = DataFile(info.path, info.file_options)
        else:
            problems.append(
                Diagnostic.at(
                    info.span,
                    "E506",
                    f"no data is bound to dataset `{name}`",
                    hint=f'pass --data {name}=PATH, or add `from "{name}.csv"` to its declaration',
                    kind=DirectiveDataError,
                )
            )
            continue
        schema = attrs.evolve(schema_of(info), wanted=_wanted(directive, name),
                              keys=_keyed(directive, name))
        hash_soon(value, base_dir)  # the report's digest of the file, read while the engine reads it
        try:
            tables[name] = engine.bind(
                name, value, schema, base_dir=base_dir, allow_outside=outside
            )
            bound[name] = (value, base_dir)
        except DirectiveError as error:
            problems.extend(_at_from(d, info) if name not in data else d for d in error.diagnostics)
    if problems:
        raise DirectiveError.from_diagnostics(problems)
    return tables


def _at_from(problem: Diagnostic, info: m.DatasetInfo) -> Diagnostic:
    """A problem with the file a `from` clause names, located at that clause (E509, E500)."""
    if problem.code not in ("E509", "E500") or problem.line is not None or info.path_span is None:
        return problem
    shown = f" ({problem.file})" if problem.file and problem.file not in problem.message else ""
    return Diagnostic.at(info.path_span, problem.code, problem.message + shown,
                         hint=problem.hint, kind=problem.kind or DirectiveDataError)


def _wanted(directive: m.CheckedDirective, dataset: str) -> tuple[str, ...]:
    """The undeclared columns of *dataset* that some rule reads as a measure."""
    found: dict[str, None] = {}
    for rule in directive.rules:
        for value in rule.values():
            for leaf in m.aggregates(value):
                if leaf.dataset == dataset and leaf.deferred:
                    found[leaf.deferred] = None
    return tuple(found)


def _keyed(directive: m.CheckedDirective, dataset: str) -> tuple[str, ...]:
    """The columns of *dataset* that some rule groups by or compares with text.

    They are dimensions whatever the data holds: a column of codes left out of
    `dimensions` keeps "0402" as written instead of becoming the measure 402.
    """
    found: dict[str, None] = {}
    for rule in directive.rules:
        for value in rule.values():
            for leaf in m.aggregates(value):
                if leaf.dataset == dataset:
                    found.update(dict.fromkeys(leaf.groups))
                    found.update((column, None) for column, _ in _text_literals(leaf.where))
    return tuple(found)


def _lost_text(
    leaf: m.Aggregate, table: TableInfo, domains: Mapping[str, tuple[str, ...]]
) -> list[Diagnostic]:
    """E510 for a text literal that no value of a numbers-typed dimension can equal (SPEC §13.1).

    "0402" against a column of integers matches nothing: the leading zero was lost
    when the column was read as numbers. "402" still matches 402, and is allowed.
    A group's domain is checked the same way: its "0402" would be reported as missing.
    """
    found: dict[tuple[str, str], str] = {}
    for column, literal in _text_literals(leaf.where):
        found.setdefault((column, literal), f'"{literal}" can never match it')
    for column in leaf.groups:
        for literal in domains.get(column, ()):
            found.setdefault((column, literal), f'"{literal}" in its domain can never match it')
    return [
        Diagnostic.at(
            leaf.span,
            "E510",
            f"`{column}` of dataset `{table.name}` ({table.origin}) holds numbers, so {what}",
            hint="codes such as 0402 lose their leading zeros when read as numbers: "
            + _as_text_hint(column, table.origin),
            kind=DirectiveDataError,
        )
        for (column, literal), what in found.items()
        if column in table.numeric_dimensions and not _number_text(literal)
    ]


def _as_text_hint(column: str, origin: str) -> str:
    """How to keep *column* as text, in the words of the library or format it came from."""
    if origin == "<pandas DataFrame>":
        return f"read `{column}` as text (pandas: dtype={{'{column}': str}})"
    if origin == "<polars DataFrame>":
        return f"read `{column}` as text (polars: schema_overrides={{'{column}': pl.String}})"
    if origin == "<pyarrow Table>":
        return (f"read `{column}` as text (pyarrow.csv: "
                f"ConvertOptions(column_types={{'{column}': pa.string()}}))")
    if origin.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        return f"format `{column}` as Text in the workbook and type the codes again (0402)"
    if origin.lower().endswith((".json", ".jsonl", ".json.gz", ".jsonl.gz")):
        return f'write `{column}` as JSON strings ("0402")'
    return f"store `{column}` as text"


def _text_literals(cond: m.RowCondition | None) -> list[tuple[str, str]]:
    if isinstance(cond, m.ColumnCompare) and isinstance(cond.value, str):
        return [(cond.column, cond.value)]
    if isinstance(cond, m.ColumnIn):
        return [(cond.column, v) for v in cond.values if isinstance(v, str)]
    if isinstance(cond, m.AllOf | m.AnyOf):
        return [pair for item in cond.items for pair in _text_literals(item)]
    if isinstance(cond, m.Not):
        return _text_literals(cond.item)
    return []


def _number_text(text: str) -> bool:
    """Whether *text* is how a number's value reads as dimension text ("402", "1.5")."""
    from .data.values import to_text

    try:
        return to_text(float(text)) == text
    except ValueError:
        return False


def resolve_rule(
    rule: m.CheckedRule,
    tables: Mapping[str, TableInfo],
    domains: Mapping[str, tuple[str, ...]],
) -> m.CheckedRule:
    """Replace measures left to the data with real ones; check every column the rule reads."""
    problems: list[Diagnostic] = []

    def fix(leaf: m.Aggregate) -> m.Value:
        table = tables[leaf.dataset]
        problems.extend(_lost_text(leaf, table, domains))
        for column in (*leaf.groups, *(m.condition_columns(leaf.where) if leaf.where else ())):
            if column not in table.columns:
                problems.append(
                    Diagnostic.at(
                        leaf.span,
                        "E501",
                        f"dataset `{table.name}` ({table.origin}) has no column `{column}`",
                        hint=suggest(column, table.columns)
                        or f"its columns are {listing(table.columns)}",
                        kind=DirectiveDataError,
                    )
                )
        if leaf.deferred is None:
            return leaf
        name = leaf.deferred
        measures = [c for c in table.columns if c in table.numeric and c != table.time_column]
        if name == "":
            if len(measures) != 1:
                what = (
                    f"several numeric columns: {listing(measures)}"
                    if measures
                    else "no numeric column"
                )
                problems.append(
                    Diagnostic.at(
                        leaf.span,
                        "E206",
                        f"dataset `{table.name}` has {what}",
                        hint=f"name the measure: `{table.name}.{measures[0]}`"
                        if measures
                        else None,
                        kind=DirectiveDataError,
                    )
                )
                return leaf
            name = measures[0]
        elif name not in table.numeric:
            found = "is not numeric" if name in table.columns else "is not a column"
            problems.append(
                Diagnostic.at(
                    leaf.span,
                    "E501",
                    f"`{name}` {found} in dataset `{table.name}` ({table.origin})",
                    hint=suggest(name, measures)
                    or suggest(name, table.columns)
                    or f"its numeric columns are {listing(measures)}",
                    kind=DirectiveDataError,
                )
            )
            return leaf
        measure = m.MeasureInfo(name=name, expr=m.RowColumn(name=name), unit=None, declared=False)
        return attrs.evolve(leaf, measure=measure, deferred=None)

    left, right = m.map_aggregates(rule.left, fix), m.map_aggregates(rule.right, fix)
    upper = m.map_aggregates(rule.upper, fix) if rule.upper is not None else None
    if problems:
        raise DirectiveError.from_diagnostics(problems)
    return attrs.evolve(rule, left=left, right=right, upper=upper)


@attrs.frozen(kw_only=True)
class Bound:
    """What binding learned: each dataset's table (as-of and fill settled), the rules with
    measures left to the data resolved and units in a column converted, and what each
    dataset was read from."""

    tables: Mapping[str, TableInfo]
    rules: tuple[m.CheckedRule, ...]
    row_units: RowUnits
    sources: Mapping[str, tuple[object, Path]]


def bind_directive(directive: m.CheckedDirective, data: Mapping[str, object], engine: Engine,
                   options: RunOptions, *, allow_outside: bool, progress: Progress) -> Bound:
    """The bind stage: every dataset the rules read bound by *engine*, each one's as-of and
    `fill 0` settled (SPEC §13.2), measures left to the data resolved, and the units a unit
    column names read and applied row by row (§13.1)."""
    sources: dict[str, tuple[object, Path]] = {}
    tables = dataset_facts(directive, bind_datasets(directive, data, engine, allow_outside, sources, progress),
                           options.as_of)
    rules = [resolve_rule(rule, tables, directive.domains) for rule in directive.rules]
    row_units = read_row_units(rules, tables, engine, directive.units)
    return Bound(tables=tables, rules=tuple(convert(rule, row_units) for rule in rules),
                 row_units=row_units, sources=sources)
