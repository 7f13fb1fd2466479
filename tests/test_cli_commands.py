"""The command line beside `check`: test, init, completion, configuration and --fail-on."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from directive_dsl.cli import main

WARNING_ONLY = '''dataset t from "t.csv"
@severity warning
rule w: require t.v >= 10 per year
'''


@pytest.fixture
def starter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "project"
    assert main(["init", str(folder)]) == 0
    monkeypatch.chdir(folder)
    return folder


def test_init_then_check_and_test_work_at_once(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["check"]) == 1  # the starter data misses two targets, on purpose
    out = capsys.readouterr().out
    assert "per_partner" in out and "partner = DE" in out
    assert main(["test"]) == 0
    out = capsys.readouterr().out
    assert out.endswith("2 passed, 0 failed\n")


def test_init_refuses_to_overwrite(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "."]) == 2
    assert "already exist" in capsys.readouterr().err


def test_a_failing_case_exits_1_and_names_the_difference(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = starter / "tests" / "targets.test.toml"
    path.write_text(path.read_text().replace('status = "missing"', 'status = "pass"'))
    assert main(["test", "tests"]) == 1
    out = capsys.readouterr().out
    assert "FAIL tests/targets.test.toml:27: a partner with no row is missing" in out
    assert "status expected 'pass', got 'missing'" in out
    assert main(["test", "--format", "junit", "--output", "results.xml"]) == 1
    assert 'failures="1"' in (starter / "results.xml").read_text()


def test_an_error_in_a_test_file_exits_2_located(starter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = starter / "tests" / "targets.test.toml"
    path.write_text(path.read_text().replace('rule = "total"', 'rulee = "total"'))
    assert main(["test"]) == 2
    err = capsys.readouterr().err
    assert "targets.test.toml:23:1: error[E700]: unknown key `rulee`" in err


def test_configuration_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2026,5\n")
    (tmp_path / "w.directive").write_text(WARNING_ONLY)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.directive]\nengine = "python"\nfail-on = "warning"\n'
        'format = "json"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check", "w.directive"]) == 1  # fail-on warning, from the file
    assert capsys.readouterr().out.lstrip().startswith("{")
    assert main(["check", "w.directive", "--fail-on", "error"]) == 0  # the command line wins
    capsys.readouterr()
    assert main(["check", "w.directive", "--show-config"]) == 0
    out = capsys.readouterr().out
    assert f"--engine = 'python'  ({tmp_path / 'pyproject.toml'}:5)" in out
    assert "--all = False  (default)" in out
    # Keys of `check` do not trouble a command that lacks them.
    assert main(["lint", "w.directive"]) == 0


def test_an_unknown_configuration_key_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "directive.toml").write_text('engine = "python"\nfail_onn = "never"\n')
    (tmp_path / "w.directive").write_text(WARNING_ONLY)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "w.directive"]) == 2
    err = capsys.readouterr().err
    assert "directive.toml:2:1: error[E710]: unknown option `fail_onn`" in err
    assert "did you mean `fail_on`?" in err


@pytest.mark.parametrize("options,code", [([], 0), (["--strict"], 1), (["--fail-on", "warning"], 1),
                                          (["--fail-on", "never"], 0)])
def test_fail_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], code: int) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2026,5\n")
    (tmp_path / "w.directive").write_text(WARNING_ONLY)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "w.directive", "--engine", "python", *options]) == code


def test_fail_on_never_still_exits_2_on_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "w.directive").write_text(WARNING_ONLY)  # t.csv is missing
    monkeypatch.chdir(tmp_path)
    assert main(["check", "w.directive", "--fail-on", "never"]) == 2


def test_no_directive_file_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    assert "no directive file named" in capsys.readouterr().err


def _complete(script: Path, words: list[str]) -> list[str]:
    line = " ".join(words)
    program = (
        f"source {script}; COMP_WORDS=({' '.join(repr(w) for w in words)}); "
        f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; "
        '_shtab_directive; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    run = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return run.stdout.split()


def test_bash_completion_sourced_in_bash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("bash") is None:
        pytest.skip("no bash")
    assert main(["completion", "bash"]) == 0
    script = tmp_path / "directive.bash"
    script.write_text(capsys.readouterr().out)
    assert _complete(script, ["directive", "ch"]) == ["check"]
    assert set(_complete(script, ["directive", "t"])) == {"test"}
    assert _complete(script, ["directive", "check", "--fail-on", ""]) == ["error", "warning", "never"]


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_other_shells_get_a_script(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    out = capsys.readouterr().out
    assert "check" in out and "explain" in out and "--fail-on" in out
    if shutil.which(shell) is not None:  # a syntax check where the shell is installed
        flag = ["-n"] if shell == "zsh" else ["--no-execute"]
        run = subprocess.run([shell, *flag], input=out, capture_output=True, text=True,
                             env={**os.environ})
        assert run.returncode == 0, run.stderr
