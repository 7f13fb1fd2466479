"""The command line's output options: xlsx, -q/-v, --color, lint --format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from directive_dsl.cli import _color, main

ROOT = Path(__file__).parent.parent
EXAMPLE = str(ROOT / "examples" / "belarus_china" / "belarus_china.directive")
BROKEN = str(ROOT / "tests" / "fixtures" / "errors" / "unknown_measure.directive")
SARIF = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def test_xlsx_is_written_to_a_file(tmp_path: Path) -> None:
    calamine = pytest.importorskip("python_calamine")
    out = tmp_path / "report.xlsx"
    assert main(["check", EXAMPLE, "--engine", "python", "--output", str(out), "--all"]) == 1
    book = calamine.CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["Summary", "Rules", "Violations", "Outcomes", "Run"]


def test_quiet_and_verbose(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "ex.csv").write_text("year,uom,q\n2026,t,5\n2026,kg,7\n")
    (tmp_path / "w.directive").write_text('dataset ex from "ex.csv"\n  time year\n  dimensions uom\n'
                                         "  measure q\nrule r: require ex.q >= 50 per year\n")
    path = str(tmp_path / "w.directive")
    main(["check", path])
    assert "W110" in capsys.readouterr().err
    main(["check", path, "-q"])
    assert capsys.readouterr().err == ""
    main(["check", path, "-v"])
    assert "1 rules judged on duckdb in" in capsys.readouterr().err


@pytest.mark.parametrize("choice,env,tty,expected", [
    ("always", {}, False, True), ("never", {"FORCE_COLOR": "1"}, True, False),
    ("auto", {}, True, True), ("auto", {}, False, False), ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"FORCE_COLOR": "1"}, False, True), ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
])
def test_color_choice(monkeypatch: pytest.MonkeyPatch, choice: str, env: dict[str, str], tty: bool,
                      expected: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert _color(choice, Stream()) is expected


def test_color_always_paints_text(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", EXAMPLE, "--engine", "python", "--color", "always"])
    assert "\x1b[" in capsys.readouterr().out
    main(["check", EXAMPLE, "--engine", "python", "--color", "never"])
    assert "\x1b[" not in capsys.readouterr().out


def test_lint_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", EXAMPLE, BROKEN, "--format", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    ok, broken = doc["files"]
    assert ok["ok"] and ok["rules"] == 6 and not broken["ok"]
    assert broken["diagnostics"][0]["code"] == "E202" and broken["diagnostics"][0]["line"] == 7


def test_lint_sarif_validates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", BROKEN, "--format", "sarif"]) == 2
    log = json.loads(capsys.readouterr().out)
    validator = jsonschema.Draft4Validator(json.loads(SARIF.read_text(encoding="utf-8")))
    assert not list(validator.iter_errors(log))
    assert log["runs"][0]["results"][0]["ruleId"] == "E202"


def test_lint_github(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", BROKEN, "--format", "github"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("::error file=") and ",line=7,col=15,title=E202::" in out
