"""Units read row by row: `measure quantity unit from uom` (SPEC §13.2).

Before the rules are planned, the engine is asked which texts the unit column
holds; each must be a unit (of section 8 or declared with `unit`, with an
optional magnitude: `thousand t`). Each leaf that reads such a measure then
multiplies every row by its own unit's factor to the base unit (a `RowUnit`,
which every engine computes row by row: in SQL a CASE on the column), so
`t` and `kg` rows add up in kg. After the run, an aggregate whose rows hold
units of different kinds (kg and pcs) is a data error naming the rule and
the group; so is data of one kind compared with a threshold of another.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs

from . import model as m
from .errors import Diagnostic, DirectiveDataError, DirectiveError, listing, suggest
from .plan import AggregateRequest, Answers, Bucket, CoverageRequest, Engine, RangeBucket, TableInfo
from .units import MAGNITUDES, Unit, UnitRegistry, UnknownUnit

#: Per dataset and unit column: each text found and the unit it names.
RowUnits = dict[tuple[str, str], dict[str, Unit]]


def _columns(rules: Iterable[m.CheckedRule]) -> dict[tuple[str, str], m.MeasureInfo]:
    found: dict[tuple[str, str], m.MeasureInfo] = {}
    for rule in rules:
        for value in rule.values():
            for leaf in m.aggregates(value):
                if leaf.measure is not None and leaf.measure.unit_column:
                    found.setdefault((leaf.dataset, leaf.measure.unit_column), leaf.measure)
    return found


def read_row_units(rules: Sequence[m.CheckedRule], tables: Mapping[str, TableInfo], engine: Engine,
                   registry: UnitRegistry) -> RowUnits:
    """The units each unit column names, asked of *engine*; an unknown one is a data error."""
    columns = _columns(rules)
    if not columns:
        return {}
    requests = [CoverageRequest(name, column, RangeBucket(None, None)) for name, column in columns]
    answers = engine.run([], requests)
    found: RowUnits = {}
    problems: list[Diagnostic] = []
    for request in requests:
        assert request.dimension is not None
        texts = sorted({v for v, _ in answers.coverage[request] if v is not None})
        units: dict[str, Unit] = {}
        for text in texts:
            unit = _unit(text, registry)
            if unit is None:
                problems.append(_unknown(text, tables[request.dataset], request.dimension, registry))
            else:
                units[text] = unit
        found[(request.dataset, request.dimension)] = units
    if problems:
        raise DirectiveError.from_diagnostics(problems)
    return found


def _unit(text: str, registry: UnitRegistry) -> Unit | None:
    """``t``, ``thousand t``, ``USD/t``: the unit a cell names, or None."""
    words = text.split()
    scale = 1.0
    if len(words) == 2 and words[0] in MAGNITUDES:
        scale, words = MAGNITUDES[words[0]], words[1:]
    if len(words) != 1:
        return None
    try:
        unit = registry.parse(words[0])
    except (UnknownUnit, ValueError):
        return None
    return attrs.evolve(unit, name=text, factor=unit.factor * scale)


def _unknown(text: str, table: TableInfo, column: str, registry: UnitRegistry) -> Diagnostic:
    """An unknown unit text, located at its first row when the data is a CSV/TSV file."""
    hint = suggest(text, registry.names()) or f"declare it with `unit {text}`, or fix the cell"
    message = f"`{text}` in column `{column}` of `{table.name}` is not a unit"
    place = _first_row(Path(table.origin), column, text)
    if place is None:
        return Diagnostic(code="E511", message=f"{message} ({table.origin})", hint=hint, kind=DirectiveDataError)
    line, col = place
    return Diagnostic(code="E511", message=message, file=table.origin, line=line, column=col, hint=hint,
                      kind=DirectiveDataError)


def _first_row(path: Path, column: str, text: str) -> tuple[int, int] | None:
    """The line and field number of the first cell of *column* holding *text*, in a CSV/TSV file."""
    if path.suffix.lower() not in (".csv", ".tsv") or not path.is_file():
        return None
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
            header = next(reader, [])
            if column not in header:
                return None
            at = header.index(column)
            for row in reader:
                if len(row) > at and row[at].strip() == text:
                    return reader.line_num, at + 1
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def convert(rule: m.CheckedRule, units: RowUnits) -> m.CheckedRule:
    """*rule* with each measure read in the rows' own units converted to base units row by row."""
    if not units:
        return rule

    def fix(leaf: m.Aggregate) -> m.Value:
        measure = leaf.measure
        if measure is None or not measure.unit_column:
            return leaf
        factors = tuple(sorted((text, unit.factor) for text, unit in
                               units.get((leaf.dataset, measure.unit_column), {}).items()))
        per_row = m.RowArith(op="*", left=measure.expr, right=m.RowUnit(column=measure.unit_column, factors=factors))
        return attrs.evolve(leaf, measure=attrs.evolve(measure, expr=per_row))

    upper = m.map_aggregates(rule.upper, fix) if rule.upper is not None else None
    return attrs.evolve(rule, left=m.map_aggregates(rule.left, fix), right=m.map_aggregates(rule.right, fix),
                        upper=upper)


