"""The ``html`` format: one self-contained page a reader can open, print or mail.

At the top the directive's title, window, as-of period and the verdict with
every status counted, then a table of the targets at a glance; then one
section per rule with its title, the rule as written, its id, severity and ``@source``, a chart of
actual against threshold (:mod:`.charts`) and a table of every group and
period, failures first and those met folded behind their count; at the end, the source of these figures (each dataset read, its rows,
grain, as-of and SHA-256, and when and how the report was made). The page loads nothing: the stylesheet (``report.css``) and the charts
are inline, and it runs no script. Status is never told by colour alone: each
carries a word and a shape, and rows that are violations have a marked edge.

>>> from directive_dsl.report import Report
>>> page = render(Report(title="T", file="t.directive", window=None, as_of=None, rules=(), outcomes=()))
>>> page.startswith("<!DOCTYPE html>"), "<h1>T</h1>" in page, "http" in page.replace('xmlns="http', '')
(True, True, False)
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING, Literal

from ..i18n import N_, _, current, ngettext
from ..provenance import RunInfo
from ..reasons import reason_words
from ..rule_words import deadline_words
from ..run_words import grain_words, grouped, moment_words, short_hash
from ..version import REPORT_SCHEMA as SCHEMA
from ..version import __version__
from ..wording import (
    count_words,
    figures,
    gap_unit,
    group_words,
    headline_words,
    location_words,
    number,
    severity_words,
    status_words,
    summary_words,
    tally_words,
    waiver_words,
)
from ..wording import threshold_words as threshold_text
from .charts import Chart, rule_chart
from .markup import el, to_html
from .svgkit import mark_icon

if TYPE_CHECKING:
    from ..report import Outcome, Report, RuleSummary

_SHAPES = {"pass": "pass", "warn": "off_track", "fail": "fail"}
_SEVERITY = {"error": N_("Error"), "warning": N_("Warning"), "info": N_("Information")}


def render(report: Report) -> str:
    """The report as one HTML page (UTF-8 text), every outcome shown."""
    title = report.title or _("Directive report")
    return page(title, [part for part in report_parts(report) if part is not None])


def render_many(reports: Sequence[Report]) -> str:
    """Several reports on one page, one after another, their anchors kept apart."""
    articles = []
    for index, report in enumerate(reports, start=1):
        article = el("article", {"class": "report", "id": f"report-{index}"}, *report_parts(report))
        _prefix_ids(article, f"d{index}-")
        articles.append(article)
    return page(_("Directive reports"), articles)


def notebook_html(report: Report) -> str:
    """The report for a notebook cell: its headline and each rule's table, without charts."""
    title = report.title or _("Directive report")
    sections = []
    for rule in report.rules:
        outcomes = [o for o in report.outcomes if o.rule == rule.id]
        if outcomes:
            sections.append(el("section", {"class": f"rule s-{rule.status}"},
                               el("h3", None, rule.title or rule.id, " ", badge(rule.status)),
                               _table(rule, outcomes)))
    part = el("div", {"class": "directive-report"}, el("style", None, _css()),
              _top(report, title), sections)
    _prefix_ids(part, f"nb{id(report):x}-")
    return to_html(part)


def report_parts(report: Report) -> list[ET.Element | None]:
    """The page's parts for one report: its top, overview, sections and footer."""
    title = report.title or _("Directive report")
    return [_top(report, title), _overview(report),
            el("main", None, [_section(report, i, rule) for i, rule in enumerate(report.rules)]),
            _sources(report.run) if report.run is not None else None, _footer(report)]


def page(title: str, parts: Sequence[ET.Element]) -> str:
    """A self-contained page holding *parts*."""
    head = el("head", None,
              el("meta", {"charset": "utf-8"}),
              el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
              el("meta", {"name": "generator", "content": f"directive_dsl {__version__}"}),
              el("title", None, _("{title} — directive report").format(title=title)),
              el("link", {"rel": "icon", "href": "data:,"}),
              el("style", None, _css()))
    body = el("body", None, *parts)
    return "<!DOCTYPE html>\n" + to_html(el("html", {"lang": current().code}, head, body)) + "\n"


_REFERENCES = ("aria-labelledby", "aria-describedby", "for", "headers")


