"""The ``junit`` format: one testsuite per rule, one testcase per group, a failure per violation.

CI systems read JUnit XML to show what broke. A rule is a testsuite (named by
its id, its title and place kept as properties, with where the figures came
from as ``run.*`` properties: ``run.engine``, ``run.directive.sha256``,
``run.dataset.NAME.rows``, …); each group of the rule is a
testcase whose periods are listed in a ``periods`` property and in its
standard output, one line per outcome. Each violation is a ``<failure>`` whose
``type`` is its status and whose message is the outcome in words; a testcase
fails when one of its outcomes is a violation, is skipped when all of them are
pending, and passes otherwise. A waived outcome is no failure: a testcase whose
misses are all waived is skipped with type ``waived`` and the waiver's reason
(as pytest writes an expected failure), and its periods say so.

>>> from directive_dsl.report import Report
>>> print(render(Report(title="T", file="t.directive", window=None, as_of=None, rules=(), outcomes=())))
<?xml version="1.0" encoding="utf-8"?>
<testsuites name="T" tests="0" failures="0" errors="0" skipped="0" time="0">
</testsuites>
<BLANKLINE>
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from ..provenance import RunInfo
from ..report import Outcome, Report, RuleSummary
from ..wording import group_words, location_words, waiver_words
from .markup import NOT_XML


def render(report: Report, *, include_passing: bool = False) -> str:
    """The report as a JUnit XML document (UTF-8 text, ending in a newline).

    Every outcome is counted whatever ``include_passing`` says: a passing
    testcase is what tells a CI system the check ran.
    """
    del include_passing
    return document([report], report.title or report.file)


def render_many(reports: Sequence[Report]) -> str:
    """Several reports as one JUnit document: every rule's testsuite, named by its file."""
    return document(reports, "directive reports", by_file=True)


def document(reports: Sequence[Report], name: str, *, by_file: bool = False) -> str:
    """One ``testsuites`` element holding the testsuites of every report's rules."""
    root = ET.Element("testsuites", {"name": name})
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for report in reports:
        for rule in report.rules:
            suite = _suite(rule, [o for o in report.outcomes if o.rule == rule.id])
            if report.run is not None:
                _run_properties(suite, report.run)
            if by_file:
                suite.set("name", f"{report.file}: {rule.id}")
            root.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    if not len(root):
        root.text = "\n"
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + NOT_XML.sub("\ufffd", body) + "\n"


def _suite(rule: RuleSummary, outcomes: Sequence[Outcome]) -> ET.Element:
    groups: dict[tuple[tuple[str, str], ...], list[Outcome]] = {}
    for outcome in outcomes:
        groups.setdefault(tuple(outcome.group.items()), []).append(outcome)
    failures = sum(1 for found in groups.values() if any(o.is_violation for o in found))
    skipped = sum(1 for found in groups.values() if _all_pending(found) or _only_waived(found))
    suite = ET.Element("testsuite", {
        "name": rule.id, "tests": str(len(groups)), "failures": str(failures), "errors": "0",
        "skipped": str(skipped), "time": "0", "file": rule.location.file,
    })
    properties = ET.SubElement(suite, "properties")
    for name, value in (("title", rule.title), ("severity", rule.severity), ("status", rule.status),
                        ("location", f"{location_words(rule.location)}:{rule.location.column}"),
                        ("source", rule.source), ("owner", rule.owner)):
        if value is not None:
            ET.SubElement(properties, "property", {"name": name, "value": value})
    for group, found in groups.items():
        suite.append(_case(rule, dict(group), found))
    return suite


def _run_properties(suite: ET.Element, run: RunInfo) -> None:
    """Where the figures came from, as ``run.*`` properties of the suite (its report's own run)."""
    properties = suite.find("properties")
    assert properties is not None
    found: list[tuple[str, object]] = [
        ("run.generated_at", run.generated_at), ("run.engine", run.engine), ("run.version", run.version),
        ("run.locale", run.locale), ("run.directive.file", run.directive_file),
        ("run.directive.sha256", run.directive_sha256)]
    for d in run.datasets:
        found += [(f"run.dataset.{d.name}.{key}", value) for key, value in d.to_dict().items() if key != "name"]
    for name, value in found:
        if value is not None:
            ET.SubElement(properties, "property", {"name": name, "value": str(value)})


def _case(rule: RuleSummary, group: Mapping[str, str], outcomes: Sequence[Outcome]) -> ET.Element:
    case = ET.Element("testcase", {
        "name": group_words(group) or rule.id, "classname": rule.id, "time": "0",
        "file": rule.location.file, "line": str(rule.location.line),
    })
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", {"name": "periods", "value": ", ".join(o.period for o in outcomes)})
    for dimension, value in group.items():
        ET.SubElement(properties, "property", {"name": f"group.{dimension}", "value": value})
    for outcome in outcomes:
        if outcome.is_violation:
            message = _words(outcome)
            failure = ET.SubElement(case, "failure", {"message": message, "type": outcome.status})
            failure.text = f"{location_words(outcome.location)}: {outcome.violation_severity}: {message}"
    if _all_pending(outcomes):
        ET.SubElement(case, "skipped", {"message": "; ".join(_words(o) for o in outcomes)})
    elif _only_waived(outcomes):
        reasons = dict.fromkeys(waiver_words(o) for o in outcomes if o.is_waived)
        ET.SubElement(case, "skipped", {"type": "waived", "message": "; ".join(reasons)})
    out = ET.SubElement(case, "system-out")
    out.text = "\n".join(f"{o.status}{_waived(o)}: {_words(o)}" for o in outcomes)
    return case


def _only_waived(outcomes: Sequence[Outcome]) -> bool:
    """Whether the misses of a testcase are all excused by waivers."""
    return any(o.is_waived for o in outcomes) and not any(o.is_violation for o in outcomes)


def _waived(o: Outcome) -> str:
    return f" ({waiver_words(o)})" if o.is_waived else ""


def _all_pending(outcomes: Sequence[Outcome]) -> bool:
    return bool(outcomes) and all(o.status == "pending" for o in outcomes)


def _words(o: Outcome) -> str:
    return o.message
