"""Why an outcome has no verdict, in the reader's language.

The report keeps each outcome's ``reason`` in English (the JSON field is data
and the same in every locale); the human formats show it through
:func:`reason_words`, which recognises the sentence by its template and
translates the template, keeping the periods, names and values it holds.
A reason that matches no template is shown as it is.

>>> from directive_dsl.i18n import speaking
>>> with speaking("ru"):
...     reason_words("no data for region = Mogilev in 2027 (investments)")
'нет данных по region = Mogilev за 2027 (investments)'
>>> reason_words("something else")
'something else'
"""

from __future__ import annotations

import functools
import re

from .i18n import N_, _, current

#: Every reason the judge writes, as a template; the longest first, so the most specific matches.
TEMPLATES: tuple[str, ...] = (
    N_("incomplete: no data for {periods} and {count} more"),
    N_("incomplete: no data for {periods}"),
    N_("no data for {dimension} = {value} in {period} ({dataset})"),
    N_("no values in {period} ({dataset}: every matching value is unknown)"),
    N_("no data in {period} ({dataset})"),
    N_("no rows match in {period} ({dataset})"),
    N_("overflow in {period}"),
    N_("division by zero in {period}"),
    N_("no data"),
    N_("the window starts after the latest data ({as_of})"),
    N_("{period} is after the latest data ({as_of})"),
    N_("the deadline {deadline} is not reached"),
    N_("the latest data ({as_of}) is before the baseline {baseline}"),
    N_("the trend needs two values since the baseline"),
    N_("no progress class: {reason}"),
    N_("`{op}` has no direction to progress in"),
    N_("a value is missing"),
    N_("fewer than two values since the baseline"),
    N_("growth rates need positive values"),
    N_("the baseline already meets the target"),
    N_("the deadline is not after the baseline"),
    N_("no baseline to measure progress from"),
    N_("partial: the data runs through {through}"),
)

#: Words the judge puts inside a template in place of a period.
_INNER = (N_("the window"),)


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(regex + r"\Z")


def reason_words(reason: str) -> str:
    """*reason* in the current language (as it is in English, or when no template fits)."""
    if current().code == "en":
        return reason
    for template in TEMPLATES:
        found = _pattern(template).match(reason)
        if found is None:
            continue
        values = {name: _inner(name, value) for name, value in found.groupdict().items()}
        return _(template).format(**values)
    return reason


def _inner(name: str, value: str) -> str:
    if name == "reason":
        return reason_words(value)
    return _(value) if value in _INNER else value
