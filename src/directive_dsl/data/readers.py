"""Read whatever a dataset is bound to into a :class:`RawTable`.

A binding is a path (CSV, TSV, JSON array, JSON Lines, Parquet, a sheet of a
workbook; CSV, TSV and JSON gzipped too), a :class:`DataFile` (a path with
options: delimiter, decimal mark, encoding, header row, sheet), a list of
dicts, or a pandas, polars or pyarrow table.
Paths from a directive resolve against its folder and, unless the caller
allows it, may not leave it::

    >>> table = read_table("fdi", [{"year": 2026, "amount": 5}, {"year": 2027}])
    >>> table.columns
    {'year': [2026, 2027], 'amount': [5, None]}
"""

from __future__ import annotations

import contextlib
import gzip
import os
import zlib
from collections.abc import Mapping
from pathlib import Path

import attrs

from ..errors import DirectiveError, suggest
from ..source import display_path
from .formats import decode, read_delimited, read_json, read_jsonl, read_parquet, rows_to_table
from .frames import frame_kind, read_frame
from .options import DEFAULTS, FORMATS, DataFile, FileOptions
from .raw import RawTable, data_error, gc_paused

__all__ = [
    "DIR_EXTENSIONS",
    "FORMATS",
    "DataFile",
    "DelimitedFile",
    "RawTable",
    "delimited_file",
    "find_in_dir",
    "gzip_intact",
    "read_table",
    "resolve_path",
]

#: The extensions ``--data-dir`` tries, in order.
DIR_EXTENSIONS: tuple[str, ...] = (
    ".csv", ".tsv", ".json", ".jsonl", ".parquet", ".xlsx", ".xlsm", ".xls", ".ods"
)

_FORMATS_HINT = (
    "data files may be CSV (.csv), TSV (.tsv, .tab), JSON arrays of objects (.json), "
    "JSON Lines (.jsonl, .ndjson), Parquet (.parquet, .pq) or workbooks (.xlsx, .xlsm, .xls, "
    ".ods); CSV, TSV and JSON may be gzipped (.csv.gz, …)"
)
_BINDING_HINT = (
    "bind a path to a data file, a list of dicts, or a pandas DataFrame, "
    "polars DataFrame or pyarrow Table"
)


def read_table(
    name: str, value: object, *, base_dir: Path | None = None, allow_outside: bool = True
) -> RawTable:
    """The columns of *value*, the data bound to dataset *name*.

    Relative paths resolve against *base_dir*; with ``allow_outside=False``
    a path must stay inside it (error E509).
    """
    with gc_paused():
        return _read(name, value, base_dir=base_dir, allow_outside=allow_outside)


def _read(name: str, value: object, *, base_dir: Path | None, allow_outside: bool) -> RawTable:
    if isinstance(value, str | os.PathLike):
        return _read_file(name, value, base_dir=base_dir, allow_outside=allow_outside)
    if isinstance(value, DataFile):
        return _read_file(name, value.path, base_dir=base_dir, allow_outside=allow_outside,
                          options=value.options)
    if isinstance(value, list | tuple):
        return rows_to_table(name, "<list of dicts>", value, noun="a dict")
    kind = frame_kind(value)
    if kind is not None:
        return read_frame(name, value, kind)
    type_name = type(value).__name__
    article = "an" if type_name[:1].lower() in "aeiou" else "a"
    hint = _BINDING_HINT
    if isinstance(value, Mapping):
        hint = (
            "for a dict of columns, pass pandas.DataFrame(data) or polars.DataFrame(data); " + hint
        )
    raise data_error(
        "E508",
        f"dataset `{name}` is bound to {article} {type_name}, which is not a table",
        hint=hint,
    )


@attrs.frozen
class DelimitedFile:
    """A CSV or TSV file that a binding names, found and readable as far as its name tells."""

    path: Path
    origin: str
    delimiter: str
    compressed: bool
    options: FileOptions


def delimited_file(
    value: object, *, base_dir: Path | None = None, allow_outside: bool = True
) -> DelimitedFile | None:
    """The CSV or TSV file *value* names, or None for anything else, or for a binding
    :func:`read_table` would refuse (it then says why)."""
    options = value.options if isinstance(value, DataFile) else DEFAULTS
    if isinstance(value, DataFile):
        value = value.path
    if not isinstance(value, str | os.PathLike) or isinstance(os.fspath(value), bytes):
        return None
    try:
        path = resolve_path(value, base_dir=base_dir, allow_outside=allow_outside)
        origin = display_path(str(path))
        fmt, compressed = _format_of(path, origin)
        if options:
            _check_options(options, fmt, origin)
    except DirectiveError:
        return None
    if fmt not in ("csv", "tsv") or not path.is_file():
        return None
    delimiter = options.delimiter or ("," if fmt == "csv" else "\t")
    return DelimitedFile(path, origin, delimiter, compressed, options)


def resolve_path(
    value: str | os.PathLike[str], *, base_dir: Path | None = None, allow_outside: bool = True
) -> Path:
    """The path *value* names, relative to *base_dir*; E509 if it may not be read.

    With ``allow_outside=False`` the path must be relative and, once every
    ``..`` and symbolic link is followed, lie inside *base_dir* (the working
    folder when *base_dir* is None).
    """
    given = os.fspath(value)
    path = Path(given)
    full = base_dir / path if base_dir is not None and not path.is_absolute() else path
    if allow_outside:
        return full
    root = (base_dir if base_dir is not None else Path.cwd()).resolve()
    try:
        inside = not path.is_absolute() and full.resolve().is_relative_to(root)
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        folder = display_path(str(root))
        leads = ""
        with contextlib.suppress(OSError, RuntimeError):
            written_inside = Path(os.path.normpath(full.absolute())).is_relative_to(root)
            if written_inside and not path.is_absolute():  # a symbolic link leads out
                leads = f" (it leads to {display_path(str(full.resolve()))})"
        raise data_error(
            "E509",
            f"path `{given}` leaves the directive's folder{leads}",
            file=given,
            hint=(
                f"a directive may only read files inside its own folder (`{folder}`)"
                "; bind the data yourself (--data NAME=PATH), or allow paths outside the folder"
            ),
        )
    return full


