"""Declarations: units, datasets (with their measures) and domains."""

from __future__ import annotations

from collections.abc import Callable

from .. import model as m
from .. import nodes as n
from ..aggregates import AGGREGATES
from ..data.options import FileOptions, OptionProblem, format_of_name, read_options
from ..errors import (
    Diagnostic,
    DirectiveCheckError,
    DirectiveError,
    DirectiveNameError,
    DirectiveUnitError,
    listing,
    suggest,
)
from ..periods import Period
from ..units import DIMENSIONLESS, MAGNITUDES, Unit, UnitRegistry, UnknownUnit, incompatibility
from .scope import Declared
from .typed import quantity_value

Report = Callable[[Diagnostic], None]


def _error(
    report: Report,
    span: object,
    code: str,
    message: str,
    hint: str | None = None,
    kind: type[DirectiveError] = DirectiveCheckError,
) -> None:
    report(Diagnostic.at(span, code, message, hint=hint, kind=kind))  # type: ignore[arg-type]


def define_unit(units: UnitRegistry, node: n.UnitDef, report: Report) -> None:
    name = node.name.name
    if node.quantity is None:
        units.define_counted(name)
        return
    try:
        _, of = quantity_value(node.quantity, units)
    except UnknownUnit as error:
        _error(
            report,
            node.quantity.span,
            "E301",
            f"unknown unit `{error.name}`",
            suggest(error.name, units.names()),
            kind=DirectiveUnitError,
        )
        return
    if node.quantity.unit is None:
        _error(
            report,
            node.quantity.span,
            "E301",
            f"unit `{name}` needs a unit on the right",
            f"write e.g. `unit {name} = 60 kg`",
            kind=DirectiveUnitError,
        )
        return
    scale = MAGNITUDES[node.quantity.magnitude] if node.quantity.magnitude else 1.0
    try:
        units.define_derived(name, node.quantity.number * scale, of)
    except ValueError as error:
        _error(
            report, node.quantity.span, "E301", f"unit `{name}`: {error}", kind=DirectiveUnitError
        )


def dataset_info(declared: Declared, units: UnitRegistry, report: Report) -> m.DatasetInfo:
    node = declared.node
    assert isinstance(node, n.Dataset)
    measures: dict[str, m.MeasureInfo] = {}
    for clause in node.measures:
        name = clause.column.name if isinstance(clause, n.Measure) else clause.name.name
        span = clause.column.span if isinstance(clause, n.Measure) else clause.name.span
        if name in measures:
            _error(
                report,
                span,
                "E200",
                f"measure `{name}` is declared twice in `{node.name.name}`",
                kind=DirectiveNameError,
            )
            continue
        info = (
            _plain_measure(clause, units, report)
            if isinstance(clause, n.Measure)
            else _derived_measure(clause, measures, units, report)
        )
        if info is not None:
            measures[name] = info
    dimensions = node.dimensions
    dims = tuple(d.name for d in dimensions) if dimensions is not None else None
    for d in dimensions or ():
        if d.name in measures:
            _error(
                report,
                d.span,
                "E200",
                f"`{d.name}` is declared both as a dimension and as a measure",
                kind=DirectiveNameError,
            )
    for clause in node.measures:
        column = clause.unit_column if isinstance(clause, n.Measure) else None
        if column is not None and ((dims is not None and column.name not in dims) or column.name in measures):
            _error(report, column.span, "E408",
                   f"`unit from {column.name}`: `{column.name}` is not a dimension of `{node.name.name}`",
                   hint="add it to `dimensions` (the text in it names each row's unit)"
                   + (f"; {suggest(column.name, dims)}" if dims and suggest(column.name, dims) else ""))
    if dims is not None and len(set(dims)) != len(dims):
        _error(
            report,
            node.span,
            "E200",
            f"a dimension of `{node.name.name}` is listed twice",
            kind=DirectiveNameError,
        )
    fill = node.fill
    if fill is not None and (fill.value.number != 0 or fill.value.unit or fill.value.magnitude):
        _error(report, fill.value.span, "E408", f"`fill {fill.value.text}`: only `fill 0` is defined",
               hint="write `fill 0` (a group and period with no row counts as zero)",
               kind=DirectiveCheckError)
    as_of = None
    if node.as_of is not None:
        as_of = Period.parse(node.as_of.period.text)
        if as_of is None:
            _error(report, node.as_of.period.span, "E404", f"`{node.as_of.period.text}` is not a period",
                   hint="write a year (2026), a quarter (2026-Q1) or a month (2026-03)",
                   kind=DirectiveCheckError)
    return m.DatasetInfo(
        name=node.name.name,
        path=node.path.value if node.path else None,
        path_span=node.path.span if node.path else None,
        file_options=_file_options(node, report),
        base_dir=declared.base_dir,
        time=node.time.name if node.time else None,
        dimensions=dims,
        measures=measures,
        complete=dims is not None and bool(measures),
        fill=fill.span if fill is not None else None,
        as_of=as_of,
        as_of_span=node.as_of.span if node.as_of is not None else None,
        span=node.name.span,
        column_spans={
            **{d.name: d.span for d in dimensions or ()},
            **({node.time.name: node.time.span} if node.time else {}),
        },
    )


