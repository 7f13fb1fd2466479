"""``directive test``: cases in ``*.test.toml`` files, run against a directive (SPEC §13.10).

A test file names a directive and holds cases; each case binds data (inline
CSV, or a path relative to the test file), may set ``as_of``, ``window`` and
``missing``, and lists the outcomes it expects::

    directive = "targets.directive"
    [[case]]
    name = "a region below the floor fails"
    as_of = "2027"
    [case.data]
    investments = \"\"\"
    year,region,partner,kind,amount
    2027,Mogilev,CN,direct,120000000
    \"\"\"
    [[case.expect]]
    rule = "fdi_regions"
    group = {region = "Mogilev"}
    period = "2027"
    status = "fail"
    actual = 120000000

A case passes when every expected outcome is in the report with the status
and values given. ``actual``, ``threshold`` and ``gap`` compare with a
relative tolerance of 1e-9, or within the absolute ``tolerance`` given.
Mistakes in a test file are :class:`DirectiveUsageError` located at its line.
"""

from __future__ import annotations

import math
import re
import tempfile
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from .config import parse_toml
from .errors import DirectiveError, DirectiveUsageError, listing, suggest
from .report import STATUSES, Outcome, Report

SUFFIX = ".test.toml"
_FILE_KEYS = ("directive", "case")
_CASE_KEYS = ("name", "as_of", "window", "missing", "data", "expect")
_EXPECT_KEYS = ("rule", "group", "period", "status", "actual", "threshold", "gap", "reason",
                "tolerance")
_NUMBERS = ("actual", "threshold", "gap")
_REL_TOL = 1e-9


@attrs.frozen
class Expectation:
    """One outcome a case expects, with the line it is written on."""

    rule: str
    group: Mapping[str, str]
    period: str | None
    fields: Mapping[str, Any]
    tolerance: float | None
    line: int


@attrs.frozen
class Case:
    """One case of a test file."""

    name: str
    data: Mapping[str, str]  # dataset name -> inline CSV text, or a path
    as_of: str | None
    window: str | None
    missing: str | None
    expect: tuple[Expectation, ...]
    line: int


@attrs.frozen
class TestFile:
    """A parsed test file."""

    __test__ = False  # not a pytest class

    path: Path
    directive: Path
    cases: tuple[Case, ...]


@attrs.frozen
class CaseResult:
    """How one case went: ``difference`` is None when it passed."""

    file: Path
    case: Case
    difference: str | None

    @property
    def passed(self) -> bool:
        return self.difference is None


# ---------------------------------------------------------------- finding and reading


def find_test_files(paths: Sequence[str]) -> list[Path]:
    """The test files named, and those inside the folders named, in a stable order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file()))
        elif path.is_file():
            found.append(path)
        else:
            raise DirectiveUsageError(f"no such file or folder: {name}", file=name)
    return found


def read_test_file(path: Path) -> TestFile:
    """Parse and check a test file; errors are located at its lines."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DirectiveUsageError(
            f"cannot read {path}: {getattr(error, 'strerror', None) or error}", file=str(path)
        ) from None
    document = parse_toml(path, text)
    lines = _Lines(path, text)
    _known(document, _FILE_KEYS, lines, 1, "test file")
    target = document.get("directive")
    if not isinstance(target, str):
        raise lines.error(1, "a test file needs `directive = \"FILE.directive\"`",
                          hint="name the directive file, relative to the test file")
    cases_raw = document.get("case", [])
    if not isinstance(cases_raw, list) or not cases_raw:
        raise lines.error(1, "a test file needs at least one [[case]]")
    case_lines = lines.headers("case")
    expect_lines = iter(lines.headers("case.expect"))
    cases = []
    for index, raw in enumerate(cases_raw):
        line = case_lines[index] if index < len(case_lines) else 1
        cases.append(_case(raw, index, line, lines, expect_lines))
    return TestFile(path=path, directive=path.parent / target, cases=tuple(cases))


