"""Typing whole columns: numbers, text and periods.

Each converter takes a column (a list of cells as read) and works on the whole
list with fast paths for the common shapes (all text from a CSV, all numbers
from a DataFrame), falling back to a cell-by-cell loop that also finds the
first bad cell.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence
from decimal import Decimal

import attrs

from ..periods import Period, parse_time_value

#: Text that means "unknown" in a numeric column, compared after stripping and lower-casing.
UNKNOWN_TEXTS: frozenset[str] = frozenset({"", "na", "n/a", "nan", "null", "none"})

# The spellings met in practice, checked without stripping or lower-casing first.
_FAST_UNKNOWN: frozenset[str] = frozenset(
    {"", "NA", "N/A", "n/a", "nan", "NaN", "NAN", "null", "NULL", "Null", "None", "none"}
)
# A number is ASCII, with ASCII white space around it, as SQL engines cast text: "12\u00a0"
# or a full-width "１２" is not a number, though Python's float() reads both. An unknown word
# may also carry the ASCII separators \x1c-\x1f around it (as str.strip and DuckDB's TRIM).
_NUMBER_SPACE = " \t\n\r\x0b\x0c"
_SPACE = _NUMBER_SPACE + "\x1c\x1d\x1e\x1f"
_NOT_IN_NUMBERS = frozenset("_\x1c\x1d\x1e\x1f")
_FIND_NOT_IN_NUMBERS = re.compile("[_\x1c-\x1f]").search  # the same, searched in C
_NONE_TYPE = type(None)
_INF, _NEG_INF = float("inf"), float("-inf")


def is_empty(value: object) -> bool:
    """Whether a cell is empty: None, NaN or blank text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value
    return False


def parse_number(value: object) -> float | None:
    """The number a cell holds, None when unknown; ValueError when it is not a number.

    >>> parse_number(" 150e6 "), parse_number("NA"), parse_number(3)
    (150000000.0, None, 3.0)
    """
    if value is None:
        return None
    if isinstance(value, str):
        if value.strip(_SPACE).lower() in UNKNOWN_TEXTS:
            return None
        text = value.strip(_NUMBER_SPACE)
        if not text.isascii() or not _NOT_IN_NUMBERS.isdisjoint(text):
            raise ValueError(value)
        number = float(text)
    elif isinstance(value, bool):
        raise ValueError(value)
    elif isinstance(value, Decimal):
        if value.is_nan():
            return None
        number = float(value)
    elif isinstance(value, numbers.Real) and not type(value).__name__.startswith("bool"):
        try:
            number = float(value)
        except OverflowError:
            raise ValueError(value) from None
    else:
        raise ValueError(value)
    return None if number != number else number


def to_numbers(values: list[object]) -> tuple[list[float | None], int]:
    """The column as numbers, and -1; or an empty list and the index of the first bad cell.

    An infinite value (``inf``, ``Infinity``, ``1e400``) is a bad cell: no figure
    a directive judges is infinite, so it is a mistake in the data (SPEC §13.1).
    """
    numbers, bad = _to_numbers(values)
    if bad < 0 and (_INF in numbers or _NEG_INF in numbers):
        return [], next(i for i, x in enumerate(numbers) if x in (_INF, _NEG_INF))
    return numbers, bad


# A number written with a decimal comma: 1234,5, 1 234,5, 1.234.567,89 (spaces, no-break
# spaces or points between groups of three digits).
_COMMA_NUMBER = re.compile(
    r"([+-]?)([0-9]{1,3}(?:([ \u00a0\u202f.])[0-9]{3})(?:\3[0-9]{3})*|[0-9]*)(?:,([0-9]+))?"
)


def comma_decimals(values: list[object]) -> list[object]:
    """*values* with each text written with a decimal comma rewritten with a point.

    >>> comma_decimals(["1 234,5", "-0,25", "1.234.567", "12", "x,5", 3.5])
    ['1234.5', '-0.25', '1234567', '12', 'x,5', 3.5]
    """
    out: list[object] = []
    for value in values:
        if isinstance(value, str):
            found = _COMMA_NUMBER.fullmatch(value.strip(_NUMBER_SPACE))
            if found is not None and (found.group(2) or found.group(4)):
                sign, whole, separator, fraction = found.groups()
                if separator:
                    whole = whole.replace(separator, "")
                value = sign + (whole or "0") + ("." + fraction if fraction is not None else "")
        out.append(value)
    return out


def is_infinite(value: object) -> bool:
    """Whether a cell reads as an infinite number."""
    try:
        number = parse_number(value)
    except (ValueError, OverflowError):
        return False
    return number is not None and not math.isfinite(number)


