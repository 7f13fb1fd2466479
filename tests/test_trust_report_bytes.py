"""Every engine prints the same report, byte for byte, on every bundled example (SPEC §13.1):
every byte but the run's engine and time, the data's hashes and row counts included."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from engine_neutral import neutral_json

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*/*.directive"))


@functools.cache
def _reference(path: Path) -> str:
    return neutral_json(directive_dsl.load(path).evaluate(engine="python"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_json_bytes_are_the_same(path: Path, engine: Any) -> None:
    got = neutral_json(directive_dsl.load(path).evaluate(engine=engine))
    want = _reference(path)
    if got != want:  # name the first line that differs, not the whole document
        for number, (a, b) in enumerate(zip(want.splitlines(), got.splitlines(), strict=False), 1):
            assert a == b, f"line {number}"
    assert got == want
