"""median, quantile and count_distinct by hand, on every engine (SPEC §6: aggregates).

They do not decompose into partials, so the SQL engines compute them in a
statement of their own; the values below are worked out from the rows.
"""

from __future__ import annotations

import pytest

import directive_dsl
from directive_dsl.aggregates import AGGREGATES, reduce_quantile
from directive_dsl.errors import DirectiveError
from semantics_support import expect, rows_of, run, table

TRADE = """
directive "Aggregates"
  period 2020 to 2021
dataset trade
  time year
  dimensions region, partner, kind
  measure amount USD
"""

ROWS = rows_of(
    "year region partner kind amount",
    (2020, "A", "CN", "direct", 10),
    (2020, "A", "RU", "direct", 20),
    (2020, "A", "CN", "other", 40),
    (2020, "A", "DE", "other", None),  # unknown: not among the values, but a partner all the same
    (2020, "B", "CN", "direct", 5),
    (2020, "B", "CN", "direct", 7),
    (2021, "A", "PL", "direct", 1),
    (2021, "A", "PL", "direct", 2),
    (2021, "A", "CN", "direct", 3),
    (2021, "A", "RU", "direct", 4),
    (2021, "B", "DE", "other", None),
)


def test_median_of_odd_and_even_counts(engine: str) -> None:
    """A 2020: 10, 20, 40 → 20; A 2021: 1, 2, 3, 4 → 2.5; B 2020: 5, 7 → 6; B 2021 has no known value."""
    doc = run(TRADE + "rule med: require median(trade.amount[region]) >= 6 USD per year\n", {"trade": ROWS}, engine)
    med = table(doc, "med")
    expect(med["A", "2020"], "pass", actual=20, threshold=6, unit="USD")
    expect(med["A", "2021"], "fail", actual=2.5, threshold=6, gap=3.5)
    expect(med["B", "2020"], "pass", actual=6)
    expect(med["B", "2021"], "missing")
    assert med["B", "2021"]["reason"].startswith("no values")


def test_quantile_interpolates_linearly(engine: str) -> None:
    """quantile_cont: position (n − 1) × q in the sorted values.

    A 2020: 10, 20, 40 at 0.9 → position 1.8 → 20 + 0.8 × 20 = 36; A 2021: 1..4 → 2.7 → 3.7;
    B 2020: 5, 7 → 0.9 → 6.8. `90%` is the same fraction.
    """
    text = TRADE + (
        "rule q: require quantile(trade.amount[region], 0.9) <= 30 USD per year\n"
        "rule p: require quantile(trade.amount[region], 90%) <= 30 USD per year\n"
        "rule low: require quantile(trade.amount[region = \"A\"], 0) >= 1 USD in 2021\n"
    )
    doc = run(text, {"trade": ROWS}, engine)
    for rule in ("q", "p"):
        found = table(doc, rule)
        expect(found["A", "2020"], "fail", actual=36, threshold=30, gap=6)
        expect(found["A", "2021"], "pass", actual=3.7)
        expect(found["B", "2020"], "pass", actual=6.8)
    expect(table(doc, "low")["2021",], "pass", actual=1)


def test_count_distinct_of_a_dimension_per_group(engine: str) -> None:
    """"At least two partner countries in each region": A 2020 has CN, RU, DE (3; an unknown
    amount does not hide a partner), A 2021 PL, CN, RU (3), B 2020 CN (1), B 2021 DE (1)."""
    text = TRADE + "rule partners: require count_distinct(trade.partner[region]) >= 2 per year\n"
    doc = run(text, {"trade": ROWS}, engine)
    found = table(doc, "partners")
    expect(found["A", "2020"], "pass", actual=3, threshold=2, unit=None)
    expect(found["A", "2021"], "pass", actual=3)
    expect(found["B", "2020"], "fail", actual=1, gap=1)
    expect(found["B", "2021"], "fail", actual=1, gap=1)


def test_count_distinct_with_no_matching_row_is_zero(engine: str) -> None:
    """B has rows in 2021 but none `direct`: no partner at all, 0, a failure and not missing."""
    text = TRADE + 'rule direct: require count_distinct(trade.partner[region, kind = "direct"]) >= 1 per year\n'
    found = table(run(text, {"trade": ROWS}, engine), "direct")
    expect(found["A", "2020"], "pass", actual=2)
    expect(found["B", "2020"], "pass", actual=1)
    expect(found["B", "2021"], "fail", actual=0, gap=1)


def test_count_distinct_of_a_measure(engine: str) -> None:
    """Distinct known amounts in the whole window: 10, 20, 40, 5, 7, 1, 2, 3, 4 → 9."""
    text = TRADE + "rule amounts: require count_distinct(trade.amount) >= 10 in total\n"
    found = table(run(text, {"trade": ROWS}, engine), "amounts")
    expect(next(iter(found.values())), "fail", actual=9, threshold=10, gap=1)