def texts_to_numbers(values: Sequence[str], decimal: str = ".") -> tuple[list[float | None], int]:
    """:func:`to_numbers` for a column of text cells (a CSV file's, read with *decimal* as its
    decimal mark), quicker in the common case: plain figures, none unknown."""
    cells: list[object] = list(values) if not isinstance(values, list) else values
    if decimal == ",":
        cells = comma_decimals(cells)
    try:
        found: list[float | None] = list(map(float, cells))  # type: ignore[arg-type]
    except ValueError:
        return to_numbers(cells)
    joined = "".join(cells)  # type: ignore[arg-type]
    # No NaN nor infinity among them when their sum is finite; no spelling refused either.
    if joined.isascii() and _FIND_NOT_IN_NUMBERS(joined) is None and math.isfinite(sum(found)):  # type: ignore[arg-type]
        return found, -1
    return to_numbers(cells)


def _to_numbers(values: list[object]) -> tuple[list[float | None], int]:
    kinds = set(map(type, values))
    if kinds <= {str}:
        out: list[float | None] | None
        try:
            out = list(map(float, values))  # type: ignore[arg-type]
        except ValueError:
            try:
                out = [None if v in _FAST_UNKNOWN else float(v) for v in values]  # type: ignore[arg-type]
            except ValueError:
                out = None
        if out is not None:
            # float() also reads "1_000", non-ASCII digits and spaces, refused here,
            # and odd spellings of NaN.
            joined = "".join(values)  # type: ignore[arg-type]
            if joined.isascii() and _FIND_NOT_IN_NUMBERS(joined) is None:
                if "n" in joined or "N" in joined:
                    out = [None if x != x else x for x in out]
                return out, -1
    elif kinds <= {int, float, _NONE_TYPE}:
        try:
            return [None if v is None or v != v else float(v) for v in values], -1  # type: ignore[arg-type]
        except OverflowError:
            pass
    slow: list[float | None] = []
    append = slow.append
    for index, value in enumerate(values):
        try:
            append(parse_number(value))
        except (ValueError, OverflowError):
            return [], index
    return slow, -1


def to_text(value: object) -> str | None:
    """A cell as dimension text: ``2026`` for 2026 and 2026.0, None for empty cells.

    >>> to_text(2026.0), to_text(1.5), to_text(""), to_text(True)
    ('2026', '1.5', None, 'true')
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if value != value:
            return None
        if value in (float("inf"), float("-inf")) or value != int(value):
            return str(value)
        return str(int(value))
    if type(value).__module__ == "numpy" and type(value).__name__ != "datetime64":
        item = getattr(value, "item", None)
        if callable(item):
            return to_text(item())
    return str(value)


def to_texts(values: list[object]) -> list[str | None]:
    """The column as dimension text (see :func:`to_text`)."""
    kinds = set(map(type, values))
    if kinds <= {str, _NONE_TYPE}:
        if "" not in values:
            return list(values)  # type: ignore[arg-type]
        return [v or None for v in values]  # type: ignore[misc]
    if kinds <= {int}:
        return list(map(str, values))
    return [to_text(v) for v in values]


@attrs.frozen
class TimeColumn:
    """A time column: each row's code into ``periods``, the distinct periods."""

    codes: list[int]
    periods: list[Period]

    def rows(self) -> list[Period]:
        return list(map(self.periods.__getitem__, self.codes))


def to_periods(values: list[object]) -> tuple[TimeColumn | None, int]:
    """The column as periods, and -1; or None and the index of the first bad cell.

    Each distinct value is parsed once: a time column holds few of them.
    """
    try:
        distinct = list(dict.fromkeys(values))
    except TypeError:
        out = [parse_time_value(v) for v in values]
        bad = next((i for i, p in enumerate(out) if p is None), -1)
        if bad >= 0:
            return None, bad
        unique = list(dict.fromkeys(out))
        where = {p: i for i, p in enumerate(unique)}
        return TimeColumn(list(map(where.__getitem__, out)), unique), -1  # type: ignore[arg-type]
    parsed = [parse_time_value(value) for value in distinct]
    if None in parsed:
        broken = {v for v, p in zip(distinct, parsed, strict=True) if p is None}
        return None, next(i for i, v in enumerate(values) if v in broken)
    # Different spellings of one period ("2026" and 2026) share one code.
    unique = list(dict.fromkeys(parsed))
    where = {p: i for i, p in enumerate(unique)}
    code_of = {v: where[p] for v, p in zip(distinct, parsed, strict=True)}
    return TimeColumn(list(map(code_of.__getitem__, values)), unique), -1  # type: ignore[arg-type]
