"""Periods: parsing, labels, arithmetic, grains and time values from data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directive_dsl.periods import (
    GRAINS,
    Grain,
    Period,
    elapsed_fraction,
    finer,
    is_finer,
    parse_time_value,
    period_range,
)


def p(text: str) -> Period:
    found = Period.parse(text)
    assert found is not None, text
    return found


# --- grains -------------------------------------------------------------------


def test_grains_run_coarse_to_fine() -> None:
    assert GRAINS == ("year", "quarter", "month", "day")


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [("year", "month", "month"), ("day", "quarter", "day"), ("month", "month", "month")],
)
def test_finer(a: Grain, b: Grain, expected: Grain) -> None:
    assert finer(a, b) == expected
    assert finer(b, a) == expected


def test_is_finer_is_strict() -> None:
    assert is_finer("month", "year")
    assert not is_finer("year", "month")
    assert not is_finer("quarter", "quarter")


# --- parsing and labels -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "grain", "ordinal", "label"),
    [
        ("2026", "year", 2026, "2026"),
        ("1000", "year", 1000, "1000"),
        ("9999", "year", 9999, "9999"),
        ("2026-Q1", "quarter", 2026 * 4, "2026-Q1"),
        ("2026Q4", "quarter", 2026 * 4 + 3, "2026-Q4"),
        ("2026-q2", "quarter", 2026 * 4 + 1, "2026-Q2"),
        ("2026q3", "quarter", 2026 * 4 + 2, "2026-Q3"),
        ("2026-03", "month", 2026 * 12 + 2, "2026-03"),
        ("2026-12", "month", 2026 * 12 + 11, "2026-12"),
        ("2026-03-31", "day", dt.date(2026, 3, 31).toordinal(), "2026-03-31"),
        ("2024-02-29", "day", dt.date(2024, 2, 29).toordinal(), "2024-02-29"),
        (" 2026 ", "year", 2026, "2026"),
    ],
)
def test_parse(text: str, grain: Grain, ordinal: int, label: str) -> None:
    period = p(text)
    assert period == Period(grain, ordinal)
    assert period.label == label
    assert str(period) == label


@pytest.mark.parametrize(
    "text",
    [
        "",
        "26",
        "999",
        "0999",
        "10000",
        "2026-Q0",
        "2026-Q5",
        "2026-00",
        "2026-13",
        "2026-3",
        "2025-02-29",
        "2026-02-30",
        "2026-03-31T00:00:00",
        "２０２６",
        "2026.0",
        "2026-Q1-01",
        "Q1 2026",
        "year",
        "2026\n1",
    ],
)
def test_parse_refuses(text: str) -> None:
    assert Period.parse(text) is None


def test_constructors() -> None:
    assert Period.year(2026) == p("2026")
    assert Period.quarter(2026, 2) == p("2026-Q2")
    assert Period.month(2026, 11) == p("2026-11")
    assert Period.day(dt.date(2026, 3, 31)) == p("2026-03-31")
    assert Period.day(dt.datetime(2026, 3, 31, 18, 30)) == p("2026-03-31")
    with pytest.raises(ValueError, match="quarter must be 1 to 4, not 5"):
        Period.quarter(2026, 5)
    with pytest.raises(ValueError, match="month must be 1 to 12, not 0"):
        Period.month(2026, 0)


def test_order_within_a_grain_and_by_grain() -> None:
    assert p("2026") < p("2027")
    assert p("2026-Q4") < p("2027-Q1")
    assert p("2026-12") < p("2027-01")
    assert p("2026-12-31") < p("2027-01-01")
    mixed = [p("2026-03"), p("2026"), p("2025-Q1")]
    assert sorted(mixed) == [p("2026"), p("2025-Q1"), p("2026-03")]
    assert max([p("2026-Q2"), p("2027-Q1"), p("2026-Q4")]) == p("2027-Q1")


# --- arithmetic -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "n", "expected"),
    [
        ("2026", 4, "2030"),
        ("2026", -1, "2025"),
        ("2026-Q1", -1, "2025-Q4"),
        ("2026-Q4", 1, "2027-Q1"),
        ("2026-01", -1, "2025-12"),
        ("2026-11", 14, "2028-01"),
        ("2024-02-28", 1, "2024-02-29"),
        ("2026-12-31", 1, "2027-01-01"),
        ("2026-03", 0, "2026-03"),
    ],
)
def test_shift(text: str, n: int, expected: str) -> None:
    assert p(text).shift(n) == p(expected)


@pytest.mark.parametrize(
    ("text", "grain", "expected"),
    [
        ("2026-03-31", "month", "2026-03"),
        ("2026-03-31", "quarter", "2026-Q1"),
        ("2026-04-01", "quarter", "2026-Q2"),
        ("2026-12-31", "year", "2026"),
        ("2026-03", "quarter", "2026-Q1"),
        ("2026-07", "quarter", "2026-Q3"),
        ("2026-12", "year", "2026"),
        ("2026-Q4", "year", "2026"),
        ("2026", "year", "2026"),
    ],
)
def test_to_grain(text: str, grain: Grain, expected: str) -> None:
    assert p(text).to_grain(grain) == p(expected)


def test_to_a_finer_grain_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot turn year 2026 into a month: it is finer"):
        p("2026").to_grain("month")
    with pytest.raises(ValueError, match="cannot turn quarter 2026-Q1 into a day"):
        p("2026-Q1").to_grain("day")


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2026", "2026-01-01", "2026-12-31"),
        ("2026-Q1", "2026-01-01", "2026-03-31"),
        ("2026-Q4", "2026-10-01", "2026-12-31"),
        ("2024-02", "2024-02-01", "2024-02-29"),
        ("2026-12", "2026-12-01", "2026-12-31"),
        ("2026-03-31", "2026-03-31", "2026-03-31"),
        ("9999-Q4", "9999-10-01", "9999-12-31"),
    ],
)
def test_start_and_end_day(text: str, first: str, last: str) -> None:
    period = p(text)
    assert period.start_day() == dt.date.fromisoformat(first).toordinal()
    assert period.end_day() == dt.date.fromisoformat(last).toordinal()


def test_contains() -> None:
    year = p("2026")
    assert year.contains(year)
    assert year.contains(p("2026-Q3"))
    assert year.contains(p("2026-12"))
    assert year.contains(p("2026-12-31"))
    assert not year.contains(p("2027-01-01"))
    assert p("2026-Q1").contains(p("2026-03"))
    assert not p("2026-Q1").contains(p("2026-04"))
    assert not p("2026-03").contains(p("2026")), "a coarser period is never inside"


def test_period_range() -> None:
    assert period_range(p("2026"), p("2028")) == [p("2026"), p("2027"), p("2028")]
    assert [str(x) for x in period_range(p("2026-Q3"), p("2027-Q2"))] == [
        "2026-Q3",
        "2026-Q4",
        "2027-Q1",
        "2027-Q2",
    ]
    assert period_range(p("2026-03"), p("2026-03")) == [p("2026-03")]
    assert period_range(p("2027"), p("2026")) == []
    with pytest.raises(ValueError, match=r"period range 2026\.\.2026-03 mixes a year and a month"):
        period_range(p("2026"), p("2026-03"))


@pytest.mark.parametrize(
    ("start", "end", "at", "expected"),
    [
        ("2026", "2030", "2027", 2 / 5),
        ("2026", "2030", "2027-03", 15 / 60),
        ("2026", "2030", "2026-Q1", 1 / 20),
        ("2026", "2030", "2030", 1.0),
        ("2026", "2030", "2031", 1.0),
        ("2026", "2030", "2025", 0.0),
        ("2026", "2030", "2025-12", 0.0),
        ("2026-Q1", "2026-Q4", "2026-Q2", 0.5),
        ("2026", "2026", "2026-07-02", 183 / 365),
        ("2026-01", "2026-06", "2026", 1.0),
    ],
)
def test_elapsed_fraction(start: str, end: str, at: str, expected: float) -> None:
    assert elapsed_fraction(p(start), p(end), p(at)) == pytest.approx(expected)


def test_elapsed_fraction_of_a_backwards_window() -> None:
    with pytest.raises(ValueError, match=r"window 2030\.\.2026 ends before it starts"):
        elapsed_fraction(p("2030"), p("2026"), p("2027"))


# --- time values from data -------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2026, "2026"),
        (2026.0, "2026"),
        (Decimal("2026"), "2026"),
        ("2026", "2026"),
        (" 2026 ", "2026"),
        ("2026-Q1", "2026-Q1"),
        ("2026q1", "2026-Q1"),
        ("2026-03", "2026-03"),
        ("2026-03-31", "2026-03-31"),
        ("2026-03-31T00:00:00", "2026-03-31"),
        ("2026-03-31 00:00:00", "2026-03-31"),
        ("2026-03-31T23:59:59.999", "2026-03-31"),
        ("2026-03-31T10:00:00Z", "2026-03-31"),
        ("2026-03-31T10:00:00+02:00", "2026-03-31"),
        ("2026-03-31 10:00", "2026-03-31"),
        (dt.date(2026, 3, 31), "2026-03-31"),
        (dt.datetime(2026, 3, 31, 12), "2026-03-31"),
    ],
)
def test_parse_time_value(value: object, expected: str) -> None:
    assert parse_time_value(value) == p(expected)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        True,
        False,
        2026.5,
        999,
        10000,
        -2026,
        float("nan"),
        float("inf"),
        Decimal("NaN"),
        "2026-03-31T25",
        "next year",
        [2026],
        b"2026",
    ],
)
def test_parse_time_value_refuses(value: object) -> None:
    assert parse_time_value(value) is None


def test_parse_time_value_of_numpy_and_pandas() -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    assert parse_time_value(np.int64(2026)) == p("2026")
    assert parse_time_value(np.float64(2026.0)) == p("2026")
    assert parse_time_value(np.float64("nan")) is None
    assert parse_time_value(np.bool_(True)) is None
    assert parse_time_value(np.datetime64("2026-03-31")) == p("2026-03-31")
    assert parse_time_value(np.datetime64("2026-03-31T10:00:00.000000000")) == p("2026-03-31")
    assert parse_time_value(np.datetime64("NaT")) is None
    assert parse_time_value(pd.Timestamp("2026-03-31 10:00")) == p("2026-03-31")
    assert parse_time_value(pd.NaT) is None


# --- properties -------------------------------------------------------------------

_LIMITS: dict[str, tuple[int, int]] = {
    "year": (1000, 9999),
    "quarter": (1000 * 4, 9999 * 4 + 3),
    "month": (1000 * 12, 9999 * 12 + 11),
    "day": (dt.date(1000, 1, 1).toordinal(), dt.date(9999, 12, 31).toordinal()),
}


@st.composite
def periods(draw: st.DrawFn, grains: tuple[Grain, ...] = GRAINS) -> Period:
    grain = draw(st.sampled_from(grains))
    low, high = _LIMITS[grain]
    return Period(grain, draw(st.integers(low + 400, high - 400)))


@given(periods())
def test_parse_of_label_round_trips(period: Period) -> None:
    assert Period.parse(period.label) == period
    assert parse_time_value(period.label) == period


@given(periods(), st.integers(-400, 400))
def test_shift_back_and_forth(period: Period, n: int) -> None:
    assert period.shift(n).shift(-n) == period
    assert period.shift(n) == period.shift(n - 1).shift(1)
    assert (period.shift(n) > period) == (n > 0)


@given(periods(), st.sampled_from(GRAINS))
def test_to_grain_contains(period: Period, grain: Grain) -> None:
    if is_finer(grain, period.grain):
        with pytest.raises(ValueError):
            period.to_grain(grain)
        return
    outer = period.to_grain(grain)
    assert outer.grain == grain
    assert outer.contains(period)
    assert not outer.shift(1).contains(period)
    assert outer.start_day() <= period.start_day() <= period.end_day() <= outer.end_day()


@given(periods(("year", "quarter", "month")))
def test_periods_tile_the_calendar(period: Period) -> None:
    following = period.shift(1)
    assert following.start_day() == period.end_day() + 1
    day = Period("day", period.start_day())
    assert day.to_grain(period.grain) == period
    assert Period("day", period.end_day()).to_grain(period.grain) == period


@given(periods(), periods())
def test_elapsed_fraction_stays_in_bounds(a: Period, b: Period) -> None:
    start, end = (a, b) if a.start_day() <= b.end_day() else (b, a)
    if start.start_day() > end.end_day():
        return
    fraction = elapsed_fraction(start, end, a)
    assert 0.0 <= fraction <= 1.0
    assert elapsed_fraction(start, end, end) == 1.0
