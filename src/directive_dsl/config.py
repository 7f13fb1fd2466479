"""Defaults for the command line from ``directive.toml`` or ``[tool.directive]`` (SPEC §13.10).

The configuration is looked for in the folder that holds the files named on
the command line (their common folder; the working folder when none are
named) and then in each folder above it. In each folder ``directive.toml``
comes first, then a ``pyproject.toml`` that has a ``[tool.directive]`` table;
a ``pyproject.toml`` without one is passed over, as ruff and pytest do.

Keys are the long options of the command line, with dashes or underscores
(``as-of`` or ``as_of``). Paths in the file (``data-dir``, ``output``, the
PATH of ``data``) are relative to the file's folder. The command line wins.
"""

from __future__ import annotations

import argparse
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import attrs

from .errors import DirectiveUsageError, listing, suggest

Kind = Literal["text", "flag", "list"]
CONFIG_FILE = "directive.toml"
#: Options whose values are paths, resolved against the configuration file's folder.
PATH_OPTIONS = frozenset({"data_dir", "output"})
#: Options that are never read from a file: what to run on, and one-off switches.
COMMAND_LINE_ONLY = frozenset({"files", "file", "command", "show_config", "help", "version"})


@attrs.frozen
class Option:
    """One long option as the configuration file may set it."""

    dest: str
    kind: Kind
    choices: tuple[str, ...] | None = None


@attrs.frozen
class Setting:
    """A value in effect and where it came from (``path:line``, or ``default``)."""

    dest: str
    value: object
    origin: str


@attrs.frozen
class Config:
    """The defaults a configuration file sets, by option destination."""

    path: Path | None
    values: Mapping[str, object] = attrs.field(factory=dict)
    lines: Mapping[str, int] = attrs.field(factory=dict)

    def origin(self, dest: str) -> str:
        if self.path is None or dest not in self.values:
            return "default"
        return f"{self.path}:{self.lines.get(dest, 1)}"


def options_of(parser: argparse.ArgumentParser) -> dict[str, Option]:
    """The options of a (sub)command that a configuration file may set."""
    found: dict[str, Option] = {}
    for action in parser._actions:  # argparse keeps no public list of its actions
        longs = [s for s in action.option_strings if s.startswith("--")]
        if not longs or action.dest in COMMAND_LINE_ONLY:
            continue
        if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction):
            kind: Kind = "flag"
        elif isinstance(action, argparse._AppendAction):
            kind = "list"
        else:
            kind = "text"
        choices = tuple(str(c) for c in action.choices) if action.choices else None
        found[action.dest] = Option(action.dest, kind, choices)
    return found


def find_config(files: Sequence[str] = (), cwd: Path | None = None) -> Path | None:
    """The nearest configuration file for *files* (or for the working folder)."""
    here = (cwd or Path.cwd()).resolve()
    folders = [(here / f).resolve().parent for f in files if f != "-"]
    start = Path(os.path.commonpath(folders)) if folders else here
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def load_config(path: Path | None, options: Mapping[str, Option]) -> Config:
    """The defaults *path* sets for *options*; an empty config when *path* is None."""
    if path is None:
        return Config(None)
    text = _read(path)
    document = parse_toml(path, text, code="E710")
    table = document.get("tool", {}).get("directive", {}) if path.name == "pyproject.toml" else document
    values: dict[str, object] = {}
    lines: dict[str, int] = {}
    for key, raw in table.items():
        dest = key.replace("-", "_")
        line = _line_of(text, key)
        option = options.get(dest)
        if option is None:
            raise _config_error(
                path, line, f"unknown option `{key}` in {path.name}",
                suggest(dest, options)
                or f"the options are {listing(sorted(o.replace('_', '-') for o in options))}",
            )
        values[dest] = _value(path, key, line, option, raw)
        lines[dest] = line
    return Config(path, values, lines)


def given_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> set[str]:
    """The destinations of the options *argv* sets on *parser*, a (sub)command's parser."""
    saved = [(action, action.default) for action in parser._actions]
    try:
        for action, _ in saved:
            action.default = argparse.SUPPRESS
        given, _ = parser.parse_known_args(argv)
    finally:
        for action, default in saved:
            action.default = default
    return set(vars(given))


def apply(args: argparse.Namespace, config: Config, given: set[str]) -> list[Setting]:
    """Fill what the command line left out from *config*; every option's value and origin."""
    found = []
    for dest in sorted(vars(args)):
        if dest in COMMAND_LINE_ONLY:
            continue
        if dest in given:
            origin = "command line"
        elif dest in config.values:
            setattr(args, dest, config.values[dest])
            origin = config.origin(dest)
        else:
            origin = "default"
        found.append(Setting(dest, getattr(args, dest), origin))
    return found


# ---------------------------------------------------------------- reading


def parse_toml(path: Path, text: str, *, code: str = "E700") -> dict[str, Any]:
    """The TOML document in *text*; a syntax error located at its line and column."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python before 3.14 keeps the position only in the message: "(at line 3, column 9)".
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise DirectiveUsageError(
            f"{path.name} is not valid TOML: {message}",
            code=code,
            file=str(path),
            line=int(found.group(1)) if found else None,
            column=int(found.group(2)) if found else None,
            hint="see https://toml.io for the syntax",
        ) from None


def _has_tool_table(path: Path) -> bool:
    try:
        document = tomllib.loads(_read(path))
    except tomllib.TOMLDecodeError:
        return "[tool.directive]" in _read(path)  # ours but broken: report it when loaded
    return isinstance(document.get("tool", {}).get("directive"), dict)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise DirectiveUsageError(
            f"cannot read {path}: {getattr(error, 'strerror', None) or error}",
            code="E710",
            file=str(path),
        ) from None


def _line_of(text: str, key: str) -> int:
    """The line that sets *key* (tomllib keeps no positions), 1 when not found."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().strip('"')
        if stripped.startswith(key) and stripped[len(key) :].lstrip(' "').startswith("="):
            return number
    return 1


def _value(path: Path, key: str, line: int, option: Option, raw: object) -> object:
    def wrong(expected: str) -> DirectiveUsageError:
        return _config_error(path, line, f"option `{key}` in {path.name} must be {expected}, not {raw!r}")

    if option.kind == "flag":
        if not isinstance(raw, bool):
            raise wrong("true or false")
        return raw
    if option.kind == "list":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise wrong("a string or a list of strings")
        if option.dest == "data":
            return [_data_path(path, item) for item in items]
        return list(items)
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise wrong("a string")
    text = str(raw)
    if option.choices is not None and text not in option.choices:
        raise _config_error(
            path, line, f"option `{key}` in {path.name} must be one of {listing(option.choices)}, not `{text}`",
            suggest(text, option.choices),
        )
    if option.dest in PATH_OPTIONS:
        return str(path.parent / text)
    return text


def _config_error(path: Path, line: int, message: str, hint: str | None = None) -> DirectiveUsageError:
    return DirectiveUsageError(message, code="E710", file=str(path), line=line, column=1, hint=hint)


def _data_path(config: Path, item: str) -> str:
    """``NAME=PATH`` with PATH made relative to the configuration file's folder."""
    name, sep, rest = item.partition("=")
    if not sep:
        return item
    return f"{name}={config.parent / rest}"
