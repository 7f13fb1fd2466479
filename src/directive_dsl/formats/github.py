"""The ``github`` format: GitHub Actions workflow commands, one annotation per violation.

A CI job that runs ``directive check --format github`` shows each violation
on its rule's line of the directive file in the pull request. The severity
of the violation picks the command (``error``, ``warning``, ``notice`` for
info); its title is the rule and the group, its message the outcome in words.
A waived outcome is a ``notice`` that says it is waived and why, never an
error. A last plain line gives the totals. Text from the directive or its data is
escaped as the workflow commands require, so it cannot start a command of
its own.

>>> escape_data("50% done\\n::error::x")
'50%25 done%0A::error::x'
>>> escape_property("a,b: c")
'a%2Cb%3A c'
"""

from __future__ import annotations

from ..i18n import _
from ..report import Outcome, Report
from ..wording import group_words, summary_words, waiver_words

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(report: Report, *, include_passing: bool = False) -> str:
    """One ``::error …::…`` line per violation, then the totals (passing outcomes are not shown)."""
    del include_passing
    lines = [annotation(o) for o in report.noted()]
    lines.append(f"{report.file}: {report.status}: {summary_words(report)}")
    return "\n".join(lines) + "\n"


def annotation(outcome: Outcome) -> str:
    """The workflow command for one violation."""
    command = _COMMANDS.get(outcome.violation_severity or outcome.severity, "warning")
    title = outcome.rule
    if outcome.group:
        title += f" [{group_words(outcome.group)}]"
    title += f" {outcome.period}"
    message = outcome.message
    if outcome.waiver is not None:
        command, title = "notice", title + " (" + _("waived") + ")"
        message = f"{waiver_words(outcome)}. {message}"
    where = outcome.location
    properties = ",".join([
        f"file={escape_property(where.file)}",
        f"line={max(1, where.line)}",
        f"col={max(1, where.column)}",
        f"title={escape_property(title)}",
    ])
    return f"::{command} {properties}::{escape_data(message)}"


def escape_data(text: str) -> str:
    """A command's message: ``%``, carriage returns and line feeds escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value: the message escapes, and ``:`` and ``,`` as well."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
