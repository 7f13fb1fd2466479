"""The `directive` command: exit codes, options, located data errors, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from directive_dsl.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "belarus_china" / "belarus_china.directive"

DIRECTIVE = """\
directive "Exports"
  period 2025 to 2027

dataset trade from "trade.csv"
  time year
  dimensions partner
  measure value USD

rule cn "Exports to China":
  require trade.value[partner = "CN"] >= 100 USD per year
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "targets.directive").write_text(DIRECTIVE)
    (tmp_path / "trade.csv").write_text(
        "year,partner,value\n2025,CN,150\n2026,CN,90\n2027,CN,120\n2027,DE,5\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> int:
    return main(list(args))


def test_check_exits_1_on_violations_and_prints_json(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("check", "targets.directive", "--engine", "python", "--format", "json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["status"] == "fail"
    assert [(v["period"], v["actual"], v["gap"]) for v in report["violations"]] == [
        ("2026", 90.0, 10.0)
    ]


def test_check_exits_0_when_no_error_violation(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "targets.directive").write_text(DIRECTIVE.replace(">= 100 USD", ">= 50 USD"))
    assert run("check", "targets.directive", "--engine", "python", "--format", "json") == 0


def test_strict_counts_warnings(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "targets.directive").write_text(
        DIRECTIVE.replace("rule cn", "@severity warning\nrule cn")
    )
    assert run("check", "targets.directive", "--engine", "python", "--format", "json") == 0
    assert (
        run("check", "targets.directive", "--engine", "python", "--format", "json", "--strict") == 1
    )


def test_all_lists_every_outcome(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run("check", "targets.directive", "--engine", "python", "--format", "json", "--all")
    outcomes = json.loads(capsys.readouterr().out)["outcomes"]
    assert [(o["period"], o["status"]) for o in outcomes] == [
        ("2025", "pass"),
        ("2026", "fail"),
        ("2027", "pass"),
    ]


def test_as_of_and_window(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        "check",
        "targets.directive",
        "--engine",
        "python",
        "--format",
        "json",
        "--all",
        "--as-of",
        "2025",
    )
    assert [o["period"] for o in json.loads(capsys.readouterr().out)["outcomes"]] == ["2025"]
    run(
        "check",
        "targets.directive",
        "--engine",
        "python",
        "--format",
        "json",
        "--all",
        "--window",
        "2027..2027",
    )
    document = json.loads(capsys.readouterr().out)
    assert [o["period"] for o in document["outcomes"]] == ["2027"]
    assert document["directive"]["window"] == {"from": "2027", "to": "2027"}


def test_missing_policy(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "trade.csv").write_text("year,partner,value\n2025,CN,150\n2026,DE,90\n2027,CN,120\n")
    (folder / "targets.directive").write_text(
        DIRECTIVE.replace('[partner = "CN"]', '[partner in ["CN"], partner]')
    )
    statuses = {}
    for policy in ("fail", "warn", "ignore"):
        capsys.readouterr()
        code = run(
            "check",
            "targets.directive",
            "--engine",
            "python",
            "--format",
            "json",
            "--missing",
            policy,
        )
        statuses[policy] = (code, json.loads(capsys.readouterr().out)["summary"]["status"])
    assert statuses == {"fail": (1, "fail"), "warn": (0, "warn"), "ignore": (0, "pass")}


def test_data_option_and_data_dir(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = folder / "other"
    other.mkdir()
    (other / "trade.csv").write_text(
        "year,partner,value\n2025,CN,1000\n2026,CN,1000\n2027,CN,1000\n"
    )
    assert (
        run(
            "check",
            "targets.directive",
            "--engine",
            "python",
            "--format",
            "json",
            "--data",
            f"trade={other / 'trade.csv'}",
        )
        == 0
    )
    assert (
        run(
            "check",
            "targets.directive",
            "--engine",
            "python",
            "--format",
            "json",
            "--data-dir",
            str(other),
        )
        == 0
    )


@pytest.mark.parametrize(
    ("csv_text", "expected"),
    [
        (
            "year,partner,value\n2025,CN,150\n2026,CN,12a\n",
            'trade.csv:3:9: error[E502]: column `value`: "12a" is not a number',
        ),
        ("year,partner,amount\n2025,CN,150\n", "`value`"),
        ("year,partner,value\n2025,CN,150\nlater,CN,1\n", "trade.csv:3"),
        ("", "empty"),
        ("year,partner,value,value\n2025,CN,1,2\n", "value"),
        ("year,partner,value\n2025,CN,150,7\n", "trade.csv:2"),
    ],
    ids=[
        "non-numeric",
        "missing-column",
        "bad-time",
        "empty-file",
        "duplicate-header",
        "ragged-row",
    ],
)
def test_data_errors_exit_2_located_with_no_output(
    folder: Path, capsys: pytest.CaptureFixture[str], csv_text: str, expected: str
) -> None:
    (folder / "trade.csv").write_text(csv_text)
    output = folder / "report.json"
    output.write_text("an earlier report")
    assert run("check", "targets.directive", "--engine", "python", "--output", str(output)) == 2
    error = capsys.readouterr().err
    assert expected in error
    assert "error[E5" in error
    assert "Traceback" not in error
    assert output.read_text() == "an earlier report", "a failed run leaves the old report untouched"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".report")] == []


def test_unreadable_data_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "trade.csv").unlink()
    assert run("check", "targets.directive", "--engine", "python") == 2
    assert "trade.csv" in capsys.readouterr().err


def test_output_is_written_whole(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = folder / "out" / "report.html"
    output.parent.mkdir()
    assert run("check", "targets.directive", "--engine", "python", "--output", str(output)) == 1
    assert output.read_text().startswith("<!DOCTYPE html>")
    assert capsys.readouterr().out == ""


def test_usage_errors_exit_2(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("check", "nowhere.directive") == 2
    assert "no such file" in capsys.readouterr().err
    assert run("check", "targets.directive", "--data", "nonsense") == 2
    assert run("check", "targets.directive", "--engine", "python", "--as-of", "later") == 2
    assert "error[E700]: --as-of `later` is not a period" in capsys.readouterr().err
    assert run("plan", "targets.directive", "--as-of", "2026-13") == 2
    assert "error[E700]: --as-of `2026-13` is not a period" in capsys.readouterr().err
    assert run("check", "targets.directive", "--engine", "python", "--as-of", "=2020") == 2
    assert "--as-of `=2020` names no dataset before `=`" in capsys.readouterr().err
    assert run("check", "targets.directive", "--engine", "warp") == 2
    assert "unknown engine `warp`" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        run("check", "targets.directive", "--format", "pdf")
    assert exited.value.code == 2


def test_lint(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("lint", "targets.directive") == 0
    (folder / "broken.directive").write_text(
        "require trade.value >= 5 kg per year\ndataset trade\n  measure value USD\n"
    )
    assert run("lint", "broken.directive", "targets.directive") == 2
    err = capsys.readouterr().err
    assert "broken.directive:1:9: error[E300]" in err
    assert run("lint", "missing.directive") == 2


def test_lint_warnings_keep_exit_0(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "warn.directive").write_text("require fdi[region] >= 150e6\n")
    assert run("lint", "warn.directive") == 0
    err = capsys.readouterr().err
    assert "warning[W101]" in err and "warning[W102]" in err


def test_readme_example_runs_as_a_new_process() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "directive_dsl",
            "check",
            str(EXAMPLE),
            "--format",
            "json",
            "--engine",
            "python",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["summary"]["off_track"] == 1
