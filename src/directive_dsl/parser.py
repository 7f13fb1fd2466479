"""Text to syntax tree: the lark LALR parser and the tree builder.

:func:`parse` turns directive text into a :class:`~directive_dsl.nodes.Module`.
Lark's errors become :class:`~directive_dsl.errors.DirectiveSyntaxError` with
what was expected in words; after an error the parser resumes at the next
statement, so one run reports every syntax error of a file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import lark
from lark import Lark, Token, Transformer_NonRecursive, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from . import nodes as n
from .errors import Diagnostic, DirectiveError, DirectiveSyntaxError
from .source import Source, Span

#: Bounds on untrusted input: larger files or deeper nesting are an error.
MAX_SOURCE_CHARS = 16 * 1024 * 1024
MAX_STATEMENTS = 200_000
MAX_DEPTH = 200
MAX_ERRORS = 50

STATEMENT_KEYWORDS = ("directive", "dataset", "domain", "unit", "let", "import", "rule", "require")

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

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


def grammar_text() -> str:
    """The text of grammar/directive.lark, from the installed package or the source tree."""
    packaged = resources.files("directive_dsl").joinpath("grammar/directive.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[2] / "grammar" / "directive.lark"
    return checkout.read_text(encoding="utf-8")


@functools.cache
def _lark() -> Lark:
    # cache=True keeps the built LALR tables in the temp folder, keyed by the
    # grammar's hash, so a command-line run does not rebuild them.
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
    )


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


def parse_partial(source: Source) -> Partial:
    """Parse as much as possible: after an error, resume at the next statement."""
    _check_size(source)
    whole = source.span(0, len(source.text))
    comments: list[n.Comment] = []
    try:
        tree = _parse_tree(source.text, 0, source, comments)
        statements = _build(tree, source, 0)
        return Partial(n.Module(statements=statements, comments=tuple(comments), span=whole))
    except _ChunkFailed as first:
        diagnostics = [first.diagnostic]
    comments = []
    statements_found: list[n.Statement] = []
    broken: set[str] = set()
    for start, end in _statement_chunks(source.text):
        try:
            tree = _parse_tree(source.text[start:end], start, source, comments)
            statements_found.extend(_build(tree, source, start))
        except _ChunkFailed as failure:
            if failure.diagnostic not in diagnostics:
                diagnostics.append(failure.diagnostic)
            if (declared := _DECLARED_NAME.match(source.text[start:end])) is not None:
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


def _check_size(source: Source) -> None:
    if len(source.text) > MAX_SOURCE_CHARS:
        raise DirectiveSyntaxError(
            f"the file has {len(source.text):,} characters, more than the {MAX_SOURCE_CHARS:,} allowed",
            code="E110",
            span=source.span(0, 0),
            hint="split the directive into several files joined with `import`",
        )
    if "\x00" in source.text:
        offset = source.text.index("\x00")
        raise DirectiveSyntaxError(
            "the file contains a NUL byte: it is not a text file",
            code="E111",
            span=source.span(offset, offset + 1),
        )


def _parse_tree(text: str, offset: int, source: Source, comments: list[n.Comment]) -> Tree[Token]:
    _check_nesting(text, offset, source)
    found: list[n.Comment] = []

    def keep_comment(token: Token) -> Token:
        start = offset + (token.start_pos or 0)
        found.append(n.Comment(text=str(token), span=source.span(start, start + len(token))))
        return token

    parser = _lark()
    try:
        lexer_conf = parser.lexer_conf
        saved = dict(lexer_conf.callbacks)
        lexer_conf.callbacks["COMMENT"] = keep_comment
        try:
            tree = parser.parse(text)
        finally:
            lexer_conf.callbacks.clear()
            lexer_conf.callbacks.update(saved)
    except UnexpectedInput as error:
        raise _translate(error, text, offset, source) from None
    comments.extend(found)
    return tree


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
        if word in ("rule", "require") and open_rule:
            open_rule = word == "rule" and not _head_has_require(text, match.end())
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


# ---------------------------------------------------------------- the tree builder


def _build(tree: Tree[Token], source: Source, offset: int) -> tuple[n.Statement, ...]:
    _check_depth(tree, source, offset)
    builder = _Builder(source, offset)
    try:
        module = builder.transform(tree)
    except lark.exceptions.VisitError as error:
        if isinstance(error.orig_exc, _ChunkFailed):
            raise error.orig_exc from None
        if isinstance(error.orig_exc, DirectiveError):
            raise error.orig_exc from None
        raise
    if len(module) > MAX_STATEMENTS:
        raise _syntax(
            source.span(offset, offset),
            "E110",
            f"more than {MAX_STATEMENTS:,} statements in one file",
        )
    return tuple(module)


def _check_depth(tree: Tree[Token], source: Source, offset: int) -> None:
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Tree):
            if depth > MAX_DEPTH:
                start = offset + (node.meta.start_pos if not node.meta.empty else 0)
                raise _syntax(
                    source.span(start, start + 1),
                    "E110",
                    f"the expression is nested more than {MAX_DEPTH} levels deep",
                    "split it with `let`",
                )
            stack.extend((child, depth + 1) for child in node.children if child is not None)


def _unescape(raw: str, span: Span) -> str:
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            where = Span(
                span.source,
                span.start + 1 + i,
                span.start + 3 + i,
                span.line,
                span.column + 1 + i,
                span.line,
                span.column + 3 + i,
            )
            raise _syntax(
                where,
                "E103",
                f"invalid escape `\\{nxt}` in a string",
                'the escapes are \\", \\\\, \\n, \\t and \\uXXXX',
            )
    return "".join(out)


def _number(token: Token) -> float:
    return float(str(token).replace("_", ""))


Child = Any


class _Builder(Transformer_NonRecursive[Token, Any]):
    """Builds nodes from lark's tree; every grammar rule has a method here."""

    def __init__(self, source: Source, offset: int) -> None:
        super().__init__(visit_tokens=False)
        self.source = source
        self.offset = offset

    def __default__(self, data: str, children: list[Child], meta: Any) -> Any:
        raise AssertionError(f"no syntax-tree builder for grammar rule {data!r}")

    def _span(self, meta_or_token: Any) -> Span:
        if isinstance(meta_or_token, Token):
            start = meta_or_token.start_pos or 0
            return self.source.span(self.offset + start, self.offset + start + len(meta_or_token))
        if getattr(meta_or_token, "empty", True):
            return self.source.span(self.offset, self.offset)
        return self.source.span(
            self.offset + meta_or_token.start_pos, self.offset + meta_or_token.end_pos
        )

    def _tree_span(self, tree: Tree[Token]) -> Span:
        return self._span(tree.meta)

    # Lark calls rule callbacks as f(children) unless they are wrapped with v_args(meta=True);
    # Transformer_NonRecursive passes (data, children, meta) to __default__ only, so each
    # rule method below is looked up by name and called with (children, meta) via _call.
    def _call_userfunc(self, tree: Tree[Token], new_children: list[Child] | None = None) -> Any:
        children = new_children if new_children is not None else tree.children
        method: Callable[..., Any] | None = getattr(self, "rule_" + tree.data, None)
        if method is None:
            return self.__default__(tree.data, children, tree.meta)
        return method(children, self._span(tree.meta))

    # -- tokens and small pieces
    def rule_start(self, c: list[Child], span: Span) -> list[n.Statement]:
        return list(c)

    def rule_name(self, c: list[Token], span: Span) -> n.Identifier:
        token = c[0]
        text = str(token)
        if token.type == "QUOTED_NAME":
            text = text[1:-1]
        return n.Identifier(name=text, span=span)

    def rule_string(self, c: list[Token], span: Span) -> n.String:
        return n.String(value=_unescape(str(c[0]), span), span=span)

    def rule_period(self, c: list[Token], span: Span) -> n.PeriodLit:
        return n.PeriodLit(text=str(c[0]), span=span)

    def rule_grain(self, c: list[Token], span: Span) -> str:
        return str(c[0])

    def rule_magnitude(self, c: list[Token], span: Span) -> str:
        return str(c[0])

    def rule_unit(self, c: list[Token], span: Span) -> str:
        return str(c[0])

    def rule_comparator(self, c: list[Token], span: Span) -> str:
        return str(c[0])

    def rule_quantity(self, c: list[Child], span: Span) -> n.Quantity:
        number, magnitude, unit = c
        return n.Quantity(
            number=_number(number), text=str(number), magnitude=magnitude, unit=unit, span=span
        )

    def rule_ref(self, c: list[n.Identifier], span: Span) -> n.Ref:
        return n.Ref(name=c[0].name, span=span)

    def rule_list(self, c: list[Child], span: Span) -> n.ListLit:
        return n.ListLit(items=tuple(x for x in c if x is not None), span=span)

    # -- expressions
    def rule_add(self, c: list[Child], span: Span) -> n.BinOp:
        return n.BinOp(op="+", left=c[0], right=c[1], span=span)

    def rule_sub(self, c: list[Child], span: Span) -> n.BinOp:
        return n.BinOp(op="-", left=c[0], right=c[1], span=span)

    def rule_mul(self, c: list[Child], span: Span) -> n.BinOp:
        return n.BinOp(op="*", left=c[0], right=c[1], span=span)

    def rule_div(self, c: list[Child], span: Span) -> n.BinOp:
        return n.BinOp(op="/", left=c[0], right=c[1], span=span)

    def rule_neg(self, c: list[Child], span: Span) -> n.Expr:
        operand = c[0]
        if isinstance(operand, n.Quantity):
            # A negative literal is a literal: keeps `[-1, 2]` and `x > -5` simple downstream.
            return n.Quantity(
                number=-operand.number,
                text="-" + operand.text,
                magnitude=operand.magnitude,
                unit=operand.unit,
                span=span,
            )
        return n.Neg(operand=operand, span=span)

    def rule_select(self, c: list[Child], span: Span) -> n.Select:
        return n.Select(base=c[0], items=tuple(c[1:]), span=span)

    def rule_attr(self, c: list[Child], span: Span) -> n.Attr:
        return n.Attr(base=c[0], name=c[1], span=span)

    def rule_at(self, c: list[Child], span: Span) -> n.At:
        return n.At(base=c[0], period=c[1], span=span)

    def rule_call(self, c: list[Child], span: Span) -> n.Call:
        func, *args = c
        return n.Call(func=func, args=tuple(a for a in args if a is not None), span=span)

    # -- selectors
    def rule_group(self, c: list[n.Identifier], span: Span) -> n.Group:
        return n.Group(name=c[0], span=span)

    def rule_compare(self, c: list[Child], span: Span) -> n.Compare:
        return n.Compare(op=str(c[1]), left=c[0], right=c[2], span=span)

    def rule_member(self, c: list[Child], span: Span) -> n.Member:
        return n.Member(name=c[0], values=c[1], span=span)

    def rule_non_member(self, c: list[Child], span: Span) -> n.Member:
        return n.Member(name=c[0], values=c[1], negated=True, span=span)

    def rule_all_of(self, c: list[Child], span: Span) -> n.AllOf:
        return n.AllOf(left=c[0], right=c[1], span=span)

    def rule_any_of(self, c: list[Child], span: Span) -> n.AnyOf:
        return n.AnyOf(left=c[0], right=c[1], span=span)

    def rule_negation(self, c: list[Child], span: Span) -> n.Negation:
        return n.Negation(operand=c[0], span=span)

    # -- checks and time clauses
    def rule_comparison(self, c: list[Child], span: Span) -> n.Comparison:
        return n.Comparison(op=str(c[1]), left=c[0], right=c[2], span=span)

    def rule_between(self, c: list[Child], span: Span) -> n.Between:
        return n.Between(value=c[0], low=c[1], high=c[2], span=span)

    def rule_per(self, c: list[Child], span: Span) -> n.Per:
        return n.Per(grain=c[0], start=c[1], end=c[2], span=span)

    def rule_in_period(self, c: list[Child], span: Span) -> n.InPeriod:
        return n.InPeriod(period=c[0], span=span)

    def rule_in_total(self, c: list[Child], span: Span) -> n.InTotal:
        return n.InTotal(span=span)

    def rule_by(self, c: list[Child], span: Span) -> n.By:
        deadline, baseline = c
        if isinstance(baseline, tuple):
            value, period = baseline
            return n.By(deadline=deadline, baseline_period=period, baseline_value=value, span=span)
        return n.By(deadline=deadline, baseline_period=baseline, span=span)

    def rule_stated_baseline(self, c: list[Child], span: Span) -> tuple[n.Quantity, n.PeriodLit]:
        return (c[0], c[1])

    # -- statements
    def rule_header(self, c: list[Child], span: Span) -> n.Header:
        return n.Header(title=c[0], clauses=tuple(c[1:]), span=span)

    def rule_header_period(self, c: list[Child], span: Span) -> n.HeaderPeriod:
        return n.HeaderPeriod(start=c[0], end=c[1], span=span)

    def rule_header_source(self, c: list[Child], span: Span) -> n.HeaderText:
        return n.HeaderText(key="source", value=c[0], span=span)

    def rule_header_owner(self, c: list[Child], span: Span) -> n.HeaderText:
        return n.HeaderText(key="owner", value=c[0], span=span)

    def rule_dataset(self, c: list[Child], span: Span) -> n.Dataset:
        return n.Dataset(name=c[0], clauses=tuple(c[1:]), span=span)

    def rule_dataset_from(self, c: list[Child], span: Span) -> n.DatasetFrom:
        return n.DatasetFrom(path=c[0], span=span)

    def rule_dataset_time(self, c: list[Child], span: Span) -> n.DatasetTime:
        return n.DatasetTime(column=c[0], span=span)

    def rule_dataset_dimensions(self, c: list[Child], span: Span) -> n.DatasetDimensions:
        return n.DatasetDimensions(columns=tuple(c), span=span)

    def rule_measure(self, c: list[Child], span: Span) -> n.Measure:
        column, magnitude, unit, aggregate = c
        return n.Measure(
            column=column, magnitude=magnitude, unit=unit, aggregate=aggregate, span=span
        )

    def rule_derived_measure(self, c: list[Child], span: Span) -> n.DerivedMeasure:
        return n.DerivedMeasure(name=c[0], expr=c[1], span=span)

    def rule_domain(self, c: list[Child], span: Span) -> n.Domain:
        return n.Domain(dimension=c[0], values=c[1], span=span)

    def rule_unit_def(self, c: list[Child], span: Span) -> n.UnitDef:
        return n.UnitDef(name=c[0], quantity=c[1], span=span)

    def rule_let(self, c: list[Child], span: Span) -> n.Let:
        return n.Let(name=c[0], value=c[1], span=span)

    def rule_import_(self, c: list[Child], span: Span) -> n.Import:
        return n.Import(path=c[0], span=span)

    def rule_annotation(self, c: list[Child], span: Span) -> n.Annotation:
        return n.Annotation(key=c[0], value=c[1], span=span)

    def rule_rule_head(self, c: list[Child], span: Span) -> tuple[n.Identifier, n.String | None]:
        return (c[0], c[1])

    def rule_rule(self, c: list[Child], span: Span) -> n.Rule:
        *annotations, head, check, time = c
        rule_id, title = head if head is not None else (None, None)
        return n.Rule(
            annotations=tuple(annotations),
            id=rule_id,
            title=title,
            check=check,
            time=time,
            span=span,
        )
