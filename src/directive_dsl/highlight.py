"""Syntax highlighting for directive files with Pygments: ``pygmentize -l directive``.

The lexer is registered as the ``pygments.lexers`` entry point ``directive``,
so Sphinx, MkDocs and anything else built on Pygments highlight
````directive`` code blocks once the package is installed. Only this module
imports Pygments; the rest of the package runs without it.

>>> from pygments import highlight
>>> from pygments.formatters import NullFormatter
>>> highlight('let EU = ["AT"]', DirectiveLexer(), NullFormatter())
'let EU = ["AT"]\\n'
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, default, include, words
from pygments.token import (
    Comment,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Whitespace,
)

from .aggregates import NAMES

__all__ = ["DirectiveLexer"]

_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_QUOTED = r"`[^`\n]+`"
_ANY_NAME = rf"(?:{_NAME}|{_QUOTED})"
_NUMBER = r"[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9]+)?"
_PERIOD = r"[0-9]{4}-(?:[Qq][0-9]+|[0-9]{1,2})\b"
_COMPOUND_UNIT = rf"{_NAME}(?:[/*]{_NAME})+"

#: Words that start a statement.
DECLARATIONS = ("directive", "dataset", "domain", "unit", "let", "import", "rule", "require", "waive")
#: Words of header, dataset and waiver clauses.
CLAUSES = ("period", "to", "source", "owner", "from", "with", "time", "dimensions", "measure",
           "aggregate", "fill", "as", "of", "until", "because")
#: The options of a dataset's file, after `with` (names, not keywords, elsewhere).
FILE_OPTIONS = ("delimiter", "decimal", "encoding", "header", "sheet")
#: Words of time clauses and periods.
TIME_WORDS = ("per", "in", "by", "at", "total", "year", "quarter", "month")
#: Words that join conditions.
OPERATOR_WORDS = ("and", "or", "not", "between")
#: Magnitudes after a number.
MAGNITUDES = ("thousand", "million", "billion", "trillion")
#: The functions of the language: the aggregates, then the functions of values.
FUNCTIONS = (*NAMES, "share", "growth", "change")

_KEYWORDS = DECLARATIONS + CLAUSES + TIME_WORDS + OPERATOR_WORDS + MAGNITUDES


class DirectiveLexer(RegexLexer):  # type: ignore[misc]
    """Pygments lexer for the directive language (``*.directive``)."""

    name = "Directive"
    aliases: ClassVar[list[str]] = ["directive"]
    filenames: ClassVar[list[str]] = ["*.directive"]
    mimetypes: ClassVar[list[str]] = ["text/x-directive"]
    url = "https://github.com/directive-dsl/directive_dsl"

    tokens: ClassVar[dict[str, list[object]]] = {
        "root": [
            include("space"),
            (rf"(@)({_NAME})", bygroups(Name.Decorator, Name.Decorator)),
            (
                rf"\b(let|domain)(\s+)({_ANY_NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Variable),
            ),
            (
                rf"\b(dataset)(\s+)({_ANY_NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Class),
            ),
            (
                rf"\b(unit)(\s+)({_ANY_NAME})",
                bygroups(Keyword.Declaration, Whitespace, Name.Constant),
            ),
            (rf"\b(rule|waive)(\s+)({_ANY_NAME})", bygroups(Keyword.Declaration, Whitespace, Name.Label)),
            (r"\bimport\b", Keyword.Namespace),
            (words(DECLARATIONS, prefix=r"\b", suffix=r"\b"), Keyword.Declaration),
            (rf"\b(time)(\s+)({_ANY_NAME})", bygroups(Keyword, Whitespace, Name.Attribute)),
            (rf"\b(aggregate)(\s+)({_ANY_NAME})", bygroups(Keyword, Whitespace, Name.Builtin)),
            (
                rf"\b(measure)(\s+)({_ANY_NAME})",
                bygroups(Keyword, Whitespace, Name.Attribute),
                "unit",
            ),
            # A file option is followed by its value: `delimiter ";"`, `header 3`.
            (words(FILE_OPTIONS, prefix=r"\b", suffix=r'\b(?=[ \t]*["0-9])'), Keyword.Pseudo),
            (words(CLAUSES + TIME_WORDS, prefix=r"\b", suffix=r"\b"), Keyword),
            (words(OPERATOR_WORDS, prefix=r"\b", suffix=r"\b"), Operator.Word),
            (words(MAGNITUDES, prefix=r"\b", suffix=r"\b"), Keyword.Constant),
            (_PERIOD, Literal.Date),
            (_NUMBER, Number, "unit"),
            (r'"', String.Double, "string"),
            (rf"(\.)(\s*)({_ANY_NAME})", bygroups(Punctuation, Whitespace, Name.Attribute)),
            (
                words(FUNCTIONS, prefix=r"\b", suffix=r"(?=\s*\()"),
                Name.Builtin,
            ),
            (rf"{_NAME}(?=\s*\()", Name.Function),
            (_QUOTED, Name.Variable),
            (_NAME, Name),
            (r">=|<=|!=|[<>=+\-*/]", Operator),
            (r"%", Keyword.Type),
            (r"[\[\](),:]", Punctuation),
        ],
        "space": [
            (r"\s+", Whitespace),
            (r"#.*?$", Comment.Single),
        ],
        # After a number or a measure's column: an optional magnitude and unit.
        "unit": [
            (r"[ \t]+", Whitespace),
            (r"%", Keyword.Type, "#pop"),
            (words(MAGNITUDES, prefix=r"\b", suffix=r"\b"), Keyword.Constant),
            (_COMPOUND_UNIT, Keyword.Type, "#pop"),
            (rf"(?!(?:{'|'.join(_KEYWORDS)})\b){_NAME}\b", Keyword.Type, "#pop"),
            default("#pop"),
        ],
        "string": [
            (r'\\(?:["\\nt]|u[0-9A-Fa-f]{4})', String.Escape),
            (r'[^"\\\n]+', String.Double),
            (r'"', String.Double, "#pop"),
            (r"\\.?", String.Escape),  # an escape the language does not have
            (r"\n", String.Double, "#pop"),  # an unterminated string ends at the line
        ],
    }
