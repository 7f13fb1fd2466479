"""Waivers (SPEC §13.7): a rule that exists, a condition on its dimensions, a period, a reason.

A waiver's condition is read against an outcome's group, so it may only name
dimensions the rule groups by, compared with text (group values are text as
written in the data). Whether a waiver matches anything is known only once the
data is judged (W120 in :mod:`directive_dsl.waivers`); a ``until`` before a first
period the directive itself states is W120 already here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from .. import model as m
from .. import nodes as n
from ..errors import Diagnostic, DirectiveCheckError, DirectiveNameError, listing, suggest
from ..periods import Period
from .exprs import Resolver

Report = Callable[[Diagnostic], None]


class _Invalid(Exception):
    """The condition was reported as wrong; the waiver is dropped."""


def check_waivers(
    module: n.Module,
    rules: Sequence[m.CheckedRule],
    written_ids: Collection[str],
    resolver: Resolver,
    window: tuple[Period, Period] | None,
) -> tuple[m.CheckedWaiver, ...]:
    """The checked ``waive`` statements of *module*, in source order.

    *written_ids* are the ids of every rule written, checked or not: a waiver
    of a rule that has errors of its own is not reported as naming no rule.
    """
    by_id = {rule.id: rule for rule in rules}
    named = [rule_id for rule_id in by_id if rule_id in written_ids]  # `file:line` ids cannot be written
    found: list[m.CheckedWaiver] = []
    for statement in module.statements:
        if not isinstance(statement, n.Waive):
            continue
        name = statement.rule.name
        rule = by_id.get(name)
        if rule is None:
            if name not in written_ids:
                resolver.report(
                    Diagnostic.at(
                        statement.rule.span,
                        "E209",
                        f"no rule has the id `{name}`",
                        hint=suggest(name, named) or (f"the rule ids are {listing(named)}" if named else
                                                      'give the rule an id: `rule ID "Title":`'),
                        kind=DirectiveNameError,
                    )
                )
            continue
        until = resolver.period(statement.until) if statement.until is not None else None
        if statement.until is not None and until is None:
            continue  # E404 reported
        try:
            where = _condition(resolver, rule, statement.condition) if statement.condition else None
        except _Invalid:
            continue
        first = _stated_first_period(rule, window)
        early = until is not None and first is not None and until.end_day() < first.start_day()
        if early:
            assert until is not None and first is not None and statement.until is not None
            resolver.warn(
                statement.until.span,
                "W120",
                f"the waiver of `{name}` ends in {until}, before the rule's first period {first}",
                "it excuses nothing: correct the period or remove the waiver",
            )
        line, column = statement.span.line, statement.span.column
        found.append(
            m.CheckedWaiver(
                rule=name,
                reason=statement.reason.value,
                where=where,
                until=until,
                early=early,
                file=statement.span.file,
                line=line,
                column=column,
                span=statement.span,
            )
        )
    return tuple(found)


def _stated_first_period(rule: m.CheckedRule, window: tuple[Period, Period] | None) -> Period | None:
    """The first period of *rule* that the directive states, without looking at data."""
    time = rule.time
    if time.kind in ("per", "in") and time.start is not None:
        return time.start
    if time.kind == "by" and time.baseline_period is not None:
        return time.baseline_period
    return window[0] if window is not None else None


def first_period(rule: m.CheckedRule, window_start: Period | None) -> Period | None:
    """The first period of *rule* once its window is known from the data."""
    return _stated_first_period(rule, None) or window_start


# ---------------------------------------------------------------- the condition


def _condition(resolver: Resolver, rule: m.CheckedRule, cond: n.Condition) -> m.RowCondition:
    if isinstance(cond, n.AllOf | n.AnyOf):
        items = (_condition(resolver, rule, cond.left), _condition(resolver, rule, cond.right))
        return m.AllOf(items=items) if isinstance(cond, n.AllOf) else m.AnyOf(items=items)
    if isinstance(cond, n.Negation):
        return m.Not(item=_condition(resolver, rule, cond.operand))
    if isinstance(cond, n.Member):
        column = _dimension(resolver, rule, cond.name.name, cond.name)
        return m.ColumnIn(column=column, values=_texts(resolver, cond.values), negated=cond.negated)
    return _compare(resolver, rule, cond)


_FLIP = {"=": "=", "!=": "!="}


def _compare(resolver: Resolver, rule: m.CheckedRule, cond: n.Compare) -> m.RowCondition:
    left, right = cond.left, cond.right
    if not isinstance(left, n.Ref) or left.name in resolver.lets:
        left, right = right, left  # `"Mogilev" = region`
    if not isinstance(left, n.Ref):
        _fail(resolver, cond, "a waiver's condition compares a dimension with text")
    assert isinstance(left, n.Ref)
    column = _dimension(resolver, rule, left.name, left)
    if cond.op not in _FLIP:
        _fail(resolver, cond, f"a waiver compares `{column}` with `=` or `!=`, not `{cond.op}`",
              f'write `{column} = "…"` or `{column} in ["…", "…"]`')
    texts = _texts(resolver, right)
    if len(texts) != 1:
        _fail(resolver, right, f"`{column}` is compared with a list", f"write `{column} in …`")
    return m.ColumnCompare(column=column, op=cond.op, value=texts[0])  # type: ignore[arg-type]


def _dimension(resolver: Resolver, rule: m.CheckedRule, name: str, where: n.Node) -> str:
    if name in rule.dimensions:
        return name
    if rule.dimensions:
        hint = suggest(name, rule.dimensions) or f"it groups by {listing(rule.dimensions)}"
    else:
        hint = "it has one outcome per period: waive it without a condition"
    resolver.report(
        Diagnostic.at(
            where.span,
            "E409",
            f"rule `{rule.id}` does not group by `{name}`, so a waiver cannot select by it",
            hint=hint,
            kind=DirectiveCheckError,
        )
    )
    raise _Invalid


def _texts(resolver: Resolver, node: n.Node) -> tuple[str, ...]:
    """The text values a condition compares with: a string, a plain number, a list, a let."""
    if isinstance(node, n.String):
        return (node.value,)
    if isinstance(node, n.Quantity) and node.unit is None and node.magnitude is None:
        return (node.text,)  # a code written as a number reads as written: 2026, 12
    if isinstance(node, n.ListLit | n.Ref):
        typed = resolver.resolve(node)
        if typed.kind in ("list", "string"):
            return tuple(_as_text(v) for v in typed.items)
        if typed.kind == "broken":
            raise _Invalid
    _fail(resolver, node, "a waiver compares a dimension with text: a string or a list of them")
    raise AssertionError  # not reached


def _as_text(value: str | float) -> str:
    from ..conditions import as_text

    return as_text(value)


def _fail(resolver: Resolver, node: n.Node, message: str, hint: str | None = None) -> None:
    resolver.report(Diagnostic.at(node.span, "E409", message, hint=hint, kind=DirectiveCheckError))
    raise _Invalid
