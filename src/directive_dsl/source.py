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
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        return tuple(starts)

    def line(self, number: int) -> str:
        """The text of 1-based line *number*, without its line break."""
        lines = self.text.split("\n")
        if 1 <= number <= len(lines):
            return lines[number - 1].rstrip("\r")
        return ""

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a character offset."""
        import bisect

        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        """The span covering characters ``start:end``."""
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(self, start, end, line, column, end_line, end_column)

    @property
    def display_path(self) -> str:
        """The path as shown to people: relative to the working folder when inside it."""
        return display_path(self.path)


def display_path(path: str) -> str:
    """*path* relative to the working folder when it lies inside it, else as given."""
    if path.startswith("<"):
        return path
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path


@attrs.frozen(eq=False, repr=False)
class Span:
    """A stretch of a :class:`Source`: offsets plus 1-based line and column."""

    source: Source
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int

    @property
    def file(self) -> str:
        return self.source.display_path

    def __repr__(self) -> str:
        return f"<Span {self.file}:{self.line}:{self.column}>"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of *other*."""
        return Span(
            self.source,
            self.start,
            other.end,
            self.line,
            self.column,
            other.end_line,
            other.end_column,
        )


def unknown_span(path: str = "<string>") -> Span:
    """A span for things with no place in a directive (the command line, say)."""
    return Span(Source("", path), 0, 0, 1, 1, 1, 1)
