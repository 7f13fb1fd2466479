"""SPEC §13.2–13.4 corners by hand: partial periods at quarter and day grain, leap years,
growth of a partial period, `fill 0` with a mean, and a rule reading two as-ofs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from semantics_support import approx, expect, rows_of, run, table


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(n) for n in range((last - first).days + 1)]


# ---------------------------------------------------------------- per quarter on monthly data

QUARTERLY = """
directive "Quarters"
  period 2025 to 2026
dataset sales
  time month
  measure value USD
rule quarterly: require sales.value >= 30 USD per quarter
rule grows: require growth(sales.value) >= 0% per quarter
"""

# 2025-01 .. 2026-05: month n (counting from 1) sells n; the as-of is 2026-05, inside 2026-Q2.
MONTHS = [f"{2025 + (n - 1) // 12}-{(n - 1) % 12 + 1:02d}" for n in range(1, 18)]
MONTH_VALUE = {month: float(n) for n, month in enumerate(MONTHS, start=1)}


def test_a_quarter_two_months_in_is_judged_on_those_months(engine: str) -> None:
    doc = run(QUARTERLY, {"sales": rows_of("month value", *MONTH_VALUE.items())}, engine)
    quarterly = table(doc, "quarterly")
    april_may = MONTH_VALUE["2026-04"] + MONTH_VALUE["2026-05"]
    expect(quarterly["2026-Q2",], "on_track", actual=april_may, threshold=30 * 2 / 3, target=30)
    coverage = quarterly["2026-Q2",]["coverage"]
    assert coverage["through"] == "2026-05" and coverage["fraction"] == approx(2 / 3)
    whole_q1 = sum(MONTH_VALUE[f"2026-{m:02d}"] for m in (1, 2, 3))
    expect(quarterly["2026-Q1",], "pass", actual=whole_q1, threshold=30, coverage=None)


def test_growth_of_a_partial_quarter_reads_the_same_months_of_the_quarter_before(engine: str) -> None:
    """April–May 2026 against January–February 2026, not against the whole first quarter."""
    doc = run(QUARTERLY, {"sales": rows_of("month value", *MONTH_VALUE.items())}, engine)
    grows = table(doc, "grows")
    now = MONTH_VALUE["2026-04"] + MONTH_VALUE["2026-05"]
    before = MONTH_VALUE["2026-01"] + MONTH_VALUE["2026-02"]
    expect(grows["2026-Q2",], "on_track", actual=(now / before - 1) * 100, threshold=0)
    q1 = sum(MONTH_VALUE[f"2026-{m:02d}"] for m in (1, 2, 3))
    q4 = sum(MONTH_VALUE[f"2025-{m:02d}"] for m in (10, 11, 12))
    expect(grows["2026-Q1",], "pass", actual=(q1 / q4 - 1) * 100)


# ---------------------------------------------------------------- per month and per year on daily data

DAILY = """
directive "Days"
  period 2023 to 2024
dataset visits
  time date
  measure count USD
