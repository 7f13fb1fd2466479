"""The panels of a chart, drawn on a shared canvas: series, path, and bars.

Each panel is one ``<svg role="img">`` with a ``<title>`` and an
``aria-label`` listing its points in words; each marker has its own
``<title>`` (a tooltip). Classes, not inline colours, style everything, so the
page's stylesheet sets the palette and the print look.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

import attrs

from ..i18n import _
from ..reasons import reason_words
from ..report import Outcome, RuleSummary
from ..wording import OP_SYMBOLS, figures, group_words, status_words, threshold_words
from . import timeline
from .markup import el, num
from .svgkit import Scale, domain, marker, nice_ticks, tick_label


@attrs.frozen
class Frame:
    """A panel's size and the margins around its plot."""

    width: float
    height: float
    left: float = 54
    right: float = 16
    top: float = 24
    bottom: float = 30

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
    slots = [(timeline.slot(o.period, canvas.axis), o) for o in outcomes]
    placed = sorted(((i, o) for i, o in slots if i is not None), key=lambda item: item[0])
    if placed and placed[0][1].op == "between":
        _bounds_band(svg, canvas, placed, x, y, unit)
    else:
        _threshold_line(svg, canvas, placed, x, y, unit)
    if canvas.detail:
        _gaps(svg, [(x(i), o) for i, o in placed], y)
    for run in _runs([(i, o.actual) for i, o in placed]):
        svg.append(_polyline([(x(i), y(v)) for i, v in run], "act"))
    for i, o in placed:
        if o.actual is None:
            _no_data(svg, frame, x(i), o)
            continue
        svg.append(marker(o.status, x(i), y(o.actual), label=_point_words(o)))
        if canvas.detail and len(placed) <= 12:
            svg.append(_value(o, x(i), y, frame, tick_label(o.actual, unit)))
    _x_axis(svg, canvas, x)
    return svg


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
    label_width = min(220.0, max(60.0, 7.5 * max(len(n) for n in names) + 14))
    frame = Frame(680, 40 + 30 * len(rows), left=label_width, right=70, top=32, bottom=8)
    unit = rows[0].unit
    values = [v for o in rows for v in (o.actual, o.threshold, o.upper) if v is not None]
    lo, hi = domain(values)
    x = Scale(lo, hi, frame.x0, frame.x1)
    canvas_title = rule.title or rule.id
    svg = _svg_element(frame, _describe(canvas_title, rows,
                                        _("Actual against threshold in {period}").format(period=rows[0].period)),
                       canvas_title, "bars")
    if unit and unit != "%":
        svg.append(el("text", {"class": "ax unit", "x": frame.x0 - 12, "y": frame.y0 - 9, "text-anchor": "end"},
                      unit))
    for tick in nice_ticks(lo, hi, 5):
        if lo <= tick <= hi:
            svg.append(el("line", {"class": "grid zero" if tick == 0 else "grid", "x1": x(tick), "x2": x(tick),
                                   "y1": frame.y0 - 4, "y2": frame.y1}))
            svg.append(el("text", {"class": "ax", "x": x(tick), "y": frame.y0 - 9, "text-anchor": "middle"},
                          tick_label(tick, unit)))
    for row, (o, name) in enumerate(zip(rows, names, strict=True)):
        mid = frame.y0 + 30 * row + 15
        svg.append(el("text", {"class": "ax name", "x": frame.x0 - 8, "y": mid + 4, "text-anchor": "end"}, name))
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
    labels = [tick_label(t, unit) for t in nice_ticks(bounds[0], bounds[1], _tick_count(frame))]
    return 7.0 * max((len(label) for label in labels), default=0) + 12


def _tick_count(frame: Frame) -> int:
    return 5 if frame.height > 200 else 4


def _y_axis(svg: ET.Element, frame: Frame, y: Scale, unit: str | None) -> None:
    for tick in nice_ticks(y.lo, y.hi, _tick_count(frame)):
        if not y.lo - 1e-9 * abs(y.hi) <= tick <= y.hi + 1e-9 * abs(y.hi):
            continue
        at = y(tick)
        svg.append(el("line", {"class": "grid zero" if tick == 0 else "grid", "x1": frame.x0, "x2": frame.x1,
                               "y1": at, "y2": at}))
        svg.append(el("text", {"class": "ax", "x": frame.x0 - 6, "y": at + 4, "text-anchor": "end"},
                      tick_label(tick, unit)))
    if unit and unit != "%":
        svg.append(el("text", {"class": "ax unit", "x": 4, "y": 12}, unit))


def _x_axis(svg: ET.Element, canvas: Canvas, x: Scale) -> None:
    frame, labels = canvas.frame, canvas.axis
    room = max(1, int((frame.x1 - frame.x0) / (8 * max(len(a) for a in labels) + 10)))
    every = max(1, -(-len(labels) // room))
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            svg.append(el("text", {"class": "ax", "x": x(i), "y": frame.y1 + 18, "text-anchor": "middle"}, label))


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


def _threshold_line(svg: ET.Element, canvas: Canvas, placed: Sequence[tuple[int, Outcome]], x: Scale, y: Scale,
                    unit: str | None) -> None:
    frame = canvas.frame
    levels = {o.threshold for _, o in placed}
    if len(levels) == 1 and None not in levels:
        at = y(placed[0][1].threshold or 0.0)
        svg.append(el("line", {"class": "thr", "x1": frame.x0, "x2": frame.x1, "y1": at, "y2": at}))
    else:
        for run in _runs([(i, o.threshold) for i, o in placed]):
            svg.append(_polyline([(x(i), y(v)) for i, v in run], "thr"))
    last = next(((i, o) for i, o in reversed(placed) if o.threshold is not None), None)
    if last is not None:
        i, o = last
        level = o.threshold or 0.0
        words = f"{OP_SYMBOLS.get(o.op, o.op)} {tick_label(level, unit)}"
        if canvas.detail:
            words = _("threshold {threshold}").format(threshold=words)
        spot = ({"x": frame.x1 - 6, "text-anchor": "end"} if len(levels) == 1
                else {"x": x(i) + 10, "text-anchor": "start"})
        svg.append(el("text", {"class": "ax thr-label", **spot, "y": y(level) - 7}, words))


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
        svg.append(el("rect", {"class": "band", "x": frame.x0, "y": top, "width": frame.x1 - frame.x0,
                               "height": max(1.0, bottom - top)}))
        for at in (top, bottom):
            svg.append(el("line", {"class": "thr", "x1": frame.x0, "x2": frame.x1, "y1": at, "y2": at}))
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
    """The value's label beside its marker, on the side away from the threshold (and its gap line)."""
    level = y(o.actual or 0.0)
    below = o.threshold is not None and y(o.threshold) < level
    if below and level + 20 > frame.y1:
        return el("text", {"class": "val", "x": at + 10, "y": level + 4, "text-anchor": "start"}, words)
    return el("text", {"class": "val", "x": at, "y": level + 20 if below else level - 10, "text-anchor": "middle"},
              words)


def _polyline(points: Sequence[tuple[float, float]], cls: str) -> ET.Element:
    return el("polyline", {"class": cls, "points": " ".join(f"{num(a)},{num(b)}" for a, b in points)})


def _runs(points: Sequence[tuple[int, float | None]]) -> list[list[tuple[int, float]]]:
    """Consecutive slots with a value; a missing value or a skipped slot starts a new run."""
    runs: list[list[tuple[int, float]]] = []
    last = None
    for i, value in points:
        if value is None:
            last = None
            continue
        if last is None or i != last + 1:
            runs.append([])
        runs[-1].append((i, value))
        last = i
    return runs