def kind_requests(rule: m.CheckedRule, buckets: Iterable[Bucket]) -> set[AggregateRequest]:
    """Row counts per group and unit text, for each leaf reading a unit column, to find mixed kinds."""
    found = set()
    for bucket in buckets:
        for value in rule.values():
            for leaf in m.aggregates(value):
                if leaf.measure is not None and leaf.measure.unit_column:
                    found.add(_kinds(leaf, bucket))
    return found


def _kinds(leaf: m.Aggregate, bucket: Bucket) -> AggregateRequest:
    assert leaf.measure is not None and leaf.measure.unit_column is not None
    counted = m.Aggregate(dataset=leaf.dataset, measure=None, func="count", where=leaf.where,
                          groups=(*leaf.groups, leaf.measure.unit_column))
    return AggregateRequest.of(counted, bucket)


def check_kinds(rule: m.CheckedRule, buckets: Iterable[Bucket], answers: Answers, units: RowUnits) -> list[Diagnostic]:
    """A data error for each aggregate adding up units of different kinds, or of another kind
    than the threshold's."""
    problems: list[Diagnostic] = []
    for bucket in buckets:
        for value in rule.values():
            for leaf in m.aggregates(value):
                if leaf.measure is None or not leaf.measure.unit_column:
                    continue
                known = units.get((leaf.dataset, leaf.measure.unit_column), {})
                seen: dict[tuple[tuple[str, ...], object], set[str]] = {}
                for (key, period), cell in answers.aggregates[_kinds(leaf, bucket)].items():
                    if cell.rows and key[-1] in known:
                        seen.setdefault((key[:-1], period), set()).add(key[-1])
                for (group, when), texts in sorted(seen.items(), key=repr):
                    problem = _kind_problem(rule, leaf, dict(zip(leaf.groups, group, strict=True)), when,
                                            sorted(texts), known)
                    if problem is not None:
                        problems.append(problem)
                        break
    return problems[:1]  # one per rule: the first group found says what to fix


def _kind_problem(rule: m.CheckedRule, leaf: m.Aggregate, group: dict[str, str], period: object,
                  texts: list[str], known: Mapping[str, Unit]) -> Diagnostic | None:
    assert leaf.measure is not None
    kinds = {known[t].dims for t in texts}
    where = ", ".join([*(f"{k} = {v}" for k, v in group.items()), *([str(period)] if period else [])])
    about = f"rule `{rule.id}`" + (f", {where}" if where else "")
    if len(kinds) > 1:
        return Diagnostic.at(
            leaf.span, "E512",
            f"{about}: `{leaf.dataset}.{leaf.measure.name}` adds up units of different kinds: {listing(texts)}",
            hint=f'select one kind, e.g. [{leaf.measure.unit_column} = "{texts[0]}"]', kind=DirectiveDataError)
    wanted = rule.unit
    if wanted is not None and wanted.dims and kinds != {wanted.dims}:
        return Diagnostic.at(
            leaf.span, "E512",
            f"{about}: `{leaf.dataset}.{leaf.measure.name}` is in {listing(texts)}, compared with {wanted.name}",
            hint=f"compare it with a threshold in {texts[0]}, or select the rows in {wanted.name}",
            kind=DirectiveDataError)
    return None
