"""The ``markdown`` format, for pull-request comments: a summary line, then a table per rule.

Only rules with violations get a table, under the rule as written, and a
target due by a deadline a line per outcome on its progress (every rule with ``include_passing``);
the rules that hold are named in one closing line, and a last section says
where the figures came from (each dataset read, and when and how the report
was made). Text that comes from the
directive or its data is escaped, so a title cannot break the table or inject
markup.

>>> escape("a|b <i>*x*</i>")
'a\\\\|b \\\\<i\\\\>\\\\*x\\\\*\\\\</i\\\\>'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..i18n import _
from ..provenance import RunInfo
from ..reasons import reason_words
from ..report import Outcome, Report, RuleSummary
from ..rule_words import deadline_words
from ..run_words import grain_words, grouped, made_words, short_hash
from ..wording import (
    count_words,
    figures,
    group_words,
    headline_words,
    rule_notes,
    severity_words,
    status_code_words,
    summary_words,
    threshold_words,
    violation_severity,
    waiver_words,
)

_ICONS = {"pass": "✅", "fail": "❌", "missing": "❔", "pending": "⏳", "on_track": "✅",
          "off_track": "⚠️"}
_REPORT_ICONS = {"pass": "✅", "warn": "⚠️", "fail": "❌"}
_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def render(report: Report, *, include_passing: bool = False) -> str:
    """The report as GitHub-flavoured Markdown, ending in a newline."""
    title = escape(report.title or _("Directive report"))
    lines = [f"### {_REPORT_ICONS[report.status]} {title}: {headline_words(report)}", ""]
    context = [f"`{report.file}`"]
    if report.window:
        context.append(_("window {start}–{end}").format(start=report.window[0], end=report.window[1]))
    if report.as_of:
        context.append(_("as of {period}").format(period=report.as_of))
    lines += [f"**{escape(summary_words(report))}** · " + " · ".join(context), ""]
    holding: list[RuleSummary] = []
    for rule in report.rules:
        shown = [o for o in report.noted(include_passing) if o.rule == rule.id]
        if shown:
            lines += _rule(rule, shown, report.as_of)
        else:
            holding.append(rule)
    if holding:
        names = ", ".join(f"`{r.id}` ({status_code_words(r.status)})" for r in holding)
        lines += [_("**No violations:** {rules}").format(rules=names), ""]
    if report.run is not None:
        lines += _sources(report.run)
    return "\n".join(lines).rstrip("\n") + "\n"


def _sources(run: RunInfo) -> list[str]:
    """A short section on where the figures came from: a table of the datasets read, then a line."""
    lines = ["#### " + _("Source of these figures"), ""]
    if run.datasets:
        lines += [_row([_("Dataset"), _("Source"), _("Rows"), _("Grain"), _("Through"), "SHA-256"]),
                  _row(["---", "---", "--:", "---", "---", "---"])]
        for d in run.datasets:
            lines.append(_row([escape(d.name), escape(d.source), grouped(d.rows),
                               grain_words(d.grain) if d.grain else "",
                               d.as_of or "", f"`{short_hash(d.sha256)}`" if d.sha256 else ""]))
        lines.append("")
    return [*lines, f"*{escape(made_words(run))}*", ""]


def _rule(rule: RuleSummary, outcomes: Sequence[Outcome], as_of: str | None = None) -> list[str]:
    head = f"#### {_ICONS[rule.status]} `{rule.id}`"
    if rule.title:
        head += f": {escape(rule.title)}"
    severity = violation_severity(outcomes, rule.severity)
    meta = [severity_words(severity), f"`{rule.location.file}:{rule.location.line}`"]
    if rule.source:
        meta.append(_("source: {source}").format(source=escape(rule.source)))
    violations = sum(1 for o in outcomes if o.is_violation)
    meta.append(_("{violations} of {n} shown are violations").format(violations=violations, n=len(outcomes))
                if violations != len(outcomes) else count_words(violations, "violation"))
    grouped = any(o.group for o in outcomes)
    header = ([_("Group")] if grouped else []) + [_("Period"), _("Status"), _("Actual"), _("Threshold"), _("Gap"),
                                                 _("Reason")]
    align = (["---"] if grouped else []) + ["---", "---", "--:", "---", "--:", "---"]
    lines = [head, "", " · ".join(meta), ""]
    if rule.formula:
        lines += [_("Rule: {formula}").format(formula=_code(rule.formula)), ""]
    for note in rule_notes(rule, as_of):
        lines += [note, ""]
    lines += [_row(header), _row(align)]
    for o in outcomes:
        status = f"{_ICONS[o.status]} {status_code_words(o.status)}"
        if o.violation_severity and o.violation_severity != severity:
            status += f" ({severity_words(o.violation_severity)})"
        elif o.waiver is not None:
            status += " (" + _("waived") + ")"
        reason = "; ".join(filter(None, (reason_words(o.reason) if o.reason else "", waiver_words(o))))
        cells = [escape(group_words(o.group))] if grouped else []
        shown = figures(o)
        cells += [o.period, status, shown.actual, threshold_words(o, typeset=True),
                  shown.gap if o.gap is not None else "", escape(reason)]
        lines.append(_row(cells))
    lines.append("")
    progress = [(o, deadline_words(o)) for o in outcomes]
    lines += ["- " + _("progress {where}: {words}").format(where=escape(_where(o)), words=words)
              for o, words in progress if words]
    if any(words for _, words in progress):
        lines.append("")
    return lines


def _where(o: Outcome) -> str:
    return ", ".join(part for part in (group_words(o.group), o.period) if part)


def _code(text: str) -> str:
    """*text* as inline code, fenced by more backticks than it holds in a row."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def escape(text: str) -> str:
    """*text* safe inside a Markdown table cell or heading: one line, markup characters escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))
