"""The panels of a chart, drawn on a shared canvas: series, path, and bars.

Each panel is one ``<svg role="img">`` with a ``<title>`` and an
``aria-label`` listing its points in words; each marker has its own
``<title>`` (a tooltip). Classes, not inline colours, style everything, so the
page's stylesheet sets the palette and the print look.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import attrs

from ..i18n import _
from ..reasons import reason_words
from ..wording import OP_SYMBOLS, figures, group_words, status_words, threshold_words
from . import timeline
from .markup import el, num
from .svgkit import Scale, domain, marker, nice_ticks, tick_label

if TYPE_CHECKING:
    from ..report import Outcome, RuleSummary


@attrs.frozen
class Frame:
    """A panel's size and the margins around its plot."""

    width: float
    height: float
    left: float = 54
    right: float = 16
    top: float = 24
    bottom: float = 30
    char: float = 7.0  # the width of a character of the largest text drawn (a phone enlarges it)

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.width - self.right

    @property
    def y0(self) -> float:
        return self.top

    @property
    def y1(self) -> float:
        return self.height - self.bottom


@attrs.frozen
class Canvas:
    """What every panel of one rule's chart shares: axis, value range, size."""

    rule: RuleSummary
    axis: tuple[str, ...]
    bounds: tuple[float, float]
    frame: Frame
    as_of: str | None
    detail: bool  # one big panel: labels on points, notes in the plot
    lowers: Mapping[str, float]
    history: tuple[tuple[str, float], ...] = ()  # (period, value) before the window, for context

    def scales(self) -> tuple[Scale, Scale]:
        f = self.frame
        step = (f.x1 - f.x0) / len(self.axis)
        return Scale(0, 1, f.x0 + step / 2, f.x0 + step * 1.5), Scale(self.bounds[0], self.bounds[1], f.y1, f.y0)


def upper_failed(o: Outcome) -> bool:
    """Whether a ``between`` outcome failed by being above its upper bound (then its threshold is that bound)."""
    return o.op == "between" and o.status == "fail" and o.upper is not None and o.threshold == o.upper


