"""Golden reports: the bundled examples in every format, in English, Russian and Belarusian.

``tests/fixtures/reports/<example>.<locale>.<ext>`` holds the whole report,
read by eye once and compared byte for byte since (the run's time is fixed
with ``SOURCE_DATE_EPOCH``; the program's version and the sha256 of the files
are set aside, so a release or an edited example does not break them). The
xlsx workbook is compared by what it holds: every sheet read back with
python-calamine, one line per row, cells separated by tabs. Set
UPDATE_GOLDEN=1 to rewrite them, then read the diff. Every engine writes the same
bytes for the ministry and Belarus–China examples.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import directive_dsl
from directive_dsl.formats import render
from directive_dsl.report import Report

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "reports"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXAMPLES = {"belarus_china": "examples/belarus_china/belarus_china.directive",
            "gapminder": "examples/gapminder/targets.directive",
            "ministry": "examples/ministry/ministry.directive"}
#: The text and Markdown of every example; every format of the two a ministry reads.
FORMATS = {"text": "txt", "markdown": "md", "json": "json", "junit": "junit.xml", "sarif": "sarif",
           "html": "html", "github": "github.txt", "tap": "tap", "xlsx": "xlsx.txt"}
CASES = [(example, fmt) for example in EXAMPLES for fmt in FORMATS
         if example != "gapminder" or fmt in ("text", "markdown")]
_HASH = re.compile(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{8}…")  # whole, or cut short in text


def _aside(text: str) -> str:
    """*text* with the program's version and the files' hashes set aside."""
    version = re.escape(directive_dsl.__version__)
    text = re.sub(rf"(?<![\d.]){version}(?![\d.])", "<version>", text)
    return _HASH.sub("<sha256>", text)


def _cells(workbook: bytes) -> str:
    """Every sheet of *workbook*, read back: its name, then one line per row."""
    calamine = pytest.importorskip("python_calamine")
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(workbook))
    lines = []
    for name in book.sheet_names:
        lines.append(f"== {name}")
        lines.extend("\t".join("" if cell is None else str(cell) for cell in row)
                     for row in book.get_sheet_by_name(name).to_python())
    return "\n".join(lines) + "\n"


def _written(report: Report, fmt: str, locale: str) -> str:
    if fmt == "xlsx":
        from directive_dsl.formats.xlsx import render_bytes

        return _cells(render_bytes([report], locale=locale))
    return render(report, fmt, locale=locale)


@pytest.mark.parametrize("locale", ["en", "ru", "be"])
@pytest.mark.parametrize(("example", "fmt"), CASES)
def test_the_report_reads_as_it_should(example: str, fmt: str, locale: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    monkeypatch.chdir(ROOT)  # the file names in the report are as the command line gives them
    report = directive_dsl.load(EXAMPLES[example]).evaluate(engine="python")
    got = _written(report, fmt, locale)
    expected = FIXTURES / f"{example}.{locale}.{FORMATS[fmt]}"
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(got, encoding="utf-8")
    assert _aside(got) == _aside(expected.read_text(encoding="utf-8"))


def test_the_version_and_hashes_are_all_that_is_set_aside() -> None:
    version = directive_dsl.__version__
    line = f"directive_dsl {version} sha256 {'ab' * 32} 1{version} {version}.1 {'ab' * 31} 20326c5f…"
    assert _aside(line) == f"directive_dsl <version> sha256 <sha256> 1{version} {version}.1 {'ab' * 31} <sha256>"


@pytest.mark.parametrize("example", ["ministry", "belarus_china"])
def test_every_engine_writes_the_golden_reports(example: str, engine: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    monkeypatch.chdir(ROOT)
    report = directive_dsl.load(EXAMPLES[example]).evaluate(engine=engine)
    assert report.run is not None
    report = attrs.evolve(report, run=attrs.evolve(report.run, engine="python"))  # the run block names it
    for fmt in FORMATS:
        for locale in ("en", "ru", "be"):
            expected = (FIXTURES / f"{example}.{locale}.{FORMATS[fmt]}").read_text(encoding="utf-8")
            assert _aside(_written(report, fmt, locale)) == _aside(expected), (fmt, locale)
