"""The ``sarif`` format: SARIF 2.1.0, one result per violation, located in the directive file.

Code-scanning tools show SARIF results on the lines they point at: here each
violation points at its rule's line and column in the directive, with an
artifact URI relative to the working directory. A rule's severity gives the
level (``error``, ``warning``, ``info`` → ``note``); its title is the rule's
``shortDescription``. The run's time is its invocation's ``endTimeUtc``, the
directive's SHA-256 its artifact's ``hashes``, and the whole run block of the
JSON report (engine, version, each dataset's source, SHA-256 and rows) sits in
the run's ``properties.run``. A waived outcome is a result of kind ``fail`` at
the level it would have had, with an accepted in-source suppression whose
justification is the waiver's reason, located at the ``waive`` statement: SARIF
viewers list it as suppressed, not as an open problem. ``include_passing`` adds the other outcomes as results
of kind ``pass`` (or ``open`` for a pending one), level ``none``.

>>> artifact_uri("examples/a b.directive", cwd="/work")
'examples/a%20b.directive'
>>> artifact_uri("/work/targets.directive", cwd="/work")
'targets.directive'
"""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from ..i18n import _
from ..report import Outcome, Report, RuleSummary
from ..version import __version__
from ..wording import group_words

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
_KINDS = {"pass": "pass", "on_track": "pass", "pending": "open", "missing": "open"}  # not violations


def render(report: Report, *, include_passing: bool = False) -> str:
    """The report as a SARIF 2.1.0 log (JSON text, ending in a newline)."""
    return json.dumps(sarif_log(report, include_passing=include_passing), indent=2, ensure_ascii=False) + "\n"


def sarif_log(report: Report, *, include_passing: bool = False, cwd: str | None = None) -> dict[str, Any]:
    """The SARIF log as a dict; URIs are relative to *cwd* (the working directory by default)."""
    index = {rule.id: i for i, rule in enumerate(report.rules)}
    shown = report.noted(include_passing)
    files = sorted({artifact_uri(rule.location.file, cwd=cwd) for rule in report.rules})
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "directive_dsl",
            "version": __version__,
            "rules": [_rule(rule) for rule in report.rules],
        }},
        "artifacts": [_artifact(uri, report, cwd) for uri in files],
        "results": [_result(o, index[o.rule], cwd) for o in shown if o.rule in index],
        "columnKind": "unicodeCodePoints",
        "properties": _properties(report),
    }
    if report.run is not None:
        run["invocations"] = [{"executionSuccessful": True, "endTimeUtc": report.run.generated_at}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _artifact(uri: str, report: Report, cwd: str | None) -> dict[str, Any]:
    """A directive file analysed; the report's own file carries the SHA-256 of its bytes."""
    artifact: dict[str, Any] = {"location": {"uri": uri}, "roles": ["analysisTarget"]}
    if report.run is not None and report.run.directive_sha256 is not None \
            and uri == artifact_uri(report.file, cwd=cwd):
        artifact["hashes"] = {"sha-256": report.run.directive_sha256}
    return artifact


def _rule(rule: RuleSummary) -> dict[str, Any]:
    title = rule.title or rule.id
    description = _("{title} (source: {source})").format(title=title, source=rule.source) if rule.source else title
    properties: dict[str, Any] = {"severity": rule.severity, "status": rule.status, "counts": dict(rule.counts)}
    if rule.source:
        properties["source"] = rule.source
    if rule.owner:
        properties["owner"] = rule.owner
    return {
        "id": rule.id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "defaultConfiguration": {"level": _LEVELS.get(rule.severity, "warning")},
        "properties": properties,
    }


def _result(o: Outcome, rule_index: int, cwd: str | None) -> dict[str, Any]:
    if o.violation_severity is not None:
        kind, level = "fail", _LEVELS.get(o.violation_severity, "warning")
    elif o.waiver is not None:
        kind, level = "fail", _LEVELS.get(o.severity, "warning")
    else:
        kind, level = _KINDS.get(o.status, "informational"), "none"
    data = o.to_dict(as_violation=o.is_violation)
    properties = {key: data[key] for key in ("status", "severity", "group", "period", "actual", "op",
                                              "threshold", "unit", "gap", "reason")}
    for key in ("upper", "target", "deadline"):
        if key in data:
            properties[key] = data[key]
    key = "|".join([o.rule, group_words(o.group), o.period])
    result: dict[str, Any] = {
        "ruleId": o.rule,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": {"text": o.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(o.location.file, cwd=cwd)},
            "region": {"startLine": max(1, o.location.line), "startColumn": max(1, o.location.column)},
        }}],
        "partialFingerprints": {"outcome/v1": key},
        "properties": properties,
    }
    if o.waiver is not None:
        where = o.waiver.location
        result["suppressions"] = [{
            "kind": "inSource",
            "status": "accepted",
            "justification": o.waiver.reason,
            "location": {"physicalLocation": {
                "artifactLocation": {"uri": artifact_uri(where.file, cwd=cwd)},
                "region": {"startLine": max(1, where.line), "startColumn": max(1, where.column)},
            }},
            "properties": {"until": o.waiver.until},
        }]
    return result


def _properties(report: Report) -> dict[str, Any]:
    summary = report.to_dict()["summary"]
    directive: dict[str, Any] = {"title": report.title, "file": report.file, "as_of": report.as_of}
    if report.window:
        directive["window"] = {"from": report.window[0], "to": report.window[1]}
    found: dict[str, Any] = {"directive": directive, "summary": summary}
    if report.run is not None:
        found["run"] = report.run.to_dict()
    return found


def artifact_uri(file: str, *, cwd: str | None = None) -> str:
    """*file* as a URI reference relative to *cwd* (default: the working directory), ``/``-separated."""
    base = Path(cwd) if cwd is not None else Path.cwd()
    path = Path(file)
    if path.is_absolute():
        try:
            path = Path(os.path.relpath(path, base))
        except ValueError:  # another drive: keep it absolute
            return path.as_uri()
    return quote(PurePath(path).as_posix(), safe="/-._~")
