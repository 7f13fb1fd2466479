"""Golden SQL: what ``directive compile`` prints for every bundled example, in five dialects.

``tests/fixtures/sql/<example>/<dialect>.sql`` holds the rule statements
(``directive compile FILE --dialect D``) and ``<dialect>.scans.sql`` the
aggregate queries the SQL engines run (``--scans``), byte for byte as the
command prints them. A change to the compiler shows in the diff of these
files, rule by rule and dialect by dialect. To rewrite them after a change
that is meant, run

    UPDATE_GOLDEN=1 pytest tests/test_sql_golden.py

and read the diff. Every file must also parse back with sqlglot in its
dialect, and no dialect may lack something the statements use.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
import sqlglot
from sqlglot.errors import ErrorLevel

from directive_dsl import cli
from directive_dsl.engines.sql.dialects import PREAMBLES

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "sql"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
REGENERATE = "UPDATE_GOLDEN=1 pytest tests/test_sql_golden.py"
DIALECTS = ("duckdb", "spark", "postgres", "bigquery", "snowflake")
EXAMPLES = sorted((ROOT / "examples").glob("*/*.directive"))
KINDS = {"rules": (), "scans": ("--scans",)}
CASES = [pytest.param(path, dialect, kind, id=f"{path.parent.name}-{dialect}-{kind}")
         for path in EXAMPLES for dialect in DIALECTS for kind in KINDS]


def _compiled(path: Path, dialect: str, kind: str) -> tuple[str, str]:
    """What ``directive compile`` prints on stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["compile", str(path.relative_to(ROOT)), "--dialect", dialect, *KINDS[kind]])
    assert code == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


def _fixture(path: Path, dialect: str, kind: str) -> Path:
    suffix = ".sql" if kind == "rules" else f".{kind}.sql"
    return FIXTURES / path.parent.name / f"{dialect}{suffix}"


@pytest.mark.parametrize(("path", "dialect", "kind"), CASES)
def test_compile_prints_the_golden_sql(path: Path, dialect: str, kind: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    got, notes = _compiled(path, dialect, kind)
    assert notes == "", f"{dialect} lacks something the statements use: {notes}"
    expected = _fixture(path, dialect, kind)
    if UPDATE:
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(got, encoding="utf-8", newline="\n")
    assert expected.exists(), f"no golden file {expected.relative_to(ROOT)}; run: {REGENERATE}"
    want = expected.read_text(encoding="utf-8")
    if got != want:  # name the first line that differs, not the whole file
        for number, (a, b) in enumerate(zip(want.splitlines(), got.splitlines(), strict=False), 1):
            assert a == b, (f"{expected.relative_to(ROOT)}:{number} differs; if the change is meant, "
                            f"run: {REGENERATE} and read the diff")
    assert got == want, f"{expected.relative_to(ROOT)} differs in length; run: {REGENERATE}"


@pytest.mark.parametrize(("path", "dialect", "kind"), CASES)
def test_the_golden_sql_parses_back_in_its_dialect(path: Path, dialect: str, kind: str) -> None:
    text = _fixture(path, dialect, kind).read_text(encoding="utf-8")
    statements = [s for s in sqlglot.parse(text, read=dialect, error_level=ErrorLevel.RAISE) if s is not None]
    headed = sum(line.startswith(("-- rule ", "-- dataset ")) for line in text.splitlines())
    helpers = len(PREAMBLES.get(dialect, ()))
    assert len(statements) == headed + helpers  # one statement per rule or dataset, none cut short


def test_every_golden_file_belongs_to_an_example() -> None:
    """A golden file of a removed or renamed example is stale, not kept by accident."""
    wanted = {_fixture(path, dialect, kind) for path in EXAMPLES for dialect in DIALECTS for kind in KINDS}
    assert set(FIXTURES.glob("*/*.sql")) <= wanted, f"stale golden files; remove them and run: {REGENERATE}"
