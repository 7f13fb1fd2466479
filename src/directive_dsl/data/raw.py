"""The table a reader returns: named columns of values, as read, in row order."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs

from ..errors import DirectiveDataError
from .options import FileOptions


@attrs.frozen
class RawTable:
    """A data set as read, before any typing: one list of values per column.

    ``row_lines`` holds the 1-based line in the file of each data row, for
    text formats (CSV, TSV, JSON Lines), or its row in a sheet; it is None when lines mean nothing
    (DataFrames, JSON arrays), and messages then say "row N".
    """

    name: str
    origin: str
    columns: dict[str, list[object]]
    n_rows: int
    header_line: int | None = None
    row_lines: Sequence[int] | None = attrs.field(default=None, eq=False, repr=False)
    #: How the file was read (its delimiter, decimal mark, encoding), for typing and messages.
    options: FileOptions = attrs.field(default=FileOptions(), eq=False, repr=False)

    def line_of(self, row: int) -> int | None:
        """The 1-based line in the file of 0-based data row *row*, if lines mean anything."""
        return line_of(self.row_lines, row)


def line_of(row_lines: Sequence[int] | None, row: int) -> int | None:
    """The line of *row* in *row_lines*, None when there are none."""
    if row_lines is None or not 0 <= row < len(row_lines):
        return None
    return row_lines[row]


def data_error(
    code: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    hint: str | None = None,
) -> DirectiveDataError:
    """A :class:`DirectiveDataError` located in a data file."""
    return DirectiveDataError(message, code=code, file=file, line=line, column=column, hint=hint)


def nan_to_none(values: list[object]) -> list[object]:
    """*values* with float NaN replaced by None."""
    return [None if type(v) is float and v != v else v for v in values]


def describe(value: object) -> str:
    """A short name for the kind of *value*, for messages: "a number", "a list"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


def origin_text(origin: str) -> str:
    """*origin* for a sentence: `path/to/file.csv`, or "the pandas DataFrame"."""
    if origin.startswith("<") and origin.endswith(">"):
        return "the " + origin[1:-1]
    return f"`{origin}`"


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a large table is built.

    Building millions of small lists sets it off again and again, each time
    walking every list built so far; none of them can form a cycle.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class OneCell(Sequence[Any]):
    """A column of which only one cell is known: enough to word an error about it."""

    def __init__(self, row: int, value: object) -> None:
        self.row = row
        self.value = value

    def __len__(self) -> int:
        return self.row + 1

    def __getitem__(self, index: Any) -> Any:
        return self.value if index == self.row else None

    def __iter__(self) -> Iterator[Any]:
        return (self[i] for i in range(len(self)))
