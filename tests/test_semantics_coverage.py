"""SPEC §6–§7.2 by hand: expected groups, zero versus missing, domains, narrowing, unknown values."""

from __future__ import annotations

import math
from pathlib import Path

from semantics_support import expect, keys, rows_of, run, table

INVESTMENTS = """
directive "Coverage"
  period 2026 to 2027
dataset inv
  time year
  dimensions region, partner
  measure amount USD
rule sum_cn:
  require inv.amount[partner = "CN", region] >= 100 USD per year
rule mean_cn:
  require mean(inv.amount[partner = "CN", region]) >= 100 USD per year
rule min_cn:
  require min(inv.amount[partner = "CN", region]) >= 100 USD per year
rule max_cn:
  require max(inv.amount[partner = "CN", region]) >= 100 USD per year
rule count_cn:
  require count(inv[partner = "CN", region]) >= 1 per year
"""

# Region A has Chinese investment both years; region B has rows in 2026 (from DE only)
# and no row at all in 2027.
INV_ROWS = rows_of(
    "year region partner amount",
    (2026, "A", "CN", 150),
    (2026, "B", "DE", 50),
    (2027, "A", "CN", 40),
    (2027, "A", "CN", 20),
)


def test_empty_selection_is_zero_for_sum_and_count(engine: str) -> None:
    """B in 2026 has rows, none from CN: the sum and the count are 0 (covered, nothing happened)."""
    doc = run(INVESTMENTS, {"inv": INV_ROWS}, engine)
    got = table(doc, "sum_cn")
    assert keys(doc, "sum_cn") == [("A", "2026"), ("A", "2027"), ("B", "2026"), ("B", "2027")]
    expect(got["A", "2026"], "pass", actual=150, threshold=100, gap=None, unit="USD")
    expect(got["A", "2027"], "fail", actual=60, threshold=100, gap=40)
    expect(got["B", "2026"], "fail", actual=0, threshold=100, gap=100, reason=None)
    count = table(doc, "count_cn")
    expect(count["A", "2026"], "pass", actual=1, threshold=1)
    expect(count["A", "2027"], "pass", actual=2, threshold=1)
    expect(count["B", "2026"], "fail", actual=0, threshold=1, gap=1, unit=None)


def test_no_row_for_the_group_in_the_period_is_missing_no_data(engine: str) -> None:
    """B has no row at all in 2027: every aggregate is missing with reason "no data"."""
    doc = run(INVESTMENTS, {"inv": INV_ROWS}, engine)
    for rule in ("sum_cn", "mean_cn", "min_cn", "max_cn", "count_cn"):
        outcome = table(doc, rule)["B", "2027"]
        expect(outcome, "missing", actual=None)
        assert outcome["reason"].startswith("no data"), outcome


def test_empty_selection_is_missing_for_mean_min_max(engine: str) -> None:
    """B in 2026 has rows but none match: mean, min and max have nothing to aggregate."""
    doc = run(INVESTMENTS, {"inv": INV_ROWS}, engine)
    for rule in ("mean_cn", "min_cn", "max_cn"):
        outcome = table(doc, rule)["B", "2026"]
        expect(outcome, "missing", actual=None, threshold=100)
        assert not outcome["reason"].startswith("no data"), outcome
    expect(table(doc, "mean_cn")["A", "2027"], "fail", actual=30, threshold=100, gap=70)
    expect(table(doc, "min_cn")["A", "2027"], "fail", actual=20, threshold=100, gap=80)
    expect(table(doc, "max_cn")["A", "2027"], "fail", actual=40, threshold=100, gap=60)
    expect(table(doc, "max_cn")["A", "2026"], "pass", actual=150, threshold=100)


def test_missing_is_a_violation_with_threshold_and_reason(engine: str) -> None:
    doc = run(INVESTMENTS, {"inv": INV_ROWS}, engine)
    missing = [v for v in doc["violations"] if v["rule"] == "sum_cn" and v["status"] == "missing"]
    assert len(missing) == 1
    (v,) = missing
    assert v["group"] == {"region": "B"} and v["period"] == "2027"
    assert v["actual"] is None and v["threshold"] == 100.0 and v["gap"] is None
    assert v["severity"] == "error"


