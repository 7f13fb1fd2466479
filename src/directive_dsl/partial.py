"""Partial periods (SPEC §13.4): a period the rule's as-of lies inside, at a finer grain.

Yearly targets on monthly data through 2026-06: the year 2026 is judged on
January–June (``PartialPeriod(2026, through=2026-06)``), a comparison with an
earlier year reads the same part of it (January–June 2025), and a constant
threshold of an additive aggregate is scaled down to the part covered.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

import attrs

from . import model as m
from .periods import Period, elapsed_fraction, is_finer
from .plan import RangeBucket, TableInfo


@attrs.frozen
class PartialPeriod:
    """The first sub-periods of *period*, up to and including *through* (finer than *period*)."""

    period: Period
    through: Period

    @property
    def grain(self) -> str:
        return self.period.grain

    @property
    def label(self) -> str:
        return self.period.label

    @property
    def fraction(self) -> float:
        """Covered sub-periods at the data's grain over those in the period (days for dates)."""
        return elapsed_fraction(self.period, self.period, self.through)

    def bucket(self) -> RangeBucket:
        return RangeBucket(self.period.start_day(), self.through.end_day())

    def shift(self, n: int) -> PartialPeriod:
        """The same part of the period *n* periods away: January–June 2025 for January–June 2026."""
        return self.part_of(self.period.shift(n))

    def part_of(self, other: Period) -> PartialPeriod:
        """The same part of *other*, a period of the same grain: as many months (quarters) from
        its start; for days, through the same day of the same month, or that month's last day
        when it is shorter (January 1 to February 28, 2023 for January 1 to February 29, 2024),
        so that the part never reaches past the months it names."""
        if self.through.grain != "day":
            covered = self.through.ordinal - Period("day", self.period.start_day()).to_grain(self.through.grain).ordinal
            first = Period("day", other.start_day()).to_grain(self.through.grain)
            return PartialPeriod(other, first.shift(covered))
        start, through = dt.date.fromordinal(self.period.start_day()), dt.date.fromordinal(self.through.end_day())
        months = (through.year - start.year) * 12 + through.month - start.month
        begin = dt.date.fromordinal(other.start_day())
        year, month = divmod(begin.year * 12 + begin.month - 1 + months, 12)
        day = min(through.day, calendar.monthrange(year, month + 1)[1])
        return PartialPeriod(other, Period.day(dt.date(year, month + 1, day)))


def partial_at(period: Period, as_of: Period) -> PartialPeriod | None:
    """*period* as covered by data through *as_of*, when the as-of lies inside it at a finer grain."""
    if not is_finer(as_of.grain, period.grain):
        return None
    if not period.start_day() <= as_of.end_day() < period.end_day():
        return None
    return PartialPeriod(period, as_of)


def covers_whole_period(value: m.Value, tables: Mapping[str, TableInfo], period: Period) -> bool:
    """Whether *value* stands for the whole of *period* while the data covers a part: a constant,
    or data of a grain as coarse as the period's (a yearly plan table)."""
    leaves = list(m.aggregates(value))
    if not leaves:
        return True
    return all(tables[leaf.dataset].grain is not None
               and not is_finer(tables[leaf.dataset].grain, period.grain)  # type: ignore[arg-type]
               for leaf in leaves)

