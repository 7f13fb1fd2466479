"""In-memory tables: pandas and polars DataFrames, pyarrow Tables.

None of those libraries is imported here: a value is recognised by the module
its class comes from, and read through its own methods, so each stays an
optional dependency.
"""

from __future__ import annotations

from typing import Any, Literal

from .raw import RawTable, data_error, nan_to_none

FrameKind = Literal["pandas", "polars", "pyarrow"]

_KINDS: dict[tuple[str, str], FrameKind] = {
    ("pandas", "DataFrame"): "pandas",
    ("polars", "DataFrame"): "polars",
    ("polars", "LazyFrame"): "polars",
    ("pyarrow", "Table"): "pyarrow",
    ("pyarrow", "RecordBatch"): "pyarrow",
}

ORIGINS: dict[FrameKind, str] = {
    "pandas": "<pandas DataFrame>",
    "polars": "<polars DataFrame>",
    "pyarrow": "<pyarrow Table>",
}


def frame_kind(value: object) -> FrameKind | None:
    """Which kind of DataFrame *value* is (subclasses included), or None."""
    for cls in type(value).__mro__:
        kind = _KINDS.get((cls.__module__.partition(".")[0], cls.__name__))
        if kind is not None:
            return kind
    return None


def read_frame(name: str, value: Any, kind: FrameKind) -> RawTable:
    """The columns of a DataFrame or Table of *kind*."""
    origin = ORIGINS[kind]
    if kind == "pandas":
        columns, n_rows = _pandas(value, origin)
    elif kind == "polars":
        columns, n_rows = _polars(value)
    else:
        columns, n_rows = _arrow(value, origin)
    return RawTable(name, origin, columns, n_rows)


def check_unique(names: list[str], origin: str) -> None:
    first: dict[str, int] = {}
    for index, title in enumerate(names):
        if title in first:
            raise data_error(
                "E505",
                f"column `{title}` appears twice in the {origin[1:-1]}, as columns "
                f"{first[title] + 1} and {index + 1}",
                file=origin,
                hint="give each column its own name",
            )
        first[title] = index


def _pandas_values(data: Any) -> list[object]:
    """A Series' or Index's values, with every kind of missing (NaN, NA, NaT) as None."""
    values: list[object] = data.tolist()
    missing = data.isna()
    if missing.any():
        values = [None if gap else v for v, gap in zip(values, missing.tolist(), strict=True)]
    return values


def _pandas(frame: Any, origin: str) -> tuple[dict[str, list[object]], int]:
    """Named index levels first (as ``reset_index`` would), then the columns."""
    levels = [level for level in frame.index.names if level is not None]
    names = [str(level) for level in levels] + [str(title) for title in frame.columns]
    check_unique(names, origin)
    data = [frame.index.get_level_values(level) for level in levels]
    data += [frame.iloc[:, index] for index in range(frame.shape[1])]
    columns = {title: _pandas_values(d) for title, d in zip(names, data, strict=True)}
    return columns, len(frame)


def _polars(frame: Any) -> tuple[dict[str, list[object]], int]:
    if type(frame).__name__ == "LazyFrame":
        frame = frame.collect()
    columns: dict[str, list[object]] = {}
    for title in frame.columns:
        series = frame.get_column(title)
        values: list[object] = series.to_list()
        if str(series.dtype).startswith("Float"):
            values = nan_to_none(values)
        columns[str(title)] = values
    return columns, int(frame.height)


def _arrow(table: Any, origin: str) -> tuple[dict[str, list[object]], int]:
    names = [str(title) for title in table.schema.names]
    check_unique(names, origin)
    columns: dict[str, list[object]] = {}
    for index, title in enumerate(names):
        column = table.column(index)
        values: list[object] = column.to_pylist()
        if str(column.type) in ("halffloat", "float", "double"):
            values = nan_to_none(values)
        columns[title] = values
    return columns, int(table.num_rows)
