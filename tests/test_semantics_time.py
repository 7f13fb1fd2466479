"""SPEC §7.1 and §7.5 by hand: window, as-of, `per`, `in`, `in total`, `by` and its paths."""

from __future__ import annotations

import directive_dsl
from semantics_support import approx, expect, keys, rows_of, run, table

WINDOW = """
directive "Window"
  period 2026 to 2030
dataset fdi
  time year
  measure amount USD
rule py:
  require fdi.amount >= 100 USD per year
rule sub:
  require fdi.amount >= 100 USD per year from 2027 to 2030
rule in27:
  require fdi.amount >= 100 USD in 2027
rule in29:
  require fdi.amount >= 100 USD in 2029
"""

WINDOW_ROWS = rows_of("year amount", (2025, 500), (2026, 120), (2027, 90), (2028, 150))


def test_per_year_covers_the_window_up_to_the_as_of(engine: str) -> None:
    """Window 2026–2030, data to 2028: outcomes 2026–2028 (2025 is outside, 2029–2030 after the as-of)."""
    doc = run(WINDOW, {"fdi": WINDOW_ROWS}, engine)
    assert doc["directive"]["window"] == {"from": "2026", "to": "2030"}
    assert doc["directive"]["as_of"] == "2028"
    py = table(doc, "py")
    assert list(py) == [("2026",), ("2027",), ("2028",)]
    expect(py["2026",], "pass", actual=120, threshold=100, group={})
    expect(py["2027",], "fail", actual=90, threshold=100, gap=10)
    expect(py["2028",], "pass", actual=150, threshold=100)
    assert keys(doc, "sub") == [("2027",), ("2028",)]
    expect(table(doc, "in27")["2027",], "fail", actual=90, threshold=100, gap=10)


def test_in_a_period_after_the_latest_data_is_pending(engine: str) -> None:
    doc = run(WINDOW, {"fdi": WINDOW_ROWS}, engine)
    (outcome,) = table(doc, "in29").values()
    expect(outcome, "pending", period="2029")
    assert not [v for v in doc["violations"] if v["rule"] == "in29"]


def test_caller_as_of_evaluates_as_if_later_data_did_not_exist(engine: str) -> None:
    doc = run(WINDOW, {"fdi": WINDOW_ROWS}, engine, as_of="2027")
    assert doc["directive"]["as_of"] == "2027"
    assert keys(doc, "py") == [("2026",), ("2027",)]
    assert keys(doc, "sub") == [("2027",)]
    expect(table(doc, "in29")["2029",], "pending")


def test_caller_as_of_after_the_data_reports_the_missing_years(engine: str) -> None:
    doc = run(WINDOW, {"fdi": WINDOW_ROWS}, engine, as_of="2029")
    py = table(doc, "py")
    assert list(py) == [("2026",), ("2027",), ("2028",), ("2029",)]
    expect(py["2029",], "missing", actual=None, threshold=100)
    assert py["2029",]["reason"].startswith("no data")
    expect(table(doc, "in29")["2029",], "missing", actual=None)


def test_caller_window_overrides_the_header(engine: str) -> None:
    doc = run(WINDOW, {"fdi": WINDOW_ROWS}, engine, window="2027..2028")
    assert doc["directive"]["window"] == {"from": "2027", "to": "2028"}
    assert keys(doc, "py") == [("2027",), ("2028",)]


def test_without_a_window_the_periods_present_in_the_data(engine: str) -> None:
    text = WINDOW.replace('directive "Window"\n  period 2026 to 2030\n', "")
    doc = run(text, {"fdi": WINDOW_ROWS}, engine)
    assert doc["directive"]["window"] == {"from": "2025", "to": "2028"}
    py = table(doc, "py")
    assert list(py) == [("2025",), ("2026",), ("2027",), ("2028",)]
    expect(py["2025",], "pass", actual=500, threshold=100)