def _prefix_ids(root: ET.Element, prefix: str) -> None:
    """Every id in *root*, and every reference to one, given *prefix*: one page, no clashes."""
    for node in root.iter():
        for key, value in list(node.attrib.items()):
            if key == "id":
                node.set(key, prefix + value)
            elif key in _REFERENCES:
                node.set(key, " ".join(prefix + v for v in value.split()))
            elif key in ("href", "xlink:href") and value.startswith("#"):
                node.set(key, "#" + prefix + value[1:])
            elif "url(#" in value:
                node.set(key, value.replace("url(#", "url(#" + prefix))


def _css() -> str:
    return resources.files("directive_dsl.formats").joinpath("report.css").read_text(encoding="utf-8")


def _words(status: str) -> str:
    return _capital(status_words(status))


def _capital(text: str) -> str:
    """*text* with its first letter in capitals, the rest as it is."""
    return text[:1].upper() + text[1:]


def badge(status: str, text: str | None = None) -> ET.Element:
    """A status as shape and word: the same in tables, headings and the legend."""
    return el("span", {"class": f"badge s-{status}"}, mark_icon(status), " ", text or _words(status))


def _top(report: Report, title: str) -> ET.Element:
    facts: list[tuple[str, str | ET.Element]] = []
    if report.window:
        facts.append((_("Window"), f"{report.window[0]} – {report.window[1]}"))
    if report.as_of:
        facts.append((_("Latest data"), report.as_of))
    facts.append((_("Targets"), current().count(len(report.rules))))
    facts.append((_("Directive file"), el("code", None, report.file)))
    source = " · ".join(part for part in (report.source, report.owner) if part)
    shape, verdict = _SHAPES[report.status], headline_words(report).capitalize()
    counts = report.counts()
    tally = [el("li", {"class": f"s-{status}"}, el("span", {"class": "n"}, current().count(n)), " ",
                badge(status, _capital(tally_words(status, readers=True))))
             for status, n in counts.items() if n]
    return el("header", {"class": "top"},
              el("p", {"class": "kicker"}, _("Directive report")),
              el("h1", None, title),
              el("p", {"class": "sub"}, source) if source else None,
              el("dl", {"class": "facts"}, [el("div", None, el("dt", None, k), el("dd", None, v)) for k, v in facts]),
              el("div", {"class": f"verdict v-{report.status}", "role": "status"},
                 el("p", {"class": "verdict-word"}, mark_icon(shape), " ", verdict),
                 el("p", {"class": "verdict-text"}, summary_words(report, readers=True).capitalize() + ".")),
              el("ul", {"class": "tally", "aria-label": _("Outcomes by status")}, tally))


def _overview(report: Report) -> ET.Element | None:
    if not report.rules:
        return None
    rows = []
    for i, rule in enumerate(report.rules):
        total = sum(rule.counts.values())
        violations = sum(1 for o in report.violations if o.rule == rule.id)
        rows.append(el("tr", {"class": f"s-{rule.status}"},
                       el("th", {"scope": "row"}, el("a", {"href": f"#rule-{i}"}, rule.title or rule.id)),
                       el("td", None, badge(rule.status)),
                       el("td", {"class": "num"}, _("{violations} of {total}").format(
                           violations=current().count(violations), total=current().count(total)))))
    table = el("table", {"class": "overview"},
               el("caption", None, _("Each target, its overall status, and how many of its outcomes count "
                                     "against it.")),
               el("thead", None, el("tr", None, el("th", {"scope": "col"}, _("Target")),
                                    el("th", {"scope": "col"}, _("Status")),
                                    el("th", {"scope": "col", "class": "num"}, _("Violations")))),
               el("tbody", None, rows))
    return el("nav", {"class": "toc", "aria-labelledby": "toc-h"},
              el("h2", {"id": "toc-h"}, _("Targets at a glance")),
              el("div", {"class": "table-wrap"}, table))


