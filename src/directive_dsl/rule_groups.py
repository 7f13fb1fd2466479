"""The groups a rule is judged for (SPEC §7.2, §13.6), and the values charts show before the window."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from . import model as m
from .conditions import condition_holds
from .periods import Period
from .plan import Answers, CoverageRequest, RangeBucket, TableInfo
from .plan_tables import combinations, untargeted
from .rule_values import Evaluator, RulePlan, in_rule_unit


def datasets_with(rule: m.CheckedRule, tables: Mapping[str, TableInfo], dim: str) -> list[str]:
    return [name for name in rule.datasets() if dim in tables[name].columns]


# ---------------------------------------------------------------- groups


def expected_groups(
    plan: RulePlan,
    tables: Mapping[str, TableInfo],
    answers: Answers,
    domains: Mapping[str, tuple[str, ...]],
) -> list[dict[str, str]]:
    """The groups to judge: every combination of the rule's dimension values (SPEC §7.2), or with
    two or more dimensions those that occur together in the data, domains added (§13.6)."""
    per_dim: list[list[str]] = []
    for dim in plan.rule.dimensions:
        if dim in domains:
            values = set(domains[dim])
        else:
            values = set()
            for name in datasets_with(plan.rule, tables, dim):
                seen = answers.coverage[CoverageRequest(name, dim, RangeBucket(None, plan.until))]
                values.update(v for v, _ in seen if v is not None)
        for cond in plan.rule.narrowing.get(dim, ()):
            values = {v for v in values if condition_holds(cond, {dim: v}) is True}
        per_dim.append(sorted(values))
    dims = plan.rule.dimensions
    occurring = combinations(plan.rule, tables, answers, plan.until)
    free = [i for i, d in enumerate(dims) if d not in domains]
    if occurring is None or not free:
        return [dict(zip(dims, combo, strict=True)) for combo in itertools.product(*per_dim)]
    allowed = [set(values) for values in per_dim]
    present = {tuple(g[dims[i]] for i in free) for g in occurring}
    groups: list[dict[str, str]] = []
    for part in sorted(present):
        if not all(v in allowed[i] for i, v in zip(free, part, strict=True)):
            continue
        fixed = dict(zip(free, part, strict=True))
        # each domain dimension takes all its values beside the combination of the others
        axes = [per_dim[i] if dims[i] in domains else [fixed[i]] for i in range(len(dims))]
        groups += [dict(zip(dims, combo, strict=True)) for combo in itertools.product(*axes)]
    return sorted(groups, key=lambda g: tuple(g[d] for d in dims))


#: How many periods before the window a chart shows for context.
HISTORY = 5


def history(plan: RulePlan, tables: Mapping[str, TableInfo], answers: Answers,
            groups: Sequence[Mapping[str, str]]) -> tuple[tuple[tuple[tuple[str, str], ...], str, float], ...]:
    """The rule's left side in up to :data:`HISTORY` periods with data before a declared window,
    per group: what a chart shows for context. Read from the answers the engine already gave."""
    time, window = plan.rule.time, plan.window
    if time.kind != "per" or time.grain is None or window is None or window.from_data or time.start is not None:
        return ()
    grain = time.grain
    earlier = sorted({Period("day", p.start_day()).to_grain(grain) for name in plan.rule.datasets()
                      for p in tables[name].periods if p.end_day() < window.start.start_day()})[-HISTORY:]
    if not earlier:
        return ()
    evaluator = Evaluator(plan, tables, answers)
    factor = plan.rule.unit.factor if plan.rule.unit is not None else 1.0
    found = []
    for group in groups:
        for period in earlier:
            value, _ = evaluator.value(plan.rule.left, group, period)
            shown = in_rule_unit(value, factor)
            if shown is not None:
                found.append((tuple(group.items()), period.label, shown))
    return tuple(found)


def targeted_groups(
    plan: RulePlan,
    tables: Mapping[str, TableInfo],
    answers: Answers,
    domains: Mapping[str, tuple[str, ...]],
) -> tuple[list[dict[str, str]], int]:
    """The expected groups that have a target, and how many have none (no row in a plan table)."""
    groups = expected_groups(plan, tables, answers, domains)
    without = untargeted(plan.rule, tables, answers, plan.until, groups)
    return [g for g in groups if g not in without], len(without)
