"""Check a read table against its dataset declaration and type its columns.

The time column becomes periods, measures become floats (None for unknown),
dimensions become text. What the declaration leaves out is inferred from the
data (SPEC §6)::

    >>> from directive_dsl.data import read_table
    >>> raw = read_table("fdi", [{"year": 2026, "region": "Brest", "amount": "5"}])
    >>> table = bind_table(DatasetSchema(name="fdi"), raw)
    >>> table.time_column, table.grain, table.dimensions, table.measures
    ('year', 'year', {'region': ['Brest']}, {'amount': [5.0]})
"""

from __future__ import annotations

import json
import numbers
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

import attrs

from ..errors import Diagnostic, DirectiveDataError, listing, suggest
from ..periods import GRAINS, Grain, Period
from ..source import Span
from .raw import RawTable, line_of, origin_text
from .values import (
    TimeColumn,
    comma_decimals,
    is_empty,
    is_infinite,
    to_numbers,
    to_periods,
    to_texts,
)

__all__ = [
    "TIME_NAMES", "BoundTable", "DatasetSchema", "bind_table", "dimension_columns",
    "time_column_of",
]

#: Column names taken as the time column when none is declared (compared case-insensitively).
TIME_NAMES: tuple[str, ...] = ("year", "quarter", "month", "date", "period", "time")

_PERIOD_HINT = (
    "time values are years (2026), quarters (2026-Q1), months (2026-03) or dates (2026-03-31)"
)


@attrs.frozen(kw_only=True)
class DatasetSchema:
    """What a `dataset` statement declared about a table; None or empty means left out."""

    name: str
    time: str | None = None
    dimensions: tuple[str, ...] | None = None
    measures: tuple[str, ...] = ()
    numeric_columns: tuple[str, ...] = ()
    # Undeclared columns the rules read as measures: numbers wherever the data has them (SPEC §13.1).
    wanted: tuple[str, ...] = ()
    # Undeclared columns the rules group by or compare with text: dimensions, never inferred
    # measures, so a code column ("0402") keeps its text as written (SPEC §13.1).
    keys: tuple[str, ...] = ()
    complete: bool = False
    spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False, repr=False)


@attrs.frozen(kw_only=True)
class BoundTable:
    """A table checked against its declaration: periods, dimension text and numbers."""

    name: str
    origin: str
    n_rows: int
    time_column: str | None
    times: list[Period | None] | None
    grain: Grain | None
    dimensions: dict[str, list[str | None]]
    measures: dict[str, list[float | None]]
    columns: tuple[str, ...]
    inferred_measures: tuple[str, ...] = ()
    time_codes: TimeColumn | None = attrs.field(default=None, eq=False, repr=False)
    row_lines: Sequence[int] | None = attrs.field(default=None, eq=False, repr=False)
    numeric_dimensions: frozenset[str] = frozenset()

    def line_of(self, row: int) -> int | None:
        """The 1-based line in the file of 0-based data row *row*, if lines mean anything."""
        return line_of(self.row_lines, row)

    def row_location(self, row: int) -> str:
        """Where 0-based *row* is, for messages: ``file:line`` or ``origin row N``."""
        line = self.line_of(row)
        return f"{self.origin}:{line}" if line is not None else f"{self.origin} row {row + 1}"


def bind_table(schema: DatasetSchema, raw: RawTable) -> BoundTable:
    """Check *raw* against *schema* and type its columns; DirectiveDataError if it does not fit.

    Every missing column is reported at once (E501); then every column with
    a bad value, at its first bad value (E502 for numbers, E503 for times).
    """
    check_present(schema, raw)
    time_column = schema.time or infer_time(schema, raw)
    declared_dimensions = dimension_columns(schema, raw.columns, time_column)
    numeric = set(schema.measures) | set(schema.numeric_columns)
    numeric |= {c for c in schema.wanted if c in raw.columns and c != schema.time}
    problems: list[Diagnostic] = []

    times: list[Period | None] | None = None
    time_codes: TimeColumn | None = None
    grain: Grain | None = None
    if time_column is not None:
        time_codes, bad = to_periods(raw.columns[time_column])
        if time_codes is None:
            inferred = schema.time is None
            problems.append(time_problem(raw, time_column, bad, inferred=inferred))
        else:
            times = time_codes.rows()  # type: ignore[assignment]
            grains = {period.grain for period in time_codes.periods}
            grain = max(grains, key=GRAINS.index) if grains else None

    dimensions: dict[str, list[str | None]] = {}
    measures: dict[str, list[float | None]] = {}
    inferred_measures: list[str] = []
    read_numbers = _number_reader(raw)
    for column, values in raw.columns.items():
        if column in numeric:
            numbers, bad = read_numbers(values)
            if bad >= 0:
                problems.append(number_problem(schema, raw, column, bad))
            else:
                measures[column] = numbers
        if column in declared_dimensions:
            dimensions[column] = to_texts(values)
        if column in numeric or column in declared_dimensions or column == time_column:
            continue
        if not schema.complete and column.lower() not in TIME_NAMES:
            numbers, bad = read_numbers(values)
            if bad < 0 and numbers.count(None) < len(numbers):
                measures[column] = numbers
                inferred_measures.append(column)
                continue
        dimensions[column] = to_texts(values)

    if problems:
        raise DirectiveDataError(problems[0].message, diagnostics=problems)
    numeric_dimensions = frozenset(c for c in dimensions if _typed_numbers(raw.columns[c]))
    return BoundTable(
        name=schema.name,
        origin=raw.origin,
        n_rows=raw.n_rows,
        time_column=time_column,
        times=times,
        time_codes=time_codes,
        grain=grain,
        dimensions=dimensions,
        measures=measures,
        columns=tuple(raw.columns),
        inferred_measures=tuple(inferred_measures),
        row_lines=raw.row_lines,
        numeric_dimensions=numeric_dimensions,
    )


