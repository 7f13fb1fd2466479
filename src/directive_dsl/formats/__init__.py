"""A report written out for people and tools (SPEC §10).

Every format is built from the same :class:`~directive_dsl.report.Report`, one
module each: ``text`` for terminals, ``json`` (the ``directive-report/2``
document), ``markdown`` for pull-request comments, ``junit`` and ``sarif`` for
CI systems, and ``html``, one self-contained page with a chart per rule.

>>> import directive_dsl
>>> directive = directive_dsl.loads('rule exports "Exports": require trade >= 5 per year')
>>> report = directive.evaluate({"trade": [{"year": 2026, "trade": 7}]}, engine="python")
>>> print(render(report, "markdown").splitlines()[0])
### ✅ Directive report: 1 target met
>>> print(render(report, "markdown", locale="ru").splitlines()[0])
### ✅ Отчёт о выполнении директивы: 1 цель выполнена
>>> render(report, "jsn")
Traceback (most recent call last):
...
directive_dsl.errors.DirectiveUsageError: <input>: error[E700]: unknown report format `jsn`
   = hint: did you mean `json`? The formats are `text`, `json`, `markdown`, `junit`, `sarif`, `html`, `github` and `tap`
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Callable
from importlib import resources
from typing import Any

import attrs

from ..errors import DirectiveUsageError, closest, listing
from ..i18n import speaking
from ..report import Report

#: Every format name, in the order the command line lists them.
FORMATS: tuple[str, ...] = ("text", "json", "markdown", "junit", "sarif", "html", "github", "tap")


def _text(report: Report, include_passing: bool, color: bool) -> str:
    from . import text

    return text.render(report, include_passing=include_passing, color=color)


def _json(report: Report, include_passing: bool, _color: bool) -> str:
    from . import json

    return json.render(report, include_passing=include_passing)


def _markdown(report: Report, include_passing: bool, _color: bool) -> str:
    from . import markdown

    return markdown.render(report, include_passing=include_passing)


def _junit(report: Report, include_passing: bool, _color: bool) -> str:
    from . import junit

    return junit.render(report, include_passing=include_passing)


def _sarif(report: Report, include_passing: bool, _color: bool) -> str:
    from . import sarif

    return sarif.render(report, include_passing=include_passing)


def _html(report: Report, _include_passing: bool, _color: bool) -> str:
    from . import html

    return html.render(report)


def _github(report: Report, include_passing: bool, _color: bool) -> str:
    from . import github

    return github.render(report, include_passing=include_passing)


def _tap(report: Report, include_passing: bool, _color: bool) -> str:
    from . import tap

    return tap.render(report, include_passing=include_passing)


_RENDERERS: dict[str, Callable[[Report, bool, bool], str]] = {
    "text": _text, "json": _json, "markdown": _markdown, "junit": _junit, "sarif": _sarif, "html": _html,
    "github": _github, "tap": _tap,
}


def render(report: Report, fmt: str, *, include_passing: bool = False, color: bool = False,
           locale: str = "en") -> str:
    """*report* in format *fmt*, one of :data:`FORMATS`.

    ``include_passing`` adds the outcomes that are not violations (the HTML
    page always shows them all); ``color`` adds ANSI colours to ``text``;
    ``locale`` (``en``, ``ru`` or ``be``) is the language of its words and
    numbers (JSON keys, statuses and codes stay as they are).
    An unknown *fmt* or *locale* raises :class:`~directive_dsl.errors.DirectiveUsageError`.
    """
    renderer = _RENDERERS.get(fmt)
    if renderer is None:
        match = closest(fmt, FORMATS)
        known = f"the formats are {listing(FORMATS)}"
        hint = f"did you mean `{match}`? The formats are {listing(FORMATS)}" if match else known.capitalize()
        raise DirectiveUsageError(f"unknown report format `{fmt}`", hint=hint)
    with speaking(locale):
        return renderer(in_locale(report, locale), include_passing, color)


def in_locale(report: Report, locale: str) -> Report:
    """*report* with its run block saying it is written in *locale*."""
    if report.run is None or report.run.locale == locale:
        return report
    return attrs.evolve(report, run=attrs.evolve(report.run, locale=locale))


def report_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``directive-report/2`` document.

    >>> report_schema()["$id"]
    'urn:directive-dsl:schema:directive-report-2'
    """
    path = resources.files("directive_dsl").joinpath("schema", "report.schema.json")
    schema: dict[str, Any] = jsonlib.loads(path.read_text(encoding="utf-8"))
    return schema


__all__ = ["FORMATS", "render", "report_schema"]
