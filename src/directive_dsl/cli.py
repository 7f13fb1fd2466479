"""The `directive` command: check, lint, fmt, compile and lsp (SPEC §11).

Exit codes: 0 no error-severity violation (``--strict``: none at all), 1
violations (or, for ``fmt --check``, files that would change), 2 a usage,
directive or data error. Errors go to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .cli_data import as_of_option, data_options, existing, from_dir
from .engines.registry import DEFAULT_ENGINE, engine_help
from .errors import DirectiveError, DirectiveUsageError
from .i18n import LOCALES

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "markdown", "junit", "sarif", "html", "github", "tap", "xlsx")
_EXTENSIONS = {
    ".json": "json",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xml": "junit",
    ".sarif": "sarif",
    ".txt": "text",
    ".tap": "tap",
    ".xlsx": "xlsx",
}


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors in our own words, exit code 2."""

    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"directive: error[E700]: {message}\n")


def _add_output_options(command: argparse.ArgumentParser) -> None:
    """-q/-v and --color, as ruff and pytest have them."""
    command.add_argument("-q", "--quiet", action="store_true",
                         help="print no warnings or notes, only the report and errors")
    command.add_argument("-v", "--verbose", action="store_true",
                         help="also say what was read and how long each step took")
    command.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                         help="colours in text: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces)")


def _add_run_options(command: argparse.ArgumentParser) -> None:
    """What data to bind and how: shared by `check` and `plan`."""
    command.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="bind a dataset to a file (repeatable); options after ?: "
        "PATH?delimiter=;&decimal=,&encoding=cp1251&header=2&sheet=NAME",
    )
    command.add_argument(
        "--data-dir", metavar="DIR",
        help="find DIR/NAME.csv|.tsv|.json|.jsonl|.parquet|.xlsx|.xlsm|.xls|.ods"
    )
    command.add_argument(
        "--engine", default=DEFAULT_ENGINE, help=engine_help()
    )
    command.add_argument("--dsn", help="PostgreSQL connection string, for --engine postgres")
    command.add_argument(
        "--as-of", metavar="[NAME=]P", action="append",
        help="evaluate as if data after period P did not exist; NAME=P sets one dataset's as-of "
             "(repeatable)",
    )
    command.add_argument("--window", metavar="P..P", help="the evaluation window, e.g. 2026..2030")
    command.add_argument(
        "--missing",
        choices=("fail", "warn", "ignore"),
        help="how missing values count, for rules without @missing",
    )
    command.add_argument(
        "--allow-outside",
        action="store_true",
        help="let `from` paths and imports leave the directive's folder",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="directive", description="Check quantitative policy targets against data."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = commands.add_parser("check", help="evaluate directives against data")
    check.add_argument(
        "files", nargs="*", metavar="FILE", help="directive files (default: *.directive here)"
    )
    _add_run_options(check)
    check.add_argument(
        "--format",
        choices=FORMATS,
        help="text (default), or by --output's extension",
    )
    check.add_argument(
        "--output", metavar="PATH", help="write the report here (atomically) instead of stdout"
    )
    check.add_argument("--locale", choices=LOCALES, default="en",
                       help="the language of the report's words and numbers: en (default), ru or be")
    check.add_argument("--all", action="store_true", help="list every outcome, passing ones too")
    check.add_argument(
        "--strict", action="store_true", help="the same as --fail-on warning"
    )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        help="exit 1 on violations of severity error (default), on any violation, or never",
    )
    _add_output_options(check)
    check.add_argument(
        "--watch", action="store_true",
        help="run again when a directive or a data file changes (Ctrl-C stops; the [watch] extra)",
    )
    check.add_argument(
        "--show-config",
        action="store_true",
        help="print the options in effect and where each came from, then stop",
    )

    lint = commands.add_parser("lint", help="check syntax, names and units; no data needed")
    lint.add_argument("files", nargs="+", metavar="FILE")
    lint.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                      help="text (default): diagnostics on stderr; json, sarif or github on stdout")

    fmt = commands.add_parser("fmt", help="rewrite files in the canonical layout")
    fmt.add_argument("files", nargs="+", metavar="FILE", help="files, or - for stdin to stdout")
    fmt.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if a file would change"
    )

    compile_ = commands.add_parser(
        "compile", help="print per rule the SQL that yields its outcomes (pass, fail, …)"
    )
    compile_.add_argument("file", metavar="FILE")
    compile_.add_argument(
        "--dialect", default="duckdb", help="any sqlglot dialect: duckdb, spark, postgres, …"
    )
    compile_.add_argument(
        "--scans", action="store_true",
        help="print instead the aggregate query per dataset that the SQL engines run",
    )

    plan = commands.add_parser(
        "plan", help="print what a check would compute: per dataset the scans, per rule the periods"
    )
    plan.add_argument("file", metavar="FILE")
    _add_run_options(plan)
    plan.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    commands.add_parser("lsp", help="run the language server on stdio (needs the [lsp] extra)")

    explain = commands.add_parser(
        "explain", help="what an error or warning code means, with an example"
    )
    explain.add_argument("code", nargs="?", metavar="CODE", help="e.g. E201")
    explain.add_argument("--list", action="store_true", help="list every code")

    test = commands.add_parser("test", help="run the cases of *.test.toml files")
    test.add_argument(
        "paths", nargs="*", metavar="PATH", help="test files, or folders holding them (default: .)"
    )
    test.add_argument("--engine", default=DEFAULT_ENGINE, help=engine_help())
    test.add_argument("--dsn", help="PostgreSQL connection string, for --engine postgres")
    test.add_argument("--format", choices=("text", "junit"), help="text (default) or junit")
    test.add_argument("--output", metavar="PATH", help="write the results here instead of stdout")

    init = commands.add_parser("init", help="write a starter directive, data, a test and a config")
    init.add_argument("folder", nargs="?", default=".", metavar="DIR")

    completion = commands.add_parser("completion", help="print a shell completion script")
    completion.add_argument("shell", choices=("bash", "zsh", "fish"))
    parser.commands = dict(commands.choices)
    return parser


