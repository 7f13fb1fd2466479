"""Parsed SQL templates kept between runs, so a short `directive check` skips sqlglot's parser.

The templates are fixed SQL shapes written in this package (never directive
text); parsing them costs about 0.2 s per process. Their trees are pickled in
the user's cache folder, keyed by the sqlglot version, the way lark keeps its
parser tables. A missing, stale or unreadable cache is simply rebuilt.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def _cache_file() -> Path | None:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        version = installed("sqlglot")
    except PackageNotFoundError:
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "directive_dsl" / f"sql-templates-{version}.pickle"


class TemplateCache:
    """SQL text → parsed tree, loaded once per process and written back at exit when it grew."""

    def __init__(self) -> None:
        self._file = _cache_file()
        self._trees: dict[str, Any] | None = None
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self._trees is None:
            self._trees = {}
            if self._file is not None and self._file.is_file():
                with contextlib.suppress(Exception):  # a broken cache is rebuilt, never fatal
                    loaded = pickle.loads(self._file.read_bytes())
                    if isinstance(loaded, dict):
                        self._trees = loaded
        return self._trees

    def get(self, sql: str) -> Any:
        return self._load().get(sql)

    def store(self, sql: str, tree: Any) -> Any:
        self._load()[sql] = tree
        if not self._dirty:
            self._dirty = True
            atexit.register(self._save)
        return tree

    def _save(self) -> None:
        if self._file is None or self._trees is None:
            return
        with contextlib.suppress(OSError, pickle.PicklingError):
            self._file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self._file.parent, prefix=".templates.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(pickle.dumps(self._trees, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, self._file)
