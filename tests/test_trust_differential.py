"""The reference and DuckDB engines print the same report, byte for byte (SPEC §13.1).

Hypothesis draws data and directives as in ``test_engines_differential.py``
and compares the whole JSON document, every outcome included. CI runs 2,000
examples; ``pytest -m slow`` runs the long version. The Spark and PostgreSQL
differential tests (test_engine_spark.py, test_engine_postgres.py) compare the
same JSON bytes with the reference engine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import directive_dsl
from directive_dsl.errors import DirectiveError
from test_engines_differential import LAYOUTS, _bind, datasets, directives, report_json

HOW = ["rows", "csv", "parquet", "pandas", "json", "jsonl"]


def _check(data: tuple[str, list[dict[str, Any]]], how: str, layout: str, seed: st.DataObject,
           folder: Path) -> None:
    grain, rows = data
    text = seed.draw(directives(grain), label="directive")
    try:
        directive_dsl.loads(text)
    except DirectiveError:
        assume(False)
    bound = _bind(rows, how, folder)
    expected = report_json(text, rows, "python")
    with mock.patch("directive_dsl.engines.duckdb.choose_fine_sets", LAYOUTS[layout]):
        actual = report_json(text, bound, "duckdb")
    assert actual == expected


_SETTINGS = {"deadline": None, "derandomize": os.environ.get("CI", "").lower() == "true",
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much]}


@settings(max_examples=int(os.environ.get("DIRECTIVE_DIFF_EXAMPLES", "2000")), **_SETTINGS)
@given(data=datasets(), how=st.sampled_from(HOW), layout=st.sampled_from(list(LAYOUTS)), seed=st.data())
def test_json_bytes_are_the_same(data: Any, how: str, layout: str, seed: st.DataObject,
                                 tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(data, how, layout, seed, tmp_path_factory.mktemp("data"))


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("DIRECTIVE_DIFF_EXAMPLES_SLOW", "20000")),
          **{**_SETTINGS, "derandomize": False})
@given(data=datasets(), how=st.sampled_from(HOW), layout=st.sampled_from(list(LAYOUTS)), seed=st.data())
def test_json_bytes_are_the_same_long(data: Any, how: str, layout: str, seed: st.DataObject,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    _check(data, how, layout, seed, tmp_path_factory.mktemp("data"))
