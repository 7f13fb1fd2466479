"""SPEC §13.2–13.5 by hand: sub-window totals, as-of per dataset and per rule, `fill 0`."""

from __future__ import annotations

from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveError
from semantics_support import approx, expect, rows_of, run, table

# ---------------------------------------------------------------- in total from … to … (§13.5)

SUB_WINDOW = """
directive "Sub-window"
  period 2024 to 2030
dataset fdi
  time year
  measure amount USD
rule past:
  require fdi.amount >= 100 USD in total from 2025 to 2026
rule running:
  require fdi.amount >= 400 USD in total from 2026 to 2029
rule later:
  require fdi.amount >= 10 USD in total from 2029 to 2030
"""

SUB_ROWS = rows_of("year amount", (2024, 1000), (2025, 40), (2026, 70), (2027, 80))


def test_a_total_over_a_sub_window_sums_only_its_years(engine: str) -> None:
    """2025–2026: 40 + 70 = 110 (2024's 1000 and 2027's 80 are outside)."""
    doc = run(SUB_WINDOW, {"fdi": SUB_ROWS}, engine)
    assert doc["directive"]["window"] == {"from": "2024", "to": "2030"}
    assert list(table(doc, "past")) == [("2025..2026",)]
    expect(table(doc, "past")["2025..2026",], "pass", actual=110, threshold=100)


def test_a_sub_window_not_yet_over_is_judged_on_its_pro_rata_path(engine: str) -> None:
    """As of 2027, 2 of the 4 years of 2026–2029 have passed: the path is 200 of 400; 150 is 50 short."""
    doc = run(SUB_WINDOW, {"fdi": SUB_ROWS}, engine)
    expect(table(doc, "running")["2026..2029",], "off_track", actual=150, threshold=200, gap=50,
           target=400, deadline="2029")


def test_a_sub_window_after_the_latest_data_is_pending(engine: str) -> None:
    doc = run(SUB_WINDOW, {"fdi": SUB_ROWS}, engine)
    expect(table(doc, "later")["2029..2030",], "pending")


def test_a_sub_window_needs_no_header_window(engine: str) -> None:
    text = SUB_WINDOW.replace('directive "Sub-window"\n  period 2024 to 2030\n', "")
    doc = run(text, {"fdi": SUB_ROWS}, engine)
    assert doc["directive"]["window"] == {"from": "2025", "to": "2030"}  # what the rules cover
    expect(table(doc, "past")["2025..2026",], "pass", actual=110)


@pytest.mark.parametrize(("clause", "message"), [
    ("in total from 2027 to 2026", "runs backwards"),
    ("in total from 2027-Q5 to 2028", "2027-Q5"),
])
def test_a_bad_sub_window_is_located(clause: str, message: str) -> None:
    text = f"dataset fdi\n  time year\n  measure amount USD\nrule r: require fdi.amount >= 1 USD {clause}\n"
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text)
    assert message in str(caught.value)
    assert caught.value.diagnostics[0].span.line == 4


# ---------------------------------------------------------------- as of, per dataset and per rule (§13.2, §13.3)

LAGGING = """
directive "Lagging"
  period 2025 to 2030
dataset trade
  time year
  measure value USD
dataset fdi
  time year
  measure amount USD
dataset plan
  time year
  measure target USD
rule exports: require trade.value >= 100 USD per year
rule invest: require fdi.amount >= 100 USD per year
rule both: require trade.value + fdi.amount >= 100 USD per year
rule planned: require trade.value >= plan.target per year
"""

LAGGING_ROWS = {
    "trade": rows_of("year value", (2025, 150), (2026, 160), (2027, 170)),
    "fdi": rows_of("year amount", (2025, 120), (2026, 90)),
    "plan": rows_of("year target", *[(y, 150) for y in range(2025, 2031)]),
}


def test_a_lagging_source_delays_only_the_rules_that_read_it(engine: str) -> None:
    doc = run(LAGGING, LAGGING_ROWS, engine)
    as_of = {rule["id"]: rule["as_of"] for rule in doc["rules"]}
    assert as_of == {"exports": "2027", "invest": "2026", "both": "2026", "planned": "2027"}
    assert list(table(doc, "exports")) == [("2025",), ("2026",), ("2027",)]
    assert list(table(doc, "both")) == [("2025",), ("2026",)]  # 2027 waits for fdi
    expect(table(doc, "both")["2026",], "pass", actual=250)
    # the plan table runs to 2030 and extends nothing
    assert list(table(doc, "planned")) == [("2025",), ("2026",), ("2027",)]
    assert doc["directive"]["as_of"] == "2027"


