"""Every mistake in a directive or its data is a :class:`DirectiveError`.

A stage collects :class:`Diagnostic` records (errors and warnings) and raises
once, with all of them, so a drafter sees every problem of a file in one go.
Printed, a diagnostic reads::

    targets.directive:12:11: error[E201]: unknown name `invesments`
       12 |   require invesments.amount >= 5 USD
          |           ^^^^^^^^^^
       = hint: did you mean `investments`?

Codes are stable: tools may match on them. They are listed in :data:`CODES`
and in docs/errors.md.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from .source import Span

Severity = Literal["error", "warning"]

#: Every diagnostic code, with the stage that raises it and a short title.
CODES: dict[str, str] = {
    # syntax
    "E100": "syntax error",
    "E101": "unexpected end of file",
    "E102": "invalid character",
    "E103": "invalid string escape",
    "E104": "invalid number or period",
    "E110": "input too large or too deeply nested",
    "E111": "file is not UTF-8 text",
    # names
    "E200": "duplicate definition",
    "E201": "unknown name",
    "E202": "unknown measure",
    "E203": "unknown dimension or column",
    "E204": "unknown function",
    "E205": "duplicate rule id",
    "E206": "ambiguous measure",
    "E207": "import error",
    "E208": "import cycle",
    "E209": "unknown rule id",
    # units
    "E300": "unit mismatch",
    "E301": "unknown unit",
    "E302": "currencies do not convert",
    # types and meaning
    "E400": "invalid annotation",
    "E401": "wrong number of arguments",
    "E402": "wrong kind of argument",
    "E403": "time clause required",
    "E404": "invalid period",
    "E405": "invalid grain",
    "E406": "invalid header",
    "E407": "invalid expression here",
    "E408": "invalid dataset declaration",
    "E409": "invalid waiver condition",
    # data
    "E500": "data file error",
    "E501": "missing column",
    "E502": "non-numeric value",
    "E503": "invalid time value",
    "E504": "empty data",
    "E505": "duplicate column",
    "E506": "dataset not bound",
    "E507": "grain too fine for the data",
    "E508": "unsupported data",
    "E509": "path not allowed",
    "E510": "text compared with a column of numbers",
    "E511": "unknown unit in a unit column",
    "E512": "units of different kinds added up",
    "E513": "every row in one cell (another delimiter)",
    "E514": "no header where one is expected",
    # engines and usage
    "E600": "engine error",
    "E700": "usage error",
    "E710": "invalid configuration file",
    # warnings
    "W100": "unknown unit compared with a unit",
    "W101": "rule without time clause",
    "W102": "measure deferred to the data",
    "W103": "plain number compared with a percentage",
    "W110": "values in different units added up",
    "W120": "waiver that excuses nothing",
}


@attrs.frozen(kw_only=True)
class Diagnostic:
    """One error or warning, located in a file."""

    code: str
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: Severity = "error"
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    kind: type[DirectiveError] | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def at(
        cls,
        span: Span | None,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        severity: Severity = "error",
        kind: type[DirectiveError] | None = None,
    ) -> Diagnostic:
        """A diagnostic pointing at *span* in a directive file."""
        if span is None:
            return cls(code=code, message=message, hint=hint, severity=severity, kind=kind)
        return cls(
            code=code,
            message=message,
            file=span.file,
            line=span.line,
            column=span.column,
            hint=hint,
            severity=severity,
            span=span,
            kind=kind,
        )

    def render(self) -> str:
        """``file:line:col: error[CODE]: message``, the source line, a caret and the hint."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        lines = [f"{where}: {self.severity}[{self.code}]: {self.message}"]
        if self.span is not None and self.span.source.text:
            lines.extend(_excerpt(self.span))
        if self.hint:
            lines.append(f"   = hint: {self.hint}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "hint": self.hint,
        }


_EXCERPT_WIDTH = 100


def _excerpt(span: Span) -> list[str]:
    """The source line and a caret under the span, cut to a window around it when long."""
    text = "".join(
        ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}"
        for ch in span.source.line(span.line).expandtabs(1)
    )
    start = span.column - 1
    width = span.end_column - span.column if span.end_line == span.line else len(text) - start
    width = max(1, min(width, max(1, len(text) - start), _EXCERPT_WIDTH // 2))
    left = 0
    if len(text) > _EXCERPT_WIDTH:
        left = max(0, min(start - _EXCERPT_WIDTH // 4, len(text) - _EXCERPT_WIDTH))
        shown = text[left : left + _EXCERPT_WIDTH]
        text = ("…" if left else "") + shown + ("…" if left + _EXCERPT_WIDTH < len(text) else "")
        start = start - left + (1 if left else 0)
    number = str(span.line)
    return [f" {number} | {text}", f" {' ' * len(number)} | {' ' * start}{'^' * width}"]


class DirectiveError(Exception):
    """The root of every error this package raises about a directive or its data.

    ``code``, ``message``, ``file``, ``line``, ``column`` and ``hint`` describe
    the first problem; ``diagnostics`` holds all of them (warnings included).
    """

    default_code = "E100"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        span: Span | None = None,
        hint: str | None = None,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        diagnostics: Sequence[Diagnostic] = (),
    ) -> None:
        primary = Diagnostic.at(span, code or self.default_code, message, hint=hint, kind=type(self))
        if span is None and (file or line or column):
            primary = attrs.evolve(primary, file=file, line=line, column=column)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics) or (primary,)
        first = next((d for d in self.diagnostics if d.severity == "error"), self.diagnostics[0])
        self.code = first.code
        self.message = first.message
        self.file = first.file
        self.line = first.line
        self.column = first.column
        self.hint = first.hint
        self.span = first.span
        super().__init__(self.render())

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()

    @classmethod
    def from_diagnostics(cls, diagnostics: Iterable[Diagnostic]) -> DirectiveError:
        """One error carrying all *diagnostics*, of the class of the first error among them."""
        found = tuple(diagnostics)
        first = next((d for d in found if d.severity == "error"), None)
        kind = (first.kind if first is not None else None) or cls
        return kind(first.message if first else "no errors", diagnostics=found)


class DirectiveSyntaxError(DirectiveError):
    """The text does not follow the grammar."""

    default_code = "E100"


class DirectiveNameError(DirectiveError):
    """A name that is not defined, defined twice, or not of the right kind."""

    default_code = "E201"


class DirectiveUnitError(DirectiveError):
    """Units that do not match or do not convert."""

    default_code = "E300"


class DirectiveCheckError(DirectiveError):
    """A well-formed directive that does not make sense (arity, annotations, periods)."""

    default_code = "E400"


class DirectiveDataError(DirectiveError):
    """Bound data that cannot be read or does not fit the declarations."""

    default_code = "E500"


class DirectiveEngineError(DirectiveError):
    """An engine failed to run a plan."""

    default_code = "E600"


class DirectiveUsageError(DirectiveError):
    """A call that is wrong in itself: an unknown option value, a missing file."""

    default_code = "E700"


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to *name*, if any is close enough to be a typo."""
    pool = sorted(set(candidates))
    matches = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return matches[0] if matches else None


def suggest(name: str, candidates: Iterable[str], prefix: str = "") -> str | None:
    """``did you mean `x`?`` for the closest candidate, if any is close."""
    match = closest(name, candidates)
    return f"did you mean `{prefix}{match}`?" if match else None


def listing(names: Iterable[str]) -> str:
    """`a`, `b` and `c`."""
    quoted = [f"`{n}`" for n in names]
    if not quoted:
        return "none"
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]
