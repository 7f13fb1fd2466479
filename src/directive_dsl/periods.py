"""Calendar periods: years, quarters, months and days.

A :class:`Period` is a grain plus an ordinal counted from year 0, so periods of
one grain compare, subtract and shift as integers. Data time values and period
literals in directives both become periods here::

    >>> Period.parse("2026-Q1").to_grain("year")
    Period(grain='year', ordinal=2026)
    >>> [str(p) for p in period_range(Period.parse("2026-11"), Period.parse("2027-02"))]
    ['2026-11', '2026-12', '2027-01', '2027-02']
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

import attrs

Grain = Literal["year", "quarter", "month", "day"]

#: Every grain, from coarse to fine.
GRAINS: tuple[Grain, ...] = ("year", "quarter", "month", "day")

_RANK: dict[str, int] = {g: i for i, g in enumerate(GRAINS)}
_PER_YEAR: dict[str, int] = {"year": 1, "quarter": 4, "month": 12}

_YEAR = re.compile(r"[1-9][0-9]{3}")
_QUARTER = re.compile(r"([1-9][0-9]{3})-?[Qq]([1-4])")
_MONTH = re.compile(r"([1-9][0-9]{3})-([0-9]{2})")
_DAY = re.compile(r"([1-9][0-9]{3})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([1-9][0-9]{3}-[0-9]{2}-[0-9]{2})[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
    r"(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)


def _grain_rank(grain: str) -> int:
    return _RANK[grain]


def finer(a: Grain, b: Grain) -> Grain:
    """The finer of two grains.

    >>> finer("year", "month")
    'month'
    """
    return a if _RANK[a] >= _RANK[b] else b


def is_finer(a: Grain, b: Grain) -> bool:
    """Whether grain *a* is strictly finer than grain *b*.

    >>> is_finer("day", "quarter"), is_finer("year", "year")
    (True, False)
    """
    return _RANK[a] > _RANK[b]


@attrs.frozen(order=True)
class Period:
    """One calendar period: a grain and an ordinal within that grain.

    The ordinal is ``y`` for a year, ``y*4 + q-1`` for a quarter,
    ``y*12 + m-1`` for a month and :meth:`datetime.date.toordinal` for a day.
    Periods order by grain (coarse first), then by ordinal.
    """

    grain: Grain = attrs.field(order=_grain_rank)
    ordinal: int

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """The period written as *text*, or None when it is not one.

        >>> [str(Period.parse(t)) for t in ("2026", "2026q3", "2026-03", "2026-03-31")]
        ['2026', '2026-Q3', '2026-03', '2026-03-31']
        >>> Period.parse("2026-13") is None
        True
        """
        text = text.strip()
        if len(text) == 4:
            return cls("year", int(text)) if _YEAR.fullmatch(text) else None
        if (m := _MONTH.fullmatch(text)) is not None:
            month = int(m.group(2))
            return cls("month", int(m.group(1)) * 12 + month - 1) if 1 <= month <= 12 else None
        if (m := _QUARTER.fullmatch(text)) is not None:
            return cls("quarter", int(m.group(1)) * 4 + int(m.group(2)) - 1)
        if (m := _DAY.fullmatch(text)) is not None:
            try:
                day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
            return cls("day", day.toordinal())
        return None

    @classmethod
    def year(cls, y: int) -> Period:
        """The year *y*."""
        return cls("year", y)

    @classmethod
    def quarter(cls, y: int, q: int) -> Period:
        """Quarter *q* (1..4) of year *y*."""
        if not 1 <= q <= 4:
            raise ValueError(f"quarter must be 1 to 4, not {q}")
        return cls("quarter", y * 4 + q - 1)

    @classmethod
    def month(cls, y: int, m: int) -> Period:
        """Month *m* (1..12) of year *y*."""
        if not 1 <= m <= 12:
            raise ValueError(f"month must be 1 to 12, not {m}")
        return cls("month", y * 12 + m - 1)

    @classmethod
    def day(cls, date: dt.date) -> Period:
        """The day *date* (a datetime counts as its date)."""
        return cls("day", date.toordinal())

    @property
    def label(self) -> str:
        """The period as written in directives and reports: ``2026-Q1``."""
        o = self.ordinal
        if self.grain == "year":
            return f"{o:04d}"
        if self.grain == "quarter":
            return f"{o // 4:04d}-Q{o % 4 + 1}"
        if self.grain == "month":
            return f"{o // 12:04d}-{o % 12 + 1:02d}"
        return dt.date.fromordinal(o).isoformat()

    def __str__(self) -> str:
        return self.label

    def to_grain(self, grain: Grain) -> Period:
        """The period of *grain* holding this one; *grain* may not be finer.

        >>> str(Period.parse("2026-08-15").to_grain("quarter"))
        '2026-Q3'
        """
        if grain == self.grain:
            return self
        if _RANK[grain] > _RANK[self.grain]:
            raise ValueError(f"cannot turn {self.grain} {self.label} into a {grain}: it is finer")
        if self.grain == "day":
            date = dt.date.fromordinal(self.ordinal)
            month = Period("month", date.year * 12 + date.month - 1)
            return month.to_grain(grain)
        per = _PER_YEAR[self.grain] // _PER_YEAR[grain]
        return Period(grain, self.ordinal // per)

    def shift(self, n: int) -> Period:
        """The period *n* steps later (earlier when *n* is negative), same grain.

        >>> str(Period.parse("2026-Q1").shift(-1))
        '2025-Q4'
        """
        return Period(self.grain, self.ordinal + n)

    def start_day(self) -> int:
        """The date ordinal of this period's first day."""
        o = self.ordinal
        if self.grain == "day":
            return o
        if self.grain == "year":
            return dt.date(o, 1, 1).toordinal()
        if self.grain == "quarter":
            return dt.date(o // 4, (o % 4) * 3 + 1, 1).toordinal()
        return dt.date(o // 12, o % 12 + 1, 1).toordinal()

    def end_day(self) -> int:
        """The date ordinal of this period's last day."""
        o = self.ordinal
        if self.grain == "day":
            return o
        if self.grain == "year":
            return dt.date(o, 12, 31).toordinal()
        last_month = (o * 3 + 2) if self.grain == "quarter" else o
        year, month = divmod(last_month, 12)
        if month == 11:
            return dt.date(year, 12, 31).toordinal()
        return dt.date(year, month + 2, 1).toordinal() - 1

    def contains(self, other: Period) -> bool:
        """Whether *other* (of this grain or a finer one) lies inside this period.

        >>> Period.parse("2026").contains(Period.parse("2026-03-31"))
        True
        """
        if _RANK[other.grain] < _RANK[self.grain]:
            return False
        return other.to_grain(self.grain) == self

    def _first(self, grain: Grain) -> Period:
        """The first period of the finer *grain* inside this one."""
        return Period("day", self.start_day()).to_grain(grain)

    def _last(self, grain: Grain) -> Period:
        """The last period of the finer *grain* inside this one."""
        return Period("day", self.end_day()).to_grain(grain)


def period_range(first: Period, last: Period) -> list[Period]:
    """Every period from *first* to *last* inclusive; both of one grain.

    >>> [str(p) for p in period_range(Period.year(2026), Period.year(2028))]
    ['2026', '2027', '2028']
    """
    if first.grain != last.grain:
        raise ValueError(f"period range {first}..{last} mixes a {first.grain} and a {last.grain}")
    grain = first.grain
    return [Period(grain, o) for o in range(first.ordinal, last.ordinal + 1)]


def elapsed_fraction(start: Period, end: Period, at: Period) -> float:
    """How much of the window *start*..*end* has passed by the end of *at*, in [0, 1].

    Counted in periods of the finest of the three grains.

    >>> elapsed_fraction(Period.year(2026), Period.year(2030), Period.year(2027))
    0.4
    >>> elapsed_fraction(Period.year(2026), Period.year(2030), Period.month(2027, 3))
    0.25
    """
    grain = finer(finer(start.grain, end.grain), at.grain)
    first = start._first(grain).ordinal
    total = end._last(grain).ordinal - first + 1
    if total <= 0:
        raise ValueError(f"window {start}..{end} ends before it starts")
    done = at._last(grain).ordinal - first + 1
    return min(1.0, max(0.0, done / total))


def _whole_year(number: float | int | Decimal) -> Period | None:
    if isinstance(number, float) and not math.isfinite(number):
        return None
    if isinstance(number, Decimal) and not number.is_finite():
        return None
    if number != int(number):
        return None
    year = int(number)
    return Period("year", year) if 1000 <= year <= 9999 else None


def parse_time_value(value: object) -> Period | None:
    """The period a data cell holds, or None when it holds none (or is empty).

    Whole numbers 1000..9999 are years; text is read by :meth:`Period.parse`
    or as an ISO date-time; dates, datetimes, pandas Timestamps and numpy
    datetime64 values are days.

    >>> [str(parse_time_value(v)) for v in (2026, 2026.0, " 2026-Q2 ", "2026-03-31T12:00:00")]
    ['2026', '2026', '2026-Q2', '2026-03-31']
    >>> parse_time_value("") is None, parse_time_value(True) is None
    (True, True)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        found = Period.parse(text)
        if found is None and (m := _DATETIME.fullmatch(text)) is not None:
            found = Period.parse(m.group(1))
        return found
    if isinstance(value, int | float | Decimal):
        return _whole_year(value)
    if isinstance(value, dt.datetime):
        if type(value).__name__ == "NaTType":
            return None
        return Period("day", value.date().toordinal())
    if isinstance(value, dt.date):
        return Period("day", value.toordinal())
    module = type(value).__module__
    if module == "numpy":
        if type(value).__name__ == "datetime64":
            return parse_time_value(str(value))
        if type(value).__name__.startswith("bool"):
            return None
        item = getattr(value, "item", None)
        if callable(item):
            inner = item()
            if isinstance(inner, int | float):
                return parse_time_value(inner)
    return None


def latest(periods: Sequence[Period]) -> Period | None:
    """The period that ends last (the finer one on a tie)."""
    if not periods:
        return None
    return max(periods, key=lambda p: (p.end_day(), -p.start_day()))
