"""SQL work kept between runs, so a short `directive check` skips sqlglot's slow first steps.

Two caches, each a pickled dictionary in the user's cache folder, keyed by the
sqlglot version, the way lark keeps its parser tables:

- parsed templates: the fixed SQL shapes written in this package (never
  directive text), whose parsing costs about 0.2 s per process;
- rendered statements: a tree's DuckDB text, keyed by a digest of the tree.
  Loading sqlglot's DuckDB generator costs about 50 ms a process; a statement
  rendered once (the same directive on the same kind of data) is not rendered
  again.

A missing, stale or unreadable cache is simply rebuilt (:mod:`..disk_cache`);
each keeps its newest entries only.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import Any

from ...disk_cache import StoredDict, cache_file


def _cache_file(kind: str) -> Path | None:
    import sqlglot

    version = getattr(sqlglot, "__version__", None)
    if not isinstance(version, str):
        return None
    return cache_file(f"sql-{kind}-{version}.pickle")


class DiskCache(StoredDict):
    """A cache of *kind*, in a file of its own per sqlglot version."""

    def __init__(self, kind: str, max_entries: int) -> None:
        super().__init__(_cache_file(kind), max_entries)


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