def test_an_as_of_clause_ignores_the_rows_after_it(engine: str) -> None:
    text = LAGGING.replace("  measure value USD\n", "  measure value USD\n  as of 2026\n")
    doc = run(text, LAGGING_ROWS, engine)
    assert {r["id"]: r["as_of"] for r in doc["rules"]}["exports"] == "2026"
    assert list(table(doc, "exports")) == [("2025",), ("2026",)]


def test_the_caller_sets_one_dataset_as_of_by_name(engine: str) -> None:
    doc = run(LAGGING, LAGGING_ROWS, engine, as_of={"fdi": "2027"})
    as_of = {rule["id"]: rule["as_of"] for rule in doc["rules"]}
    assert as_of["invest"] == "2027" and as_of["exports"] == "2027"
    expect(table(doc, "invest")["2027",], "missing", reason="no data in 2027 (fdi)")
    expect(table(doc, "both")["2027",], "missing")


def test_the_caller_as_of_caps_every_dataset_and_a_name_wins(engine: str) -> None:
    doc = run(LAGGING, LAGGING_ROWS, engine, as_of={"*": "2026", "trade": "2025"})
    as_of = {rule["id"]: rule["as_of"] for rule in doc["rules"]}
    assert as_of == {"exports": "2025", "invest": "2026", "both": "2025", "planned": "2025"}


def test_an_as_of_for_an_unknown_dataset_is_a_usage_error() -> None:
    directive = directive_dsl.loads(LAGGING)
    with pytest.raises(DirectiveError) as caught:
        directive.evaluate(LAGGING_ROWS, engine="python", as_of={"fdl": "2026"})
    assert caught.value.code == "E700" and "fdi" in str(caught.value.hint)


# ---------------------------------------------------------------- fill 0 (§13.2)

EVENTS = """
directive "Events"
  period 2024 to 2030
dataset inv
  time year
  dimensions region
  measure amount USD
  measure size USD aggregate mean
  {fill}
rule each: require inv.amount[region] >= 10 USD per year
rule deals: require count(inv[region]) >= 1 per year
rule typical: require inv.size[region] >= 1 USD per year
rule grows: require growth(inv.amount[region]) >= 0% per year
"""

EVENT_ROWS = rows_of("year region amount size", (2025, "Brest", 50, 5), (2025, "Minsk", 70, 7),
                     (2026, "Minsk", 40, 4), (2027, "Brest", 30, 3))


def test_without_fill_a_quiet_year_is_missing(engine: str) -> None:
    doc = run(EVENTS.format(fill=""), {"inv": EVENT_ROWS}, engine)
    expect(table(doc, "each")["Brest", "2026"], "missing", reason="no data for region = Brest in 2026 (inv)")


def test_fill_zero_makes_a_quiet_year_zero_for_every_measure(engine: str) -> None:
    doc = run(EVENTS.format(fill="fill 0"), {"inv": EVENT_ROWS}, engine)
    expect(table(doc, "each")["Brest", "2026"], "fail", actual=0, threshold=10, gap=10)
    expect(table(doc, "deals")["Brest", "2026"], "fail", actual=0)
    expect(table(doc, "typical")["Minsk", "2027"], "fail", actual=0)
    expect(table(doc, "grows")["Brest", "2026"], "fail", actual=-100)
    # before the data starts (2024) nothing is known, filled or not
    expect(table(doc, "each")["Brest", "2024"], "missing")
    expect(table(doc, "grows")["Brest", "2025"], "missing")


def test_fill_must_be_zero() -> None:
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(EVENTS.format(fill="fill 5"))
    (problem,) = caught.value.diagnostics
    assert problem.code == "E408" and problem.span.line == 9


def test_fill_and_as_of_need_a_time_column(engine: str) -> None:
    text = "dataset s\n  measure v USD\n  fill 0\n  as of 2026\nrule r: require s.v >= 1 USD\n"
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text).evaluate({"s": [{"v": 1.0}]}, engine=engine)
    assert [(d.code, d.span.line) for d in caught.value.diagnostics] == [("E408", 3), ("E408", 4)]


# ---------------------------------------------------------------- partial periods (§13.4)

