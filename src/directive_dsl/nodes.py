"""The syntax tree: frozen attrs nodes, one class per construct.

Every node keeps its place in the source in ``span``, which takes no part in
equality: two trees that differ only in layout compare equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TypeAlias

import attrs

from .source import Span, unknown_span


@attrs.frozen(kw_only=True)
class Node:
    """The base of every node."""

    span: Span = attrs.field(factory=unknown_span, eq=False, repr=False)

    def children(self) -> Iterator[Node]:
        """The nodes directly below this one, in source order."""
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if isinstance(value, Node):
                yield value
            elif isinstance(value, tuple):
                yield from (item for item in value if isinstance(item, Node))

    def walk(self) -> Iterator[Node]:
        """This node and every node below it, depth first (iteratively)."""
        stack: list[Node] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(list(node.children())))


# ---------------------------------------------------------------- literals


@attrs.frozen(kw_only=True)
class Identifier(Node):
    """A name as written where only a name can stand (a column, a rule id)."""

    name: str


@attrs.frozen(kw_only=True)
class PeriodLit(Node):
    """A period as written: ``2026``, ``2026-Q1``, ``2026-03``."""

    text: str


@attrs.frozen(kw_only=True)
class Quantity(Node):
    """A number with an optional magnitude word and unit: ``150 million USD``, ``10%``."""

    number: float
    text: str = attrs.field(eq=False)
    magnitude: str | None = None
    unit: str | None = None


@attrs.frozen(kw_only=True)
class String(Node):
    """A string literal, escapes resolved."""

    value: str


# ---------------------------------------------------------------- expressions


@attrs.frozen(kw_only=True)
class Ref(Node):
    """A name used as a value: a dataset, a let, a column in a condition."""

    name: str


@attrs.frozen(kw_only=True)
class Attr(Node):
    """``base.name``: a measure of a dataset."""

    base: Expr
    name: Identifier


@attrs.frozen(kw_only=True)
class Select(Node):
    """``base[items]``: groups by bare dimensions and filters by conditions."""

    base: Expr
    items: tuple[SelectorItem, ...]


@attrs.frozen(kw_only=True)
class At(Node):
    """``base at PERIOD``: the value in one fixed period."""

    base: Expr
    period: PeriodLit


@attrs.frozen(kw_only=True)
class Call(Node):
    """``func(args)``: an aggregate or ``share``, ``growth``, ``change``."""

    func: Identifier
    args: tuple[Expr, ...]


@attrs.frozen(kw_only=True)
class ListLit(Node):
    """``[a, b, …]``: a list of strings or numbers."""

    items: tuple[Expr, ...]


@attrs.frozen(kw_only=True)
class BinOp(Node):
    """``left op right`` with op one of ``+ - * /``."""

    op: str
    left: Expr
    right: Expr


@attrs.frozen(kw_only=True)
class Neg(Node):
    """``-operand``."""

    operand: Expr


Expr: TypeAlias = Quantity | String | Ref | Attr | Select | At | Call | ListLit | BinOp | Neg


# ---------------------------------------------------------------- selector items


@attrs.frozen(kw_only=True)
class Group(Node):
    """A bare dimension in a selector: one value per group."""

    name: Identifier


@attrs.frozen(kw_only=True)
class Compare(Node):
    """``left op right`` inside a selector: a row filter."""

    op: str
    left: Expr
    right: Expr


@attrs.frozen(kw_only=True)
class Member(Node):
    """``name in list`` or ``name not in list``."""

    name: Identifier
    values: ListLit | Ref
    negated: bool = False


@attrs.frozen(kw_only=True)
class AllOf(Node):
    """``left and right``."""

    left: Condition
    right: Condition


@attrs.frozen(kw_only=True)
class AnyOf(Node):
    """``left or right``."""

    left: Condition
    right: Condition


@attrs.frozen(kw_only=True)
class Negation(Node):
    """``not operand``."""

    operand: Condition


Condition: TypeAlias = Compare | Member | AllOf | AnyOf | Negation
SelectorItem: TypeAlias = Group | Condition


# ---------------------------------------------------------------- checks and time clauses


@attrs.frozen(kw_only=True)
class Comparison(Node):
    """``left op right``, the check of a rule."""

    op: str
    left: Expr
    right: Expr


@attrs.frozen(kw_only=True)
class Between(Node):
    """``value between low and high``."""

    value: Expr
    low: Expr
    high: Expr


Check: TypeAlias = Comparison | Between


@attrs.frozen(kw_only=True)
class Per(Node):
    """``per GRAIN [from P to P]``: one outcome per period."""

    grain: str
    start: PeriodLit | None = None
    end: PeriodLit | None = None


@attrs.frozen(kw_only=True)
class InPeriod(Node):
    """``in P``: one outcome for one period."""

    period: PeriodLit


@attrs.frozen(kw_only=True)
class InTotal(Node):
    """``in total [from P to P]``: one outcome over the whole window, or over a part of it."""

    start: PeriodLit | None = None
    end: PeriodLit | None = None


@attrs.frozen(kw_only=True)
class By(Node):
    """``by P [from P | from Q in P]``: a deadline, with an optional baseline."""

    deadline: PeriodLit
    baseline_period: PeriodLit | None = None
    baseline_value: Expr | None = None


TimeClause: TypeAlias = Per | InPeriod | InTotal | By


# ---------------------------------------------------------------- statements


@attrs.frozen(kw_only=True)
class HeaderPeriod(Node):
    """``period P to P`` in the header."""

    start: PeriodLit
    end: PeriodLit


@attrs.frozen(kw_only=True)
class HeaderText(Node):
    """``source "…"`` or ``owner "…"`` in the header."""

    key: str
    value: String


@attrs.frozen(kw_only=True)
class Header(Node):
    """``directive "Title"`` and its clauses."""

    title: String
    clauses: tuple[HeaderPeriod | HeaderText, ...] = ()

    @property
    def period(self) -> HeaderPeriod | None:
        return next((c for c in self.clauses if isinstance(c, HeaderPeriod)), None)

    def text(self, key: str) -> str | None:
        found = next((c for c in self.clauses if isinstance(c, HeaderText) and c.key == key), None)
        return found.value.value if found else None


@attrs.frozen(kw_only=True)
class FileOption(Node):
    """``delimiter ";"`` or ``header 3`` after ``with`` (a number is kept as written)."""

    key: Identifier
    value: String
    number: bool = False


@attrs.frozen(kw_only=True)
class DatasetFrom(Node):
    """``from "path" [with key value, …]``."""

    path: String
    options: tuple[FileOption, ...] = ()


@attrs.frozen(kw_only=True)
class DatasetTime(Node):
    """``time COLUMN``."""

    column: Identifier


@attrs.frozen(kw_only=True)
class DatasetDimensions(Node):
    """``dimensions A, B``."""

    columns: tuple[Identifier, ...]


@attrs.frozen(kw_only=True)
class Measure(Node):
    """``measure COLUMN [MAGNITUDE] [UNIT] [aggregate FUNC]``."""

    column: Identifier
    magnitude: str | None = None
    unit: str | None = None
    unit_column: Identifier | None = None  # `unit from COLUMN`: each row's unit is in COLUMN
    aggregate: Identifier | None = None


@attrs.frozen(kw_only=True)
class DerivedMeasure(Node):
    """``measure NAME = ROW_EXPR``: computed row by row before aggregation."""

    name: Identifier
    expr: Expr


@attrs.frozen(kw_only=True)
class DatasetFill(Node):
    """``fill 0``: a group and period with no row counts as zero."""

    value: Quantity


@attrs.frozen(kw_only=True)
class DatasetAsOf(Node):
    """``as of P``: the data is taken to run through P."""

    period: PeriodLit


DatasetClause: TypeAlias = (
    DatasetFrom | DatasetTime | DatasetDimensions | Measure | DerivedMeasure | DatasetFill | DatasetAsOf
)


@attrs.frozen(kw_only=True)
class Dataset(Node):
    """``dataset NAME`` and its clauses, in source order."""

    name: Identifier
    clauses: tuple[DatasetClause, ...] = ()

    def _all(self, kind: type[Node]) -> list[Node]:
        return [c for c in self.clauses if isinstance(c, kind)]

    @property
    def path(self) -> String | None:
        found = self._all(DatasetFrom)
        return found[-1].path if found else None  # type: ignore[attr-defined]

    @property
    def file_options(self) -> tuple[FileOption, ...]:
        found = self._all(DatasetFrom)
        return found[-1].options if found else ()  # type: ignore[attr-defined]

    @property
    def time(self) -> Identifier | None:
        found = self._all(DatasetTime)
        return found[-1].column if found else None  # type: ignore[attr-defined]

    @property
    def dimensions(self) -> tuple[Identifier, ...] | None:
        found = self._all(DatasetDimensions)
        if not found:
            return None
        return tuple(col for clause in found for col in clause.columns)  # type: ignore[attr-defined]

    @property
    def fill(self) -> DatasetFill | None:
        found = self._all(DatasetFill)
        return found[-1] if found else None  # type: ignore[return-value]

    @property
    def as_of(self) -> DatasetAsOf | None:
        found = self._all(DatasetAsOf)
        return found[-1] if found else None  # type: ignore[return-value]

    @property
    def measures(self) -> tuple[Measure | DerivedMeasure, ...]:
        return tuple(c for c in self.clauses if isinstance(c, Measure | DerivedMeasure))


@attrs.frozen(kw_only=True)
class Domain(Node):
    """``domain DIM = [...]``: the values a dimension must cover."""

    dimension: Identifier
    values: ListLit | Ref


@attrs.frozen(kw_only=True)
class UnitDef(Node):
    """``unit NAME`` or ``unit NAME = QUANTITY``."""

    name: Identifier
    quantity: Quantity | None = None


@attrs.frozen(kw_only=True)
class Let(Node):
    """``let NAME = EXPR``."""

    name: Identifier
    value: Expr


@attrs.frozen(kw_only=True)
class Import(Node):
    """``import "other.directive"``."""

    path: String


@attrs.frozen(kw_only=True)
class Annotation(Node):
    """``@key value``."""

    key: Identifier
    value: String | Ref


@attrs.frozen(kw_only=True)
class Rule(Node):
    """A target: annotations, an optional ``rule ID "Title":``, the check and its time clause."""

    annotations: tuple[Annotation, ...] = ()
    id: Identifier | None = None
    title: String | None = None
    check: Check
    time: TimeClause | None = None


@attrs.frozen(kw_only=True)
class Waive(Node):
    """``waive RULE[condition] until P because "reason"``: a rule's outcomes excused."""

    rule: Identifier
    condition: Condition | None = None
    until: PeriodLit | None = None
    reason: String


Statement: TypeAlias = Header | Dataset | Domain | UnitDef | Let | Import | Rule | Waive


@attrs.frozen(kw_only=True)
class Comment(Node):
    """A ``#`` comment, kept for the formatter."""

    text: str


@attrs.frozen(kw_only=True)
class Module(Node):
    """One directive file."""

    statements: tuple[Statement, ...] = ()
    comments: tuple[Comment, ...] = attrs.field(default=(), eq=False)
