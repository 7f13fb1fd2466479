"""Reading a directive and its imports into one scope of declarations.

Imports bring in datasets, domains, units and lets (never rules); they are
resolved relative to the importing file, may not leave the directive's folder
unless allowed, and a cycle is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from .. import nodes as n
from ..errors import (
    Diagnostic,
    DirectiveError,
    DirectiveNameError,
    DirectiveSyntaxError,
    DirectiveUsageError,
)
from ..parser import parse_source
from ..source import Source

MAX_IMPORTS = 100


@attrs.define
class Declared:
    """A declaration and the folder of the file it came from."""

    node: n.Dataset | n.Domain | n.UnitDef | n.Let
    base_dir: Path


@attrs.define
class Scope:
    """Everything a directive declares, imports included, with diagnostics found on the way."""

    root: n.Module
    source: Source
    base_dir: Path
    declarations: list[Declared] = attrs.Factory(list)
    diagnostics: list[Diagnostic] = attrs.Factory(list)

    def error(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)


def read_text(path: Path) -> str:
    """A directive file's text; non-UTF-8 and unreadable files become DirectiveErrors."""
    shown = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DirectiveUsageError(f"no such file: {shown}", code="E700", file=shown) from None
    except IsADirectoryError:
        raise DirectiveUsageError(
            f"{shown} is a folder, not a directive file", code="E700", file=shown
        ) from None
    except OSError as error:
        raise DirectiveUsageError(
            f"cannot read {shown}: {error.strerror}", code="E700", file=shown
        ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise DirectiveSyntaxError(
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02x} at line {line})",
            code="E111",
            file=shown,
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def build_scope(
    module: n.Module,
    source: Source,
    *,
    base_dir: Path,
    allow_outside: bool = False,
    reader: Callable[[Path], str] = read_text,
) -> Scope:
    """Collect the declarations of *module* and, depth first, of every file it imports."""
    scope = Scope(root=module, source=source, base_dir=base_dir)
    root_dir = base_dir.resolve()
    this_file = Path(source.path).resolve() if not source.path.startswith("<") else None
    loaded: set[Path] = set()
    _collect(
        scope,
        module,
        base_dir,
        [this_file] if this_file else [],
        loaded,
        root_dir,
        allow_outside,
        reader,
    )
    return scope


def _collect(
    scope: Scope,
    module: n.Module,
    folder: Path,
    chain: list[Path],
    loaded: set[Path],
    root_dir: Path,
    allow_outside: bool,
    reader: Callable[[Path], str],
) -> None:
    for statement in module.statements:
        if isinstance(statement, n.Import):
            _import(scope, statement, folder, chain, loaded, root_dir, allow_outside, reader)
        elif isinstance(statement, n.Dataset | n.Domain | n.UnitDef | n.Let):
            scope.declarations.append(Declared(statement, folder))


def _import(
    scope: Scope,
    statement: n.Import,
    folder: Path,
    chain: list[Path],
    loaded: set[Path],
    root_dir: Path,
    allow_outside: bool,
    reader: Callable[[Path], str],
) -> None:
    written = statement.path.value
    target = (folder / written).resolve()
    if not allow_outside and (Path(written).is_absolute() or not target.is_relative_to(root_dir)):
        scope.error(
            Diagnostic.at(
                statement.path.span,
                "E207",
                f"import `{written}` leaves the directive's folder",
                hint="keep imported files beside the directive, or allow paths outside it",
                kind=DirectiveNameError,
            )
        )
        return
    if target in chain:
        cycle = " -> ".join(p.name for p in [*chain[chain.index(target) :], target])
        scope.error(
            Diagnostic.at(statement.span, "E208", f"import cycle: {cycle}", kind=DirectiveNameError)
        )
        return
    if target in loaded:
        return  # imported twice along different paths: once is enough
    if len(loaded) >= MAX_IMPORTS:
        scope.error(
            Diagnostic.at(statement.span, "E207", f"more than {MAX_IMPORTS} imported files")
        )
        return
    loaded.add(target)
    try:
        text = reader(target)
        source = Source(text, str(target))
        module = parse_source(source)
    except DirectiveError as error:
        if error.code == "E700":
            scope.error(
                Diagnostic.at(
                    statement.path.span,
                    "E207",
                    f"cannot import `{written}`: {error.message}",
                    kind=DirectiveNameError,
                )
            )
        else:
            scope.diagnostics.extend(error.diagnostics)
        return
    _collect(
        scope, module, target.parent, [*chain, target], loaded, root_dir, allow_outside, reader
    )
