"""The run block in words, for the human formats: where the figures came from (SPEC §13.9).

>>> from directive_dsl.provenance import DatasetRun, RunInfo
>>> exports = DatasetRun(name="exports", source="exports.csv", sha256="1a2b3c4d" + "0" * 56, rows=1234,
...                      grain="month", as_of="2026-06")
>>> dataset_words(exports)
'exports — exports.csv, 1,234 rows, monthly, through 2026-06, sha256 1a2b3c4d…'
>>> run = RunInfo(generated_at="2026-12-04T05:12:05Z", engine="duckdb", version="0.1.0",
...               directive_file="targets.directive", directive_sha256="c1345216" + "0" * 56,
...               datasets=(exports,))
>>> made_words(run)
'Made 2026-12-04 05:12:05 UTC by directive_dsl 0.1.0 on the duckdb engine from targets.directive, sha256 c1345216…'
"""

from __future__ import annotations

from .provenance import DatasetRun, RunInfo

#: How often a dataset holds a value, by the grain of its time column.
GRAIN_WORDS: dict[str, str] = {"year": "yearly", "quarter": "quarterly", "month": "monthly", "day": "daily"}

#: Hex digits of a SHA-256 shown to people; the whole digest is in the JSON and the tooltips.
SHORT_HASH = 8


def short_hash(digest: str) -> str:
    """The first digits of *digest*, then an ellipsis: enough to compare by eye."""
    return digest[:SHORT_HASH] + "…"


def moment_words(generated_at: str) -> str:
    """``2026-12-04T05:12:05Z`` as people read it: ``2026-12-04 05:12:05 UTC``."""
    return generated_at.replace("T", " ").removesuffix("Z") + " UTC"


def rows_words(rows: int) -> str:
    """``1 row``, ``1,234 rows``."""
    return "1 row" if rows == 1 else f"{rows:,} rows"


def dataset_facts(d: DatasetRun) -> list[str]:
    """What was read of one dataset, each fact a short phrase: rows, grain, as-of, hash."""
    facts = [rows_words(d.rows)]
    if d.grain is not None:
        facts.append(GRAIN_WORDS.get(d.grain, d.grain))
    if d.as_of is not None:
        facts.append(f"through {d.as_of}")
    if d.sha256 is not None:
        facts.append(f"sha256 {short_hash(d.sha256)}")
    return facts


def dataset_words(d: DatasetRun) -> str:
    """One dataset in a line: ``exports — exports.csv, 1,234 rows, monthly, through 2026-06, sha256 1a2b3c4d…``."""
    return f"{d.name} — " + ", ".join([d.source, *dataset_facts(d)])


def made_words(run: RunInfo) -> str:
    """When, by what and from which directive file the report was made, in a sentence."""
    words = (f"Made {moment_words(run.generated_at)} by directive_dsl {run.version} "
             f"on the {run.engine} engine from {run.directive_file}")
    if run.directive_sha256 is not None:
        words += f", sha256 {short_hash(run.directive_sha256)}"
    return words
