"""Golden files: every construct parses and checks; every mistake reads as it should.

``tests/fixtures/valid/<case>.directive`` sits beside ``<case>.expected.json``
(its syntax tree and what the checker made of its rules);
``tests/fixtures/errors/<case>.directive`` beside ``<case>.expected.txt`` (the
whole error text). Set UPDATE_GOLDEN=1 to rewrite the expected files, then
read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs
import pytest

from directive_dsl import DirectiveError, load, parse
from directive_dsl.check.scope import read_text

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _cases(folder: str) -> list[Path]:
    return sorted((FIXTURES / folder).glob("*.directive"))


def tree_dump(node: Any) -> Any:
    """A syntax tree as plain data, spans left out."""
    if attrs.has(type(node)):
        out: dict[str, Any] = {"node": type(node).__name__}
        for field in attrs.fields(type(node)):
            if field.name not in ("span", "comments"):
                out[field.name] = tree_dump(getattr(node, field.name))
        return out
    if isinstance(node, tuple | list):
        return [tree_dump(item) for item in node]
    return node


def checked_dump(path: Path) -> dict[str, Any]:
    directive = load(path)
    return {
        "title": directive.title,
        "window": [str(p) for p in directive.window] if directive.window else None,
        "datasets": {
            name: {
                "time": info.time,
                "dimensions": list(info.dimensions) if info.dimensions is not None else None,
                "measures": {
                    m.name: {"unit": m.unit.name if m.unit else None, "aggregate": m.aggregate}
                    for m in info.measures.values()
                },
                "complete": info.complete,
            }
            for name, info in directive.datasets.items()
        },
        "domains": {k: list(v) for k, v in directive.domains.items()},
        "rules": [
            {
                "id": rule.id,
                "op": rule.op,
                "unit": rule.unit.name if rule.unit else None,
                "dimensions": list(rule.dimensions),
                "time": rule.time.kind,
                "severity": rule.severity,
                "line": rule.line,
            }
            for rule in directive.rules
        ],
        "warnings": [f"{w.line}:{w.column} {w.code}" for w in directive.warnings],
    }


def _compare(expected_file: Path, actual: str) -> None:
    if UPDATE or not expected_file.exists():
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", _cases("valid"), ids=lambda p: p.stem)
def test_valid_directive_parses_and_checks(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)
    module = parse(read_text(path), path.name)
    document = {"tree": tree_dump(module), "checked": checked_dump(Path(path.name))}
    _compare(
        path.with_suffix(".expected.json"),
        json.dumps(document, indent=1, ensure_ascii=False) + "\n",
    )


@pytest.mark.parametrize("path", _cases("errors"), ids=lambda p: p.stem)
def test_mistake_gives_located_error(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)
    with pytest.raises(DirectiveError) as caught:
        load(Path(path.name))
    error = caught.value
    assert error.file and error.line and error.column, "every error names file, line and column"
    _compare(path.with_suffix(".expected.txt"), error.render() + "\n")


def test_every_check_error_of_a_file_is_reported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "many.directive").write_text(
        "dataset t\n  time year\n  dimensions p\n  measure v USD\n  measure w kg\n"
        "require t.v >= 5 kg per year\n"
        "require t.p >= 5 USD per year\n"
        "require t.v >= 5 USD per yr\n"
        "require t.w[q] >= 5 kg per year\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(DirectiveError) as caught:
        load(Path("many.directive"))
    assert [(d.line, d.code) for d in caught.value.errors] == [
        (6, "E300"),
        (7, "E202"),
        (8, "E100"),
        (9, "E203"),
    ]


def test_there_are_enough_distinct_mistakes() -> None:
    assert len(_cases("errors")) >= 15


def test_every_error_code_is_documented() -> None:
    from directive_dsl.errors import CODES

    text = (Path(__file__).parents[1] / "docs" / "errors.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"| {code} |" not in text] == []
