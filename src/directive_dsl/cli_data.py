"""What the command line reads from its options: the data to bind, the files, the as-of."""

from __future__ import annotations

from pathlib import Path

from .asof import EVERY_DATASET
from .errors import DirectiveUsageError


def data_options(items: list[str]) -> dict[str, object]:
    """``--data NAME=PATH`` (repeatable), each PATH with its options after ``?``."""
    bound: dict[str, object] = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise DirectiveUsageError(
                f"--data `{item}` is not NAME=PATH", hint="e.g. --data investments=inv.csv"
            )
        if name in bound:
            raise DirectiveUsageError(f"--data binds `{name}` twice")
        bound[name] = _data_file(item, path)
    return bound


def _data_file(item: str, text: str) -> object:
    """PATH, or PATH?key=value&… as a data file with its options (SPEC §13.2)."""
    from .data import DataFile
    from .data.options import OptionProblem, format_of_name, read_options, split_data_path

    try:
        path, pairs = split_data_path(text)
        if not pairs:
            return text
        return DataFile(path, read_options(pairs, format_of_name(path)))
    except OptionProblem as problem:
        raise DirectiveUsageError(f"--data `{item}`: {problem.message}", hint=problem.hint) from None


def from_dir(folder: str, datasets: object, bound: dict[str, object]) -> dict[str, object]:
    """The datasets not bound yet that ``--data-dir`` holds a file for."""
    from .data import find_in_dir

    directory = Path(folder)
    if not directory.is_dir():
        raise DirectiveUsageError(f"--data-dir `{folder}` is not a folder")
    found: dict[str, object] = {}
    for name in datasets:  # type: ignore[attr-defined]
        if name not in bound and (path := find_in_dir(directory, name)) is not None:
            found[name] = str(path)
    return found


def existing(file: str) -> Path:
    """A directive file named on the command line, which must exist and not be a folder."""
    path = Path(file)
    if not path.exists():
        raise DirectiveUsageError(f"no such file: {file}", file=file)
    if path.is_dir():
        raise DirectiveUsageError(f"{file} is a folder, not a directive file", file=file)
    return path


def as_of_option(values: str | list[str] | None) -> str | dict[str, str] | None:
    """``--as-of P`` (every dataset) and ``--as-of NAME=P`` (one), as ``evaluate`` takes them."""
    if values is None or isinstance(values, str):  # none, or one from a configuration file
        return values
    found: dict[str, str] = {}
    for value in values:
        name, sep, period = value.rpartition("=")
        if sep and not name.strip():
            raise DirectiveUsageError(f"--as-of `{value}` names no dataset before `=`",
                                      hint=f"--as-of {period} for every dataset, or --as-of NAME={period}")
        found[name.strip() or EVERY_DATASET] = period
    if list(found) == [EVERY_DATASET]:
        return found[EVERY_DATASET]
    return found
