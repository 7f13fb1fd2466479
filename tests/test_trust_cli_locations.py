"""Data errors about a declaration point at the directive's clause and name the data file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.cli import main
from directive_dsl.errors import DirectiveDataError


def test_a_column_a_derived_measure_reads_is_located_at_the_measure(tmp_path: Path, engine: Any) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2020,5\n")
    text = ('dataset t from "t.csv"\n  time year\n  measure doubled = w * 2\n'
            "rule r: require t.doubled >= 5 per year\n")
    directive = directive_dsl.loads(text, filename=str(tmp_path / "a.directive"))
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate(engine=engine)
    error = caught.value
    assert (error.code, error.line, error.column) == ("E501", 3, 3)
    assert "`w`" in error.message and "t.csv" in error.message


def test_the_command_line_shows_the_clause_with_a_caret(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text("yr,v\n2020,5\n")
    Path("a.directive").write_text('dataset t from "t.csv"\n  time year\nrule r: require t.v >= 5 per year\n')
    assert main(["check", "a.directive", "--engine", "python"]) == 2
    assert capsys.readouterr().err.splitlines()[:3] == [
        "a.directive:2:8: error[E501]: time column `year` of dataset `t` is not a column of `t.csv`",
        " 2 |   time year",
        "   |        ^^^^",
    ]
    Path("b.directive").write_text('dataset t from "../t.csv"\n  time yr\nrule r: require t.v >= 5 per year\n')
    assert main(["check", "b.directive"]) == 2
    assert capsys.readouterr().err.splitlines()[:3] == [
        "b.directive:1:16: error[E509]: path `../t.csv` leaves the directive's folder",
        ' 1 | dataset t from "../t.csv"',
        "   |                ^^^^^^^^^^",
    ]
