"""The ``text`` format: violations grouped by rule, for a terminal, then a summary line.

Each rule opens with its place in the directive, written the way compilers
write theirs (``file:line:col: error[rule]: title``) so terminals and editors
link to it, then the rule as written; its violations follow as an aligned table of group, period, status,
actual, threshold, gap and reason, and for a target due by a deadline a line per
outcome on its baseline, path, projection and progress class.
``include_passing`` lists every outcome.
A footer says where the figures came from: a ``Data:`` line per dataset read
(its source, rows, grain, as-of and SHA-256), then when and how the report was made.

>>> from directive_dsl.report import Location, Outcome, Report, RuleSummary
>>> where = Location(file="t.directive", line=3, column=1)
>>> low = Outcome(rule="r", severity="error", status="fail", group={}, period="2027", actual=3.0,
...               op=">=", threshold=5.0, unit="t", gap=2.0, location=where, violation_severity="error")
>>> rule = RuleSummary(id="r", title="At least 5 t", severity="error", status="fail",
...                    location=where, counts={"fail": 1})
>>> report = Report(title="T", file="t.directive", window=("2026", "2030"), as_of="2027",
...                 rules=(rule,), outcomes=(low,))
>>> print(render(report), end="")
T
t.directive · window 2026..2030 · as of 2027
<BLANKLINE>
t.directive:3:1: error[r]: At least 5 t
  period  status  actual  threshold  gap
  2027    fail       3 t  >= 5 t     2 t
<BLANKLINE>
FAIL  1 violation (1 error) in 1 of 1 rule; 1 outcome: 1 fail
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..i18n import _
from ..provenance import RunInfo
from ..reasons import reason_words
from ..report import Outcome, Report, RuleSummary
from ..rule_words import deadline_words
from ..run_words import dataset_words, made_words
from ..wording import (
    figures,
    group_words,
    rule_notes,
    severity_words,
    status_code_words,
    summary_words,
    threshold_words,
    violation_severity,
    waiver_words,
)

_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36",
          "bold": "1", "dim": "2"}
_STATUS_COLOR = {"pass": "green", "fail": "red", "missing": "magenta", "pending": "blue",
                 "on_track": "cyan", "off_track": "yellow"}
_SEVERITY_COLOR = {"error": "red", "warning": "yellow", "info": "cyan", "note": "green"}
_REPORT_COLOR = {"pass": "green", "warn": "yellow", "fail": "red"}

Paint = Callable[[str, str], str]


def render(report: Report, *, include_passing: bool = False, color: bool = False) -> str:
    """The report as lines of text ending in a newline; ``color`` adds ANSI escapes."""
    paint: Paint = _ansi if color else _plain
    lines = [paint(report.title or _("Directive report"), "bold"), paint(_context(report), "dim")]
    for rule in report.rules:
        shown = [o for o in report.noted(include_passing) if o.rule == rule.id]
        if shown or (include_passing and not rule.counts):
            lines.append("")
            lines.extend(_rule(rule, shown, paint, report.as_of))
    lines.append("")
    status = report.status.upper()
    lines.append(f"{paint(status, _REPORT_COLOR[report.status] + '+bold')}  {summary_words(report)}")
    if report.run is not None:
        lines.append("")
        lines.extend(paint(line, "dim") for line in _footer(report.run))
    return "\n".join(lines) + "\n"


def _footer(run: RunInfo) -> list[str]:
    """Where the figures came from: a line per dataset read, then when and how the report was made."""
    return [*(_("Data: {dataset}").format(dataset=dataset_words(d)) for d in run.datasets), made_words(run)]


def _context(report: Report) -> str:
    parts = [report.file]
    if report.window:
        parts.append(_("window {start}..{end}").format(start=report.window[0], end=report.window[1]))
    if report.as_of:
        parts.append(_("as of {period}").format(period=report.as_of))
    return " · ".join(parts)


def _rule(rule: RuleSummary, outcomes: Sequence[Outcome], paint: Paint, as_of: str | None = None) -> list[str]:
    where = f"{rule.location.file}:{rule.location.line}:{rule.location.column}"
    # Labelled with what its violations are; a block with none (``--all``) is only a note.
    severity = violation_severity(outcomes, "note")
    label = paint(f"{severity}[{rule.id}]", _SEVERITY_COLOR.get(severity, "bold") + "+bold")
    lines = [f"{where}: {label}: {rule.title or rule.id}"]
    if rule.formula:
        lines.append(paint("  " + _("rule: {formula}").format(formula=rule.formula), "dim"))
    if rule.source:
        lines.append(paint("  " + _("source: {source}").format(source=rule.source), "dim"))
    lines.extend(paint("  " + note, "dim") for note in rule_notes(rule, as_of))
    if not outcomes:
        lines.append(paint("  " + _("no outcomes: no group or period to judge"), "dim"))
        return lines
    grouped = any(o.group for o in outcomes)
    header = ([_("group")] if grouped else []) + [_("period"), _("status"), _("actual"), _("threshold"), _("gap")]
    rows = [_cells(o, grouped, severity) for o in outcomes]
    with_reason = any(o.reason or o.waiver for o in outcomes)
    if with_reason:
        header.append(_("reason"))
    widths = [max(len(header[i]), *(len(row[i]) for row in rows)) for i in range(len(header) - with_reason)]
    first = 1 if grouped else 0  # the columns after the group: period, status, actual, threshold, gap
    right = {first + 2, first + 4}
    lines.append("  " + paint("  ".join(_pad(header, widths, right)).rstrip(), "dim"))
    status_at = first + 1
    for outcome, row in zip(outcomes, rows, strict=True):
        if with_reason:
            row.append("; ".join(filter(None, (reason_words(outcome.reason) if outcome.reason else "",
                                              waiver_words(outcome)))))
        cells = _pad(row, widths, right)
        word = status_code_words(outcome.status)
        cells[status_at] = paint(word, _STATUS_COLOR[outcome.status]) + cells[status_at][len(word):]
        lines.append(("  " + "  ".join(cells)).rstrip())
    for outcome in outcomes:
        words = deadline_words(outcome)
        if words:
            where = ", ".join(part for part in (group_words(outcome.group), outcome.period) if part)
            lines.append("  " + _("progress {where}: {words}").format(where=where, words=words))
    return lines


def _cells(o: Outcome, grouped: bool, severity: str) -> list[str]:
    cells = [group_words(o.group)] if grouped else []
    shown = figures(o)
    gap = shown.gap if o.gap is not None else ""
    status = status_code_words(o.status)
    if o.violation_severity and o.violation_severity != severity:
        status += f" ({severity_words(o.violation_severity)})"
    elif o.waiver is not None:
        status += " (" + _("waived") + ")"
    cells += [o.period, status, shown.actual, threshold_words(o), gap]
    return cells


def _pad(cells: Sequence[str], widths: Sequence[int], right: set[int]) -> list[str]:
    """Cells padded to their column's width: numbers to the right, the last free column as is."""
    return [
        cell if i >= len(widths) else cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
        for i, cell in enumerate(cells)
    ]


def _plain(text: str, _style: str) -> str:
    return text


def _ansi(text: str, style: str) -> str:
    codes = ";".join(_CODES[s] for s in style.split("+"))
    return f"\x1b[{codes}m{text}\x1b[0m"