def _number_reader(raw: RawTable) -> Callable[[list[object]], tuple[list[float | None], int]]:
    """How *raw*'s cells become numbers: with a decimal comma when the file was read so."""
    if raw.options.decimal == ",":
        return lambda values: to_numbers(comma_decimals(values))
    return to_numbers


def dimension_columns(
    schema: DatasetSchema, present: Iterable[str], time_column: str | None
) -> set[str]:
    """The declared dimensions, and the columns of *present* the rules use as dimensions."""
    found = set(schema.dimensions or ())
    found.update(c for c in present if c in schema.keys and c != time_column)
    return found


def _typed_numbers(values: Sequence[object]) -> bool:
    """Whether a column's cells are numbers as typed (not text), with at least one."""
    seen = False
    for value in values:
        if value is None or (isinstance(value, float) and value != value):
            continue
        if isinstance(value, bool | str) or not isinstance(value, numbers.Real | Decimal):
            return False
        seen = True
    return seen


def _declared(schema: DatasetSchema) -> list[tuple[str, str]]:
    """Every declared column with what it was declared as, in declaration order."""
    found: dict[str, str] = {}
    if schema.time is not None:
        found[schema.time] = "time column"
    for column in schema.dimensions or ():
        found.setdefault(column, "dimension")
    for column in schema.measures:
        found.setdefault(column, "measure")
    for column in schema.numeric_columns:
        found.setdefault(column, "column read by a derived measure")
    return list(found.items())


def check_present(schema: DatasetSchema, raw: RawTable) -> None:
    """E501 for every declared column the data lacks."""
    problems: list[Diagnostic] = []
    where = origin_text(raw.origin)
    for column, role in _declared(schema):
        if column in raw.columns:
            continue
        message = f"{role} `{column}` of dataset `{schema.name}` is not a column of {where}"
        hint = _missing_hint(column, list(raw.columns))
        span = schema.spans.get(column)
        if span is not None:
            problems.append(
                Diagnostic.at(span, "E501", message, hint=hint, kind=DirectiveDataError)
            )
        else:
            problems.append(
                Diagnostic(
                    code="E501",
                    message=message,
                    file=raw.origin,
                    hint=hint,
                    kind=DirectiveDataError,
                )
            )
    if problems:
        raise DirectiveDataError(problems[0].message, diagnostics=problems)


def _missing_hint(column: str, present: list[str]) -> str:
    if not present:
        return "the data has no columns"
    if len(present) == 1:
        for separator in (";", "\t", "|", ","):
            if column in present[0].split(separator):
                from .formats import option_hint

                return "the file seems to separate cells with " + (
                    "tabs" if separator == "\t" else f"`{separator}`"
                ) + "; read it " + option_hint("delimiter", separator)
    spaced = [name for name in present if name != column and name.strip() == column]
    if spaced:
        return f"the data has `{spaced[0]}`, with spaces around the name; remove them"
    close = suggest(column, present)
    if close is not None:
        return close
    shown = listing(present[:12]) + (f" and {len(present) - 12} more" if len(present) > 12 else "")
    return f"the data has columns {shown}"


def infer_time(schema: DatasetSchema, raw: RawTable) -> str | None:
    """The first column named like a time column that is not declared as something else."""
    return time_column_of(schema, raw.columns)


def time_column_of(schema: DatasetSchema, columns: Iterable[str]) -> str | None:
    """The time column: the declared one, else the first of *columns* named like a time
    column that is not declared as something else."""
    if schema.time:
        return schema.time
    taken = set(schema.dimensions or ()) | set(schema.measures) | set(schema.numeric_columns)
    for column in columns:
        if column.lower() in TIME_NAMES and column not in taken:
            return column
    return None


