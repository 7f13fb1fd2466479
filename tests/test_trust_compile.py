"""`directive compile` with hostile names and strings: nothing leaves a comment or a literal."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from directive_dsl.cli import main
from directive_dsl.engines.sql.compile import comment_text

DIALECTS = ["duckdb", "spark", "postgres", "bigquery", "snowflake"]
BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def _directive(name: str, value: str) -> str:
    safe_name = name.replace("`", "")
    return (
        f"dataset `{safe_name}`\n  time year\n  dimensions `{safe_name} dim`\n  measure v USD\n"
        f'rule r "{_escape(value)}": require `{safe_name}`.v[`{safe_name} dim` = "{_escape(value)}"] >= 5 USD per year\n'
    )


def _compiled(tmp_path: Path, text: str, dialect: str, capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "hostile.directive"
    path.write_text(text, encoding="utf-8")
    assert main(["compile", str(path), "--dialect", dialect]) == 0
    return capsys.readouterr().out


def _check(out: str, dialect: str, name: str, value: str) -> None:
    lines = out.split("\n")
    headings = [line for line in lines if line.startswith("-- ")]
    for heading in headings:
        assert not any(ch in heading for ch in BREAKS)
    body = "\n".join(line for line in lines if not line.startswith("-- "))
    if dialect == "postgres":  # the helper functions' bodies are PL/pgSQL, not for sqlglot
        body = body.rsplit("END $$;", 1)[-1]
    trees = [t for t in sqlglot.parse(body, read=dialect) if t is not None]
    assert len(trees) == len([h for h in headings if h.startswith("-- rule ")])
    literals = {lit.this for t in trees for lit in t.find_all(exp.Literal) if lit.is_string}
    assert value in literals, (value, literals)
    identifiers = {i.this for t in trees for i in t.find_all(exp.Identifier)}
    written = name.replace("`", "")
    if dialect == "bigquery":  # sqlglot reads a quoted table name back split at its dots
        assert all(part in identifiers for part in written.split(".")), (written, identifiers)
    else:
        assert written in identifiers


HOSTILE = [
    ("trade", "x' ; DROP TABLE t; --"),
    ("trade\x0bDROP TABLE t", "a\\'b\r\nDROP TABLE t; --"),
    ("t\u2028x", "*/ SELECT 1 /*"),
    ('say "hi"', "\x85 -- \u2029"),
    ("back`tick", "$$ ; $$"),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name,value", HOSTILE)
def test_hostile_names_and_strings_stay_inside(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               dialect: str, name: str, value: str) -> None:
    out = _compiled(tmp_path, _directive(name, value), dialect, capsys)
    _check(out, dialect, name, value)


_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00`"),
                min_size=1, max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_TEXT, value=_TEXT, dialect=st.sampled_from(DIALECTS))
def test_any_text_stays_inside(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               name: str, value: str, dialect: str) -> None:
    if not name.strip() or name != name.strip():
        return  # a backticked name is taken as written; blank ones are another test's business
    path = tmp_path / "hostile.directive"
    path.write_text(_directive(name, value), encoding="utf-8")
    if main(["compile", str(path), "--dialect", dialect]) == 2:
        assert "Traceback" not in capsys.readouterr().err  # a name the language refuses
        return
    _check(capsys.readouterr().out, dialect, name, value)


def test_unknown_dialect_exits_2_with_the_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.directive"
    path.write_text(_directive("trade", "CN"))
    assert main(["compile", str(path), "--dialect", "foo"]) == 2
    err = capsys.readouterr().err
    assert "unknown SQL dialect `foo`" in err and "`bigquery`" in err and "Traceback" not in err
    assert main(["compile", str(path), "--dialect", "duckdbb"]) == 2
    assert "did you mean `duckdb`?" in capsys.readouterr().err


def test_a_dialect_that_lacks_something_is_said_once(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.directive"
    path.write_text(_directive("trade", "CN"))
    assert main(["compile", str(path), "--dialect", "hive"]) == 0
    err = capsys.readouterr().err
    assert err.count("directive: note: hive lacks") == 1 and len(err.splitlines()) == 1


def test_comment_text_breaks_no_line() -> None:
    assert not any(ch in comment_text("a" + BREAKS + "b") for ch in BREAKS)
