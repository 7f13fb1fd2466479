"""Outcomes in words, for messages and the human-readable formats."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal

import attrs

from .report import Location, Outcome, Report

_BELOW = {
    ">=": "below",
    ">": "not above",
    "<=": "above",
    "<": "not below",
    "=": "not equal to",
    "!=": "equal to",
}


def number(value: float | None, unit: str | None = None) -> str:
    """A number in full, as the report holds it (12 significant digits), for a tooltip.

    >>> number(1_300_000_000.03, "USD"), number(4.5513, "%"), number(0.000123), number(-0.0)
    ('1,300,000,000.03 USD', '4.5513%', '0.000123', '0')
    """
    if value is None or not math.isfinite(value):
        return "—"
    # Twelve significant digits: engines that sum in another order differ in the last bits,
    # and must still print the same words (5,992.585 and 57,504,637, not .58/.59 or .00).
    value = float(f"{value:.12g}") + 0.0
    if value == 0:
        text = "0"
    else:
        decimals = max(0, 11 - math.floor(math.log10(abs(value))))
        text = f"{value:,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


@attrs.frozen
class Figures:
    """An outcome's numbers as a reader sees them (SPEC §13.1)."""

    actual: str
    threshold: str
    upper: str
    target: str
    gap: str


def figures(o: Outcome) -> Figures:
    """The outcome's numbers with the fewest significant digits, at least 3, that tell the
    actual value from the threshold (and the upper bound); each with its magnitude word, and
    a gap of percentages in percentage points.

    >>> from directive_dsl.report import Location
    >>> o = Outcome(rule="r", severity="error", status="fail", group={}, period="2026",
    ...             actual=149_990_000.0, op=">=", threshold=150_000_000.0, unit="USD",
    ...             gap=10_000.0, location=Location(file="t", line=1, column=1))
    >>> f = figures(o)
    >>> f.actual, f.threshold, f.gap
    ('149.99 million USD', '150 million USD', '10,000 USD')
    """
    compared = [v for v in (o.actual, o.threshold, o.upper) if v is not None and math.isfinite(v)]
    digits = _MIN_DIGITS
    while digits < 12 and len({_digits(v, digits) for v in compared}) < len(set(compared)):
        digits += 1
    return Figures(
        actual=reading(o.actual, o.unit, digits),
        threshold=reading(o.threshold, o.unit, digits),
        upper=reading(o.upper, o.unit, digits),
        target=reading(o.target, o.unit, digits),
        gap=reading(o.gap, gap_unit(o.unit), _MIN_DIGITS),
    )


def gap_unit(unit: str | None) -> str | None:
    """The unit a gap is read in: the difference of two percentages is in percentage points."""
    return "pp" if unit == "%" else unit


_MIN_DIGITS = 3


def reading(value: float | None, unit: str | None = None, digits: int = _MIN_DIGITS) -> str:
    """*value* to *digits* significant digits, with a magnitude word: ``1.86 billion USD``.

    >>> reading(1_859_700_000, "USD"), reading(4.5513, "%"), reading(1.909, "pp"), reading(0.000123)
    ('1.86 billion USD', '4.55%', '1.91 pp', '0.000123')
    """
    if value is None or not math.isfinite(value):
        return "—"
    text = _digits(value, digits)
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def _digits(value: float, digits: int) -> str:
    """*value* rounded to *digits* significant digits, in words of its magnitude.

    Halves round up, as people do (968.5 million reads 969 million), and the magnitude
    word is chosen after rounding (999,999,999.7 reads 1 billion).

    >>> _digits(968_500_000, 3), _digits(999_999_999.7, 3), _digits(2.675, 3), _digits(-0.0004, 3)
    ('969 million', '1 billion', '2.68', '-0.0004')
    """
    if value == 0:
        return "0"
    # repr is the shortest text that reads back as the same float: 2.675, not 2.67499999…
    rounded = _to_digits(Decimal(repr(value)), digits)
    word = ""
    for size, name in _MAGNITUDES:
        if abs(rounded) >= size:
            rounded, word = rounded.scaleb(-round(math.log10(size))), f" {name}"
            break
    decimals = max(0, digits - 1 - rounded.adjusted())
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + word


def _to_digits(value: Decimal, digits: int) -> Decimal:
    """*value* to *digits* significant digits, halves away from zero."""
    return Context(prec=digits, rounding=ROUND_HALF_UP).plus(value)


def group_words(group: Mapping[str, str]) -> str:
    """``region = Mogilev, kind = direct``; empty for no group."""
    return ", ".join(f"{k} = {v}" for k, v in group.items())


def describe_outcome(o: Outcome) -> str:
    """One sentence on an outcome."""
    where = ", ".join(part for part in (group_words(o.group), o.period) if part)
    shown = figures(o)
    actual, threshold = shown.actual, shown.threshold
    if o.status == "missing":
        return f"{where}: no value ({o.reason})"
    if o.status == "pending":
        aim = shown.target if o.target is not None else threshold
        by = f" by {o.deadline}" if o.deadline else ""
        why = f" ({o.reason})" if o.reason else ""
        return f"{where}: target {o.op} {aim}{by} not yet due{why}"
    if o.status in ("on_track", "off_track"):
        state = "on track" if o.status == "on_track" else f"behind the path by {shown.gap}"
        return (
            f"{where}: {actual} is {state} (path {threshold} now, target {shown.target}"
            f" by {o.deadline})"
        )
    if o.op == "between":
        bounds = f"{threshold} and {shown.upper}"
        if o.status == "pass":
            return f"{where}: {actual} is between {bounds}"
        return f"{where}: {actual} is outside {bounds} by {shown.gap}"
    if o.status == "pass":
        return f"{where}: {actual} meets {o.op} {threshold}"
    return f"{where}: {actual} is {_BELOW.get(o.op, 'off')} the threshold {threshold} by {shown.gap}"