PARTIAL = """
directive "Partial"
  period 2025 to 2030
dataset exports
  time month
  dimensions partner
  measure value USD
  measure share USD aggregate mean
dataset plan
  time year
  dimensions partner
  measure target USD
rule yearly: require exports.value[partner] >= 120 USD per year
rule grows: require growth(exports.value) >= 10% per year
rule level: require exports.share >= 5.5 USD per year
rule planned: require exports.value[partner] >= plan.target[partner] per year
rule since: require exports.value >= exports.value at 2025 in 2026
@partial skip
rule skipped: require exports.value >= 200 USD per year
@partial full
rule whole: require exports.value >= 200 USD per year
rule deadline: require exports.value >= 400 USD by 2030 from 2025
"""

PARTIAL_ROWS = {
    "exports": rows_of("month partner value share",
                       *[(f"2025-{m:02d}", "CN", 10, 5) for m in range(1, 13)],
                       *[(f"2026-{m:02d}", "CN", 12, 6) for m in range(1, 7)]),
    "plan": rows_of("year partner target", (2025, "CN", 100), (2026, "CN", 150), (2030, "CN", 300)),
}


def test_a_year_half_over_is_judged_year_to_date(engine: str) -> None:
    """Through June: 6 × 12 = 72 against half of 120 (60): on track, with its coverage."""
    doc = run(PARTIAL, PARTIAL_ROWS, engine)
    yearly = table(doc, "yearly")
    expect(yearly["CN", "2025"], "pass", actual=120, threshold=120)
    expect(yearly["CN", "2026"], "on_track", actual=72, threshold=60, target=120,
           coverage={"through": "2026-06", "fraction": 0.5})
    assert yearly["CN", "2025"]["coverage"] is None


def test_growth_of_a_partial_year_compares_the_same_months(engine: str) -> None:
    """January–June 2026 (72) against January–June 2025 (60): +20%, not 72 / 120 − 1."""
    doc = run(PARTIAL, PARTIAL_ROWS, engine)
    expect(table(doc, "grows")["2026",], "on_track", actual=approx(20), threshold=10)
    expect(table(doc, "since")["2026",], "on_track", actual=72, threshold=60)


def test_a_mean_or_a_share_is_compared_as_it_is(engine: str) -> None:
    doc = run(PARTIAL, PARTIAL_ROWS, engine)
    expect(table(doc, "level")["2026",], "on_track", actual=6, threshold=5.5)


def test_a_yearly_plan_value_is_scaled_to_the_part_covered(engine: str) -> None:
    doc = run(PARTIAL, PARTIAL_ROWS, engine)
    expect(table(doc, "planned")["CN", "2026"], "off_track", actual=72, threshold=75, gap=3, target=150)
    assert {r["id"]: r["as_of"] for r in doc["rules"]}["planned"] == "2026-06"


def test_partial_skip_and_full(engine: str) -> None:
    doc = run(PARTIAL, PARTIAL_ROWS, engine)
    assert list(table(doc, "skipped")) == [("2025",)]
    entry = next(r for r in doc["rules"] if r["id"] == "skipped")
    assert entry["not_judged"] == [{"period": "2026", "reason": "partial: the data runs through 2026-06"}]
    expect(table(doc, "whole")["2026",], "fail", actual=72, threshold=200, gap=128)


def test_a_path_before_its_deadline_counts_the_months_elapsed(engine: str) -> None:
    """Baseline 2025 (120), target 400 in 2030: six of sixty months elapsed, the path is
    120 + 280 × 0.1 = 148 for the year, half of it (74) due by June; 72 is behind."""
    doc = run(PARTIAL, PARTIAL_ROWS, engine)
    expect(table(doc, "deadline")["2026",], "off_track", actual=72, threshold=74, gap=2, target=400,
           deadline="2030", coverage={"through": "2026-06", "fraction": 0.5})


def test_partial_needs_a_period() -> None:
    text = "dataset x\n  time year\n  measure v USD\n@partial skip\nrule r: require x.v >= 1 USD in total\n"
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text)
    assert caught.value.code == "E400" and caught.value.diagnostics[0].span.line == 4


# ---------------------------------------------------------------- plan tables (§13.6)

PLANNED = """
dataset act
  time year
  dimensions org, product
  measure value USD
dataset plan
  time year
  dimensions org, product
  measure target USD
{domain}
rule r: require act.value[org, product] >= plan.target[org, product] per year
rule s: require act.value[org, product] >= 1 USD per year
"""

PLANNED_ROWS = {
    "act": rows_of("year org product value", (2026, "A", "x", 10), (2026, "A", "y", 20), (2026, "B", "x", 5),
                   (2026, "C", "z", 7)),
    "plan": rows_of("year org product target", (2026, "A", "x", 8), (2026, "A", "y", 25), (2026, "B", "x", 5),
                    (2026, "B", "y", 1)),
}


