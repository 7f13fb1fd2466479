"""The ``xlsx`` format: a workbook an analyst can filter and sort (SPEC §13.9).

Sheets: Summary, Rules, Violations, Waived (when a waiver excuses an outcome),
Outcomes (with ``include_passing``) and Run. Numbers are written as numbers and their unit in a column of its own;
every table has a frozen header row, an autofilter and column widths that fit
what they hold. Each dimension of any rule gets a column of its own, so a
table can be filtered by region. The workbook is built from the report's
JSON document, so every field the report has reaches it.

Needs the ``excel`` extra (xlsxwriter). In another locale the sheet names,
the column names the workbook gives, the reasons and the messages are
translated; statuses, codes, dimension names and numbers stay as they are.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import DirectiveUsageError
from ..i18n import N_, _, speaking
from ..reasons import reason_words
from ..report import Report

#: Outcome fields in the order their columns appear, after rule and group columns.
_OUTCOME_FIELDS = (
    "severity", "status", "period", "actual", "op", "threshold", "unit", "gap",
    "target", "deadline", "projected", "progress", "reason", "message",
)
_NUMBERS = frozenset({"actual", "threshold", "gap", "target", "projected", "upper"})
_MAX_WIDTH = 60

#: The workbook's own column names (the JSON's keys), translated in another locale.
_COLUMNS = frozenset({
    N_("directive"), N_("file"), N_("window"), N_("as_of"), N_("status"), N_("rules"), N_("outcomes"),
    N_("rule"), N_("title"), N_("severity"), N_("line"), N_("source"), N_("owner"), N_("period"),
    N_("actual"), N_("op"), N_("threshold"), N_("unit"), N_("gap"), N_("target"), N_("deadline"),
    N_("projected"), N_("progress"), N_("reason"), N_("message"), N_("upper"), N_("field"), N_("value"),
    N_("pass"), N_("fail"), N_("missing"), N_("pending"), N_("on_track"), N_("off_track"),
    N_("waived"), N_("waiver.reason"), N_("waiver.until"), N_("formula"), N_("untargeted"),
})


def _headers(names: Iterable[str]) -> list[str]:
    return [_(name) if name in _COLUMNS else name for name in names]


def render_bytes(reports: Sequence[Report], *, include_passing: bool = False, locale: str = "en") -> bytes:
    """The workbook for one or more reports, as the bytes of an .xlsx file, its words in *locale*."""
    from . import in_locale

    with speaking(locale):
        return _workbook([in_locale(r, locale) for r in reports], include_passing)


def _workbook(reports: Sequence[Report], include_passing: bool) -> bytes:
    try:
        import xlsxwriter
    except ImportError:
        raise DirectiveUsageError(
            "the xlsx format needs xlsxwriter",
            hint="pip install 'directive_dsl[excel]'",
        ) from None
    documents = [r.to_dict(include_passing=include_passing) for r in reports]
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False, "strings_to_urls": False})
    created = _created(reports)
    if created is not None:  # the run's time, not now: SOURCE_DATE_EPOCH gives the same bytes
        workbook.set_properties({"created": created})
    header = workbook.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    styles = {"header": header, "number": workbook.add_format({"num_format": "#,##0.###"})}
    _sheet(workbook, _("Summary"), *_summary(documents), styles)
    _sheet(workbook, _("Rules"), *_rules(documents), styles)
    _sheet(workbook, _("Violations"), *_outcomes(documents, "violations"), styles)
    if any(doc.get("waived") for doc in documents):  # excused outcomes, with the waiver's reason and until
        _sheet(workbook, _("Waived"), *_outcomes(documents, "waived"), styles)
    if include_passing:
        _sheet(workbook, _("Outcomes"), *_outcomes(documents, "outcomes"), styles)
    _sheet(workbook, _("Run"), *_run(documents), styles)
    workbook.close()
    return buffer.getvalue()


def _created(reports: Sequence[Report]) -> dt.datetime | None:
    """When the reports were made (the latest run), as the workbook's creation time."""
    moments = [r.run.generated_at for r in reports if r.run is not None]
    if not moments:
        return None
    return dt.datetime.strptime(max(moments), "%Y-%m-%dT%H:%M:%SZ")