def _file_options(node: n.Dataset, report: Report) -> FileOptions:
    """The options of `from "path" with key value, …`, each checked against the file's kind;
    every wrong one is reported (E408) and left out."""
    given = node.file_options
    if not given or node.path is None:
        return FileOptions()
    fmt = format_of_name(node.path.value)
    taken: list[tuple[str, object]] = []
    for option in given:
        value = option.value.value
        pair = (option.key.name, int(value) if option.number and value.isdigit() else value)
        try:
            read_options([*taken, pair], fmt)
        except OptionProblem as problem:
            _error(report, option.value.span if problem.value else option.key.span, "E408",
                   problem.message, hint=problem.hint)
            continue
        taken.append(pair)
    return read_options(taken, fmt)


def _plain_measure(clause: n.Measure, units: UnitRegistry, report: Report) -> m.MeasureInfo | None:
    unit: Unit | None = None
    if clause.unit is not None:
        try:
            unit = units.parse(clause.unit)
        except UnknownUnit as error:
            _error(
                report,
                clause.span,
                "E301",
                f"unknown unit `{error.name}`",
                suggest(error.name, units.names()) or f"declare it with `unit {error.name}`",
                kind=DirectiveUnitError,
            )
            return None
    elif clause.magnitude is not None:
        unit = DIMENSIONLESS
    aggregate = "sum"
    if clause.aggregate is not None:
        aggregate = clause.aggregate.name
        # a measure's own aggregate keeps its unit and takes no second argument
        choices = [k.name for k in AGGREGATES.values() if k.unit == "measure" and k.parameter is None]
        if aggregate not in choices:
            _error(
                report,
                clause.aggregate.span,
                "E402",
                f"unknown aggregate `{aggregate}`",
                suggest(aggregate, choices) or f"use one of {listing(choices)}",
            )
            return None
    scale = (MAGNITUDES[clause.magnitude] if clause.magnitude else 1.0) * (
        unit.factor if unit else 1.0
    )
    return m.MeasureInfo(
        name=clause.column.name,
        expr=m.RowColumn(name=clause.column.name, scale=scale),
        unit=unit,
        aggregate=aggregate,
        unit_column=clause.unit_column.name if clause.unit_column is not None else None,
        span=clause.span,
    )


def _derived_measure(
    clause: n.DerivedMeasure,
    measures: dict[str, m.MeasureInfo],
    units: UnitRegistry,
    report: Report,
) -> m.MeasureInfo | None:
    try:
        expr, unit = _row(clause.expr, measures, units, report)
    except _RowError:
        return None
    return m.MeasureInfo(name=clause.name.name, expr=expr, unit=unit, span=clause.span)


class _RowError(Exception):
    pass


def _row(
    expr: n.Expr, measures: dict[str, m.MeasureInfo], units: UnitRegistry, report: Report
) -> tuple[m.RowExpr, Unit | None]:
    """A derived measure's expression, row by row: columns, numbers and arithmetic."""
    if isinstance(expr, n.Ref):
        known = measures.get(expr.name)
        if known is not None:
            return known.expr, known.unit
        return m.RowColumn(name=expr.name), None
    if isinstance(expr, n.Quantity):
        try:
            value, literal_unit = quantity_value(expr, units)
        except UnknownUnit as error:
            _error(
                report, expr.span, "E301", f"unknown unit `{error.name}`", kind=DirectiveUnitError
            )
            raise _RowError from None
        return m.RowConst(value=value), literal_unit
    if isinstance(expr, n.Neg):
        operand, operand_unit = _row(expr.operand, measures, units, report)
        return m.RowNeg(operand=operand), operand_unit
    if isinstance(expr, n.BinOp):
        unit: Unit | None
        left, lu = _row(expr.left, measures, units, report)
        right, ru = _row(expr.right, measures, units, report)
        if expr.op in "+-":
            if lu is not None and ru is not None and (problem := incompatibility(lu, ru)):
                _error(report, expr.span, "E300", problem, kind=DirectiveUnitError)
                raise _RowError
            unit = lu if lu is not None else ru
        elif lu is None and ru is None:
            unit = None
        else:
            a, b = lu or DIMENSIONLESS, ru or DIMENSIONLESS
            unit = a * b if expr.op == "*" else a / b
        return m.RowArith(op=expr.op, left=left, right=right), unit  # type: ignore[arg-type]
    _error(
        report,
        expr.span,
        "E407",
        "a derived measure is computed row by row from columns, numbers and + - * /",
        "aggregate and compare in a rule instead",
    )
    raise _RowError


def domain_values(
    node: n.Domain, lists: Callable[[n.Ref], tuple[str | float, ...] | None], report: Report
) -> tuple[str, ...]:
    if isinstance(node.values, n.ListLit):
        items: list[str | float] = []
        for item in node.values.items:
            if isinstance(item, n.String):
                items.append(item.value)
            elif isinstance(item, n.Quantity) and item.unit is None and item.magnitude is None:
                items.append(item.number)
            else:
                _error(report, item.span, "E402", "domain values are strings or plain numbers")
    else:
        found = lists(node.values)
        if found is None:
            return ()
        items = list(found)
    values = tuple(dict.fromkeys(text_of(v) for v in items))
    if not values:
        _error(report, node.span, "E402", f"domain `{node.dimension.name}` lists no values")
    return values


def text_of(value: str | float) -> str:
    """A list item as a dimension value: ``2026`` for the number 2026."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
