"""A small document algebra and its printer: groups that break only when they do not fit.

The layout code describes a statement as a :data:`Doc`: text pieces, line
breaks that are a space (or nothing) when their :class:`Group` fits on the
line and a newline otherwise, indentation, and :class:`Fill` for lists that
wrap like a paragraph. :func:`render` prints it within a width (Wadler's
"prettier printer", in the shape of Prettier's printer).

Comments ride on :class:`Leaf` pieces: *leading* comments are printed on their
own lines before the leaf, a *trailing* comment after it at the end of its
line. A trailing comment waits for the next newline; only closing punctuation
may still be printed before it, anything else forces the newline first, so a
comment can never swallow code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

#: Text that may follow a token on the same line before that token's trailing comment.
CLOSERS = frozenset({")", "]", ",", ":"})


class Leaf:
    """One token of the output, with the comments that belong to it."""

    __slots__ = ("leading", "text", "trailing")

    def __init__(self, text: str, leading: Sequence[str] = (), trailing: str | None = None) -> None:
        self.text = text
        self.leading = tuple(leading)
        self.trailing = trailing

    def __repr__(self) -> str:
        return f"Leaf({self.text!r})"


class Line:
    """A line break: a space (or nothing when ``soft``) in a flat group; ``hard`` always breaks."""

    __slots__ = ("hard", "soft")

    def __init__(self, *, soft: bool = False, hard: bool = False) -> None:
        self.soft = soft
        self.hard = hard


class Concat:
    """Pieces printed one after the other."""

    __slots__ = ("forced", "parts")

    def __init__(self, parts: Sequence[Doc]) -> None:
        self.parts = tuple(parts)
        self.forced = any(forced(part) for part in self.parts)


class Indent:
    """Its content, with two more spaces after each newline inside it."""

    __slots__ = ("content", "forced")

    def __init__(self, content: Doc) -> None:
        self.content = content
        self.forced = forced(content)


class Group:
    """Printed flat when it fits in the rest of the line, else with its lines broken."""

    __slots__ = ("content", "forced")

    def __init__(self, content: Doc) -> None:
        self.content = content
        self.forced = forced(content)


class Fill:
    """``content, separator, content, …``: each separator breaks only when the next content does not fit."""

    __slots__ = ("forced", "parts")

    def __init__(self, parts: Sequence[Doc]) -> None:
        self.parts = tuple(parts)
        self.forced = any(forced(part) for part in self.parts)


Doc: TypeAlias = str | Leaf | Line | Concat | Indent | Group | Fill

LINE = Line()
SOFTLINE = Line(soft=True)
HARDLINE = Line(hard=True)


def forced(doc: Doc) -> bool:
    """Whether *doc* must break the groups around it (a hard line or an own-line comment)."""
    if isinstance(doc, str):
        return False
    if isinstance(doc, Leaf):
        return bool(doc.leading)
    if isinstance(doc, Line):
        return doc.hard
    return doc.forced


def cat(*parts: Doc) -> Concat:
    """The pieces one after the other."""
    return Concat(parts)


def leaves(doc: Doc) -> list[Leaf | Line | str]:
    """The leaves, lines and texts of *doc* in printing order."""
    out: list[Leaf | Line | str] = []
    stack: list[Doc] = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, Leaf | Line | str):
            out.append(item)
        elif isinstance(item, Concat | Fill):
            stack.extend(reversed(item.parts))
        else:
            stack.append(item.content)
    return out


def settle_trailing(doc: Doc) -> None:
    """Move each trailing comment past the closing punctuation that follows its token.

    ``f(a  # c`` then ``)``, prints as ``f(a)  # c``: the comment ends up after
    the last token of its line, which is where it is found again when the output
    is formatted once more. When two comments meet in one run of closers, the
    first stays before the closer that carries the second.
    """
    run: list[Leaf] = []  # the comment-free closers right after the current leaf
    for item in reversed(leaves(doc)):
        if isinstance(item, Line) and item.soft:
            continue
        if not isinstance(item, Leaf):
            if item:
                run = []
            continue
        if item.trailing is not None and run:
            run[-1].trailing, item.trailing = item.trailing, None
            run.pop()
        if item.text in CLOSERS and item.trailing is None and not item.leading:
            run.insert(0, item)
        else:
            run = []


# A command of the printer: indentation, flat or not, and what to print. A fill
# command carries the index of the next content to print instead of a doc.
_Cmd: TypeAlias = tuple[int, bool, Doc, int]


def render(doc: Doc, width: int = 88) -> str:
    """Print *doc* within *width* columns (where it can break); lines carry no trailing spaces."""
    settle_trailing(doc)
    printer = _Printer(width)
    printer.run(doc)
    return printer.result()


class _Printer:
    """The state of one :func:`render` call."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []
        self.line: list[str] = []
        self.column = 0
        self.at_line_start = True
        self.pending: str | None = None  # a trailing comment waiting for the newline
        self.cmds: list[_Cmd] = []

    def result(self) -> str:
        self._flush_pending()
        self._end_line()
        while self.lines and not self.lines[-1]:
            self.lines.pop()
        return "".join(line + "\n" for line in self.lines)

    # -- writing
    def _write(self, text: str) -> None:
        if text:
            self.line.append(text)
            self.column += len(text)
            if not text.isspace():
                self.at_line_start = False

    def _flush_pending(self) -> None:
        if self.pending is not None:
            self._write("  " + self.pending if not self.at_line_start else self.pending)
            self.pending = None

    def _end_line(self) -> None:
        self.lines.append("".join(self.line).rstrip())
        self.line = []
        self.column = 0

    def _newline(self, indent: int) -> None:
        self._flush_pending()
        self._end_line()
        self._write(" " * indent)
        self.at_line_start = True

    def _text(self, text: str, indent: int, *, keeps_pending: bool = False) -> None:
        if not text:
            return
        if self.pending is not None and not (keeps_pending and text in CLOSERS):
            self._newline(indent)
            if text.isspace():
                return
        self._write(text)

    def _leaf(self, leaf: Leaf, indent: int) -> None:
        if leaf.leading:
            if not self.at_line_start or self.pending is not None:
                self._newline(indent)
            for comment in leaf.leading:
                self._write(comment)
                self._newline(indent)
        self._text(leaf.text, indent, keeps_pending=leaf.trailing is None)
        if leaf.trailing is not None:
            self.pending = leaf.trailing

    # -- the main loop
    def run(self, doc: Doc) -> None:
        self.cmds = [(0, False, doc, -1)]
        while self.cmds:
            indent, flat, item, index = self.cmds.pop()
            if index >= 0:
                assert isinstance(item, Fill)
                self._fill(indent, flat, item, index)
            else:
                self._print(indent, flat, item)

    def _print(self, indent: int, flat: bool, doc: Doc) -> None:
        if isinstance(doc, str):
            self._text(doc, indent)
        elif isinstance(doc, Leaf):
            self._leaf(doc, indent)
        elif isinstance(doc, Line):
            self._line(indent, flat, doc)
        elif isinstance(doc, Concat):
            self.cmds.extend((indent, flat, part, -1) for part in reversed(doc.parts))
        elif isinstance(doc, Indent):
            self.cmds.append((indent + 2, flat, doc.content, -1))
        elif isinstance(doc, Group):
            if not flat:
                flat = not doc.forced and self._fits((indent, True, doc.content, -1))
            self.cmds.append((indent, flat, doc.content, -1))
        elif flat:  # a Fill inside a flat group: all of it on this line
            self.cmds.extend((indent, True, part, -1) for part in reversed(doc.parts))
        elif doc.parts:
            self.cmds.append((indent, False, doc, 0))

    def _line(self, indent: int, flat: bool, line: Line) -> None:
        if flat and not line.hard:
            if line.soft:
                return
            if self.pending is None:
                self._write(" ")
                return
        self._newline(indent)

    def _fill(self, indent: int, flat: bool, fill: Fill, index: int) -> None:
        content = fill.parts[index]
        if index + 2 < len(fill.parts):
            self.cmds.append((indent, flat, fill, index + 2))
        if index == 0:
            self.cmds.append(
                (indent, self._fits((indent, True, content, -1), rest=False), content, -1)
            )
            return
        separator = fill.parts[index - 1]
        pair = Concat((separator, content))
        together = self.pending is None and self._fits((indent, True, pair, -1), rest=False)
        content_flat = together or self._fits(
            (indent, True, content, -1), rest=False, column=indent
        )
        self.cmds.append((indent, content_flat, content, -1))
        self.cmds.append((indent, together, separator, -1))

    # -- measuring
    def _fits(self, first: _Cmd, *, rest: bool = True, column: int | None = None) -> bool:
        """Whether *first*, flat, and what follows up to the next possible break fit the line."""
        remaining = self.width - (self.column if column is None else column)
        pending = self.pending is not None and column is None
        stack = [first]
        rest_index = len(self.cmds) if rest else 0
        while remaining >= 0:
            if not stack:
                if rest_index == 0:
                    return True
                rest_index -= 1
                stack.append(self.cmds[rest_index])
                continue
            indent, flat, doc, index = stack.pop()
            if index >= 0:
                return True  # a fill still to print: it can break before its next content
            if isinstance(doc, str | Leaf):
                text = doc if isinstance(doc, str) else doc.text
                if isinstance(doc, Leaf) and doc.leading:
                    return not flat
                if pending and text and text not in CLOSERS:
                    return False
                remaining -= len(text)
                pending = pending or (isinstance(doc, Leaf) and doc.trailing is not None)
            elif isinstance(doc, Line):
                if not flat or doc.hard:
                    return True
                if not doc.soft:
                    if pending:
                        return False
                    remaining -= 1
            elif isinstance(doc, Concat | Fill):
                stack.extend((indent, flat, part, -1) for part in reversed(doc.parts))
            elif isinstance(doc, Indent):
                stack.append((indent + 2, flat, doc.content, -1))
            else:
                stack.append((indent, flat and not doc.forced, doc.content, -1))
        return False