class _Lines:
    """Line numbers in a test file (tomllib keeps none) and errors located there."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text.splitlines()

    def headers(self, table: str) -> list[int]:
        pattern = re.compile(r"^\s*\[\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*") + r"\s*\]\]")
        return [n for n, line in enumerate(self.text, start=1) if pattern.match(line)]

    def key(self, name: str, start: int) -> int:
        """The first line at or after *start* that sets *name*."""
        pattern = re.compile(r"^\s*" + re.escape(name) + r"\s*=")
        for number in range(start, len(self.text) + 1):
            if pattern.match(self.text[number - 1]):
                return number
        return start

    def error(self, line: int, message: str, hint: str | None = None) -> DirectiveUsageError:
        return DirectiveUsageError(message, file=str(self.path), line=line, column=1, hint=hint)


def _known(table: Mapping[str, Any], keys: Sequence[str], lines: _Lines, line: int, what: str) -> None:
    for key in table:
        if key not in keys:
            raise lines.error(lines.key(key, line), f"unknown key `{key}` in a {what}",
                              hint=suggest(key, keys) or f"the keys are {listing(keys)}")


def _text(value: object) -> str:
    """A TOML value as report text: `2027` and `"2027"` are the same period."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _case(raw: object, index: int, line: int, lines: _Lines, expect_lines: Iterator[int]) -> Case:
    if not isinstance(raw, dict):
        raise lines.error(line, "a [[case]] must be a table")
    _known(raw, _CASE_KEYS, lines, line, "[[case]]")
    name = _text(raw.get("name", f"case {index + 1}"))
    data = raw.get("data", {})
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise lines.error(lines.key("data", line) if "data" in raw else line,
                          f"[case.data] of `{name}` maps dataset names to CSV text or paths")
    expected = raw.get("expect", [])
    if not isinstance(expected, list) or not expected:
        raise lines.error(line, f"case `{name}` expects nothing",
                          hint="add an [[case.expect]] with rule, period and status")
    expectations = [_expectation(item, next(expect_lines, line), lines, name) for item in expected]
    options = {key: _text(raw[key]) if key in raw else None for key in ("as_of", "window", "missing")}
    return Case(name=name, data=data, expect=tuple(expectations), line=line, **options)


def _expectation(raw: object, line: int, lines: _Lines, case: str) -> Expectation:
    if not isinstance(raw, dict):
        raise lines.error(line, f"an expectation of `{case}` must be a table")
    _known(raw, _EXPECT_KEYS, lines, line, "[[case.expect]]")
    if "rule" not in raw:
        raise lines.error(line, f"an expectation of `{case}` names no rule")
    status = raw.get("status")
    if status is not None and status not in STATUSES:
        raise lines.error(lines.key("status", line), f"unknown status `{status}`",
                          hint=suggest(str(status), STATUSES) or f"the statuses are {listing(STATUSES)}")
    for key in (*_NUMBERS, "tolerance"):
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int | float)):
            raise lines.error(lines.key(key, line), f"`{key}` must be a number")
    group = raw.get("group", {})
    if not isinstance(group, dict):
        raise lines.error(lines.key("group", line), "`group` must be a table, e.g. {region = \"Brest\"}")
    fields = {k: raw[k] for k in ("status", *_NUMBERS, "reason") if k in raw}
    tolerance = raw.get("tolerance")
    return Expectation(
        rule=_text(raw["rule"]),
        group={_text(k): _text(v) for k, v in group.items()},
        period=_text(raw["period"]) if "period" in raw else None,
        fields=fields,
        tolerance=float(tolerance) if tolerance is not None else None,
        line=line,
    )


# ---------------------------------------------------------------- running


def run_test_file(test: TestFile, *, engine: object = "duckdb") -> list[CaseResult]:
    """Run every case of *test* on *engine*."""
    from .api import load

    directive = load(test.directive)
    results = []
    for case in test.cases:
        with tempfile.TemporaryDirectory(prefix="directive-test-") as folder:
            data = _bind(test, case, Path(folder))
            try:
                report = directive.evaluate(
                    data, engine=engine, as_of=case.as_of, window=case.window,  # type: ignore[arg-type]
                    missing=case.missing, include_passing=True,  # type: ignore[arg-type]
                )
            except DirectiveError as error:
                raise _in_case(error, test, case) from None
        results.append(CaseResult(test.path, case, _first_difference(case, report)))
    return results


def _bind(test: TestFile, case: Case, folder: Path) -> dict[str, object]:
    """Inline CSV becomes a file of its own, read as any other CSV file is."""
    data: dict[str, object] = {}
    for name, value in case.data.items():
        if "\n" in value.strip():
            path = folder / f"{name}.csv"
            path.write_text(textwrap.dedent(value).lstrip("\n"), encoding="utf-8")
            data[name] = str(path)
        else:
            data[name] = str(test.path.parent / value)
    return data