def test_as_of_is_the_earliest_of_the_rule_datasets(engine: str) -> None:
    """a has data to 2027, b to 2026: the rule runs to 2026, the latest that all its data reached
    (SPEC §13.3); 2027 waits for b instead of being missing."""
    text = """
    directive "Two"
      period 2026 to 2030
    dataset a
      time year
      measure v USD
    dataset b
      time year
      measure v USD
    rule r:
      require a.v >= b.v per year
    """
    data = {"a": rows_of("year v", (2026, 5), (2027, 6)), "b": rows_of("year v", (2026, 4))}
    doc = run(text, data, engine)
    got = table(doc, "r")
    assert list(got) == [("2026",)]
    expect(got["2026",], "pass", actual=5, threshold=4)
    assert doc["rules"][0]["as_of"] == "2026"


def test_per_month_and_per_quarter_labels(engine: str) -> None:
    """Monthly data to 2027-04. Periods are labelled 2027-03, 2027-Q1, 2027; `in 2027-Q2` is that quarter.

    The period holding the as-of (2027-Q2, 2027) is partial (SPEC §13.4): judged on the data so
    far against the part of the threshold due by 2027-04, on or off track, never pass or fail.
    """
    text = """
    directive "Monthly"
      period 2027 to 2027
    dataset m
      time month
      measure v USD
    rule monthly:
      require m.v >= 10 USD per month
    rule quarterly:
      require m.v >= 25 USD per quarter
    rule yearly:
      require m.v >= 40 USD per year
    rule q2:
      require m.v >= 25 USD in 2027-Q2
    """
    data = rows_of("month v", ("2027-01", 10), ("2027-02", 9), ("2027-03", 12), ("2027-04", 20))
    doc = run(text, {"m": data}, engine)
    monthly = table(doc, "monthly")
    assert list(monthly) == [("2027-01",), ("2027-02",), ("2027-03",), ("2027-04",)]
    expect(monthly["2027-02",], "fail", actual=9, threshold=10, gap=1)
    quarterly = table(doc, "quarterly")
    assert list(quarterly) == [("2027-Q1",), ("2027-Q2",)]
    expect(quarterly["2027-Q1",], "pass", actual=31, threshold=25)
    expect(quarterly["2027-Q2",], "on_track", actual=20, threshold=approx(25 / 3), target=25,
           coverage={"through": "2027-04", "fraction": approx(1 / 3)})
    expect(table(doc, "yearly")["2027",], "on_track", actual=51, threshold=approx(40 / 3),
           coverage={"through": "2027-04", "fraction": approx(1 / 3)})
    expect(table(doc, "q2")["2027-Q2",], "on_track", actual=20, threshold=approx(25 / 3))
    assert doc["directive"]["as_of"] == "2027-04"


# ---------------------------------------------------------------- in total

TOTAL = """
directive "Total"
  period 2026 to 2029
dataset fdi
  time year
  measure amount USD
rule tot:
  require fdi.amount >= 200 USD in total
rule bare:
  require fdi.amount >= 200 USD
"""


def test_in_total_before_the_end_is_judged_on_the_pro_rata_path(engine: str) -> None:
    """As of 2027, half of 2026–2029 has passed: the path is 100 of 200; 30 + 20 = 50 is off track by 50.

    2025 (before the window) does not count. No time clause means `in total`.
    """
    data = rows_of("year amount", (2025, 1000), (2026, 30), (2027, 20))
    doc = run(TOTAL, {"fdi": data}, engine)
    for rule in ("tot", "bare"):
        got = table(doc, rule)
        assert list(got) == [("2026..2029",)]
        expect(
            got["2026..2029",],
            "off_track",
            actual=50,
            threshold=100,
            gap=50,
            target=200,
            deadline="2029",
        )
    violation = next(v for v in doc["violations"] if v["rule"] == "tot")
    assert violation["severity"] == "warning"
    assert doc["summary"]["status"] == "warn"


def test_in_total_ahead_of_the_pro_rata_path_is_on_track(engine: str) -> None:
    data = rows_of("year amount", (2026, 60), (2027, 50))
    doc = run(TOTAL, {"fdi": data}, engine)
    expect(
        table(doc, "tot")["2026..2029",],
        "on_track",
        actual=110,
        threshold=100,
        target=200,
        deadline="2029",
    )
    assert doc["violations"] == []
    assert doc["summary"]["status"] == "pass"


