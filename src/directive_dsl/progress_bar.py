"""The progress of a long run, drawn on a terminal's stderr with tqdm (the ``progress`` extra).

A run that takes over a second (``DIRECTIVE_PROGRESS_DELAY`` seconds, from
the start of the run) shows one bar per stage: the datasets read, the
datasets scanned, the rules judged. Each bar is cleared when its stage ends,
so the terminal keeps only the report. Nothing is drawn when stderr is not a
terminal, with ``--quiet``, or when tqdm is not installed.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from .i18n import N_, language
from .run_progress import SILENT, Progress, Stage

DELAY_VARIABLE = "DIRECTIVE_PROGRESS_DELAY"
_DELAY = 1.0  # seconds: a quicker run shows no bar at all
_STAGES: dict[Stage, str] = {
    "read": N_("Reading data"), "scan": N_("Scanning data"), "judge": N_("Judging rules"),
}


@contextlib.contextmanager
def terminal_progress(stream: IO[str], *, quiet: bool = False, locale: str = "en") -> Iterator[Progress]:
    """Bars on *stream*, their words in *locale*, if it is a terminal and tqdm is installed,
    else :data:`~.run_progress.SILENT`; the last bar is cleared on leaving."""
    if quiet or not stream.isatty():
        yield SILENT
        return
    try:
        import tqdm
    except ImportError:  # the progress extra is optional: no bars, no complaint
        yield SILENT
        return
    bars = Bars(stream, tqdm.tqdm, delay=_delay(), words=language(locale).gettext)
    try:
        yield bars
    finally:
        bars.close()


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_VARIABLE, _DELAY)))
    except ValueError:
        return _DELAY


class Bars:
    """One bar at a time, the current stage's; call :meth:`close` when the run ends."""

    def __init__(self, stream: IO[str], bar: Any, *, delay: float, words: Callable[[str], str]) -> None:
        self._stream, self._bar_type, self._words = stream, bar, words
        self._shown_after = time.monotonic() + delay
        self._bar: Any = None

    def stage(self, name: Stage, total: int) -> None:
        self.close()
        self._bar = self._bar_type(
            total=total, desc=self._words(_STAGES[name]), file=self._stream, leave=False, dynamic_ncols=True,
            delay=max(0.0, self._shown_after - time.monotonic()), bar_format="{desc}: {bar} {n}/{total}{postfix}",
        )

    def step(self, label: str) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(label, refresh=False)
            self._bar.update()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
