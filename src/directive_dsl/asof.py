"""How far each dataset's data runs, and so each rule's (SPEC §13.2, §13.3).

A dataset's as-of is the period its data is taken to run through: the
caller's `--as-of NAME=P`, else the earlier of its `as of P` clause and the
caller's `--as-of P`, else its latest period with data. A rule's as-of is the
earliest of its datasets': the latest period all of its data has reached, so
a lagging source delays only the rules that read it, and a plan table that
runs to 2030 extends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from . import model as m
from .errors import (
    Diagnostic,
    DirectiveDataError,
    DirectiveError,
    DirectiveUsageError,
    listing,
    suggest,
)
from .periods import Period, latest
from .plan import TableInfo

#: The key of a caller's as-of that applies to every dataset.
EVERY_DATASET = "*"


def caller_as_ofs(as_of: str | Mapping[str, str] | None) -> dict[str, Period]:
    """The caller's as-of periods by dataset name (``*``: every dataset), checked."""
    if as_of is None:
        return {}
    given = {EVERY_DATASET: as_of} if isinstance(as_of, str) else dict(as_of)
    found: dict[str, Period] = {}
    for name, text in given.items():
        period = Period.parse(str(text).strip())
        if period is None:
            option = "--as-of " if name == EVERY_DATASET else f"--as-of {name}="
            raise DirectiveUsageError(
                f"{option}`{text}` is not a period",
                hint="write a year (2027), a quarter (2027-Q2) or a month (2027-03)",
            )
        found[name] = period
    return found


def dataset_facts(
    directive: m.CheckedDirective, tables: Mapping[str, TableInfo], caller: Mapping[str, Period]
) -> dict[str, TableInfo]:
    """*tables* with each dataset's as-of and `fill 0` (SPEC §13.2), checked against its data."""
    unknown = [name for name in caller if name != EVERY_DATASET and name not in directive.datasets]
    if unknown:
        raise DirectiveUsageError(
            f"--as-of names `{unknown[0]}`, which is not a dataset of the directive",
            hint=suggest(unknown[0], directive.datasets) or f"its datasets are {listing(directive.datasets)}",
        )
    problems: list[Diagnostic] = []
    found: dict[str, TableInfo] = {}
    for name, table in tables.items():
        info = directive.datasets[name]
        for span, clause in ((info.fill, "fill 0"), (info.as_of_span, "as of")):
            if span is not None and table.time_column is None:
                problems.append(Diagnostic.at(
                    span, "E408", f"`{clause}` on `{name}`, whose data ({table.origin}) has no time column",
                    hint="declare its time column with `time COLUMN`, or remove the clause",
                    kind=DirectiveDataError))
        found[name] = attrs.evolve(table, fill=info.fill is not None,
                                   as_of=_dataset_as_of(name, info, table, caller))
    if problems:
        raise DirectiveError.from_diagnostics(problems)
    return found


def _dataset_as_of(name: str, info: m.DatasetInfo, table: TableInfo,
                   caller: Mapping[str, Period]) -> Period | None:
    if table.time_column is None:
        return None
    if name in caller:
        return caller[name]
    stated = [p for p in (info.as_of, caller.get(EVERY_DATASET)) if p is not None]
    if stated:
        return earliest(stated)
    return latest(table.periods)


def earliest(periods: Iterable[Period]) -> Period | None:
    """The period that ends first (the coarser one on a tie), None for none."""
    return min(periods, key=lambda p: (p.end_day(), p.start_day()), default=None)


def within_as_of(table: TableInfo) -> list[Period]:
    """The periods with data that the dataset's as-of has reached."""
    if table.as_of is None:
        return list(table.periods)
    return [p for p in table.periods if p.start_day() <= table.as_of.end_day()]
