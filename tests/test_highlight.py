"""Highlighting: the Pygments lexer (and its entry point) and the TextMate grammar."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lark import Lark
from lark.lexer import PatternStr

from directive_dsl.aggregates import NAMES
from directive_dsl.parser import grammar_text

pygments = pytest.importorskip("pygments")

from pygments.lexers import get_lexer_by_name, get_lexer_for_filename  # noqa: E402
from pygments.token import Error, Keyword, Name, Number, Operator, String, Token  # noqa: E402

from directive_dsl.highlight import DirectiveLexer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "belarus_china" / "belarus_china.directive"
TMLANGUAGE = ROOT / "grammar" / "directive.tmLanguage.json"

MORE = """\
directive "T\\u00e9st \\"q\\"" period 2026-Q1 to 2030-03 owner "O"
dataset `Trade Value (US$)` time `year` dimensions a, b
  measure v thousand bag60 aggregate last
  measure w = v * 2 / (v - 1)
unit bag60 = 60 kg
import "other.directive"
@missing warn
require count(x[a not in ["A"] or not b != -3]) between 1 and 2 in total
require x.total at 2019 >= 300 USD/t per quarter from 2026-Q1 to 2027-Q2
require growth(x) >= 1.5e3 % by 2030 from 2025
waive floor[a = "A"] until 2027-Q2 because "Flood"
"""


@cache
def grammar_keywords() -> set[str]:
    """Every keyword of the lark grammar: its string terminals that are words."""
    lark = Lark(grammar_text(), parser="lalr", lexer="contextual")
    words = {
        str(t.pattern.value)
        for t in lark.terminals
        if isinstance(t.pattern, PatternStr) and str(t.pattern.value).isidentifier()
    }
    assert {"require", "between", "per", "million", "total"} <= words
    return words


def lex(text: str) -> list[tuple[Any, str]]:
    return list(DirectiveLexer().get_tokens(text))


@pytest.mark.parametrize("text", [EXAMPLE.read_text(encoding="utf-8"), MORE])
def test_lexer_covers_every_token(text: str) -> None:
    tokens = lex(text)
    assert [value for kind, value in tokens if kind in Error] == []
    assert "".join(value for _, value in tokens) == text if text.endswith("\n") else text + "\n"


def test_lexer_token_classes() -> None:
    tokens = [(kind, value) for kind, value in lex(MORE) if value.strip()]
    kinds = dict((value, kind) for kind, value in reversed(tokens))
    assert kinds["directive"] in Keyword
    assert kinds["`Trade Value (US$)`"] in Name
    assert kinds["2026-Q1"] in Token.Literal.Date
    assert kinds["thousand"] in Keyword.Constant
    assert kinds["bag60"] in Keyword.Type
    assert kinds["USD/t"] in Keyword.Type
    assert kinds["%"] in Keyword.Type
    assert kinds["1.5e3"] in Number
    assert kinds["\\u00e9"] in String.Escape
    assert kinds["count"] in Name.Builtin
    assert kinds["between"] in Operator.Word
    assert kinds[">="] in Operator
    assert kinds["@"] in Name.Decorator
    assert kinds["waive"] in Keyword.Declaration
    assert kinds["floor"] in Name.Label
    assert kinds["until"] in Keyword and kinds["because"] in Keyword


@pytest.mark.parametrize("word", sorted(grammar_keywords()))
def test_lexer_knows_every_keyword(word: str) -> None:
    (kind, value), *_ = lex(word)
    assert value == word
    assert kind in Keyword or kind in Operator.Word, kind


def test_entry_point() -> None:
    assert isinstance(get_lexer_by_name("directive"), DirectiveLexer)
    assert isinstance(get_lexer_for_filename("targets.directive"), DirectiveLexer)
    done = subprocess.run(
        [sys.executable, "-m", "pygments", "-l", "directive", "-f", "raw", str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Token.Keyword.Declaration\t'directive'" in done.stdout
    assert "Token.Error" not in done.stdout


# ---------------------------------------------------------------- the TextMate grammar


@cache
def tmlanguage() -> dict[str, Any]:
    return dict(json.loads(TMLANGUAGE.read_text(encoding="utf-8")))


def rules(node: Any) -> list[dict[str, Any]]:
    """Every rule of the grammar with a regex, nested ones included."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "match" in item or "begin" in item:
                found.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def test_tmlanguage_is_valid() -> None:
    grammar = tmlanguage()
    assert grammar["scopeName"] == "source.directive"
    assert "directive" in grammar["fileTypes"]
    for rule in rules(grammar):
        for key in ("match", "begin", "end"):
            if key in rule:
                re.compile(rule[key])
    repository = grammar["repository"]
    for include in re.findall(r'"include": "#([^"]+)"', json.dumps(grammar)):
        assert include in repository


