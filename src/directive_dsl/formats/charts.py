"""A chart per rule, drawn as inline SVG: actual against threshold over the periods.

Three kinds, chosen from the rule's outcomes:

- ``series``: a line of the actual value per period against the threshold
  (dashed, or a band for ``between``, over the periods judged), one small
  panel per group, each on its own scale, so a small group is not flattened
  by a large one. A period without a value breaks the line and is marked "no
  data" on the axis; periods after the latest data are shaded.
- ``path``: a target due by a deadline. The path to the target (dotted) runs
  from the baseline (marked) to the deadline, where the target is marked, and
  the actual value stands where the data ends.

Every value axis reaches a round tick past the threshold and the values.
- ``bars``: one period per group (``in 2027``, ``in total``, a deadline
  reached): a bar per group against the threshold's tick.

The charts are hand-written with :mod:`xml.etree` (see :mod:`.drawing`), so
the page needs no charting library and no script, and every chart carries
``role="img"``, a ``<title>`` and an ``aria-label`` saying what it shows.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import attrs

from ..wording import group_words
from . import timeline
from .drawing import (
    Canvas,
    Frame,
    axis_room,
    bars,
    joined,
    lower_bounds,
    path_panel,
    series_panel,
    value_range,
)
from .markup import el

if TYPE_CHECKING:
    from ..report import Outcome, RuleSummary

Kind = Literal["series", "path", "bars"]
MAX_PANELS = 36
MAX_BARS = 80


@attrs.frozen
class Chart:
    """A drawn chart: the element to place on the page, its kind, and how many groups it draws."""

    element: ET.Element
    kind: Kind
    groups: int
    shown: int
    future: bool = False  # periods after the latest data are shaded
    history: bool = False  # grey values before the window are drawn for context
    line: bool = True  # a line joins the actual values (else markers alone)


def chart_kind(rule: RuleSummary, outcomes: Sequence[Outcome]) -> Kind:
    """Which chart suits *outcomes*: a path to a deadline, bars for one period, else a series."""
    if any(o.status in ("on_track", "off_track") or (o.status == "pending" and o.target is not None)
           for o in outcomes):
        return "path"
    if len({o.period for o in outcomes}) == 1 and rule.time != "per":
        return "bars"
    return "series"


def rule_chart(rule: RuleSummary, outcomes: Sequence[Outcome], *, window: tuple[str, str] | None,
               as_of: str | None) -> Chart | None:
    """The chart of one rule's outcomes, or None when there is nothing to draw."""
    if not outcomes:
        return None
    groups: dict[tuple[tuple[str, str], ...], list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(tuple(outcome.group.items()), []).append(outcome)
    kind = chart_kind(rule, outcomes)
    lowers = lower_bounds(outcomes)
    if kind == "bars":
        rows = [found[0] for found in groups.values()][:MAX_BARS]
        return Chart(element=bars(rule, rows, lowers), kind=kind, groups=len(groups), shown=len(rows))
    extra = [p for o in outcomes if kind == "path" for p in (o.deadline, o.baseline_period) if p]
    past: dict[tuple[tuple[str, str], ...], tuple[tuple[str, float], ...]] = {}
    if kind == "series":
        for key, period, value in rule.history:
            past[key] = (*past.get(key, ()), (period, value))
        extra += [period for points in past.values() for period, _ in points]
    labels = [o.period if timeline.parse(o.period) or kind != "path" else as_of or o.period for o in outcomes]
    axis = timeline.axis(labels + extra, window)
    if not axis:
        return None
    many = len(groups) > 1
    # a phone enlarges the text of a single wide panel (report.css): its margins are measured for that
    frame = Frame(320, 196, char=6.6) if many else Frame(600, 250, char=13.0)
    shown = list(groups.items())[:MAX_PANELS]
    ranges = [value_range([*_values(found, axis, as_of, baseline=kind == "path"),
                           *(v for _, v in past.get(key, ()))], frame) for key, found in shown]
    room = max(axis_room(bounds, outcomes[0].unit, frame) for bounds in ranges)
    frame = attrs.evolve(frame, left=max(frame.left, room))
    draw = path_panel if kind == "path" else series_panel
    panels = []
    for (key, found), bounds in zip(shown, ranges, strict=True):
        canvas = Canvas(rule=rule, axis=tuple(axis), bounds=bounds, as_of=as_of, detail=not many,
                        frame=frame, lowers=lowers, history=past.get(key, ()))
        svg = draw(canvas, found, group_words(dict(key)) or rule.title or rule.id)
        name = " · ".join(value for _, value in key)
        panels.append(el("div", {"class": "panel"}, el("p", {"class": "panel-title"}, name) if many else None, svg))
    element = el("div", {"class": "panels panels-many" if many else "panels panels-one"}, panels)
    line = kind != "series" or any(joined(found, axis) for _, found in shown)
    return Chart(element=element, kind=kind, groups=len(groups), shown=len(panels),
                 future=timeline.future(axis, as_of) is not None, line=line,
                 history=any(past.get(key) for key, _ in shown))


def _values(outcomes: Sequence[Outcome], axis: Sequence[str], as_of: str | None, *, baseline: bool) -> list[float]:
    """Every value a panel draws: actuals, thresholds, bounds, targets, the path and its baseline."""
    values = [v for o in outcomes for v in (o.actual, o.threshold, o.upper, o.target) if v is not None]
    values += [v for o in outcomes for _, v in timeline.path_line(o, axis, as_of)]
    if baseline:
        values += [o.baseline for o in outcomes if o.baseline is not None]
    return values
