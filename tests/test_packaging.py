"""A plain (non-editable) install works: the wheel carries the grammar and the command runs."""

from __future__ import annotations

import gettext
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("directive_dsl-*.whl"))


def test_wheel_ships_grammar_and_markers(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "directive_dsl/grammar/directive.lark" in names
    assert "directive_dsl/py.typed" in names
    for code in ("ru", "be"):  # catalogues compiled when the wheel is built
        assert f"directive_dsl/locales/{code}/LC_MESSAGES/directive_dsl.mo" in names
    compiled = gettext.GNUTranslations(io.BytesIO(
        zipfile.ZipFile(wheel).read("directive_dsl/locales/ru/LC_MESSAGES/directive_dsl.mo")))
    assert compiled.ngettext("{n} target not met", "{n} targets not met", 5) == "{n} целей не выполнено"
    assert "directive_dsl/starter/targets.directive" in names
    assert "directive_dsl/docs/errors.md" in names  # read by `directive explain`
    assert any(n.endswith("entry_points.txt") for n in names)


def _install(wheel: Path, tmp_path: Path) -> Path:
    """The wheel installed alone into a folder of its own."""
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_installed_wheel_lints_the_example(wheel: Path, tmp_path: Path) -> None:
    target = _install(wheel, tmp_path)
    env = {**os.environ, "PYTHONPATH": str(target)}
    example = ROOT / "examples" / "belarus_china" / "belarus_china.directive"
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import directive_dsl, sys; assert directive_dsl.__file__.startswith(sys.argv[1]), directive_dsl.__file__;"
            "from directive_dsl.cli import main; raise SystemExit(main(['lint', sys.argv[2]]))",
            str(target),
            str(example),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert "ok (6 rules)" in run.stdout


def test_installed_wheel_explains_codes(wheel: Path, tmp_path: Path) -> None:
    target = _install(wheel, tmp_path)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "import directive_dsl, sys; assert directive_dsl.__file__.startswith(sys.argv[1]), directive_dsl.__file__;"
            "from directive_dsl.cli import main; raise SystemExit(main(['explain', 'E201']))",
            str(target),
        ],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("E201: unknown name\n")
    assert "error[E201]" in run.stdout  # the entry's example, read from the installed package
