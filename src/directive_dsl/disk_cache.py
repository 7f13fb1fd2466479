"""Small dictionaries kept between runs in the user's cache folder, as pickles.

A missing, stale or unreadable cache is simply rebuilt, or done without; each
keeps its newest entries only and is written back at exit when it grew.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import tempfile
import threading
from pathlib import Path
from typing import Any


def cache_file(name: str) -> Path | None:
    """``<user cache folder>/directive_dsl/<name>``; None without a home folder."""
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except (RuntimeError, KeyError, OSError):  # no home folder: run without the cache
        return None
    return Path(base) / "directive_dsl" / name


class StoredDict:
    """Key → value, loaded once per process and written back at exit when it grew."""

    def __init__(self, file: Path | None, max_entries: int) -> None:
        self._file = file
        self._max_entries = max_entries
        self._entries: dict[str, Any] | None = None
        self._dirty = False
        self._lock = threading.Lock()  # a digest may be stored from a background thread

    def _load(self) -> dict[str, Any]:
        if self._entries is None:
            entries: dict[str, Any] = {}
            # A broken or unreadable cache is rebuilt, or done without: never fatal.
            with contextlib.suppress(Exception):
                if self._file is not None and self._file.is_file():
                    loaded = pickle.loads(self._file.read_bytes())
                    if isinstance(loaded, dict):
                        entries = loaded
            self._entries = entries
        return self._entries

    def get(self, key: str) -> Any:
        with self._lock:
            return self._load().get(key)

    def store(self, key: str, value: Any) -> Any:
        with self._lock:
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


# A file written this recently may be written again within its time stamps' resolution.
SETTLED_NS = 2_000_000_000


def settled_identity(path: Path) -> str | None:
    """What identifies the bytes of the file at *path* without reading them: its path, size,
    modification and change times (the latter set by the system on every write) and inode;
    None for a file written in the last seconds (as git trusts its index) or unreadable."""
    import time

    try:
        stat = path.stat()
        resolved = path.resolve()
    except OSError:
        return None
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) <= SETTLED_NS:
        return None
    return f"{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\0{stat.st_ino}"