def test_groups_are_the_combinations_that_occur(engine: str) -> None:
    doc = run(PLANNED.format(domain=""), PLANNED_ROWS, engine)
    assert list(table(doc, "s")) == [("A", "x", "2026"), ("A", "y", "2026"), ("B", "x", "2026"),
                                     ("C", "z", "2026")]


def test_a_group_without_a_target_is_untargeted_and_one_without_data_missing(engine: str) -> None:
    doc = run(PLANNED.format(domain=""), PLANNED_ROWS, engine)
    r = table(doc, "r")
    assert list(r) == [("A", "x", "2026"), ("A", "y", "2026"), ("B", "x", "2026"), ("B", "y", "2026")]
    expect(r["A", "y", "2026"], "fail", actual=20, threshold=25, gap=5)
    expect(r["B", "y", "2026"], "missing", reason="no data for org = B, product = y in 2026 (act)")
    assert {e["id"]: e["untargeted"] for e in doc["rules"]} == {"r": 1, "s": 0}  # C × z has no target


def test_a_domain_adds_its_values_to_each_combination_of_the_others(engine: str) -> None:
    doc = run(PLANNED.format(domain='domain product = ["x", "y"]'), PLANNED_ROWS, engine)
    assert list(table(doc, "s")) == [("A", "x", "2026"), ("A", "y", "2026"), ("B", "x", "2026"),
                                     ("B", "y", "2026"), ("C", "x", "2026"), ("C", "y", "2026")]


# ---------------------------------------------------------------- units in a column (§13.2)

PER_ROW = """
dataset ex
  time year
  dimensions org, uom
  measure quantity unit from uom
unit pcs
rule tonnes: require ex.quantity[org = "A"] >= 3 t per year
rule pieces: require ex.quantity[org = "B", uom = "pcs"] >= 50 pcs per year
{mixed}
"""

PER_ROW_DATA = rows_of("year org uom quantity", (2026, "A", "t", 2), (2026, "A", "kg", 500),
                       (2026, "A", "thousand kg", 1), (2026, "B", "pcs", 40))


def test_rows_are_converted_to_one_unit_before_they_are_added(engine: str) -> None:
    """2 t + 500 kg + 1 thousand kg = 3.5 t."""
    doc = run(PER_ROW.format(mixed=""), {"ex": PER_ROW_DATA}, engine)
    expect(table(doc, "tonnes")["2026",], "pass", actual=3.5, threshold=3, unit="t")
    expect(table(doc, "pieces")["2026",], "fail", actual=40, threshold=50, unit="pcs")
    assert not doc.get("warnings")


def test_units_of_different_kinds_added_up_are_a_data_error(engine: str) -> None:
    text = PER_ROW.format(mixed="rule all: require ex.quantity >= 3 t per year")
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text).evaluate({"ex": PER_ROW_DATA}, engine=engine)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E512" and "rule `all`" in problem.message and "`pcs`" in problem.message
    assert problem.hint == 'select one kind, e.g. [uom = "kg"]' and problem.line == 9


def test_rows_of_another_kind_than_the_threshold_are_a_data_error(engine: str) -> None:
    text = PER_ROW.format(mixed='rule wrong: require ex.quantity[uom = "pcs"] >= 3 t per year')
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text).evaluate({"ex": PER_ROW_DATA}, engine=engine)
    assert caught.value.code == "E512" and "compared with t" in caught.value.diagnostics[0].message


def test_a_text_that_is_not_a_unit_is_located_at_its_row(engine: str, tmp_path: Path) -> None:
    (tmp_path / "ex.csv").write_text("year,org,uom,quantity\n2026,A,t,2\n2026,A,tonnes,3\n")
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(PER_ROW.format(mixed="")).evaluate({"ex": str(tmp_path / "ex.csv")}, engine=engine)
    (problem,) = caught.value.diagnostics
    assert problem.code == "E511" and "`tonnes`" in problem.message
    assert (problem.line, problem.column) == (3, 3) and problem.file.endswith("ex.csv")


def test_unit_from_names_a_dimension() -> None:
    text = "dataset ex\n  time year\n  dimensions org\n  measure quantity unit from uom\n"
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text)
    assert caught.value.code == "E408" and caught.value.diagnostics[0].line == 4


# ---------------------------------------------------------------- incomplete periods (§13.4)

QUARTERS = """
dataset q
  time quarter
  dimensions region
  measure amount USD
  {fill}
rule strict: require q.amount[region] >= 30 USD per year
@incomplete allow
rule allowed: require q.amount[region] >= 30 USD per year
"""

