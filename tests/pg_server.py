"""A throwaway PostgreSQL server for the tests: its own cluster, a Unix socket, removed after.

Uses Debian's server binaries (package ``postgresql``). As root it runs the
server as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl, or None when no server is installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return versions[-1].parent if versions else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """Start a private server; yield its DSN; stop it and delete its files."""
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError("no PostgreSQL server binaries (Debian package `postgresql`)")
    folder = Path(tempfile.mkdtemp(prefix="directive-pg-"))
    data, socket_dir = folder / "data", folder / "socket"
    socket_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(socket_dir, "postgres")
    try:
        subprocess.run(
            _as_server_user([str(binaries / "initdb"), "-D", str(data), "-U", "directive", "--auth=trust",
                             "-E", "UTF8", "--no-locale"]),
            check=True, capture_output=True,
        )
        options = f"-k {socket_dir} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        subprocess.run(
            _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-t", "60",
                             "-l", str(folder / "server.log"), "start"]),
            check=True, capture_output=True,
        )
        try:
            yield f"host={socket_dir} dbname=postgres user=directive"
        finally:
            subprocess.run(
                _as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
            )
            time.sleep(0.1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
