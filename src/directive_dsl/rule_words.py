"""A rule's own words for the human formats: how a target with a deadline stands (SPEC §13.8).

The outcome tables give each period's actual value, the threshold (for a path,
its value now and the target) and the gap; a target due by a deadline says
more, in one line per outcome: where progress is measured from, the target,
the trend's projection and the progress class.

>>> from directive_dsl.report import Location, Outcome
>>> o = Outcome(rule="r", severity="warning", status="off_track", group={}, period="2027",
...             actual=4.55, op=">=", threshold=6.46, unit="%", gap=1.91, target=10.0,
...             deadline="2030", projected=5.2364, progress="limited_progress",
...             baseline_period="2025", baseline=4.1, location=Location(file="t", line=1, column=1))
>>> deadline_words(o)
'baseline 4.1% in 2025 · target 10% by 2030 · projected 5.24% in 2030 · limited progress'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .i18n import N_, _
from .reasons import reason_words
from .wording import figures, reading

if TYPE_CHECKING:
    from .report import Outcome

#: Each progress class of SPEC §13.8 as a reader says it.
_PROGRESS: dict[str, str] = {
    "target_achieved": N_("target achieved"),
    "on_track": N_("on track"),
    "acceleration_needed": N_("acceleration needed"),
    "limited_progress": N_("limited progress"),
    "deterioration": N_("deterioration"),
}


def progress_words(progress: str) -> str:
    """A progress class as a reader says it, in the current language: ``limited progress``."""
    return _(_PROGRESS[progress]) if progress in _PROGRESS else progress.replace("_", " ")


def deadline_words(o: Outcome) -> str | None:
    """How an outcome of a target due by a deadline stands, in one line; None for other outcomes."""
    if o.deadline is None or o.status == "missing":
        return None
    shown = figures(o)
    parts: list[str] = []
    if o.baseline_period is not None:
        parts.append(_("baseline {value} in {period}").format(value=reading(o.baseline, o.unit),
                                                               period=o.baseline_period)
                     if o.baseline is not None
                     else _("baseline {period}, no value").format(period=o.baseline_period))
    if o.target is not None:
        parts.append(_("target {target} by {deadline}").format(target=shown.target, deadline=o.deadline))
    if o.projected is not None:
        parts.append(_("projected {value} in {deadline}").format(value=reading(o.projected, o.unit),
                                                                  deadline=o.deadline))
    if o.progress is not None:
        parts.append(progress_words(o.progress))
    elif o.progress_reason:
        parts.append(_("no progress class: {reason}").format(reason=reason_words(o.progress_reason)))
    return " · ".join(parts) if parts else None
