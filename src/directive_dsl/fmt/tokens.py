"""The tokens and comments of a directive, and a cursor that hands them to the layout.

The formatter prints the tokens of the source in their order (only redundant
parentheses go, and only needed ones stay), so each comment is tied to a
token: a comment alone on its line to the token after it (it is printed on its
own line just before that token), a comment after code to the token before it
(it is printed at the end of that token's line). :class:`TokenCursor` walks
the source tokens while the layout emits them, and gives each emitted
:class:`~directive_dsl.fmt.doc.Leaf` its comments.
"""

from __future__ import annotations

import bisect
import functools
import re

import attrs
from lark import Lark, Token
from lark.lexer import PatternStr

from ..parser import grammar_text
from .doc import Leaf

_PARENS = frozenset({"(", ")"})
_COMMENT = re.compile(r"#[^\n]*")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")


@functools.cache
def _lark() -> Lark:
    return Lark(grammar_text(), parser="lalr", lexer="contextual", cache=True)


@functools.cache
def keywords() -> frozenset[str]:
    """Every word the grammar uses as a keyword (``let``, ``per``, ``year``, …)."""
    return frozenset(
        str(terminal.pattern.value)
        for terminal in _lark().terminals
        if isinstance(terminal.pattern, PatternStr) and str(terminal.pattern.value).isidentifier()
    )


def lex(text: str) -> list[Token]:
    """The tokens of *text*, which must parse (the contextual lexer needs the parser's state)."""
    parser = _lark().parse_interactive(text)
    return [token for token in parser.iter_parse() if token.type != "$END"]


@attrs.frozen(kw_only=True)
class SourceComment:
    """A ``#`` comment of the source and where it stands."""

    text: str
    start: int
    end: int
    own_line: bool  # nothing but blanks before it on its line
    blank_before: bool  # a blank line between it and the token or comment before it


def _between(text: str, start: int, end: int) -> bool:
    return _BLANK_LINE.search(text, start, end) is not None


def _matching_parens(tokens: list[Token]) -> dict[int, int]:
    """The index of the ``)`` closing each ``(``."""
    matches: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token == "(":
            stack.append(index)
        elif token == ")" and stack:
            matches[stack.pop()] = index
    return matches


