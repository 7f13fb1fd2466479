"""SPEC §13.2–13.5 by hand: sub-window totals, as-of per dataset and per rule, `fill 0`."""

from __future__ import annotations

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveError
from semantics_support import expect, rows_of, run, table

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