def test_period_with_no_row_at_all_is_missing_for_an_ungrouped_rule(engine: str) -> None:
    """Without groups, a period of the window with no row in the dataset is missing "no data"."""
    text = """
    directive "Gap year"
      period 2026 to 2028
    dataset inv
      time year
      dimensions partner
      measure amount USD
    rule cn:
      require inv.amount[partner = "CN"] >= 10 USD per year
    """
    data = rows_of("year partner amount", (2026, "CN", 12), (2028, "DE", 5))
    got = table(run(text, {"inv": data}, engine), "cn")
    assert list(got) == [("2026",), ("2027",), ("2028",)]
    expect(got["2026",], "pass", actual=12, threshold=10)
    expect(got["2027",], "missing", actual=None, threshold=10)
    assert got["2027",]["reason"].startswith("no data")
    expect(got["2028",], "fail", actual=0, threshold=10, gap=10)


# ---------------------------------------------------------------- domains


DOMAIN = """
directive "Domain"
  period 2026 to 2026
dataset inv
  time year
  dimensions region, partner
  measure amount USD
domain region = ["A", "B", "C"]
rule regions:
  require inv.amount[partner = "CN", region] >= 100 USD per year
"""


def test_domain_adds_expected_groups_with_no_data(engine: str) -> None:
    """C is in the domain but not in the data: missing "no data". Z is in the data but not the domain: no outcome."""
    data = rows_of(
        "year region partner amount",
        (2026, "A", "CN", 120),
        (2026, "B", "DE", 10),
        (2026, "Z", "CN", 999),
    )
    doc = run(DOMAIN, {"inv": data}, engine)
    got = table(doc, "regions")
    assert list(got) == [("A", "2026"), ("B", "2026"), ("C", "2026")]
    expect(got["A", "2026"], "pass", actual=120, threshold=100)
    expect(got["B", "2026"], "fail", actual=0, threshold=100, gap=100)
    expect(got["C", "2026"], "missing", actual=None, threshold=100)
    assert got["C", "2026"]["reason"].startswith("no data")
    assert got["C", "2026"]["group"] == {"region": "C"}


def test_expected_groups_without_domain_are_the_values_seen_unfiltered(engine: str) -> None:
    """Without a domain the regions are those seen in the dataset before any filter: B (DE only) is expected."""
    text = DOMAIN.replace('domain region = ["A", "B", "C"]\n', "")
    data = rows_of("year region partner amount", (2026, "A", "CN", 120), (2026, "B", "DE", 10))
    got = table(run(text, {"inv": data}, engine), "regions")
    assert list(got) == [("A", "2026"), ("B", "2026")]
    expect(got["B", "2026"], "fail", actual=0, threshold=100, gap=100)


# ---------------------------------------------------------------- narrowing

PWT = """
directive "LDC"
  period 2026 to 2026
dataset pwt
  time year
  dimensions isocode
  measure rgdpna USD
let LDC = ["AFG", "BGD", "ZZZ"]
{domain}
rule ldc:
  require pwt.rgdpna[isocode in LDC, isocode] >= 10 USD per year
rule ldc_growth:
  require growth(pwt.rgdpna[isocode in LDC, isocode]) >= 5% per year
"""

PWT_ROWS = rows_of(
    "year isocode rgdpna",
    (2025, "AFG", 10),
    (2026, "AFG", 12),
    (2025, "BGD", 8),
    (2026, "BGD", 8),
    (2025, "USA", 100),
    (2026, "USA", 150),
    (2025, "FRA", 100),
    (2026, "FRA", 90),
)


