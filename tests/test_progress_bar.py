"""The progress of a run: every engine tells it the same way, and a terminal shows it as bars.

The bars are drawn by the real ``directive check`` with stderr on a pseudo-terminal
(``DIRECTIVE_PROGRESS_DELAY=0`` draws them at once, however quick the run).
"""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.run_progress import Stage

ROOT = Path(__file__).resolve().parents[1]
MINISTRY = "examples/ministry/ministry.directive"
STAGES = ("Reading data", "Scanning data", "Judging rules")


class Recorded:
    """Progress written down as it is told."""

    def __init__(self) -> None:
        self.told: list[tuple[Stage, int] | str] = []

    def stage(self, name: Stage, total: int) -> None:
        self.told.append((name, total))

    def step(self, label: str) -> None:
        self.told.append(label)


def _told(engine: Any) -> tuple[list[tuple[Stage, int] | str], Any]:
    recorded = Recorded()
    report = directive_dsl.load(ROOT / MINISTRY).evaluate(engine=engine, progress=recorded)
    return recorded.told, report


def test_every_engine_tells_the_same_progress(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")  # both reports made at the same time
    told, report = _told(engine)
    datasets = ["exports", "plan", "investments"]
    rules = [rule.id for rule in report.rules]
    assert len(rules) == 6
    assert told[:4] == [("read", 3), *datasets]
    assert told[4] == ("scan", 3) and sorted(told[5:8]) == sorted(datasets)  # in the order asked
    assert told[8:] == [("judge", 6), *rules]
    assert told == _told("python")[0]
    assert report.to_json() == directive_dsl.load(ROOT / MINISTRY).evaluate(engine=engine).to_json()


def _check(*args: str, terminal: bool, delay: str = "0", blocked: str = "") -> tuple[str, str, int]:
    """``directive check`` on the ministry example: its stdout, its stderr and its exit code."""
    env = {**os.environ, "DIRECTIVE_PROGRESS_DELAY": delay, "PYTHONPATH": str(ROOT / "src"),
           "SOURCE_DATE_EPOCH": "1780000000"}  # the same report, run after run
    env.pop("COLUMNS", None)
    # `blocked` names a module the run cannot import, as when an extra is not installed
    code = (f"import sys; sys.modules[{blocked!r}] = None; " if blocked else "import sys; ") + \
        "from directive_dsl.cli import main; sys.exit(main(sys.argv[1:]))"
    argv = [sys.executable, "-c", code, "check", MINISTRY, "--engine", "python", *args]
    if not terminal:
        done = subprocess.run(argv, capture_output=True, cwd=ROOT, env=env, timeout=120, check=False)
        return done.stdout.decode(), done.stderr.decode(), done.returncode
    main, side = os.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a new pty is 0 wide
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=side, cwd=ROOT, env=env) as child:
        os.close(side)
        err = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the child has gone and the pty is closed
                break
            if not chunk:
                break
            err += chunk
        out = child.stdout.read() if child.stdout else b""
        child.wait(timeout=120)
    os.close(main)
    return out.decode(), err.decode(), child.returncode


@pytest.fixture(scope="module")
def plain() -> tuple[str, str, int]:
    return _check(terminal=False)


def test_a_terminal_shows_a_bar_per_stage_and_the_report_is_unchanged(plain: tuple[str, str, int]) -> None:
    pytest.importorskip("tqdm")
    out, err, code = _check(terminal=True)
    positions = [err.find(f"{stage}: ") for stage in STAGES]
    assert -1 not in positions and positions == sorted(positions), err
    assert "0/3" in err and "0/6" in err  # three datasets, six rules
    assert err.endswith("\r")  # the last bar is cleared: the terminal keeps only the report
    assert (out, code) == plain[0::2]


def test_the_bars_speak_the_report_s_language() -> None:
    pytest.importorskip("tqdm")
    _out, err, _code = _check("--locale", "be", terminal=True)
    assert "Чытанне даных: " in err and "Праверка правіл: " in err and "Judging" not in err


@pytest.mark.parametrize(("args", "delay", "blocked"), [
    (("-q",), "0", ""),  # asked to be quiet
    ((), "60", ""),  # a run quicker than the delay
    ((), "0", "tqdm"),  # the progress extra not installed
])
def test_a_terminal_shows_nothing(args: tuple[str, ...], delay: str, blocked: str,
                                  plain: tuple[str, str, int]) -> None:
    out, err, code = _check(*args, terminal=True, delay=delay, blocked=blocked)
    assert err == ""
    assert (out, code) == plain[0::2]


def test_nothing_is_drawn_when_stderr_is_not_a_terminal(plain: tuple[str, str, int]) -> None:
    _out, err, code = plain
    assert err == "" and code == 1
