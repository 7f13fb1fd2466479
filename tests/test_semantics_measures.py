"""SPEC §5–§7 by hand: derived measures, aggregates, share/growth/change/at, alignment, selectors."""

from __future__ import annotations

from semantics_support import approx, expect, keys, rows_of, run, table

# ---------------------------------------------------------------- derived measures

GAPMINDER = """
directive "Derived"
  period 2026 to 2026
dataset gm
  time year
  dimensions country
  measure pop
  measure gdpPercap USD
  measure gdp = pop * gdpPercap
rule world:
  require gm.gdp >= 1500 USD in 2026
rule each:
  require gm.gdp[country] >= 1000 USD in 2026
"""


def test_derived_measure_is_a_sum_of_products(engine: str) -> None:
    """gdp = pop × gdpPercap row by row: 10×20 + 30×40 = 1400 (the product of sums would be 2400).

    C's product is unknown (pop unknown), so C is missing "no values" and adds nothing to the total.
    """
    data = rows_of(
        "year country pop gdpPercap",
        (2026, "A", 10, 20),
        (2026, "B", 30, 40),
        (2026, "C", None, 5),
    )
    doc = run(GAPMINDER, {"gm": data}, engine)
    expect(table(doc, "world")["2026",], "fail", actual=1400, threshold=1500, gap=100, unit="USD")
    each = table(doc, "each")
    expect(each["A", "2026"], "fail", actual=200, threshold=1000, gap=800)
    expect(each["B", "2026"], "pass", actual=1200, threshold=1000)
    expect(each["C", "2026"], "missing", actual=None, threshold=1000)
    assert each["C", "2026"]["reason"].startswith("no values")


def test_derived_measure_with_a_constant_and_mean(engine: str) -> None:
    """`measure net = gross - 2 USD`, then mean over rows: ((10-2) + (20-2)) / 2 = 13."""
    text = """
    dataset s
      time year
      measure gross USD
      measure net = gross - 2 USD
    rule m:
      require mean(s.net) >= 14 USD in 2026
    """
    data = rows_of("year gross", (2026, 10), (2026, 20))
    expect(
        table(run(text, {"s": data}, engine), "m")["2026",], "fail", actual=13, threshold=14, gap=1
    )


# ---------------------------------------------------------------- aggregates

RESERVES = """
directive "Reserves"
  period 2026 to 2027
dataset res
  time month
  dimensions country
  measure reserves USD aggregate last
rule declared:
  require res.reserves[country] >= 100 USD per year
rule s:
  require sum(res.reserves[country]) >= 100 USD per year
rule mn:
  require mean(res.reserves[country]) >= 100 USD per year
rule lo:
  require min(res.reserves[country]) >= 100 USD per year
rule hi:
  require max(res.reserves[country]) >= 100 USD per year
rule f:
  require first(res.reserves[country]) >= 100 USD per year
rule l:
  require last(res.reserves[country]) >= 100 USD per year
rule n:
  require count(res[country]) >= 3 per year
"""

RESERVES_ROWS = rows_of(
    "month country reserves",
    ("2026-06", "X", 80),
    ("2026-01", "X", 50),
    ("2026-12", "X", 120),
    ("2027-03", "X", 90),
    ("2027-05", "X", 70),
)


def test_every_aggregate_over_monthly_reserves_judged_per_year(engine: str) -> None:
    """2026: 50, 80, 120 (Jan, Jun, Dec); 2027: 90, 70 (Mar, May; the as-of is 2027-05).

    The rows are not in time order: first/last follow the time column, not the row order.
    2027 is partial (SPEC §13.4): on or off track, the sum's and the count's threshold
    scaled to the five months covered, the others' compared as they are.
    """
    doc = run(RESERVES, {"res": RESERVES_ROWS}, engine)
    want = {
        "declared": (120, 70),  # the declared aggregate is last
        "s": (250, 160),
        "mn": (250 / 3, 80),
        "lo": (50, 70),
        "hi": (120, 90),
        "f": (50, 90),
        "l": (120, 70),
        "n": (3, 2),
    }
    for rule, (y2026, y2027) in want.items():
        got = table(doc, rule)
        assert list(got) == [("X", "2026"), ("X", "2027")], rule
        whole = 3 if rule == "n" else 100
        for period, value in (("2026", y2026), ("2027", y2027)):
            partial = period == "2027"
            threshold = whole * 5 / 12 if partial and rule in ("s", "n") else whole
            met, missed = ("on_track", "off_track") if partial else ("pass", "fail")
            if value >= threshold:
                expect(got["X", period], met, actual=approx(value), threshold=approx(threshold))
            else:
                expect(got["X", period], missed, actual=approx(value), threshold=approx(threshold),
                       gap=approx(threshold - value))
    assert doc["directive"]["as_of"] == "2027-05"


