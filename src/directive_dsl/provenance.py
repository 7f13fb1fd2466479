"""Where a report's figures came from: the ``run`` block of SPEC §13.9.

A report says when it was made, by which engine and version, from which
directive file (with its SHA-256) and, per dataset, what was read: its source,
the file's SHA-256, the rows read, the grain and the period the data runs to.
Everything but ``engine`` and ``generated_at`` is worked out from the data as
bound, not from the engine, so every engine reports the same block.

``generated_at`` is the current time, to the second, in UTC; when the
environment sets ``SOURCE_DATE_EPOCH`` (seconds since 1970, as reproducible
builds do) that moment is used instead, so a report can be made twice byte for
byte:

>>> import os
>>> os.environ["SOURCE_DATE_EPOCH"] = "1780000000"
>>> generated_at()
'2026-05-28T20:26:40Z'
>>> del os.environ["SOURCE_DATE_EPOCH"]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .data.options import DataFile
from .disk_cache import StoredDict, cache_file
from .errors import DirectiveUsageError
from .periods import Period

#: The environment variable that fixes ``generated_at`` (https://reproducible-builds.org/specs/source-date-epoch/).
EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"


@attrs.frozen(kw_only=True)
class DatasetRun:
    """What was read for one dataset."""

    name: str
    source: str  # a path relative to the directive, a table's name, "DataFrame" or "list of dicts"
    sha256: str | None  # of a file's bytes; None for anything else
    rows: int
    grain: str | None
    as_of: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "source": self.source, "sha256": self.sha256, "rows": self.rows,
                "grain": self.grain, "as_of": self.as_of}


@attrs.frozen(kw_only=True)
class RunInfo:
    """When, how and from what a report was made."""

    generated_at: str
    engine: str
    version: str
    locale: str = "en"
    directive_file: str
    directive_sha256: str | None
    datasets: tuple[DatasetRun, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "engine": self.engine,
            "version": self.version,
            "locale": self.locale,
            "directive": {"file": self.directive_file, "sha256": self.directive_sha256},
            "datasets": [d.to_dict() for d in self.datasets],
        }


def generated_at() -> str:
    """Now (or ``SOURCE_DATE_EPOCH``) in UTC, ISO 8601 to the second: ``2026-12-04T05:12:05Z``."""
    fixed = os.environ.get(EPOCH_VARIABLE)
    if fixed is not None and fixed.strip():
        try:
            moment = dt.datetime.fromtimestamp(int(fixed.strip()), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise DirectiveUsageError(
                f"{EPOCH_VARIABLE} `{fixed}` is not a number of seconds",
                hint="set it to whole seconds since 1970-01-01 UTC (e.g. `date +%s`), or unset it",
            ) from None
    else:
        moment = dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def file_sha256(path: Path) -> str | None:
    """The SHA-256 of the file at *path*, in hex; None when it is not a readable file."""
    try:
        key = _file_key(path)
        if key is None:
            return None
        with _DIGESTS_LOCK:
            started = _DIGESTS.pop(key, None)
        if started is not None:
            started.join()
        return _hash(*key)
    except OSError:
        return None


def hash_soon(value: object, base_dir: Path) -> None:
    """Start the digest of the big file *value* names (as a binding names it) in the background.

    Reading and hashing a data file costs about 0.2 s per 100 MB and leaves
    Python's lock free, so it runs while the engine binds and scans the same
    file; :func:`file_sha256` then waits for it. Small files are hashed when asked,
    and a big file's digest is kept between runs (see :func:`_hash`).
    """
    full = _local_file(value, base_dir)
    try:
        key = _file_key(full) if full is not None else None
    except OSError:
        return
    if key is None or key[1] < _SOON_BYTES:
        return
    with _DIGESTS_LOCK:
        if key in _DIGESTS:
            return
        thread = threading.Thread(target=_hash_quietly, args=key, daemon=True, name="directive-sha256")
        _DIGESTS[key] = thread
    thread.start()


_SOON_BYTES = 4 << 20  # below this, a thread costs about what it saves
_DIGESTS: dict[tuple[str, int, int, int, int], threading.Thread] = {}
_DIGESTS_LOCK = threading.Lock()


def _file_key(path: Path) -> tuple[str, int, int, int, int] | None:
    """What identifies a file's bytes without reading them: its path, size, modification and
    change times (the latter set by the system on every write) and inode."""
    stat = path.stat()
    if not path.is_file():
        return None
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def _hash_quietly(*key: Any) -> None:
    with contextlib.suppress(OSError):  # file_sha256 meets the same error and says None
        _hash(*key)


@functools.lru_cache(maxsize=256)
def _hash(path: str, size: int, mtime: int, ctime: int, inode: int) -> str:
    """A file read again unchanged is not hashed again, in this process or (for a file not
    written in the last seconds, as git trusts its index) a later one."""
    key = f"{path}\0{size}\0{mtime}\0{ctime}\0{inode}"
    kept = size >= _SOON_BYTES  # a small file is quicker to read than the cache
    known = _KNOWN_DIGESTS.get(key) if kept else None
    if isinstance(known, str):
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    found = digest.hexdigest()
    if kept and time.time_ns() - max(mtime, ctime) > _SETTLED_NS:
        _KNOWN_DIGESTS.store(key, found)
    return found


# Digests of big files, kept between runs: reading 100 MB costs about 0.2 s.
_KNOWN_DIGESTS = StoredDict(cache_file("sha256.pickle"), 512)
# A file written this recently may be written again within its time stamp's resolution.
_SETTLED_NS = 2_000_000_000


def dataset_run(name: str, value: object, *, base_dir: Path, directive_dir: Path, rows: int,
                grain: str | None, as_of: Period | None) -> DatasetRun:
    """The run entry of dataset *name*, bound to *value* (a path resolves against *base_dir*)."""
    source, sha256 = _source(value, base_dir, directive_dir)
    return DatasetRun(name=name, source=source, sha256=sha256, rows=rows, grain=grain,
                      as_of=as_of.label if as_of is not None else None)


def _source(value: object, base_dir: Path, directive_dir: Path) -> tuple[str, str | None]:
    if isinstance(value, DataFile):  # a file read with options
        value = value.path
    if isinstance(value, str | os.PathLike) and not isinstance(os.fspath(value), bytes):
        full = _local_file(value, base_dir)
        if full is None:  # a URL, or a table in the database
            return os.fspath(value), None
        return _shown_path(full, directive_dir), file_sha256(full)
    if isinstance(value, list | tuple):
        return "list of dicts", None
    return "DataFrame", None


def _local_file(value: object, base_dir: Path) -> Path | None:
    """The existing path a binding's *value* names, against *base_dir*; None for anything else."""
    if isinstance(value, DataFile):
        value = value.path
    if not isinstance(value, str | os.PathLike) or isinstance(os.fspath(value), bytes):
        return None
    given = os.fspath(value)
    if "://" in given:
        return None
    path = Path(given)
    full = path if path.is_absolute() else base_dir / path
    return full if full.exists() else None


def _shown_path(full: Path, directive_dir: Path) -> str:
    """*full* relative to the directive's folder when inside it, else as the working folder sees it."""
    from .source import display_path

    try:
        return full.resolve().relative_to(directive_dir.resolve()).as_posix()
    except (ValueError, OSError):
        return display_path(str(full))


def directive_sha256(path: str) -> str | None:
    """The SHA-256 of the directive file's bytes; None for a directive given as text."""
    if path.startswith("<"):
        return None
    return file_sha256(Path(path))


def run_info(*, engine: str, directive_file: str, directive_path: str,
             datasets: Mapping[str, DatasetRun], locale: str = "en") -> RunInfo:
    """The run block, stamped now."""
    from .version import __version__

    return RunInfo(generated_at=generated_at(), engine=engine, version=__version__, locale=locale,
                   directive_file=directive_file, directive_sha256=directive_sha256(directive_path),
                   datasets=tuple(datasets.values()))
