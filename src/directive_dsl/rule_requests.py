"""What one rule asks of the engine: aggregates per bucket and coverage (part of the plan).

The buckets a rule reads (:func:`contexts`) follow its time clause; `at`
reads a fixed period, a partial period (SPEC §13.4) reads its covered part
and the same part of earlier periods; grouped leaves of finer data ask which
sub-periods each group has rows in (§13.4); plan tables ask for the
combinations that occur (§13.6).
"""

from __future__ import annotations

from collections.abc import Mapping

from . import model as m
from .partial import PartialPeriod
from .periods import is_finer
from .plan import AggregateRequest, Bucket, CoverageRequest, GrainBucket, RangeBucket, TableInfo
from .plan_tables import combination_requests, rows_of
from .rule_groups import datasets_with
from .rule_points import partial_periods
from .rule_values import RulePlan


def contexts(plan: RulePlan) -> list[Bucket]:
    """The buckets a rule reads its values in, before `at` and lookback."""
    time = plan.rule.time
    if time.kind == "total":
        if plan.window is None:
            return []
        return [plan.window.range_to(plan.as_of)]
    buckets: list[Bucket] = []
    grains = [time.grain]
    if time.kind == "by" and time.baseline_period is not None:
        grains.append(time.baseline_period.grain)
    for grain in dict.fromkeys(grains):
        assert grain is not None
        buckets.append(GrainBucket(grain, plan.until))
    return buckets


def rule_requests(
    plan: RulePlan, tables: Mapping[str, TableInfo], domains: Mapping[str, tuple[str, ...]]
) -> tuple[set[AggregateRequest], set[CoverageRequest]]:
    """Every aggregate and coverage request a rule needs."""
    aggregates: set[AggregateRequest] = set()
    coverage: set[CoverageRequest] = set()

    def visit(value: m.Value, bucket: Bucket) -> None:
        if isinstance(value, m.AtPeriod):
            visit(value.operand, GrainBucket(value.period.grain, plan.until))
            return
        if isinstance(value, m.Aggregate):
            aggregates.add(AggregateRequest.of(value, bucket))
            if len(value.groups) >= 2:
                aggregates.add(AggregateRequest.of(rows_of(value), bucket))
            for dim in value.groups or (None,):
                coverage.add(CoverageRequest(value.dataset, dim, bucket))
            return
        for child in m.value_children(value):
            visit(child, bucket)

    for bucket in contexts(plan):
        for value in plan.rule.values():
            visit(value, bucket)

    def visit_part(value: m.Value, at: PartialPeriod) -> None:
        """What a partial period reads: its covered part, and the same part of earlier ones."""
        if isinstance(value, m.AtPeriod):
            if value.period.grain == at.grain:
                visit_part(value.operand, at.part_of(value.period))
            return  # a whole period: its grain's bucket is asked for above
        if isinstance(value, m.Shift):
            visit_part(value.operand, at.shift(value.periods))
            return
        if isinstance(value, m.Aggregate):
            visit(value, at.bucket())
            return
        for child in m.value_children(value):
            visit_part(child, at)

    for part in partial_periods(plan):
        for value in plan.rule.values():
            visit_part(value, part)
    coverage |= _sub_period_requests(plan, tables)
    aggregates |= combination_requests(plan.rule, tables, plan.until)
    for dim in plan.rule.dimensions:
        if dim not in domains:
            for name in datasets_with(plan.rule, tables, dim):
                coverage.add(CoverageRequest(name, dim, RangeBucket(None, plan.until)))
    return aggregates, coverage


def _sub_period_requests(plan: RulePlan, tables: Mapping[str, TableInfo]) -> set[CoverageRequest]:
    """Which sub-periods at the data's grain each grouped leaf's dataset, and each of the group's
    values, has rows in: to find the periods a group is incomplete in (SPEC §13.4)."""
    found: set[CoverageRequest] = set()
    grain = plan.rule.time.grain
    for value in plan.rule.values():
        for leaf in m.aggregates(value):
            table = tables[leaf.dataset]
            if not leaf.groups or grain is None or table.grain is None or not is_finer(table.grain, grain):
                continue
            bucket = GrainBucket(table.grain, plan.until)
            found |= {CoverageRequest(leaf.dataset, dim, bucket) for dim in (*leaf.groups, None)}
    return found