QUARTER_ROWS = rows_of("quarter region amount", *[(f"2025-Q{i}", "A", 10) for i in (1, 2, 3, 4)],
                       ("2025-Q1", "B", 10), ("2025-Q2", "B", 10), ("2025-Q4", "B", 10),
                       *[(f"2024-Q{i}", "C", 1) for i in (1, 2, 3, 4)],
                       *[(f"2023-Q{i}", r, 5) for i in (1, 2, 3, 4) for r in "ABC"])


def test_three_quarters_of_four_are_incomplete_not_a_year(engine: str) -> None:
    doc = run(QUARTERS.format(fill=""), {"q": QUARTER_ROWS}, engine)
    strict = table(doc, "strict")
    expect(strict["A", "2025"], "pass", actual=40)
    expect(strict["B", "2025"], "missing", reason="incomplete: no data for 2025-Q3")


def test_incomplete_allow_judges_the_rows_present_and_lists_the_gaps(engine: str) -> None:
    doc = run(QUARTERS.format(fill=""), {"q": QUARTER_ROWS}, engine)
    expect(table(doc, "allowed")["B", "2025"], "pass", actual=30,
           coverage={"through": "2025-Q4", "fraction": 1.0, "gaps": ["2025-Q3"]})
    assert table(doc, "allowed")["A", "2025"]["coverage"] is None


def test_fill_zero_aggregates_the_rows_present_too(engine: str) -> None:
    doc = run(QUARTERS.format(fill="fill 0"), {"q": QUARTER_ROWS}, engine)
    expect(table(doc, "strict")["B", "2025"], "pass", actual=30,
           coverage={"through": "2025-Q4", "fraction": 1.0, "gaps": ["2025-Q3"]})
    expect(table(doc, "strict")["C", "2025"], "fail", actual=0)  # no row at all: zero


def test_more_than_three_gaps_are_counted() -> None:
    text = QUARTERS.format(fill="").replace("time quarter", "time month").replace("30 USD", "1 USD")
    rows = rows_of("month region amount", *[(f"2025-{m:02d}", "A", 1) for m in range(1, 13)],
                   ("2025-01", "B", 1), ("2025-02", "B", 1))
    doc = run(text, {"q": rows}, "python")
    expect(table(doc, "strict")["B", "2025"], "missing",
           reason="incomplete: no data for 2025-03, 2025-04, 2025-05 and 7 more")


def test_the_text_report_says_what_was_not_judged() -> None:
    from directive_dsl.formats import render

    plan = directive_dsl.loads(PLANNED.format(domain="")).evaluate(PLANNED_ROWS, engine="python")
    assert "1 group has no target in the threshold's data and is not judged" in render(plan, "text")
    partial = directive_dsl.loads(PARTIAL).evaluate(PARTIAL_ROWS, engine="python")
    assert "2026 not judged: partial: the data runs through 2026-06" in render(partial, "markdown",
                                                                               include_passing=True)


def test_the_text_report_gives_a_rule_as_of_that_differs() -> None:
    from directive_dsl.formats import render

    doc = directive_dsl.loads(LAGGING).evaluate(LAGGING_ROWS, engine="python")
    text = render(doc, "text", include_passing=True)
    block = text.split("[invest]")[1].split("\n\n")[0]
    assert "as of 2026: the latest period all of its data has reached" in block
    assert "the latest period all" not in text.split("[exports]")[1].split("\n\n")[0]


def test_charts_get_the_years_before_the_window_from_every_engine(engine: str) -> None:
    text = """
    directive "History"
      period 2025 to 2030
    dataset h
      time year
      dimensions region
      measure amount million USD
    rule each: require h.amount[region] >= 100 million USD per year
    rule since: require h.amount >= 1 million USD per year from 2026 to 2030
    """
    rows = rows_of("year region amount", (2019, "A", 1), (2021, "A", 50), (2022, "A", 70), (2023, "A", 90),
                   (2024, "A", 120), (2025, "A", 80), (2024, "B", 300), (2025, "B", 200))
    report = directive_dsl.loads(text).evaluate({"h": rows}, engine=engine)
    each, since = report.rules
    a, b = (("region", "A"),), (("region", "B"),)
    # the five latest years with data before the window (2020 has none), in the rule's unit (USD);
    # B has no row before 2024, so nothing to show there
    assert each.history == ((a, "2019", 1e6), (a, "2021", 50e6), (a, "2022", 70e6), (a, "2023", 90e6),
                            (a, "2024", 120e6), (b, "2024", 300e6))
    assert since.history == ()  # a rule's own range: its years before it are not the window's