def test_last_skips_an_unknown_value_at_the_latest_time(engine: str) -> None:
    """The latest month's value is unknown: `last` takes the latest known value (aggregates skip unknowns)."""
    data = [*RESERVES_ROWS, {"month": "2027-06", "country": "X", "reserves": None}]
    doc = run(RESERVES, {"res": data}, engine)
    # 2027 is partial (through June): on or off track, the count's threshold half of 3
    expect(table(doc, "l")["X", "2027"], "off_track", actual=70, threshold=100, gap=30)
    expect(table(doc, "n")["X", "2027"], "on_track", actual=3, threshold=1.5)


def test_last_without_grouping_adds_the_groups_at_the_latest_time(engine: str) -> None:
    """Ungrouped `last`: the value at the latest time is the sum of the rows at that time (X + Y in December)."""
    text = """
    directive "Reserves"
      period 2026 to 2026
    dataset res
      time month
      dimensions country
      measure reserves USD aggregate last
    rule national:
      require res.reserves >= 200 USD per year
    rule opening:
      require first(res.reserves) >= 200 USD per year
    """
    data = rows_of(
        "month country reserves",
        ("2026-01", "X", 50),
        ("2026-01", "Y", 10),
        ("2026-12", "X", 120),
        ("2026-12", "Y", 30),
    )
    doc = run(text, {"res": data}, engine)
    expect(table(doc, "national")["2026",], "fail", actual=150, threshold=200, gap=50)
    expect(table(doc, "opening")["2026",], "fail", actual=60, threshold=200, gap=140)


def test_last_over_the_whole_window(engine: str) -> None:
    """`in total` with `last`: the value at the latest time inside the window (2027-05), not the sum."""
    text = (
        RESERVES
        + """
rule stock:
  require res.reserves[country] >= 100 USD in total
"""
    )
    got = table(run(text, {"res": RESERVES_ROWS}, engine, as_of="2027-12"), "stock")
    assert list(got) == [("X", "2026..2027")]
    expect(got["X", "2026..2027"], "fail", actual=70, threshold=100, gap=30)


# ---------------------------------------------------------------- share, growth, change, at

EXPORTS = """
directive "Share"
  period 2026 to 2027
dataset ex
  time year
  dimensions partner
  measure value USD
rule sh:
  require share(ex.value[partner = "CN"], ex.value) >= 10% per year
"""


def test_share_is_a_percentage(engine: str) -> None:
    """2026: 5 / 50 = 10% (pass at the boundary); 2027: 4 / 50 = 8%, 2 points short. Numbers in percents."""
    data = rows_of(
        "year partner value",
        (2026, "CN", 5),
        (2026, "DE", 45),
        (2027, "CN", 4),
        (2027, "DE", 46),
    )
    got = table(run(EXPORTS, {"ex": data}, engine), "sh")
    expect(got["2026",], "pass", actual=10, threshold=10, unit="%")
    expect(got["2027",], "fail", actual=8, threshold=10, gap=2, unit="%")


def test_share_of_zero_is_missing_division_by_zero(engine: str) -> None:
    """No exports at all in 2026 (rows with value 0): the share divides by zero and is missing."""
    data = rows_of(
        "year partner value", (2026, "CN", 0), (2026, "DE", 0), (2027, "CN", 1), (2027, "DE", 1)
    )
    got = table(run(EXPORTS, {"ex": data}, engine), "sh")
    expect(got["2026",], "missing", actual=None)
    assert "division by zero" in got["2026",]["reason"]
    expect(got["2027",], "pass", actual=50, threshold=10)


GROWTH = """
directive "Growth"
  period 2026 to 2027
dataset fdi
  time year
  measure amount USD
rule gr:
  require growth(fdi.amount) >= 10% per year
rule ch:
  require change(fdi.amount) >= 10 USD per year
"""


def test_growth_and_change_read_the_year_before_the_window(engine: str) -> None:
    """2025: 100, 2026: 115, 2027: 120. Growth 2026 = 15% (from 2025, outside the window); 2027 = 120/115 − 1."""
    data = rows_of("year amount", (2025, 100), (2026, 115), (2027, 120))
    doc = run(GROWTH, {"fdi": data}, engine)
    gr, ch = table(doc, "gr"), table(doc, "ch")
    assert list(gr) == [("2026",), ("2027",)]
    g2027 = (120 / 115 - 1) * 100
    expect(gr["2026",], "pass", actual=15, threshold=10, unit="%")
    expect(gr["2027",], "fail", actual=g2027, threshold=10, gap=10 - g2027, unit="%")
    expect(ch["2026",], "pass", actual=15, threshold=10, unit="USD")
    expect(ch["2027",], "fail", actual=5, threshold=10, gap=5)


