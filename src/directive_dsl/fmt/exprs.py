"""Expressions and selector conditions as docs: parentheses where the grammar needs them, nowhere else.

Binary chains of one precedence (``a + b - c``, ``x and y and z``) break as a
whole, one operand per line, the operator leading the line. Calls, selectors
and lists break inside their brackets; lists of literals fill their lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from .. import nodes as n
from .doc import LINE, SOFTLINE, Doc, Fill, Group, Indent, cat
from .tokens import TokenCursor, keywords

_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# Precedence of expressions (higher binds tighter), as in the grammar.
_SUM, _PRODUCT, _UNARY, _POSTFIX, _ATOM = 1, 2, 3, 4, 5
_BINARY_LEVEL = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}
# Precedence of selector conditions.
_OR, _AND, _NOT, _CONDITION_ATOM = 1, 2, 3, 4

_N = TypeVar("_N", bound=n.Node)

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def quote_string(value: str) -> str:
    r"""A string literal for *value*: ``\"``, ``\\``, ``\n``, ``\t``; other control characters as ``\uXXXX``."""
    out = []
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def quote_name(name: str, *, keyword_ok: bool) -> str:
    """*name* as written: in backticks when it is not a plain name, or is a keyword where one could be read."""
    if _PLAIN_NAME.fullmatch(name) and (keyword_ok or name not in keywords()):
        return name
    return f"`{name}`"


def expr_level(expr: n.Expr) -> int:
    """How tightly *expr* binds, to know when it needs parentheses."""
    if isinstance(expr, n.BinOp):
        return _BINARY_LEVEL[expr.op]
    if isinstance(expr, n.Neg) or (isinstance(expr, n.Quantity) and expr.text.startswith("-")):
        return _UNARY
    if isinstance(expr, n.Select | n.Attr | n.At):
        return _POSTFIX
    return _ATOM


def condition_level(cond: n.Condition) -> int:
    """How tightly a selector condition binds."""
    if isinstance(cond, n.AnyOf):
        return _OR
    if isinstance(cond, n.AllOf):
        return _AND
    if isinstance(cond, n.Negation):
        return _NOT
    return _CONDITION_ATOM