def lower_bounds(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """``between``: the lower bound in each period, from the outcomes that state it."""
    found: dict[str, float] = {}
    for o in outcomes:
        if o.op == "between" and o.threshold is not None and not upper_failed(o):
            found.setdefault(o.period, o.threshold)
    return found


# ---------------------------------------------------------------- panels

def series_panel(canvas: Canvas, outcomes: Sequence[Outcome], title: str) -> ET.Element:
    """Actual against threshold per period for one group."""
    frame, unit = canvas.frame, outcomes[0].unit
    svg = _svg(canvas, title, outcomes, _("Actual against threshold per period"), "series")
    x, y = canvas.scales()
    _future_band(svg, canvas, x)
    _y_axis(svg, frame, y, unit)
    _history(svg, canvas, x, y, unit)
    slots = [(timeline.slot(o.period, canvas.axis), o) for o in outcomes]
    placed = sorted(((i, o) for i, o in slots if i is not None), key=lambda item: item[0])
    between = bool(placed) and placed[0][1].op == "between"
    if between:
        _bounds_band(svg, canvas, placed, x, y, unit)
    else:
        _threshold_line(svg, canvas, placed, x, y)
    if canvas.detail:
        _gaps(svg, [(x(i), o) for i, o in placed], y)
    for run in _runs([(i, o.actual) for i, o in placed]):
        svg.append(_polyline([(x(i), y(v)) for i, v in run], "act"))
    taken: list[Box] = []
    for i, o in placed:
        if o.actual is None:
            _no_data(svg, frame, x(i), o)
            taken.append(_around(x(i), frame.y1 - 9))
            continue
        svg.append(marker(o.status, x(i), y(o.actual), label=_point_words(o)))
        taken.append(_around(x(i), y(o.actual)))
        if canvas.detail and len(placed) <= 12:
            label = _value(o, x(i), y, frame, tick_label(o.actual, unit))
            svg.append(label)
            taken.append(_text_box(label, frame))
    if not between:
        _threshold_label(svg, canvas, placed, x, y, unit, taken)
    _x_axis(svg, canvas, x)
    return svg


def _history(svg: ET.Element, canvas: Canvas, x: Scale, y: Scale, unit: str | None) -> None:
    """The values before the window, grey and joined, for context: not judged."""
    points = [(i, v) for label, v in canvas.history if (i := timeline.slot(label, canvas.axis)) is not None]
    if not points:
        return
    group = el("g", {"class": "history"})
    if len(points) > 1:
        group.append(_polyline([(x(i), y(v)) for i, v in points], "hist"))
    for i, v in points:
        dot = el("circle", {"class": "mk-hist", "cx": num(x(i)), "cy": num(y(v)), "r": "3"})
        dot.append(el("title", None, _("{value}: before the window, not judged").format(
            value=tick_label(v, unit))))
        group.append(dot)
    svg.append(group)


def path_panel(canvas: Canvas, outcomes: Sequence[Outcome], title: str) -> ET.Element:
    """The path to a target due by a deadline, and where the actual value stands on it."""
    frame, unit = canvas.frame, outcomes[0].unit
    svg = _svg(canvas, title, outcomes, _("Actual against the path to the target"), "path")
    x, y = canvas.scales()
    _future_band(svg, canvas, x)
    _y_axis(svg, frame, y, unit)
    for o in outcomes:
        line = timeline.path_line(o, canvas.axis, canvas.as_of)
        if line:
            svg.append(_polyline([(x(i), y(v)) for i, v in line], "path"))
        _baseline(svg, canvas, o, x, y, unit)
        due = timeline.slot(o.deadline, canvas.axis)
        if due is not None and o.target is not None:
            svg.append(marker("target", x(due), y(o.target),
                              label=_("target {threshold}").format(threshold=threshold_words(o))))
            svg.append(el("text", {"class": "val tgt", "x": x(due) - 9, "y": y(o.target) - 9,
                                   "text-anchor": "end"},
                          _("target {target} by {deadline}").format(target=tick_label(o.target, unit),
                                                                    deadline=o.deadline)))
        at = timeline.where(o, canvas.axis, canvas.as_of)
        if at is None:
            continue
        if o.actual is None:
            _no_data(svg, frame, x(at), o)
            continue
        _gaps(svg, [(x(at), o)], y)
        svg.append(marker(o.status, x(at), y(o.actual), label=_point_words(o)))
        words = (_("{value} in {period}").format(value=tick_label(o.actual, unit), period=canvas.axis[at])
                 if canvas.detail else tick_label(o.actual, unit))
        svg.append(_value(o, x(at), y, frame, words))
    _x_axis(svg, canvas, x)
    return svg


def bars(rule: RuleSummary, rows: Sequence[Outcome], lowers: Mapping[str, float]) -> ET.Element:
    """One period, one bar per group, against the threshold's tick (or the band of a ``between``)."""
    names = [" · ".join(o.group.values()) or rule.title or rule.id for o in rows]
    frame = Frame(680, 48 + 30 * len(rows), right=16, top=40, bottom=8, char=12.0)
    label_width = min(220.0, max(60.0, frame.char * max(len(n) for n in names) + 14))
    unit = rows[0].unit
    room = max(len(tick_label(v, unit)) for o in rows for v in (o.actual,) if v is not None) if any(
        o.actual is not None for o in rows) else len(_("no data"))
    frame = attrs.evolve(frame, left=label_width, right=frame.char * room + 28)
    values = [v for o in rows for v in (o.actual, o.threshold, o.upper, o.baseline) if v is not None]
    lo, hi = domain(values)
    x = Scale(lo, hi, frame.x0, frame.x1)
    canvas_title = rule.title or rule.id
    svg = _svg_element(frame, _describe(canvas_title, rows,
                                        _("Actual against threshold in {period}").format(period=rows[0].period)),
                       canvas_title, "bars")
    if unit and unit != "%":
        svg.append(el("text", {"class": "ax unit", "x": 4, "y": 12}, unit))
    for tick in nice_ticks(lo, hi, 5):
        if lo <= tick <= hi:
            svg.append(el("line", {"class": "grid zero" if tick == 0 else "grid", "x1": x(tick), "x2": x(tick),
                                   "y1": frame.y0 - 4, "y2": frame.y1}))
            svg.append(el("text", {"class": "ax", "x": x(tick), "y": frame.y0 - 9, "text-anchor": "middle"},
                          tick_label(tick, unit)))
    for row, (o, name) in enumerate(zip(rows, names, strict=True)):
        mid = frame.y0 + 30 * row + 15
        short = _shorten(name, int((frame.x0 - 14) / frame.char))
        svg.append(el("text", {"class": "ax name", "x": frame.x0 - 8, "y": mid + 4, "text-anchor": "end"},
                      el("title", None, name) if short != name else None, short))
        low = lowers.get(o.period) if upper_failed(o) else o.threshold
        if o.op == "between" and low is not None and o.upper is not None:
            svg.append(el("rect", {"class": "band", "x": x(low), "y": mid - 12,
                                   "width": max(1.0, x(o.upper) - x(low)), "height": 24}))
        if o.actual is not None:
            start, end = sorted((x(0.0), x(o.actual)))
            svg.append(el("rect", {"class": "bar", "x": start, "y": mid - 6, "width": max(1.0, end - start),
                                   "height": 12}))
        ticks = [low, o.upper] if o.op == "between" else [o.threshold]
        for bound in ticks:
            if bound is not None:
                svg.append(el("line", {"class": "thr tick", "x1": x(bound), "x2": x(bound), "y1": mid - 11,
                                       "y2": mid + 11}))
        if o.baseline is not None and o.baseline_period is not None:  # `by … from`: where it started
            svg.append(marker("baseline", x(o.baseline), mid, label=_("baseline {value} in {period}").format(
                value=tick_label(o.baseline, unit), period=o.baseline_period)))
        tip = x(o.actual) if o.actual is not None else x(0.0) + 8
        svg.append(marker(o.status, tip, mid, label=_point_words(o)))
        text = tick_label(o.actual, unit) if o.actual is not None else _("no data")
        spot = tip + 12
        if any(b is not None and abs(x(b) - spot) < 8 for b in ticks):
            spot += 12
        svg.append(el("text", {"class": "val", "x": spot, "y": mid + 4}, text))
    return svg


# ---------------------------------------------------------------- pieces

def _svg(canvas: Canvas, title: str, outcomes: Sequence[Outcome], what: str, cls: str) -> ET.Element:
    name = canvas.rule.title or canvas.rule.id
    return _svg_element(canvas.frame, _describe(title, outcomes, what), f"{name}: {title}", cls)


def _svg_element(frame: Frame, label: str, title: str, cls: str) -> ET.Element:
    return el("svg", {"xmlns": "http://www.w3.org/2000/svg", "class": f"chart {cls}", "role": "img",
                      "viewBox": f"0 0 {num(frame.width)} {num(frame.height)}", "aria-label": label},
              el("title", None, title))


def _describe(title: str, outcomes: Sequence[Outcome], what: str) -> str:
    points = "; ".join(_point_words(o) for o in outcomes[:40])
    more = _("; and {n} more").format(n=len(outcomes) - 40) if len(outcomes) > 40 else ""
    threshold = threshold_words(outcomes[0], typeset=True, short=True) if outcomes else ""
    return _("{what} for {title}, threshold {threshold}. {points}{more}.").format(
        what=what, title=title, threshold=threshold, points=points, more=more)


def _point_words(o: Outcome) -> str:
    where = ", ".join(part for part in (group_words(o.group), o.period) if part)
    shown = figures(o)
    words = f"{where}: {shown.actual}, {status_words(o.status)}"
    if o.gap is not None:
        words += " " + _("(gap {gap})").format(gap=shown.gap)
    if o.reason:
        words += f" ({reason_words(o.reason)})"
    return words


def axis_room(bounds: tuple[float, float], unit: str | None, frame: Frame) -> float:
    """The left margin the y-axis labels need (``12,5 млрд`` is longer than ``12.5B``)."""
    labels = [tick_label(t, unit) for t in nice_ticks(bounds[0], bounds[1], tick_count(frame))]
    return frame.char * max((len(label) for label in labels), default=0) + 12


def tick_count(frame: Frame) -> int:
    """How many ticks the value axis of a panel of this size has."""
    return 5 if frame.height > 200 else 4


def value_range(values: Sequence[float], frame: Frame) -> tuple[float, float]:
    """The value axis's range: the values and zero, widened to round ticks so the axis reaches past them all."""
    lo, hi = domain(list(values))
    ticks = nice_ticks(lo, hi, tick_count(frame))
    return (min(ticks[0], lo), max(ticks[-1], hi))


def _y_axis(svg: ET.Element, frame: Frame, y: Scale, unit: str | None) -> None:
    for tick in nice_ticks(y.lo, y.hi, tick_count(frame)):
        if not y.lo - 1e-9 * abs(y.hi) <= tick <= y.hi + 1e-9 * abs(y.hi):
            continue
        at = y(tick)
        svg.append(el("line", {"class": "grid zero" if tick == 0 else "grid", "x1": frame.x0, "x2": frame.x1,
                               "y1": at, "y2": at}))
        svg.append(el("text", {"class": "ax y", "x": frame.x0 - 6, "y": at + 4, "text-anchor": "end"},
                      tick_label(tick, unit)))
    if unit and unit != "%":
        svg.append(el("text", {"class": "ax unit", "x": 4, "y": 12}, unit))


def _x_axis(svg: ET.Element, canvas: Canvas, x: Scale) -> None:
    frame, labels = canvas.frame, canvas.axis
    room = max(1, int((frame.x1 - frame.x0) / (frame.char * max(len(a) for a in labels) + 10)))
    every = max(1, -(-len(labels) // room))
    last = len(labels) - 1
    for i, label in enumerate(labels):
        # the last period is always labelled; a regular label too close to it gives way
        if i == last or (i % every == 0 and last - i >= every):
            half, at = frame.char * len(label) / 2, x(i)
            # the first and last labels stay inside the panel: anchored at its edge when centring would cut them
            spot = ({"x": 2, "text-anchor": "start"} if at - half < 2
                    else {"x": frame.width - 2, "text-anchor": "end"} if at + half > frame.width - 2
                    else {"x": at, "text-anchor": "middle"})
            svg.append(el("text", {"class": "ax x", **spot, "y": frame.y1 + 18}, label))


def _future_band(svg: ET.Element, canvas: Canvas, x: Scale) -> None:
    first = timeline.future(canvas.axis, canvas.as_of)
    if first is None:
        return
    frame = canvas.frame
    left = x(first) - (x(1) - x(0)) / 2
    svg.append(el("rect", {"class": "future", "x": left, "y": frame.y0, "width": frame.x1 - left,
                           "height": frame.y1 - frame.y0},
                  el("title", None, _("after the latest data ({period})").format(period=canvas.as_of))))
    if canvas.detail and frame.x1 - left > 90:
        svg.append(el("text", {"class": "ax note", "x": frame.x1 - 6, "y": frame.y1 - 8, "text-anchor": "end"},
                      _("not yet reported")))


def _judged(placed: Sequence[tuple[int, Outcome]], x: Scale) -> tuple[float, float]:
    """From the left edge of the first period judged to the right edge of the last: where a threshold applies."""
    half = (x(1) - x(0)) / 2
    return x(placed[0][0]) - half, x(placed[-1][0]) + half


def _threshold_line(svg: ET.Element, canvas: Canvas, placed: Sequence[tuple[int, Outcome]], x: Scale,
                    y: Scale) -> None:
    """The threshold, dashed, over the periods the rule judges only (not the whole window)."""
    levels = {o.threshold for _, o in placed}
    if len(levels) == 1 and None not in levels:
        at = y(placed[0][1].threshold or 0.0)
        left, right = _judged(placed, x)
        svg.append(el("line", {"class": "thr", "x1": left, "x2": right, "y1": at, "y2": at}))
    else:
        for run in _runs([(i, o.threshold) for i, o in placed]):
            svg.append(_polyline([(x(i), y(v)) for i, v in run], "thr"))


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _threshold_label(svg: ET.Element, canvas: Canvas, placed: Sequence[tuple[int, Outcome]], x: Scale, y: Scale,
                     unit: str | None, taken: Sequence[Box]) -> None:
    """The threshold's value beside its line, where it covers no marker and no value; else above the plot."""
    o = next((o for _, o in reversed(placed) if o.threshold is not None), None)
    if o is None:
        return
    frame = canvas.frame
    level = o.threshold or 0.0
    words = f"{OP_SYMBOLS.get(o.op, o.op)} {tick_label(level, unit)}"
    if canvas.detail:
        words = _("threshold {threshold}").format(threshold=words)
    width = frame.char * len(words)
    left, right = _judged(placed, x)
    at = y(level)
    spots = [(anchor, edge, at + dy) for dy in (-7, 16) for anchor, edge in
             (("end", min(right, frame.x1) - 6), ("start", max(left, frame.x0) + 6))]
    for anchor, edge, base in spots:
        box = (edge - width if anchor == "end" else edge, base - frame.char * 1.4,
               edge if anchor == "end" else edge + width, base + 3)
        if frame.y0 <= box[1] and box[3] <= frame.y1 and not any(_overlaps(box, other) for other in taken):
            break
    else:  # nowhere free on the plot: in the margin above it, where nothing else is drawn
        anchor, edge, base = "end", frame.x1, frame.y0 - 8
    svg.append(el("text", {"class": "ax thr-label", "x": edge, "y": base, "text-anchor": anchor}, words))


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _around(at: float, level: float) -> Box:
    """The room a marker takes, with a little air."""
    return (at - 8, level - 8, at + 8, level + 8)


def _text_box(text: ET.Element, frame: Frame) -> Box:
    """Roughly where a ``<text>`` drawn by this module lies (its width guessed from its length)."""
    width, at, base = frame.char * len(text.text or ""), float(text.get("x", 0)), float(text.get("y", 0))
    left = {"end": at - width, "middle": at - width / 2}.get(text.get("text-anchor", "start"), at)
    return (left, base - frame.char * 1.4, left + width, base + 3)


def _shorten(text: str, room: int) -> str:
    """*text* cut to *room* characters with an ellipsis (its whole in a tooltip)."""
    return text if len(text) <= room else text[:max(1, room - 1)].rstrip() + "…"


def _baseline(svg: ET.Element, canvas: Canvas, o: Outcome, x: Scale, y: Scale, unit: str | None) -> None:
    """``by … from``: the baseline marked where the path starts, with its value and year."""
    at = timeline.slot(o.baseline_period, canvas.axis)
    if at is None or o.baseline is None:
        return
    words = _("baseline {value} in {period}").format(value=tick_label(o.baseline, unit), period=o.baseline_period)
    svg.append(marker("baseline", x(at), y(o.baseline), label=words))
    if canvas.detail:
        svg.append(el("text", {"class": "val base", "x": x(at) + 9, "y": y(o.baseline) + 18,
                               "text-anchor": "start"}, words))


def _bounds_band(svg: ET.Element, canvas: Canvas, placed: Sequence[tuple[int, Outcome]], x: Scale, y: Scale,
                 unit: str | None) -> None:
    """``between``: the band from the lower to the upper bound, with both edges dashed."""
    frame = canvas.frame
    pairs = [(i, canvas.lowers.get(o.period), o.upper) for i, o in placed]
    known = [(i, lo, up) for i, lo, up in pairs if lo is not None and up is not None]
    if not known:
        return
    if len({(lo, up) for _, lo, up in known}) == 1:
        lo, up = known[0][1], known[0][2]
        assert lo is not None and up is not None
        top, bottom = y(up), y(lo)
        left, right = _judged(placed, x)
        svg.append(el("rect", {"class": "band", "x": left, "y": top, "width": right - left,
                               "height": max(1.0, bottom - top)}))
        for at in (top, bottom):
            svg.append(el("line", {"class": "thr", "x1": left, "x2": right, "y1": at, "y2": at}))
        if canvas.detail:
            words = _("between {threshold} and {upper}").format(threshold=tick_label(lo, unit),
                                                                upper=tick_label(up, unit))
            svg.append(el("text", {"class": "ax thr-label", "x": frame.x1 - 6, "y": top - 7, "text-anchor": "end"},
                          words))
        return
    for run in _runs([(i, float(n)) if n is not None else (i, None) for i, n, _up in pairs]):
        ups = {i: up for i, _lo, up in pairs}
        upper = [(x(i), y(ups[i] or 0.0)) for i, _ in run]
        lower = [(x(i), y(v)) for i, v in reversed(run)]
        svg.append(el("polygon", {"class": "band", "points": " ".join(f"{num(a)},{num(b)}" for a, b in upper + lower)}))
        svg.append(_polyline(upper, "thr"))
        svg.append(_polyline(lower, "thr"))


def _gaps(svg: ET.Element, points: Sequence[tuple[float, Outcome]], y: Scale) -> None:
    """A thin line from each failing value to its threshold: the gap, drawn."""
    for at, o in points:
        if o.gap is not None and o.actual is not None and o.threshold is not None and o.is_violation:
            svg.append(el("line", {"class": f"gapline gap-{o.status}", "x1": at, "x2": at,
                                   "y1": y(o.actual), "y2": y(o.threshold)},
                          el("title", None, _("gap {gap}").format(gap=figures(o).gap))))


def _no_data(svg: ET.Element, frame: Frame, at: float, o: Outcome) -> None:
    svg.append(marker(o.status, at, frame.y1 - 9, label=_point_words(o)))
    svg.append(el("text", {"class": "ax note", "x": at, "y": frame.y1 - 20, "text-anchor": "middle"},
                  _("no data")))


def _value(o: Outcome, at: float, y: Scale, frame: Frame, words: str) -> ET.Element:
    """The value's label beside its marker, on the side away from the threshold (and its gap line),
    kept inside the panel: near an edge it is set against that edge."""
    level = y(o.actual or 0.0)
    below = o.threshold is not None and y(o.threshold) < level
    width = frame.char * len(words)
    if below and level + 20 > frame.y1:
        spot = ({"x": at + 10, "text-anchor": "start"} if at + 10 + width <= frame.width - 2
                else {"x": at - 10, "text-anchor": "end"})
        return el("text", {"class": "val", **spot, "y": level + 4}, words)
    spot = ({"x": 2, "text-anchor": "start"} if at - width / 2 < 2
            else {"x": frame.width - 2, "text-anchor": "end"} if at + width / 2 > frame.width - 2
            else {"x": at, "text-anchor": "middle"})
    return el("text", {"class": "val", **spot, "y": level + 20 if below else level - 10}, words)


def joined(outcomes: Sequence[Outcome], axis: Sequence[str]) -> bool:
    """Whether a series panel of *outcomes* draws a line: two actual values in one run."""
    slots = sorted(((i, o.actual) for o in outcomes if (i := timeline.slot(o.period, axis)) is not None),
                   key=lambda point: point[0])
    return any(len(run) > 1 for run in _runs(slots))


def _polyline(points: Sequence[tuple[float, float]], cls: str) -> ET.Element:
    return el("polyline", {"class": cls, "points": " ".join(f"{num(a)},{num(b)}" for a, b in points)})


def _runs(points: Sequence[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Slots with a value, in runs: a missing value starts a new run. Slots with no outcome at all
    (years the data does not have, as in five-yearly data) are bridged, not breaks."""
    runs: list[list[tuple[int, float]]] = []
    last = None
    for i, value in points:
        if value is None:
            last = None
            continue
        if last is None:
            runs.append([])
        runs[-1].append((i, value))
        last = i
    return runs
