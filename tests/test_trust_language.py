"""The language's meaning where a user met a wrong answer (SPEC §13.1): units of change, lets."""

from __future__ import annotations

from typing import Any

from semantics_support import expect, run, table

CHANGE = """
dataset e
  time year
  dimensions partner
  measure value USD
rule ch: require change(share(e.value[partner = "CN"], e.value)) >= 0 per year
rule pp: require change(share(e.value[partner = "CN"], e.value)) >= 1 pp per year
rule usd: require change(e.value) >= 0 per year
"""
ROWS = [{"year": 2025, "partner": "CN", "value": 40.0}, {"year": 2025, "partner": "DE", "value": 60.0},
        {"year": 2026, "partner": "CN", "value": 38.0}, {"year": 2026, "partner": "DE", "value": 62.0}]


def test_a_change_of_a_share_is_in_percentage_points(engine: Any) -> None:
    doc = run(CHANGE, {"e": ROWS}, engine)
    ch = table(doc, "ch")["2026",]
    expect(ch, "fail", actual=-2.0, threshold=0.0, gap=2.0, unit="pp")
    assert ch["message"] == "2026: -2 pp is below the threshold 0 pp by 2 pp"
    expect(table(doc, "pp")["2026",], "fail", actual=-2.0, threshold=1.0, gap=3.0, unit="pp")
    expect(table(doc, "usd")["2026",], "pass", actual=0.0, unit="USD")
