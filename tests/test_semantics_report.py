"""SPEC §7.3, §7.4 and §10 by hand: tolerance, gap, `between`, severity, `@missing`, the report's shape."""

from __future__ import annotations

import pytest

from semantics_support import expect, rows_of, run, table

# ---------------------------------------------------------------- tolerance and gap

TOLERANCE = """
directive "Tolerance"
  period 2026 to 2026
dataset x
  time year
  dimensions k
  measure v USD
rule ge:
  require x.v[k] >= 100 USD in 2026
rule gt:
  require x.v[k] > 100 USD in 2026
rule le:
  require x.v[k] <= 100 USD in 2026
rule lt:
  require x.v[k] < 100 USD in 2026
rule eq:
  require x.v[k] = 100 USD in 2026
rule ne:
  require x.v[k] != 100 USD in 2026
"""

HAIR_BELOW = 100 * (1 - 5e-10)  # within 1e-9 × 100 of the threshold: counted equal
HAIR_ABOVE = 100 * (1 + 5e-10)
BELOW = 100 * (1 - 2e-9)  # outside the tolerance
ABOVE = 100 * (1 + 2e-9)

TOLERANCE_ROWS = rows_of(
    "year k v",
    (2026, "a_hair_below", HAIR_BELOW),
    (2026, "b_hair_above", HAIR_ABOVE),
    (2026, "c_below", BELOW),
    (2026, "d_above", ABOVE),
    (2026, "e_exact", 100.0),
)

# (rule, k) -> (status, gap). Equal within tolerance: >=, <=, = hold; >, <, != fail with gap 0
# or the tiny distance (never negative).
TOLERANCE_EXPECTED = {
    "ge": {
        "a": ("pass", None),
        "b": ("pass", None),
        "c": ("fail", 100 - BELOW),
        "d": ("pass", None),
        "e": ("pass", None),
    },
    "gt": {
        "a": ("fail", 100 - HAIR_BELOW),
        "b": ("fail", 0.0),
        "c": ("fail", 100 - BELOW),
        "d": ("pass", None),
        "e": ("fail", 0.0),
    },
    "le": {
        "a": ("pass", None),
        "b": ("pass", None),
        "c": ("pass", None),
        "d": ("fail", ABOVE - 100),
        "e": ("pass", None),
    },
    "lt": {
        "a": ("fail", 0.0),
        "b": ("fail", HAIR_ABOVE - 100),
        "c": ("pass", None),
        "d": ("fail", ABOVE - 100),
        "e": ("fail", 0.0),
    },
    "eq": {
        "a": ("pass", None),
        "b": ("pass", None),
        "c": ("fail", 100 - BELOW),
        "d": ("fail", ABOVE - 100),
        "e": ("pass", None),
    },
    "ne": {
        "a": ("fail", 100 - HAIR_BELOW),
        "b": ("fail", HAIR_ABOVE - 100),
        "c": ("pass", None),
        "d": ("pass", None),
        "e": ("fail", 0.0),
    },
}


@pytest.mark.parametrize("rule", list(TOLERANCE_EXPECTED))
def test_relative_tolerance_at_the_boundary(engine: str, rule: str) -> None:
    """`a >= b` holds when a ≥ b − 1e-9·max(|a|, |b|): a value a hair below 100 passes `>=` and `=`.

    SPEC §7.4 says the gap is positive; when a strict comparison fails because
    the sides are equal within the tolerance, the shortfall is read as 0, not
    as a negative number.
    """
    doc = run(TOLERANCE, {"x": TOLERANCE_ROWS}, engine)
    got = {key[0][0]: o for key, o in table(doc, rule).items()}
    for k, (status, gap) in TOLERANCE_EXPECTED[rule].items():
        expect(got[k], status, threshold=100, gap=gap)
        assert got[k]["gap"] is None or got[k]["gap"] >= 0


def test_tolerance_exactly_at_the_boundary(engine: str) -> None:
    """Against `>= 1 USD`, 1 − 1e-9 is exactly b − 1e-9·max(|a|, |b|): it holds; 1 − 1.5e-9 does not."""
    text = """
    dataset x
      time year
      dimensions k
      measure v USD
    rule r:
      require x.v[k] >= 1 USD in 2026
    """
    data = rows_of("year k v", (2026, "at", 1.0 - 1e-9), (2026, "beyond", 1.0 - 1.5e-9))
    got = table(run(text, {"x": data}, engine), "r")
    expect(got["at", "2026"], "pass", actual=1.0 - 1e-9, threshold=1)
    assert got["beyond", "2026"]["status"] == "fail"
    assert got["beyond", "2026"]["gap"] == pytest.approx(1.5e-9, rel=1e-6)


