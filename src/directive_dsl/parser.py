"""Text to syntax tree: the lark LALR parser and the tree builder.

:func:`parse` turns directive text into a :class:`~directive_dsl.nodes.Module`.
Lark's errors become :class:`~directive_dsl.errors.DirectiveSyntaxError` with
what was expected in words; after an error the parser resumes at the next
statement, so one run reports every syntax error of a file.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator

import attrs
import lark
from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lark import PostLex

from . import nodes as n
from .builder import MAX_DEPTH, Builder, BuildError
from .errors import Diagnostic, DirectiveSyntaxError
from .source import Source, Span, shipped_text

#: Bounds on untrusted input: larger files or deeper nesting are an error.
MAX_SOURCE_CHARS = 16 * 1024 * 1024
MAX_STATEMENTS = 200_000
MAX_ERRORS = 50

STATEMENT_KEYWORDS = ("directive", "dataset", "domain", "unit", "let", "import", "rule", "require", "waive")

# How terminals are named in messages.
_TERMINAL_WORDS = {
    "NAME": "a name",
    "QUOTED_NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "SUBPERIOD": "a period",
    "COMPOUND_UNIT": "a unit",
    "PERCENT": "`%`",
    "$END": "the end of the file",
}

def grammar_text() -> str:
    """The text of grammar/directive.lark, from the installed package or the source tree."""
    return shipped_text("grammar/directive.lark", "grammar/directive.lark")


_BUILDER = Builder()


class _KeywordPositions(PostLex):
    """Tells the builder where each keyword stands (`rule`, `per`, `[`, …), so that a node's
    span starts at its keyword token. A post-lexer, since a callback on a keyword's terminal
    misses a keyword lark first lexed as a name."""

    always_accept = ()

    def __init__(self) -> None:
        self.keywords: frozenset[str] = frozenset()  # the terminals of the grammar's literal words

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        for token in stream:
            if token.type in self.keywords:
                _BUILDER.keyword(token)
            yield token


_KEYWORDS = _KeywordPositions()
_LOCK = threading.Lock()  # one builder serves every parse: they take turns


@functools.cache
def _lark() -> Lark:
    # Nodes are built as the LALR parser reduces (no intermediate tree);
    # cache=True keeps the LALR tables in the temp folder, keyed by the
    # grammar's hash, so a command-line run does not rebuild them.
    parser = Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        transformer=_BUILDER,
        lexer_callbacks={"COMMENT": _BUILDER.comment},
        postlex=_KEYWORDS,
        cache=True,
    )
    _KEYWORDS.keywords = frozenset(t.name for t in parser.terminals
                                   if isinstance(t.pattern, lark.lexer.PatternStr))
    return parser


@functools.cache
def _terminal_words() -> dict[str, str]:
    words = dict(_TERMINAL_WORDS)
    for terminal in _lark().terminals:
        if terminal.name not in words and isinstance(terminal.pattern, lark.lexer.PatternStr):
            words[terminal.name] = f"`{terminal.pattern.value}`"
    return words


def describe_expected(names: set[str] | frozenset[str]) -> str:
    """Terminal names as words: ``a name, `(` or a number``."""
    words = _terminal_words()
    described = sorted({words.get(name, name.lower()) for name in names})
    if not described:
        return "nothing more"
    if len(described) > 8:
        described = [*described[:8], "…"]
    if len(described) == 1:
        return described[0]
    return ", ".join(described[:-1]) + " or " + described[-1]


def parse(text: str, filename: str = "<string>") -> n.Module:
    """Parse directive *text* into a syntax tree; raise DirectiveSyntaxError with every error.

    >>> module = parse('let EU = ["AT", "DE"]')
    >>> module.statements[0].name.name
    'EU'
    """
    return parse_source(Source(text, filename))


def parse_source(source: Source) -> n.Module:
    """Parse a :class:`Source`; the tree's spans point into it."""
    partial = parse_partial(source)
    if partial.diagnostics:
        raise DirectiveSyntaxError.from_diagnostics(partial.diagnostics)
    return partial.module


