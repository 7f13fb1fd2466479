"""`directive init`: the starter's check and tests work at once, and nothing is overwritten."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveUsageError
from directive_dsl.init import FILES, init
from directive_dsl.testfiles import find_test_files, read_test_file, run_test_file


def test_the_starter_checks_and_its_tests_pass(tmp_path: Path, engine: object) -> None:
    folder = tmp_path / "new"
    written = init(folder)
    assert [p.relative_to(folder).as_posix() for p in written] == list(FILES)
    report = directive_dsl.load(folder / "targets.directive").evaluate(engine=engine)
    assert {r.id for r in report.rules} == {"total", "per_partner", "cn_share"}
    assert report.as_of == "2026"
    results = [r for f in find_test_files([str(folder)]) for r in
               run_test_file(read_test_file(f), engine=engine)]
    assert len(results) == 2 and all(r.passed for r in results), [r.difference for r in results]


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    (tmp_path / "directive.toml").write_text("engine = 'python'\n")
    with pytest.raises(DirectiveUsageError, match=r"directive\.toml"):
        init(tmp_path)
    assert not (tmp_path / "targets.directive").exists()
    assert (tmp_path / "directive.toml").read_text() == "engine = 'python'\n"


def test_files_get_the_usual_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        written = init(tmp_path / "x")
    finally:
        os.umask(old)
    assert all((p.stat().st_mode & 0o777) == 0o644 for p in written)