def _section(report: Report, index: int, rule: RuleSummary) -> ET.Element:
    outcomes = [o for o in report.outcomes if o.rule == rule.id]
    violations = sum(1 for o in outcomes if o.is_violation)
    meta: list[tuple[str, str | ET.Element]] = [
        (_("Rule"), el("code", None, rule.id)),
        (_("Severity"), _(_SEVERITY[rule.severity]) if rule.severity in _SEVERITY else rule.severity)]
    if rule.source:
        meta.append((_("Source"), rule.source))
    if rule.owner:
        meta.append((_("Owner"), rule.owner))
    meta.append((_("Defined at"), el("code", None, f"{location_words(rule.location)}:{rule.location.column}")))
    meta.append((_("Violations"), ngettext("{violations} of {n} outcome", "{violations} of {n} outcomes",
                                           len(outcomes)).format(violations=current().count(violations),
                                                                 n=current().count(len(outcomes)))))
    chart = rule_chart(rule, outcomes, window=report.window, as_of=report.as_of)
    return el("section", {"class": f"rule s-{rule.status}", "id": f"rule-{index}", "aria-labelledby": f"h-{index}",
                          "data-rule": rule.id, "data-file": rule.location.file,
                          "data-line": rule.location.line, "data-column": rule.location.column},
              el("div", {"class": "rule-head"}, el("h2", {"id": f"h-{index}"}, rule.title or rule.id),
                 badge(rule.status)),
              el("p", {"class": "formula"}, *_pieces(_("Rule as written: {formula}"),
                                                     formula=el("code", None, rule.formula)))
              if rule.formula else None,
              el("dl", {"class": "meta"}, [el("div", None, el("dt", None, k), el("dd", None, v)) for k, v in meta]),
              _figure(chart, outcomes) if chart else None,
              _tables(rule, outcomes) if outcomes else
              el("p", {"class": "empty"}, _("No outcomes: this rule found no group or period to judge.")),
              _progress(outcomes))


def _progress(outcomes: Sequence[Outcome]) -> ET.Element | None:
    """For a target due by a deadline: each outcome's baseline, target, projection and progress class."""
    items = []
    for o in outcomes:
        words = deadline_words(o)
        if words:
            where = ", ".join(part for part in (group_words(o.group), o.period) if part)
            items.append(el("li", None, el("span", {"class": "where"}, where), ": ", words))
    return el("ul", {"class": "progress", "aria-label": _("Progress toward the deadline")}, items) if items else None


def _figure(chart: Chart, outcomes: Sequence[Outcome]) -> ET.Element:
    return el("figure", {"class": f"figure figure-{chart.kind}"}, chart.element,
              el("figcaption", None, el("span", {"class": "how"}, _how(chart, outcomes)), " ",
                 el("span", {"class": "keys"}, _keys(chart, outcomes))))


def _how(chart: Chart, outcomes: Sequence[Outcome]) -> str:
    """The chart in a sentence or two, for the reader and the printed page."""
    between = any(o.op == "between" for o in outcomes)
    if chart.kind == "bars":
        words = (_("Each bar is the actual value in {period}; the dark ticks are the bounds of the allowed range.")
                 if between else _("Each bar is the actual value in {period}; the dark tick is the threshold.")
                 ).format(period=outcomes[0].period)
    elif chart.kind == "path":
        words = _("The square is the target at its deadline; the marker is where the latest data stands.")
        if any(o.status in ("on_track", "off_track") for o in outcomes):
            words = _("The dotted line is the straight path to the target.") + " " + words
    else:
        words = (_("The solid line is the actual value in each period; the shaded band between the dashed lines "
                   "is the allowed range.") if between and chart.line
                 else _("The solid line is the actual value in each period; the dashed line is the threshold.")
                 if chart.line
                 else _("Each marker is the actual value in its period; the shaded band between the dashed lines "
                        "is the allowed range.") if between
                 else _("Each marker is the actual value in its period; the dashed line is the threshold."))
    if chart.kind == "path" and any(o.baseline is not None for o in outcomes):
        words += " " + _("The hollow square is the baseline the path starts from.")
    elif chart.kind == "bars" and any(o.baseline is not None for o in outcomes):
        words += " " + _("The hollow square is the baseline the target was set from.")
    if chart.groups > 1 and chart.kind != "bars":
        words += " " + _("One panel per group, each on its own scale: compare the values, not the heights.")
    if chart.history:
        words += " " + _("Grey dots: the years before the window, for comparison; they are not judged.")
    if chart.future:
        words += " " + _("Grey: periods after the latest data.")
    if chart.shown < chart.groups:
        words += " " + _("The first {shown} of {groups} groups are drawn; the table lists them all.").format(
            shown=current().count(chart.shown), groups=current().count(chart.groups))
    return words