class TokenCursor:
    """Walks the source tokens as the layout prints them, handing out their comments."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = lex(text)
        self.leading: dict[int, list[SourceComment]] = {}
        self.trailing: dict[int, SourceComment] = {}
        self.dangling: list[SourceComment] = []  # own-line comments after the last token
        self.blank_before_token: list[bool] = []
        self.index = 0
        self.carried: list[SourceComment] = []
        self.last_leaf: Leaf | None = None
        self.matches = _matching_parens(self.tokens)
        self.starts = [token.start_pos or 0 for token in self.tokens]
        self.opened: list[int | None] = []
        self._attach()

    # -- reading the source
    def _attach(self) -> None:
        previous_end = 0
        for index in range(len(self.tokens) + 1):
            start = self._start(index)
            last = previous_end
            for match in _COMMENT.finditer(self.text, previous_end, start):
                line_start = self.text.rfind("\n", 0, match.start()) + 1
                own_line = not self.text[line_start : match.start()].strip() or index == 0
                comment = SourceComment(
                    text=match.group().rstrip(),
                    start=match.start(),
                    end=match.end(),
                    own_line=own_line,
                    blank_before=_between(self.text, last, match.start()),
                )
                last = match.end()
                if not own_line:
                    self.trailing[index - 1] = comment
                elif index < len(self.tokens):
                    self.leading.setdefault(index, []).append(comment)
                else:
                    self.dangling.append(comment)
            self.blank_before_token.append(_between(self.text, last, start))
            if index < len(self.tokens):
                previous_end = self.tokens[index].end_pos or start

    def _start(self, index: int) -> int:
        if index < len(self.tokens):
            return self.tokens[index].start_pos or 0
        return len(self.text)

    # -- handing out tokens
    def _skip_parens(self) -> None:
        """Drop source parentheses the layout does not print, keeping their comments."""
        while self.index < len(self.tokens) and self.tokens[self.index] in _PARENS:
            if self.index in self.opened:
                raise AssertionError(f"the formatter skipped a `)` at offset {self.next_start()}")
            self._drop(self.index)
            self.index += 1

    def _drop(self, index: int) -> None:
        self.carried.extend(self.leading.pop(index, ()))
        comment = self.trailing.pop(index, None)
        if comment is None:
            return
        if not self.carried and self.last_leaf is not None and self.last_leaf.trailing is None:
            self.last_leaf.trailing = comment.text
        else:
            self.carried.append(comment)

    def _leaf(self, text: str, index: int | None) -> Leaf:
        leading = [*self.carried, *(self.leading.pop(index, ()) if index is not None else ())]
        self.carried = []
        trailing = self.trailing.pop(index, None) if index is not None else None
        leaf = Leaf(text, [c.text for c in leading], trailing.text if trailing else None)
        self.last_leaf = leaf
        return leaf

    def take(self, text: str, *, expect: tuple[str, ...] | None = None) -> Leaf:
        """The next (non-parenthesis) source token, printed as *text*.

        *expect* lists the texts the source token may have (by default only
        *text*); an empty tuple accepts any (a string, re-escaped).
        """
        self._skip_parens()
        if self.index >= len(self.tokens):
            raise AssertionError(f"the formatter printed {text!r} past the end of the tokens")
        token = self.tokens[self.index]
        wanted = (text,) if expect is None else expect
        if wanted and str(token) not in wanted:
            raise AssertionError(
                f"the formatter printed {text!r} where the source has {str(token)!r} "
                f"at offset {token.start_pos}"
            )
        self.index += 1
        return self._leaf(text, self.index - 1)

    def open(self, until: int | None = None) -> Leaf:
        """An opening parenthesis: a call's (*until* None) or one grouping what ends at offset *until*.

        Of the source's parentheses here, the innermost one that still encloses
        everything up to *until* is kept; the ones around it are redundant.
        """
        if until is None:
            if self.index >= len(self.tokens) or self.tokens[self.index] != "(":
                raise AssertionError(f"the formatter printed `(` at offset {self.next_start()}")
            return self._open(self.index)
        last = bisect.bisect_left(self.starts, until) - 1
        while last > self.index and self.tokens[last] in _PARENS:
            last -= 1
        run = self.index
        while run < len(self.tokens) and self.tokens[run] == "(":
            run += 1
        chosen = next(
            (i for i in range(run - 1, self.index - 1, -1) if self.matches.get(i, -1) > last), None
        )
        if chosen is None:
            self.opened.append(None)
            return self._leaf("(", None)
        while self.index < chosen:
            self._drop(self.index)
            self.index += 1
        return self._open(chosen)

    def _open(self, index: int) -> Leaf:
        self.opened.append(self.matches[index])
        self.index = index + 1
        return self._leaf("(", index)

    def close(self) -> Leaf:
        """The parenthesis closing the last :meth:`open`, past any redundant ones inside it."""
        match = self.opened.pop()
        if match is None:
            return self._leaf(")", None)
        while self.index < match:
            if self.tokens[self.index] not in _PARENS:
                raise AssertionError(
                    f"the formatter closed `(` early at offset {self.next_start()}"
                )
            self._drop(self.index)
            self.index += 1
        self.index += 1
        return self._leaf(")", match)

    def next_has_leading(self) -> bool:
        """Whether the next token to print has comments on the lines before it."""
        self._skip_parens()
        return bool(self.carried) or bool(self.leading.get(self.index))

    def next_start(self) -> int:
        """The source offset of the next token to print (the end of the text if none)."""
        self._skip_parens()
        return self._start(self.index)

    def pop_leading(self) -> list[SourceComment]:
        """Take the comments before the next token, to print them with their blank lines."""
        self._skip_parens()
        found = [*self.carried, *self.leading.pop(self.index, ())]
        self.carried = []
        return found

    def blank_before_next(self) -> bool:
        """Whether the author left a blank line just before the next token."""
        self._skip_parens()
        return self.blank_before_token[self.index]

    def finish(self) -> list[SourceComment]:
        """Drop what is left (closing parentheses) and return the comments after the last token."""
        self._skip_parens()
        if self.index != len(self.tokens):
            raise AssertionError(
                f"the formatter left source tokens from offset {self.next_start()}"
            )
        return [*self.carried, *self.dangling]


def comments(text: str) -> list[str]:
    """The text of every comment of *text* (which must parse), in order."""
    tokens = lex(text)
    bounds = [
        0,
        *(edge for token in tokens for edge in (token.start_pos, token.end_pos)),
        len(text),
    ]
    found: list[str] = []
    for start, end in zip(bounds[::2], bounds[1::2], strict=True):
        found += [match.group().rstrip() for match in _COMMENT.finditer(text, start or 0, end or 0)]
    return found