def test_growth_without_the_previous_year_is_missing(engine: str) -> None:
    """No 2025 row: growth in 2026 is missing "no data" (the previous year is the calendar one, never 2024)."""
    data = rows_of("year amount", (2024, 100), (2026, 115), (2027, 138))
    doc = run(GROWTH, {"fdi": data}, engine)
    gr = table(doc, "gr")
    expect(gr["2026",], "missing", actual=None, threshold=10)
    assert gr["2026",]["reason"].startswith("no data")
    assert "2025" in gr["2026",]["reason"]
    expect(gr["2027",], "pass", actual=20, threshold=10)


def test_growth_from_zero_is_missing_division_by_zero(engine: str) -> None:
    data = rows_of("year amount", (2025, 0), (2026, 115), (2027, 115))
    gr = table(run(GROWTH, {"fdi": data}, engine), "gr")
    expect(gr["2026",], "missing", actual=None)
    assert "division by zero" in gr["2026",]["reason"]
    expect(gr["2027",], "fail", actual=0, threshold=10, gap=10)


def test_quarterly_growth_compares_with_the_quarter_before(engine: str) -> None:
    """2027-Q1 is compared with 2026-Q4 (before the window): 90/100 − 1 = −10%; 2027-Q2: 99/90 − 1 = 10%."""
    text = """
    directive "Quarterly"
      period 2027 to 2027
    dataset q
      time quarter
      measure amount USD
    rule gr:
      require growth(q.amount) >= 0% per quarter
    rule yoy:
      require growth(q.amount) >= 0% per year
    """
    data = rows_of(
        "quarter amount",
        ("2026-Q1", 50),
        ("2026-Q2", 50),
        ("2026-Q3", 100),
        ("2026-Q4", 100),
        ("2027-Q1", 90),
        ("2027-Q2", 99),
    )
    doc = run(text, {"q": data}, engine)
    gr = table(doc, "gr")
    assert list(gr) == [("2027-Q1",), ("2027-Q2",)]
    expect(gr["2027-Q1",], "fail", actual=-10, threshold=0, gap=10)
    expect(gr["2027-Q2",], "pass", actual=10, threshold=0)
    # per year: 2027 so far (90 + 99 = 189) against the same part of 2026 (50 + 50), not its
    # whole (SPEC §13.4): +89%, on track
    expect(table(doc, "yoy")["2027",], "on_track", actual=approx(89), threshold=0,
           coverage={"through": "2027-Q2", "fraction": 0.5})


def test_at_is_a_constant_across_the_rule_periods(engine: str) -> None:
    """`x >= x at 2019 per year`: each region's 2026 and 2027 against its own 2019.

    A: 2019 = 100, 2026 = 90 (fail), 2027 = 110 (pass). B has no row in 2027 (missing).
    C has no 2019 row: its threshold is missing, so the outcome is missing (actual null per SPEC §10).
    """
    text = """
    directive "Tourism"
      period 2026 to 2027
    dataset tour
      time year
      dimensions region
      measure arrivals
    rule recover:
      require tour.arrivals[region] >= tour.arrivals[region] at 2019 per year
    """
    data = rows_of(
        "year region arrivals",
        (2019, "A", 100),
        (2026, "A", 90),
        (2027, "A", 110),
        (2019, "B", 50),
        (2026, "B", 60),
        (2026, "C", 30),
        (2027, "C", 40),
    )
    got = table(run(text, {"tour": data}, engine), "recover")
    assert list(got) == [
        ("A", "2026"),
        ("A", "2027"),
        ("B", "2026"),
        ("B", "2027"),
        ("C", "2026"),
        ("C", "2027"),
    ]
    expect(got["A", "2026"], "fail", actual=90, threshold=100, gap=10, unit=None)
    expect(got["A", "2027"], "pass", actual=110, threshold=100)
    expect(got["B", "2026"], "pass", actual=60, threshold=50)
    expect(got["B", "2027"], "missing", actual=None, threshold=50)
    expect(got["C", "2026"], "missing", actual=None, threshold=None)
    assert "2019" in got["C", "2026"]["reason"]


def test_at_a_quarter_in_a_yearly_rule(engine: str) -> None:
    """`x at 2026-Q4` is the value in that quarter, whatever the rule's grain: 2027 (all quarters) ≥ 4 × Q4 2026."""
    text = """
    directive "At quarter"
      period 2027 to 2027
    dataset q
      time quarter
      measure amount USD
    rule r:
      require q.amount >= 4 * q.amount at 2026-Q4 per year
    """
    data = rows_of(
        "quarter amount",
        ("2026-Q4", 30),
        ("2027-Q1", 25),
        ("2027-Q2", 25),
        ("2027-Q3", 30),
        ("2027-Q4", 35),
    )
    got = table(run(text, {"q": data}, engine), "r")
    expect(got["2027",], "fail", actual=115, threshold=120, gap=5)