def test_gap_is_the_shortfall_or_the_excess_in_the_reported_unit(engine: str) -> None:
    text = """
    dataset x
      time year
      measure v kg
    rule floor:
      require x.v >= 2 t in 2026
    rule ceiling:
      require x.v <= 1 t in 2026
    """
    doc = run(text, {"x": rows_of("year v", (2026, 1500))}, engine)
    expect(table(doc, "floor")["2026",], "fail", actual=1.5, threshold=2, gap=0.5, unit="t")
    expect(table(doc, "ceiling")["2026",], "fail", actual=1.5, threshold=1, gap=0.5, unit="t")


def test_between_reports_the_bound_that_is_crossed(engine: str) -> None:
    """`between 10 and 20`: 15 passes; 5 is 5 short of 10; 25 is 5 over 20 (threshold 20, the crossed bound).

    SPEC defines the gap as the distance from "the threshold"; for a value
    above the range the threshold reported is the upper bound, so the gap
    stays that distance. `upper` always carries the upper bound.
    """
    text = """
    dataset x
      time year
      dimensions k
      measure v USD
    rule band:
      require x.v[k] between 10 USD and 20 USD in 2026
    """
    data = rows_of(
        "year k v", (2026, "in", 15), (2026, "low", 5), (2026, "high", 25), (2026, "edge", 20)
    )
    got = {key[0]: o for key, o in table(run(text, {"x": data}, engine), "band").items()}
    expect(got["in"], "pass", actual=15, threshold=10, upper=20, op="between")
    expect(got["edge"], "pass", actual=20, threshold=10, upper=20)
    expect(got["low"], "fail", actual=5, threshold=10, gap=5, upper=20)
    expect(got["high"], "fail", actual=25, threshold=20, gap=5, upper=20)


# ---------------------------------------------------------------- severity and @missing

SEVERITY = """
directive "Severity"
  period 2026 to 2026
dataset x
  time year
  dimensions k
  measure v USD
{notes}
rule r:
  require x.v[k] >= 100 USD in 2026
"""


@pytest.mark.parametrize(
    ("notes", "violation", "status"),
    [
        ("", "error", "fail"),
        ("@severity error", "error", "fail"),
        ("@severity warning", "warning", "warn"),
        ("@severity info", "info", "warn"),
    ],
)
def test_severity_of_a_failed_outcome(engine: str, notes: str, violation: str, status: str) -> None:
    doc = run(SEVERITY.format(notes=notes), {"x": rows_of("year k v", (2026, "a", 50))}, engine)
    (v,) = doc["violations"]
    assert v["status"] == "fail" and v["severity"] == violation
    assert doc["summary"]["status"] == status
    assert doc["rules"][0]["severity"] == violation
    assert doc["rules"][0]["status"] == "fail"


def test_no_violation_is_summary_pass(engine: str) -> None:
    doc = run(SEVERITY.format(notes=""), {"x": rows_of("year k v", (2026, "a", 150))}, engine)
    assert doc["violations"] == [] and doc["summary"]["status"] == "pass"
    assert doc["rules"][0]["counts"] == {"pass": 1}


MISSING = """
directive "Missing"
  period 2026 to 2026
dataset x
  time year
  dimensions k
  measure v USD
domain k = ["a", "b"]
{notes}
rule r:
  require x.v[k] >= 100 USD in 2026
"""

MISSING_ROWS = rows_of("year k v", (2026, "a", 150))  # b has no data


@pytest.mark.parametrize(
    ("notes", "caller", "violation", "status"),
    [
        ("", None, "error", "fail"),
        ("@missing fail", None, "error", "fail"),
        ("@missing warn", None, "warning", "warn"),
        ("@missing ignore", None, None, "pass"),
        ("", "warn", "warning", "warn"),
        ("", "ignore", None, "pass"),
        ("", "fail", "error", "fail"),
        ("@severity warning", None, "warning", "warn"),
        ("@severity info\n@missing warn", None, "info", "warn"),
        ("@missing fail", "ignore", "error", "fail"),
        ("@missing ignore", "fail", None, "pass"),
    ],
)
def test_missing_policy(
    engine: str, notes: str, caller: str | None, violation: str | None, status: str
) -> None:
    """A missing outcome is a violation at the rule's severity, unless `@missing`/the caller says warn or ignore.

    Where both speak, the rule's own `@missing` wins over the caller's default.
    `warn` never raises an `info` rule to a warning.
    """
    doc = run(MISSING.format(notes=notes), {"x": MISSING_ROWS}, engine, missing=caller)
    outcome = table(doc, "r")["b", "2026"]
    expect(outcome, "missing", actual=None, threshold=100)
    if violation is None:
        assert doc["violations"] == []
    else:
        (v,) = doc["violations"]
        assert v["status"] == "missing" and v["severity"] == violation
        assert v["actual"] is None and v["reason"]
    assert doc["summary"]["status"] == status
    assert doc["summary"]["missing"] == 1 and doc["summary"]["pass"] == 1


