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

import datetime as dt

from .i18n import N_, _, current, ngettext
from .provenance import DatasetRun, RunInfo

#: How often a dataset holds a value, by the grain of its time column (English: look it up with :func:`grain_words`).
GRAIN_WORDS: dict[str, str] = {"year": N_("yearly"), "quarter": N_("quarterly"), "month": N_("monthly"),
                               "day": N_("daily")}

#: Hex digits of a SHA-256 shown to people; the whole digest is in the JSON and the tooltips.
SHORT_HASH = 8


def short_hash(digest: str) -> str:
    """The first digits of *digest*, then an ellipsis: enough to compare by eye."""
    return digest[:SHORT_HASH] + "…"


def grain_words(grain: str) -> str:
    """How often a dataset holds a value, in the current language: ``monthly``, ``ежемесячно``."""
    return _(GRAIN_WORDS[grain]) if grain in GRAIN_WORDS else grain


def moment_words(generated_at: str) -> str:
    """``2026-12-04T05:12:05Z`` as people read it: ``2026-12-04 05:12:05 UTC``; in Russian
    ``4 декабря 2026 г., 05:12:05 UTC`` (Babel's long form)."""
    language = current()
    if language.code == "en":
        return generated_at.replace("T", " ").removesuffix("Z") + " UTC"
    moment = dt.datetime.strptime(generated_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return language.datetime(moment)


def rows_words(rows: int) -> str:
    """``1 row``, ``1,234 rows``."""
    return ngettext("{n} row", "{n} rows", rows).format(n=grouped(rows))


def grouped(n: int) -> str:
    """A count with the locale's group separator: ``1,234``, ``1\u00a0234``."""
    return current().figure(f"{n:,}")


def dataset_facts(d: DatasetRun) -> list[str]:
    """What was read of one dataset, each fact a short phrase: rows, grain, as-of, hash."""
    facts = [rows_words(d.rows)]
    if d.grain is not None:
        facts.append(grain_words(d.grain))
    if d.as_of is not None:
        facts.append(_("through {period}").format(period=d.as_of))
    if d.sha256 is not None:
        facts.append(f"sha256 {short_hash(d.sha256)}")
    return facts


def dataset_words(d: DatasetRun) -> str:
    """One dataset in a line: ``exports — exports.csv, 1,234 rows, monthly, through 2026-06, sha256 1a2b3c4d…``."""
    return f"{d.name} — " + ", ".join([d.source, *dataset_facts(d)])


def made_words(run: RunInfo) -> str:
    """When, by what and from which directive file the report was made, in a sentence."""
    words = _("Made {moment} by directive_dsl {version} on the {engine} engine from {file}").format(
        moment=moment_words(run.generated_at), version=run.version, engine=run.engine, file=run.directive_file)
    if run.directive_sha256 is not None:
        words += f", sha256 {short_hash(run.directive_sha256)}"
    return words
