"""Waivers (SPEC §13.7): parsing, the checker's errors, which outcomes they excuse, W120, exit codes.

Every expectation is worked out by hand from the data written in each test.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl import nodes as n
from directive_dsl.cli import main
from directive_dsl.errors import DirectiveError
from directive_dsl.parser import parse

FDI = textwrap.dedent(
    """\
    dataset fdi
      time year
      dimensions region
      measure amount million USD

    rule fdi_regions "FDI per region":
      require fdi.amount[region] >= 100 million USD per year
    """
)

#: Mogilev is below the floor every year, Minsk in 2027 only.
ROWS = [
    {"year": 2026, "region": "Mogilev", "amount": 50},
    {"year": 2027, "region": "Mogilev", "amount": 60},
    {"year": 2028, "region": "Mogilev", "amount": 70},
    {"year": 2026, "region": "Minsk", "amount": 150},
    {"year": 2027, "region": "Minsk", "amount": 90},
    {"year": 2028, "region": "Minsk", "amount": 200},
]


def _report(waivers: str, engine: Any = "python", text: str = FDI, rows: Any = None) -> Any:
    directive = directive_dsl.loads(text + waivers, filename="t.directive")
    return directive.evaluate({"fdi": ROWS if rows is None else rows}, engine=engine)


def _waived(report: Any) -> list[tuple[str, str, str | None]]:
    return [(o.group.get("region", ""), o.period, o.waiver.until) for o in report.waived]


def _violations(report: Any) -> list[tuple[str, str]]:
    return [(o.group.get("region", ""), o.period) for o in report.violations]


def _errors(text: str) -> list[str]:
    with pytest.raises(DirectiveError) as raised:
        directive_dsl.loads(text, filename="t.directive")
    return [d.render() for d in raised.value.diagnostics]


# ---------------------------------------------------------------- parsing


def test_a_waive_statement_parses_with_and_without_its_optional_parts() -> None:
    module = parse(
        'waive a[region = "Mogilev" and kind in ["x"]] until 2027-Q2 because "Flood"\n'
        'waive b because "Superseded"\n'
    )
    full, bare = module.statements
    assert isinstance(full, n.Waive) and isinstance(bare, n.Waive)
    assert full.rule.name == "a" and full.until is not None and full.until.text == "2027-Q2"
    assert full.reason.value == "Flood" and isinstance(full.condition, n.AllOf)
    assert (full.span.line, full.span.column, bare.span.line) == (1, 1, 2)
    assert bare.condition is None and bare.until is None and bare.reason.value == "Superseded"


def test_the_reason_is_required() -> None:
    with pytest.raises(DirectiveError) as raised:
        parse("waive a until 2027\n")
    assert raised.value.code == "E101"
    assert "`because`" in raised.value.message


# ---------------------------------------------------------------- the checker


def test_an_unknown_rule_id_is_located_with_a_suggestion() -> None:
    assert _errors(FDI + 'waive fdi_region until 2027 because "Flood"\n') == [
        "t.directive:8:7: error[E209]: no rule has the id `fdi_region`\n"
        ' 8 | waive fdi_region until 2027 because "Flood"\n'
        "   |       ^^^^^^^^^^\n"
        "   = hint: did you mean `fdi_regions`?"
    ]


def test_an_unknown_rule_id_far_from_every_id_lists_them() -> None:
    (error,) = _errors(FDI + 'waive exports because "x"\n')
    assert "error[E209]: no rule has the id `exports`" in error
    assert "hint: the rule ids are `fdi_regions`" in error


def test_a_waiver_in_a_directive_without_rule_ids_says_how_to_name_one() -> None:
    (error,) = _errors('require fdi.amount >= 1 per year\nwaive floor because "x"\n')
    assert 'hint: give the rule an id: `rule ID "Title":`' in error


def test_a_condition_on_a_dimension_the_rule_does_not_group_by_is_located() -> None:
    assert _errors(FDI + 'waive fdi_regions[partner = "CN"] because "x"\n') == [
        "t.directive:8:19: error[E409]: rule `fdi_regions` does not group by `partner`, "
        "so a waiver cannot select by it\n"
        ' 8 | waive fdi_regions[partner = "CN"] because "x"\n'
        "   |                   ^^^^^^^\n"
        "   = hint: it groups by `region`"
    ]


def test_a_rule_without_groups_takes_no_condition() -> None:
    text = FDI + 'rule total: require fdi.amount >= 1 million USD per year\nwaive total[region = "Minsk"] because "x"\n'
    (error,) = _errors(text)
    assert "error[E409]: rule `total` does not group by `region`" in error
    assert "hint: it has one outcome per period: waive it without a condition" in error


def test_a_condition_compares_with_equality_and_text_only() -> None:
    (order,) = _errors(FDI + 'waive fdi_regions[region > "M"] because "x"\n')
    assert "error[E409]: a waiver compares `region` with `=` or `!=`, not `>`" in order
    (unit,) = _errors(FDI + 'waive fdi_regions[region = 5 USD] because "x"\n')
    assert "error[E409]: a waiver compares a dimension with text" in unit


def test_a_bad_until_period_is_an_invalid_period() -> None:
    (error,) = _errors(FDI + 'waive fdi_regions until 2027-Q5 because "x"\n')
    assert "error[E404]" in error and "8:25" in error


def test_a_waiver_of_a_rule_with_errors_of_its_own_is_not_reported_again() -> None:
    text = FDI + 'rule broken: require grwth(fdi.amount) >= 1% per year\nwaive broken because "x"\n'
    codes = [e.split("error[")[1][:4] for e in _errors(text)]
    assert codes == ["E204"]


def test_a_waiver_of_a_rule_that_did_not_parse_is_not_reported_again() -> None:
    text = FDI + 'rule broken: require fdi.amount >= per year\nwaive broken because "x"\n'
    codes = [e.split("error[")[1][:4] for e in _errors(text)]
    assert codes == ["E100"]


# ---------------------------------------------------------------- what a waiver excuses


def test_a_waiver_excuses_its_groups_through_until_and_keeps_their_status() -> None:
    report = _report('waive fdi_regions[region = "Mogilev"] until 2027 because "Flood recovery"\n')
    assert _waived(report) == [("Mogilev", "2026", "2027"), ("Mogilev", "2027", "2027")]
    assert _violations(report) == [("Minsk", "2027"), ("Mogilev", "2028")]
    assert {o.status for o in report.waived} == {"fail"}
    assert report.status == "fail"
    doc = report.to_dict()
    assert doc["summary"]["waived"] == 2 and doc["summary"]["fail"] == 4
    assert doc["waived"][0]["waiver"] == {
        "reason": "Flood recovery",
        "until": "2027",
        "location": {"file": "t.directive", "line": 8, "column": 1},
    }
    assert [v["waiver"] for v in doc["violations"]] == [None, None]


def test_a_waiver_without_until_or_condition_excuses_every_violation_of_its_rule() -> None:
    report = _report('waive fdi_regions because "Superseded by Directive No. 14"\n')
    assert len(report.waived) == 4 and report.violations == ()
    assert report.status == "pass" and report.ok
    assert report.to_dict()["summary"]["status"] == "pass"


def test_passing_outcomes_are_matched_but_not_marked() -> None:
    report = _report('waive fdi_regions[region = "Minsk"] because "x"\n')
    doc = report.to_dict(include_passing=True)
    marked = [(o["group"]["region"], o["period"]) for o in doc["outcomes"] if o["waiver"]]
    assert marked == [("Minsk", "2027")]
    assert report.warnings == ()


def test_conditions_with_in_or_not_and_a_list_from_let() -> None:
    both = _report('waive fdi_regions[region in ["Minsk", "Mogilev"]] until 2026 because "x"\n')
    assert _waived(both) == [("Mogilev", "2026", "2026")]
    others = _report('waive fdi_regions[not region = "Mogilev"] because "x"\n')
    assert _waived(others) == [("Minsk", "2027", None)]
    either = _report('waive fdi_regions[region = "Brest" or region != "Minsk"] until 2026 because "x"\n')
    assert _waived(either) == [("Mogilev", "2026", "2026")]
    listed = _report('let hit = ["Mogilev"]\nwaive fdi_regions[region in hit] until 2026 because "x"\n')
    assert _waived(listed) == [("Mogilev", "2026", "2026")]
    outside = _report('waive fdi_regions[region not in ["Minsk"]] until 2027 because "x"\n')
    assert [w[:2] for w in _waived(outside)] == [("Mogilev", "2026"), ("Mogilev", "2027")]


def test_the_first_matching_waiver_is_the_one_carried() -> None:
    report = _report(
        'waive fdi_regions[region = "Mogilev"] until 2026 because "first"\n'
        'waive fdi_regions until 2027 because "second"\n'
    )
    reasons = [(o.group["region"], o.period, o.waiver.reason) for o in report.waived]
    assert reasons == [("Minsk", "2027", "second"), ("Mogilev", "2026", "first"),
                       ("Mogilev", "2027", "second")]


QUARTERLY = textwrap.dedent(
    """\
    dataset fdi
      time quarter
      measure amount million USD

    rule floor: require fdi.amount >= 100 million USD per quarter
    rule yearly: require fdi.amount >= 500 million USD per year
    rule window: require fdi.amount >= 9000 million USD in total
    """
)
QUARTERS = [{"quarter": f"{y}-Q{q}", "amount": 10} for y in (2026, 2027) for q in (1, 2, 3, 4)]


def _periods(report: Any, rule: str) -> list[str]:
    return [o.period for o in report.waived if o.rule == rule]


def test_until_is_compared_as_periods() -> None:
    year = _report("waive floor until 2026 because \"x\"\n", text=QUARTERLY, rows=QUARTERS)
    assert _periods(year, "floor") == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    quarter = _report('waive yearly until 2026-Q2 because "x"\nwaive floor until 2026-Q2 because "y"\n',
                      text=QUARTERLY, rows=QUARTERS)
    assert _periods(quarter, "yearly") == []  # 2026 ends after its second quarter
    assert _periods(quarter, "floor") == ["2026-Q1", "2026-Q2"]
    assert [w.code for w in quarter.warnings] == ["W120"]
    month = _report('waive floor until 2026-06 because "x"\n', text=QUARTERLY, rows=QUARTERS)
    assert _periods(month, "floor") == ["2026-Q1", "2026-Q2"]


def test_a_total_is_covered_only_by_an_until_at_its_end() -> None:
    early = _report('waive window until 2026 because "x"\n', text=QUARTERLY, rows=QUARTERS)
    assert _periods(early, "window") == [] and [w.code for w in early.warnings] == ["W120"]
    late = _report('waive window until 2027 because "x"\n', text=QUARTERLY, rows=QUARTERS)
    assert _periods(late, "window") == ["2026-Q1..2027-Q4"]


# ---------------------------------------------------------------- W120


def test_w120_for_an_until_before_a_first_period_the_directive_states() -> None:
    text = FDI.replace("per year", "per year from 2026 to 2030")
    directive = directive_dsl.loads(text + 'waive fdi_regions until 2025 because "x"\n',
                                    filename="t.directive")
    (warning,) = directive.warnings
    assert warning.render() == (
        "t.directive:8:25: warning[W120]: the waiver of `fdi_regions` ends in 2025, "
        "before the rule's first period 2026\n"
        ' 8 | waive fdi_regions until 2025 because "x"\n'
        "   |                         ^^^^\n"
        "   = hint: it excuses nothing: correct the period or remove the waiver"
    )
    report = directive.evaluate({"fdi": ROWS}, engine="python")
    assert report.warnings == ()  # said once, by the checker
    assert report.waived == ()


def test_w120_for_an_until_before_the_first_period_of_the_data() -> None:
    report = _report('waive fdi_regions until 2025 because "x"\n')
    (warning,) = report.warnings
    assert warning.code == "W120" and (warning.line, warning.column) == (8, 1)
    assert warning.message == "the waiver of `fdi_regions` ends in 2025, before the rule's first period 2026"


def test_w120_for_a_waiver_that_matches_no_outcome() -> None:
    report = _report('waive fdi_regions[region = "Brest"] until 2027 because "x"\n')
    (warning,) = report.warnings
    assert warning.severity == "warning"
    assert warning.message == "the waiver of `fdi_regions` matches no outcome"
    assert warning.hint == (
        "no outcome of `fdi_regions` meets its condition and `until`: correct them or remove the waiver"
    )


# ---------------------------------------------------------------- the command line


def _files(tmp_path: Path, waivers: str) -> Path:
    (tmp_path / "fdi.csv").write_text(
        "year,region,amount\n" + "".join(f"{r['year']},{r['region']},{r['amount']}\n" for r in ROWS)
    )
    path = tmp_path / "t.directive"
    path.write_text(FDI.replace("dataset fdi", 'dataset fdi from "fdi.csv"') + waivers)
    return path


def test_waived_outcomes_set_no_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _files(tmp_path, 'waive fdi_regions until 2027 because "Flood"\n')
    assert main(["check", "t.directive", "--engine", "python"]) == 1  # Mogilev 2028 still fails
    capsys.readouterr()
    _files(tmp_path, 'waive fdi_regions because "Flood"\n')
    assert main(["check", "t.directive", "--engine", "python", "--fail-on", "warning"]) == 0
    out = capsys.readouterr().out
    assert "PASS  no violations in 1 rule; 6 outcomes: 2 pass, 4 fail; 4 waived\n" in out
    assert main(["check", "t.directive", "--engine", "python", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["waived"] == 4 and doc["violations"] == []


def test_check_prints_w120_found_in_the_data_and_lint_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    _files(tmp_path, 'waive fdi_regions[region = "Brest"] because "x"\n')
    assert main(["lint", "t.directive"]) == 0
    assert "W120" not in capsys.readouterr().err
    assert main(["check", "t.directive", "--engine", "python"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("t.directive:8:1: warning[W120]: the waiver of `fdi_regions` matches no outcome\n")


def test_lint_prints_the_w120_it_can_see_without_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    path = _files(tmp_path, 'waive fdi_regions until 2025 because "x"\n')
    path.write_text(path.read_text().replace("per year", "per year from 2026 to 2030"))
    assert main(["lint", "t.directive"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith("t.directive:8:25: warning[W120]: the waiver of `fdi_regions` ends in 2025, "
                          "before the rule's first period 2026\n")
    assert out == "t.directive: ok (1 rule, 1 warning)\n"
    assert main(["check", "t.directive", "--engine", "python"]) == 1
    assert capsys.readouterr().err.count("W120") == 1  # once, from the checker
