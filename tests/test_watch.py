"""`directive check --watch`: a real watch sees a data file change, and Ctrl-C exits 0."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("watchfiles")


def _wait_for(process: subprocess.Popen[str], lines: list[str], text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stderr.readline() if process.stderr else ""
        if line:
            lines.append(line)
            if text in line:
                return True
        elif process.poll() is not None:
            return False
    return False


def test_a_change_runs_the_check_again_and_ctrl_c_exits_0(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2020,7\n")
    (tmp_path / "t.directive").write_text('dataset t from "t.csv"\n  time year\nrule r: require t.v >= 5 per year\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "directive_dsl", "check", "t.directive", "--watch", "--engine", "python"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    try:
        assert _wait_for(process, lines, "exit code 0", 60), lines
        assert _wait_for(process, lines, "watching", 30), lines
        time.sleep(0.5)
        (tmp_path / "t.csv").write_text("year,v\n2020,3\n")  # now below the floor
        assert _wait_for(process, lines, "exit code 1", 60), lines
        (tmp_path / "t.csv").write_text("year,v\n2020,lots\n")  # broken data: shown, watch goes on
        assert _wait_for(process, lines, "exit code 2", 60), lines
        assert any("E502" in line for line in lines)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert code == 0
