"""The DuckDB engine against the reference engine: random data, random rules, same outcomes.

Hypothesis draws a dataset (gaps, unknown values, zeros, a grain of years,
quarters or months, several dimensions), binds it in one of the ways a caller
can (rows, CSV, Parquet, a DataFrame), and draws directives from the
language: aggregates, filters, groups, share/growth/change, ``at``, every
time clause. Both engines must give the same report, outcome by outcome.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import directive_dsl
from directive_dsl.engines.duckdb_layout import choose_fine_sets
from directive_dsl.errors import DirectiveError
from directive_dsl.model import condition_columns
from engine_neutral import neutral_json

settings.register_profile(
    "differential",
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=os.environ.get("CI", "").lower() == "true",
)

REGIONS = ["A", "B", "C"]
PARTNERS = ["CN", "DE", "FR"]
KINDS = ["direct", "other"]
YEARS = [2020, 2021, 2022, 2023]
NUMBERS = ("amount", "qty")


# ---------------------------------------------------------------- data


def _label(grain: str, year: int, sub: int) -> str:
    if grain == "year":
        return str(year)
    if grain == "quarter":
        return f"{year}-Q{sub + 1}"
    if grain == "day":
        return f"{year}-{sub + 1:02d}-{7 * sub + 1:02d}"
    return f"{year}-{sub + 1:02d}"


@st.composite
def datasets(draw: st.DrawFn) -> tuple[str, list[dict[str, Any]]]:
    """A grain for rules and rows: some (period, region, partner, kind) cells, some values unknown.

    Daily data is judged by month; some datasets mix in rows of a coarser grain.
    """
    grain = draw(st.sampled_from(["year", "quarter", "month", "day"]))
    subs = {"year": [0], "quarter": [0, 1, 2, 3], "month": [0, 4, 11], "day": [0, 1, 3]}[grain]
    cells = [(grain, y, s, r, p, k) for y in YEARS for s in subs for r in REGIONS for p in PARTNERS
             for k in KINDS]
    if grain != "year" and draw(st.booleans()):
        cells += [("year", y, 0, r, "CN", "direct") for y in YEARS for r in REGIONS]
    chosen = draw(st.lists(st.sampled_from(cells), min_size=1, max_size=40))
    value = st.one_of(st.none(), st.just(0.0), st.integers(-3, 40).map(lambda n: n * 0.25),
                      st.integers(1, 500).map(float))
    rows = []
    for g, y, s, r, p, k in chosen:
        rows.append({"time": _label(g, y, s), "region": r, "partner": p, "kind": k,
                     "amount": draw(value), "qty": draw(value)})
    return "month" if grain == "day" else grain, rows


def _bind(rows: list[dict[str, Any]], how: str, folder: Path) -> object:
    if how == "rows":
        return rows
    if how == "csv":
        path = folder / "trade.csv"
        lines = ["time,region,partner,kind,amount,qty"]
        for row in rows:
            cells = [row[c] for c in ("time", "region", "partner", "kind")]
            cells += ["NA" if row[c] is None else repr(row[c]) for c in NUMBERS]
            lines.append(",".join(cells))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)
    if how in ("json", "jsonl"):
        path = folder / f"trade.{how}"
        text = json.dumps(rows) if how == "json" else "\n".join(map(json.dumps, rows))
        path.write_text(text, encoding="utf-8")
        return str(path)
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(rows, columns=["time", "region", "partner", "kind", "amount", "qty"])
    frame[list(NUMBERS)] = frame[list(NUMBERS)].astype("float64")
    if how == "parquet":
        pytest.importorskip("pyarrow")
        path = folder / "trade.parquet"
        frame.to_parquet(path)
        return str(path)
    return frame


# ---------------------------------------------------------------- rules


def _period(grain: str, year: int) -> str:
    return _label(grain, year, 1 if grain != "year" else 0)


FILTERS = [
    'partner = "CN"',
    'partner in ["CN", "DE"]',
    'partner not in ["FR"]',
    'not (region = "A")',
    'partner = "CN" or region = "B"',
    'kind = "direct" and partner != "DE"',
    "amount > 0",
    "qty >= 2.5",
    'region > "A"',
    'partner = "CN\\"; DROP TABLE x; --"',
]


@st.composite
def measures(draw: st.DrawFn, grouped: str | None) -> str:
    """A measure with a selector, maybe aggregated."""
    column = draw(st.sampled_from(NUMBERS))
    items = draw(st.lists(st.sampled_from(FILTERS), max_size=2, unique=True))
    if grouped is not None:
        items.append(grouped)
    base = f"trade.{column}" + (f"[{', '.join(items)}]" if items else "")
    func = draw(st.sampled_from(["", "", "sum", "mean", "min", "max", "first", "last", "count"]))
    if func == "count":
        return f"count(trade[{', '.join(items)}])" if items else "count(trade)"
    return f"{func}({base})" if func else base


@st.composite
def rules(draw: st.DrawFn, grain: str) -> str:
    grouped = draw(st.sampled_from([None, None, "region", "partner"]))
    a = draw(measures(grouped))
    b = draw(measures(grouped))
    shape = draw(st.sampled_from(["plain", "share", "growth", "change", "sum", "ratio", "at",
                                  "broadcast"]))
    lookback = shape in ("growth", "change")
    if shape == "share":
        left = f"share({a}, {b})"
    elif lookback:
        left = f"{shape}({a})"
    elif shape == "sum":
        left = f"{a} + {b} * 2"
    elif shape == "ratio":
        left = f"{a} / {b}"
    elif shape == "at":
        left = f"{a} - {b} at {_period(grain, draw(st.sampled_from(YEARS)))}"
    elif shape == "broadcast":
        total = draw(measures(None))
        left = f"{a} / {total}"
    else:
        left = a
    check = draw(st.sampled_from([">= 1", "<= 20", "> 0", "between 1 and 50", "= 0", "!= 3"]))
    unit = "%" if shape in ("share", "growth") else ""
    if unit:
        check = check.replace(" 1", " 1%").replace(" 20", " 20%").replace(" 50", " 50%")
        check = check.replace("> 0", "> 0%").replace("= 0", "= 0%").replace(" 3", " 3%")
    year = draw(st.sampled_from(YEARS))
    clauses = [f"per {grain}", f"per {grain} from {_period(grain, 2021)} to {_period(grain, 2022)}",
               f"in {_period(grain, year)}", f"by {_period(grain, 2023)}",
               f"by {_period(grain, 2023)} from {_period(grain, 2021)}",
               f"by {_period(grain, 2023)} from 5 in {_period(grain, 2020)}"]
    if grain != "year":
        clauses.append("per year")
        clauses.append(f"in {year}")
    if not lookback:
        clauses += ["in total", ""]
    clause = draw(st.sampled_from(clauses))
    return f"require {left} {check} {clause}".strip()


@st.composite
def directives(draw: st.DrawFn, grain: str) -> str:
    lines = []
    if draw(st.booleans()):
        lines.append(f'directive "t" period {_period(grain, 2020)} to {_period(grain, 2023)}')
    if draw(st.booleans()):
        lines.append("dataset trade\n  time time\n  dimensions region, partner, kind\n"
                     "  measure amount\n  measure qty")
    if draw(st.booleans()):
        lines.append('domain region = ["A", "B", "C", "D"]')
    lines += draw(st.lists(rules(grain), min_size=1, max_size=4))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- comparison

NUMBER_FIELDS = ("actual", "threshold", "gap", "upper", "target")


def _same_number(a: object, b: object) -> bool:
    """Exactly equal: report numbers are rounded to 12 significant digits (SPEC §13.1), so
    engines that add in another order print the same JSON bytes."""
    return a == b and type(a) is type(b)


def assert_same_outcomes(expected: list[dict[str, Any]], actual: list[dict[str, Any]]) -> None:
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        for key in ("rule", "status", "group", "period", "reason", "unit", "op", "message"):
            assert want.get(key) == got.get(key), (key, want, got)
        for key in NUMBER_FIELDS:
            assert _same_number(want.get(key), got.get(key)), (key, want, got)


def _evaluate(text: str, data: object, engine: str) -> list[dict[str, Any]] | str:
    try:
        directive = directive_dsl.loads(text)
        report = directive.evaluate({"trade": data}, engine=engine)
    except DirectiveError as error:
        return f"error {error.code}"
    outcomes: list[dict[str, Any]] = report.to_dict(include_passing=True)["outcomes"]
    return outcomes


def report_json(text: str, data: object, engine: object) -> str:
    """The whole JSON report, every outcome included, or the error code: what the engines
    must agree on byte for byte (SPEC §13.1). The data may be bound as rows on one side and
    as a file or table on the other, so the run's engine and time and each dataset's source and
    hash are set aside; its rows, grain and as-of are compared."""
    try:
        report = directive_dsl.loads(text).evaluate({"trade": data}, engine=engine)
    except DirectiveError as error:
        return f"error {error.code}"
    return neutral_json(report, binding=True)


def _one_set_per_need(aggregates: Any, coverage: Any, counts: Any, **_: Any) -> list[tuple[str, ...]]:
    """The most fine groupings a scan can have: one per request, deciding all its conditions."""
    needs = {tuple(sorted({*r.groups, *(condition_columns(r.where) if r.where is not None else ())}))
             for r in aggregates}
    return sorted(needs | {(c.dimension,) if c.dimension is not None else () for c in coverage})


def _one_set_for_all(aggregates: Any, coverage: Any, counts: Any, **_: Any) -> list[tuple[str, ...]]:
    """A single fine grouping, by every column any request reads."""
    return [tuple(counts)]


LAYOUTS = {"chosen": choose_fine_sets, "one per need": _one_set_per_need, "one for all": _one_set_for_all}


@settings(settings.get_profile("differential"))
@given(data=datasets(), how=st.sampled_from(["rows", "csv", "parquet", "pandas", "json", "jsonl"]),
       layout=st.sampled_from(list(LAYOUTS)), seed=st.data())
def test_duckdb_answers_as_the_reference_engine(
    data: tuple[str, list[dict[str, Any]]], how: str, layout: str, seed: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory
) -> None:
    grain, rows = data
    text = seed.draw(directives(grain), label="directive")
    try:
        directive_dsl.loads(text)
    except DirectiveError:
        assume(False)
    folder = tmp_path_factory.mktemp("data")
    bound = _bind(rows, how, folder)
    expected = _evaluate(text, rows, "python")
    with mock.patch("directive_dsl.engines.duckdb.choose_fine_sets", LAYOUTS[layout]):
        actual = _evaluate(text, bound, "duckdb")
    if isinstance(expected, str) or isinstance(actual, str):
        assert expected == actual
        return
    assert_same_outcomes(expected, actual)
