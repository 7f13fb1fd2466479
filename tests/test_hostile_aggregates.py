"""median, quantile and count_distinct on hostile dimension values, on every engine.

The SQL engines answer these aggregates in a statement of their own (a ``GROUP BY``
per request over the rows, :mod:`directive_dsl.engines.sql.one_stage`), keyed and
filtered by dimension values: a value that could close a SQL literal or open a
comment must stay a value. The expected numbers are worked out from the rows.
"""

from __future__ import annotations

from typing import Any

from semantics_support import expect, run, table

#: Texts that mean something to SQL, to a shell or to a parser, and codes that look like numbers.
HOSTILE = [
    "O'Brien", 'say "hi"', "back\\slash", "x -- y", "a */ b /* c", "line1\nline2", "Мінск",
    "SELECT", "NULL", "0402", "402", "'; DROP TABLE d; --", "%_", "$$x$$", "\\'",
]

TEXT = '''directive "Hostile"
  period 2020 to 2021
dataset d
  time year
  dimensions `region"; --`, partner
  measure amount USD
rule partners: require count_distinct(d.partner[`region"; --`]) >= 2 per year
'''


def _literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _rows() -> list[dict[str, Any]]:
    """Each value i is a region with partners {value, "other"} in 2020 (amounts i+1, i+2) and
    {value} in 2021 (amount i+3)."""
    rows = []
    for i, value in enumerate(HOSTILE):
        rows += [
            {"year": 2020, 'region"; --': value, "partner": value, "amount": float(i + 1)},
            {"year": 2020, 'region"; --': value, "partner": "other", "amount": float(i + 2)},
            {"year": 2021, 'region"; --': value, "partner": value, "amount": float(i + 3)},
        ]
    return rows


def test_hostile_values_stay_values_in_one_stage_aggregates(engine: Any) -> None:
    text = TEXT
    for i, value in enumerate(HOSTILE):
        text += (f"rule q{i}: require quantile(d.amount[`region\"; --` = {_literal(value)}], 0.5) "
                 ">= 1 USD per year\n")
        text += (f"rule c{i}: require count_distinct(d.partner[partner in [{_literal(value)}, \"other\"]]) "
                 ">= 2 per year\n")
    doc = run(text, {"d": _rows()}, engine)
    partners = table(doc, "partners")
    assert len(partners) == 2 * len(HOSTILE)
    for i, value in enumerate(HOSTILE):
        expect(partners[value, "2020"], "pass", actual=2)
        expect(partners[value, "2021"], "fail", actual=1, gap=1)
        # the median of i+1 and i+2, then the single i+3
        expect(table(doc, f"q{i}")["2020",], "pass", actual=i + 1.5)
        expect(table(doc, f"q{i}")["2021",], "pass", actual=i + 3)
        expect(table(doc, f"c{i}")["2020",], "pass", actual=2)
        expect(table(doc, f"c{i}")["2021",], "fail", actual=1)


def test_one_stage_aggregates_of_a_dataset_without_time(engine: Any) -> None:
    """Rows without a time column hold in every period (docs/semantics.md §1): A's amounts 1 and 4
    have the median 2.5 each year and the 0.75 quantile 1 + 0.75 × 3 = 3.25; A has partners x and
    y, B only x; B's single amount is unknown."""
    text = '''directive "Timeless"
  period 2020 to 2021
dataset s
  dimensions region, partner
  measure amount USD
rule med: require median(s.amount[region]) >= 2 USD per year
rule partners: require count_distinct(s.partner[region]) >= 2 in total
rule q: require quantile(s.amount, 0.75) >= 2 USD in 2021
'''
    rows = [{"region": "A", "partner": "x", "amount": 1.0}, {"region": "A", "partner": "y", "amount": 4.0},
            {"region": "B", "partner": "x", "amount": None}]
    doc = run(text, {"s": rows}, engine)
    med = table(doc, "med")
    expect(med["A", "2020"], "pass", actual=2.5)
    expect(med["A", "2021"], "pass", actual=2.5)
    expect(med["B", "2021"], "missing")
    partners = table(doc, "partners")
    expect(partners["A", "2020..2021"], "pass", actual=2)
    expect(partners["B", "2020..2021"], "fail", actual=1, gap=1)
    expect(table(doc, "q")["2021",], "pass", actual=3.25)