def test_off_track_is_always_a_warning(engine: str) -> None:
    text = """
    directive "Path"
      period 2026 to 2030
    dataset x
      time year
      measure v USD
    @severity {severity}
    rule r:
      require x.v >= 100 USD by 2030 from 0 USD in 2025
    """
    data = rows_of("year v", (2027, 10))  # path 40
    for severity in ("error", "info"):
        doc = run(text.format(severity=severity), {"x": data}, engine)
        (v,) = doc["violations"]
        assert v["status"] == "off_track" and v["severity"] == "warning"
        assert v["threshold"] == pytest.approx(40) and v["gap"] == pytest.approx(30)
        assert doc["summary"]["status"] == "warn"


def test_source_and_owner_are_carried_into_the_rule_summary(engine: str) -> None:
    text = """
    directive "Sourced"
      period 2026 to 2026
      source "Directive No. 9 of 3 December 2021"
    dataset x
      time year
      measure v USD
    @source "Directive No. 9, para 2"
    @owner "Ministry of Economy"
    rule fdi_total "At least half a billion dollars a year":
      require x.v >= 500 million USD per year
    """
    doc = run(text, {"x": rows_of("year v", (2026, 6e8))}, engine)
    (rule,) = doc["rules"]
    assert rule["id"] == "fdi_total"
    assert rule["title"] == "At least half a billion dollars a year"
    assert rule["source"] == "Directive No. 9, para 2"
    assert rule["owner"] == "Ministry of Economy"
    assert doc["directive"]["title"] == "Sourced"


# ---------------------------------------------------------------- the report's shape

ORDER = """
directive "Order"
  period 2026 to 2027
dataset x
  time year
  dimensions region
  measure v USD
rule second_in_name:
  require x.v[region] >= 100 USD per year
rule first_in_name:
  require x.v >= 1000 USD per year
require x.v[region] <= 10 USD per year
"""


def test_violations_sorted_by_rule_order_then_group_then_period(engine: str) -> None:
    """Rules in file order (not by id), then region, then period; the rule without id is `t:<line>`."""
    data = rows_of(
        "year region v",
        (2027, "B", 50),
        (2026, "B", 60),
        (2027, "A", 70),
        (2026, "A", 80),
    )
    doc = run(ORDER, {"x": data}, engine)
    order = [(v["rule"], v["group"], v["period"]) for v in doc["violations"]]
    assert order == [
        ("second_in_name", {"region": "A"}, "2026"),
        ("second_in_name", {"region": "A"}, "2027"),
        ("second_in_name", {"region": "B"}, "2026"),
        ("second_in_name", {"region": "B"}, "2027"),
        ("first_in_name", {}, "2026"),
        ("first_in_name", {}, "2027"),
        ("t:12", {"region": "A"}, "2026"),
        ("t:12", {"region": "A"}, "2027"),
        ("t:12", {"region": "B"}, "2026"),
        ("t:12", {"region": "B"}, "2027"),
    ]
    expect(doc["violations"][4], "fail", actual=140, threshold=1000, gap=860)
    expect(doc["violations"][6], "fail", actual=80, threshold=10, gap=70)
    assert [r["id"] for r in doc["rules"]] == ["second_in_name", "first_in_name", "t:12"]


def test_summary_counts_and_directive_block(engine: str) -> None:
    data = rows_of("year region v", (2026, "A", 150), (2026, "B", 60), (2027, "A", 120))
    doc = run(ORDER, {"x": data}, engine)
    # second_in_name: A 2026 pass, A 2027 pass, B 2026 fail, B 2027 missing
    # first_in_name: 2026 (210) fail, 2027 (120) fail; t:12: four outcomes, A fails twice, B fails, B missing
    assert doc["schema"] == "directive-report/2"
    assert doc["directive"]["window"] == {"from": "2026", "to": "2027"}
    assert doc["directive"]["as_of"] == "2027"
    assert doc["summary"] == {
        "status": "fail",
        "rules": 3,
        "outcomes": 10,
        "pass": 2,
        "fail": 6,
        "missing": 2,
        "pending": 0,
        "on_track": 0,
        "off_track": 0,
            "waived": 0,
    }
    assert doc["rules"][0]["counts"] == {"pass": 2, "fail": 1, "missing": 1}
    assert doc["rules"][0]["status"] == "fail"
    missing = table(doc, "second_in_name")["B", "2027"]
    expect(missing, "missing", actual=None, threshold=100, unit="USD")
    assert len(doc["violations"]) == 8


def test_outcome_fields(engine: str) -> None:
    """Every outcome carries rule, status, group, period, actual, op, threshold, unit, gap and reason."""
    doc = run(ORDER, {"x": rows_of("year region v", (2026, "A", 150))}, engine)
    outcome = table(doc, "second_in_name")["A", "2026"]
    assert {
        "rule",
        "severity",
        "status",
        "group",
        "period",
        "actual",
        "op",
        "threshold",
        "unit",
        "gap",
        "reason",
        "message",
        "location",
    } <= set(outcome)
    assert outcome["op"] == ">=" and outcome["unit"] == "USD" and outcome["reason"] is None
    assert outcome["location"]["line"] == 8 and outcome["location"]["file"] == "t.directive"