def _show(value: object) -> str:
    """A cell value as it appears in a message: strings quoted, with what cannot be seen
    (a no-break space, a control character) escaped; numbers as Python writes them."""
    if isinstance(value, str):
        shown = json.dumps(value, ensure_ascii=False)
        return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in shown)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, numbers.Real) and not isinstance(value, int):
        return repr(float(value))
    return repr(value)


def _field(raw: RawTable, column: str, line: int | None = None) -> int:
    """The 1-based character column where *column*'s cell starts on *line* of a CSV or TSV
    file, as editors count (``data.csv:3:12``); else *column*'s position among the columns."""
    field = list(raw.columns).index(column)
    if line is not None:
        found = _cell_start(raw.origin, line, field, raw.options.delimiter, raw.options.encoding)
        if found is not None:
            return found
    return field + 1


def _cell_start(
    origin: str, line: int, field: int, delimiter: str | None = None, encoding: str | None = None
) -> int | None:
    """Where field *field* (0-based) starts on 1-based *line* of a delimited file, or None."""
    import gzip
    from itertools import islice

    name = origin.lower().removesuffix(".gz")
    if not name.endswith((".csv", ".tsv", ".tab", ".txt")):
        return None
    delimiter = delimiter or ("\t" if name.endswith((".tsv", ".tab")) else ",")
    try:
        opener = gzip.open if origin.lower().endswith(".gz") else open
        with opener(origin, "rt", encoding=encoding or "utf-8-sig", errors="replace",
                    newline="") as stream:
            text = next(islice(stream, line - 1, None), None)
    except (OSError, EOFError, ValueError):
        return None
    if text is None:
        return None
    quoted, current = False, 0
    for index, char in enumerate(text):
        if current == field:
            return index + 1
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            current += 1
    return None


def _locate(raw: RawTable, row: int) -> tuple[int | None, str]:
    """The line of *row*, and the prefix naming it when there is no line."""
    line = raw.line_of(row)
    return line, "" if line is not None else f"row {row + 1}, "


def time_problem(raw: RawTable, column: str, row: int, *, inferred: bool) -> Diagnostic:
    value = raw.columns[column][row]
    line, prefix = _locate(raw, row)
    if is_empty(value):
        message = f"{prefix}column `{column}`: empty time value"
        hint = "every row needs a time value; fill it in or remove the row"
    else:
        message = f"{prefix}column `{column}`: {_show(value)} is not a period"
        hint = _PERIOD_HINT
    if inferred:
        hint += f"; `{column}` is the time column because of its name"
    return Diagnostic(
        code="E503",
        message=message,
        file=raw.origin,
        line=line,
        column=_field(raw, column, line) if line is not None else None,
        hint=hint,
        kind=DirectiveDataError,
    )


_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+")


def _comma_written(text: str) -> bool:
    """Whether *text* is a number written with a decimal comma (1,5 or 1 234,5)."""
    return "," in text and comma_decimals([text]) != [text] and _DECIMAL_COMMA.fullmatch(
        text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(".", "")
    ) is not None


def number_problem(schema: DatasetSchema, raw: RawTable, column: str, row: int) -> Diagnostic:
    value = raw.columns[column][row]
    line, prefix = _locate(raw, row)
    text = value.strip() if isinstance(value, str) else ""
    what = "is not a number"
    if is_infinite(value):
        what = "is infinite, not a figure"
        hint = "write the real figure, or leave the cell empty for an unknown value"
    elif _THOUSANDS.fullmatch(text):
        hint = "write numbers without thousands separators: 1234567, not 1,234,567"
    elif raw.options.decimal != "," and _comma_written(text):
        from .formats import option_hint

        hint = "the file writes decimals with a comma: read it " + option_hint("decimal", ",")
    elif text.endswith("%"):
        hint = "write percentages as plain numbers: 12.5, not 12.5%"
    elif isinstance(value, str) and not value.isascii():
        odd = next(c for c in value if not c.isascii())
        name = unicodedata.name(odd, "a character").lower()
        hint = (f"a number is written in ASCII digits and spaces; this cell holds {name} "
                f"(U+{ord(odd):04X})")
    else:
        role = (
            "a measure" if column in schema.measures
            else "read by a derived measure" if column in schema.numeric_columns
            else "used as a measure by a rule"
        )
        span = schema.spans.get(column)
        at = f" ({span.file}:{span.line})" if span is not None else ""
        hint = (
            f"`{schema.name}.{column}` is {role}{at}, so each value must be a number; "
            "leave the cell empty for an unknown value"
        )
    return Diagnostic(
        code="E502",
        message=f"{prefix}column `{column}`: {_show(value)} {what}",
        file=raw.origin,
        line=line,
        column=_field(raw, column, line) if line is not None else None,
        hint=hint,
        kind=DirectiveDataError,
    )
