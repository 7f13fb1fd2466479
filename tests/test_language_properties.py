"""Properties of the language front end over strings drawn from the grammar itself."""

from __future__ import annotations

import string

import lark
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from directive_dsl import DirectiveError, loads, parse
from directive_dsl.parser import grammar_text

# from_lark joins tokens with nothing between them; a space after every
# keyword or name keeps them apart, as a drafter would write them.
_GRAMMAR = lark.Lark(grammar_text(), parser="lalr", lexer="contextual")
_SPACE = st.sampled_from([" ", "\n", "  "])


def _spaced(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(strategy, _SPACE).map("".join)


_EXPLICIT = {
    name: _spaced(st.from_regex(terminal.pattern.to_regexp(), fullmatch=True))
    for name, terminal in ((t.name, t) for t in _GRAMMAR.terminals)
    if name not in ("WS", "COMMENT")
}
_DIRECTIVES = from_lark(_GRAMMAR, start="start", explicit=_EXPLICIT)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DIRECTIVES)
def test_grammar_strings_load_or_raise_directive_errors(text: str) -> None:
    try:
        loads(text, "drawn.directive")
    except DirectiveError as error:
        assert error.line is not None or error.file is not None
        assert error.render()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable + "é€\x00", max_size=200))
def test_any_text_loads_or_raises_directive_errors(text: str) -> None:
    try:
        loads(text, "noise.directive")
    except DirectiveError as error:
        assert error.render()


def test_5000_nested_parentheses_is_an_error_not_a_crash() -> None:
    text = "let x = " + "(" * 5000 + "1" + ")" * 5000
    try:
        parse(text)
    except DirectiveError as error:
        assert error.code == "E110"
    else:
        raise AssertionError("deep nesting must be refused")


def test_a_long_chain_of_operators_is_an_error_not_a_crash() -> None:
    text = "let x = " + " + ".join(["1"] * 20000)
    try:
        loads(text)
    except DirectiveError as error:
        assert error.code == "E110"


def test_the_grammar_has_no_conflicts(caplog: object) -> None:
    import logging

    logger = logging.getLogger("lark")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        lark.Lark(grammar_text(), parser="lalr", lexer="contextual", debug=True)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    conflicts = [r.getMessage() for r in records if "conflict" in r.getMessage().lower()]
    assert conflicts == []


def test_every_grammar_rule_has_a_builder_method() -> None:
    """Lark builds a raw Tree for a rule the builder lacks; none may ever reach the syntax tree."""
    from directive_dsl.builder import Builder
    from directive_dsl.parser import _lark

    missing = set()
    for rule in _lark().rules:
        name = rule.alias or rule.origin.name
        name = str(getattr(name, "name", name))
        kept = [sym for sym in rule.expansion if not (sym.is_term and getattr(sym, "filter_out", False))]
        inlined = name.startswith("_") or (rule.options.expand1 and len(kept) == 1 and not rule.alias)
        if not inlined and not callable(getattr(Builder, name, None)):
            missing.add(name)
    assert missing == set()
