"""The ``json`` format: the ``directive-report/2`` document of SPEC §10, as UTF-8 text.

>>> from directive_dsl.report import Report
>>> print(render(Report(title="T", file="t.directive", window=None, as_of=None, rules=(), outcomes=()))[:35])
{
  "schema": "directive-report/2",
"""

from __future__ import annotations

import json

from ..report import Report


def render(report: Report, *, include_passing: bool = False) -> str:
    """The report document, indented by two spaces, non-ASCII text kept as is, ending in a newline."""
    document = report.to_dict(include_passing=include_passing)
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
