"""Outcomes in words, for messages and the human-readable formats."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .report import Outcome

_BELOW = {">=": "below", ">": "not above", "<=": "above", "<": "not below", "=": "not equal to",
          "!=": "equal to"}


def number(value: float | None, unit: str | None = None) -> str:
    """A number as people read it: ``150,000,000 USD``, ``4.1%``, ``0.25 kt``."""
    if value is None or not math.isfinite(value):
        return "—"
    if value == int(value) and abs(value) < 1e15:
        text = f"{value:,.0f}"
    elif abs(value) >= 1000:
        text = f"{value:,.2f}"
    else:
        text = f"{value:.4g}" if abs(value) >= 1e-4 else f"{value:.3e}"
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def group_words(group: Mapping[str, str]) -> str:
    """``region = Mogilev, kind = direct``; empty for no group."""
    return ", ".join(f"{k} = {v}" for k, v in group.items())


def describe_outcome(o: Outcome) -> str:
    """One sentence on an outcome."""
    where = ", ".join(part for part in (group_words(o.group), o.period) if part)
    actual, threshold = number(o.actual, o.unit), number(o.threshold, o.unit)
    if o.status == "missing":
        return f"{where}: no value ({o.reason})"
    if o.status == "pending":
        aim = number(o.target if o.target is not None else o.threshold, o.unit)
        by = f" by {o.deadline}" if o.deadline else ""
        why = f" ({o.reason})" if o.reason else ""
        return f"{where}: target {o.op} {aim}{by} not yet due{why}"
    if o.status in ("on_track", "off_track"):
        state = "on track" if o.status == "on_track" else f"behind the path by {number(o.gap, o.unit)}"
        return (f"{where}: {actual} is {state} (path {threshold} now, target {number(o.target, o.unit)}"
                f" by {o.deadline})")
    if o.op == "between":
        bounds = f"{threshold} and {number(o.upper, o.unit)}"
        if o.status == "pass":
            return f"{where}: {actual} is between {bounds}"
        return f"{where}: {actual} is outside {bounds} by {number(o.gap, o.unit)}"
    if o.status == "pass":
        return f"{where}: {actual} meets {o.op} {threshold}"
    return f"{where}: {actual} is {_BELOW.get(o.op, 'off')} the threshold {threshold} by {number(o.gap, o.unit)}"
