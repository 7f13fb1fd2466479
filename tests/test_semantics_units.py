"""SPEC §6, §7.3 and §8 by hand: conversion to the threshold's unit, magnitudes, derived units, %."""

from __future__ import annotations

import pytest

from semantics_support import expect, rows_of, run, table

DAIRY = """
directive "Dairy"
  period 2026 to 2027
dataset ex
  time year
  dimensions partner, product
  measure quantity kg
{unit}
rule dairy:
  require ex.quantity[partner = "CN", product = "0402"] >= 50 kt per year
"""

DAIRY_ROWS = rows_of(
    "year partner product quantity",
    (2026, "CN", "0402", 60_000_000),
    (2026, "CN", "0401", 1_000_000),
    (2027, "CN", "0402", 45_000_000),
)


@pytest.mark.parametrize("unit", ["unit kt = 1000 t", ""], ids=["declared-kt", "built-in-kt"])
def test_kilograms_judged_and_reported_in_kilotonnes(engine: str, unit: str) -> None:
    """60,000,000 kg = 60 kt (pass); 45,000,000 kg = 45 kt, 5 kt short. Numbers in kt."""
    got = table(run(DAIRY.format(unit=unit), {"ex": DAIRY_ROWS}, engine), "dairy")
    expect(got["2026",], "pass", actual=60, threshold=50, unit="kt")
    expect(got["2027",], "fail", actual=45, threshold=50, gap=5, unit="kt")


def test_tonnes_against_kilograms(engine: str) -> None:
    """A measure in t against `500 kg`: 0.4 t = 400 kg, 100 kg short; 0.5 t meets it exactly."""
    text = """
    dataset w
      time year
      measure mass t
    rule r:
      require w.mass >= 500 kg per year
    """
    got = table(run(text, {"w": rows_of("year mass", (2026, 0.4), (2027, 0.5))}, engine), "r")
    expect(got["2026",], "fail", actual=400, threshold=500, gap=100, unit="kg")
    expect(got["2027",], "pass", actual=500, threshold=500, unit="kg")


def test_million_usd_measure(engine: str) -> None:
    """`measure cgdpo million USD`: 1.5 is 1,500,000 USD; `>= 2 million USD` is reported in USD."""
    text = """
    dataset pwt
      time year
      dimensions isocode
      measure cgdpo million USD
    rule r:
      require pwt.cgdpo[isocode] >= 2 million USD in 2026
    """
    data = rows_of("year isocode cgdpo", (2026, "BLR", 1.5), (2026, "CHN", 2.5))
    got = table(run(text, {"pwt": data}, engine), "r")
    expect(
        got["BLR", "2026"], "fail", actual=1_500_000, threshold=2_000_000, gap=500_000, unit="USD"
    )
    expect(got["CHN", "2026"], "pass", actual=2_500_000, threshold=2_000_000, unit="USD")


def test_derived_measure_in_million_usd(engine: str) -> None:
    """`exports = csh_x * cgdpo` (csh_x unitless, cgdpo in million USD): 0.5×3 + 0.2×5 = 2.5 million USD."""
    text = """
    dataset pwt
      time year
      measure csh_x
      measure cgdpo million USD
      measure exports = csh_x * cgdpo
    rule r:
      require pwt.exports >= 3 million USD in 2026
    """
    data = rows_of("year csh_x cgdpo", (2026, 0.5, 3), (2026, 0.2, 5))
    got = table(run(text, {"pwt": data}, engine), "r")
    expect(got["2026",], "fail", actual=2_500_000, threshold=3_000_000, gap=500_000, unit="USD")


BAGS = """
directive "Coffee"
  period 2026 to 2026
unit bag60 = 60 kg
dataset coffee
  time year
  measure value thousand bag60
rule tonnes:
  require coffee.value >= 100 t in 2026
rule bags:
  require coffee.value >= 3000 bag60 in 2026
"""


def test_derived_unit_with_a_magnitude(engine: str) -> None:
    """2 thousand bag60 = 2000 × 60 kg = 120 t (pass `>= 100 t`); against `3000 bag60`: 1000 bags short."""
    doc = run(BAGS, {"coffee": rows_of("year value", (2026, 2))}, engine)
    expect(table(doc, "tonnes")["2026",], "pass", actual=120, threshold=100, unit="t")
    expect(table(doc, "bags")["2026",], "fail", actual=2000, threshold=3000, gap=1000, unit="bag60")


