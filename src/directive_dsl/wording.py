"""Outcomes in words, for messages and the human-readable formats.

Every sentence and word here is looked up in the current language's catalogue
(:mod:`.i18n`), and every number is written with its separators; outside
:func:`~directive_dsl.i18n.speaking` all of it is English.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING

import attrs

from .i18n import N_, NN_, _, current, ngettext, pgettext
from .reasons import reason_words

if TYPE_CHECKING:
    from .report import Location, Outcome, Report, RuleSummary

#: A failed comparison in words, by operator: the actual value against its threshold.
_MISSED = {
    ">=": N_("{where}: {actual} is below the threshold {threshold} by {gap}"),
    ">": N_("{where}: {actual} is not above the threshold {threshold} by {gap}"),
    "<=": N_("{where}: {actual} is above the threshold {threshold} by {gap}"),
    "<": N_("{where}: {actual} is not below the threshold {threshold} by {gap}"),
    "=": N_("{where}: {actual} is not equal to the threshold {threshold} by {gap}"),
    "!=": N_("{where}: {actual} is equal to the threshold {threshold} by {gap}"),
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
        # From the shortest digits that read back as the value: the float itself, written out,
        # shows binary noise past 2**53 (1.234e25 is 12,339,999,999,999,999,052,087,296).
        text = f"{Decimal(repr(value)):,.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    return with_unit(current().figure(text), unit)


def with_unit(text: str, unit: str | None) -> str:
    """A number already written for the locale, with its unit: ``4.5%``, ``1.91 pp``, ``3 t``.

    Units keep their symbols; only percent and percentage points follow the locale.
    """
    if not unit:
        return text
    if unit == "%":
        return current().percent(text)
    if unit == "pp":
        return _("{n} pp").format(n=text)
    return f"{text} {unit}"


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

    >>> from directive_dsl.report import Location, Outcome
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
    return with_unit(_digits(value, digits), unit)


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
    word = "{n}"
    for size, name in _MAGNITUDES:
        if abs(rounded) >= size:
            rounded, word = rounded.scaleb(-round(math.log10(size))), name
            break
    decimals = max(0, digits - 1 - rounded.adjusted())
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _magnitude(word, current().figure("0" if text == "-0" else text))


def _magnitude(word: str, text: str) -> str:
    """*text* with its magnitude word (``{n} million``) in the current language."""
    return _(word).format(n=text) if word != "{n}" else text


def _to_digits(value: Decimal, digits: int) -> Decimal:
    """*value* to *digits* significant digits, halves away from zero."""
    return Context(prec=digits, rounding=ROUND_HALF_UP).plus(value)


def group_words(group: Mapping[str, str]) -> str:
    """``region = Mogilev, kind = direct``; empty for no group."""
    return ", ".join(f"{k} = {v}" for k, v in group.items())


def describe_outcome(o: Outcome) -> str:
    """One sentence on an outcome, in the current language."""
    where = ", ".join(part for part in (group_words(o.group), o.period) if part)
    shown = figures(o)
    words = {"where": where, "actual": shown.actual, "threshold": shown.threshold, "op": o.op,
             "gap": shown.gap, "target": shown.target, "upper": shown.upper, "deadline": o.deadline,
             "reason": reason_words(o.reason) if o.reason else ""}
    if o.status == "missing":
        return _("{where}: no value ({reason})").format(**words)
    if o.status == "pending":
        words["aim"] = shown.target if o.target is not None else shown.threshold
        sentence = (_("{where}: target {op} {aim} by {deadline} not yet due") if o.deadline
                    else _("{where}: target {op} {aim} not yet due")).format(**words)
        return sentence + (f" ({words['reason']})" if o.reason else "")
    if o.status in ("on_track", "off_track") and o.coverage is not None and o.deadline is None:
        return _partial_sentence(o, words)
    if o.status == "on_track":
        return _("{where}: {actual} is on track (path {threshold} now, target {target} by {deadline})"
                 ).format(**words)
    if o.status == "off_track":
        return _("{where}: {actual} is behind the path by {gap} (path {threshold} now, target {target}"
                 " by {deadline})").format(**words)
    if o.op == "between":
        if o.status == "pass":
            return _("{where}: {actual} is between {threshold} and {upper}").format(**words)
        return _("{where}: {actual} is outside {threshold} and {upper} by {gap}").format(**words)
    if o.status == "pass":
        return _("{where}: {actual} meets {op} {threshold}").format(**words)
    missed = _MISSED.get(o.op, N_("{where}: {actual} is off the threshold {threshold} by {gap}"))
    return _(missed).format(**words)


def _partial_sentence(o: Outcome, words: Mapping[str, str | None]) -> str:
    """A period the data covers in part (SPEC §13.4): judged so far, not yet met or missed."""
    assert o.coverage is not None
    words = {**words, "through": o.coverage.through}
    if o.status == "on_track":
        sentence = (_("{where}: {actual} through {through} is on track ({op} {threshold}, "
                      "the part of {target} due by then)") if o.target is not None
                    else _("{where}: {actual} through {through} is on track ({op} {threshold})"))
    else:
        sentence = (_("{where}: {actual} through {through} is behind by {gap} ({op} {threshold}, "
                      "the part of {target} due by then)") if o.target is not None
                    else _("{where}: {actual} through {through} is behind by {gap} ({op} {threshold})"))
    return sentence.format(**words)


# ---------------------------------------------------------------- for the report formats

#: Each status as a reader says it (in English: look it up with :func:`status_words`).
STATUS_WORDS: dict[str, str] = {
    "pass": N_("met"),
    "fail": N_("not met"),
    "missing": N_("no data"),
    "pending": N_("not yet due"),
    "on_track": N_("on track"),
    "off_track": N_("off track"),
}

#: Each status as its code reads (``on_track`` as ``on track``), for the terse formats.
_STATUS_CODES: dict[str, str] = {
    "pass": N_("pass"),
    "fail": N_("fail"),
    "missing": N_("missing"),
    "pending": N_("pending"),
    "on_track": N_("on track"),
    "off_track": N_("off track"),
}


def status_words(status: str) -> str:
    """The status as a reader says it, in the current language: ``not met``."""
    return _(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def status_code_words(status: str) -> str:
    """The status as its code reads, in the current language: ``on track`` (English), ``в пределах траектории``."""
    return _(_STATUS_CODES[status]) if status in _STATUS_CODES else status


def tally_words(status: str, *, readers: bool = False) -> str:
    """The status as a count names it (``5 met``; Russian ``выполнено — 5``), as readers say it or as its code reads.

    A count is of outcomes, not of one target, so another language may word it apart
    from the status of a row: the ``tally`` context.
    """
    if readers:
        words = {"pass": pgettext("tally", "met"), "fail": pgettext("tally", "not met"),
                 "missing": pgettext("tally", "no data"), "pending": pgettext("tally", "not yet due"),
                 "on_track": pgettext("tally", "on track"), "off_track": pgettext("tally", "off track")}
    else:
        words = {"pass": pgettext("tally", "pass"), "fail": pgettext("tally", "fail"),
                 "missing": pgettext("tally", "missing"), "pending": pgettext("tally", "pending"),
                 "on_track": pgettext("tally", "on track"), "off_track": pgettext("tally", "off track")}
    return words.get(status, status)


_SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "info": N_("info"), "note": N_("note")}


def severity_words(severity: str) -> str:
    """A severity in the current language: ``warning``, ``предупреждение``."""
    return _(_SEVERITIES[severity]) if severity in _SEVERITIES else severity

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

_MAGNITUDES = ((1e12, N_("{n} trillion")), (1e9, N_("{n} billion")), (1e6, N_("{n} million")))


def short_number(value: float | None, unit: str | None = None) -> str:
    """A number rounded for a page read at a glance: ``74.2 million USD``.

    >>> short_number(74_200_000, "USD"), short_number(4.6, "%"), short_number(None)
    ('74.2 million USD', '4.6%', '—')
    """
    if value is None or not math.isfinite(value):
        return "—"
    word = "{n}"
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
    return with_unit(_magnitude(word, current().figure(text)), unit)


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
        text = _("{op} {upper} (upper bound)").format(op=OP_SYMBOLS["<="] if typeset else "<=", upper=upper)
    elif o.op == "between":
        text = _("between {threshold} and {upper}").format(threshold=threshold, upper=upper)
    else:
        text = f"{op} {threshold}"
    if o.status in ("on_track", "off_track") and o.target is not None and o.deadline is None:
        text += _(" (part of {target} due by {through})").format(
            target=target, through=o.coverage.through if o.coverage else "")
    elif o.status in ("on_track", "off_track") and o.target is not None:
        text += _(" (path; target {target} by {deadline})").format(target=target, deadline=o.deadline)
    return text


#: Each status as a headline says it, worst first: the first with its noun, the rest without.
_HEADLINE: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "fail": (NN_("{n} target not met", "{n} targets not met"), NN_("{n} not met", "{n} not met")),
    "missing": (NN_("{n} target without data", "{n} targets without data"),
                NN_("{n} without data", "{n} without data")),
    "off_track": (NN_("{n} target off track", "{n} targets off track"),
                  NN_("{n} off track", "{n} off track")),
    "pending": (NN_("{n} target not yet due", "{n} targets not yet due"),
                NN_("{n} not yet due", "{n} not yet due")),
    "on_track": (NN_("{n} target on track", "{n} targets on track"),
                 NN_("{n} on track", "{n} on track")),
    "pass": (NN_("{n} target met", "{n} targets met"), NN_("{n} met", "{n} met")),
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
        return _("nothing to judge")
    words = [plural(*(forms[0] if i == 0 else forms[1]), n) for i, (n, forms) in enumerate(parts)]
    return ", ".join(words)


def plural(singular: str, plural_: str, n: int) -> str:
    """The current language's form for *n* of a ``{n}`` message, the count written by the locale."""
    return ngettext(singular, plural_, n).format(n=current().count(n))