def test_a_partial_year_keeps_the_whole_threshold_of_a_median(engine: str) -> None:
    """A median is no total: judged on January–June, its threshold is not scaled (SPEC §13.3)."""
    text = """
    directive "Partial"
      period 2026 to 2026
    dataset m
      time month
      dimensions region
      measure price USD
      as of 2026-06
    rule med: require median(m.price) >= 10 USD per year
    """
    data = rows_of("month region price", *((f"2026-{i:02d}", "A", float(i * 3)) for i in range(1, 7)))
    found = table(run(text, {"m": data}, engine), "med")
    # 3, 6, 9, 12, 15, 18: the median is 10.5, the threshold stays 10
    (outcome,) = found.values()
    assert outcome["actual"] == pytest.approx(10.5)
    assert outcome["threshold"] == pytest.approx(10)
    assert outcome["status"] in ("on_track", "pass")


def test_a_quantile_between_values_far_apart_is_not_an_overflow(engine: str) -> None:
    """Neighbours whose difference is past the largest double still have a finite quantile between
    them: the median of −1.7e308 and 1.7e308 is 0, not "overflow" (only an aggregate that truly
    overflows is missing, SPEC §13.1). Worked out exactly with fractions, independently of floats."""
    from fractions import Fraction

    low, high = -1.7e308, 1.7e308
    text = TRADE + (
        "rule med: require median(trade.amount[region]) >= 1 USD per year\n"
        "rule q3: require quantile(trade.amount[region], 0.3) >= 1 USD per year\n"
        "rule q9: require quantile(trade.amount[region], 0.9) >= 1 USD per year\n"
    )
    rows = rows_of("year region partner kind amount", (2020, "A", "CN", "direct", low),
                   (2020, "A", "RU", "direct", high))
    doc = run(text, {"trade": rows}, engine)
    for rule, q in (("med", "0.5"), ("q3", "0.3"), ("q9", "0.9")):
        want = float(Fraction(low) + Fraction(q) * (Fraction(high) - Fraction(low)))
        (outcome,) = table(doc, rule).values()
        assert outcome["actual"] == pytest.approx(want, rel=1e-12, abs=1e-300), (rule, outcome)
    expect(table(doc, "med")["A", "2020"], "fail", actual=0, gap=1)


def test_a_quantile_of_values_near_the_smallest_double(engine: str) -> None:
    """The other end: ±5e-324 (the smallest double) stop no engine, and the quantile between them
    is worked out exactly (−5e-324 + 0.9 × 1e-323 = 4e-324, the nearest double being 5e-324)."""
    text = TRADE + (
        "rule med: require median(trade.amount[region]) >= 1 USD per year\n"
        "rule q9: require quantile(trade.amount[region], 0.9) >= 1 USD per year\n"
    )
    rows = rows_of("year region partner kind amount", (2020, "A", "CN", "direct", 5e-324),
                   (2020, "A", "RU", "direct", -5e-324), (2021, "A", "CN", "direct", 1.7e308))
    doc = run(text, {"trade": rows}, engine)
    assert table(doc, "med")["A", "2020"]["actual"] == 0
    assert table(doc, "q9")["A", "2020"]["actual"] == 5e-324
    assert table(doc, "q9")["A", "2021"]["actual"] == pytest.approx(1.7e308, rel=1e-12)


# ---------------------------------------------------------------- what the checker says


@pytest.mark.parametrize(
    ("rule", "code", "message"),
    [
        ("require quantile(trade.amount, 1.5) <= 3 USD per year", "E402", "fraction from 0 to 1"),
        ("require quantile(trade.amount, 2 USD) <= 3 USD per year", "E402", "fraction from 0 to 1"),
        ("require quantile(trade.amount, trade.amount) <= 3 USD per year", "E402", "fraction"),
        ("require quantile(trade.amount) <= 3 USD per year", "E401", "takes 2 arguments"),
        ("require median(trade.amount, 0.5) <= 3 USD per year", "E401", "takes 1 argument"),
        ("require median(trade.partner) <= 3 USD per year", "E202", "dimension"),
        ("require trade.partner >= 3 per year", "E202", "dimension"),
        ("require count_distinct(trade.partner) >= 3 USD per year", "E300", ""),
        ("require medain(trade.amount) >= 3 USD per year", "E204", "median"),
        # An aggregate of an aggregate has no meaning here (the median of regional sums would need
        # two groupings): it must not silently become the outer aggregate of the rows.
        ("require median(sum(trade.amount[region])) >= 3 USD per year", "E402", "another aggregate"),
        ("require quantile(median(trade.amount), 0.5) >= 3 USD per year", "E402", "another aggregate"),
        ("require count_distinct(count_distinct(trade.partner)) >= 3 per year", "E402", "another aggregate"),
        ("require sum(mean(trade.amount)[region]) >= 3 USD per year", "E402", "another aggregate"),
        ("require median(count(trade)) >= 3 per year", "E402", "another aggregate"),
    ],
)
def test_checker_errors(rule: str, code: str, message: str) -> None:
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(TRADE + f"rule r: {rule}\n", filename="t.directive")
    found = [d for d in caught.value.diagnostics if d.code == code]
    assert found, [str(d) for d in caught.value.diagnostics]
    assert message in found[0].message + (found[0].hint or ""), str(found[0])
    assert found[0].span.line == 8


