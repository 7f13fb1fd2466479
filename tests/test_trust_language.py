"""The language's meaning where a user met a wrong answer (SPEC §13.1): units of change, lets."""

from __future__ import annotations

from typing import Any

import pytest

import directive_dsl
from directive_dsl.cli import main
from directive_dsl.errors import DirectiveSyntaxError
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


@pytest.mark.parametrize("text", [
    'rule r: require t.v[c = "\\ud800"] >= 1 per year',
    'rule r "\\udcff": require t.v >= 1 per year',
    'let codes = ["\\ud83d"]\nrule r: require t.v[c in codes] >= 1 per year',
])
def test_a_lone_surrogate_escape_is_a_located_error(text: str) -> None:
    with pytest.raises(DirectiveSyntaxError) as caught:
        directive_dsl.loads(text)
    assert caught.value.code == "E103" and "surrogate" in caught.value.message


def test_a_surrogate_pair_is_one_character() -> None:
    directive = directive_dsl.loads('rule r "\\ud83d\\ude00": require t.v >= 1 per year')
    assert directive.rules[0].title == "\U0001F600"


def test_a_lone_surrogate_in_text_from_a_program() -> None:
    with pytest.raises(DirectiveSyntaxError) as caught:
        directive_dsl.loads('rule r: require t.v[c = "\ud800"] >= 1 per year')
    assert caught.value.code == "E111" and caught.value.column == 26
    caught.value.render().encode("utf-8")  # printable: the excerpt holds no surrogate


def test_the_command_line_reports_it(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.csv").write_text("year,c,v\n2020,A,5\n")
    path = tmp_path / "s.directive"
    path.write_text('dataset t from "t.csv"\n  time year\nrule r: require t.v[c = "\\ud800"] >= 1 per year\n')
    for command in (["check"], ["lint"], ["fmt", "--check"], ["compile"]):
        assert main([*command, str(path)]) == 2, command
        assert "E103" in capsys.readouterr().err


def _lets(count: int, body: str, last: int | None = None) -> str:
    lines = ['dataset t from "t.csv"', "  time year", "let a0 = t.v"]
    lines += [f"let a{i} = " + body.format(p=f"a{i - 1}") for i in range(1, count + 1)]
    lines.append(f"rule r: require a{last if last is not None else count} >= 5 per year")
    return "\n".join(lines) + "\n"


def _finishes(call: Any, seconds: float = 120.0) -> Any:
    """Run *call* in a thread; fail (instead of hanging the suite) if it does not return."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(call).result(timeout=seconds)


@pytest.mark.parametrize("count,body,words", [
    (1000, "{p} + 1", "nests more than 200 levels deep"),
    (40, "{p} + {p}", "expands to more than 100,000 terms"),
])
def test_lets_built_on_lets_end_in_a_located_error(tmp_path: Any, capsys: pytest.CaptureFixture[str],
                                                   count: int, body: str, words: str) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2020,5\n")
    path = tmp_path / "lets.directive"
    path.write_text(_lets(count, body))
    for command in (["lint"], ["check", "--engine", "python"], ["check"], ["compile"]):
        assert _finishes(lambda c=command: main([*c, str(path)])) == 2, command
        err = capsys.readouterr().err
        assert "error[E110]" in err and words in err and "Traceback" not in err
    assert _finishes(lambda: main(["fmt", "--check", str(path)])) in (0, 1)


@pytest.mark.parametrize("count,body", [(150, "{p} + 1"), (14, "{p} + {p}")])
def test_lets_within_the_bounds_evaluate(tmp_path: Any, count: int, body: str) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2020,5\n")
    directive = directive_dsl.loads(_lets(count, body), filename=str(tmp_path / "x.directive"))
    for engine in ("python", "duckdb"):
        report = _finishes(lambda e=engine: directive.evaluate(engine=e))
        [outcome] = report.outcomes
        expected = 5 + count if "+ 1" in body else 5 * 2**count
        assert outcome.actual == expected


def test_a_per_range_with_a_coarser_bound_covers_it_whole() -> None:
    # Found by the fuzz test: this raised ValueError instead of checking.
    directive = directive_dsl.loads(
        "dataset m\n  time quarter\n  measure v EUR\n"
        "require m.v >= 1 EUR per quarter from 2027-Q1 to 2028\n"
        "require m.v >= 1 EUR per quarter from 2027 to 2027-Q2\n")
    first, second = (rule.time for rule in directive.rules)
    assert (str(first.start), str(first.end)) == ("2027-Q1", "2028-Q4")
    assert (str(second.start), str(second.end)) == ("2027-Q1", "2027-Q2")


def test_a_clause_never_starts_at_its_keyword_written_in_a_comment() -> None:
    """Spans start at the keyword the lexer found: the word `in` inside the comment is not it."""
    text = "require x >= 1 in # in\n  2026\n"
    time = directive_dsl.parse(text).statements[0].time
    assert time is not None
    comment = text.index("# in")
    assert not comment <= time.span.start < text.index("\n")
