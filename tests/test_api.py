"""The Python API: the documented example runs, and the report behaves as described."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl import DirectiveUsageError

ROOT = Path(__file__).parent.parent
EXAMPLE = ROOT / "examples" / "belarus_china" / "belarus_china.directive"


def test_the_documented_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(encoding="utf-8"), re.S)
    assert blocks
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "docs/api.md", "exec"), {})
    finally:
        os.chdir(here)
    out = capsys.readouterr().out
    assert out.startswith("<Report 'Belarus–China cooperation 2026–2030': fail")
    assert "E700 no/such.directive" in out


def test_repr_is_short() -> None:
    report = directive_dsl.load(EXAMPLE).evaluate(engine="python")
    assert len(repr(report)) < 200


def test_include_passing_means_the_same_in_evaluate_and_to_dict() -> None:
    directive = directive_dsl.load(EXAMPLE)
    every = directive.evaluate(engine="python", include_passing=True)
    assert len(every.to_dict()["outcomes"]) == len(every.outcomes)
    assert "outcomes" not in every.to_dict(include_passing=False)
    plain = directive.evaluate(engine="python")
    assert "outcomes" not in plain.to_dict()
    assert len(plain.to_dict(include_passing=True)["outcomes"]) == len(plain.outcomes)


def test_notebooks_show_a_table() -> None:
    report = directive_dsl.load(EXAMPLE).evaluate(engine="python")
    html = report._repr_html_()
    assert html.startswith("<div") and "<table" in html and "<figure" not in html
    assert "Mogilev" in html


def test_load_of_a_missing_file_is_the_command_line_error() -> None:
    with pytest.raises(DirectiveUsageError) as caught:
        directive_dsl.load("no/such.directive")
    assert caught.value.code == "E700" and caught.value.file == "no/such.directive"


def test_the_public_names() -> None:
    for name in ("load", "loads", "parse", "CheckedDirective", "Report", "Outcome", "DirectiveError",
                 "DirectiveDataError", "DirectiveUsageError"):
        assert hasattr(directive_dsl, name), name
        assert name in directive_dsl.__all__
