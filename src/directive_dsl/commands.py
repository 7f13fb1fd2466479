"""The parts of the command line beside ``check``: configuration, ``test`` and ``completion``.

``cli.py`` parses the command line; this module fills in what a
configuration file sets (SPEC §13.10), finds the files a command works on
when none are named, runs ``directive test`` and prints completion scripts.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .config import Option, apply, find_config, given_options, load_config, options_of
from .errors import DirectiveError, DirectiveUsageError

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


# ---------------------------------------------------------------- configuration


def apply_config(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: Sequence[str]) -> bool:
    """Fill *args* from the nearest configuration file; True when ``--show-config`` asked to stop.

    A key applies to every command that has that option; where a command's
    option takes other values (``format = "html"`` and ``directive test``),
    the key is left to the commands it fits.
    """
    commands: dict[str, argparse.ArgumentParser] = getattr(parser, "commands", {})
    command = commands.get(args.command)
    if command is None or args.command in ("init", "completion", "explain", "lsp"):
        return False
    known = _all_options(commands.values())
    path = find_config(_named_files(args))
    config = load_config(path, known)
    mine = options_of(command)
    fitting = {
        dest: value
        for dest, value in config.values.items()
        if dest in mine and _fits(mine[dest], value)
    }
    config = type(config)(config.path, fitting, config.lines)
    rest = list(argv)[list(argv).index(args.command) + 1 :] if args.command in argv else []
    settings = apply(args, config, given_options(command, rest))
    if not getattr(args, "show_config", False):
        return False
    where = str(path) if path is not None else "none found"
    print(f"configuration file: {where}")
    for setting in settings:
        if setting.dest == "show_config":
            continue
        name = "--" + setting.dest.replace("_", "-")
        print(f"{name} = {setting.value!r}  ({setting.origin})")
    return True


def _fits(option: Option, value: object) -> bool:
    return option.choices is None or value in option.choices


def _all_options(parsers: Iterable[argparse.ArgumentParser]) -> dict[str, Option]:
    """Every command's options; an option with choices in several commands takes them all."""
    found: dict[str, Option] = {}
    for parser in parsers:
        for dest, option in options_of(parser).items():
            seen = found.get(dest)
            if seen is not None and seen.choices is not None and option.choices is not None:
                option = Option(dest, option.kind, tuple(dict.fromkeys(seen.choices + option.choices)))
            elif seen is not None and seen.choices is None:
                option = seen
            found[dest] = option
    return found


def _named_files(args: argparse.Namespace) -> list[str]:
    for name in ("files", "paths"):
        value = getattr(args, name, None)
        if value:
            return [str(v) for v in value]
    single = getattr(args, "file", None)
    return [single] if single else []


def directive_files(files: Sequence[str]) -> list[str]:
    """The files named, or else the ``*.directive`` files of the working folder."""
    if files:
        return list(files)
    found = sorted(str(p) for p in Path(".").glob("*.directive"))
    if not found:
        raise DirectiveUsageError(
            "no directive file named, and none in this folder",
            hint="name one: `directive check targets.directive` (or `directive init` to start)",
        )
    return found


# ---------------------------------------------------------------- directive test


def run_tests(args: argparse.Namespace) -> int:
    """``directive test``: 0 when every case passes, 1 when one fails, 2 on an error."""
    from .engines.registry import make_engine
    from .testfiles import find_test_files, read_test_file, render_junit, render_text, run_test_file

    files = find_test_files(args.paths or ["."])
    if not files:
        raise DirectiveUsageError(
            f"no *.test.toml files in {', '.join(args.paths or ['.'])}",
            hint="write one (see `directive init`), or name a test file",
        )
    options = {"dsn": args.dsn} if args.dsn else {}
    engine = make_engine(args.engine, options)
    results = []
    try:
        for file in files:
            try:
                results.extend(run_test_file(read_test_file(file), engine=engine))
            except DirectiveError as error:
                print(error.render(), file=sys.stderr)
                return EXIT_ERROR
    finally:
        engine.close()
    text = render_junit(results) if args.format == "junit" else render_text(results)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise DirectiveUsageError(f"cannot write {args.output}: {error.strerror}") from None
    else:
        sys.stdout.write(text)
    return EXIT_OK if all(r.passed for r in results) else EXIT_FAILED


# ---------------------------------------------------------------- completion


def completion_script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for *shell*, written by shtab from the parser itself."""
    try:
        import shtab
    except ImportError:
        raise DirectiveUsageError(
            "shell completion needs shtab", hint="pip install 'directive_dsl[completion]'"
        ) from None
    script: str = shtab.complete(parser, shell=shell)
    return script if script.endswith("\n") else script + "\n"


def print_plan(args: argparse.Namespace, file: Path, data: dict[str, object],
               as_of: str | dict[str, str] | None) -> None:
    """`directive plan`: bind the data as `check` would, and print the plan instead of running it."""
    import json

    from .api import load
    from .evaluate import plan
    from .plan_text import describe_plan, plan_dict

    directive = load(file, allow_outside=args.allow_outside)
    bound = dict(data)
    if args.data_dir:
        from .cli_data import from_dir

        bound.update(from_dir(args.data_dir, directive.datasets, bound))
    options = {"dsn": args.dsn} if args.dsn else {}
    planned = plan(directive, bound, engine=args.engine, as_of=as_of, window=args.window,
                   missing=args.missing, allow_outside=args.allow_outside, engine_options=options)
    if args.format == "json":
        print(json.dumps(plan_dict(planned), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(describe_plan(planned))
