"""``directive check --watch``: run again whenever a directive, an import or a data file changes.

The folders that hold the directive files and every data file they read are
watched (watchfiles, the ``watch`` extra); a change to a ``.directive`` file
or a data file there runs the check again, after clearing a terminal. A run
that fails is shown like any other and the watch goes on. Ctrl-C ends it with
exit code 0.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .data import DIR_EXTENSIONS
from .errors import DirectiveUsageError

_WATCHED = (".directive", ".toml", *DIR_EXTENSIONS, ".gz", ".xlsx", ".xls", ".ods")


def watched_folders(args: argparse.Namespace) -> list[Path]:
    """The folders of the directive files, the data named on the command line, and --data-dir."""
    paths = [Path(f) for f in args.files]
    for item in args.data:
        _, _, path = item.partition("=")
        paths.append(Path(path.split("?", 1)[0]))
    folders = {p.resolve().parent for p in paths}
    if args.data_dir:
        folders.add(Path(args.data_dir).resolve())
    for path in paths:
        folders |= _from_folders(path)
    return sorted(f for f in folders if f.is_dir())


def _from_folders(path: Path) -> set[Path]:
    """The folders of the files a directive's `from` clauses name (when it loads)."""
    if path.suffix != ".directive":
        return set()
    from .api import load
    from .errors import DirectiveError

    try:
        directive = load(path, allow_outside=True)
    except DirectiveError:
        return set()
    return {(info.base_dir / info.path).resolve().parent
            for info in directive.datasets.values() if info.path is not None}


def relevant(paths: Iterable[str]) -> bool:
    """Whether a change touched a file a check reads."""
    return any(p.lower().endswith(_WATCHED) for p in paths)


def watch(args: argparse.Namespace, run: Callable[[], int], *, stop: Any = None) -> int:
    """Run *run* now and after every relevant change, until interrupted."""
    try:
        import watchfiles
    except ImportError:
        raise DirectiveUsageError(
            "--watch needs watchfiles", hint="pip install 'directive_dsl[watch]'"
        ) from None
    _once(run, clear=False)
    folders = watched_folders(args)
    print(f"directive: watching {', '.join(str(f) for f in folders)} (Ctrl-C to stop)",
          file=sys.stderr, flush=True)
    try:
        for changes in watchfiles.watch(*folders, stop_event=stop, debounce=200):
            if relevant(path for _, path in changes):
                _once(run, clear=sys.stdout.isatty())
    except KeyboardInterrupt:
        pass
    return 0


def _once(run: Callable[[], int], *, clear: bool) -> None:
    from .errors import DirectiveError

    if clear:
        sys.stdout.write("\x1b[2J\x1b[H")
    try:
        code = run()
    except DirectiveError as error:
        print(error.render(), file=sys.stderr)  # as the command line prints it
        code = 2
    print(f"directive: exit code {code}", file=sys.stderr, flush=True)
    sys.stdout.flush()
