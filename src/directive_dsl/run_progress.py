"""How far a run has got: one callback that evaluation and every engine call the same way.

A run goes through stages, each a count of steps: ``read`` binds each dataset,
``scan`` answers each dataset's requests (an engine's pass or query over
it), ``judge`` judges each rule. Whoever does a stage announces it with
:meth:`Progress.stage` and each step done with :meth:`Progress.step`; what
is shown, if anything, is the display's business (:mod:`.progress_bar` on a
terminal), so no engine holds user-interface code.

>>> seen = []
>>> class Record:
...     def stage(self, name, total): seen.append((name, total))
...     def step(self, label): seen.append(label)
>>> [name for name in stepping(["exports", "plan"], Record(), "scan")]
['exports', 'plan']
>>> seen
[('scan', 2), 'exports', 'plan']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Literal, Protocol, TypeVar

Stage = Literal["read", "scan", "judge"]
T = TypeVar("T")


class Progress(Protocol):
    """What a run tells of its progress."""

    def stage(self, name: Stage, total: int) -> None:
        """A stage of *total* steps begins (the previous one, if any, is over)."""

    def step(self, label: str) -> None:
        """One step of the current stage is done; *label* names it (a dataset, a rule)."""


class Silent:
    """Progress that nobody watches."""

    def stage(self, name: Stage, total: int) -> None:
        pass

    def step(self, label: str) -> None:
        pass


SILENT: Progress = Silent()


def stepping(items: Sequence[T], progress: Progress, stage: Stage,
             label: Callable[[T], str] = str) -> Iterator[T]:
    """*items* one by one, announcing *stage* first and a step when the work on each is done."""
    progress.stage(stage, len(items))
    for item in items:
        yield item
        progress.step(label(item))