_NOUNS = {
    "violation": NN_("{n} violation", "{n} violations"),
    "rule": NN_("{n} rule", "{n} rules"),
    "outcome": NN_("{n} outcome", "{n} outcomes"),
    "target": NN_("{n} target", "{n} targets"),
    "error": NN_("{n} error", "{n} errors"),
    "warning": NN_("{n} warning", "{n} warnings"),
    "info": NN_("{n} info", "{n} infos"),
}


def count_words(n: int, noun: str) -> str:
    """``1 violation``, ``3 violations``, in the current language."""
    if noun in _NOUNS:
        return plural(*_NOUNS[noun], n)
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def summary_words(report: Report, *, readers: bool = False) -> str:
    """One line on a whole report: violations, the rules they fall in, and every status counted.

    ``16 violations (15 errors, 1 warning) in 4 of 6 rules; 22 outcomes: 5 pass, 15 fail, …``;
    ``readers`` words the statuses as readers say them (``met``), else as their codes read
    (``pass``, ``on track``…).
    """
    violations = report.violations
    by_severity: dict[str, int] = {}
    for v in violations:
        severity = v.violation_severity or v.severity
        by_severity[severity] = by_severity.get(severity, 0) + 1
    rules = len({v.rule for v in violations})
    total = len(report.rules)
    if violations:
        kinds = ", ".join(
            count_words(n, s) for s, n in sorted(by_severity.items(), key=_severity_order)
        )
        head = ngettext("{violations} ({kinds}) in {rules} of {n} rule",
                        "{violations} ({kinds}) in {rules} of {n} rules", total).format(
            violations=count_words(len(violations), "violation"), kinds=kinds,
            rules=current().count(rules), n=current().count(total))
    else:
        head = ngettext("no violations in {n} rule", "no violations in {n} rules", total).format(
            n=current().count(total))
    counts = ", ".join(_("{n} {status}").format(n=current().count(n), status=tally_words(s, readers=readers))
                       for s, n in report.counts().items() if n)
    waived = _("; {n} waived").format(n=current().count(len(report.waived))) if report.waived else ""
    return _("{head}; {outcomes}").format(head=head, outcomes=count_words(len(report.outcomes), "outcome")) + (
        _(": {counts}").format(counts=counts) if counts else ""
    ) + waived