def _keys(chart: Chart, outcomes: Sequence[Outcome]) -> list[ET.Element]:
    keys = [badge(status) for status in dict.fromkeys(o.status for o in outcomes)]
    if chart.kind == "path":
        keys.append(el("span", {"class": "badge s-target"}, mark_icon("target"), " ", _("Target")))
    return keys


#: The order of a rule's table: what counts against the target first, what is met last.
_FIRST = {"fail": 0, "off_track": 1, "missing": 2, "pending": 3, "on_track": 4, "pass": 5}


def _tables(rule: RuleSummary, outcomes: Sequence[Outcome]) -> list[ET.Element]:
    """A rule's outcomes, failures first; those met folded behind a line that counts them (``12 outcomes met``)."""
    ordered = sorted(outcomes, key=lambda o: (not o.is_violation, _FIRST.get(o.status, 9)))
    shown = [o for o in ordered if o.status != "pass" or o.is_violation]
    met = [o for o in ordered if o.status == "pass" and not o.is_violation]
    dimensions = _dimensions(outcomes)
    parts = [_table(rule, shown, dimensions=dimensions, part="rest" if met else "all")] if shown else []
    if met:
        summary = ngettext("{n} outcome met", "{n} outcomes met", len(met)).format(n=current().count(len(met)))
        parts.append(el("details", {"class": "met"}, el("summary", None, badge("pass", summary)),
                        _table(rule, met, dimensions=dimensions, part="met")))
    return parts


def _dimensions(outcomes: Sequence[Outcome]) -> list[str]:
    return list(dict.fromkeys(d for o in outcomes for d in o.group))


def _table(rule: RuleSummary, outcomes: Sequence[Outcome], *, dimensions: Sequence[str] | None = None,
           part: Literal["all", "rest", "met"] = "all") -> ET.Element:
    """A table of *outcomes*: all of a rule's, those not met (*rest*), or those met."""
    dimensions = list(dimensions if dimensions is not None else _dimensions(outcomes))
    head = [el("th", {"scope": "col"}, d) for d in dimensions]
    head += [el("th", {"scope": "col"}, _("Period")), el("th", {"scope": "col"}, _("Status")),
             el("th", {"scope": "col", "class": "num"}, _("Actual")),
             el("th", {"scope": "col", "class": "num"}, _("Threshold")),
             el("th", {"scope": "col", "class": "num"}, _("Gap")), el("th", {"scope": "col"}, _("Reason"))]
    rows = [_row(rule, o, dimensions) for o in outcomes]
    violations = current().count(sum(1 for o in outcomes if o.is_violation))
    counted = count_words(len(outcomes), "outcome")
    caption = (_("Every group and period of {rule}: {outcomes}, {violations} counting against the target.")
               if part == "all" else
               _("The groups and periods of {rule} not met or not yet judged: {outcomes}, {violations} counting "
                 "against the target.") if part == "rest" else
               _("The groups and periods of {rule} that met the target: {outcomes}.")
               ).format(rule=rule.id, outcomes=counted, violations=violations)
    table = el("table", {"class": "outcomes"}, el("caption", None, caption),
               el("thead", None, el("tr", None, head)), el("tbody", None, rows))
    return el("div", {"class": "table-wrap", "role": "region", "tabindex": "0",
                      "aria-label": _("Outcomes of {rule}").format(rule=rule.id)}, table)