def test_in_total_pro_rata_counts_quarters(engine: str) -> None:
    """Quarterly data to 2027-Q2: 6 of 16 quarters, path 200 × 6/16 = 75; 6 × 10 = 60 is 15 short."""
    data = rows_of(
        "year amount",
        *[(f"{y}-Q{q}", 10) for y in (2026, 2027) for q in (1, 2, 3, 4) if (y, q) <= (2027, 2)],
    )
    got = table(run(TOTAL, {"fdi": data}, engine), "tot")
    expect(got["2026..2029",], "off_track", actual=60, threshold=75, gap=15, target=200)


def test_in_total_at_the_end_of_the_window(engine: str) -> None:
    """Data past the window: only 2026–2029 count (4 × 60 = 240), judged pass/fail against the full 200."""
    data = rows_of("year amount", (2025, 1000), *[(y, 60) for y in range(2026, 2030)], (2030, 1000))
    doc = run(TOTAL, {"fdi": data}, engine)
    expect(table(doc, "tot")["2026..2029",], "pass", actual=240, threshold=200)
    data = rows_of("year amount", *[(y, 40) for y in range(2026, 2030)])
    expect(
        table(run(TOTAL, {"fdi": data}, engine), "tot")["2026..2029",],
        "fail",
        actual=160,
        threshold=200,
        gap=40,
    )


def test_in_total_with_a_threshold_from_data_is_not_pro_rated(engine: str) -> None:
    """Both sides are totals so far (2026–2027): a = 30, b = 25; the threshold stays 25, on track."""
    text = """
    directive "Totals"
      period 2026 to 2029
    dataset a
      time year
      measure v USD
    dataset b
      time year
      measure v USD
    rule r:
      require a.v >= b.v in total
    """
    data = {
        "a": rows_of("year v", (2026, 10), (2027, 20)),
        "b": rows_of("year v", (2026, 20), (2027, 5)),
    }
    expect(table(run(text, data, engine), "r")["2026..2029",], "on_track", actual=30, threshold=25)


# ---------------------------------------------------------------- by

DEADLINE = """
directive "Deadline"
  period 2026 to 2030
dataset x
  time year
  measure v USD
rule plain:
  require x.v >= 100 USD by 2030
rule from_data:
  require x.v >= 100 USD by 2030 from 2025
rule stated:
  require x.v >= 100 USD by 2030 from 30 USD in 2025
"""


def test_by_before_the_deadline_without_baseline_is_pending(engine: str) -> None:
    """As of 2027, no baseline: pending, for the as-of period, with the target as threshold."""
    data = rows_of("year v", (2025, 40), (2026, 50), (2027, 70))
    doc = run(DEADLINE, {"x": data}, engine)
    (outcome,) = table(doc, "plain").values()
    expect(outcome, "pending", period="2027", actual=70, threshold=100, deadline="2030")
    assert not [v for v in doc["violations"] if v["rule"] == "plain"]


def test_by_before_the_deadline_on_the_straight_line_path(engine: str) -> None:
    """Baseline 40 in 2025 (from data): path in 2027 = 40 + (100 − 40) × 2/5 = 64; 70 is on track.

    Stated baseline 30 in 2025: path = 30 + 70 × 2/5 = 58.
    """
    data = rows_of("year v", (2025, 40), (2026, 50), (2027, 70))
    doc = run(DEADLINE, {"x": data}, engine)
    (from_data,) = table(doc, "from_data").values()
    expect(
        from_data, "on_track", period="2027", actual=70, threshold=64, target=100, deadline="2030"
    )
    (stated,) = table(doc, "stated").values()
    expect(stated, "on_track", period="2027", actual=70, threshold=58, target=100, deadline="2030")
    assert doc["violations"] == []


