"""Golden reports: both bundled examples in text and Markdown, in English, Russian and Belarusian.

``tests/fixtures/reports/<example>.<locale>.txt`` and ``.md`` hold the whole
report, read by eye once and compared byte for byte since (the run's time is
fixed with ``SOURCE_DATE_EPOCH``). Set UPDATE_GOLDEN=1 to rewrite them, then
read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.formats import render

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "reports"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
EXAMPLES = {"belarus_china": "examples/belarus_china/belarus_china.directive",
            "gapminder": "examples/gapminder/targets.directive"}
FORMATS = {"text": "txt", "markdown": "md"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("locale", ["en", "ru", "be"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_the_report_reads_as_it_should(example: str, locale: str, fmt: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    monkeypatch.chdir(ROOT)  # the file names in the report are as the command line gives them
    report = directive_dsl.load(EXAMPLES[example]).evaluate(engine="python")
    got = render(report, fmt, locale=locale)
    expected = FIXTURES / f"{example}.{locale}.{FORMATS[fmt]}"
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(got, encoding="utf-8")
    assert got == expected.read_text(encoding="utf-8")