@attrs.frozen
class Partial:
    """What could be parsed of a file: its good statements, the errors, and the names of broken ones."""

    module: n.Module
    diagnostics: tuple[Diagnostic, ...] = ()
    broken_names: frozenset[str] = frozenset()


_DECLARED_NAME = re.compile(r"^\s*(?:let|dataset|domain|unit)\s+(`[^`\n]+`|[A-Za-z_][A-Za-z0-9_]*)")
# A rule that did not parse keeps its id, so a waiver of it is not reported as naming no rule.
_RULE_ID = re.compile(r"^\s*(?:@[^\n]*\n\s*)*rule\s+(`[^`\n]+`|[A-Za-z_][A-Za-z0-9_]*)")


def parse_partial(source: Source) -> Partial:
    """Parse as much as possible: after an error, resume at the next statement."""
    _check_size(source)
    whole = source.span(0, len(source.text))
    comments: list[n.Comment] = []
    try:
        statements = _parse_chunk(source.text, 0, source, comments)
        return Partial(n.Module(statements=statements, comments=tuple(comments), span=whole))
    except _ChunkFailed as first:
        diagnostics = [first.diagnostic]
    comments = []
    statements_found: list[n.Statement] = []
    broken: set[str] = set()
    for start, end in _statement_chunks(source.text):
        try:
            statements_found.extend(_parse_chunk(source.text[start:end], start, source, comments))
        except _ChunkFailed as failure:
            if failure.diagnostic not in diagnostics:
                diagnostics.append(failure.diagnostic)
            chunk = source.text[start:end]
            if (declared := _DECLARED_NAME.match(chunk) or _RULE_ID.match(chunk)) is not None:
                broken.add(declared.group(1).strip("`"))
            if len(diagnostics) >= MAX_ERRORS:
                break
    diagnostics.sort(key=lambda d: (d.line or 0, d.column or 0))
    module = n.Module(statements=tuple(statements_found), comments=tuple(comments), span=whole)
    return Partial(module, tuple(diagnostics), frozenset(broken))


