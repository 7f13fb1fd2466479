"""The engines by name: one registry, read by --engine, its help and the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from directive_dsl.cli import build_parser
from directive_dsl.engines.registry import DEFAULT_ENGINE, ENGINES, engine_help, make_engine
from directive_dsl.errors import DirectiveUsageError

ROOT = Path(__file__).resolve().parents[1]


def test_the_registry_lists_every_engine_once() -> None:
    assert list(ENGINES) == ["duckdb", "python", "spark", "postgres"]
    assert DEFAULT_ENGINE == "duckdb"
    for entry in ENGINES.values():
        assert (ROOT / "src" / Path(*entry.module.split("."))).is_dir(), entry.module


@pytest.mark.parametrize("name", ["duckdb", "python"])
def test_an_engine_is_made_by_name(name: str) -> None:
    engine = make_engine(name, {})
    try:
        assert engine.name == name
    finally:
        engine.close()


def test_an_unknown_engine_names_the_closest() -> None:
    with pytest.raises(DirectiveUsageError) as caught:
        make_engine("duckbd", {})
    assert "duckdb" in (caught.value.hint or "")


def test_the_command_line_and_the_docs_read_the_registry() -> None:
    help_text = engine_help()
    parser = build_parser()
    for command in ("check", "plan", "test"):
        action = next(a for a in parser.commands[command]._actions if "--engine" in a.option_strings)  # type: ignore[attr-defined]
        assert action.help == help_text and action.default == DEFAULT_ENGINE
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for name in ENGINES:
        assert name in help_text
        assert f"engines/{name}/" in architecture
