"""The syntax-tree builder: lark calls these methods as it reduces each grammar rule.

Building inside the LALR parser (lark's ``transformer=`` option) avoids an
intermediate lark tree and a second pass over it. A method is named after its
grammar rule or ``-> alias``; it gets the rule's kept children: our nodes,
lark tokens, and None for an absent ``[optional]`` part. Spans come from the
children's offsets; statements reach back to their leading keyword. Helper
methods must not share a name with a grammar rule (lark looks callbacks up by name).
"""

from __future__ import annotations

import bisect
import re
from typing import Any

from lark import Token

from . import nodes as n
from .errors import Diagnostic, DirectiveSyntaxError
from .source import Source, Span

MAX_DEPTH = 200
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class BuildError(Exception):
    """A problem found while building (a bad escape, nesting too deep)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def syntax_problem(span: Span, code: str, message: str, hint: str | None = None) -> BuildError:
    return BuildError(Diagnostic.at(span, code, message, hint=hint, kind=DirectiveSyntaxError))


def _number(token: Token) -> float:
    return float(str(token).replace("_", ""))


Child = Any


class Builder:
    """Turns reduced grammar rules into nodes; one instance serves every parse (under a lock)."""

    def __init__(self) -> None:
        self.source = Source("")
        self.offset = 0
        self._depth: dict[int, int] = {}
        self.comments: list[n.Comment] = []
        self._keywords: dict[str, list[int]] = {}

    def start_parse(self, source: Source, offset: int) -> None:
        self.source = source
        self.offset = offset
        self._depth = {}
        self.comments = []
        self._keywords = {}

    def comment(self, token: Token) -> Token:
        """The lexer's callback for each comment: kept for the formatter."""
        start = self.offset + (token.start_pos or 0)
        self.comments.append(
            n.Comment(text=str(token), span=Span(self.source, start, start + len(token)))
        )
        return token

    def keyword(self, token: Token) -> Token:
        """The lexer's callback for each keyword that opens a node (`rule`, `per`, `[`, …): where
        it stands, so a node's span starts at its keyword, found among the tokens and never in
        a string or a comment."""
        self._keywords.setdefault(str(token), []).append(self.offset + (token.start_pos or 0))
        return token

    # ---------------------------------------------------------------- spans

    def _token_span(self, token: Token) -> Span:
        start = self.offset + (token.start_pos or 0)
        return Span(self.source, start, start + len(token))

    def _span(self, children: list[Child]) -> Span:
        start = end = None
        for child in children:
            if child is None:
                continue
            if isinstance(child, Token):
                a = self.offset + (child.start_pos or 0)
                b = a + len(child)
            elif isinstance(child, n.Node):
                a, b = child.span.start, child.span.end
            elif isinstance(child, tuple):
                inner = self._span(list(child))
                a, b = inner.start, inner.end
            else:
                continue
            start = a if start is None or a < start else start
            end = b if end is None or b > end else end
        if start is None or end is None:
            return Span(self.source, self.offset, self.offset)
        return Span(self.source, start, end)

    def _from_keyword(self, keyword: str, span: Span) -> Span:
        """*span* stretched back to the keyword token that opens it."""
        starts = self._keywords.get(keyword, [])
        found = starts[bisect.bisect_left(starts, span.start) - 1] if starts and starts[0] < span.start else -1
        if found < max(0, span.start - 400):
            return span
        text = self.source.text
        if not text[found + len(keyword) : span.start].strip(" \t\r\n"):
            return Span(self.source, found, span.end)
        if keyword in ("rule", "require", "directive", "dataset", "measure", "waive"):
            return Span(self.source, found, span.end)
        return span

    def _closed(self, span: Span, closer: str) -> Span:
        """*span* stretched forward over the bracket that closes it."""
        text = self.source.text
        end = span.end
        while end < len(text) and text[end] in " \t\r\n":
            end += 1
        if end < len(text) and text[end] == closer:
            return Span(self.source, span.start, end + 1)
        return span

    def _statement_span(self, keyword: str, children: list[Child]) -> Span:
        """A statement's span: from its keyword through any closing brackets at its end."""
        span = self._from_keyword(keyword, self._span(children))
        text, end = self.source.text, span.end
        while True:
            after = end
            while after < len(text) and text[after] in " \t\r\n":
                after += 1
            if after < len(text) and text[after] in ")]":
                end = after + 1
            else:
                break
        return Span(self.source, span.start, end)

    def _nested(self, node: n.Node, children: list[Child]) -> n.Node:
        """Track expression depth so later passes never recurse too deep."""
        depth = 0
        known = self._depth.get  # tokens and None are never in it: they count 0
        for child in children:
            below = known(id(child), 0)
            if below > depth:
                depth = below
        depth += 1
        if depth > MAX_DEPTH:
            raise syntax_problem(
                Span(self.source, node.span.start, node.span.start + 1),
                "E110",
                f"the expression is nested more than {MAX_DEPTH} levels deep",
                "split it with `let`",
            )
        self._depth[id(node)] = depth
        return node

    # ---------------------------------------------------------------- tokens and small pieces

    def start(self, c: list[Child]) -> list[n.Statement]:
        return list(c)

    def name(self, c: list[Token]) -> n.Identifier:
        token = c[0]
        text = str(token)
        if token.type == "QUOTED_NAME":
            text = text[1:-1]
        return n.Identifier(name=text, span=self._token_span(token))

    def string(self, c: list[Token]) -> n.String:
        span = self._token_span(c[0])
        return n.String(value=self._unescape(str(c[0]), span), span=span)

    def _unescape(self, raw: str, span: Span) -> str:
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
                code = int(body[i + 2 : i + 6], 16)
                low = body[i + 6 : i + 12]
                if 0xD800 <= code < 0xDC00 and re.fullmatch(r"\\u[dD][c-fC-F][0-9A-Fa-f]{2}", low):
                    # a surrogate pair, as JSON writes a character beyond U+FFFF
                    code = 0x10000 + ((code - 0xD800) << 10) + (int(low[2:], 16) - 0xDC00)
                    i += 6
                elif 0xD800 <= code < 0xE000:
                    where = Span(span.source, span.start + 1 + i, span.start + 7 + i)
                    raise syntax_problem(
                        where,
                        "E103",
                        f"`\\u{code:04x}` is half of a surrogate pair, not a character",
                        "write the character itself, or both halves: \\ud83d\\ude00",
                    )
                out.append(chr(code))
                i += 6
            else:
                where = Span(span.source, span.start + 1 + i, span.start + 3 + i)
                raise syntax_problem(
                    where,
                    "E103",
                    f"invalid escape `\\{nxt}` in a string",
                    'the escapes are \\", \\\\, \\n, \\t and \\uXXXX',
                )
        return "".join(out)

    def period(self, c: list[Token]) -> n.PeriodLit:
        return n.PeriodLit(text=str(c[0]), span=self._token_span(c[0]))

    def grain(self, c: list[Token]) -> Token:
        return c[0]

    def magnitude(self, c: list[Token]) -> Token:
        return c[0]

    def unit(self, c: list[Token]) -> Token:
        return c[0]

    def comparator(self, c: list[Token]) -> Token:
        return c[0]

    def quantity(self, c: list[Child]) -> n.Quantity:
        number, magnitude, unit = c
        return n.Quantity(
            number=_number(number),
            text=str(number),
            magnitude=str(magnitude) if magnitude is not None else None,
            unit=str(unit) if unit is not None else None,
            span=self._span(c),
        )

    def ref(self, c: list[n.Identifier]) -> n.Ref:
        return n.Ref(name=c[0].name, span=c[0].span)

    def list_literal(self, c: list[Child]) -> n.ListLit:
        items = tuple(x for x in c if isinstance(x, n.Node))
        span = self._closed(self._from_keyword("[", self._span(c)), "]")
        node = n.ListLit(items=items, span=span)  # type: ignore[arg-type]
        return self._nested(node, c)  # type: ignore[return-value]

    # ---------------------------------------------------------------- expressions

    def _binop(self, op: str, c: list[Child]) -> n.BinOp:
        node = n.BinOp(op=op, left=c[0], right=c[1], span=self._span(c))
        return self._nested(node, c)  # type: ignore[return-value]

    def add(self, c: list[Child]) -> n.BinOp:
        return self._binop("+", c)

    def sub(self, c: list[Child]) -> n.BinOp:
        return self._binop("-", c)

    def mul(self, c: list[Child]) -> n.BinOp:
        return self._binop("*", c)

    def div(self, c: list[Child]) -> n.BinOp:
        return self._binop("/", c)

    def neg(self, c: list[Child]) -> n.Expr:
        operand = c[0]
        span = self._from_keyword("-", operand.span)
        if isinstance(operand, n.Quantity):
            # A negative literal is a literal: keeps `[-1, 2]` and `x > -5` simple downstream.
            return n.Quantity(
                number=-operand.number,
                text="-" + operand.text,
                magnitude=operand.magnitude,
                unit=operand.unit,
                span=span,
            )
        return self._nested(n.Neg(operand=operand, span=span), c)  # type: ignore[return-value]

    def select(self, c: list[Child]) -> n.Select:
        node = n.Select(base=c[0], items=tuple(c[1:]), span=self._closed(self._span(c), "]"))
        return self._nested(node, c)  # type: ignore[return-value]

    def attr(self, c: list[Child]) -> n.Attr:
        return self._nested(n.Attr(base=c[0], name=c[1], span=self._span(c)), c)  # type: ignore[return-value]

    def at(self, c: list[Child]) -> n.At:
        return self._nested(n.At(base=c[0], period=c[1], span=self._span(c)), c)  # type: ignore[return-value]

    def call(self, c: list[Child]) -> n.Call:
        func, *args = c
        span = self._closed(self._span(c), ")")
        node = n.Call(func=func, args=tuple(a for a in args if a is not None), span=span)
        return self._nested(node, c)  # type: ignore[return-value]

    # ---------------------------------------------------------------- selectors

    def group(self, c: list[n.Identifier]) -> n.Group:
        return n.Group(name=c[0], span=c[0].span)

    def compare(self, c: list[Child]) -> n.Compare:
        node = n.Compare(op=str(c[1]), left=c[0], right=c[2], span=self._span(c))
        return self._nested(node, c)  # type: ignore[return-value]

    def member(self, c: list[Child]) -> n.Member:
        return self._nested(n.Member(name=c[0], values=c[1], span=self._span(c)), c)  # type: ignore[return-value]

    def non_member(self, c: list[Child]) -> n.Member:
        node = n.Member(name=c[0], values=c[1], negated=True, span=self._span(c))
        return self._nested(node, c)  # type: ignore[return-value]

    def all_of(self, c: list[Child]) -> n.AllOf:
        return self._nested(n.AllOf(left=c[0], right=c[1], span=self._span(c)), c)  # type: ignore[return-value]

    def any_of(self, c: list[Child]) -> n.AnyOf:
        return self._nested(n.AnyOf(left=c[0], right=c[1], span=self._span(c)), c)  # type: ignore[return-value]

    def negation(self, c: list[Child]) -> n.Negation:
        span = self._from_keyword("not", self._span(c))
        return self._nested(n.Negation(operand=c[0], span=span), c)  # type: ignore[return-value]

    # ---------------------------------------------------------------- checks and time clauses

    def comparison(self, c: list[Child]) -> n.Comparison:
        return n.Comparison(op=str(c[1]), left=c[0], right=c[2], span=self._span(c))

    def between(self, c: list[Child]) -> n.Between:
        return n.Between(value=c[0], low=c[1], high=c[2], span=self._span(c))

    def per(self, c: list[Child]) -> n.Per:
        return n.Per(
            grain=str(c[0]), start=c[1], end=c[2], span=self._from_keyword("per", self._span(c))
        )

    def in_period(self, c: list[Child]) -> n.InPeriod:
        return n.InPeriod(period=c[0], span=self._from_keyword("in", self._span(c)))

    def in_total(self, c: list[Child]) -> n.InTotal:
        _total, start, end = c
        return n.InTotal(start=start, end=end, span=self._from_keyword("in", self._span(c)))

    def by(self, c: list[Child]) -> n.By:
        deadline, baseline = c
        span = self._from_keyword("by", self._span(c))
        if isinstance(baseline, tuple):
            value, period = baseline
            return n.By(deadline=deadline, baseline_period=period, baseline_value=value, span=span)
        return n.By(deadline=deadline, baseline_period=baseline, span=span)

    def stated_baseline(self, c: list[Child]) -> tuple[n.Quantity, n.PeriodLit]:
        return (c[0], c[1])

    # ---------------------------------------------------------------- statements

    def header(self, c: list[Child]) -> n.Header:
        span = self._from_keyword("directive", self._span(c))
        return n.Header(title=c[0], clauses=tuple(c[1:]), span=span)

    def header_period(self, c: list[Child]) -> n.HeaderPeriod:
        return n.HeaderPeriod(
            start=c[0], end=c[1], span=self._from_keyword("period", self._span(c))
        )

    def header_source(self, c: list[Child]) -> n.HeaderText:
        return n.HeaderText(
            key="source", value=c[0], span=self._from_keyword("source", self._span(c))
        )

    def header_owner(self, c: list[Child]) -> n.HeaderText:
        return n.HeaderText(
            key="owner", value=c[0], span=self._from_keyword("owner", self._span(c))
        )

    def dataset(self, c: list[Child]) -> n.Dataset:
        return n.Dataset(
            name=c[0], clauses=tuple(c[1:]), span=self._from_keyword("dataset", self._span(c))
        )

    def dataset_from(self, c: list[Child]) -> n.DatasetFrom:
        options = tuple(o for o in c[1:] if isinstance(o, n.FileOption))
        return n.DatasetFrom(path=c[0], options=options,
                             span=self._from_keyword("from", self._span(c)))

    def file_option(self, c: list[Child]) -> n.FileOption:
        value = c[1]
        if isinstance(value, Token):  # a number, kept as written: `header 3`
            span = self._token_span(value)
            return n.FileOption(key=c[0], value=n.String(value=str(value), span=span), number=True,
                                span=Span(self.source, c[0].span.start, span.end))
        return n.FileOption(key=c[0], value=value, span=Span(self.source, c[0].span.start, value.span.end))

    def dataset_time(self, c: list[Child]) -> n.DatasetTime:
        return n.DatasetTime(column=c[0], span=self._from_keyword("time", self._span(c)))

    def dataset_fill(self, c: list[Child]) -> n.DatasetFill:
        return n.DatasetFill(value=c[0], span=self._from_keyword("fill", self._span(c)))

    def dataset_as_of(self, c: list[Child]) -> n.DatasetAsOf:
        return n.DatasetAsOf(period=c[0], span=self._from_keyword("as", self._from_keyword("of", self._span(c))))

    def dataset_dimensions(self, c: list[Child]) -> n.DatasetDimensions:
        return n.DatasetDimensions(
            columns=tuple(c), span=self._from_keyword("dimensions", self._span(c))
        )

    def measure(self, c: list[Child]) -> n.Measure:
        if len(c) == 5:  # `unit from COLUMN` (an UNIT_FROM token and the column) in place of a unit
            column, magnitude, _unit_from, unit_column, aggregate = c
            unit = None
        else:
            column, magnitude, unit, aggregate = c
            unit_column = None
        return n.Measure(
            column=column,
            magnitude=str(magnitude) if magnitude is not None else None,
            unit=str(unit) if unit is not None else None,
            unit_column=unit_column,
            aggregate=aggregate,
            span=self._from_keyword("measure", self._span(c)),
        )

    def derived_measure(self, c: list[Child]) -> n.DerivedMeasure:
        return n.DerivedMeasure(name=c[0], expr=c[1], span=self._statement_span("measure", c))

    def domain(self, c: list[Child]) -> n.Domain:
        return n.Domain(dimension=c[0], values=c[1], span=self._statement_span("domain", c))

    def unit_def(self, c: list[Child]) -> n.UnitDef:
        return n.UnitDef(name=c[0], quantity=c[1], span=self._from_keyword("unit", self._span(c)))

    def let(self, c: list[Child]) -> n.Let:
        return n.Let(name=c[0], value=c[1], span=self._statement_span("let", c))

    def import_(self, c: list[Child]) -> n.Import:
        return n.Import(path=c[0], span=self._from_keyword("import", self._span(c)))

    def annotation(self, c: list[Child]) -> n.Annotation:
        return n.Annotation(key=c[0], value=c[1], span=self._from_keyword("@", self._span(c)))

    def rule_head(self, c: list[Child]) -> tuple[n.Identifier, n.String | None]:
        return (c[0], c[1])

    def rule(self, c: list[Child]) -> n.Rule:
        *annotations, head, check, time = c
        rule_id, title = head if head is not None else (None, None)
        span = self._statement_span(
            "rule" if head is not None and not annotations else "require", c
        )
        if annotations:
            span = Span(self.source, annotations[0].span.start, span.end)
        return n.Rule(
            annotations=tuple(annotations),
            id=rule_id,
            title=title,
            check=check,
            time=time,
            span=span,
        )

    def waive(self, c: list[Child]) -> n.Waive:
        rule_id, condition, until, reason = c
        return n.Waive(
            rule=rule_id,
            condition=condition,
            until=until,
            reason=reason,
            span=self._from_keyword("waive", self._span(c)),
        )