# ---------------------------------------------------------------- for the report formats

#: Each status as a reader says it.
STATUS_WORDS: dict[str, str] = {
    "pass": "met",
    "fail": "not met",
    "missing": "no data",
    "pending": "not yet due",
    "on_track": "on track",
    "off_track": "off track",
}

#: Comparison operators as typeset.
OP_SYMBOLS: dict[str, str] = {
    ">=": "≥",
    "<=": "≤",
    "!=": "≠",
    ">": ">",
    "<": "<",
    "=": "=",
    "between": "between",
}

_MAGNITUDES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def short_number(value: float | None, unit: str | None = None) -> str:
    """A number rounded for a page read at a glance: ``74.2 million USD``.

    >>> short_number(74_200_000, "USD"), short_number(4.6, "%"), short_number(None)
    ('74.2 million USD', '4.6%', '—')
    """
    if value is None or not math.isfinite(value):
        return "—"
    word = ""
    for size, name in _MAGNITUDES:
        if abs(value) >= size:
            value, word = value / size, name
            break
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        size = abs(value)
        digits = (
            0
            if size >= 100
            else 1
            if size >= 10
            else 2
            if size >= 1 or size == 0
            else min(12, 2 - math.floor(math.log10(size)))
        )
        text = f"{value:.{digits}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text == "-0":
            text = "0"
    if word:
        text = f"{text} {word}"
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def location_words(location: Location) -> str:
    """``file:line``, as editors and terminals link it."""
    return f"{location.file}:{location.line}"


def threshold_words(o: Outcome, *, typeset: bool = False, short: bool = False) -> str:
    """The outcome's threshold with its operator: ``>= 150 million USD``, or the path it follows.

    ``short`` rounds for a chart's label; otherwise the digits are those of :func:`figures`.
    """
    op = OP_SYMBOLS.get(o.op, o.op) if typeset else o.op
    if o.threshold is None:
        return "—"
    if short:
        threshold, upper, target = (short_number(v, o.unit) for v in (o.threshold, o.upper, o.target))
    else:
        shown = figures(o)
        threshold, upper, target = shown.threshold, shown.upper, shown.target
    if o.op == "between" and o.status == "fail" and o.threshold == o.upper:
        text = f"{OP_SYMBOLS['<='] if typeset else '<='} {upper} (upper bound)"
    elif o.op == "between":
        text = f"between {threshold} and {upper}"
    else:
        text = f"{op} {threshold}"
    if o.status in ("on_track", "off_track") and o.target is not None:
        text += f" (path; target {target} by {o.deadline})"
    return text


#: Each status as a headline says it, worst first.
_HEADLINE: dict[str, str] = {
    "fail": "not met",
    "missing": "without data",
    "off_track": "off track",
    "pending": "not yet due",
    "on_track": "on track",
    "pass": "met",
}


def headline_words(report: Report) -> str:
    """What happened, worst first: ``1 target off track, 5 met``.

    >>> from directive_dsl.report import Report
    >>> headline_words(Report(title=None, file="t", window=None, as_of=None, rules=(), outcomes=()))
    'nothing to judge'
    """
    counts = report.counts()
    parts = [(n, _HEADLINE[s]) for s, n in sorted(counts.items(), key=lambda i: list(_HEADLINE).index(i[0])) if n]
    if not parts:
        return "nothing to judge"
    (first, word), rest = parts[0], parts[1:]
    return ", ".join([f"{count_words(first, 'target')} {word}", *(f"{n} {w}" for n, w in rest)])


def count_words(n: int, noun: str) -> str:
    """``1 violation``, ``3 violations``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_words(report: Report, names: Mapping[str, str] | None = None) -> str:
    """One line on a whole report: violations, the rules they fall in, and every status counted.

    ``16 violations (15 errors, 1 warning) in 4 of 6 rules; 22 outcomes: 5 pass, 15 fail, …``;
    *names* words the statuses (:data:`STATUS_WORDS` for readers), else ``pass``, ``on track``….
    """
    violations = report.violations
    by_severity: dict[str, int] = {}
    for v in violations:
        severity = v.violation_severity or v.severity
        by_severity[severity] = by_severity.get(severity, 0) + 1
    rules = len({v.rule for v in violations})
    if violations:
        kinds = ", ".join(
            count_words(n, s) for s, n in sorted(by_severity.items(), key=_severity_order)
        )
        head = f"{count_words(len(violations), 'violation')} ({kinds}) in {rules} of {count_words(len(report.rules), 'rule')}"
    else:
        head = f"no violations in {count_words(len(report.rules), 'rule')}"
    word = names or {s: s.replace("_", " ") for s in STATUS_WORDS}
    counts = ", ".join(f"{n} {word.get(s, s)}" for s, n in report.counts().items() if n)
    return f"{head}; {count_words(len(report.outcomes), 'outcome')}" + (
        f": {counts}" if counts else ""
    )


def _severity_order(item: tuple[str, int]) -> int:
    return {"error": 0, "warning": 1, "info": 2}.get(item[0], 3)


def violation_severity(outcomes: Iterable[Outcome], default: str) -> str:
    """The worst severity among the violations of *outcomes* (*default* when none is one).

    A rule's block is labelled with what its violations are, not the rule's own severity:
    an off-track outcome of an error rule is a warning.
    """
    found = [(o.violation_severity, 0) for o in outcomes if o.violation_severity]
    return min(found, key=_severity_order)[0] if found else default
