"""`directive test` files (SPEC §13.10): reading, running on every engine, located errors."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from directive_dsl.errors import DirectiveError, DirectiveUsageError
from directive_dsl.testfiles import (
    find_test_files,
    read_test_file,
    render_junit,
    render_text,
    run_test_file,
)

EXAMPLE = Path(__file__).parent.parent / "examples" / "belarus_china"

SPEC_CASE = '''directive = "belarus_china.directive"
[[case]]
name = "a region below the floor fails"
as_of = "2027"
[case.data]
investments = """
year,region,partner,kind,amount
2027,Mogilev,CN,direct,120000000
"""
[[case.expect]]
rule = "fdi_regions"
group = {region = "Mogilev"}
period = "2027"
status = "fail"
actual = 120000000      # optional; compared with rel_tol 1e-9 unless `tolerance` is given
'''


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name in ("belarus_china.directive", "exports.csv", "investments.csv"):
        shutil.copy(EXAMPLE / name, tmp_path / name)
    return tmp_path


def _write(folder: Path, text: str, name: str = "targets.test.toml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_specification_example_passes_on_every_engine(folder: Path, engine: Any) -> None:
    test = read_test_file(_write(folder, SPEC_CASE))
    [result] = run_test_file(test, engine=engine)
    assert result.passed, result.difference


def test_the_first_difference_is_named(folder: Path) -> None:
    text = SPEC_CASE.replace('status = "fail"', 'status = "pass"')
    [result] = run_test_file(read_test_file(_write(folder, text)), engine="python")
    assert result.difference == (
        "line 10: `fdi_regions` [region = Mogilev] in 2027: status expected 'pass', got 'fail'"
    )
    output = render_text([result])
    assert output.splitlines()[0].startswith("FAIL ") and output.endswith("0 passed, 1 failed\n")


def test_values_compare_within_a_tolerance(folder: Path) -> None:
    close = SPEC_CASE.replace("actual = 120000000 ", "actual = 120000001 ")
    [strict] = run_test_file(read_test_file(_write(folder, close)), engine="python")
    assert strict.difference is not None and "actual expected 120000001" in strict.difference
    loose = close.replace("actual = 120000001 ", "tolerance = 5\nactual = 120000001 ")
    [result] = run_test_file(read_test_file(_write(folder, loose)), engine="python")
    assert result.passed


def test_an_outcome_that_is_not_there(folder: Path) -> None:
    text = SPEC_CASE.replace('period = "2027"', 'period = "2031"')
    [result] = run_test_file(read_test_file(_write(folder, text)), engine="python")
    assert result.difference is not None
    assert "no outcome for `fdi_regions` [region = Mogilev] in 2031" in result.difference
    assert "Mogilev] 2027" in result.difference


def test_data_from_a_path_and_periods_as_numbers(folder: Path) -> None:
    (folder / "data").mkdir()
    (folder / "data" / "inv.csv").write_text("year,region,partner,kind,amount\n2027,Brest,CN,direct,160000000\n")
    text = '''directive = "belarus_china.directive"
[[case]]
name = "from a file"
as_of = 2027
data = {investments = "data/inv.csv"}
[[case.expect]]
rule = "fdi_regions"
group = {region = "Brest"}
period = 2027
status = "pass"
actual = 1.6e8
'''
    [result] = run_test_file(read_test_file(_write(folder, text)), engine="duckdb")
    assert result.passed, result.difference


@pytest.mark.parametrize(
    "text,line,words",
    [
        ('directive = "belarus_china.directive"\n', 1, "at least one [[case]]"),
        ('[[case]]\nname = "x"\n', 1, "directive ="),
        (SPEC_CASE.replace('status = "fail"', 'statuss = "fail"'), 14, "unknown key `statuss`"),
        (SPEC_CASE.replace('status = "fail"', 'status = "failed"'), 14, "unknown status `failed`"),
        (SPEC_CASE.replace("actual = 120000000", 'actual = "lots"'), 15, "must be a number"),
        (SPEC_CASE.replace('as_of = "2027"', 'asof = "2027"'), 4, "unknown key `asof`"),
        (SPEC_CASE + "[[case]]\nname = 'empty'\n", 16, "expects nothing"),
        ("directive = \n", 1, "not valid TOML"),
    ],
)
def test_mistakes_are_located(folder: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(DirectiveUsageError) as caught:
        read_test_file(_write(folder, text))
    assert caught.value.line == line
    assert words in caught.value.message or words in (caught.value.hint or "")


def test_a_data_error_in_a_case_is_located_at_the_case(folder: Path) -> None:
    text = SPEC_CASE.replace("120000000\n", "lots\n")
    with pytest.raises(DirectiveError) as caught:
        run_test_file(read_test_file(_write(folder, text)), engine="python")
    assert caught.value.line == 2 and "a region below the floor fails" in caught.value.message


def test_folders_are_searched_and_junit_is_valid(folder: Path) -> None:
    (folder / "tests").mkdir()
    _write(folder / "tests", SPEC_CASE.replace('"belarus_china.directive"', '"../belarus_china.directive"'))
    (folder / "tests" / "notes.toml").write_text("x = 1\n")
    files = find_test_files([str(folder)])
    assert [f.name for f in files] == ["targets.test.toml"]
    results = [r for f in files for r in run_test_file(read_test_file(f), engine="python")]
    root = ET.fromstring(render_junit(results).split("\n", 1)[1])
    assert root.get("tests") == "1" and root.get("failures") == "0"
    assert root.find("testsuite/testcase").get("name") == "a region below the floor fails"  # type: ignore[union-attr]