def find_in_dir(directory: Path, name: str) -> Path | None:
    """``DIRECTORY/NAME`` with the first of :data:`DIR_EXTENSIONS` that exists, if any."""
    for extension in DIR_EXTENSIONS:
        candidate = directory / f"{name}{extension}"
        if candidate.is_file():
            return candidate
    return None


def gzip_intact(path: Path) -> bool:
    """Whether *path* decompresses to its end with a matching checksum.

    DuckDB's reader does not check the gzip checksum, and a reader that stops at
    the header sees nothing wrong; an engine that reads a file itself checks it
    once first, and leaves a damaged one to :func:`read_table` (E500, in words).
    """
    try:
        with gzip.open(path, "rb") as stream:
            while stream.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error):
        return False
    return True


def _format_of(path: Path, origin: str) -> tuple[str, bool]:
    """The format of *path* by its extension, and whether it is gzipped."""
    lowered = path.name.lower()
    compressed = lowered.endswith(".gz")
    if compressed:
        lowered = lowered[: -len(".gz")]
    extension = os.path.splitext(lowered)[1]
    found = FORMATS.get(extension)
    if found is None or (compressed and found in ("parquet", "excel")):
        shown = extension + (".gz" if compressed else "") if extension else "(none)"
        hint = _FORMATS_HINT
        raise data_error(
            "E508", f"cannot read `{origin}`: unknown file type `{shown}`", file=origin, hint=hint
        )
    return found, compressed


def _check_options(options: FileOptions, fmt: str, origin: str) -> None:
    """E508 for an option given to a file it does not apply to (a sheet of a CSV file)."""
    from .options import OptionProblem, read_options

    given = [(k, getattr(options, k)) for k in attrs.fields_dict(FileOptions)
             if getattr(options, k) != getattr(FileOptions(), k)]
    try:
        read_options(given, fmt)
    except OptionProblem as problem:
        raise data_error("E508", f"cannot read `{origin}`: {problem.message}", file=origin,
                         hint=problem.hint) from None


def _missing(path: Path, origin: str) -> Exception:
    parent = path.parent
    hint: str | None
    if not parent.is_dir():
        hint = f"there is no folder `{display_path(str(parent))}`"
    else:
        try:
            hint = suggest(path.name, os.listdir(parent))
        except OSError:
            hint = None
    return data_error("E500", f"cannot read `{origin}`: no such file", file=origin, hint=hint)


def _read_bytes(path: Path, origin: str, compressed: bool) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _missing(path, origin) from None
    except PermissionError:
        raise data_error(
            "E500", f"cannot read `{origin}`: permission denied", file=origin
        ) from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise data_error("E500", f"cannot read `{origin}`: {reason}", file=origin) from None
    if compressed:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            reason, hint = _gzip_problem(exc, data)
            raise data_error(
                "E500", f"`{origin}` is not a valid gzip file: {reason}", file=origin, hint=hint
            ) from None
    return data


_DAMAGED = (
    "the file was damaged or cut short on its way here; download or export it again "
    "(`gzip -t FILE` tests a file)"
)


def _gzip_problem(exc: Exception, data: bytes) -> tuple[str, str]:
    """What is wrong with gzipped *data* that failed with *exc*, in words, and a hint."""
    if not data.startswith(b"\x1f\x8b"):
        return ("it does not start as a gzip file does",
                "a file that is not compressed needs no `.gz` at the end of its name")
    if isinstance(exc, EOFError):
        return "it ends before its compressed data does (cut short)", _DAMAGED
    text = str(exc)
    if "CRC check failed" in text or "Incorrect length" in text:
        return "its checksum does not match its content", _DAMAGED
    if "Not a gzipped file" in text:
        return "bytes that are not gzip follow its compressed data", _DAMAGED
    return "its compressed data is damaged", _DAMAGED


def _read_file(
    name: str,
    value: str | os.PathLike[str],
    *,
    base_dir: Path | None,
    allow_outside: bool,
    options: FileOptions = DEFAULTS,
) -> RawTable:
    if isinstance(os.fspath(value), bytes):
        raise data_error(
            "E508", f"dataset `{name}` is bound to a bytes path", hint="pass the path as a str"
        )
    path = resolve_path(value, base_dir=base_dir, allow_outside=allow_outside)
    origin = display_path(str(path))
    if path.is_dir():
        raise data_error(
            "E500",
            f"`{origin}` is a folder, not a data file",
            file=origin,
            hint="name a file inside it (--data-dir finds NAME.csv, NAME.parquet, … in a folder)",
        )
    fmt, compressed = _format_of(path, origin)
    if options:
        _check_options(options, fmt, origin)
    if fmt in ("parquet", "excel"):
        if not path.is_file():
            raise _missing(path, origin)
        if fmt == "excel":
            from .workbooks import read_workbook

            return read_workbook(name, origin, path, options)
        return read_parquet(name, origin, path)
    text = decode(_read_bytes(path, origin, compressed), origin, options.encoding)
    if fmt in ("csv", "tsv"):
        delimiter = options.delimiter or ("," if fmt == "csv" else "\t")
        return read_delimited(name, origin, text, delimiter, options)
    if fmt == "json":
        return read_json(name, origin, text)
    return read_jsonl(name, origin, text)