class _ChunkFailed(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _syntax(span: Span, code: str, message: str, hint: str | None = None) -> _ChunkFailed:
    return _ChunkFailed(Diagnostic.at(span, code, message, hint=hint, kind=DirectiveSyntaxError))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_size(source: Source) -> None:
    if len(source.text) > MAX_SOURCE_CHARS:
        raise DirectiveSyntaxError(
            f"the file has {len(source.text):,} characters, more than the {MAX_SOURCE_CHARS:,} allowed",
            code="E110",
            span=source.span(0, 0),
            hint="split the directive into several files joined with `import`",
        )
    surrogate = _SURROGATE.search(source.text)
    if surrogate is not None:  # only a str handed in by a program can hold one
        raise DirectiveSyntaxError(
            f"the text holds U+{ord(surrogate.group()):04X}, half of a surrogate pair: it is not valid text",
            code="E111",
            span=source.span(surrogate.start(), surrogate.start() + 1),
            hint="decode the file as UTF-8 with errors reported, not surrogateescape",
        )
    if "\x00" in source.text:
        offset = source.text.index("\x00")
        raise DirectiveSyntaxError(
            "the file contains a NUL byte: it is not a text file",
            code="E111",
            span=source.span(offset, offset + 1),
        )


def _parse_chunk(
    text: str, offset: int, source: Source, comments: list[n.Comment]
) -> tuple[n.Statement, ...]:
    """The statements of ``text``, which starts at *offset* in *source*."""
    _check_nesting(text, offset, source)
    parser = _lark()
    with _LOCK:
        _BUILDER.start_parse(source, offset)
        try:
            statements: list[n.Statement] = parser.parse(text)  # type: ignore[assignment]
        except UnexpectedInput as error:
            raise _translate(error, text, offset, source) from None
        except BuildError as error:
            raise _ChunkFailed(error.diagnostic) from None
        found = _BUILDER.comments
    if len(statements) > MAX_STATEMENTS:
        raise _syntax(
            source.span(offset, offset),
            "E110",
            f"more than {MAX_STATEMENTS:,} statements in one file",
        )
    comments.extend(found)
    return tuple(statements)


def _check_nesting(text: str, offset: int, source: Source) -> None:
    """Refuse brackets nested deeper than MAX_DEPTH before lark builds a tree of them."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\\n]|\\.)*"|`[^`\n]*`|#[^\n]*|[(\[]|[)\]]', text):
        token = match.group()
        if token in "([":
            depth += 1
            if depth > MAX_DEPTH:
                start = offset + match.start()
                raise _syntax(
                    source.span(start, start + 1),
                    "E110",
                    f"brackets are nested more than {MAX_DEPTH} deep",
                    "split the expression with `let`",
                )
        elif token in ")]":
            depth = max(0, depth - 1)


def _translate(error: UnexpectedInput, text: str, offset: int, source: Source) -> _ChunkFailed:
    position = offset + (error.pos_in_stream or 0)
    if isinstance(error, UnexpectedCharacters):
        index = error.pos_in_stream or 0
        char = text[index] if index < len(text) else ""
        span = source.span(position, position + 1)
        if char == '"':
            return _syntax(
                span, "E100", "unterminated string", 'close the string with `"` on the same line'
            )
        if char == "`":
            return _syntax(
                span, "E100", "unterminated quoted name", "close the name with a backtick"
            )
        expected = describe_expected(error.allowed or set())
        if not char.isascii():
            message = f"invalid character {char!r} (U+{ord(char):04X}), expected {expected}"
            return _syntax(span, "E102", message, "outside strings and `quoted names`, use ASCII")
        hint = "statements need no terminator: each starts with a keyword" if char == ";" else None
        return _syntax(span, "E100", f"unexpected character `{char}`, expected {expected}", hint)
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        end = offset + len(text.rstrip())
        expected = describe_expected(set(getattr(error, "expected", ()) or ()))
        return _syntax(
            source.span(end, end), "E101", f"unexpected end of file, expected {expected}"
        )
    if isinstance(error, UnexpectedToken):
        token = error.token
        start = offset + (token.start_pos or 0)
        span = source.span(start, start + len(str(token)))
        expected = describe_expected(set(error.accepts or error.expected))
        shown = str(token)
        hint = _hint_for(error)
        return _syntax(span, "E100", f"unexpected `{shown}`, expected {expected}", hint)
    return _syntax(source.span(position, position), "E100", str(error).splitlines()[0])


def _hint_for(error: UnexpectedToken) -> str | None:
    token = error.token
    expected = set(error.accepts or error.expected)
    if token.type == "NAME" and str(token) in STATEMENT_KEYWORDS:
        return f"`{token}` is a keyword; write `` `{token}` `` to use it as a name"
    if "COLON" in expected and token.type in ("REQUIRE", "NAME"):
        return 'a rule head ends with a colon: `rule id "Title":`'
    if token.type == "NUMBER" and "COMPOUND_UNIT" in expected:
        return "a compound unit is written without spaces: `USD/t`"
    return None


# ---------------------------------------------------------------- recovery


_CHUNK_START = re.compile(r"^[ \t]*(@|(?:" + "|".join(STATEMENT_KEYWORDS) + r")\b)", re.MULTILINE)


def _statement_chunks(text: str) -> list[tuple[int, int]]:
    """Split *text* at lines that start a statement, keeping annotations and rule heads with their rule."""
    starts: list[int] = []
    open_rule = (
        False  # the previous chunk is annotations or a rule head still waiting for `require`
    )
    for match in _CHUNK_START.finditer(text):
        word = match.group(1)
        line_start = match.start()
        if word in ("@", "rule", "require") and open_rule:
            open_rule = word in ("@", "rule") and not _head_has_require(text, match.end())
            continue
        starts.append(line_start)
        open_rule = word in ("@", "rule") and not _head_has_require(text, match.end())
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts, len(text)]
    return [(bounds[i], bounds[i + 1]) for i in range(len(starts)) if bounds[i] < bounds[i + 1]]


def _head_has_require(text: str, position: int) -> bool:
    end = text.find("\n", position)
    line = text[position : end if end >= 0 else len(text)]
    return re.search(r"\brequire\b", line.split("#", 1)[0]) is not None
