"""The pre-commit hooks, run for real by `pre-commit try-repo` on a throwaway repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GOOD = 'dataset t from "t.csv"\n\nrule r:\n  require t.x >= 1 per year\n'
MESSY = 'dataset t from "t.csv"\nrule r:   require   t.x>=1 per year\n'
BROKEN = "rule r:\n  require >= per year\n"


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    if shutil.which("git") is None or shutil.which("pre-commit") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("git and pre-commit are needed in CI")
        pytest.skip("git or pre-commit is not installed")
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "drafter@example.org")
    _git(repo, "config", "user.name", "Drafter")
    return repo


def _try_repo(repo: Path, hook: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    return subprocess.run(
        ["pre-commit", "try-repo", str(ROOT), hook, "--all-files", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


def _source_checkout() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs the project's git checkout")


def test_lint_and_fmt_hooks(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    _source_checkout()
    home = tmp_path_factory.mktemp("pre-commit-home")
    (project / "good.directive").write_text(GOOD)
    (project / "messy.directive").write_text(MESSY)
    _git(project, "add", ".")

    lint = _try_repo(project, "directive-lint", home)
    assert lint.returncode == 0, lint.stdout + lint.stderr

    check = _try_repo(project, "directive-fmt-check", home)
    assert check.returncode == 1, check.stdout + check.stderr
    assert (project / "messy.directive").read_text() == MESSY  # --check changes nothing

    fmt = _try_repo(project, "directive-fmt", home)
    assert fmt.returncode == 1  # pre-commit fails a hook that changed files
    assert (project / "messy.directive").read_text() == GOOD
    assert (project / "good.directive").read_text() == GOOD

    (project / "broken.directive").write_text(BROKEN)
    _git(project, "add", ".")
    broken = _try_repo(project, "directive-lint", home)
    assert broken.returncode == 1
    assert "broken.directive:2:" in broken.stdout
