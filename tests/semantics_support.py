"""Helpers for the semantic tests: evaluate a directive, look outcomes up, compare numbers.

Every expectation in the ``test_semantics_*`` files is worked out by hand from
SPEC §6, §7 and §10; these helpers only fetch and compare.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import pytest

import directive_dsl

#: "Do not check this field."
ANY: Any = object()


def run(text: str, data: Mapping[str, object], engine: str, **options: Any) -> dict[str, Any]:
    """The ``directive-report/2`` document (with every outcome) of *text* on *data*."""
    directive = directive_dsl.loads(textwrap.dedent(text), filename="t.directive")
    report = directive.evaluate(data, engine=engine, **options)
    return report.to_dict(include_passing=True)


def outcomes(doc: Mapping[str, Any], rule: str | None = None) -> list[dict[str, Any]]:
    """The report's outcomes, in report order, optionally of one rule."""
    return [o for o in doc["outcomes"] if rule is None or o["rule"] == rule]


def table(doc: Mapping[str, Any], rule: str) -> dict[tuple[str, ...], dict[str, Any]]:
    """One rule's outcomes keyed by ``(*group values, period)``."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for o in outcomes(doc, rule):
        key = (*o["group"].values(), o["period"])
        assert key not in found, f"two outcomes for {key}"
        found[key] = o
    return found


def keys(doc: Mapping[str, Any], rule: str) -> list[tuple[str, ...]]:
    """One rule's outcome keys, in report order."""
    return [(*o["group"].values(), o["period"]) for o in outcomes(doc, rule)]


def approx(value: float | None) -> Any:
    """A number compared with a relative tolerance far below the engine's 1e-9."""
    return None if value is None else pytest.approx(value, rel=1e-12, abs=1e-9)


def expect(
    outcome: Mapping[str, Any],
    status: str,
    actual: Any = ANY,
    threshold: Any = ANY,
    gap: Any = ANY,
    **fields: Any,
) -> None:
    """Assert an outcome's status and, where given, its numbers and other fields."""
    where = f"{outcome['rule']} {outcome['group']} {outcome['period']}"
    assert outcome["status"] == status, f"{where}: {outcome}"
    for name, want in (("actual", actual), ("threshold", threshold), ("gap", gap), *fields.items()):
        if want is ANY:
            continue
        got = outcome.get(name)
        if isinstance(want, int | float) and not isinstance(want, bool):
            assert got == approx(float(want)), (
                f"{where}: {name} is {got}, expected {want}: {outcome}"
            )
        else:
            assert got == want, f"{where}: {name} is {got!r}, expected {want!r}: {outcome}"
    if status in ("pass", "on_track", "pending", "missing"):
        assert outcome["gap"] is None, f"{where}: a {status} outcome has no gap: {outcome}"
    if status == "missing":
        assert outcome["actual"] is None, f"{where}: a missing outcome's actual is null: {outcome}"
        assert outcome["reason"], f"{where}: a missing outcome gives its reason: {outcome}"


def rows_of(names: str, *rows: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Rows written as tuples under space-separated column *names*, as a list of dicts."""
    columns = names.split()
    return [dict(zip(columns, row, strict=True)) for row in rows]