rule monthly: require visits.count >= 1000 USD per month
rule month_grows: require growth(visits.count) >= 0% per month
rule yearly: require visits.count >= 36600 USD per year
rule year_grows: require growth(visits.count) >= 0% per year
"""


def daily_rows(last: date) -> tuple[list[dict[str, object]], dict[date, float]]:
    """One row a day from 2023-01-01 to *last*; day n (counting from 1) has n visitors."""
    value = {day: float(n) for n, day in enumerate(days(date(2023, 1, 1), last), start=1)}
    return rows_of("date count", *[(day.isoformat(), v) for day, v in value.items()]), value


def total(value: dict[date, float], first: date, last: date) -> float:
    return sum(v for day, v in value.items() if first <= day <= last)


def test_a_month_ten_days_in_is_judged_on_ten_days_of_thirty_one(engine: str) -> None:
    rows, value = daily_rows(date(2024, 3, 10))
    doc = run(DAILY, {"visits": rows}, engine)
    march = total(value, date(2024, 3, 1), date(2024, 3, 10))
    expect(table(doc, "monthly")["2024-03",], "on_track" if march >= 1000 * 10 / 31 else "off_track",
           actual=march, threshold=1000 * 10 / 31)
    coverage = table(doc, "monthly")["2024-03",]["coverage"]
    assert coverage["through"] == "2024-03-10" and coverage["fraction"] == approx(10 / 31)
    february = total(value, date(2024, 2, 1), date(2024, 2, 10))
    expect(table(doc, "month_grows")["2024-03",], "on_track", actual=(march / february - 1) * 100)


def test_the_same_part_of_a_shorter_month_ends_with_that_month(engine: str) -> None:
    """March 1–30 against February 1–29 (all of it): no day of March counts for February."""
    rows, value = daily_rows(date(2024, 3, 30))
    doc = run(DAILY, {"visits": rows}, engine)
    march = total(value, date(2024, 3, 1), date(2024, 3, 30))
    february = total(value, date(2024, 2, 1), date(2024, 2, 29))
    expect(table(doc, "month_grows")["2024-03",], "on_track", actual=(march / february - 1) * 100)


def test_a_leap_year_through_february_29_is_sixty_days_of_366(engine: str) -> None:
    rows, value = daily_rows(date(2024, 2, 29))
    doc = run(DAILY, {"visits": rows}, engine)
    yearly = table(doc, "yearly")
    so_far = total(value, date(2024, 1, 1), date(2024, 2, 29))
    expect(yearly["2024",], "on_track" if so_far >= 36600 * 60 / 366 else "off_track",
           actual=so_far, threshold=36600 * 60 / 366, target=36600)
    coverage = yearly["2024",]["coverage"]
    assert coverage["through"] == "2024-02-29" and coverage["fraction"] == approx(60 / 366)
    expect(yearly["2023",], "pass", actual=total(value, date(2023, 1, 1), date(2023, 12, 31)), coverage=None)


def test_growth_of_a_leap_year_to_february_29_reads_2023_to_february_28(engine: str) -> None:
    """January–February 2024 against January–February 2023: the same months, not the same
    number of days (which would reach into March 2023)."""
    rows, value = daily_rows(date(2024, 2, 29))
    doc = run(DAILY, {"visits": rows}, engine)
    now = total(value, date(2024, 1, 1), date(2024, 2, 29))
    before = total(value, date(2023, 1, 1), date(2023, 2, 28))
    # the report keeps 12 significant digits
    expect(table(doc, "year_grows")["2024",], "on_track", actual=pytest.approx((now / before - 1) * 100, rel=1e-11))


# ---------------------------------------------------------------- fill 0 with a mean

FILLED_MEAN = """
directive "Filled mean"
  period 2025 to 2026
dataset deals
  time month
  dimensions region
  measure size USD aggregate mean
  fill 0
rule typical: require deals.size[region] >= 5 USD per year
"""

# C: every month to 2026-04; A: every month but 2025-03; B: two months of 2025, nothing in 2026.
FILLED_ROWS = rows_of("month region size",
                      *[(f"{y}-{m:02d}", "C", 6.0) for y, last in ((2025, 12), (2026, 4)) for m in range(1, last + 1)],
                      *[(f"2025-{m:02d}", "A", float(m)) for m in range(1, 13) if m != 3],
                      *[(f"2026-{m:02d}", "A", 2.0 * m) for m in range(1, 5)],
                      ("2025-01", "B", 7.0), ("2025-02", "B", 9.0))


def test_fill_zero_with_a_mean_averages_the_rows_present_and_counts_a_quiet_year_as_zero(engine: str) -> None:
    doc = run(FILLED_MEAN, {"deals": FILLED_ROWS}, engine)
    typical = table(doc, "typical")
    a_2025 = [float(m) for m in range(1, 13) if m != 3]
    expect(typical["A", "2025"], "pass", actual=sum(a_2025) / len(a_2025), threshold=5,
           coverage={"through": "2025-12", "fraction": 1.0, "gaps": ["2025-03"]})
    a_2026 = [2.0 * m for m in range(1, 5)]
    expect(typical["A", "2026"], "on_track", actual=sum(a_2026) / len(a_2026), threshold=5)  # a mean is not scaled
    expect(typical["B", "2025"], "pass", actual=(7.0 + 9.0) / 2,
           coverage={"through": "2025-12", "fraction": 1.0, "gaps": [f"2025-{m:02d}" for m in range(3, 13)]})
    expect(typical["B", "2026"], "off_track", actual=0, threshold=5, gap=5)


# ---------------------------------------------------------------- one rule, two as-ofs

TWO_AS_OFS = """
directive "Two sources"
  period 2025 to 2026
dataset exports
  time month
  measure value USD
dataset imports
  time month
  measure value USD
  as of 2026-04
