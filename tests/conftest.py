"""Shared fixtures: every semantic test runs on every engine available here."""

from __future__ import annotations

import importlib.util
import os

import pytest

#: Engines every semantic test runs on. Optional ones join when their extra is installed.
ENGINES = ["python", "duckdb"]


def _available(name: str) -> bool:
    if name == "duckdb":
        return importlib.util.find_spec("directive_dsl.engines.duckdb") is not None
    return True


@pytest.fixture(params=[e for e in ENGINES if _available(e)])
def engine(request: pytest.FixtureRequest) -> str:
    """The name of an engine, for ``directive.evaluate(..., engine=engine)``."""
    return str(request.param)


@pytest.fixture
def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"