def test_percent_reported_as_percents(engine: str) -> None:
    """`between 5% and 15%` on a share of 12.5%: actual 12.5, thresholds 5 and 15 (not 0.125)."""
    text = """
    dataset ex
      time year
      dimensions partner
      measure value USD
    rule r:
      require share(ex.value[partner = "CN"], ex.value) between 5% and 15% in 2026
    """
    data = rows_of("year partner value", (2026, "CN", 1), (2026, "DE", 7))
    got = table(run(text, {"ex": data}, engine), "r")
    expect(got["2026",], "pass", actual=12.5, threshold=5, unit="%", upper=15)


@pytest.mark.parametrize(
    ("threshold", "unit", "status", "gap"),
    [("50 kt", "kt", "pass", None), ("50000 t", "t", "fail", 49_940)],
)
def test_measure_of_unknown_unit_takes_the_unit_next_to_it(
    engine: str, threshold: str, unit: str, status: str, gap: float | None
) -> None:
    """An undeclared unit beside `50 kt` reads as kt (60 kt); beside `50000 t` it reads as t (60 t)."""
    text = f"""
    dataset q
      time year
      measure quantity
    rule r:
      require q.quantity >= {threshold} in 2026
    """
    got = table(run(text, {"q": rows_of("year quantity", (2026, 60))}, engine), "r")
    expect(
        got["2026",], status, actual=60, threshold=float(threshold.split()[0]), gap=gap, unit=unit
    )


def test_unknown_unit_measure_against_million_usd(engine: str) -> None:
    """A bare measure next to `150 million USD` is read in USD (not million USD): 120e6 is 30e6 short."""
    text = """
    dataset fdi
      time year
      dimensions region
    rule r:
      require fdi[region] >= 150 million USD per year
    """
    data = rows_of("year region amount", (2026, "Minsk", 120e6), (2026, "Brest", 150e6))
    got = table(run(text, {"fdi": data}, engine), "r")
    expect(got["Minsk", "2026"], "fail", actual=120e6, threshold=150e6, gap=30e6, unit="USD")
    expect(got["Brest", "2026"], "pass", actual=150e6, threshold=150e6, unit="USD")


def test_compound_unit_price_per_tonne(engine: str) -> None:
    """value / quantity in USD per kg, judged in USD/t: 30,000 USD / 50,000 kg = 600 USD/t."""
    text = """
    dataset ex
      time year
      measure value USD
      measure quantity kg
    rule price:
      require ex.value / ex.quantity >= 700 USD/t in 2026
    """
    data = rows_of("year value quantity", (2026, 20_000, 20_000), (2026, 10_000, 30_000))
    got = table(run(text, {"ex": data}, engine), "price")
    expect(got["2026",], "fail", actual=600, threshold=700, gap=100, unit="USD/t")


def test_left_unit_reported_when_the_threshold_is_read_from_data(engine: str) -> None:
    """Both sides in kg, threshold from data: values are reported in kg (the threshold's unit)."""
    text = """
    dataset ex
      time year
      dimensions product
      measure quantity kg
    rule r:
      require ex.quantity[product = "A"] >= ex.quantity[product = "B"] in 2026
    """
    data = rows_of("year product quantity", (2026, "A", 3000), (2026, "B", 3500))
    got = table(run(text, {"ex": data}, engine), "r")
    expect(got["2026",], "fail", actual=3000, threshold=3500, gap=500, unit="kg")


def test_plain_number_against_a_share_is_dimensionless(engine: str) -> None:
    """`share(a, b) >= 10` means 1000%: the plain number is read as it is, and reported in the
    left side's unit, % (SPEC §13.1): 12.5% against 1000%."""
    text = """
    dataset ex
      time year
      dimensions partner
      measure value USD
    rule r:
      require share(ex.value[partner = "CN"], ex.value) >= 10 in 2026
    """
    data = rows_of("year partner value", (2026, "CN", 1), (2026, "DE", 7))
    got = table(run(text, {"ex": data}, engine), "r")
    expect(got["2026",], "fail", actual=12.5, threshold=1000, gap=987.5, unit="%")
