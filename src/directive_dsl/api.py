"""The pipeline in one place: text → syntax tree → checked directive → report.

``parse`` (parser.py) gives the syntax tree; ``check`` (check/) resolves names
and units; ``CheckedDirective.evaluate`` binds data, plans the rules, runs an
engine and builds the report (evaluate.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from .check import check
from .check.scope import read_text
from .model import CheckedDirective
from .parser import parse_partial
from .source import Source


def loads(
    text: str, filename: str = "<string>", *, allow_outside: bool = False
) -> CheckedDirective:
    """Parse and check directive *text*; imports and ``from`` paths resolve beside *filename*.

    >>> directive = loads('''
    ... dataset trade
    ...   time year
    ...   dimensions partner
    ...   measure value USD
    ... rule cn "Exports to China":
    ...   require trade.value[partner = "CN"] >= 5 million USD per year
    ... ''')
    >>> [rule.id for rule in directive.rules]
    ['cn']
    """
    source = Source(text, filename)
    partial = parse_partial(source)
    return check(
        partial.module,
        source,
        allow_outside=allow_outside,
        syntax_errors=partial.diagnostics,
        broken_names=partial.broken_names,
    )


def load(path: str | os.PathLike[str], *, allow_outside: bool = False) -> CheckedDirective:
    """Read, parse and check the directive file at *path*.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "targets.directive").write_text('require trade >= 5 per year')
    >>> load(folder / "targets.directive").rules[0].id
    'targets:1'
    """
    file = Path(path)
    return loads(read_text(file), str(file), allow_outside=allow_outside)
