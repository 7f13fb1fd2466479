"""Expressions: names resolved, selectors pushed to the measures, units worked out.

:class:`Resolver` turns an expression of the syntax tree into a
:class:`Typed` value: a :data:`~directive_dsl.model.Value` tree, its unit
(``None`` when unknown), and the dimension values its selectors narrow.
Problems are recorded as diagnostics; a broken part resolves to
:data:`BROKEN` so checking can go on and report the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import attrs

from .. import model as m
from .. import nodes as n
from ..aggregates import AGGREGATES, AggregateKind
from ..builder import MAX_DEPTH
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
from ..source import Span
from ..units import (
    DIMENSIONLESS,
    PERCENT,
    POINTS,
    Unit,
    UnitRegistry,
    UnknownUnit,
    incompatibility,
    is_currency_clash,
)
from .selectors import apply_selector
from .typed import BROKEN, Typed, merge_narrowing, quantity_value

FUNCTIONS = (*AGGREGATES, "share", "growth", "change")
#: Through lets, a value may nest as deep as one expression may (the builder's bound), and
#: expand to at most this many terms: every walk of a rule's value is bounded by it.
MAX_TERMS = 100_000
_ARITY: dict[str, int] = {**{k.name: k.arity for k in AGGREGATES.values()},
                          "share": 2, "growth": 1, "change": 1}
class Resolver:
    """Resolves expressions against a directive's declarations."""

    def __init__(
        self,
        *,
        datasets: Mapping[str, m.DatasetInfo],
        lets: Mapping[str, n.Let],
        units: UnitRegistry,
        report: Callable[[Diagnostic], None],
        implicit_datasets: bool,
        declare_implicit: Callable[[str, Span], m.DatasetInfo],
        broken_names: frozenset[str] = frozenset(),
    ) -> None:
        self.broken_names = broken_names
        self.datasets = datasets
        self.lets = lets
        self._extents: dict[int, tuple[int, int]] = {}
        self._extent_keep: list[m.Value] = []
        self.units = units
        self.report = report
        self.implicit_datasets = implicit_datasets
        self.declare_implicit = declare_implicit
        self._let_values: dict[str, Typed] = {}
        self._resolving: list[str] = []
        self._aggregating: AggregateKind | None = None  # the aggregate whose argument this is

    # ---------------------------------------------------------------- diagnostics

    def _fail(
        self,
        span: Span,
        code: str,
        message: str,
        hint: str | None = None,
        kind: type[DirectiveError] = DirectiveCheckError,
    ) -> Typed:
        self.report(Diagnostic.at(span, code, message, hint=hint, kind=kind))
        return BROKEN

    def warn(self, span: Span, code: str, message: str, hint: str | None = None) -> None:
        self.report(Diagnostic.at(span, code, message, hint=hint, severity="warning"))

    # ---------------------------------------------------------------- entry points

    def resolve(self, expr: n.Expr) -> Typed:
        """Any expression, as written."""
        method = getattr(self, "_" + type(expr).__name__.lower())
        result: Typed = method(expr)
        return result

    def value(self, expr: n.Expr) -> Typed:
        """An expression that must be a number: a dataset becomes its single measure."""
        return self.as_value(self.resolve(expr), expr.span)

    def as_value(self, typed: Typed, span: Span) -> Typed:
        if typed.kind == "dataset":
            return self._single_measure(typed, span)
        if typed.kind == "list":
            return self._fail(
                span, "E402", "a list can only be used after `in`", kind=DirectiveCheckError
            )
        if typed.kind == "string":
            return self._fail(span, "E402", "a string is not a value; strings belong in selectors")
        if typed.kind == "column":
            assert isinstance(typed.value, m.Aggregate)
            return self._fail(
                span,
                "E202",
                f"`{typed.value.column}` is a dimension of `{typed.value.dataset}`, not a measure",
                f"count its values with `count_distinct({typed.value.dataset}.{typed.value.column})`",
                kind=DirectiveNameError,
            )
        return typed

    # ---------------------------------------------------------------- atoms

    def _quantity(self, q: n.Quantity) -> Typed:
        try:
            value, unit = quantity_value(q, self.units)
        except UnknownUnit as error:
            return self._unknown_unit(q.span, error.name)
        return Typed(value=m.Constant(value=value), unit=unit)

    def _unknown_unit(self, span: Span, name: str) -> Typed:
        return self._fail(
            span,
            "E301",
            f"unknown unit `{name}`",
            suggest(name, self.units.names()) or f"declare it with `unit {name}`",
            kind=DirectiveUnitError,
        )

    def _string(self, s: n.String) -> Typed:
        return Typed(kind="string", items=(s.value,), unit=None)

    def _listlit(self, lst: n.ListLit) -> Typed:
        items: list[str | float] = []
        for item in lst.items:
            if isinstance(item, n.String):
                items.append(item.value)
            elif isinstance(item, n.Quantity) and item.unit is None and item.magnitude is None:
                items.append(item.number)
            else:
                self._fail(item.span, "E402", "list items are strings or plain numbers")
        return Typed(kind="list", items=tuple(items), unit=None)

    def _ref(self, ref: n.Ref) -> Typed:
        name = ref.name
        if name in self.lets:
            return self._let(name, ref.span)
        if name in self.datasets:
            return self._dataset(self.datasets[name], ref.span)
        if name in self.broken_names:
            return BROKEN  # its declaration did not parse; that error is reported already
        candidates = [*self.lets, *self.datasets]
        hint = suggest(name, candidates)
        if self.implicit_datasets and hint is None:
            info = self.declare_implicit(name, ref.span)
            return self._dataset(info, ref.span)
        if not hint and name in FUNCTIONS:
            hint = f"`{name}` is a function: write `{name}(…)`"
        return self._fail(
            ref.span,
            "E201",
            f"unknown name `{name}`",
            hint or _declare_hint(name),
            kind=DirectiveNameError,
        )

    def _let(self, name: str, span: Span) -> Typed:
        if name in self._let_values:
            return self._let_values[name]
        if name in self._resolving:
            chain = " -> ".join([*self._resolving[self._resolving.index(name) :], name])
            return self._fail(
                span,
                "E201",
                f"`{name}` is defined in terms of itself: {chain}",
                kind=DirectiveNameError,
            )
        self._resolving.append(name)
        try:
            result = self.resolve(self.lets[name].value)
        finally:
            self._resolving.pop()
        if result.value is not None and result.kind != "broken":
            depth, size = self._extent(result.value)
            if depth > MAX_DEPTH or size > MAX_TERMS:
                what = (f"nests more than {MAX_DEPTH} levels deep" if depth > MAX_DEPTH
                        else f"expands to more than {MAX_TERMS:,} terms")
                result = self._fail(
                    self.lets[name].value.span,
                    "E110",
                    f"`{name}` {what} through the lets it uses",
                    "write it with fewer lets built on each other",
                )
        self._let_values[name] = result
        return result

    def _extent(self, value: m.Value) -> tuple[int, int]:
        """The depth and the number of terms of *value* written out, lets expanded.

        Lets share their values (a let used twice is one node), so this is
        worked out once per node; what it bounds is what every later walk of
        the value costs.
        """
        found = self._extents.get(id(value))
        if found is None:
            children = [self._extent(child) for child in m.value_children(value)]
            found = (1 + max((d for d, _ in children), default=0), 1 + sum(n for _, n in children))
            self._extents[id(value)] = found
            self._extent_keep.append(value)  # ids stay unique while the node lives
        return found

    def _dataset(self, info: m.DatasetInfo, span: Span) -> Typed:
        rows = m.Aggregate(dataset=info.name, measure=None, func="count", span=span)
        return Typed(kind="dataset", value=rows, unit=DIMENSIONLESS)

    def _single_measure(self, typed: Typed, span: Span) -> Typed:
        leaf = typed.value
        assert isinstance(leaf, m.Aggregate)
        info = self.datasets[leaf.dataset]
        declared = list(info.measures)
        if len(declared) == 1 or (info.complete and len(declared) == 1):
            return self._measure_leaf(typed, leaf, info.measures[declared[0]], span)
        if len(declared) > 1:
            return self._fail(
                span,
                "E206",
                f"dataset `{info.name}` has several measures: {listing(declared)}",
                f"name one, e.g. `{info.name}.{declared[0]}`",
                kind=DirectiveNameError,
            )
        if info.complete:
            return self._fail(
                span, "E202", f"dataset `{info.name}` declares no measure", kind=DirectiveNameError
            )
        self.warn(
            span,
            "W102",
            f"the measure of `{info.name}` is taken from the data (its single numeric column)",
        )
        deferred = attrs.evolve(leaf, func="sum", deferred="", span=span)
        return Typed(value=deferred, unit=None, narrowing=typed.narrowing)

    def _measure_leaf(
        self, typed: Typed, leaf: m.Aggregate, measure: m.MeasureInfo, span: Span
    ) -> Typed:
        value = attrs.evolve(leaf, measure=measure, func=measure.aggregate, span=span)
        return Typed(value=value, unit=measure.unit, narrowing=typed.narrowing)

    # ---------------------------------------------------------------- postfix

    def _attr(self, attr: n.Attr) -> Typed:
        base = self.resolve(attr.base)
        if base.kind == "broken":
            return base
        name = attr.name.name
        if base.kind != "dataset":
            return self._fail(
                attr.name.span,
                "E402",
                f"`.{name}` needs a dataset on its left",
                "write `dataset.measure`",
            )
        leaf = base.value
        assert isinstance(leaf, m.Aggregate)
        info = self.datasets[leaf.dataset]
        if name in info.measures:
            return self._measure_leaf(base, leaf, info.measures[name], attr.span)
        aggregating = self._aggregating
        if info.dimensions and name in info.dimensions and aggregating and aggregating.reads_dimensions:
            column = attrs.evolve(leaf, measure=None, column=name, span=attr.span)
            return Typed(kind="column", value=column, unit=DIMENSIONLESS, narrowing=base.narrowing)
        if info.dimensions and name in info.dimensions:
            counting = [k.signature.split("(")[0] for k in AGGREGATES.values() if k.reads_dimensions]
            return self._fail(
                attr.name.span,
                "E202",
                f"`{name}` is a dimension of `{info.name}`, not a measure",
                f"count its values with `{counting[0]}({info.name}.{name})`" if aggregating
                else f"group by it with `{info.name}[{name}]`",
                kind=DirectiveNameError,
            )
        if info.time is not None and name == info.time:
            return self._fail(
                attr.name.span,
                "E202",
                f"`{name}` is the time column of `{info.name}`, not a measure",
                suggest(name, info.measures) or f"its measures are {listing(info.measures)}",
                kind=DirectiveNameError,
            )
        # Undeclared numeric columns stay measures of unknown unit, as when nothing is
        # declared (SPEC §13.1); the data decides, and a name it lacks is E501 there.
        self.warn(
            attr.name.span,
            "W102",
            f"measure `{info.name}.{name}` is not declared: it is taken from the data",
        )
        deferred = attrs.evolve(leaf, func="sum", deferred=name, span=attr.span)
        return Typed(value=deferred, unit=None, narrowing=base.narrowing)

    def _at(self, at: n.At) -> Typed:
        base = self.value(at.base)
        period = self.period(at.period)
        if base.kind == "broken" or period is None:
            return BROKEN
        return attrs.evolve(base, value=m.AtPeriod(operand=base.value, period=period, span=at.span))

    def period(self, lit: n.PeriodLit) -> Period | None:
        """A period literal, or None after reporting it."""
        found = Period.parse(lit.text)
        if found is None:
            self._fail(
                lit.span,
                "E404",
                f"`{lit.text}` is not a period",
                "write a year (2026), a quarter (2026-Q1) or a month (2026-03)",
            )
        return found

    def _select(self, select: n.Select) -> Typed:
        base = self.resolve(select.base)
        if base.kind == "broken":
            return base
        if base.kind not in ("value", "dataset", "column"):
            return self._fail(
                select.span, "E402", "a selector `[…]` applies to a measure or a dataset"
            )
        return apply_selector(self, base, select)

    # ---------------------------------------------------------------- arithmetic

    def _neg(self, neg: n.Neg) -> Typed:
        operand = self.value(neg.operand)
        if operand.kind == "broken":
            return operand
        return attrs.evolve(operand, value=m.Negate(operand=operand.value))

    def _binop(self, op: n.BinOp) -> Typed:
        left, right = self.value(op.left), self.value(op.right)
        if left.kind == "broken" or right.kind == "broken":
            return BROKEN
        narrowing = merge_narrowing(left.narrowing, right.narrowing)
        if op.op in "+-":
            unified = self.unify(left, right, op.span)
            if unified is None:
                return BROKEN
            left, right, unit = unified
        else:
            unit = _multiply(left.unit, right.unit, op.op)
        value = m.Arith(op=op.op, left=left.value, right=right.value, span=op.span)  # type: ignore[arg-type]
        return Typed(value=value, unit=unit, narrowing=narrowing)

    def unify(
        self, left: Typed, right: Typed, span: Span
    ) -> tuple[Typed, Typed, Unit | None] | None:
        """Bring two operands of ``+ - < > = between`` to one unit; a unit-less measure takes the other's."""
        if left.unit is None and right.unit is None:
            return left, right, None
        if left.unit is None:
            assert right.unit is not None
            return _adopt(left, right.unit), right, right.unit
        if right.unit is None:
            return left, _adopt(right, left.unit), left.unit
        for zero, other in ((right, left), (left, right)):
            if _is_plain_zero(zero) and other.unit is not None and other.unit.name:
                # Zero is zero in any unit: `change(exports) >= 0` needs no `USD`.
                adopted = attrs.evolve(zero, unit=other.unit)
                return (left, adopted, other.unit) if zero is right else (adopted, right, other.unit)
        problem = incompatibility(left.unit, right.unit)
        if problem is not None:
            clash = is_currency_clash(left.unit, right.unit)
            hint = "currencies never convert; compare amounts in one currency" if clash else None
            for plain, other in ((left, right), (right, left)):
                if (
                    isinstance(plain.value, m.Constant)
                    and plain.unit == DIMENSIONLESS
                    and other.unit
                ):
                    hint = f"give the number a unit: `… {other.unit.name}`"
            self._fail(span, "E302" if clash else "E300", problem, hint, kind=DirectiveUnitError)
            return None
        return left, right, left.unit

    # ---------------------------------------------------------------- calls

    def _call(self, call: n.Call) -> Typed:
        name = call.func.name
        if name not in _ARITY:
            return self._fail(
                call.func.span,
                "E204",
                f"unknown function `{name}`",
                suggest(name, FUNCTIONS) or f"the functions are {listing(FUNCTIONS)}",
                kind=DirectiveNameError,
            )
        if len(call.args) != _ARITY[name]:
            want = _ARITY[name]
            return self._fail(
                call.span,
                "E401",
                f"`{name}` takes {want} argument{'s' if want > 1 else ''}, not {len(call.args)}",
                f"write `{name}({', '.join(['x', 'y'][:want])})`",
            )
        if name in AGGREGATES:
            return self._aggregate(call, AGGREGATES[name])
        args = [self.value(arg) for arg in call.args]
        if any(a.kind == "broken" for a in args):
            return BROKEN
        narrowing = merge_narrowing(*(a.narrowing for a in args))
        if name == "share":
            unified = self.unify(args[0], args[1], call.span)
            if unified is None:
                return BROKEN
            a, b, _ = unified
            value: m.Value = m.Arith(op="/", left=a.value, right=b.value, span=call.span)
            return Typed(value=value, unit=PERCENT, narrowing=narrowing)
        x = args[0]
        previous = m.Shift(operand=x.value, span=call.span)
        if name == "growth":
            ratio = m.Arith(op="/", left=x.value, right=previous, span=call.span)
            value = m.Arith(op="-", left=ratio, right=m.Constant(value=1.0), span=call.span)
            return Typed(value=value, unit=PERCENT, narrowing=narrowing)
        value = m.Arith(op="-", left=x.value, right=previous, span=call.span)
        # A change of a percentage is in percentage points (4.1% to 4.3%: +0.2 pp).
        unit = POINTS if x.unit is not None and x.unit.name in ("%", "pp") else x.unit
        return Typed(value=value, unit=unit, narrowing=narrowing)

    def _aggregate(self, call: n.Call, kind: AggregateKind) -> Typed:
        func = kind.name
        parameter = self._parameter(call, kind)
        if kind.parameter is not None and parameter is None:
            return BROKEN
        outer, self._aggregating = self._aggregating, kind
        try:
            arg = self.resolve(call.args[0])
        finally:
            self._aggregating = outer
        if arg.kind == "broken":
            return arg
        if arg.aggregated:
            # Taking the outer aggregate over the rows would silently drop the inner one.
            leaf = arg.value
            assert isinstance(leaf, m.Aggregate), "an aggregate call gives a leaf"
            read = leaf.measure.name if leaf.measure is not None else leaf.column or leaf.deferred
            written = f"{leaf.dataset}.{read}" if read else leaf.dataset
            return self._fail(
                call.args[0].span,
                "E402",
                f"`{func}` applies to a measure, not to another aggregate",
                f"write `{func}({written})`: an aggregate of aggregates is not defined",
            )
        if kind.counts_rows and arg.kind == "dataset":
            return attrs.evolve(arg, kind="value", unit=DIMENSIONLESS, aggregated=True)
        if arg.kind == "column":  # the values of a dimension, counted
            assert isinstance(arg.value, m.Aggregate)
            return attrs.evolve(arg, kind="value", value=attrs.evolve(arg.value, func=func), aggregated=True)
        arg = self.as_value(arg, call.args[0].span)
        if arg.kind == "broken":
            return arg
        leaf = arg.value
        if not isinstance(leaf, m.Aggregate):
            return self._fail(
                call.args[0].span,
                "E402",
                f"`{func}` applies to a measure, not to an expression",
                "aggregate each measure: `sum(a) + sum(b)`",
            )
        if kind.counts_rows:
            return attrs.evolve(
                arg,
                value=attrs.evolve(leaf, func=func, measure=None, deferred=None),
                unit=DIMENSIONLESS,
                aggregated=True,
            )
        unit = DIMENSIONLESS if kind.unit == "number" else arg.unit
        return attrs.evolve(arg, value=attrs.evolve(leaf, func=func, parameter=parameter), unit=unit,
                            aggregated=True)

    def _parameter(self, call: n.Call, kind: AggregateKind) -> float | None:
        """Quantile's fraction: a number from 0 to 1, or a percentage (``90%``)."""
        if kind.parameter is None:
            return None
        written = call.args[1]
        typed = self.value(written)
        if typed.kind == "broken":
            return None
        fraction = typed.value.value if isinstance(typed.value, m.Constant) else None
        if fraction is None or typed.unit not in (DIMENSIONLESS, PERCENT) \
                or not 0.0 <= fraction <= 1.0:
            self._fail(
                written.span,
                "E402",
                f"`{kind.name}` takes a fraction from 0 to 1 after the measure",
                f"write a number or a percentage: `{kind.signature}` or `{kind.name}(x, 90%)`",
            )
            return None
        return fraction


def _declare_hint(name: str) -> str:
    shown = name if name.isidentifier() else f"`{name}`"
    return f"declare it with `dataset {shown}` or `let {shown} = …`"


def _adopt(typed: Typed, unit: Unit) -> Typed:
    """A unit-less measure read in *unit*: its numbers are scaled into base units."""
    value = typed.value if unit.factor == 1.0 else m.Scale(operand=typed.value, factor=unit.factor)
    return attrs.evolve(typed, value=value, unit=unit)


def _multiply(a: Unit | None, b: Unit | None, op: str) -> Unit | None:
    if a is None and b is None:
        return None
    left = a if a is not None else DIMENSIONLESS
    right = b if b is not None else DIMENSIONLESS
    return left * right if op == "*" else left / right


def _is_plain_zero(typed: Typed) -> bool:
    return (isinstance(typed.value, m.Constant) and typed.value.value == 0
            and typed.unit == DIMENSIONLESS)
