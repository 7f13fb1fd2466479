"""`directive lint --format`: a file's diagnostics (errors and warnings) for programs and CI.

- ``json``: ``{"schema": "directive-lint/1", "files": [{"file", "ok", "rules", "diagnostics"}]}``;
- ``sarif``: one SARIF 2.1.0 log, a result per diagnostic, located in its file;
- ``github``: one GitHub Actions command per diagnostic (``::error`` or ``::warning``).

``text`` is what ``directive lint`` prints by default: each diagnostic with its
source line and caret on stderr, a line per file on stdout.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import attrs

from ..errors import Diagnostic
from ..version import __version__
from .github import escape_data, escape_property
from .sarif import SARIF_SCHEMA, artifact_uri

LINT_FORMATS = ("text", "json", "sarif", "github")


@attrs.frozen
class Linted:
    """One file's lint: whether it loaded, its rule count, every diagnostic."""

    file: str
    ok: bool
    rules: int
    diagnostics: tuple[Diagnostic, ...]


def render_json(files: Sequence[Linted]) -> str:
    return json.dumps({"schema": "directive-lint/1", "files": [
        {"file": f.file, "ok": f.ok, "rules": f.rules,
         "diagnostics": [d.to_dict() for d in f.diagnostics]} for f in files]},
        indent=2, ensure_ascii=False) + "\n"


def render_sarif(files: Sequence[Linted]) -> str:
    codes = sorted({d.code for f in files for d in f.diagnostics})
    results = [_result(f, d, codes.index(d.code)) for f in files for d in f.diagnostics]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "directive_dsl", "version": __version__,
                            "rules": [{"id": code} for code in codes]}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _result(linted: Linted, d: Diagnostic, index: int) -> dict[str, Any]:
    region = {"startLine": max(1, d.line or 1), "startColumn": max(1, d.column or 1)}
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": "error" if d.severity == "error" else "warning",
        "message": {"text": d.message + (f" ({d.hint})" if d.hint else "")},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(d.file or linted.file)}, "region": region}}],
    }


def render_github(files: Sequence[Linted]) -> str:
    lines = []
    for linted in files:
        for d in linted.diagnostics:
            command = "error" if d.severity == "error" else "warning"
            properties = ",".join([
                f"file={escape_property(d.file or linted.file)}",
                f"line={max(1, d.line or 1)}",
                f"col={max(1, d.column or 1)}",
                f"title={escape_property(d.code)}",
            ])
            text = d.message + (f" (hint: {d.hint})" if d.hint else "")
            lines.append(f"::{command} {properties}::{escape_data(text)}")
    return "".join(line + "\n" for line in lines)
