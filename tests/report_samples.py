"""Reports the format tests share: a real run of the example, a real run covering every
status, and a report built by hand with awkward text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import directive_dsl
from directive_dsl.report import Location, Outcome, Report, RuleSummary

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "belarus_china" / "belarus_china.directive"

SYNTHETIC = """\
directive "Trade targets (synthetic)"
  period 2026 to 2030

dataset trade
  time year
  dimensions region
  measure value USD

domain region = ["North", "South", "East"]

rule total "Total trade over the window":
  require trade.value >= 1000 USD in total
rule y2027 "Trade in 2027 by region":
  require trade.value[region] >= 100 USD in 2027
rule paths "Each region reaches 300 by 2030":
  require trade.value[region] >= 300 USD by 2030 from 2026
rule later "Reach 500 by 2030":
  require trade.value >= 500 USD by 2030
@severity warning
rule band "Stay within a band":
  require trade.value[region] between 50 USD and 150 USD per year
"""

TRADE = [
    {"year": 2026, "region": "North", "value": 120},
    {"year": 2026, "region": "South", "value": 40},
    {"year": 2026, "region": "East", "value": 90},
    {"year": 2027, "region": "North", "value": 210},
    {"year": 2027, "region": "South", "value": 60},
]


def example_report() -> Report:
    """The Belarus–China example, evaluated with the reference engine."""
    return directive_dsl.load(EXAMPLE).evaluate(engine="python")


def synthetic_report() -> Report:
    """A real run whose outcomes take every status: pass, fail, missing, pending, on and off track."""
    return directive_dsl.loads(SYNTHETIC, "synthetic.directive").evaluate({"trade": TRADE}, engine="python")


def built_report() -> Report:
    """A report made by hand: quarters, a hostile title and group values, info severity, an empty rule."""
    here = Location(file="odd dir/targets.directive", line=7, column=3)
    there = Location(file="odd dir/targets.directive", line=12, column=1)
    empty = Location(file="odd dir/targets.directive", line=20, column=1)

    def outcome(rule: str, status: str, period: str, group: dict[str, str], actual: float | None,
                threshold: float | None, *, location: Location = here, violation: str | None = None,
                **more: Any) -> Outcome:
        return Outcome(rule=rule, severity=violation or "error", status=status, group=group, period=period,
                       actual=actual, op=str(more.pop("op", ">=")), threshold=threshold,
                       unit=str(more.pop("unit", "kt")), location=location, violation_severity=violation,
                       **more)

    odd = {"port": 'A|B <script>alert("x")</script>'}
    plain = {"port": "Riga & Co"}
    outcomes = (
        outcome("q<1>", "pass", "2026-Q1", odd, 12.0, 10.0),
        outcome("q<1>", "fail", "2026-Q2", odd, 7.5, 10.0, gap=2.5, violation="error"),
        outcome("q<1>", "missing", "2026-Q3", odd, None, 10.0, reason="no data for port in 2026-Q3",
                violation="error"),
        outcome("q<1>", "fail", "2026-Q4", odd, 9.0, 10.0, gap=1.0, violation="error"),
        outcome("q<1>", "pass", "2026-Q1", plain, 11.0, 10.0),
        outcome("q<1>", "missing", "2026-Q2", plain, None, 10.0, reason="no values"),
        outcome("q<1>", "pass", "2026-Q3", plain, 10.5, 10.0),
        outcome("q<1>", "pending", "2026-Q4", plain, None, None, reason="no data"),
        outcome("share", "on_track", "2026-Q4", {}, 6.0, 5.0, location=there, unit="%", target=10.0,
                deadline="2027-Q4"),
        outcome("share2", "off_track", "2026-Q4", {}, 4.0, 5.0, location=there, unit="%", gap=1.0,
                target=10.0, deadline="2027-Q4", violation="warning"),
        outcome("share3", "pending", "2027-Q4", {}, 4.0, 10.0, location=there, unit="%", target=10.0,
                deadline="2027-Q4", reason="the deadline 2027-Q4 is not reached"),
    )
    rules = (
        RuleSummary(id="q<1>", title='Quarterly "tonnage" <b>at & above</b> 10 kt | per port', severity="error",
                    status="fail", location=here, counts={"pass": 3, "fail": 2, "missing": 2, "pending": 1},
                    source="Order № 5 <i>", unit="kt", time="per"),
        RuleSummary(id="share", title=None, severity="warning", status="on_track", location=there,
                    counts={"on_track": 1}, unit="%", time="by"),
        RuleSummary(id="share2", title="Share behind its path", severity="info", status="off_track",
                    location=there, counts={"off_track": 1}, unit="%", time="by"),
        RuleSummary(id="share3", title="Share, no baseline", severity="warning", status="pending",
                    location=there, counts={"pending": 1}, unit="%", time="by"),
        RuleSummary(id="nothing", title="A rule with no groups at all", severity="error", status="pass",
                    location=empty, counts={}, time="per"),
    )
    return Report(title="Ports <&> \"quarterly\"", file="odd dir/targets.directive",
                  window=("2026-Q1", "2027-Q4"), as_of="2026-Q4", rules=rules, outcomes=outcomes,
                  source="Ministry of Transport")


REPORTS = {"example": example_report, "synthetic": synthetic_report, "built": built_report}
