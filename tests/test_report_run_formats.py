"""Every human format says where its figures came from (SPEC §13.9), and SOURCE_DATE_EPOCH makes
every format's bytes the same from run to run."""

from __future__ import annotations

import hashlib
import json
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.formats import FORMATS, render
from directive_dsl.formats.combined import render_many
from directive_dsl.formats.xlsx import render_bytes
from directive_dsl.report import Report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "belarus_china" / "belarus_china.directive"
GAPMINDER = ROOT / "examples" / "gapminder" / "targets.directive"
EPOCH = "1780000000"  # 2026-05-28T20:26:40Z


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def report() -> Report:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return directive_dsl.load(EXAMPLE).evaluate(engine="python")


def test_text_ends_with_a_data_line_per_dataset_and_how_it_was_made(report: Report) -> None:
    tail = render(report, "text").splitlines()[-3:]
    exports = _sha256(EXAMPLE.parent / "exports.csv")
    investments = _sha256(EXAMPLE.parent / "investments.csv")
    assert tail == [
        f"Data: investments — investments.csv, 162 rows, yearly, through 2027, sha256 {investments[:8]}…",
        f"Data: exports — exports.csv, 96 rows, yearly, through 2027, sha256 {exports[:8]}…",
        f"Made 2026-05-28 20:26:40 UTC by directive_dsl {directive_dsl.__version__} on the python engine "
        f"from {report.file}, sha256 {_sha256(EXAMPLE)[:8]}…",
    ]


def test_markdown_has_a_short_section_on_the_sources(report: Report) -> None:
    text = render(report, "markdown")
    section = text[text.index("#### Source of these figures"):].splitlines()
    exports = _sha256(EXAMPLE.parent / "exports.csv")
    assert f"| exports | exports.csv | 96 | yearly | 2027 | `{exports[:8]}…` |" in section
    assert section[-1].startswith("*Made 2026-05-28 20:26:40 UTC by directive\\_dsl")


class _Sources(HTMLParser):
    """The text of the page's "Source of these figures" section, and the hashes in its tooltips."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.text: list[str] = []
        self.titles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "section" and found.get("class") == "sources":
            self.depth = 1
        elif self.depth:
            self.depth += tag not in ("br", "img")
            if found.get("title"):
                self.titles.append(str(found["title"]))

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def test_html_has_a_source_of_these_figures_section(report: Report) -> None:
    sources = _Sources()
    sources.feed(render(report, "html"))
    text = "".join(sources.text)
    assert text.startswith("Source of these figures")
    assert "investments.csv162yearly2027" in text and "exports.csv96yearly2027" in text
    assert "Made 2026-05-28 20:26:40 UTC by directive_dsl" in text and "on the python engine" in text
    assert f"sha256 {_sha256(EXAMPLE.parent / 'exports.csv')}" in sources.titles
    assert f"sha256 {_sha256(EXAMPLE)}" in sources.titles


def test_junit_suites_carry_the_run_as_properties(report: Report) -> None:
    root = ET.fromstring(render(report, "junit").encode("utf-8"))
    for suite in root.iter("testsuite"):
        properties = {p.get("name"): p.get("value") for p in suite.find("properties") or ()}
        assert properties["run.engine"] == "python"
        assert properties["run.generated_at"] == "2026-05-28T20:26:40Z"
        assert properties["run.directive.sha256"] == _sha256(EXAMPLE)
        assert properties["run.dataset.exports.sha256"] == _sha256(EXAMPLE.parent / "exports.csv")
        assert properties["run.dataset.exports.rows"] == "96"


def test_sarif_has_the_invocation_time_the_directive_hash_and_the_run(report: Report) -> None:
    run = json.loads(render(report, "sarif"))["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True, "endTimeUtc": "2026-05-28T20:26:40Z"}]
    assert [a["hashes"] for a in run["artifacts"]] == [{"sha-256": _sha256(EXAMPLE)}]
    assert run["properties"]["run"] == report.to_dict()["run"]


def test_the_workbook_run_sheet_lists_each_dataset(report: Report, tmp_path: Path) -> None:
    calamine = pytest.importorskip("python_calamine")
    path = tmp_path / "report.xlsx"
    path.write_bytes(render_bytes([report]))
    rows = calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Run").to_python()
    fields = {row[1]: row[2] for row in rows[1:]}
    assert fields["engine"] == "python" and fields["generated_at"] == "2026-05-28T20:26:40Z"
    assert fields["datasets.2.name"] == "exports"
    assert fields["datasets.2.sha256"] == _sha256(EXAMPLE.parent / "exports.csv")
    assert fields["datasets.2.rows"] == 96


def test_several_files_keep_their_own_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    reports = [directive_dsl.load(path).evaluate(engine="python") for path in (EXAMPLE, GAPMINDER)]
    document = json.loads(render_many(reports, "json"))
    assert [[d["name"] for d in r["run"]["datasets"]] for r in document["reports"]] == [
        ["investments", "exports"], ["gapminder"]]
    assert [r["run"]["directive"]["sha256"] for r in document["reports"]] == [_sha256(EXAMPLE),
                                                                                _sha256(GAPMINDER)]
    sarif = json.loads(render_many(reports, "sarif"))
    assert [r["properties"]["run"]["datasets"][0]["name"] for r in sarif["runs"]] == ["investments", "gapminder"]
    text = render_many(reports, "text")
    assert text.count("Data: gapminder — gapminder.csv") == 1 and text.count("Data: exports") == 1
    html = render_many(reports, "html")
    assert html.count("Source of these figures") == 2


def test_source_date_epoch_makes_every_format_reproducible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    directive = directive_dsl.load(EXAMPLE)

    def every_format() -> dict[str, bytes]:
        report = directive.evaluate(engine="duckdb")
        found = {fmt: render(report, fmt, include_passing=True).encode("utf-8") for fmt in FORMATS}
        return {**found, "xlsx": render_bytes([report], include_passing=True)}

    first = every_format()
    time.sleep(1.1)  # a clock that was read would have moved on
    second = every_format()
    assert [fmt for fmt in first if first[fmt] != second[fmt]] == []