def _in_case(error: DirectiveError, test: TestFile, case: Case) -> DirectiveError:
    """An error of the directive or its data, said to come from a case of the test file."""
    return DirectiveUsageError(
        f"case `{case.name}`: {error.message}",
        code=error.code,
        file=str(test.path),
        line=case.line,
        column=1,
        hint=error.hint or "\n".join(d.render() for d in error.diagnostics),
    )


def _first_difference(case: Case, report: Report) -> str | None:
    for expected in case.expect:
        found = [o for o in report.outcomes if _matches(o, expected)]
        where = _where(expected)
        if not found:
            of_rule = [o for o in report.outcomes if o.rule == expected.rule]
            of_group = [o for o in of_rule if dict(o.group) == dict(expected.group)]
            of_rule = of_group or of_rule
            if not any(rule.id == expected.rule for rule in report.rules):
                return f"line {expected.line}: no rule `{expected.rule}` in the directive"
            seen = ", ".join(_where_outcome(o) for o in of_rule[:5]) or "none"
            more = f" and {len(of_rule) - 5} more" if len(of_rule) > 5 else ""
            return f"line {expected.line}: no outcome for {where}; the rule's outcomes: {seen}{more}"
        if len(found) > 1:
            return (f"line {expected.line}: {len(found)} outcomes match {where}; "
                    "name the group and the period")
        outcome = found[0]
        for key, want in expected.fields.items():
            got = getattr(outcome, key)
            if not _same(key, want, got, expected.tolerance):
                return f"line {expected.line}: {where}: {key} expected {want!r}, got {got!r}"
    return None


def _matches(outcome: Outcome, expected: Expectation) -> bool:
    return (
        outcome.rule == expected.rule
        and (expected.period is None or outcome.period == expected.period)
        and dict(outcome.group) == dict(expected.group)
    )


def _same(key: str, want: object, got: object, tolerance: float | None) -> bool:
    if key not in _NUMBERS:
        return want == got
    if got is None or not isinstance(want, int | float):
        return False
    assert isinstance(got, int | float)
    if tolerance is not None:
        return abs(float(want) - float(got)) <= tolerance
    return math.isclose(float(want), float(got), rel_tol=_REL_TOL, abs_tol=1e-12)


def _where(expected: Expectation) -> str:
    group = ", ".join(f"{k} = {v}" for k, v in expected.group.items())
    period = f" in {expected.period}" if expected.period else ""
    return f"`{expected.rule}`" + (f" [{group}]" if group else "") + period


def _where_outcome(outcome: Outcome) -> str:
    group = ", ".join(f"{k} = {v}" for k, v in outcome.group.items())
    return (f"[{group}] " if group else "") + outcome.period


# ---------------------------------------------------------------- output


def render_text(results: Sequence[CaseResult]) -> str:
    """One line per case, the first difference under a failed one, then the totals."""
    lines = []
    for result in results:
        mark = "PASS" if result.passed else "FAIL"
        lines.append(f"{mark} {result.file}:{result.case.line}: {result.case.name}")
        if result.difference is not None:
            lines.append(f"     {result.difference}")
    passed = sum(r.passed for r in results)
    lines.append(f"{passed} passed, {len(results) - passed} failed")
    return "\n".join(lines) + "\n"


def render_junit(results: Sequence[CaseResult]) -> str:
    """One testsuite per test file, one testcase per case."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", {"name": "directive test"})
    by_file: dict[Path, list[CaseResult]] = {}
    for result in results:
        by_file.setdefault(result.file, []).append(result)
    for file, mine in by_file.items():
        failures = sum(not r.passed for r in mine)
        suite = ET.SubElement(root, "testsuite", {
            "name": str(file), "tests": str(len(mine)), "failures": str(failures),
            "errors": "0", "skipped": "0"})
        for result in mine:
            case = ET.SubElement(suite, "testcase", {
                "classname": str(file), "name": result.case.name,
                "file": str(file), "line": str(result.case.line)})
            if result.difference is not None:
                failure = ET.SubElement(case, "failure", {"message": result.difference})
                failure.text = result.difference
    root.set("tests", str(len(results)))
    root.set("failures", str(sum(not r.passed for r in results)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
