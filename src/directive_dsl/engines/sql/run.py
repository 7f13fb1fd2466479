"""How every SQL engine answers a plan's requests: per dataset, one scan for the partials
(run again through NaN guards when a measure read without one held a NaN), and one
statement over the rows for the aggregates that do not decompose."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlglot import exp

from ...plan import AggregateRequest, Answers, CoverageRequest, requests_by_dataset
from ...run_progress import SILENT, Progress, stepping
from .answers import decode, nan_seen
from .one_stage import OneStageQuery, one_stage
from .query import DatasetQuery, SqlDataset

Rows = list[tuple[Any, ...]]
#: Runs the scan of *dataset* for the requests; *exactly*: the second run, NaN-guarded.
Scan = Callable[[SqlDataset, list[AggregateRequest], list[CoverageRequest], bool], tuple[DatasetQuery, Rows]]
#: Runs a statement about dataset *name*.
Execute = Callable[[str, exp.Expr], Rows]


def answer_requests(datasets: Mapping[str, SqlDataset], aggregates: Sequence[AggregateRequest],
                    coverage: Sequence[CoverageRequest], scan: Scan, execute: Execute,
                    progress: Progress = SILENT) -> Answers:
    """The answers to *aggregates* and *coverage*, a dataset at a time."""
    by_dataset = requests_by_dataset(list(aggregates), list(coverage))
    answers: dict[AggregateRequest, Any] = {}
    covered: dict[CoverageRequest, Any] = {}
    for name in stepping(list(by_dataset), progress, "scan"):
        requested, covers = by_dataset[name]
        asked = [r for r in requested if not one_stage(r)]
        staged = [r for r in requested if one_stage(r)]
        if asked or covers:
            query, rows = scan(datasets[name], asked, covers, False)
            if nan_seen(query, rows):
                query, rows = scan(datasets[name].guarded(), asked, covers, True)
            found, seen = decode(query, rows)
            answers.update(found)
            covered.update(seen)
        if staged:
            staging = OneStageQuery(datasets[name], staged)
            answers.update(staging.decode(execute(name, staging.expression)))
    return Answers(aggregates=answers, coverage=covered)