class ExprLayout:
    """Docs for expressions, pulling each token (and its comments) from the cursor in order."""

    def __init__(self, cursor: TokenCursor) -> None:
        self.cursor = cursor

    # -- small pieces
    def word(self, text: str) -> Doc:
        """A keyword or punctuation token."""
        return self.cursor.take(text)

    def name(self, ident: n.Identifier | str, *, keyword_ok: bool = True) -> Doc:
        """A name token, quoted when needed."""
        text = ident.name if isinstance(ident, n.Identifier) else ident
        written = quote_name(text, keyword_ok=keyword_ok)
        return self.cursor.take(written, expect=(text, f"`{text}`"))

    def string(self, node: n.String) -> Doc:
        """A string literal, re-escaped."""
        return self.cursor.take(quote_string(node.value), expect=())

    def period(self, node: n.PeriodLit) -> Doc:
        """A period as written."""
        return self.cursor.take(node.text)

    def quantity(self, node: n.Quantity) -> Doc:
        number = node.text.lstrip("-")
        parts: list[Doc] = [self.word("-") for _ in range(len(node.text) - len(number))]
        parts.append(self.word(number))
        if node.magnitude is not None:
            parts += [" ", self.word(node.magnitude)]
        if node.unit is not None:
            parts += ["" if node.unit == "%" else " ", self.word(node.unit)]
        return cat(*parts)

    def ref_or_list(self, node: n.ListLit | n.Ref) -> Doc:
        """The values of ``in`` or of a domain: a list or the name of one."""
        return self.listing(node) if isinstance(node, n.ListLit) else self.expr(node)

    def listing(self, node: n.ListLit) -> Doc:
        """``[a, b, …]``: items fill the lines when the list does not fit on one."""
        return self._sequence("[", node.items, self.expr, "]", fill=True)

    def _sequence(
        self,
        opener: str,
        nodes: Sequence[_N],
        each: Callable[[_N], Doc],
        closer: str,
        *,
        fill: bool = False,
    ) -> Doc:
        """``opener a, b closer``, breaking after the opener and before the closer."""
        first = self.cursor.open() if opener == "(" else self.word(opener)
        if not nodes:
            return cat(first, self._closer(closer))
        parts: list[Doc] = []
        for index, node in enumerate(nodes):
            if index:
                parts.append(cat(self.word(","), LINE))
            parts.append(each(node))
        body: Doc = Fill(parts) if fill else cat(*parts)
        return Group(cat(first, Indent(cat(SOFTLINE, body)), SOFTLINE, self._closer(closer)))

    def _closer(self, closer: str) -> Doc:
        """``)`` (matching the source's parenthesis) or ``]``."""
        return self.cursor.close() if closer == ")" else self.word(closer)

    # -- expressions
    def expr(self, node: n.Expr) -> Doc:
        """Any expression."""
        if isinstance(node, n.BinOp):
            return self._chain(node)
        if isinstance(node, n.Neg):
            return cat(self.word("-"), self.operand(node.operand, _UNARY))
        if isinstance(node, n.Select):
            base = self.operand(node.base, _POSTFIX)
            return cat(base, self._sequence("[", node.items, self.selector_item, "]"))
        if isinstance(node, n.Attr):
            base = self.operand(node.base, _POSTFIX)
            return cat(base, self.word("."), self.name(node.name))
        if isinstance(node, n.At):
            base = self.operand(node.base, _POSTFIX)
            return cat(base, " ", self.word("at"), " ", self.period(node.period))
        return self._atom(node)

    def _atom(self, node: n.Expr) -> Doc:
        if isinstance(node, n.Quantity):
            return self.quantity(node)
        if isinstance(node, n.String):
            return self.string(node)
        if isinstance(node, n.Ref):
            return self.name(node.name, keyword_ok=False)
        if isinstance(node, n.Call):
            func = self.name(node.func, keyword_ok=False)
            return cat(func, self._sequence("(", node.args, self.expr, ")"))
        if isinstance(node, n.ListLit):
            return self.listing(node)
        raise AssertionError(f"no layout for {type(node).__name__}")

    def operand(self, node: n.Expr, level: int) -> Doc:
        """*node* where the grammar wants at least *level*: in parentheses if it binds looser."""
        if expr_level(node) >= level:
            return self.expr(node)
        opener = self.cursor.open(node.span.end)
        return cat(opener, self.expr(node), self.cursor.close())

    def _chain(self, node: n.BinOp) -> Doc:
        level = _BINARY_LEVEL[node.op]
        links: list[n.BinOp] = []
        head: n.Expr = node
        while isinstance(head, n.BinOp) and _BINARY_LEVEL[head.op] == level:
            links.append(head)
            head = head.left
        first = self.operand(head, level)
        rest: list[Doc] = []
        for link in reversed(links):
            rest += [LINE, self.word(link.op), " ", self.operand(link.right, level + 1)]
        return Group(cat(first, Indent(cat(*rest))))

    # -- selectors
    def selector_item(self, item: n.SelectorItem) -> Doc:
        if isinstance(item, n.Group):
            return self.name(item.name, keyword_ok=False)
        return self.condition(item)

    def condition(self, cond: n.Condition) -> Doc:
        """A row filter inside a selector."""
        if isinstance(cond, n.AllOf | n.AnyOf):
            return self._condition_chain(cond)
        if isinstance(cond, n.Negation):
            return cat(self.word("not"), " ", self._condition_operand(cond.operand, _NOT))
        if isinstance(cond, n.Compare):
            left = self.expr(cond.left)
            return cat(left, " ", self.word(cond.op), " ", self.expr(cond.right))
        name = self.name(cond.name, keyword_ok=False)
        words: list[Doc] = [" "]
        if cond.negated:
            words += [self.word("not"), " "]
        words += [self.word("in"), " "]
        return cat(name, *words, self.ref_or_list(cond.values))

    def _condition_operand(self, cond: n.Condition, level: int) -> Doc:
        if condition_level(cond) >= level:
            return self.condition(cond)
        opener = self.cursor.open(cond.span.end)
        return cat(opener, self.condition(cond), self.cursor.close())

    def _condition_chain(self, cond: n.AllOf | n.AnyOf) -> Doc:
        kind = type(cond)
        level = condition_level(cond)
        word = "and" if isinstance(cond, n.AllOf) else "or"
        links: list[n.AllOf | n.AnyOf] = []
        head: n.Condition = cond
        while isinstance(head, kind):
            links.append(head)
            head = head.left
        first = self._condition_operand(head, level)
        rest: list[Doc] = []
        for link in reversed(links):
            rest += [LINE, self.word(word), " ", self._condition_operand(link.right, level + 1)]
        return Group(cat(first, Indent(cat(*rest))))
