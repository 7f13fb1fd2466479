"""``directive fmt``: one canonical layout for directive files, comments kept where they stand.

:func:`format_source` parses the text (a syntax error raises, nothing is
half-formatted), lays the syntax tree out as a doc (layout.py, exprs.py), ties
every comment to the token it stands beside (tokens.py) and prints the doc
within :data:`WIDTH` columns (doc.py). The result parses to the same tree and
formats to itself. ``directive fmt [--check] FILE…`` (cli.py) is built on
:func:`format_source`.
"""

from __future__ import annotations

from pathlib import Path

from ..check.scope import read_text
from ..parser import parse
from .doc import render
from .layout import Layout
from .lines import keep_rule_lines, unnamed_rule_lines
from .tokens import TokenCursor

__all__ = ["WIDTH", "check_formatted", "format_file", "format_source"]

#: The line width the formatter breaks long lists and expressions at.
WIDTH = 88


def format_source(text: str, filename: str = "<string>") -> str:
    """The canonical layout of directive *text*; raises DirectiveSyntaxError if it does not parse.

    >>> print(format_source('let  EU=["AT",\\n"DE"]   # members'), end="")
    let EU = ["AT", "DE"]  # members
    >>> print(format_source('rule r "R": require x>=5 per year'), end="")
    rule r "R":
      require x >= 5 per year
    """
    text = text.removeprefix("\ufeff")
    module = parse(text, filename)
    cursor = TokenCursor(text)
    formatted = render(Layout(cursor).module(module), WIDTH)
    return keep_rule_lines(formatted, unnamed_rule_lines(module), filename)


def check_formatted(text: str, filename: str = "<string>") -> bool:
    """Whether *text* is already in the canonical layout (what ``directive fmt --check`` asks).

    >>> check_formatted("let x = 1\\n"), check_formatted("let x=1")
    (True, False)
    """
    return format_source(text, filename) == text


def format_file(path: str | Path, *, check: bool = False) -> bool:
    """Format the file at *path* in place (not with *check*); return whether it changed (or would)."""
    file = Path(path)
    text = read_text(file)
    formatted = format_source(text, str(file))
    if formatted == text:
        return False
    if not check:
        with file.open("w", encoding="utf-8", newline="\n") as out:
            out.write(formatted)
    return True
