"""Waivers applied to judged outcomes (SPEC §13.7).

A waiver *matches* the outcomes of its rule whose group meets its condition and
whose period ends by its ``until`` (compared as periods: ``until 2027`` covers
2027-Q4 and 2027-12, not the total 2026..2030). Of those, the ones that would
be violations are excused: they keep their status, carry the waiver, and are no
longer violations. The first waiver in the file that matches an outcome is the
one it carries. Outcomes are engine-neutral here, so every engine gives the
same waived report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from . import model as m
from .check.waivers import first_period
from .conditions import condition_holds
from .errors import Diagnostic
from .periods import Period
from .report import Location, Outcome, Waiver


def apply_waivers(
    outcomes: Sequence[Outcome],
    waivers: Sequence[m.CheckedWaiver],
    first_periods: Mapping[str, Period | None],
) -> tuple[list[Outcome], tuple[Diagnostic, ...]]:
    """*outcomes* with the waived ones excused, and W120 for each waiver that excuses nothing.

    *first_periods* maps each rule id to its first period once its window is known.
    """
    if not waivers:
        return list(outcomes), ()
    matched: set[int] = set()
    result: list[Outcome] = []
    for outcome in outcomes:
        found = next((i for i, w in enumerate(waivers) if _matches(w, outcome)), None)
        for i, waiver in enumerate(waivers):
            if i not in matched and _matches(waiver, outcome):
                matched.add(i)
        if found is None or not outcome.is_violation:
            result.append(outcome)
            continue
        waiver = waivers[found]
        note = Waiver(
            reason=waiver.reason,
            until=waiver.until.label if waiver.until is not None else None,
            location=Location(file=waiver.file, line=waiver.line, column=waiver.column),
        )
        result.append(attrs.evolve(outcome, violation_severity=None, waiver=note))
    unused = (w for i, w in enumerate(waivers) if i not in matched and not w.early)
    return result, tuple(_excuses_nothing(w, first_periods.get(w.rule)) for w in unused)


def _matches(waiver: m.CheckedWaiver, outcome: Outcome) -> bool:
    if outcome.rule != waiver.rule:
        return False
    if waiver.where is not None and condition_holds(waiver.where, outcome.group) is not True:
        return False
    if waiver.until is None:
        return True
    last = period_end(outcome.period)
    return last is not None and last <= waiver.until.end_day()


def period_end(label: str) -> int | None:
    """The last day of an outcome's period label (``2027``, ``2027-Q2``, ``2026..2030``)."""
    period = Period.parse(label.rpartition("..")[2])
    return period.end_day() if period is not None else None


def _excuses_nothing(waiver: m.CheckedWaiver, first: Period | None) -> Diagnostic:
    if waiver.until is not None and first is not None and waiver.until.end_day() < first.start_day():
        message = (f"the waiver of `{waiver.rule}` ends in {waiver.until}, "
                   f"before the rule's first period {first}")
        hint = "it excuses nothing: correct the period or remove the waiver"
    else:
        message = f"the waiver of `{waiver.rule}` matches no outcome"
        hint = f"no outcome of `{waiver.rule}` meets its condition and `until`: correct them or remove the waiver"
    return Diagnostic.at(waiver.span, "W120", message, hint=hint, severity="warning")


def rule_first_periods(
    rules: Iterable[m.CheckedRule], window_starts: Mapping[str, Period | None]
) -> dict[str, Period | None]:
    """Each rule's first period, from what the directive states or else its window."""
    return {rule.id: first_period(rule, window_starts.get(rule.id)) for rule in rules}