# ---------------------------------------------------------------- alignment and selectors

FDI = """
directive "Alignment"
  period 2026 to 2026
dataset inv
  time year
  dimensions region, partner
  measure amount USD
let fdi = inv.amount[partner = "CN"]
rule part:
  require fdi[region] / fdi >= 0.3 in 2026
"""


def test_broadcast_of_a_region_over_the_national_total(engine: str) -> None:
    """`fdi[region] / fdi`: each region's part of the national CN total (100): A 0.6, B 0.3, C 0.1.

    D only has DE investment: 0 / 100 = 0.
    """
    data = rows_of(
        "year region partner amount",
        (2026, "A", "CN", 60),
        (2026, "B", "CN", 30),
        (2026, "C", "CN", 10),
        (2026, "A", "DE", 1000),
        (2026, "D", "DE", 5),
    )
    got = table(run(FDI, {"inv": data}, engine), "part")
    assert list(got) == [("A", "2026"), ("B", "2026"), ("C", "2026"), ("D", "2026")]
    expect(got["A", "2026"], "pass", actual=0.6, threshold=0.3, unit=None)
    expect(got["B", "2026"], "pass", actual=0.3, threshold=0.3)
    expect(got["C", "2026"], "fail", actual=0.1, threshold=0.3, gap=0.2)
    expect(got["D", "2026"], "fail", actual=0, threshold=0.3, gap=0.3)


TRADE = """
directive "Trade"
  period 2026 to 2026
dataset exports
  time year
  dimensions region, kind
  measure value USD
dataset imports
  time year
  dimensions region
  measure value USD
rule balance:
  require exports.value[region] - imports.value[region] >= 0 USD in 2026
rule compound:
  require (exports.value - imports.value)[region] >= 0 USD in 2026
"""

GOODS = """
rule goods:
  require (exports.value - imports.value)[kind = "goods", region] >= 0 USD in 2026
"""

TRADE_DATA = {
    "exports": rows_of(
        "year region kind value",
        (2026, "A", "goods", 100),
        (2026, "A", "services", 50),
        (2026, "B", "goods", 40),
        (2026, "C", "goods", 10),
    ),
    "imports": rows_of("year region value", (2026, "A", 120), (2026, "B", 60)),
}


def test_operands_from_two_datasets_align_by_dimension_name(engine: str) -> None:
    """A: 150 − 120 = 30; B: 40 − 60 = −20; C has no import row in 2026: missing "no data"."""
    got = table(run(TRADE, TRADE_DATA, engine), "balance")
    assert list(got) == [("A", "2026"), ("B", "2026"), ("C", "2026")]
    expect(got["A", "2026"], "pass", actual=30, threshold=0)
    expect(got["B", "2026"], "fail", actual=-20, threshold=0, gap=20)
    expect(got["C", "2026"], "missing", actual=None, threshold=0)
    assert got["C", "2026"]["reason"].startswith("no data")


def test_selector_on_a_compound_expression(engine: str) -> None:
    """`(a - b)[region]` groups both measures: the same outcomes as grouping each."""
    doc = run(TRADE, TRADE_DATA, engine)
    compound = table(doc, "compound")
    expect(compound["A", "2026"], "pass", actual=30, threshold=0)
    expect(compound["B", "2026"], "fail", actual=-20, threshold=0, gap=20)
    expect(compound["C", "2026"], "missing", actual=None, threshold=0)


def test_condition_on_a_compound_expression_filters_only_where_the_column_exists(
    engine: str,
) -> None:
    """`(a - b)[kind = "goods", region]`: only exports has `kind`, so only exports is filtered.

    goods: A 100 − 120 = −20; B 40 − 60 = −20; C missing (no import row).
    """
    doc = run(TRADE + GOODS, TRADE_DATA, engine)
    goods = table(doc, "goods")
    expect(goods["A", "2026"], "fail", actual=-20, threshold=0, gap=20)
    expect(goods["B", "2026"], "fail", actual=-20, threshold=0, gap=20)
    expect(goods["C", "2026"], "missing", actual=None)


def test_outcome_order_follows_groups_then_periods(engine: str) -> None:
    text = FDI.replace("in 2026", "per year").replace("period 2026 to 2026", "period 2026 to 2027")
    data = rows_of(
        "year region partner amount",
        (2027, "B", "CN", 30),
        (2026, "B", "CN", 30),
        (2027, "A", "CN", 60),
        (2026, "A", "CN", 60),
    )
    doc = run(text, {"inv": data}, engine)
    assert keys(doc, "part") == [("A", "2026"), ("A", "2027"), ("B", "2026"), ("B", "2027")]
