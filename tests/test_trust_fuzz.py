"""Hostile directive text: whatever the bytes, only DirectiveError comes out (SPEC §9).

Two sources of input: strings drawn from the grammar itself (``from_lark``),
and the bundled examples and fixtures with their bytes mutated (flipped,
deleted, duplicated, spliced). Each input is loaded from a file (so bytes
that are not UTF-8 are tried too), formatted, and, when it loads, evaluated
on the reference engine beside the example's data; what `lint` and `compile`
print is rendered too. CI runs a few hundred
inputs; ``pytest -m slow`` runs as many as ``DIRECTIVE_FUZZ_EXAMPLES`` says.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import directive_dsl
from directive_dsl.engines.sql.compile import comment_text, compile_rules, compile_sql
from directive_dsl.errors import DirectiveError
from directive_dsl.fmt import format_source
from directive_dsl.model import CheckedDirective
from test_language_properties import _DIRECTIVES

ROOT = Path(__file__).parent.parent
SEEDS = sorted([*ROOT.glob("examples/*/*.directive"), *ROOT.glob("tests/fixtures/valid/*.directive")])
DATA = {p.name: p for p in ROOT.glob("examples/*/*.csv")}
# Read once: a seed that changed on disk during a long run would make the draws inconsistent.
SEED_BYTES = [p.read_bytes() for p in SEEDS]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A seed file's bytes with a few edits of the kinds a broken file shows."""
    data = bytearray(draw(st.sampled_from(SEED_BYTES)))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "delete", "duplicate", "insert", "splice"]))
        if kind == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 80))]
        elif kind == "insert":
            data[at:at] = draw(st.sampled_from(
                [b"(", b")", b"[", b"]", b'"', b"`", b"\\u", b"\x00", b"\xff", b"\xed\xa0\x80",
                 b" by ", b" per ", b" at ", b" from ", b"%", b"1e400", b"\n", b"#", b"@missing "]))
        else:
            other = draw(st.sampled_from(SEED_BYTES))
            start = draw(st.integers(0, max(0, len(other) - 1)))
            data[at:at] = other[start : start + draw(st.integers(1, 200))]
    return bytes(data)


def _exercise(data: bytes, folder: Path) -> None:
    """Load, format and evaluate *data* as a directive file; only DirectiveError may come out."""
    for name, path in DATA.items():
        target = folder / name
        if not target.exists():
            shutil.copy(path, target)
    file = folder / "fuzzed.directive"
    file.write_bytes(data)
    try:
        directive = directive_dsl.load(file)
    except DirectiveError as error:
        assert error.render()
        directive = None
    with contextlib.suppress(DirectiveError, UnicodeDecodeError):
        format_source(data.decode("utf-8"), str(file))
    if directive is not None:
        for warning in directive.warnings:  # what `lint` prints
            assert warning.render()
        _compile(directive)
    if directive is not None and directive.rules:
        try:
            report = directive.evaluate(engine="python")
        except DirectiveError as error:
            assert error.render()
        else:
            report.to_json(include_passing=True)
            for outcome in report.outcomes[:50]:
                assert outcome.message


def _compile(directive: CheckedDirective) -> None:
    """What `compile` prints: no text of the directive leaves a `--` comment line."""
    for dialect in ("duckdb", "postgres"):
        for heading, sql in compile_rules(directive, dialect):
            assert all(comment_text(line).splitlines() == [comment_text(line)] for line in heading)
            assert sql
        for _, sql in compile_sql(directive, dialect):
            assert sql


_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow,
                                                         HealthCheck.function_scoped_fixture]}


@settings(max_examples=300, **_SETTINGS)
@given(data=mutated())
def test_mutated_examples_raise_only_directive_errors(data: bytes, tmp_path: Path) -> None:
    _exercise(data, tmp_path)


@settings(max_examples=200, **_SETTINGS)
@given(text=_DIRECTIVES)
def test_grammar_strings_format_and_evaluate(text: str, tmp_path: Path) -> None:
    _exercise(text.encode("utf-8"), tmp_path)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("DIRECTIVE_FUZZ_EXAMPLES", "100000")), **_SETTINGS)
@given(data=st.one_of(mutated(), _DIRECTIVES.map(lambda t: t.encode("utf-8"))))
def test_fuzz_long(data: bytes, tmp_path: Path) -> None:
    _exercise(data, tmp_path)
