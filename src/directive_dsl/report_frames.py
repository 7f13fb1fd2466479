"""A report's outcomes as a table: Arrow, pandas or polars, one row per outcome.

The columns are the fields of an outcome in the JSON report (SPEC §10,
§13.9), in the same order: ``group`` is a struct with a field for every
dimension of any rule (null where a rule does not have it), ``location`` a
struct of file, line and column, ``waiver`` a struct of reason, until and
location (null where no waiver excuses the outcome). Numbers are float64 and stay null where the
JSON has null. Needs the ``dataframes`` extra (pyarrow, and pandas or polars
for those two).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import DirectiveUsageError

if TYPE_CHECKING:
    from .report import Report

_NUMBERS = ("actual", "threshold", "gap", "upper", "target", "projected")
_TEXTS = ("rule", "severity", "status", "period", "op", "unit", "reason", "message", "deadline",
          "progress")


def outcome_records(report: Report) -> list[dict[str, Any]]:
    """Every outcome as its JSON object, each ``group`` holding every dimension of the report."""
    records = [o.to_dict() for o in report.outcomes]
    dimensions = list(dict.fromkeys(d for r in records for d in r["group"]))
    for record in records:
        record["group"] = {d: record["group"].get(d) for d in dimensions}
    return records


def to_arrow(report: Report) -> Any:
    """The outcomes as a ``pyarrow.Table``."""
    pa = _need("pyarrow")
    records = outcome_records(report)
    columns = list(dict.fromkeys(k for r in records for k in r)) or [
        "rule", "severity", "status", "group", "period", "actual", "op", "threshold", "unit",
        "gap", "reason", "message", "location"]
    dimensions = list(records[0]["group"]) if records else []
    fields = []
    for name in columns:
        if name in _NUMBERS:
            kind = pa.float64()
        elif name in _TEXTS:
            kind = pa.string()
        elif name == "group":
            kind = pa.struct([(d, pa.string()) for d in dimensions])
        elif name == "location":
            kind = _location(pa)
        elif name == "waiver":  # typed even when no outcome is waived, so frames concatenate
            kind = pa.struct([("reason", pa.string()), ("until", pa.string()), ("location", _location(pa))])
        else:
            kind = pa.array([r.get(name) for r in records]).type  # a field added later
        fields.append(pa.field(name, kind))
    schema = pa.schema(fields)
    return pa.Table.from_pylist([{k: r.get(k) for k in columns} for r in records], schema=schema)


def _location(pa: Any) -> Any:
    return pa.struct([("file", pa.string()), ("line", pa.int64()), ("column", pa.int64())])


def to_pandas(report: Report) -> Any:
    """The outcomes as a ``pandas.DataFrame`` (structs become dicts)."""
    _need("pandas")
    return to_arrow(report).to_pandas()


def to_polars(report: Report) -> Any:
    """The outcomes as a ``polars.DataFrame`` (structs stay structs)."""
    pl = _need("polars")
    return pl.from_arrow(to_arrow(report))


def _need(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise DirectiveUsageError(
            f"this needs {module}",
            hint="pip install 'directive_dsl[dataframes]'",
        ) from None
