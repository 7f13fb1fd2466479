"""The Spark rows of the benchmark table: session start-up, then the ten rules on the Parquet file.

    python -m benchmarks.run --only spark               # from the repository's root
    python -m benchmarks.spark_rows PATH.parquet         # these rows alone, on any Parquet file of trade

Start-up (the JVM and a local ``SparkSession``) is measured on its own, then
the first evaluation (Spark compiles its code then), then the median of
*repeat* evaluations in the warm session: binding (the file's schema, its row
count, its distinct periods: two small queries) and the one statement per
dataset. The figures are local Spark on this machine, next to nothing else;
the caller prints DuckDB's row beside them.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def spark_rows(parquet_path: str | Path, rules: list[str], directive_text: Callable[[list[str]], str] | str,
               *, repeat: int = 3, master: str = "local[*]") -> list[tuple[str, float, str]]:
    """(label, seconds, note) rows: session start-up, first run, and the median warm run."""
    sys.path.insert(0, str(ROOT / "src"))
    import directive_dsl
    from directive_dsl.engines.spark import local_session

    text = directive_text(rules) if callable(directive_text) else directive_text
    directive = directive_dsl.loads(text, "bench.directive")
    data = {"trade": str(parquet_path)}

    start = time.perf_counter()
    session = local_session(master=master, app_name="directive-benchmark")
    startup = time.perf_counter() - start
    parallelism = int(session.sparkContext.defaultParallelism)

    def once() -> tuple[float, Any]:
        begin = time.perf_counter()
        report = directive.evaluate(data, engine="spark", session=session)
        return time.perf_counter() - begin, report

    try:
        first, report = once()
        warm = statistics.median(once()[0] for _ in range(max(repeat, 1)))
    finally:
        session.stop()
    outcomes = report.to_dict()["summary"]["outcomes"]
    label = f"{len(rules)} rules"
    return [
        ("(s) Spark session start-up", startup, f"{master}, {parallelism} cores: the JVM and a SparkSession, once"),
        (f"(s) engine=spark, {label}, first run", first, "Spark compiles its code on the first statements"),
        (f"(s) engine=spark, {label}, same Parquet", warm,
         f"median of {max(repeat, 1)} in the warm session; {outcomes} outcomes; only aggregates reach the driver"),
    ]


def main() -> None:
    from benchmarks.run import TEN_RULES, directive_text

    if len(sys.argv) != 2:
        raise SystemExit("usage: python -m benchmarks.spark_rows PATH.parquet")
    for label, seconds, note in spark_rows(sys.argv[1], TEN_RULES, directive_text):
        print(f"{label:45}  {seconds:10.3f} s  {note}")


if __name__ == "__main__":
    main()
