"""Groups from the data when targets come from a table (SPEC §13.6).

With two or more grouping dimensions the expected groups are the
combinations that occur together in the rule's data (the org × product pairs
a plan table or the actuals hold), not the cross product of each dimension's
values; a dimension with a `domain` adds each of its values to every
combination of the others. When the threshold is read from another dataset
grouped by the rule's dimensions, a group with no row at all in that dataset
has no target: no outcome, counted as *untargeted*.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import model as m
from .plan import AggregateRequest, Answers, RangeBucket, TableInfo

Group = dict[str, str]


def combination_requests(rule: m.CheckedRule, tables: Mapping[str, TableInfo],
                         until: int | None) -> set[AggregateRequest]:
    """The row counts per combination of the rule's dimensions that the groups are read from."""
    found = set()
    for name, dims in _grouped_datasets(rule, tables):
        if len(rule.dimensions) >= 2 or name in _threshold_datasets(rule):
            found.add(_request(name, dims, until))
    return found


def combinations(rule: m.CheckedRule, tables: Mapping[str, TableInfo], answers: Answers,
                 until: int | None) -> list[Group] | None:
    """The combinations of the rule's dimensions that occur together in a dataset holding them
    all; None when no dataset holds them all (then each dimension's values are crossed)."""
    if len(rule.dimensions) < 2:
        return None
    found: dict[tuple[str, ...], None] = {}
    holders = [(name, dims) for name, dims in _grouped_datasets(rule, tables)
               if set(dims) == set(rule.dimensions)]
    if not holders:
        return None
    for name, dims in holders:
        for key in _occurring(answers, _request(name, dims, until)):
            group = dict(zip(dims, key, strict=True))
            found[tuple(group[d] for d in rule.dimensions)] = None
    return [dict(zip(rule.dimensions, key, strict=True)) for key in found]


def untargeted(rule: m.CheckedRule, tables: Mapping[str, TableInfo], answers: Answers,
               until: int | None, groups: Sequence[Group]) -> list[Group]:
    """The groups without a row in a dataset the threshold is read from."""
    checks = [(dims, set(_occurring(answers, _request(name, dims, until))))
              for name, dims in _grouped_datasets(rule, tables) if name in _threshold_datasets(rule)]
    return [g for g in groups if any(tuple(g[d] for d in dims) not in seen for dims, seen in checks)]


def _threshold_datasets(rule: m.CheckedRule) -> set[str]:
    """Datasets the threshold alone reads, grouped by some of the rule's dimensions: plan tables."""
    left = {leaf.dataset for leaf in m.aggregates(rule.left)}
    found = set()
    for value in rule.values()[1:]:
        for leaf in m.aggregates(value):
            if leaf.groups and leaf.dataset not in left:
                found.add(leaf.dataset)
    return found


def _grouped_datasets(rule: m.CheckedRule, tables: Mapping[str, TableInfo]) -> list[tuple[str, tuple[str, ...]]]:
    """Each dataset of the rule with the rule's dimensions it holds (in the rule's order)."""
    found = []
    for name in rule.datasets():
        dims = tuple(d for d in rule.dimensions if d in tables[name].columns)
        if dims:
            found.append((name, dims))
    return found


def rows_of(leaf: m.Aggregate) -> m.Aggregate:
    """The rows of *leaf*'s dataset per combination of its groups, whatever its filter."""
    return m.Aggregate(dataset=leaf.dataset, measure=None, func="count", groups=leaf.groups)


def _request(name: str, dims: tuple[str, ...], until: int | None) -> AggregateRequest:
    leaf = m.Aggregate(dataset=name, measure=None, func="count", groups=dims)
    return AggregateRequest.of(leaf, RangeBucket(None, until))


def _occurring(answers: Answers, request: AggregateRequest) -> list[tuple[str, ...]]:
    cells = answers.aggregates.get(request, {})
    return [group for (group, _), cell in cells.items() if cell.rows > 0 and None not in group]
