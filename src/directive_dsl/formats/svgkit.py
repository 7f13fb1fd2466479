"""Small pieces the charts are drawn with: a linear scale, round ticks, status markers.

Every status has a shape as well as a colour, so a chart printed in grey or
read by someone who does not tell red from green still says which points
failed: a filled circle is met, a ring is on track, a cross is not met, a
downward triangle is off track, a hollow diamond is not yet due and a dashed
ring with a question mark is no data; a filled square is a target and a
hollow square a baseline. The same shapes mark the tables.

>>> nice_ticks(0, 187.5)
[0.0, 50.0, 100.0, 150.0, 200.0]
>>> tick_label(150_000_000, "USD"), tick_label(12.5, "%"), tick_label(2500, "kt")
('150M', '12.5%', '2.5k')
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP, Context, Decimal

import attrs

from ..i18n import N_, _, current
from .markup import el, num

#: Marker outlines, centred on (0, 0), about 11 units across.
SHAPES: dict[str, str] = {
    "pass": "M0,-5.5A5.5,5.5 0 1 1 0,5.5A5.5,5.5 0 1 1 0,-5.5Z",
    "on_track": "M0,-4.5A4.5,4.5 0 1 1 0,4.5A4.5,4.5 0 1 1 0,-4.5Z",
    "fail": "M-4.5,-4.5L4.5,4.5M-4.5,4.5L4.5,-4.5",
    "off_track": "M-5.5,-4L5.5,-4L0,5.5Z",
    "pending": "M0,-5.5L5.5,0L0,5.5L-5.5,0Z",
    "missing": "M0,-5A5,5 0 1 1 0,5A5,5 0 1 1 0,-5Z",
    "target": "M-4.5,-4.5H4.5V4.5H-4.5Z",
    "baseline": "M-4.5,-4.5H4.5V4.5H-4.5Z",
}


@attrs.frozen
class Scale:
    """Maps values in [lo, hi] onto pixels in [start, end] (end may be below start)."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        return self.start + (value - self.lo) / span * (self.end - self.start) if span else self.start


def domain(values: list[float], *, pad: float = 0.08) -> tuple[float, float]:
    """A value range that holds *values* and zero, with a little room on the far side."""
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if lo == hi:
        return (lo, lo + 1.0)
    room = (hi - lo) * pad
    return (lo - room if lo < 0 else lo, hi + room if hi > 0 else hi)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round numbers covering [lo, hi], about *count* of them."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return [round(i * step, 12) + 0.0 for i in range(first, last + 1)]


def tick_label(value: float, unit: str | None) -> str:
    """A short axis label: ``150M``, ``2.5k``, ``12.5%``; three significant digits, rounded
    as the tables round (halves up, the letter chosen after rounding: 968.5M is ``969M``).

    >>> tick_label(968_500_000, "USD"), tick_label(999_700, None), tick_label(-0.0, "%")
    ('969M', '1M', '0%')
    """
    rounded = Context(prec=3, rounding=ROUND_HALF_UP).plus(Decimal(repr(float(value))))
    suffix = "{n}"
    for exponent, letter in _LETTERS:
        if abs(rounded) >= 10**exponent:
            rounded, suffix = rounded.scaleb(-exponent), letter
            break
    text = f"{rounded.normalize():f}"
    text = current().figure("0" if text == "-0" else text)
    text = _(suffix).format(n=text) if suffix != "{n}" else text
    return current().percent(text) if unit == "%" else text


#: The letters of a short axis label, by power of ten (``млн`` in Russian).
_LETTERS = ((12, N_("{n}T")), (9, N_("{n}B")), (6, N_("{n}M")), (3, N_("{n}k")))


def marker(status: str, x: float, y: float, *, label: str | None = None, scale: float = 1.0) -> ET.Element:
    """The status's shape at (x, y), with *label* as its tooltip."""
    shape = el("path", {"d": SHAPES.get(status, SHAPES["pending"]), "class": f"mk mk-{status}"})
    group = el("g", {"transform": f"translate({num(x)},{num(y)})" + (f" scale({num(scale)})" if scale != 1 else "")},
               el("title", None, label) if label else None, shape)
    if status == "missing":
        group.append(el("text", {"class": "mk-q", "y": "3", "text-anchor": "middle"}, "?"))
    return group


def mark_icon(status: str) -> ET.Element:
    """The status's shape as a small inline picture, for tables and legends (hidden from screen readers)."""
    svg = el("svg", {"class": "mark", "viewBox": "-7 -7 14 14", "width": "14", "height": "14",
                     "aria-hidden": "true", "focusable": "false"})
    svg.append(el("path", {"d": SHAPES.get(status, SHAPES["pending"]), "class": f"mk mk-{status}"}))
    return svg
