"""Numbers and words people read (SPEC §13.1): no float noise, magnitude words, pp, real severities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.cli import main
from directive_dsl.formats import render
from directive_dsl.report import Location, Outcome, Report, RuleSummary
from directive_dsl.wording import figures, headline_words


def _outcome(actual: float | None, threshold: float, unit: str | None = "USD", **more: Any) -> Outcome:
    fields: dict[str, Any] = {"rule": "r", "severity": "error", "status": "fail", "group": {},
                              "period": "2026", "op": ">=", "location": Location(file="t", line=1, column=1)}
    fields.update(more)
    return Outcome(actual=actual, threshold=threshold, unit=unit, **fields)


@pytest.mark.parametrize(
    "actual,threshold,unit,gap,want",
    [
        (1_300_000_000.03, 1_000_000_000.0, "USD", None, ("1.3 billion USD", "1 billion USD")),
        (149_990_000.0, 150_000_000.0, "USD", 10_000.0, ("149.99 million USD", "150 million USD")),
        (150_000_000.0, 150_000_000.0, "USD", None, ("150 million USD", "150 million USD")),
        (116_000_000.0, 150_000_000.0, "USD", 34_000_000.0, ("116 million USD", "150 million USD")),
        (4.5513, 6.46, "%", 1.9087, ("4.55%", "6.46%")),
        (0.1 + 0.2, 0.3000001, None, None, ("0.3", "0.3000001")),
        (48_214.5, 50_000.0, "t", 1_785.5, ("48,200 t", "50,000 t")),
        (-2.5, 0.0, "pp", 2.5, ("-2.5 pp", "0 pp")),
        (968_500_000.0, 500_000_000.0, "USD", None, ("969 million USD", "500 million USD")),  # half up
        (2.675, 2.0, "t", None, ("2.68 t", "2 t")),  # 2.675 as written, not the float below it
        (999_999_999.7, 2_000_000_000.0, "USD", None, ("1 billion USD", "2 billion USD")),
    ],
)
def test_the_fewest_digits_that_tell_them_apart(actual: float, threshold: float, unit: str | None,
                                               gap: float | None, want: tuple[str, str]) -> None:
    shown = figures(_outcome(actual, threshold, unit, gap=gap))
    assert (shown.actual, shown.threshold) == want


def test_gaps_of_percentages_are_points() -> None:
    shown = figures(_outcome(4.5513, 6.46, "%", gap=1.9087))
    assert shown.gap == "1.91 pp"
    assert "behind the path by 1.91 pp" in _outcome(
        4.5513, 6.46, "%", gap=1.9087, status="off_track", target=10.0, deadline="2030").message


def test_messages_carry_no_float_noise() -> None:
    o = _outcome(1_300_000_000.03, 1_500_000_000.0, gap=199_999_999.97)
    assert o.message == "2026: 1.3 billion USD is below the threshold 1.5 billion USD by 200 million USD"


OFF_TRACK = """
dataset s
  time year
  measure v %
rule share "Share reaches 10%":
  require s.v >= 10% by 2030 from 2025
rule floor "Floor":
  require s.v >= 1% per year
"""


@pytest.fixture
def off_track_report() -> Any:
    directive = directive_dsl.loads(OFF_TRACK, filename="t.directive")
    rows = [{"year": y, "v": v} for y, v in ((2025, 4.0), (2026, 4.2), (2027, 4.3), (2028, 4.4),
                                            (2029, 4.5), (2030, 4.6))]
    return directive.evaluate({"s": rows[:3]}, engine="python")


def test_off_track_is_labelled_a_warning(off_track_report: Any) -> None:
    text = render(off_track_report, "text")
    assert "t.directive:5:1: warning[share]:" in text
    assert "error[share]" not in text


def test_the_headline_says_what_happened(off_track_report: Any) -> None:
    assert headline_words(off_track_report) == "1 target off track, 3 met"
    page = render(off_track_report, "html")
    assert "1 target off track, 3 met" in page
    assert "with warnings" not in page


def test_every_format_labels_a_violation_with_its_own_severity(off_track_report: Any) -> None:
    markdown = render(off_track_report, "markdown")
    assert "warning · `t.directive:5`" in markdown and "error · `t.directive:5`" not in markdown
    junit = render(off_track_report, "junit")
    assert "t.directive:5: warning: 2027:" in junit and ": error:" not in junit
    result = json.loads(render(off_track_report, "sarif"))["runs"][0]["results"][0]
    assert (result["level"], result["properties"]["severity"]) == ("warning", "warning")
    html = render(off_track_report, "html")
    assert 'data-severity="warning"' in html and "off track" in html


def test_a_block_without_violations_is_a_note_not_an_error(off_track_report: Any) -> None:
    text = render(off_track_report, "text", include_passing=True)
    assert "t.directive:7:1: note[floor]: Floor" in text
    assert "error[floor]" not in text


def test_the_markdown_heading_says_what_happened(off_track_report: Any) -> None:
    first = render(off_track_report, "markdown").splitlines()[0]
    assert first == "### ⚠️ Directive report: 1 target off track, 3 met"


def _page(outcome: Outcome) -> str:
    rule = RuleSummary(id="r", title=None, severity="error", status=outcome.status,
                       location=outcome.location, counts={outcome.status: 1})
    return render(Report(title=None, file="t", window=None, as_of=None, rules=(rule,), outcomes=(outcome,)),
                  "html")


def test_html_cells_read_like_the_text() -> None:
    # Rounded for a glance both would read "150 million USD", and a gap of percentages "1.9%".
    page = _page(_outcome(149_990_000.0, 150_000_000.0, gap=10_000.0, violation_severity="error"))
    assert ">149.99 million USD<" in page and ">≥ 150 million USD<" in page
    page = _page(_outcome(4.5513, 6.46, "%", gap=1.9087, violation_severity="error"))
    assert ">1.91 pp<" in page and 'title="1.9087 pp"' in page and 'title="4.5513%"' in page
    assert "gap 1.91 pp" in page  # the chart's point says it alike


@pytest.mark.parametrize("output,first", [
    (None, "Directive report"), ("report.txt", "Directive report"), ("report.json", "{"),
    ("report.md", "### ✅ Directive report: 1 target met"), ("report.unknown", "Directive report"),
])
def test_text_is_the_default_format_wherever_it_goes(
        output: str | None, first: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)  # no configuration file of the project's own
    (tmp_path / "s.csv").write_text("year,v\n2026,7\n")
    (tmp_path / "t.directive").write_text('dataset s from "s.csv"\n  time year\n  measure v\n'
                                          "rule r: require s.v >= 5 per year\n")
    args = ["check", "t.directive", "--engine", "python"] + (["--output", output] if output else [])
    assert main(args) == 0
    written = capsys.readouterr().out if output is None else (tmp_path / output).read_text()
    assert written.splitlines()[0] == first  # stdout is captured here: not a terminal


def test_the_chart_rounds_as_the_table_does() -> None:
    page = _page(_outcome(968_500_000.0, 500_000_000.0, status="pass"))
    assert ">969 million USD<" in page and ">969M<" in page and ">968M<" not in page
