"""Several directive files checked in one run: one valid document, not several glued (SPEC §13.9).

- ``json``: one object, ``{"schema": "directive-reports/1", "status": …, "reports": [...]}``,
  each report the ``directive-report/2`` document of one file;
- ``sarif``: one log with one run per file;
- ``junit``: one ``testsuites`` document, each testsuite named ``file: rule``;
- ``html``: one page, the reports one after another;
- ``text``, ``markdown``, ``github`` and ``tap``: the reports one after another
  (they are streams of lines; TAP gets one plan over every test point).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..errors import DirectiveUsageError
from ..i18n import speaking
from ..report import Report
from . import in_locale, render

MANY_SCHEMA = "directive-reports/1"


def render_many(reports: Sequence[Report], fmt: str, *, include_passing: bool = False,
                color: bool = False, locale: str = "en") -> str:
    """*reports* as one document of format *fmt*, its words in *locale*."""
    if len(reports) == 1:
        return render(reports[0], fmt, include_passing=include_passing, color=color, locale=locale)
    with speaking(locale):
        return _many([in_locale(r, locale) for r in reports], fmt, include_passing, color)


def _many(reports: Sequence[Report], fmt: str, include_passing: bool, color: bool) -> str:
    if fmt == "json":
        return json.dumps(_json(reports, include_passing), indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        from .sarif import SARIF_SCHEMA, sarif_log

        runs = [run for r in reports for run in sarif_log(r, include_passing=include_passing)["runs"]]
        log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        from .junit import render_many as junit_many

        return junit_many(reports)
    if fmt == "html":
        from .html import render_many as html_many

        return html_many(reports)
    if fmt == "tap":
        from .tap import render_many as tap_many

        return tap_many(reports, include_passing=include_passing)
    if fmt in ("text", "markdown", "github"):
        return "\n".join(render(r, fmt, include_passing=include_passing, color=color) for r in reports)
    raise DirectiveUsageError(f"the {fmt} format holds one report; check one file at a time")


def _json(reports: Sequence[Report], include_passing: bool) -> dict[str, object]:
    statuses = [r.status for r in reports]
    status = "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"
    return {"schema": MANY_SCHEMA, "status": status,
            "reports": [r.to_dict(include_passing=include_passing) for r in reports]}