def test_condition_in_the_same_selector_narrows_expected_values(engine: str) -> None:
    """Only the listed codes that are seen are expected: AFG and BGD (ZZZ is not seen, USA/FRA not listed)."""
    doc = run(PWT.format(domain=""), {"pwt": PWT_ROWS}, engine)
    got = table(doc, "ldc")
    assert list(got) == [("AFG", "2026"), ("BGD", "2026")]
    expect(got["AFG", "2026"], "pass", actual=12, threshold=10)
    expect(got["BGD", "2026"], "fail", actual=8, threshold=10, gap=2)
    growth = table(doc, "ldc_growth")
    assert list(growth) == [("AFG", "2026"), ("BGD", "2026")]
    expect(growth["AFG", "2026"], "pass", actual=20, threshold=5, unit="%")
    expect(growth["BGD", "2026"], "fail", actual=0, threshold=5, gap=5, unit="%")


def test_narrowing_with_a_domain_expects_every_listed_value(engine: str) -> None:
    """With `domain isocode = LDC`, ZZZ (listed, never seen) is expected and missing."""
    doc = run(PWT.format(domain="domain isocode = LDC"), {"pwt": PWT_ROWS}, engine)
    got = table(doc, "ldc")
    assert list(got) == [("AFG", "2026"), ("BGD", "2026"), ("ZZZ", "2026")]
    expect(got["ZZZ", "2026"], "missing", actual=None, threshold=10)
    assert got["ZZZ", "2026"]["reason"].startswith("no data")
    growth = table(doc, "ldc_growth")
    expect(growth["ZZZ", "2026"], "missing", actual=None)


def test_narrowing_intersects_a_wider_domain(engine: str) -> None:
    """A domain listing more values than the condition keeps only those the condition accepts."""
    domain = 'domain isocode = ["AFG", "BGD", "USA", "ZZZ"]'
    got = table(run(PWT.format(domain=domain), {"pwt": PWT_ROWS}, engine), "ldc")
    assert list(got) == [("AFG", "2026"), ("BGD", "2026"), ("ZZZ", "2026")]


def test_condition_in_another_selector_does_not_narrow(engine: str) -> None:
    """`x[isocode in LDC][isocode]`: the filter is in a different selector, so every seen code is expected.

    SPEC §7.2 narrows only by "a condition in the same selector"; USA and FRA
    have rows in 2026 that the filter removes, so their sums are 0.
    """
    text = """
    directive "LDC"
      period 2026 to 2026
    dataset pwt
      time year
      dimensions isocode
      measure rgdpna USD
    let LDC = ["AFG", "BGD", "ZZZ"]
    rule ldc:
      require pwt.rgdpna[isocode in LDC][isocode] >= 10 USD per year
    """
    got = table(run(text, {"pwt": PWT_ROWS}, engine), "ldc")
    assert list(got) == [("AFG", "2026"), ("BGD", "2026"), ("FRA", "2026"), ("USA", "2026")]
    expect(got["USA", "2026"], "fail", actual=0, threshold=10, gap=10)


# ---------------------------------------------------------------- unknown values

UNKNOWN = """
directive "Unknown"
  period 2026 to 2026
dataset t
  time year
  dimensions region
  measure v USD
rule s:
  require t.v[region] >= 10 USD per year
rule mn:
  require mean(t.v[region]) >= 10 USD per year
rule mx:
  require max(t.v[region]) >= 10 USD per year
rule c:
  require count(t[region]) >= 3 per year
rule cv:
  require count(t.v[region]) >= 3 per year
"""


def test_unknown_values_are_skipped_and_all_unknown_is_no_values(engine: str) -> None:
    """Empty text, None and NaN are unknown: skipped by sum/mean/max, counted by count.

    A: 5 and three unknown cells; B: only unknown cells; C: 20 and 30.
    """
    data = rows_of(
        "year region v",
        (2026, "A", 5),
        (2026, "A", None),
        (2026, "A", ""),
        (2026, "A", math.nan),
        (2026, "B", None),
        (2026, "B", math.nan),
        (2026, "C", 20),
        (2026, "C", 30),
    )
    doc = run(UNKNOWN, {"t": data}, engine)
    s, mn, mx = table(doc, "s"), table(doc, "mn"), table(doc, "mx")
    expect(s["A", "2026"], "fail", actual=5, threshold=10, gap=5)
    expect(mn["A", "2026"], "fail", actual=5, threshold=10, gap=5)
    expect(mx["A", "2026"], "fail", actual=5, threshold=10, gap=5)
    for rule in (s, mn, mx):
        expect(rule["B", "2026"], "missing", actual=None, threshold=10)
        assert rule["B", "2026"]["reason"].startswith("no values"), rule["B", "2026"]
    expect(s["C", "2026"], "pass", actual=50, threshold=10)
    expect(mn["C", "2026"], "pass", actual=25, threshold=10)
    for rule in (table(doc, "c"), table(doc, "cv")):
        expect(rule["A", "2026"], "pass", actual=4, threshold=3)
        expect(rule["B", "2026"], "fail", actual=2, threshold=3, gap=1)
        expect(rule["C", "2026"], "fail", actual=2, threshold=3, gap=1)