rule balance: require exports.value >= imports.value per year
rule together: require exports.value + imports.value >= 1200 USD per year
rule alone: require exports.value >= 600 USD per year
"""

EXPORT_VALUE = {month: 50.0 + n for n, month in enumerate(MONTHS[:18], start=1)}  # to 2026-05
EXPORT_VALUE["2026-06"] = 1000.0
IMPORT_VALUE = {month: 40.0 + 2 * n for n, month in enumerate(MONTHS, start=1)}  # to 2026-05, read to 2026-04


def test_a_rule_reading_two_sources_waits_for_the_later_one(engine: str) -> None:
    data = {"exports": rows_of("month value", *EXPORT_VALUE.items()),
            "imports": rows_of("month value", *IMPORT_VALUE.items())}
    doc = run(TWO_AS_OFS, data, engine)
    as_of = {r["id"]: r["as_of"] for r in doc["rules"]}
    assert as_of == {"balance": "2026-04", "together": "2026-04", "alone": "2026-06"}
    to_april = [f"2026-{m:02d}" for m in range(1, 5)]
    exports = sum(EXPORT_VALUE[m] for m in to_april)
    imports = sum(IMPORT_VALUE[m] for m in to_april)
    # both sides through April, compared as they are
    expect(table(doc, "balance")["2026",], "on_track" if exports >= imports else "off_track",
           actual=exports, threshold=imports)
    assert table(doc, "balance")["2026",]["coverage"]["through"] == "2026-04"
    expect(table(doc, "together")["2026",], "on_track" if exports + imports >= 400 else "off_track",
           actual=exports + imports, threshold=1200 * 4 / 12)
    # the rule reading exports alone sees June too: half of 600
    to_june = sum(EXPORT_VALUE[f"2026-{m:02d}"] for m in range(1, 7))
    expect(table(doc, "alone")["2026",], "on_track", actual=to_june, threshold=300)
    whole_2025 = [f"2025-{m:02d}" for m in range(1, 13)]
    expect(table(doc, "balance")["2025",], "pass", actual=sum(EXPORT_VALUE[m] for m in whole_2025),
           threshold=sum(IMPORT_VALUE[m] for m in whole_2025))


# ---------------------------------------------------------------- incomplete months on daily data

DAILY_REGIONS = """
directive "Days by region"
  period 2024 to 2024
dataset visits
  time date
  dimensions region
  measure count USD
rule strict: require visits.count[region] >= 10 USD per month
@incomplete allow
rule allowed: require visits.count[region] >= 10 USD per month
rule quarter_grows: require growth(visits.count[region]) >= 0% per quarter
"""


def test_a_day_without_rows_makes_a_month_incomplete_and_a_quarter_compares_the_same_days(engine: str) -> None:
    """A reports every day to 2024-05-31; B skips 2024-01-15. Q2 through May 31 is compared with
    January 1 to February 29 (the same months of Q1, February's last day for the 31st)."""
    value = {(day, region): float(n % 7 + (3 if region == "B" else 1))
             for n, day in enumerate(days(date(2024, 1, 1), date(2024, 5, 31)))
             for region in ("A", "B") if (day, region) != (date(2024, 1, 15), "B")}
    rows = rows_of("date region count", *[(day.isoformat(), region, v) for (day, region), v in value.items()])
    doc = run(DAILY_REGIONS, {"visits": rows}, engine)

    def total(region: str, first: date, last: date) -> float:
        return sum(v for (day, r), v in value.items() if r == region and first <= day <= last)

    expect(table(doc, "strict")["B", "2024-01"], "missing", reason="incomplete: no data for 2024-01-15")
    expect(table(doc, "strict")["A", "2024-01"], "pass", actual=total("A", date(2024, 1, 1), date(2024, 1, 31)))
    expect(table(doc, "allowed")["B", "2024-01"], "pass", actual=total("B", date(2024, 1, 1), date(2024, 1, 31)),
           coverage={"through": "2024-01-31", "fraction": 1.0, "gaps": ["2024-01-15"]})
    expect(table(doc, "strict")["B", "2024-02"], "pass", actual=total("B", date(2024, 2, 1), date(2024, 2, 29)))
    now = total("A", date(2024, 4, 1), date(2024, 5, 31))
    before = total("A", date(2024, 1, 1), date(2024, 2, 29))
    grows = table(doc, "quarter_grows")["A", "2024-Q2"]
    expect(grows, "on_track" if now >= before else "off_track",
           actual=pytest.approx((now / before - 1) * 100, rel=1e-11))
    assert grows["coverage"]["through"] == "2024-05-31" and grows["coverage"]["fraction"] == approx(61 / 91)
    # B's Q1, the comparison's base, lacks a day: its growth has no base to compare with
    expect(table(doc, "quarter_grows")["B", "2024-Q2"], "missing", reason="incomplete: no data for 2024-01-15")