def waiver_words(o: Outcome) -> str:
    """``waived until 2027: Flood recovery`` for a waived outcome, else ``""``."""
    if o.waiver is None:
        return ""
    if o.waiver.until:
        return _("waived until {until}: {reason}").format(until=o.waiver.until, reason=o.waiver.reason)
    return _("waived: {reason}").format(reason=o.waiver.reason)


def _severity_order(item: tuple[str, int]) -> int:
    return {"error": 0, "warning": 1, "info": 2}.get(item[0], 3)


def violation_severity(outcomes: Iterable[Outcome], default: str) -> str:
    """The worst severity among the violations of *outcomes* (*default* when none is one).

    A rule's block is labelled with what its violations are, not the rule's own severity:
    an off-track outcome of an error rule is a warning.
    """
    found = [(o.violation_severity, 0) for o in outcomes if o.violation_severity]
    return min(found, key=_severity_order)[0] if found else default


def rule_notes(rule: RuleSummary, report_as_of: str | None = None) -> list[str]:
    """What a rule's outcomes leave out: its data ending earlier than the report's (SPEC §13.3),
    groups without a target (§13.6) and periods not judged (`@partial skip`, §13.4)."""
    notes = []
    if rule.as_of is not None and report_as_of is not None and rule.as_of != report_as_of:
        notes.append(_("as of {period}: the latest period all of its data has reached").format(period=rule.as_of))
    if rule.untargeted:
        notes.append(plural("{n} group has no target in the threshold's data and is not judged",
                            "{n} groups have no target in the threshold's data and are not judged",
                            rule.untargeted))
    for period, why in rule.not_judged:
        notes.append(_("{period} not judged: {reason}").format(period=period, reason=reason_words(why)))
    return notes
