"""Time values and buckets as sqlglot expressions.

A time value becomes a *grain rank* (0 year, 1 quarter, 2 month, 3 day; NULL
when the value is not a period) and its period's *first day* (a DATE), with
the rules of :func:`directive_dsl.periods.parse_time_value`: text is a year
(``2026``), a quarter (``2026-Q1``, ``2026q1``), a month (``2026-03``), a date
or an ISO date-time; whole numbers 1000..9999 are years; dates are days.

A bucket (see :mod:`directive_dsl.plan`) then gives each row a key: the
ordinal of its period at the bucket's grain (``y``, ``y*4 + q-1``,
``y*12 + m-1``, the day's ordinal), or NULL when the row is not in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import attrs
from sqlglot import exp

from ...periods import GRAINS, Grain
from ...plan import Bucket, GrainBucket
from .conditions import cast, number, template, text

TimeKind = Literal["text", "year", "date"]

_YEAR = r"^[1-9][0-9]{3}$"
_MONTH = r"^[1-9][0-9]{3}-[0-9]{2}$"
_QUARTER = r"^[1-9][0-9]{3}-?[Qq][1-4]$"
_DAY = r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}$"
_DATETIME = (
    r"^[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"
)
_STRIP = r"^\s+|\s+$"

_TEXT_GRAIN = """
CASE
  WHEN REGEXP_MATCHES(:s, :year) THEN 0
  WHEN REGEXP_MATCHES(:s, :month) THEN
    CASE WHEN CAST(SUBSTRING(:s, 6, 2) AS INT) BETWEEN 1 AND 12 THEN 2 END
  WHEN REGEXP_MATCHES(:s, :quarter) THEN 1
  WHEN REGEXP_MATCHES(:s, :day) OR REGEXP_MATCHES(:s, :datetime) THEN
    CASE WHEN TRY_CAST(SUBSTRING(:s, 1, 10) AS DATE) IS NOT NULL THEN 3 END
END
"""

_TEXT_DAY = """
CASE
  WHEN :g = 0 THEN MAKE_DATE(CAST(SUBSTRING(:s, 1, 4) AS INT), 1, 1)
  WHEN :g = 1 THEN MAKE_DATE(CAST(SUBSTRING(:s, 1, 4) AS INT),
                        CAST(SUBSTRING(:s, LENGTH(:s), 1) AS INT) * 3 - 2, 1)
  WHEN :g = 2 THEN MAKE_DATE(CAST(SUBSTRING(:s, 1, 4) AS INT), CAST(SUBSTRING(:s, 6, 2) AS INT), 1)
  WHEN :g = 3 THEN CAST(SUBSTRING(:s, 1, 10) AS DATE)
END
"""

_YEAR_GRAIN = """
CASE WHEN :v IS NULL OR ISNAN(:v) THEN NULL
     WHEN :v = FLOOR(:v) AND :v BETWEEN 1000 AND 9999 THEN 0 END
"""


@attrs.frozen
class TimeSource:
    """How a dataset's time column reads: its SQL value and what kind of values it holds.

    ``text``: any text, parsed; ``year``: numbers, whole years; ``date``:
    dates or timestamps (days).
    """

    column: exp.Expr
    kind: TimeKind


def stripped(value: exp.Expr) -> exp.Expr:
    """Text without the spaces around it (Python's ``str.strip`` for ASCII space)."""
    return exp.RegexpReplace(
        this=value.copy(), expression=text(_STRIP), replacement=text(""), modifiers=text("g")
    )


def fine_value(source: TimeSource) -> exp.Expr:
    """The value rows are first grouped by: a date for timestamps, else the raw value."""
    if source.kind == "date":
        return cast(source.column.copy(), "DATE")
    return source.column.copy()


def grain_of(value: exp.Expr, kind: TimeKind) -> exp.Expr:
    """The grain rank of a time value; NULL for a value that is no period."""
    if kind == "date":
        return exp.Literal.number(3)
    if kind == "year":
        return template(_YEAR_GRAIN, v=cast(value.copy(), "DOUBLE"))
    patterns = {"year": _YEAR, "month": _MONTH, "quarter": _QUARTER, "day": _DAY,
                "datetime": _DATETIME}
    return template(_TEXT_GRAIN, s=stripped(cast(value.copy(), "TEXT")),
                    **{k: text(v) for k, v in patterns.items()})


def day_of(value: exp.Expr, kind: TimeKind, grain: exp.Expr) -> exp.Expr:
    """The first day (a DATE) of a time value whose grain rank is *grain*."""
    if kind == "date":
        return cast(value.copy(), "DATE")
    if kind == "year":
        return template("CASE WHEN :g = 0 THEN MAKE_DATE(CAST(:v AS INT), 1, 1) END", g=grain,
                        v=cast(value.copy(), "DOUBLE"))
    return template(_TEXT_DAY, g=grain, s=stripped(cast(value.copy(), "TEXT")))


def date_literal(day: int) -> exp.Expr:
    """The date with ordinal *day* (as :meth:`datetime.date.toordinal` counts)."""
    return cast(text(dt.date.fromordinal(day).isoformat()), "DATE")


def ordinal(day: exp.Expr, grain: Grain) -> exp.Expr:
    """The ordinal at *grain* of the period holding *day*."""
    if grain == "year":
        return template("EXTRACT(YEAR FROM :d)", d=day)
    if grain == "quarter":
        return template("EXTRACT(YEAR FROM :d) * 4 + EXTRACT(QUARTER FROM :d) - 1", d=day)
    if grain == "month":
        return template("EXTRACT(YEAR FROM :d) * 12 + EXTRACT(MONTH FROM :d) - 1", d=day)
    return template("DATE_DIFF('day', CAST('0001-01-01' AS DATE), :d) + 1", d=day)


def bucket_key(bucket: Bucket, grain: exp.Expr | None, day: exp.Expr | None) -> exp.Expr:
    """A row's key in *bucket*: its period's ordinal (0 for a range), NULL outside the bucket.

    Rows of a dataset without a time column (*grain* None) are in every bucket.
    """
    if grain is None or day is None:
        return exp.Literal.number(0)
    checks: list[exp.Expr] = []
    if isinstance(bucket, GrainBucket):
        checks.append(exp.GTE(this=grain.copy(), expression=number(GRAINS.index(bucket.grain))))
        if bucket.until is not None:
            checks.append(exp.LTE(this=day.copy(), expression=date_literal(bucket.until)))
        key = ordinal(day, bucket.grain)
    else:
        if bucket.start is not None:
            checks.append(exp.GTE(this=day.copy(), expression=date_literal(bucket.start)))
        if bucket.end is not None:
            checks.append(exp.LTE(this=day.copy(), expression=date_literal(bucket.end)))
        key = exp.Literal.number(0)
    if not checks:
        return key
    return exp.Case(ifs=[exp.If(this=exp.and_(*checks), true=key)])
