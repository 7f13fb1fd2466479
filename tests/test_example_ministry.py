"""The ministry example (SPEC §13.2–13.7 on one directive): its report on every engine is the
checked-in one, and its figures are those pandas computes from the same files."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import directive_dsl

HERE = Path(__file__).resolve().parents[1] / "examples" / "ministry"
EXPECTED = HERE / "tests" / "expected.json"


def _report(engine: Any) -> dict[str, Any]:
    report = directive_dsl.load(HERE / "ministry.directive").evaluate(engine=engine)
    doc: dict[str, Any] = json.loads(report.to_json(include_passing=True))
    for key in ("engine", "generated_at", "version"):
        doc["run"].pop(key)
    doc["run"]["directive"].pop("file")
    for dataset in doc["run"]["datasets"]:
        dataset["source"] = Path(dataset["source"]).name
    return doc


def test_the_report_is_the_expected_one(engine: Any) -> None:
    doc = _report(engine)
    if os.environ.get("UPDATE_GOLDEN") == "1" and engine == "python":
        EXPECTED.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert doc == json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return _report("python")


def _outcome(doc: dict[str, Any], rule: str, period: str, **group: str) -> dict[str, Any]:
    found = [o for o in doc["outcomes"] if o["rule"] == rule and o["period"] == period and o["group"] == group]
    assert len(found) == 1, (rule, period, group)
    return found[0]


def _exports() -> pd.DataFrame:
    frame = pd.read_csv(HERE / "exports.csv", dtype={"product": str})
    frame["year"] = frame["month"].str[:4]
    frame["tonnes"] = frame["quantity"].where(frame["uom"] == "t", frame["quantity"] / 1000)
    return frame


def test_plan_this_year_is_half_the_yearly_target(doc: dict[str, Any]) -> None:
    exports, plan = _exports(), pd.read_csv(HERE / "plan.csv", dtype={"product": str})
    mine = exports[(exports.enterprise == "Savushkin Produkt") & (exports["product"] == "0402")]
    actual = mine[mine.year == "2026"].value.sum()
    target = plan[(plan.enterprise == "Savushkin Produkt") & (plan["product"] == "0402") & (plan.year == 2026)]
    outcome = _outcome(doc, "plan_met", "2026", enterprise="Savushkin Produkt", product="0402")
    assert outcome["actual"] == pytest.approx(actual)
    assert outcome["threshold"] == pytest.approx(target.target.item() * 6 / 12)
    assert outcome["status"] == ("on_track" if actual >= target.target.item() / 2 else "off_track")
    assert outcome["coverage"] == {"through": "2026-06", "fraction": 0.5}


def test_powder_in_tonnes_adds_kilograms_as_tonnes(doc: dict[str, Any]) -> None:
    exports = _exports()
    powder = exports[exports["product"] == "0402"]
    for year in ("2024", "2025"):
        tonnes = powder[powder.year == year].tonnes.sum()
        outcome = _outcome(doc, "powder_tonnes", year)
        assert outcome["actual"] == pytest.approx(tonnes) and outcome["unit"] == "t"
        assert outcome["status"] == ("pass" if tonnes >= 45000 else "fail")


def test_growth_of_the_half_year_is_against_the_same_half(doc: dict[str, Any]) -> None:
    exports = _exports()
    half = exports[exports.month.str[5:] <= "06"]
    now, before = (half[half.year == y].value.sum() for y in ("2026", "2025"))
    assert _outcome(doc, "exports_grow", "2026")["actual"] == pytest.approx((now / before - 1) * 100)


def test_investment_is_zero_in_quiet_months_and_runs_to_april(doc: dict[str, Any]) -> None:
    register = pd.read_csv(HERE / "investments.csv")
    this_year = register[register.month.str[:4] == "2026"]
    for region in ("Brest", "Gomel", "Grodno", "Minsk", "Mogilev", "Vitebsk"):
        total = this_year[this_year.region == region].amount.sum()
        outcome = _outcome(doc, "invest_regions", "2026", region=region)
        assert outcome["actual"] == pytest.approx(total * 1e6)  # the register is in million USD
        quiet = sorted({m for m in this_year.month} - set(this_year[this_year.region == region].month))
        want = {"through": "2026-04", "fraction": pytest.approx(4 / 12), **({"gaps": quiet} if quiet else {})}
        assert outcome["coverage"] == want
    total = _outcome(doc, "invest_total", "2026..2030")
    assert total["actual"] == pytest.approx(this_year.amount.sum() * 1e6)
    assert total["threshold"] == pytest.approx(600e6 * 4 / 60)  # four of sixty months elapsed
    rules = {r["id"]: r for r in doc["rules"]}
    assert rules["invest_regions"]["as_of"] == "2026-04" and rules["plan_met"]["as_of"] == "2026-06"


def test_pairs_come_from_the_data_and_a_pair_without_a_plan_is_untargeted(doc: dict[str, Any]) -> None:
    pairs = {(o["group"]["enterprise"], o["group"]["product"]) for o in doc["outcomes"] if o["rule"] == "plan_met"}
    assert pairs == {("Molochny Mir", "0402"), ("Savushkin Produkt", "0402"), ("Savushkin Produkt", "0406"),
                     ("Slutsk Cheese", "0406"), ("Slutsk Cheese", "0401")}
    assert {r["id"]: r["untargeted"] for r in doc["rules"]}["plan_met"] == 1  # Molochny Mir × 0401
    waived = _outcome(doc, "plan_met", "2026", enterprise="Slutsk Cheese", product="0401")
    assert waived["status"] == "missing" and waived["waiver"]["until"] == "2026"