def test_by_behind_the_path_is_off_track_as_a_warning(engine: str) -> None:
    """2027 = 60: 4 below the path 64 (off track, a warning whatever the severity); above 58 (on track)."""
    data = rows_of("year v", (2025, 40), (2026, 50), (2027, 60))
    doc = run(DEADLINE, {"x": data}, engine)
    expect(
        table(doc, "from_data")["2027",],
        "off_track",
        actual=60,
        threshold=64,
        gap=4,
        target=100,
        deadline="2030",
    )
    expect(table(doc, "stated")["2027",], "on_track", actual=60, threshold=58)
    (violation,) = doc["violations"]
    assert violation["rule"] == "from_data" and violation["severity"] == "warning"
    assert doc["summary"]["status"] == "warn"
    assert doc["summary"]["off_track"] == 1 and doc["summary"]["on_track"] == 1


def test_by_when_the_deadline_is_reached(engine: str) -> None:
    """As of 2031 the deadline has passed: one pass/fail outcome for 2030 (2031 plays no part)."""
    met = rows_of("year v", (2025, 40), (2029, 10), (2030, 120), (2031, 10))
    doc = run(DEADLINE, {"x": met}, engine)
    for rule in ("plain", "from_data", "stated"):
        got = table(doc, rule)
        assert list(got) == [("2030",)]
        expect(got["2030",], "pass", actual=120, threshold=100)
    missed = rows_of("year v", (2025, 40), (2030, 80))
    doc = run(DEADLINE, {"x": missed}, engine)
    for rule in ("plain", "from_data", "stated"):
        expect(table(doc, rule)["2030",], "fail", actual=80, threshold=100, gap=20)


def test_by_with_a_baseline_missing_from_the_data(engine: str) -> None:
    """`from 2025` with no 2025 row: the path cannot be drawn, the outcome is missing."""
    data = rows_of("year v", (2026, 50), (2027, 70))
    doc = run(DEADLINE, {"x": data}, engine)
    outcome = table(doc, "from_data")["2027",]
    expect(outcome, "missing", actual=None)
    assert "2025" in outcome["reason"]
    expect(table(doc, "stated")["2027",], "on_track", actual=70, threshold=58)


SHARE = """
directive "Belarus–China"
  period 2026 to 2030
dataset exports
  time year
  dimensions partner
  measure value USD
let cn_exports = exports.value[partner = "CN"]
@severity warning
rule cn_share:
  require share(cn_exports, exports.value) >= 10% by 2030 from 4.1% in 2025
"""


def test_share_by_2030_from_a_stated_percentage(engine: str) -> None:
    """Path in 2027 = 4.1 + (10 − 4.1) × 2/5 = 6.46%. 6% is 0.46 points behind; 7% is on track."""
    behind = rows_of("year partner value", (2027, "CN", 6), (2027, "DE", 94))
    doc = run(SHARE, {"exports": behind}, engine)
    expect(
        table(doc, "cn_share")["2027",],
        "off_track",
        actual=6,
        threshold=6.46,
        gap=0.46,
        target=10,
        deadline="2030",
        unit="%",
    )
    assert doc["violations"][0]["severity"] == "warning"
    ahead = rows_of("year partner value", (2027, "CN", 7), (2027, "DE", 93))
    expect(
        table(run(SHARE, {"exports": ahead}, engine), "cn_share")["2027",],
        "on_track",
        actual=7,
        threshold=6.46,
        target=10,
    )


def test_by_before_the_baseline_period_is_pending(engine: str) -> None:
    """As of 2024, before the 2025 baseline: no path yet to judge the pace by, so pending (not extrapolated)."""
    doc = run(DEADLINE, {"x": rows_of("year v", (2024, 12))}, engine)
    for rule in ("plain", "from_data", "stated"):
        (outcome,) = table(doc, rule).values()
        expect(outcome, "pending", period="2024", actual=12, threshold=100, deadline="2030")
    assert doc["violations"] == []


