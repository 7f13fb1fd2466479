"""How to read one data file: the options of ``from "path" with key value, …`` (SPEC §13.2).

The same options arrive from a directive and from the command line
(``--data NAME=PATH?delimiter=;&sheet=2026``); both are checked here, and a
problem is an :class:`OptionProblem` that each caller locates its own way::

    >>> read_options([("delimiter", ";"), ("decimal", ","), ("encoding", "cp1251")], "csv")
    FileOptions(delimiter=';', decimal=',', encoding='cp1251', header=None, sheet=None)
    >>> split_data_path("exports.csv?delimiter=;&header=2")
    ('exports.csv', [('delimiter', ';'), ('header', '2')])
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterable
from urllib.parse import unquote

import attrs

from ..errors import suggest

#: File extension to format.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".ods": "excel",
}

#: Every option, in the order the documentation gives them.
OPTION_NAMES: tuple[str, ...] = ("delimiter", "decimal", "encoding", "header", "sheet")

#: The options each kind of file takes.
APPLIES: dict[str, frozenset[str]] = {
    "csv": frozenset({"delimiter", "decimal", "encoding", "header"}),
    "tsv": frozenset({"delimiter", "decimal", "encoding", "header"}),
    "excel": frozenset({"decimal", "header", "sheet"}),
    "json": frozenset({"encoding"}),
    "jsonl": frozenset({"encoding"}),
    "parquet": frozenset(),
}

_KINDS = {"csv": "CSV files", "tsv": "TSV files", "excel": "workbooks", "json": "JSON files",
          "jsonl": "JSON Lines files", "parquet": "Parquet files"}
_DELIMITER_WORDS = {"tab": "\t", "\\t": "\t", "space": " "}


@attrs.frozen
class FileOptions:
    """The options of one data file; None means the default (SPEC §13.2)."""

    delimiter: str | None = None
    decimal: str = "."
    encoding: str | None = None
    header: int | None = None
    sheet: str | None = None

    def __bool__(self) -> bool:
        return self != FileOptions()


#: The options of a file read as its extension says, with no option given.
DEFAULTS = FileOptions()


@attrs.frozen
class DataFile:
    """A data file with options: what a dataset is bound to when its file needs them.

    It is not a path on purpose: an engine that reads plain paths itself leaves
    this to the reference reader, which knows the options.
    """

    path: str | os.PathLike[str]
    options: FileOptions = DEFAULTS


class OptionProblem(Exception):
    """An option that cannot be taken: *key* names it, *hint* says what would do."""

    def __init__(self, key: str, message: str, hint: str | None = None, *, value: bool = False) -> None:
        super().__init__(message)
        self.key = key
        self.message = message
        self.hint = hint
        self.value = value  # the value is wrong, not the key


def read_options(pairs: Iterable[tuple[str, object]], fmt: str | None) -> FileOptions:
    """The options *pairs* give for a file of format *fmt* (None: not known yet).

    Raises :class:`OptionProblem` for an unknown key, a bad value, a key given
    twice or one that does not apply to *fmt*.
    """
    found: dict[str, object] = {}
    for key, value in pairs:
        if key not in OPTION_NAMES:
            raise OptionProblem(key, f"unknown file option `{key}`",
                                suggest(key, OPTION_NAMES) or "the options are " + ", ".join(OPTION_NAMES))
        if key in found:
            raise OptionProblem(key, f"file option `{key}` is given twice")
        if fmt is not None and key not in APPLIES.get(fmt, frozenset()):
            takes = sorted(APPLIES.get(fmt, ()), key=OPTION_NAMES.index)
            hint = ("it takes " + ", ".join(takes)) if takes else "it takes no options"
            raise OptionProblem(key, f"file option `{key}` does not apply to {_KINDS.get(fmt, fmt)}",
                                hint=hint)
        found[key] = _value(key, value)
    return FileOptions(**found)  # type: ignore[arg-type]


def _value(key: str, value: object) -> object:
    text = str(value) if not isinstance(value, str) else value
    if key == "delimiter":
        delimiter = _DELIMITER_WORDS.get(text.lower(), text)
        if len(delimiter) != 1 or delimiter in "\"\r\n":
            raise OptionProblem(key, f"delimiter `{text}` is not one character",
                                hint='write one character: ";", "|" or "\\t" (a tab)', value=True)
        return delimiter
    if key == "decimal":
        if text not in (".", ","):
            raise OptionProblem(key, f"decimal `{text}` is neither \".\" nor \",\"",
                                hint='decimal "," reads 1 234,5 as 1234.5; "." is the default', value=True)
        return text
    if key == "encoding":
        try:
            codecs.lookup(text)
        except LookupError:
            raise OptionProblem(key, f"unknown encoding `{text}`",
                                hint='name a Python codec: "utf-8", "cp1251", "latin-1", "utf-16"',
                               value=True) from None
        return text
    if key == "header":
        number = value if isinstance(value, int) and not isinstance(value, bool) else None
        if number is None and text.strip().isdigit():
            number = int(text.strip())
        if number is None or number < 1:
            raise OptionProblem(key, f"header `{text}` is not a row number",
                                hint="header is the 1-based row of the column names, e.g. header 3", value=True)
        return number
    if isinstance(value, float) and value.is_integer():  # sheet 2 in a directive
        return str(int(value))
    if not text:
        raise OptionProblem(key, "the sheet is empty", hint="name a sheet, or give its number (1 is the first)",
                            value=True)
    return text


def format_of_name(path: str | os.PathLike[str]) -> str | None:
    """The format a file's name gives (its extension, after any ``.gz``), None if unknown."""
    lowered = os.fspath(path).lower().removesuffix(".gz")
    return FORMATS.get(os.path.splitext(lowered)[1])


def split_data_path(text: str) -> tuple[str, list[tuple[str, str]]]:
    """A command-line binding's path and its ``?key=value&…`` options (values %-decoded)."""
    path, mark, query = text.partition("?")
    first = query.split("&", 1)[0].partition("=")[0]
    if not mark or ("=" not in query and first not in OPTION_NAMES):
        return text, []  # a "?" in a file's name
    pairs: list[tuple[str, str]] = []
    for item in query.split("&"):
        if not item:
            continue
        key, equals, value = item.partition("=")
        if not equals:
            raise OptionProblem(key, f"file option `{key}` has no value",
                                hint="write key=value, e.g. ?delimiter=;&decimal=,")
        pairs.append((unquote(key), unquote(value)))
    return path, pairs
