"""A rule's values for one group at one period, from an engine's answers (SPEC §7.2, §13.2–13.4).

``RulePlan`` is a rule with its timing settled; ``Evaluator`` computes its
values (aggregates, arithmetic, lookback, the same part of earlier periods),
with coverage, `fill 0` and incomplete periods decided per leaf.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import attrs

from . import model as m
from .aggregates import kind_of
from .partial import PartialPeriod
from .periods import Period, is_finer
from .plan import (
    AggregateRequest,
    Answers,
    Bucket,
    Cell,
    CellKey,
    CoverageKey,
    CoverageRequest,
    GrainBucket,
    RangeBucket,
    TableInfo,
)
from .plan_tables import rows_of
from .report import significant
from .timing import Window

Result = tuple[float | None, str | None]  # (value, reason when missing)
At = Period | RangeBucket | PartialPeriod


@attrs.frozen(kw_only=True)
class RulePlan:
    """A rule with its timing settled."""

    rule: m.CheckedRule
    index: int
    as_of: Period | None
    window: Window | None
    until: int | None  # the last day of data to read (the caller's as-of), None for all
    missing: m.MissingPolicy


# ---------------------------------------------------------------- values


class Evaluator:
    """Computes a rule's values for one group at one period or range."""

    def __init__(self, plan: RulePlan, tables: Mapping[str, TableInfo], answers: Answers) -> None:
        self.plan = plan
        self.tables = tables
        self.answers = answers
        # per leaf and bucket: the coverage of each dimension, and the cells (looked up once)
        self._reads: dict[tuple[int, Bucket], tuple[list[tuple[str | None, frozenset[CoverageKey]]],
                                                     Mapping[CellKey, Cell]]] = {}
        self._period_reads: dict[tuple[int, str], tuple[GrainBucket, list[tuple[str | None, frozenset[CoverageKey]]],
                                                         Mapping[CellKey, Cell]]] = {}
        self._by_value: dict[tuple[str, str | None, Bucket], Mapping[str | None, frozenset[Period]]] = {}
        # per group and period: the sub-periods without data that were let through (SPEC §13.4)
        self.gaps: dict[tuple[tuple[tuple[str, str], ...], str], set[Period]] = {}

    def value(self, value: m.Value, group: Mapping[str, str], at: At) -> Result:
        found, reason = self._value(value, group, at)
        if found is not None and not math.isfinite(found):
            # A sum past the largest float, or inf - inf: never a number to judge (SPEC §13.1).
            return None, f"overflow in {_label(at, self.plan)}"
        return found, reason

    def _value(self, value: m.Value, group: Mapping[str, str], at: At) -> Result:
        if isinstance(value, m.Constant):
            return value.value, None
        if isinstance(value, m.Aggregate):
            return self._leaf(value, group, at)
        if isinstance(value, m.AtPeriod):
            if isinstance(at, PartialPeriod) and value.period.grain == at.grain:
                return self.value(value.operand, group, at.part_of(value.period))  # the same part
            return self.value(value.operand, group, value.period)
        if isinstance(value, m.Shift):
            assert isinstance(at, Period | PartialPeriod)
            return self.value(value.operand, group, at.shift(value.periods))
        if isinstance(value, m.Negate | m.Scale):
            inner, reason = self.value(value.operand, group, at)
            if inner is None:
                return None, reason
            return (-inner if isinstance(value, m.Negate) else inner * value.factor), None
        assert isinstance(value, m.Arith)
        left, why = self.value(value.left, group, at)
        if left is None:
            return None, why
        right, why = self.value(value.right, group, at)
        if right is None:
            return None, why
        if value.op == "+":
            return left + right, None
        if value.op == "-":
            return left - right, None
        if value.op == "*":
            return left * right, None
        if right == 0:
            return None, f"division by zero in {_label(at, self.plan)}"
        return left / right, None

    def _leaf(self, leaf: m.Aggregate, group: Mapping[str, str], at: At) -> Result:
        bucket: Bucket
        if isinstance(at, Period):  # the common case, once per outcome: its reads kept by grain
            known = self._period_reads.get((id(leaf), at.grain))
            if known is None:
                bucket = GrainBucket(at.grain, self.plan.until)
                known = self._period_reads[(id(leaf), at.grain)] = (bucket, *self._read(leaf, bucket))
            bucket, coverage, cells = known
        else:
            bucket = at.bucket() if isinstance(at, PartialPeriod) else at
            coverage, cells = self._read(leaf, bucket)
        table = self.tables[leaf.dataset]
        period: Period | None = at if isinstance(at, Period) and table.time_column else None
        for dim, seen in coverage:
            value = group[dim] if dim is not None else None
            if (value, period) not in seen and _filled(table, at):
                self._note_gaps(group, at, self._gaps(leaf, group, at, table))
                return 0.0, None  # `fill 0`: no row is zero (SPEC §13.2)
            if (value, period) not in seen:
                about = f" for {dim} = {value}" if dim is not None else ""
                return None, f"no data{about} in {_label(at, self.plan)} ({leaf.dataset})"
        gaps = self._gaps(leaf, group, at, table)
        if gaps and not (table.fill or self.plan.rule.incomplete == "allow"):
            return None, f"incomplete: no data for {_some(gaps)}"
        self._note_gaps(group, at, gaps)
        key = (tuple(group[d] for d in leaf.groups), period)
        if len(leaf.groups) >= 2:  # the combination itself must have rows (SPEC §13.6)
            rows = self.answers.aggregates[AggregateRequest.of(rows_of(leaf), bucket)].get(key)
            if (rows is None or rows.rows == 0) and _filled(table, at):
                return 0.0, None
            if rows is None or rows.rows == 0:
                about = ", ".join(f"{d} = {group[d]}" for d in leaf.groups)
                return None, f"no data for {about} in {_label(at, self.plan)} ({leaf.dataset})"
        cell = cells.get(key)
        kind = kind_of(leaf.func)
        if cell is None or cell.rows == 0:
            if kind.empty_is_zero:  # nothing happened: no sum, no row, no value
                return 0.0, None
            return None, f"no rows match in {_label(at, self.plan)} ({leaf.dataset})"
        if kind.counts_rows:
            return float(cell.rows), None
        if cell.known == 0 or cell.value is None:
            return None, (f"no values in {_label(at, self.plan)} ({leaf.dataset}: "
                          "every matching value is unknown)")
        return cell.value, None

    def _note_gaps(self, group: Mapping[str, str], at: At, gaps: list[Period]) -> None:
        """Keep the sub-periods without data let through, for the outcome's coverage."""
        if gaps and isinstance(at, Period | PartialPeriod):
            self.gaps.setdefault((tuple(group.items()), at.label), set()).update(gaps)

    def _gaps(self, leaf: m.Aggregate, group: Mapping[str, str], at: At, table: TableInfo) -> list[Period]:
        """The sub-periods of *at*, at the data's grain and up to the as-of, in which the dataset
        has rows and the group has none (SPEC §13.4)."""
        if not leaf.groups or table.grain is None or isinstance(at, RangeBucket):
            return []
        whole = at.period if isinstance(at, PartialPeriod) else at
        if not is_finer(table.grain, whole.grain) or self.plan.as_of is None:
            return []
        last = at.through.end_day() if isinstance(at, PartialPeriod) else min(
            whole.end_day(), self.plan.as_of.end_day())
        bucket = GrainBucket(table.grain, self.plan.until)
        present = [p for p in self._periods_with_rows(leaf.dataset, None, bucket).get(None, ())
                   if whole.start_day() <= p.start_day() and p.end_day() <= last]
        missing: set[Period] = set()
        for dim in leaf.groups:
            mine = self._periods_with_rows(leaf.dataset, dim, bucket).get(group[dim], frozenset())
            missing.update(p for p in present if p not in mine)
        return sorted(missing)

    def _periods_with_rows(self, dataset: str, dim: str | None, bucket: Bucket) -> Mapping[str | None, frozenset[Period]]:
        """The coverage of *dim* at *bucket* as value → periods with rows (looked up once)."""
        key = (dataset, dim, bucket)
        found = self._by_value.get(key)
        if found is None:
            grouped: dict[str | None, set[Period]] = {}
            for value, period in self.answers.coverage.get(CoverageRequest(dataset, dim, bucket), frozenset()):
                if period is not None:
                    grouped.setdefault(value, set()).add(period)
            found = self._by_value[key] = {v: frozenset(ps) for v, ps in grouped.items()}
        return found

    def _read(self, leaf: m.Aggregate, bucket: Bucket) -> tuple[
            list[tuple[str | None, frozenset[CoverageKey]]], Mapping[CellKey, Cell]]:
        key = (id(leaf), bucket)
        found = self._reads.get(key)
        if found is None:
            coverage = [(dim, self.answers.coverage[CoverageRequest(leaf.dataset, dim, bucket)])
                        for dim in leaf.groups or (None,)]
            found = self._reads[key] = (coverage, self.answers.aggregates[AggregateRequest.of(leaf, bucket)])
        return found


def _some(periods: list[Period]) -> str:
    """At most three periods named, then how many more: ``2026-04, 2026-05, 2026-06 and 2 more``."""
    named = ", ".join(p.label for p in periods[:3])
    return named + (f" and {len(periods) - 3} more" if len(periods) > 3 else "")


def _filled(table: TableInfo, at: At) -> bool:
    """Whether `fill 0` makes a group with no row in *at* zero: a range always (a total of
    nothing); a period from the one holding the data's first row to the one holding its as-of
    (before the data starts, nothing is known)."""
    if isinstance(at, PartialPeriod):
        at = at.period
    if not table.fill or not isinstance(at, Period):
        return table.fill
    if not table.periods or table.as_of is None:
        return False
    first = Period("day", min(p.start_day() for p in table.periods)).to_grain(at.grain)
    return first.start_day() <= at.start_day() <= table.as_of.end_day()


def _label(at: At, plan: RulePlan) -> str:
    if isinstance(at, Period | PartialPeriod):
        return at.label
    return plan.window.label if plan.window else "the window"


def in_rule_unit(value: float | None, factor: float) -> float | None:
    """A value in the reported unit, to the report's precision, so every engine judges the same."""
    return None if value is None else significant(value / factor)