def test_a_dimension_error_hints_at_count_distinct() -> None:
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(TRADE + "rule r: require median(trade.partner) <= 3 USD per year\n")
    assert "count_distinct(trade.partner)" in (caught.value.diagnostics[0].hint or "")


def test_an_aggregate_of_a_let_holding_an_aggregate_is_an_error() -> None:
    """`let s = sum(…)` then `median(s)` is the same nesting, whichever is resolved first."""
    text = TRADE + ("let s = sum(trade.amount[region])\n"
                    "rule plain: require s >= 1 USD per year\n"
                    "rule r: require median(s) >= 1 USD per year\n")
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(text, filename="t.directive")
    (found,) = caught.value.diagnostics
    assert (found.code, found.span.line, found.span.column) == ("E402", 10, 24), str(found)
    assert "write `median(trade.amount)`" in (found.hint or "")


def test_a_measure_may_default_to_a_median_but_not_to_a_quantile() -> None:
    ok = TRADE.replace("measure amount USD", "measure amount USD aggregate median")
    directive_dsl.loads(ok + "rule r: require trade.amount >= 1 USD per year\n")
    bad = TRADE.replace("measure amount USD", "measure amount USD aggregate quantile")
    with pytest.raises(DirectiveError) as caught:
        directive_dsl.loads(bad + "rule r: require trade.amount >= 1 USD per year\n")
    assert caught.value.diagnostics[0].code == "E402"


def test_quantile_reducer_matches_duckdb() -> None:
    """The reference reducer against DuckDB's quantile_cont on awkward fractions and repeats."""
    import duckdb

    con = duckdb.connect()
    for values in ([3.5, -1.0, 7.25, 7.25, 0.0, 12.0, 1e6], [-1.7e308, 1.7e308, 1.7e308, 1e308]):
        for q in (0.0, 0.1, 0.25, 1 / 3, 0.5, 0.9, 0.999, 1.0):
            want = con.execute("SELECT quantile_cont(v, ?) FROM unnest(?) AS t(v)", [q, values]).fetchone()
            assert reduce_quantile(values, q) == pytest.approx(want[0], rel=1e-15)


def test_every_aggregate_has_help_and_a_stage() -> None:
    for kind in AGGREGATES.values():
        assert kind.help.startswith(kind.name + "(")
        assert kind.decomposable or (kind.reduce is not None and kind.one_stage is not None)


def test_compiled_statements_give_the_engines_verdicts() -> None:
    """`directive compile` writes each rule's judging as SQL; on DuckDB it agrees with the report."""
    import duckdb

    from directive_dsl.engines.sql.compile import compile_directive, compile_rules

    text = TRADE + (
        "rule partners: require count_distinct(trade.partner[region]) >= 2 per year\n"
        "rule med: require median(trade.amount[region]) >= 6 USD per year\n"
        "rule q: require quantile(trade.amount[region], 0.9) <= 30 USD per year\n"
    )
    directive = directive_dsl.loads(text)
    con = duckdb.connect()
    con.execute("CREATE TABLE trade (year TEXT, region TEXT, partner TEXT, kind TEXT, amount DOUBLE)")
    con.executemany("INSERT INTO trade VALUES (?, ?, ?, ?, ?)",
                    [[str(r["year"]), r["region"], r["partner"], r["kind"], r["amount"]] for r in ROWS])
    scans = [sql for heading, sql in compile_directive(directive, "duckdb")]
    assert any("QUANTILE_CONT" in sql for sql in scans) and all(con.execute(sql).fetchall() for sql in scans)
    compiled = [sorted(row[-1] for row in con.execute(sql).fetchall())
                for heading, sql in compile_rules(directive, "duckdb") if heading[0].startswith("rule ")]
    doc = directive.evaluate({"trade": ROWS}).to_dict(include_passing=True)
    reported = [sorted(o["status"] for o in doc["outcomes"] if o["rule"] == rule.id) for rule in directive.rules]
    assert compiled == reported