def _row(rule: RuleSummary, o: Outcome, dimensions: Sequence[str]) -> ET.Element:
    cells: list[ET.Element] = []
    for i, dimension in enumerate(dimensions):
        cells.append(el("th" if i == 0 else "td", {"scope": "row"} if i == 0 else None, o.group.get(dimension, "")))
    cells.append(el("td" if dimensions else "th", None if dimensions else {"scope": "row"}, o.period))
    words = _words(o.status)
    if o.violation_severity and o.violation_severity != rule.severity:
        words += f" ({severity_words(o.violation_severity)})"
    elif o.waiver is not None:
        words += " (" + _("waived") + ")"
    cells.append(el("td", {"class": "status"}, badge(o.status, words)))
    shown = figures(o)
    cells.append(_number(shown.actual, o.actual, o.unit))
    cells.append(el("td", {"class": "num", "title": _exact_threshold(o)}, threshold_text(o, typeset=True)))
    cells.append(_number(shown.gap, o.gap, gap_unit(o.unit)))
    reason = "; ".join(filter(None, (reason_words(o.reason) if o.reason else "", waiver_words(o))))
    cells.append(el("td", {"class": "reason"}, reason))
    # each cell names its column: on a phone the rows stack and the header row is not shown (report.css)
    names = [*dimensions, _("Period"), _("Status"), _("Actual"), _("Threshold"), _("Gap"), _("Reason")]
    for cell, name in zip(cells, names, strict=True):
        cell.set("data-label", name)
    marks = " violation" if o.is_violation else " waived" if o.waiver is not None else ""
    attrs = {"class": f"outcome s-{o.status}{marks}",
             "data-status": o.status, "data-period": o.period,
             "data-group": json.dumps(dict(o.group), ensure_ascii=False, sort_keys=True),
             "data-severity": o.violation_severity,
             "data-waiver": o.waiver.reason if o.waiver is not None else None}
    return el("tr", attrs, cells)


def _number(shown: str, value: float | None, unit: str | None) -> ET.Element:
    """A figure as read (:func:`figures`), its exact value in the tooltip and the data."""
    if value is None:
        return el("td", {"class": "num none"}, "—")
    return el("td", {"class": "num", "title": number(value, unit), "data-value": repr(value)}, shown)


def _exact_threshold(o: Outcome) -> str:
    if o.threshold is None:
        return ""
    if o.op == "between" and o.upper is not None:
        return _("between {threshold} and {upper}").format(threshold=number(o.threshold, o.unit),
                                                          upper=number(o.upper, o.unit))
    return f"{o.op} {number(o.threshold, o.unit)}"


def _sources(run: RunInfo) -> ET.Element:
    """Where the figures came from: each dataset read, then when and how the report was made."""
    head = [_("Dataset"), _("Source"), _("Rows"), _("Grain"), _("Through"), "SHA-256"]
    rows = [el("tr", None,
               el("th", {"scope": "row"}, d.name), el("td", None, el("code", None, d.source)),
               el("td", {"class": "num"}, grouped(d.rows)),
               el("td", None, grain_words(d.grain) if d.grain else "—"),
               el("td", None, d.as_of or "—"),
               el("td", None, _digest(d.sha256) if d.sha256 else "—"))
            for d in run.datasets]
    table = el("table", {"class": "datasets"},
               el("caption", None, _("Each dataset read: where from, how many rows, how often and up to when.")),
               el("thead", None, el("tr", None, [el("th", {"scope": "col", "class": "num"} if i == 2 else
                                                      {"scope": "col"}, h) for i, h in enumerate(head)])),
               el("tbody", None, rows))
    made = _pieces(_("Made {moment} by directive_dsl {version} on the {engine} engine from {file}"),
                   moment=moment_words(run.generated_at), version=run.version, engine=run.engine,
                   file=el("code", None, run.directive_file))
    if run.directive_sha256:
        made += [", sha256 ", _digest(run.directive_sha256)]
    return el("section", {"class": "sources", "aria-labelledby": "sources-h"},
              el("h2", {"id": "sources-h"}, _("Source of these figures")),
              el("div", {"class": "table-wrap"}, table) if run.datasets else None,
              el("p", {"class": "made"}, *made, "."))


def _digest(sha256: str) -> ET.Element:
    """A SHA-256 shortened to compare by eye, the whole digest in its tooltip."""
    return el("code", {"class": "sha256", "title": f"sha256 {sha256}"}, short_hash(sha256))


def _footer(report: Report) -> ET.Element:
    return el("footer", None,
              el("p", None, *_pieces(_("Made by directive_dsl {version} from {file}. The same results as data: "
                                       "the {schema} JSON document ({command}). Figures are rounded for reading; "
                                       "hover a figure for its exact value."),
                                     version=__version__, schema=SCHEMA, file=el("code", None, report.file),
                                     command=el("code", None, "directive check --format json"))))


def _pieces(template: str, **values: str | ET.Element) -> list[str | ET.Element]:
    """*template* with its ``{name}`` fields replaced by *values*, text or elements, in order."""
    out: list[str | ET.Element] = []
    for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
        out.append(values[part] if i % 2 else part)
    return [part for part in out if not isinstance(part, str) or part]
