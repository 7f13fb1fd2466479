"""What the caller decides for one run, checked before anything is read: as-of periods, a
window, and what a missing value counts as."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from . import model as m
from .asof import caller_as_ofs
from .errors import DirectiveUsageError
from .periods import Period


@attrs.frozen(kw_only=True)
class RunOptions:
    """The caller's as-of periods (by dataset; ``*``: every one), window and missing policy."""

    as_of: Mapping[str, Period] = attrs.field(factory=dict)
    window: tuple[Period, Period] | None = None
    missing: m.MissingPolicy | None = None

    @classmethod
    def parse(cls, *, as_of: str | Mapping[str, str] | None = None,
              window: str | tuple[str, str] | None = None,
              missing: str | None = None) -> RunOptions:
        """The options as :meth:`Directive.evaluate <directive_dsl.api.Directive.evaluate>` takes them, checked."""
        if missing is not None and missing not in ("fail", "warn", "ignore"):
            raise DirectiveUsageError(f"unknown missing policy `{missing}`", hint="use fail, warn or ignore")
        return cls(as_of=caller_as_ofs(as_of), window=_window_option(window),
                   missing=missing)  # type: ignore[arg-type]


def _period_option(name: str, text: str | None) -> Period | None:
    if text is None:
        return None
    found = Period.parse(str(text))
    if found is None:
        raise DirectiveUsageError(
            f"--{name} `{text}` is not a period",
            hint="write a year (2027), a quarter (2027-Q2) or a month (2027-03)",
        )
    return found


def _window_option(window: str | tuple[str, str] | None) -> tuple[Period, Period] | None:
    if window is None:
        return None
    parts = window.split("..") if isinstance(window, str) else list(window)
    if len(parts) != 2:
        raise DirectiveUsageError(
            f"--window `{window}` is not a range", hint="write FROM..TO, e.g. 2026..2030"
        )
    start, end = (
        _period_option("window", parts[0].strip()),
        _period_option("window", parts[1].strip()),
    )
    assert start is not None and end is not None
    if end.end_day() < start.start_day():
        raise DirectiveUsageError(f"--window `{window}` runs backwards")
    return start, end