def _sheet(workbook: Any, name: str, columns: Sequence[str], rows: Iterable[Sequence[object]],
           styles: Mapping[str, Any]) -> None:
    sheet = workbook.add_worksheet(name)
    widths = [len(c) for c in columns]
    for col, title in enumerate(columns):
        sheet.write_string(0, col, title, styles["header"])
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_string(count, col, str(value).lower())
            elif isinstance(value, int | float):
                sheet.write_number(count, col, value, styles["number"])
            else:
                sheet.write_string(count, col, str(value))
            widths[col] = max(widths[col], min(_MAX_WIDTH, len(_shown(value))))
    sheet.freeze_panes(1, 0)
    if columns:
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width + 2)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def _summary(documents: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[object]]]:
    counts = [k for k in documents[0]["summary"] if k not in ("status",)] if documents else []
    columns = _headers(["directive", "file", "window", "as_of", "status", *counts])
    rows = []
    for doc in documents:
        directive, summary = doc["directive"], doc["summary"]
        window = directive.get("window")
        rows.append([directive.get("title"), directive.get("file"),
                     f"{window['from']}..{window['to']}" if window else None,
                     directive.get("as_of"), summary["status"],
                     *(summary.get(k) for k in counts)])
    return columns, rows


def _rules(documents: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[object]]]:
    statuses = sorted({s for doc in documents for rule in doc["rules"] for s in rule["counts"]})
    extra = sorted({k for doc in documents for rule in doc["rules"] for k, v in rule.items()
                    if k not in ("id", "title", "severity", "status", "location", "counts")
                    and not isinstance(v, dict | list)})
    columns = _headers(["file", "rule", "title", "severity", "status", *extra, "line", *statuses])
    rows = []
    for doc in documents:
        for rule in doc["rules"]:
            rows.append([doc["directive"]["file"], rule["id"], rule.get("title"), rule["severity"],
                         rule["status"], *(rule.get(k) for k in extra), rule["location"]["line"],
                         *(rule["counts"].get(s, 0) for s in statuses)])
    return columns, rows


def _outcomes(documents: Sequence[Mapping[str, Any]], key: str) -> tuple[list[str], list[list[object]]]:
    found = [(doc, o) for doc in documents for o in doc.get(key, [])]
    dimensions = list(dict.fromkeys(d for _, o in found for d in o["group"]))
    fields = [f for f in _OUTCOME_FIELDS if any(f in o for _, o in found) or f in
              ("severity", "status", "period", "actual", "op", "threshold", "unit", "gap", "reason")]
    nested = sorted({f"{k}.{sub}" for _, o in found for k, v in o.items()
                     if isinstance(v, dict) and k not in ("group", "location")
                     for sub, value in v.items() if not isinstance(value, dict | list)})
    columns = [*_headers(["file", "rule"]), *dimensions, *_headers(fields), *nested]
    rows = []
    for doc, outcome in found:
        row: list[object] = [doc["directive"]["file"], outcome["rule"]]
        row += [outcome["group"].get(d) for d in dimensions]
        row += [_cell(f, outcome.get(f)) for f in fields]
        for name in nested:
            top, sub = name.split(".", 1)
            value = outcome.get(top)
            row.append(value.get(sub) if isinstance(value, dict) else None)
        rows.append(row)
    return columns, rows


def _cell(field: str, value: object) -> object:
    if field == "reason" and isinstance(value, str):
        return reason_words(value)
    if field in _NUMBERS or value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def _run(documents: Sequence[Mapping[str, Any]]) -> tuple[list[str], list[list[object]]]:
    rows: list[list[object]] = []
    for doc in documents:
        file = doc["directive"]["file"]
        run = doc.get("run")
        if not isinstance(run, dict):
            rows.append([file, "schema", doc.get("schema")])
            continue
        for key, value in _flatten(run):
            rows.append([file, key, value])
    return _headers(["file", "field", "value"]), rows


def _flatten(value: object, prefix: str = "") -> list[tuple[str, object]]:
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value, 1) for pair in _flatten(v, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), value)]
