"""Source text and positions inside it.

Every node of the syntax tree, and every diagnostic, points back at the text it
came from through a :class:`Span`: 1-based line and column, plus character
offsets, so errors can show the source line with a caret under the place.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs


@attrs.frozen(eq=False)
class Source:
    """The text of one directive file and the name it is reported under."""

    text: str
    path: str = "<string>"

    @functools.cached_property
    def _line_starts(self) -> tuple[int, ...]:
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        return tuple(starts)

    def line(self, number: int) -> str:
        """The text of 1-based line *number*, without its line break."""
        starts = self._line_starts
        if not 1 <= number <= len(starts):
            return ""
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        return self.text[starts[number - 1] : end].rstrip("\r")

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a character offset."""
        import bisect

        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        """The span covering characters ``start:end``."""
        return Span(self, start, end)

    @functools.cached_property
    def display_path(self) -> str:
        """The path as shown to people: relative to the working folder when inside it
        (worked out once: every node's location reads it)."""
        return display_path(self.path)


def display_path(path: str) -> str:
    """*path* relative to the working folder when it lies inside it, else as given."""
    if path.startswith("<"):
        return path
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


class Span:
    """A stretch of a :class:`Source`: character offsets, with 1-based line and column.

    Line and column are worked out on first use, so building a syntax tree
    costs two integers per node.
    """

    __slots__ = ("_end_position", "_position", "end", "source", "start")

    def __init__(self, source: Source, start: int, end: int) -> None:
        self.source = source
        self.start = start
        self.end = end
        self._position: tuple[int, int] | None = None
        self._end_position: tuple[int, int] | None = None

    @property
    def line(self) -> int:
        return self._start()[0]

    @property
    def column(self) -> int:
        return self._start()[1]

    @property
    def end_line(self) -> int:
        return self._finish()[0]

    @property
    def end_column(self) -> int:
        return self._finish()[1]

    def _start(self) -> tuple[int, int]:
        if self._position is None:
            self._position = self.source.position(self.start)
        return self._position

    def _finish(self) -> tuple[int, int]:
        if self._end_position is None:
            self._end_position = self.source.position(self.end)
        return self._end_position

    @property
    def file(self) -> str:
        return self.source.display_path

    def __repr__(self) -> str:
        return f"<Span {self.file}:{self.line}:{self.column}>"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of *other*."""
        return Span(self.source, self.start, other.end)


_NOWHERE = Source("", "<string>")


def unknown_span(path: str = "<string>") -> Span:
    """A span for things with no place in a directive (the command line, say)."""
    return Span(_NOWHERE if path == "<string>" else Source("", path), 0, 0)


def shipped_text(inside: str, checkout: str) -> str:
    """A text file shipped in the wheel at ``directive_dsl/INSIDE``, else read from the source
    tree at *checkout* (relative to the project's root), as in an editable install."""
    from importlib import resources

    packaged = resources.files("directive_dsl").joinpath(inside)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / checkout).read_text(encoding="utf-8")
