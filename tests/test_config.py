"""Defaults from directive.toml and [tool.directive] (SPEC §13.10)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from directive_dsl.config import (
    apply,
    find_config,
    given_options,
    load_config,
    options_of,
)
from directive_dsl.errors import DirectiveUsageError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*")
    parser.add_argument("--engine", default="duckdb")
    parser.add_argument("--format", choices=("text", "json"))
    parser.add_argument("--data", action="append", default=[])
    parser.add_argument("--data-dir")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--as-of")
    return parser


def test_directive_toml_comes_before_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.directive]\nengine = "python"\n')
    (tmp_path / "directive.toml").write_text('engine = "duckdb"\n')
    (tmp_path / "sub").mkdir()
    assert find_config(["sub/x.directive"], cwd=tmp_path) == tmp_path / "directive.toml"


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.directive]\nengine = "python"\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(["inner/a.directive"], cwd=tmp_path) == tmp_path / "pyproject.toml"
    assert find_config([], cwd=inner) == tmp_path / "pyproject.toml"


def test_values_fill_only_what_the_command_line_left_out(tmp_path: Path) -> None:
    config_file = tmp_path / "pyproject.toml"
    config_file.write_text(
        '[tool.directive]\nengine = "python"\nall = true\ndata-dir = "data"\n'
        'as_of = "2027"\ndata = ["investments=inv.csv"]\n'
    )
    parser = _parser()
    argv = ["t.directive", "--engine", "duckdb"]
    args = parser.parse_args(argv)
    config = load_config(config_file, options_of(parser))
    settings = {s.dest: s for s in apply(args, config, given_options(parser, argv))}
    assert args.engine == "duckdb" and settings["engine"].origin == "command line"
    assert args.all is True and settings["all"].origin == f"{config_file}:3"
    assert args.data_dir == str(tmp_path / "data")
    assert args.as_of == "2027"
    assert args.data == [f"investments={tmp_path / 'inv.csv'}"]
    assert settings["format"].origin == "default"


def test_an_explicit_default_on_the_command_line_still_wins(tmp_path: Path) -> None:
    (tmp_path / "directive.toml").write_text('engine = "python"\n')
    parser = _parser()
    argv = ["--engine", "duckdb"]
    args = parser.parse_args(argv)
    apply(args, load_config(tmp_path / "directive.toml", options_of(parser)),
          given_options(parser, argv))
    assert args.engine == "duckdb"


def test_an_unknown_key_is_located_with_a_suggestion(tmp_path: Path) -> None:
    path = tmp_path / "directive.toml"
    path.write_text('# defaults\nengine = "python"\nformatt = "json"\n')
    with pytest.raises(DirectiveUsageError) as caught:
        load_config(path, options_of(_parser()))
    error = caught.value
    assert (error.code, error.line) == ("E710", 3)
    assert "formatt" in error.message and error.hint is not None and "format" in error.hint


@pytest.mark.parametrize(
    "text,expected",
    [
        ('format = "xml"\n', "one of"),
        ("all = 1\n", "true or false"),
        ("engine = true\n", "a string"),
        ("data = [1]\n", "list of strings"),
        ("engine = \n", "not valid TOML"),
    ],
)
def test_wrong_values_are_usage_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "directive.toml"
    path.write_text(text)
    with pytest.raises(DirectiveUsageError, match=expected):
        load_config(path, options_of(_parser()))


def test_no_file_means_no_defaults(tmp_path: Path) -> None:
    config = load_config(None, options_of(_parser()))
    assert config.values == {} and config.origin("engine") == "default"
