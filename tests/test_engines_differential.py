"""Every engine prints the reference engine's report, byte for byte (SPEC §13.1).

One comparison, two kinds of case, on every engine (python, duckdb, spark,
postgres; see conftest.py):

- every bundled example under examples/, read from its own files;
- directives and data drawn by Hypothesis: a dataset (gaps, unknown values,
  zeros, a grain of years, quarters or months, several dimensions) bound in
  one of the ways a caller can give it to that engine (rows, CSV, Parquet,
  JSON, a pandas or Spark DataFrame, a PostgreSQL table of numbers or of
  text), and directives from the language: aggregates, filters, groups,
  share/growth/change, ``at``, every time clause. DuckDB's scans are also
  drawn in other groupings than the one its cost model chooses.

What is compared is the whole JSON report, every outcome included, or the
error code; only the run's engine and time (and, for drawn data bound another
way than as rows, each dataset's source and hash) are set aside. Spark is
slow to start a query, so it sees a handful of drawn cases; the counts are set
per engine in DRAWN and by environment variables, and ``pytest -m slow`` runs
a long DuckDB version.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import directive_dsl
from conftest import ENGINES, in_ci_run, require
from directive_dsl.engines.duckdb.layout import choose_fine_sets
from directive_dsl.errors import DirectiveError
from directive_dsl.model import condition_columns
from engine_neutral import neutral_json

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/*.directive"))

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


def bind_file_or_frame(rows: list[dict[str, Any]], how: str, folder: Path) -> object:
    """*rows* as the caller gives them: as they are, or in a file or a pandas DataFrame."""
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
    func = draw(st.sampled_from(["", "", "sum", "mean", "min", "max", "first", "last", "count",
                                 "median", "quantile", "count_distinct", "distinct dimension"]))
    if func == "count":
        return f"count(trade[{', '.join(items)}])" if items else "count(trade)"
    if func == "quantile":
        return f"quantile({base}, {draw(st.sampled_from(['0', '0.1', '0.5', '0.9', '1', '25%']))})"
    if func == "distinct dimension":  # the partners (or kinds) with a row
        dimension = draw(st.sampled_from(["partner", "kind"]))
        return f"count_distinct(trade.{dimension}" + (f"[{', '.join(items)}])" if items else ")")
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


def assert_same_json(want: str, got: str) -> None:
    """Equal bytes; on a difference, the first line that differs rather than the whole document."""
    if got != want:
        for number, (a, b) in enumerate(zip(want.splitlines(), got.splitlines(), strict=False), 1):
            assert a == b, f"line {number}"
    assert got == want


def _one_set_per_need(aggregates: Any, coverage: Any, counts: Any, **_: Any) -> list[tuple[str, ...]]:
    """The most fine groupings a scan can have: one per request, deciding all its conditions."""
    needs = {tuple(sorted({*r.groups, *(condition_columns(r.where) if r.where is not None else ())}))
             for r in aggregates}
    return sorted(needs | {(c.dimension,) if c.dimension is not None else () for c in coverage})


def _one_set_for_all(aggregates: Any, coverage: Any, counts: Any, **_: Any) -> list[tuple[str, ...]]:
    """A single fine grouping, by every column any request reads."""
    return [tuple(counts)]


LAYOUTS = {"chosen": choose_fine_sets, "one per need": _one_set_per_need, "one for all": _one_set_for_all}


# ---------------------------------------------------------------- the bundled examples


@functools.cache
def _reference(path: Path) -> str:
    return neutral_json(directive_dsl.load(path).evaluate(engine="python"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_every_example_gives_the_reference_report(path: Path, engine: Any) -> None:
    """Read from the example's own files: every byte but the run's engine and time, the data's
    hashes and row counts included."""
    assert_same_json(_reference(path), neutral_json(directive_dsl.load(path).evaluate(engine=engine)))


# ---------------------------------------------------------------- drawn directives and data

#: Per engine: how many drawn cases CI compares (and the variable that changes it), and the ways
#: the data is given to it. The reference engine is compared with itself given rows.
DRAWN: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "python": ("DIRECTIVE_PYTHON_EXAMPLES", 100, ("csv", "parquet", "pandas", "json", "jsonl")),
    "duckdb": ("DIRECTIVE_DIFF_EXAMPLES", 2000, ("rows", "csv", "parquet", "pandas", "json", "jsonl")),
    "spark": ("DIRECTIVE_SPARK_EXAMPLES", 8, ("frame", "csv", "parquet", "json", "jsonl")),
    "postgres": ("DIRECTIVE_PG_EXAMPLES", 40, ("rows", "table", "text table")),
}
COLUMNS = ("time", "region", "partner", "kind", "amount", "qty")
Binder = Callable[[list[dict[str, Any]], str, Path], object]


def _spark_binder(session: Any) -> Binder:
    def bind(rows: list[dict[str, Any]], how: str, folder: Path) -> object:
        if how != "frame":
            return bind_file_or_frame(rows, how, folder)
        schema = "time string, region string, partner string, kind string, amount double, qty double"
        return session.createDataFrame([tuple(row[c] for c in COLUMNS) for row in rows], schema)
    return bind


def _postgres_binder(connection: Any) -> Binder:
    """Rows as they are, or in a table of numbers or of text (read as a data file's cells are)."""
    def bind(rows: list[dict[str, Any]], how: str, folder: Path) -> object:
        if how == "rows":
            return rows
        number = "text" if how == "text table" else "double precision"
        connection.execute("DROP TABLE IF EXISTS differential.drawn")
        connection.execute("CREATE TABLE differential.drawn (time text, region text, partner text, kind text,"
                           f" amount {number}, qty {number})")
        with connection.cursor() as cursor, cursor.copy("COPY differential.drawn FROM STDIN") as copy:
            for row in rows:
                cells = [row[c] for c in COLUMNS]
                if how == "text table":
                    cells[4:] = ["NA" if v is None else repr(v) for v in cells[4:]]
                copy.write_row(cells)
        return "differential.drawn"
    return bind


@contextlib.contextmanager
def _engine_and_binder(name: str, request: pytest.FixtureRequest) -> Iterator[tuple[Callable[[], Any], Binder]]:
    """A way to start engine *name* afresh for each case, and to give it the drawn rows."""
    if name == "spark":
        from directive_dsl.engines.spark import SparkEngine

        session = request.getfixturevalue("spark_session")
        yield (lambda: SparkEngine(session=session)), _spark_binder(session)
    elif name == "postgres":
        import psycopg

        from directive_dsl.engines.postgres import PostgresEngine

        dsn = request.getfixturevalue("postgres_dsn")
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute("DROP SCHEMA IF EXISTS differential CASCADE")
            connection.execute("CREATE SCHEMA differential")
            try:
                yield (lambda: PostgresEngine(dsn=dsn)), _postgres_binder(connection)
            finally:
                connection.execute("DROP SCHEMA differential CASCADE")
    else:
        yield (lambda: name), bind_file_or_frame


def _compare_drawn_cases(name: str, request: pytest.FixtureRequest, *, examples: int, derandomize: bool) -> None:
    folders: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
    layouts = st.sampled_from(list(LAYOUTS)) if name == "duckdb" else st.just("chosen")
    with _engine_and_binder(name, request) as (start, bind):

        @settings(max_examples=examples, deadline=None, derandomize=derandomize,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        @given(data=datasets(), how=st.sampled_from(DRAWN[name][2]), layout=layouts, seed=st.data())
        def compare(data: tuple[str, list[dict[str, Any]]], how: str, layout: str, seed: st.DataObject) -> None:
            grain, rows = data
            text = seed.draw(directives(grain), label="directive")
            try:
                directive_dsl.loads(text)
            except DirectiveError:
                assume(False)
            bound = bind(rows, how, folders.mktemp("data"))
            expected = report_json(text, rows, "python")
            engine = start()
            try:
                with mock.patch("directive_dsl.engines.duckdb.choose_fine_sets", LAYOUTS[layout]):
                    actual = report_json(text, bound, engine)
            finally:
                if not isinstance(engine, str):
                    engine.close()
            assert_same_json(expected, actual)

        compare()


@pytest.mark.parametrize("name", ENGINES)
def test_drawn_cases_give_the_reference_report(name: str, request: pytest.FixtureRequest) -> None:
    require(name)
    variable, default, _ = DRAWN[name]
    _compare_drawn_cases(name, request, examples=int(os.environ.get(variable, default)), derandomize=in_ci_run())


@pytest.mark.slow
def test_drawn_cases_give_the_reference_report_long(request: pytest.FixtureRequest) -> None:
    examples = int(os.environ.get("DIRECTIVE_DIFF_EXAMPLES_SLOW", "20000"))
    _compare_drawn_cases("duckdb", request, examples=examples, derandomize=False)
