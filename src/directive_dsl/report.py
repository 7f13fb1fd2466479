"""Outcomes, violations and the report (SPEC §10).

Every (rule, group, period) gives one :class:`Outcome`. The ones that count
against the directive are its violations. :meth:`Report.to_dict` is the
``directive-report/2`` document that every output format is built from.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from typing import Any, Literal, overload

import attrs

from .errors import Diagnostic
from .provenance import RunInfo
from .version import REPORT_SCHEMA

Status = Literal["pass", "fail", "missing", "pending", "on_track", "off_track"]
STATUSES: tuple[Status, ...] = ("pass", "fail", "missing", "pending", "on_track", "off_track")
SCHEMA = REPORT_SCHEMA


@attrs.frozen(kw_only=True)
class Location:
    """Where a rule stands in its directive file."""

    file: str
    line: int
    column: int

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column}


@attrs.frozen(kw_only=True)
class Coverage:
    """How much of an outcome's period the data covers (SPEC §13.4)."""

    through: str  # the last sub-period with data, at the data's grain
    fraction: float  # covered sub-periods over those in the period
    gaps: tuple[str, ...] = ()  # sub-periods without data for the group (`@incomplete allow`, `fill 0`)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"through": self.through, "fraction": self.fraction}
        if self.gaps:
            out["gaps"] = list(self.gaps)
        return out


@attrs.frozen(kw_only=True)
class Waiver:
    """Why an outcome is excused: a ``waive`` statement's reason, last period and place (SPEC §13.7)."""

    reason: str
    until: str | None
    location: Location

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "until": self.until, "location": self.location.to_dict()}


@attrs.frozen(kw_only=True)
class Outcome:
    """The result of one rule for one group and one period."""

    rule: str
    severity: str
    status: Status
    group: Mapping[str, str]
    period: str
    actual: float | None
    op: str
    threshold: float | None
    unit: str | None
    gap: float | None = None
    reason: str | None = None
    location: Location
    violation_severity: str | None = None  # None: not a violation
    target: float | None = None  # paths: the final threshold
    deadline: str | None = None
    upper: float | None = None  # `between`: the upper bound
    projected: float | None = None  # `by`: the trend's value at the deadline (SPEC §13.8)
    progress: str | None = None  # `by`: the SDG progress class
    progress_reason: str | None = None  # `by`: why there is no progress class
    coverage: Coverage | None = None  # a partial or incomplete period: what the data covers (§13.4)
    waiver: Waiver | None = None  # excused: kept status, not a violation
    baseline_period: str | None = None  # `by … from`: the period progress is measured from
    baseline: float | None = None  # `by … from`: the value then, stated or read
    sort_key: tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)

    @property
    def message(self) -> str:
        """One sentence on the outcome, in the language reports are written in now (:mod:`.i18n`)."""
        from .i18n import current

        if current().code == "en":
            return self._english_message
        from .wording import describe_outcome  # wording reads this module's classes

        return describe_outcome(self)

    @functools.cached_property
    def _english_message(self) -> str:
        """The message in English, worked out when first read: most are never shown."""
        from .wording import describe_outcome

        return describe_outcome(self)

    @property
    def is_violation(self) -> bool:
        return self.violation_severity is not None

    @property
    def is_waived(self) -> bool:
        return self.waiver is not None

    def to_dict(self, *, as_violation: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.violation_severity
            if as_violation and self.violation_severity
            else self.severity,
            "status": self.status,
            "group": dict(self.group),
            "period": self.period,
            "actual": _number(self.actual),
            "op": self.op,
            "threshold": _number(self.threshold),
            "unit": self.unit,
            "gap": _number(self.gap),
            "reason": self.reason,
            "message": self.message,
            "location": self.location.to_dict(),
        }
        if self.upper is not None:
            out["upper"] = _number(self.upper)
        if self.target is not None or self.deadline is not None:
            out["target"] = _number(self.target)
            out["deadline"] = self.deadline
        # SPEC §13.9: present on every outcome, null when not applicable
        out["projected"] = _number(self.projected)
        out["progress"] = self.progress
        if self.deadline is not None and self.progress is None and self.progress_reason is not None:
            out["progress_reason"] = self.progress_reason
        out["coverage"] = self.coverage.to_dict() if self.coverage is not None else None
        out["waiver"] = self.waiver.to_dict() if self.waiver is not None else None
        if self.baseline_period is not None:
            out["baseline_period"] = self.baseline_period
            out["baseline"] = _number(self.baseline)
        return out


@attrs.frozen(kw_only=True)
class RuleSummary:
    """One rule of the directive and how its outcomes went."""

    id: str
    title: str | None
    severity: str
    status: Status
    location: Location
    counts: Mapping[str, int]
    source: str | None = None
    owner: str | None = None
    unit: str | None = None
    op: str = ">="
    time: str = "total"  # per, in, total or by
    as_of: str | None = None  # the latest period all of the rule's data has reached (SPEC §13.3)
    untargeted: int = 0  # groups with no row in the threshold's data: no target (SPEC §13.6)
    not_judged: tuple[tuple[str, str], ...] = ()  # (period, why) left without an outcome (§13.4)
    # The left side in periods before the window, per group, for the charts' context (not judged,
    # not in the JSON document): ((group items), period, value) in the rule's unit.
    history: tuple[tuple[tuple[tuple[str, str], ...], str, float], ...] = attrs.field(default=(), eq=False)
    formula: str | None = None  # the rule as written: `require … per year`

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "severity": self.severity,
            "status": self.status,
            "location": self.location.to_dict(),
            "counts": dict(self.counts),
            "as_of": self.as_of,
            "untargeted": self.untargeted,
            "not_judged": [{"period": period, "reason": why} for period, why in self.not_judged],
        }
        if self.source is not None:
            out["source"] = self.source
        if self.owner is not None:
            out["owner"] = self.owner
        if self.formula is not None:
            out["formula"] = self.formula
        return out


