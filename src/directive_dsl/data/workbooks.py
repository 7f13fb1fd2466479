"""Workbooks (.xlsx, .xlsm, .xls, .ods) read with python-calamine, one sheet as a table.

Each cell is read as the text a CSV file of the same table holds, so a sheet is
typed exactly as that file would be (SPEC §13.2): text as written ("0402"),
a whole number as digits (2026.0 is "2026"), other numbers as Python writes
them, TRUE and FALSE, and dates as periods: a column whose dates all fall on
the first of a month holds months ("2026-03"), any other column days
("2026-03-31"). Cells held as numbers stay numbers in the table, which types
them as their text, so that a column of codes stored as numbers is known for
one (E510). Rows remember their row number in the sheet, for messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import attrs

from ..errors import DirectiveUsageError, listing, suggest
from .formats import option_hint, table_from_records
from .options import FileOptions
from .raw import RawTable, data_error


def read_workbook(name: str, origin: str, path: Path, options: FileOptions) -> RawTable:
    """The sheet *options* name (the first by default) of the workbook at *path*."""
    try:
        from python_calamine import CalamineWorkbook
    except ImportError:
        raise DirectiveUsageError(
            f"reading `{origin}` needs python-calamine",
            hint="pip install 'directive_dsl[excel]'",
        ) from None
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        index = _sheet_index(options.sheet, names, origin)
        sheet = book.get_sheet_by_index(index)
        rows = sheet.to_python(skip_empty_area=False)
    except DirectiveUsageError:
        raise
    except Exception as exc:  # calamine's errors: not a workbook, a damaged zip or XML
        if getattr(exc, "code", None) == "E500":
            raise
        raise data_error(
            "E500",
            f"cannot read `{origin}` as a workbook: {_problem(exc, path, origin)}",
            file=origin,
            hint="is it an Excel or OpenDocument workbook? A file cut short or damaged on its way "
            "here must be exported or downloaded again; other formats need their own extension",
        ) from None
    records = _texts(rows)
    table = table_from_records(
        name, origin, records, range(1, len(records) + 1), delimiter=None, options=options
    )
    return _typed_numbers(table, rows, records)


def _typed_numbers(
    table: RawTable, rows: Sequence[Sequence[object]], records: list[list[str]]
) -> RawTable:
    """*table* with the cells the sheet holds as numbers given back as numbers.

    They type exactly as their text does (2026.0 is the dimension "2026"), but a
    column of codes held as numbers is known for one: a rule comparing it with
    "0402" is then an error (E510), as for a DataFrame, not a silent mismatch.
    """
    if table.header_line is None or table.row_lines is None:
        return table
    header = records[table.header_line - 1]
    columns = dict(table.columns)
    for title, values in table.columns.items():
        index = header.index(title)
        cells = [_cell(rows[line - 1], index) for line in table.row_lines]
        if any(_is_number(cell) for cell in cells):
            columns[title] = [c if _is_number(c) else v for c, v in zip(cells, values, strict=True)]
    return attrs.evolve(table, columns=columns)


def _cell(row: Sequence[object], index: int) -> object:
    return row[index] if index < len(row) else ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _problem(exc: Exception, path: Path, origin: str) -> str:
    """What calamine found wrong with a workbook, in words."""
    text = str(exc).strip()
    if "Zip" in text or "EOCD" in text:
        return ("it is not a whole zip archive, as .xlsx, .xlsm and .ods files are "
                "(damaged, cut short, or not a workbook)")
    reason = text.splitlines()[0] if text else type(exc).__name__
    return reason.replace(str(path), origin)


def _sheet_index(wanted: str | None, names: list[str], origin: str) -> int:
    """The index of the sheet called *wanted*, or numbered *wanted* (1-based); the first by default."""
    if not names:
        raise data_error("E504", f"`{origin}` has no sheets", file=origin)
    if wanted is None:
        return 0
    if wanted in names:
        return names.index(wanted)
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return int(wanted) - 1
    shown = listing(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
    what = f"no sheet {wanted}" if wanted.isdigit() else f"no sheet `{wanted}`"
    raise data_error(
        "E500",
        f"`{origin}` has {what}: its sheets are {shown}",
        file=origin,
        hint=suggest(wanted, names) or "name a sheet, or give its number (1 is the first): "
        + option_hint("sheet", names[0]),
    )


def _texts(rows: Sequence[Sequence[object]]) -> list[list[str]]:
    """The cells of *rows* as the text a CSV file of the sheet holds."""
    width = max(map(len, rows), default=0)
    columns = [[row[i] if i < len(row) else "" for row in rows] for i in range(width)]
    texts = [_column_texts(column) for column in columns]
    return [list(row) for row in zip(*texts, strict=True)] if texts else [[] for _ in rows]


def _column_texts(column: list[object]) -> list[str]:
    dates = [v for v in column if isinstance(v, dt.date)]
    months = bool(dates) and all(
        v.day == 1 and (not isinstance(v, dt.datetime) or v.time() == dt.time()) for v in dates
    )
    return [_text(v, months) for v in column]


def _text(value: object, months: bool) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if months:
            return f"{value.year:04d}-{value.month:02d}"
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}" if months else value.isoformat()
    return str(value)
