"""A report's outcomes as Arrow, pandas and polars tables, one row per outcome."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.report import Report
from directive_dsl.report_frames import outcome_records, to_arrow, to_pandas, to_polars

EXAMPLE = Path(__file__).parent.parent / "examples" / "belarus_china" / "belarus_china.directive"


@pytest.fixture(scope="module")
def report() -> Report:
    return directive_dsl.load(EXAMPLE).evaluate(engine="python")


def test_one_row_per_outcome_with_the_json_columns(report: Report) -> None:
    table = to_arrow(report)
    assert table.num_rows == len(report.outcomes)
    first = report.outcomes[0].to_dict()
    assert table.column_names[: len(first)] == list(first)
    assert str(table.schema.field("actual").type) == "double"
    assert [f.name for f in table.schema.field("group").type] == ["region"]


def test_pandas_rows_match_the_outcomes(report: Report) -> None:
    frame = to_pandas(report)
    for (_, row), outcome in zip(frame.iterrows(), report.outcomes, strict=True):
        assert row["rule"] == outcome.rule and row["status"] == outcome.status
        assert row["period"] == outcome.period
        if outcome.actual is None:
            assert row["actual"] is None or math.isnan(row["actual"])
        else:
            assert row["actual"] == pytest.approx(outcome.actual)
        assert {k: v for k, v in row["group"].items() if v is not None} == dict(outcome.group)
        assert row["location"]["line"] == outcome.location.line


def test_polars_filters_by_dimension(report: Report) -> None:
    import polars as pl

    frame = to_polars(report)
    mogilev = frame.filter(pl.col("group").struct.field("region") == "Mogilev")
    expected = [o for o in report.outcomes if o.group.get("region") == "Mogilev"]
    assert mogilev.height == len(expected) > 0
    assert set(mogilev["status"].to_list()) == {o.status for o in expected}


def test_an_empty_report_is_an_empty_table() -> None:
    empty = Report(title=None, file="x", window=None, as_of=None, rules=(), outcomes=())
    assert outcome_records(empty) == []
    assert to_arrow(empty).num_rows == 0
    assert len(to_pandas(empty)) == 0