def test_unknown_cells_in_a_csv_file(engine: str, tmp_path: Path) -> None:
    """An empty CSV cell and `NA` are unknown: the sum skips them, all unknown is "no values"."""
    path = tmp_path / "t.csv"
    path.write_text("year,region,v\n2026,A,4\n2026,A,\n2026,A,7\n2026,B,NA\n2026,B,\n")
    doc = run(UNKNOWN, {"t": str(path)}, engine)
    expect(table(doc, "s")["A", "2026"], "pass", actual=11, threshold=10)
    expect(table(doc, "mn")["A", "2026"], "fail", actual=5.5, threshold=10, gap=4.5)
    expect(table(doc, "s")["B", "2026"], "missing", actual=None)
    assert table(doc, "s")["B", "2026"]["reason"].startswith("no values")
    expect(table(doc, "c")["A", "2026"], "pass", actual=3, threshold=3)
    expect(table(doc, "c")["B", "2026"], "fail", actual=2, threshold=3, gap=1)


def test_two_dimensions_expect_the_combinations_that_occur(engine: str) -> None:
    """Two grouping dimensions: the groups are the combinations that occur together (SPEC §13.6),
    not the cross product, and a combination without a row in a period is missing.

    (A, CN) and (B, DE) occur; (A, DE) and (B, CN) never do and are no groups.
    2027: only (A, CN) has a row, so (B, DE) is missing.
    """
    text = """
    directive "Pairs"
      period 2026 to 2027
    dataset inv
      time year
      dimensions region, partner
      measure amount USD
    rule pairs:
      require inv.amount[region, partner] >= 1 USD per year
    """
    data = rows_of(
        "year region partner amount",
        (2026, "A", "CN", 10),
        (2026, "B", "DE", 20),
        (2027, "A", "CN", 5),
    )
    got = table(run(text, {"inv": data}, engine), "pairs")
    assert list(got) == [("A", "CN", "2026"), ("A", "CN", "2027"), ("B", "DE", "2026"), ("B", "DE", "2027")]
    expect(got["A", "CN", "2026"], "pass", actual=10, threshold=1)
    expect(got["B", "DE", "2026"], "pass", actual=20, threshold=1)
    expect(got["A", "CN", "2027"], "pass", actual=5, threshold=1)
    expect(got["B", "DE", "2027"], "missing", actual=None)
    assert got["B", "DE", "2027"]["reason"].startswith("no data"), got["B", "DE", "2027"]
    assert got["B", "DE", "2027"]["group"] == {"region": "B", "partner": "DE"}


def test_expected_values_include_those_seen_before_the_window(engine: str) -> None:
    """ "The values seen in the rule's datasets" are read from all of the data up to the as-of.

    A region last seen in 2010 is still expected in 2026 and reported missing:
    SPEC §7.2 limits the values neither to the window nor to recent periods.
    """
    text = """
    directive "Old"
      period 2026 to 2026
    dataset x
      time year
      dimensions k
      measure v USD
    rule r:
      require x.v[k] >= 10 USD per year
    """
    data = rows_of("year k v", (2010, "old", 1), (2026, "new", 12))
    got = table(run(text, {"x": data}, engine), "r")
    assert list(got) == [("new", "2026"), ("old", "2026")]
    expect(got["old", "2026"], "missing", actual=None, threshold=10)
