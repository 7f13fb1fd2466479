"""The engines by name: what ``--engine`` offers, what the docs list, and how each is made.

An entry names the module and class that implement :class:`~directive_dsl.plan.Engine`
and the extra to install; the module is imported only when the engine is made,
so ``directive lint`` never loads DuckDB, and a missing extra is a usage error
that says what to install.

>>> [entry.name for entry in ENGINES.values()]
['duckdb', 'python', 'spark', 'postgres']
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import DirectiveUsageError, listing, suggest
from ..run_progress import SILENT, Progress

if TYPE_CHECKING:  # the command line reads the names without loading the planner
    from ..plan import Answers, Engine
    from ..planner import DirectivePlan


@attrs.frozen(kw_only=True)
class EngineEntry:
    """One engine: its name, what it is, where it lives, and the extra it needs."""

    name: str
    help: str
    module: str
    cls: str
    extra: str | None = None  # `pip install 'directive_dsl[extra]'`
    takes_options: bool = True


_ENTRIES = (
    EngineEntry(name="duckdb", help="the default: every rule compiled to SQL, files read in place",
                module="directive_dsl.engines.duckdb", cls="DuckDBEngine"),
    EngineEntry(name="python", help="the reference engine, in pure Python",
                module="directive_dsl.engines.python", cls="PythonEngine", takes_options=False),
    EngineEntry(name="spark", help="a local or present Spark session runs the same SQL",
                module="directive_dsl.engines.spark", cls="SparkEngine", extra="spark"),
    EngineEntry(name="postgres", help="a PostgreSQL server runs the same SQL (--dsn)",
                module="directive_dsl.engines.postgres", cls="PostgresEngine", extra="postgres"),
)

#: Every engine by name, the default first.
ENGINES: dict[str, EngineEntry] = {entry.name: entry for entry in _ENTRIES}
DEFAULT_ENGINE = "duckdb"


def engine_help() -> str:
    """What ``--engine`` says: the names, the default first."""
    others = [name for name in ENGINES if name != DEFAULT_ENGINE]
    return f"{DEFAULT_ENGINE} (default), {', '.join(others[:-1])} or {others[-1]}"


def make_engine(name: str, options: Mapping[str, Any]) -> Engine:
    """The engine called *name*; its module (and the extra it needs) is imported here."""
    entry = ENGINES.get(name)
    if entry is None:
        raise DirectiveUsageError(
            f"unknown engine `{name}`",
            hint=suggest(name, ENGINES) or f"the engines are {listing(ENGINES)}",
        )
    module = importlib.import_module(entry.module)
    made: Engine = getattr(module, entry.cls)(**options) if entry.takes_options else getattr(module, entry.cls)()
    return made


def execute(plan: DirectivePlan, engine: Engine, progress: Progress = SILENT) -> Answers:
    """The execute stage: *engine* answers every request of *plan* (a scan per dataset)."""
    return engine.run(plan.aggregates, plan.coverage, progress=progress)