@attrs.frozen(kw_only=True)
class Report:
    """What a directive's evaluation found: a summary, the rules, every outcome."""

    title: str | None
    file: str
    window: tuple[str, str] | None
    as_of: str | None
    rules: tuple[RuleSummary, ...]
    outcomes: tuple[Outcome, ...]
    source: str | None = None
    owner: str | None = None
    #: Warnings about the data found while evaluating (W110): shown by `check`, not in the JSON.
    warnings: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False, repr=False)
    #: Whether :meth:`to_dict` and the tables list every outcome by default (``evaluate(include_passing=…)``).
    include_passing: bool = attrs.field(default=False, eq=False)
    #: When, by which engine and from what data the report was made (SPEC §13.9); None for a
    #: report built by hand. Left out of equality: two runs of the same data compare equal.
    run: RunInfo | None = attrs.field(default=None, eq=False)

    def __repr__(self) -> str:
        title = self.title or self.file
        if len(title) > 60:
            title = title[:57] + "…"
        return (f"<Report {title!r}: {self.status}, {len(self.violations)} violations in "
                f"{len(self.outcomes)} outcomes of {len(self.rules)} rules>")

    def _repr_html_(self) -> str:
        """The report in a notebook: the HTML page's summary and tables, without its charts."""
        from .formats.html import notebook_html

        return notebook_html(self)

    def to_pandas(self) -> Any:
        """One row per outcome, the JSON's columns (needs pandas)."""
        from .report_frames import to_pandas

        return to_pandas(self)

    def to_polars(self) -> Any:
        """One row per outcome, the JSON's columns (needs polars)."""
        from .report_frames import to_polars

        return to_polars(self)

    def to_arrow(self) -> Any:
        """One row per outcome, the JSON's columns, as a pyarrow Table."""
        from .report_frames import to_arrow

        return to_arrow(self)

    @property
    def violations(self) -> tuple[Outcome, ...]:
        """The outcomes that count against the directive, in report order."""
        return tuple(o for o in self.outcomes if o.is_violation)

    @property
    def waived(self) -> tuple[Outcome, ...]:
        """The outcomes a waiver excuses, in report order: shown beside the violations."""
        return tuple(o for o in self.outcomes if o.is_waived)

    def noted(self, include_passing: bool = False) -> tuple[Outcome, ...]:
        """What a report lists: violations and waived outcomes, or every outcome."""
        return tuple(o for o in self.outcomes if include_passing or o.is_violation or o.is_waived)

    @property
    def status(self) -> Literal["pass", "warn", "fail"]:
        violations = self.violations
        if any(v.violation_severity == "error" for v in violations):
            return "fail"
        return "warn" if violations else "pass"

    @property
    def ok(self) -> bool:
        """True when no violation has severity error."""
        return self.status != "fail"

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for outcome in self.outcomes:
            counts[outcome.status] += 1
        return counts

    def to_dict(self, *, include_passing: bool | None = None) -> dict[str, Any]:
        """The ``directive-report/2`` document; ``include_passing`` adds every outcome
        (by default, what ``evaluate(include_passing=…)`` asked for)."""
        if include_passing is None:
            include_passing = self.include_passing
        directive: dict[str, Any] = {
            "title": self.title,
            "file": self.file,
            "window": {"from": self.window[0], "to": self.window[1]} if self.window else None,
            "as_of": self.as_of,
        }
        if self.source is not None:
            directive["source"] = self.source
        if self.owner is not None:
            directive["owner"] = self.owner
        out: dict[str, Any] = {
            "schema": SCHEMA,
            "directive": directive,
            "summary": {
                "status": self.status,
                "rules": len(self.rules),
                "outcomes": len(self.outcomes),
                **self.counts(),
                "waived": len(self.waived),
            },
            "rules": [rule.to_dict() for rule in self.rules],
            "violations": [v.to_dict(as_violation=True) for v in self.violations],
            "waived": [o.to_dict() for o in self.waived],
        }
        if include_passing:
            out["outcomes"] = [o.to_dict() for o in self.outcomes]
        if self.run is not None:
            out["run"] = self.run.to_dict()
        return out

    def to_json(self, *, include_passing: bool | None = None, indent: int | None = 2) -> str:
        return json.dumps(
            self.to_dict(include_passing=include_passing), indent=indent, ensure_ascii=False
        )


#: Report numbers keep this many significant digits (SPEC §13.1): engines that add in
#: another order differ in the last bits, and the report must not.
SIGNIFICANT_DIGITS = 12
_SIGNIFICANT_FORMAT = f".{SIGNIFICANT_DIGITS}g"  # a few numbers per outcome: the spec built once


@overload
def significant(value: float) -> float: ...
@overload
def significant(value: None) -> None: ...
@overload
def significant(value: float | None) -> float | None: ...
def significant(value: float | None) -> float | None:
    """*value* rounded to :data:`SIGNIFICANT_DIGITS` significant digits (-0.0 becomes 0.0).

    >>> significant(0.1 + 0.2), significant(149999999.99999997), significant(-0.0)
    (0.3, 150000000.0, 0.0)
    """
    if value is None or not math.isfinite(value):
        return value
    return float(format(value, _SIGNIFICANT_FORMAT)) + 0.0


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return significant(float(value))
