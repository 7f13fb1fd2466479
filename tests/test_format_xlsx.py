"""The xlsx workbook (SPEC §13.9), written to a real file and read back with python-calamine."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.formats.xlsx import render_bytes
from directive_dsl.report import Report

python_calamine = pytest.importorskip("python_calamine")
EXAMPLE = Path(__file__).parent.parent / "examples" / "belarus_china" / "belarus_china.directive"


@pytest.fixture(scope="module")
def report() -> Report:
    return directive_dsl.load(EXAMPLE).evaluate(engine="python")


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_sheets_numbers_and_units(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(render_bytes([report]))
    sheets = _sheets(path)
    assert list(sheets) == ["Summary", "Rules", "Violations", "Run"]
    violations = sheets["Violations"]
    header, rows = violations[0], violations[1:]
    assert len(rows) == len(report.violations)
    assert {"rule", "region", "period", "actual", "threshold", "unit", "gap"} <= set(header)
    actual, unit, rule = header.index("actual"), header.index("unit"), header.index("rule")
    region = header.index("region")
    mogilev = [r for r in rows if r[rule] == "fdi_regions" and r[region] == "Mogilev" and r[header.index("period")] == "2026"]
    assert mogilev and mogilev[0][actual] == pytest.approx(50_600_000.0)
    assert isinstance(mogilev[0][actual], float) and mogilev[0][unit] == "USD"
    summary = sheets["Summary"]
    assert summary[1][summary[0].index("status")] == report.status
    rules = sheets["Rules"]
    assert [r[rules[0].index("rule")] for r in rules[1:]] == [r.id for r in report.rules]


def test_outcomes_only_with_every_outcome(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "all.xlsx"
    path.write_bytes(render_bytes([report], include_passing=True))
    sheets = _sheets(path)
    assert list(sheets) == ["Summary", "Rules", "Violations", "Outcomes", "Run"]
    assert len(sheets["Outcomes"]) - 1 == len(report.outcomes)


def test_frozen_header_and_autofilter(report: Report, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(render_bytes([report]))
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
        for name in names:
            xml = archive.read(name).decode()
            assert 'state="frozen"' in xml and "<autoFilter" in xml, name
            assert "<col " in xml  # widths set


def test_text_from_the_data_is_never_a_formula(tmp_path: Path) -> None:
    directive = directive_dsl.loads(
        'rule r "=HYPERLINK(\\"http://x\\")": require t.v[c] >= 5 per year')
    report = directive.evaluate({"t": [{"year": 2026, "c": "=1+1", "v": 1}]}, engine="python")
    path = tmp_path / "r.xlsx"
    path.write_bytes(render_bytes([report]))
    with zipfile.ZipFile(path) as archive:
        assert not any(b"<f>" in archive.read(n) for n in archive.namelist() if n.endswith(".xml"))
    rows = _sheets(path)["Violations"]
    assert rows[1][rows[0].index("c")] == "=1+1"