def run() -> None:
    """The `directive` command: :func:`main`, with the collector of reference cycles tuned for
    a command, then a quick exit with its code.

    A run makes mostly objects that live to its end (modules, classes, the
    statements' trees), and the collector's default of a pass every 700 new
    objects spent 30 ms of a 0.45 s `directive check` walking them: a pass every
    100,000, as mypy does, still frees a run's cycles as it goes. As the
    interpreter ends it collects once more every object the modules made:
    another 50-70 ms, for memory the process gives back anyway. They are frozen
    instead (``gc.freeze``: left out of every later collection); the exit
    handlers, which write the caches, run as before.
    """
    gc.set_threshold(100_000, 20, 20)
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {
        "check": _check,
        "lint": _lint,
        "fmt": _fmt,
        "compile": _compile,
        "plan": _plan,
        "lsp": _lsp,
        "explain": _explain,
        "test": _test,
        "init": _init,
        "completion": _completion,
    }
    try:
        from .commands import apply_config

        if apply_config(parser, args, sys.argv[1:] if argv is None else list(argv)):
            return EXIT_OK  # --show-config
        return handlers[args.command](args)
    except DirectiveError as error:
        _print_error(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130


def _version() -> str:
    from .version import __version__

    return __version__


def _print_error(error: DirectiveError) -> None:
    print(error.render(), file=sys.stderr)


# ---------------------------------------------------------------- check


def _check(args: argparse.Namespace) -> int:
    from .commands import directive_files

    args.files = directive_files(args.files)
    if args.watch:
        from .watch import watch

        return watch(args, lambda: _check_once(args))
    return _check_once(args)


def _check_once(args: argparse.Namespace) -> int:
    from .api import load
    from .formats.combined import render_many
    from .progress_bar import terminal_progress


    fmt = args.format or _default_format(args.output)
    data = data_options(args.data)
    options: dict[str, Any] = {}
    if args.dsn:
        options["dsn"] = args.dsn
    reports = []
    try:
        for file in args.files:
            directive = load(existing(file), allow_outside=args.allow_outside)
            bound = dict(data)
            if args.data_dir:
                bound.update(from_dir(args.data_dir, directive.datasets, bound))
            for warning in directive.warnings:
                if warning.code != "W102" and not args.quiet:  # W102: resolved against the data now
                    print(warning.render(), file=sys.stderr)
            started = time.perf_counter()
            with terminal_progress(sys.stderr, quiet=args.quiet, locale=args.locale) as progress:
                report = directive.evaluate(
                    bound,
                    engine=args.engine,
                    as_of=as_of_option(args.as_of),
                    window=args.window,
                    missing=args.missing,
                    allow_outside=args.allow_outside,
                    progress=progress,
                    **options,
                )
            reports.append(report)
            if args.verbose:
                _say_what_was_read(file, report, args.engine, time.perf_counter() - started)
        for report in reports:
            for warning in report.warnings if not args.quiet else ():
                print(warning.render(), file=sys.stderr)
        if fmt == "xlsx":
            from .formats.xlsx import render_bytes

            _emit_bytes(render_bytes(reports, include_passing=args.all, locale=args.locale), args.output)
        else:
            color = fmt == "text" and args.output is None and _color(args.color, sys.stdout)
            _emit(render_many(reports, fmt, include_passing=args.all, color=color, locale=args.locale),
                  args.output)
    except DirectiveError:
        raise  # an old report at --output stays as it was (SPEC §13.10)
    fail_on = args.fail_on or ("warning" if args.strict else "error")
    if fail_on == "error" and any(not r.ok for r in reports):
        return EXIT_VIOLATIONS
    if fail_on == "warning" and any(r.violations for r in reports):
        return EXIT_VIOLATIONS
    return EXIT_OK


def _color(choice: str, stream: Any) -> bool:
    """Whether to paint: --color, then NO_COLOR and FORCE_COLOR (https://no-color.org), then a terminal."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(stream.isatty())


def _say_what_was_read(file: str, report: Any, engine: str, seconds: float) -> None:
    print(f"directive: {file}: {len(report.rules)} rules judged on {engine} in {seconds:.2f} s, "
          f"as of {report.as_of or 'no data'}", file=sys.stderr)


def _emit_bytes(data: bytes, output: str | None) -> None:
    if output is not None:
        _write_atomically(Path(output), data)
    elif sys.stdout.isatty():
        raise DirectiveUsageError("an xlsx workbook is not for a terminal",
                                  hint="write it to a file: --output report.xlsx")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _default_format(output: str | None) -> str:
    if output is not None:
        return _EXTENSIONS.get(Path(output).suffix.lower(), "text")
    return "text"  # whether or not the output is a terminal (SPEC §13.10)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    _write_atomically(Path(output), text)


def _write_atomically(path: Path, text: str | bytes, *, mode: int | None = None) -> None:
    """Write *path* so that it holds either the old content or all of the new, never half.

    The new file gets the usual permissions (0666 less the umask: 0644 mostly),
    or *mode*; a path that is a folder, or a folder that cannot be written, is a
    usage error that leaves everything as it was.
    """
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise DirectiveUsageError(
            f"cannot write {path}: it is a folder", hint="name a file: --output report.html"
        )
    if not folder.is_dir():
        raise DirectiveUsageError(f"cannot write {path}: the folder {folder} does not exist")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    except OSError as error:
        raise DirectiveUsageError(
            f"cannot write {path}: {error.strerror or error}",
            hint="choose a folder you may write to",
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.chmod(temporary, mode if mode is not None else 0o666 & ~_umask())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise DirectiveUsageError(f"cannot write {path}: {error.strerror or error}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# ---------------------------------------------------------------- lint


def _lint(args: argparse.Namespace) -> int:
    from .api import load
    from .formats.diagnostics import Linted

    status = EXIT_OK
    linted = []
    for file in args.files:
        try:
            directive = load(existing(file))
        except DirectiveError as error:
            if args.format == "text":
                _print_error(error)
            linted.append(Linted(file, False, 0, error.diagnostics))
            status = EXIT_ERROR
            continue
        linted.append(Linted(file, True, len(directive.rules), tuple(directive.warnings)))
        if args.format != "text":
            continue
        for warning in directive.warnings:
            print(warning.render(), file=sys.stderr)
        rules = len(directive.rules)
        note = (
            f", {len(directive.warnings)} warning{'s' * (len(directive.warnings) != 1)}"
            if directive.warnings
            else ""
        )
        print(f"{file}: ok ({rules} rule{'s' * (rules != 1)}{note})")
    if args.format != "text":
        from .formats import diagnostics

        renderers = {"json": diagnostics.render_json, "sarif": diagnostics.render_sarif,
                     "github": diagnostics.render_github}
        sys.stdout.write(renderers[args.format](linted))
    return status


# ---------------------------------------------------------------- fmt


def _fmt(args: argparse.Namespace) -> int:
    from .fmt import format_source

    status = EXIT_OK
    for file in args.files:
        if file == "-":
            text = sys.stdin.read()
            formatted = format_source(text, "<stdin>")
            if args.check:
                status = max(status, EXIT_VIOLATIONS if formatted != text else EXIT_OK)
            else:
                sys.stdout.write(formatted)
            continue
        from .check.scope import read_text

        path = existing(file)
        try:
            text = read_text(path)
            formatted = format_source(text, file)
        except DirectiveError as error:
            _print_error(error)
            status = EXIT_ERROR
            continue
        if formatted == text:
            continue
        if args.check:
            print(f"would reformat {file}")
            status = max(status, EXIT_VIOLATIONS)
        else:
            _write_atomically(path, formatted, mode=path.stat().st_mode & 0o7777)
            print(f"reformatted {file}", file=sys.stderr)
    return status


# ---------------------------------------------------------------- compile and lsp


def _compile(args: argparse.Namespace) -> int:
    from .api import load
    from .engines.sql.compile import check_dialect, comment_text, compile_rules, quietly

    check_dialect(args.dialect)
    directive = load(existing(args.file))
    with quietly() as unsupported:
        if args.scans:
            from .engines.sql.compile import compile_sql

            statements = [([heading], sql) for heading, sql in compile_sql(directive, args.dialect)]
        else:
            statements = compile_rules(directive, args.dialect)
    for heading, sql in statements:
        for line in heading:
            print(f"-- {comment_text(line)}")
        print(sql.rstrip().rstrip(";") + ";")
        print()
    if unsupported:
        print(
            f"directive: note: {args.dialect} lacks some of what these statements use "
            f"({'; '.join(unsupported)}); check them before running them there",
            file=sys.stderr,
        )
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from .commands import print_plan

    print_plan(args, existing(args.file), data_options(args.data), as_of_option(args.as_of))
    return EXIT_OK


def _lsp(args: argparse.Namespace) -> int:
    try:
        from .lsp import serve
    except ImportError as error:
        raise DirectiveUsageError(
            f"the language server needs the [lsp] extra ({error.name} is not installed)",
            hint="pip install 'directive_dsl[lsp]'",
        ) from None
    serve()
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    from .explain import explain, explain_list

    if args.list:
        sys.stdout.write(explain_list())
    elif args.code:
        sys.stdout.write(explain(args.code))
    else:
        raise DirectiveUsageError(
            "give a code to explain", hint="e.g. `directive explain E201`, or `--list`"
        )
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    from .commands import run_tests

    return run_tests(args)


def _init(args: argparse.Namespace) -> int:
    from .init import init

    for path in init(Path(args.folder)):
        print(f"wrote {path}")
    return EXIT_OK


def _completion(args: argparse.Namespace) -> int:
    from .commands import completion_script

    sys.stdout.write(completion_script(build_parser(), args.shell))
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