def test_quarterly_deadline_and_baseline(engine: str) -> None:
    """`by 2027-Q4 from 2026-Q4` as of 2027-Q2: path = 50 + (100 − 50) × 2/4 = 75; 70 is 5 behind."""
    text = """
    dataset x
      time quarter
      measure v USD
    rule r:
      require x.v >= 100 USD by 2027-Q4 from 2026-Q4
    """
    data = rows_of("quarter v", ("2026-Q3", 40), ("2026-Q4", 50), ("2027-Q2", 70))
    expect(
        table(run(text, {"x": data}, engine), "r")["2027-Q2",],
        "off_track",
        actual=70,
        threshold=75,
        gap=5,
        target=100,
        deadline="2027-Q4",
    )


def test_data_without_a_time_column_holds_in_every_period_of_the_window(engine: str) -> None:
    """A table with no time column has one value per group whatever the period.

    With a window, its rules are judged over the window's periods (the as-of
    is the window's end) rather than left pending for want of dated rows.
    """
    text = """
    directive "Static"
      period 2026 to 2027
    dataset x
      dimensions k
      measure v USD
    rule each:
      require x.v[k] >= 10 USD per year
    rule whole:
      require x.v >= 10 USD in total
    """
    doc = run(text, {"x": rows_of("k v", ("a", 12), ("b", 3))}, engine)
    each = table(doc, "each")
    assert list(each) == [("a", "2026"), ("a", "2027"), ("b", "2026"), ("b", "2027")]
    expect(each["a", "2027"], "pass", actual=12, threshold=10)
    expect(each["b", "2026"], "fail", actual=3, threshold=10, gap=7)
    expect(table(doc, "whole")["2026..2027",], "pass", actual=15, threshold=10)


def test_in_total_pro_rata_applies_to_totals_only(engine: str) -> None:
    """A mean, a last value or a share over the window so far is compared with the whole target.

    SPEC §7.5's path "from zero" (half the window elapsed: half the total)
    describes a total. A mean rate of 4.5% is not on track for a 5% target
    because 4.5 ≥ 5 × 2/4; it is behind it by 0.5. The same for a share and
    for a stock read with `last`. (A reading the SPEC leaves open.)
    """
    text = """
    directive "Rates"
      period 2026 to 2029
    dataset q
      time year
      dimensions partner
      measure rate % aggregate mean
      measure value USD
    rule mean_rate:
      require q.rate >= 5% in total
    rule latest_value:
      require last(q.value) >= 10 USD in total
    rule cn_share:
      require share(q.value[partner = "CN"], q.value) >= 10% in total
    rule doubled:
      require 2 * q.value - q.value[partner = "CN"] >= 100 USD in total
    """
    data = rows_of(
        "year partner rate value",
        (2026, "CN", 4, 1),
        (2026, "DE", 4, 9),
        (2027, "CN", 5, 1),
        (2027, "DE", 5, 9),
    )
    doc = run(text, {"q": data}, engine)
    expect(
        table(doc, "mean_rate")["2026..2029",],
        "off_track",
        actual=4.5,
        threshold=5,
        gap=0.5,
        target=5,
        deadline="2029",
        unit="%",
    )
    expect(
        table(doc, "latest_value")["2026..2029",], "on_track", actual=10, threshold=10, target=10
    )
    expect(table(doc, "cn_share")["2026..2029",], "on_track", actual=10, threshold=10, target=10)
    # a total built from sums is pro-rated: 2 × 20 − 2 = 38 against 100 × 2/4 = 50
    expect(
        table(doc, "doubled")["2026..2029",],
        "off_track",
        actual=38,
        threshold=50,
        gap=12,
        target=100,
    )


def test_deadline_finer_than_mixed_grain_data_is_pending_at_the_last_sub_period(engine: str) -> None:
    """Yearly and monthly rows mixed: the as-of (2020) is coarser than the deadline's month."""
    directive = directive_dsl.loads("require trade.amount >= 1 by 2023-02", "t.directive")
    rows = [{"time": "2020", "amount": 1.0}, {"time": "2020-01", "amount": 2.0}]
    report = directive.evaluate({"trade": rows}, engine=engine)
    assert [(o.period, o.status) for o in report.outcomes] == [("2020-12", "pending")]
