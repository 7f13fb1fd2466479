"""Every report format, checked against the JSON report of the same run.

Each format is rendered from three reports (the example directive, a run that
takes every status, and a report built by hand with hostile text) and read
back: the violations and their locations must be the ones the JSON document
lists. JSON is validated against the shipped schema, SARIF against the official
SARIF 2.1.0 schema (tests/data), JUnit with a JUnit XML reader.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from directive_dsl.errors import DirectiveUsageError
from directive_dsl.formats import FORMATS, render, report_schema
from directive_dsl.formats.charts import chart_kind, rule_chart
from directive_dsl.formats.markup import to_html
from directive_dsl.formats.sarif import artifact_uri
from directive_dsl.report import Report
from directive_dsl.wording import figures, group_words, number
from report_samples import REPORTS, ROOT, built_report, example_report

DATA = Path(__file__).parent / "data"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(scope="module", params=sorted(REPORTS))
def report(request: pytest.FixtureRequest) -> Report:
    return REPORTS[request.param]()


def _document(report: Report, *, include_passing: bool = False) -> dict[str, Any]:
    return json.loads(render(report, "json", include_passing=include_passing))


def _expected(report: Report) -> Counter[tuple[Any, ...]]:
    """What every format must show: rule, group, period, status and place of each violation."""
    return Counter(
        (v["rule"], group_words(v["group"]), v["period"], v["status"], v["location"]["line"],
         v["location"]["column"])
        for v in _document(report)["violations"]
    )


# ---------------------------------------------------------------- every format

def test_formats_are_listed_in_order() -> None:
    assert FORMATS == ("text", "json", "markdown", "junit", "sarif", "html", "github", "tap")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_text_ending_in_a_newline(report: Report, fmt: str) -> None:
    for passing in (False, True):
        out = render(report, fmt, include_passing=passing)
        assert isinstance(out, str) and out.endswith("\n") and len(out) > 40
        out.encode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_report_renders(fmt: str) -> None:
    empty = Report(title=None, file="t.directive", window=None, as_of=None, rules=(), outcomes=())
    assert render(empty, fmt).endswith("\n")


def test_an_unknown_format_is_a_usage_error_with_a_suggestion() -> None:
    with pytest.raises(DirectiveUsageError) as caught:
        render(example_report(), "sarf")
    assert caught.value.code == "E700"
    assert "unknown report format `sarf`" in caught.value.message
    assert caught.value.hint is not None and "did you mean `sarif`?" in caught.value.hint
    with pytest.raises(DirectiveUsageError) as caught:
        render(example_report(), "pdf")
    assert caught.value.hint is not None and "`text`, `json`" in caught.value.hint


# ---------------------------------------------------------------- json

def test_json_is_the_report_document(report: Report) -> None:
    for passing in (False, True):
        assert _document(report, include_passing=passing) == report.to_dict(include_passing=passing)
    assert "outcomes" in _document(report, include_passing=True)
    assert "outcomes" not in _document(report)


def test_json_keeps_non_ascii_text() -> None:
    out = render(example_report(), "json")
    assert "Belarus–China" in out and "\\u2013" not in out
    assert out.startswith('{\n  "schema": "directive-report/2",')


def test_the_schema_is_valid_draft_2020_12_and_shipped_in_the_package() -> None:
    schema = report_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["properties"]["schema"] == {"const": "directive-report/2"}
    import directive_dsl

    shipped = Path(directive_dsl.__file__).parent / "schema" / "report.schema.json"
    assert json.loads(shipped.read_text(encoding="utf-8")) == schema


def test_reports_validate_against_the_schema(report: Report) -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    for passing in (False, True):
        errors = sorted(validator.iter_errors(_document(report, include_passing=passing)), key=str)
        assert not errors, [e.message for e in errors]


def test_the_schema_rejects_what_is_not_a_report() -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    document = _document(example_report())
    run = document["run"]
    dataset = run["datasets"][0]
    for broken in (
        {**document, "schema": "directive-report/1"},
        {**document, "run": {**run, "generated_at": "2026-12-04T05:12:05.123+00:00"}},
        {**document, "run": {**run, "directive": {"file": "x"}}},
        {**document, "run": {**run, "datasets": [{**dataset, "sha256": "ABC"}]}},
        {**document, "run": {**run, "datasets": [{**dataset, "rows": -1}]}},
        {**document, "summary": {**document["summary"], "status": "ok"}},
        {**document, "violations": [{**document["violations"][0], "status": "pass"}]},
        {**document, "violations": [{**document["violations"][0], "location": {"file": "x", "line": 0,
                                                                               "column": 1}}]},
        {**document, "rules": [{**document["rules"][0], "extra": 1}]},
    ):
        assert not validator.is_valid(broken)


# ---------------------------------------------------------------- text

def _text_violations(text: str) -> Counter[tuple[Any, ...]]:
    found: Counter[tuple[Any, ...]] = Counter()
    head = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): \w+\[(?P<rule>.+?)\]: ")
    rule = line = col = None
    columns: list[str] = []
    starts: list[int] = []
    for raw in text.splitlines():
        if (m := head.match(raw)) is not None:
            rule, line, col = m["rule"], int(m["line"]), int(m["col"])
            continue
        if raw.startswith("  group") or raw.startswith("  period"):
            columns = raw.split()
            starts = [raw.index(f"  {c}") + 2 if i else 2 for i, c in enumerate(columns)]
            continue
        if rule and columns and raw.startswith("  ") and not raw.startswith(("  source:", "  rule:", "  progress ")):
            words = re.compile(r"\S+(?: \S+)*")  # a cell: words with single spaces between them
            cell = {c: words.match(raw, starts[i])[0]  # type: ignore[index]
                    for i, c in enumerate(columns) if c in ("group", "period", "status")}
            status = cell["status"].split(" (")[0].replace(" ", "_")
            found[(rule, cell.get("group", ""), cell["period"], status, line, col)] += 1
    return found


def test_text_lists_each_violation_under_its_rule_and_place(report: Report) -> None:
    text = render(report, "text")
    assert _text_violations(text) == _expected(report)
    # The summary line closes the report; a footer on where the figures came from follows it.
    blocks = text.rstrip().split("\n\n")
    footer = blocks.pop() if report.run is not None else ""
    assert blocks[-1].startswith(report.status.upper() + "  ") and "\n" not in blocks[-1]
    assert footer.count("\nData: ") + footer.startswith("Data: ") == len(report.run.datasets if report.run else ())


def test_text_with_every_outcome_and_colours() -> None:
    report = example_report()
    plain = render(report, "text", include_passing=True)
    coloured = render(report, "text", include_passing=True, color=True)
    assert "\x1b[" not in plain and "\x1b[31" in coloured
    assert ANSI.sub("", coloured) == plain
    assert len(_text_violations(plain)) >= len(_expected(report))
    assert " pass " in plain


def test_text_shows_actual_threshold_gap_and_reason() -> None:
    text = render(example_report(), "text")
    for violation in example_report().violations:
        shown = figures(violation)
        for value, words in ((violation.actual, shown.actual), (violation.threshold, shown.threshold),
                             (violation.gap, shown.gap)):
            if value is not None:
                assert words in text
        if violation.reason:
            assert violation.reason in text
    assert "examples/belarus_china/belarus_china.directive:35:1: error[fdi_regions]:" in text


# ---------------------------------------------------------------- markdown

def _markdown_violations(text: str, report: Report) -> Counter[tuple[Any, ...]]:
    places = {r.id: (r.location.line, r.location.column) for r in report.rules}
    found: Counter[tuple[Any, ...]] = Counter()
    rule = None
    header: list[str] = []
    for line in text.splitlines():
        if line.startswith("#### "):  # a rule's section, or the closing one on the sources
            m = re.match(r"^#### \S+ `(.+?)`", line)
            rule, header = (m[1] if m else None), []
        elif line.startswith("| ") and rule:
            cells = [re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            if not header:
                header = cells
            elif not set(cells[0]) <= set("-: "):
                cell = dict(zip(header, cells, strict=True))
                status = cell["Status"].split(" ", 1)[1].split(" (")[0].replace(" ", "_")
                found[(rule, cell.get("Group", ""), cell["Period"], status, *places[rule])] += 1
    return found


def test_markdown_has_a_summary_and_a_table_per_rule(report: Report) -> None:
    text = render(report, "markdown")
    assert text.startswith("### ")
    assert _markdown_violations(text, report) == _expected(report)
    for rule in {v.rule for v in report.violations}:
        location = next(r.location for r in report.rules if r.id == rule)
        assert f"`{location.file}:{location.line}`" in text


def test_markdown_escapes_text_that_would_break_a_table() -> None:
    text = render(built_report(), "markdown")
    assert "<script>" not in text and "<b>" not in text
    tables = [block.splitlines() for block in text.split("\n\n") if block.startswith("| ")]
    assert tables
    for rows in tables:
        assert len({len(re.split(r"(?<!\\)\|", row)) for row in rows}) == 1, rows


# ---------------------------------------------------------------- junit

def _junit_failures(xml: str) -> Counter[tuple[Any, ...]]:
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    found: Counter[tuple[Any, ...]] = Counter()
    for suite in root.iter("testsuite"):
        for case in suite.iter("testcase"):
            for failure in case.iter("failure"):
                found[(suite.get("name"), failure.get("message"), failure.get("type"), int(case.get("line", 0)),
                       case.get("file"))] += 1
    return found


def test_junit_has_a_failure_per_violation(report: Report) -> None:
    xml = render(report, "junit")
    expected = Counter((v["rule"], v["message"], v["status"], v["location"]["line"], v["location"]["file"])
                       for v in _document(report)["violations"])
    assert _junit_failures(xml) == expected


def test_junit_has_a_suite_per_rule_and_a_case_per_group_with_its_periods(report: Report) -> None:
    root = ET.fromstring(render(report, "junit").encode("utf-8"))
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [r.id for r in report.rules]
    for suite, rule in zip(suites, report.rules, strict=True):
        mine = [o for o in report.outcomes if o.rule == rule.id]
        groups = list(dict.fromkeys(tuple(o.group.items()) for o in mine))
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [group_words(dict(g)) or rule.id for g in groups]
        for case, group in zip(cases, groups, strict=True):
            periods = next(p.get("value") for p in case.iter("property") if p.get("name") == "periods")
            assert periods == ", ".join(o.period for o in mine if tuple(o.group.items()) == group)
        assert int(suite.get("tests", "-1")) == len(cases)
        failed = sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("failures", "-1")) == failed
    assert int(root.get("tests", "-1")) == sum(int(s.get("tests", "0")) for s in suites)


def test_junit_reads_with_junitparser(report: Report, tmp_path: Path) -> None:
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "report.xml"
    path.write_text(render(report, "junit"), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    failures = 0
    names = []
    for suite in xml:
        names.append(suite.name)
        for case in suite:
            failures += sum(1 for result in case.result if isinstance(result, junitparser.Failure))
    assert names == [r.id for r in report.rules]
    assert failures == len(report.violations)


def test_junit_text_cannot_break_the_xml() -> None:
    report = built_report()
    xml = render(report, "junit")
    ET.fromstring(xml.encode("utf-8"))
    assert "<script>" not in xml


# ---------------------------------------------------------------- sarif

def _sarif(report: Report, *, include_passing: bool = False) -> dict[str, Any]:
    return json.loads(render(report, "sarif", include_passing=include_passing))


def test_sarif_validates_against_the_official_schema(report: Report) -> None:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    for passing in (False, True):
        errors = sorted(validator.iter_errors(_sarif(report, include_passing=passing)), key=str)
        assert not errors, [e.message for e in errors[:5]]


def test_sarif_has_one_result_per_violation_at_its_rule(report: Report) -> None:
    run = _sarif(report)["runs"][0]
    found: Counter[tuple[Any, ...]] = Counter()
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        props = result["properties"]
        found[(result["ruleId"], group_words(props["group"]), props["period"], props["status"],
               region["startLine"], region["startColumn"])] += 1
        assert result["kind"] == "fail"
        assert result["level"] == {"error": "error", "warning": "warning", "info": "note"}[props["severity"]]
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    assert found == _expected(report)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris <= {artifact_uri(rule.location.file) for rule in report.rules}


def test_sarif_rules_carry_titles_and_levels(report: Report) -> None:
    rules = _sarif(report)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in report.rules]
    for meta, rule in zip(rules, report.rules, strict=True):
        assert meta["shortDescription"]["text"] == (rule.title or rule.id)
        assert meta["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning",
                                                          "info": "note"}[rule.severity]


def test_sarif_uris_are_relative_to_the_working_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    report = example_report()
    results = _sarif(report)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"examples/belarus_china/belarus_china.directive"}
    monkeypatch.chdir(ROOT / "examples")
    assert artifact_uri(str(ROOT / "examples" / "belarus_china" / "x.directive")) == "belarus_china/x.directive"
    assert artifact_uri(str(ROOT / "README.md")) == "../README.md"
    assert artifact_uri("odd dir/a#b.directive") == "odd%20dir/a%23b.directive"


def test_sarif_with_every_outcome_marks_the_passing_ones() -> None:
    report = example_report()
    results = _sarif(report, include_passing=True)["runs"][0]["results"]
    assert len(results) == len(report.outcomes)
    assert {(r["kind"], r["level"]) for r in results if r["properties"]["status"] == "pass"} == {("pass", "none")}


# ---------------------------------------------------------------- html

class _Page(HTMLParser):
    """Collects what the tests look at: sections, outcome rows, charts, links and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.sections: list[dict[str, str | None]] = []
        self.tags: Counter[str] = Counter()
        self.svgs: list[dict[str, str | None]] = []
        self.svg_titles = 0
        self.refs: list[str] = []
        self._in_svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags[tag] += 1
        if tag == "section" and "rule" in (found.get("class") or "").split():
            self.sections.append(found)
        elif tag == "tr" and "outcome" in (found.get("class") or "").split():
            self.rows.append({**found, "rule": self.sections[-1]["data-rule"], "section": self.sections[-1]})
        elif tag == "svg" and "chart" in (found.get("class") or ""):
            self.svgs.append(found)
            self._in_svg += 1
        elif tag == "title" and self._in_svg:
            self.svg_titles += 1
        for key in ("src", "href"):
            if found.get(key):
                self.refs.append(found[key] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._in_svg:
            self._in_svg -= 1


def _page(report: Report) -> _Page:
    page = _Page()
    page.feed(render(report, "html"))
    return page


def test_html_shows_every_outcome_and_marks_the_violations(report: Report) -> None:
    page = _page(report)
    assert len(page.rows) == len(report.outcomes)
    violations = [row for row in page.rows if "violation" in row["class"].split()]
    found = Counter((row["rule"], group_words(json.loads(row["data-group"])), row["data-period"], row["data-status"],
                     int(row["section"]["data-line"]), int(row["section"]["data-column"])) for row in violations)
    assert found == _expected(report)


def test_html_has_a_section_per_rule_at_its_place(report: Report) -> None:
    page = _page(report)
    assert [(s["data-rule"], s["data-file"], int(s["data-line"] or 0)) for s in page.sections] == [
        (r.id, r.location.file, r.location.line) for r in report.rules]


def test_html_is_self_contained(report: Report) -> None:
    html = render(report, "html")
    page = _page(report)
    assert page.tags["script"] == 0 and page.tags["iframe"] == 0 and page.tags["img"] == 0
    assert all(ref.startswith(("#", "data:")) for ref in page.refs), page.refs
    assert re.search(r"https?://", html.replace('xmlns="http://www.w3.org/2000/svg"', "")) is None
    assert "@import" not in html and "url(" not in html
    assert "@media print" in html


def test_html_charts_are_labelled_for_screen_readers(report: Report) -> None:
    page = _page(report)
    drawn = [r for r in report.rules if any(o.rule == r.id for o in report.outcomes)]
    assert len(page.svgs) >= len(drawn)
    assert all(svg.get("role") == "img" and svg.get("aria-label") for svg in page.svgs)
    assert page.svg_titles >= len(page.svgs)


def test_html_escapes_text_from_the_directive() -> None:
    html = render(built_report(), "html")
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html


def test_html_has_tables_with_headers_and_captions() -> None:
    html = render(example_report(), "html")
    assert html.count("<caption>") >= len(example_report().rules)
    assert '<th scope="col">region</th>' in html and '<th scope="row">' in html


# ---------------------------------------------------------------- charts

def _chart(report: Report, rule_id: str) -> str:
    rule = next(r for r in report.rules if r.id == rule_id)
    chart = rule_chart(rule, [o for o in report.outcomes if o.rule == rule_id], window=report.window,
                       as_of=report.as_of)
    assert chart is not None
    return to_html(chart.element)


def test_chart_kinds_follow_the_time_clause() -> None:
    report = REPORTS["synthetic"]()
    kinds = {r.id: chart_kind(r, [o for o in report.outcomes if o.rule == r.id]) for r in report.rules}
    assert kinds == {"total": "path", "y2027": "bars", "paths": "path", "later": "path", "band": "series"}


def test_grouped_rules_get_small_multiples_each_on_its_own_scale() -> None:
    svg = _chart(example_report(), "fdi_regions")
    assert svg.count("<svg") == 7
    assert svg.count('class="panel-title"') == 7
    ticks = [re.findall(r'class="ax y" x="([\d.]+)" y="[\d.]+" text-anchor="end">([^<]+)', panel)
             for panel in svg.split("</svg>")[:-1]]
    assert len({x for panel in ticks for x, _ in panel}) == 1  # the panels' axes line up
    assert len({panel[-1][1] for panel in ticks}) == 2  # Minsk reaches 300M; the others stop at 200M


def test_a_missing_period_breaks_the_line() -> None:
    svg = _chart(built_report(), "q<1>")
    first_panel = svg.split("</svg>")[0]
    lines = re.findall(r'<polyline class="act" points="([^"]+)"', first_panel)
    assert [len(points.split()) for points in lines] == [2, 1]  # Q1-Q2, then Q4 after the gap at Q3
    assert "no data" in first_panel


def test_a_path_runs_to_the_target_at_the_deadline() -> None:
    svg = _chart(built_report(), "share2")
    path = re.findall(r'<polyline class="path" points="([^"]+)"', svg)
    assert len(path) == 1
    assert "mk-target" in svg and "mk-off_track" in svg and "target 10% by 2027-Q4" in svg


def test_numbers_summed_in_another_order_read_alike() -> None:
    # engines add in different orders: the last bits differ, the words must not
    assert number(5992.584999999999, "t") == number(5992.585000000001, "t") == "5,992.585 t"
    assert number(57504637.00000001) == number(57504636.99999999) == "57,504,637"
    assert number(0.1 + 0.2, "%") == "0.3%"


def test_a_number_in_full_shows_no_digits_past_the_twelfth() -> None:
    """A double past 2**53 written out in full shows its binary noise (1.234e25 is
    12,339,999,999,999,999,052,087,296 as a float); the report holds 12 significant digits."""
    assert number(1.234e25, "USD") == "12,340,000,000,000,000,000,000,000 USD"
    assert number(-9.87654321012345e20) == "-987,654,321,012,000,000,000"
    assert number(1.7e308).replace(",", "") == "17" + "0" * 307
