"""SQL work kept between runs, so a short `directive check` skips sqlglot's slow first steps.

Two caches, each a pickled dictionary in the user's cache folder, keyed by the
sqlglot version, the way lark keeps its parser tables:

- parsed templates: the fixed SQL shapes written in this package (never
  directive text), whose parsing costs about 0.2 s per process;
- rendered statements: a tree's DuckDB text, keyed by a digest of the tree.
  Loading sqlglot's DuckDB generator costs about 50 ms a process; a statement
  rendered once (the same directive on the same kind of data) is not rendered
  again.

A missing, stale or unreadable cache is simply rebuilt; each keeps its newest
entries only.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any


def _cache_file(kind: str) -> Path | None:
    import sqlglot

    version = getattr(sqlglot, "__version__", None)
    if not isinstance(version, str):
        return None
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError, OSError):  # no home folder: run without the cache
        return None
    return Path(base) / "directive_dsl" / f"sql-{kind}-{version}.pickle"


class DiskCache:
    """Key → value, loaded once per process and written back at exit when it grew."""

    def __init__(self, kind: str, max_entries: int) -> None:
        self._file = _cache_file(kind)
        self._max_entries = max_entries
        self._entries: dict[str, Any] | None = None
        self._dirty = False

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = {}
            # A broken or unreadable cache is rebuilt, or done without: never fatal.
            with contextlib.suppress(Exception):
                if self._file is not None and self._file.is_file():
                    loaded = pickle.loads(self._file.read_bytes())
                    if isinstance(loaded, dict):
                        self._entries = loaded
        return self._entries

    def get(self, key: str) -> Any:
        return self._load().get(key)

    def store(self, key: str, value: Any) -> Any:
        entries = self._load()
        entries[key] = value
        while len(entries) > self._max_entries:  # the oldest go first
            del entries[next(iter(entries))]
        if not self._dirty:
            self._dirty = True
            atexit.register(self._save)
        return value

    def _save(self) -> None:
        if self._file is None or self._entries is None:
            return
        temporary = None
        try:
            self._file.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self._file.parent, prefix=f".{self._file.stem}.")
            with os.fdopen(fd, "wb") as handle:
                handle.write(pickle.dumps(self._entries, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, self._file)
        except Exception:  # a cache that cannot be written is done without, and leaves nothing
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


class TemplateCache(DiskCache):
    """SQL text of a template → its parsed tree."""

    def __init__(self) -> None:
        super().__init__("templates", 2_000)


_RENDERED = DiskCache("duckdb", 256)  # statements of a few kB: the file stays small to load
_STORES_PER_PROCESS = 8  # a long-lived process renders directly after these
_stored = [0]


def duckdb_sql(tree: Any) -> str:
    """*tree* as DuckDB SQL text, rendered once per distinct tree across runs.

    Short processes (a `directive check`) gain; a long-lived one, whose
    temporary relations get new names each evaluation, soon renders directly.
    """
    if _stored[0] >= _STORES_PER_PROCESS:
        return str(tree.sql("duckdb"))
    try:
        key = hashlib.sha256(pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return str(tree.sql("duckdb"))
    found = _RENDERED.get(key)
    if isinstance(found, str):
        return found
    text = str(tree.sql("duckdb"))
    _RENDERED.store(key, text)
    _stored[0] += 1
    return text