@pytest.mark.parametrize("word", sorted(grammar_keywords()))
def test_tmlanguage_has_every_keyword(word: str) -> None:
    keyword_rules = [
        r
        for r in rules(tmlanguage())
        if "match" in r and r.get("name", "").startswith(("keyword.", "constant.language."))
    ]
    assert any(re.fullmatch(r["match"], word) for r in keyword_rules), word


def scopes(text: str) -> list[tuple[str, str]]:
    """A small TextMate tokenizer (first match wins, earliest position first): (text, scope) pairs."""
    top = tmlanguage()["patterns"]
    repository = tmlanguage()["repository"]

    def expand(patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for pattern in patterns:
            if "include" in pattern:
                target = repository[pattern["include"][1:]]
                out += (
                    expand(target["patterns"])
                    if "patterns" in target and "match" not in target and "begin" not in target
                    else [target]
                )
            else:
                out.append(pattern)
        return out

    flat = expand(top)
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        best: tuple[int, int, re.Match[str], dict[str, Any]] | None = None
        for order, rule in enumerate(flat):
            match = re.compile(rule.get("match") or rule["begin"], re.M).search(text, position)
            if (
                match
                and match.end() > match.start()
                and (best is None or (match.start(), order) < best[:2])
            ):
                best = (match.start(), order, match, rule)
        if best is None:
            break
        start, _, match, rule = best
        if text[position:start].strip():
            found.append((text[position:start], ""))
        end = match.end()
        if "begin" in rule:
            closing = re.compile(rule["end"], re.M)
            inner = re.compile("|".join(p["match"] for p in rule.get("patterns", [])) or "(?!)")
            cursor = end
            while (m := closing.search(text, cursor)) is not None:
                escape = inner.match(text, cursor)
                if escape and escape.end() > cursor:
                    cursor = escape.end()
                    continue
                if m.start() == cursor:
                    end = m.end()
                    break
                cursor += 1
        found.append((text[start:end], rule.get("name", "") or _captured(rule, match)))
        position = end
    return found


def _captured(rule: dict[str, Any], match: re.Match[str]) -> str:
    captures = rule.get("captures", {})
    return " ".join(captures[k]["name"] for k in sorted(captures) if match.group(int(k)))


@pytest.mark.parametrize("text", [EXAMPLE.read_text(encoding="utf-8"), MORE])
def test_tmlanguage_scopes_every_token(text: str) -> None:
    found = scopes(text)
    assert [piece for piece, scope in found if not scope] == []
    covered = "".join(piece for piece, _ in found)
    assert re.sub(r"\s+", "", covered) == re.sub(r"\s+", "", text)


def test_tmlanguage_token_classes() -> None:
    found = dict(scopes(MORE))
    assert "keyword.other.declaration" in found["directive"]
    assert "string.quoted.double" in found['"T\\u00e9st \\"q\\""']
    assert "constant.other.period" in found["2026-Q1"]
    assert found["300 USD/t"] == "constant.numeric.directive entity.name.type.unit.directive"
    assert "constant.language.magnitude" in found["measure v thousand bag60"]
    assert "support.function.builtin" in found["count"]
    assert "keyword.operator.logical" in found["between"]
    assert "keyword.operator.comparison" in found[">="]
    assert "entity.name.type.dataset" in found["dataset `Trade Value (US$)`"]
    assert "variable.other.member" in found["time `year`"]
    assert "storage.type.annotation" in found["@missing"]
    assert found["waive floor"] == "keyword.other.declaration.directive entity.name.function.rule.directive"
    assert "keyword.other.clause" in found["until"] and "keyword.other.clause" in found["because"]
    assert "comment.line" in dict(scopes("# note\n"))["# note"]
    string = tmlanguage()["repository"]["string"]
    escape = next(p for p in string["patterns"] if p["name"].startswith("constant.character"))
    for written in ('\\"', "\\\\", "\\n", "\\t", "\\u00e9"):
        assert re.fullmatch(escape["match"], written), written


def test_file_options_are_highlighted_before_their_value_only() -> None:
    tokens = [(kind, value) for kind, value in lex('dataset x from "x.csv" with header 3, sheet "A"\n'
                                                   "  dimensions header\n") if value.strip()]
    assert (Keyword, "with") in tokens
    assert (Keyword.Pseudo, "header") in tokens and (Keyword.Pseudo, "sheet") in tokens
    assert tokens[-1] == (Name, "header")  # a column named header stays a name


@pytest.mark.parametrize("name", [*NAMES, "share", "growth", "change"])
def test_every_function_is_highlighted_as_one(name: str) -> None:
    """Both highlighters know every aggregate of the registry, whole (not `count` of `count_distinct`)."""
    call = f"require {name}(trade.amount) >= 1\n"
    assert (Name.Builtin, name) in [(kind, value) for kind, value in lex(call)]
    assert "support.function.builtin" in dict(scopes(call))[name]
