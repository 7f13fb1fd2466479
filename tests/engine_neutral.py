"""A report's JSON as every engine must print it: byte for byte, the run's engine and time set aside.

``run.engine`` names the engine and ``run.generated_at`` the moment of the run,
so they differ by nature; every other byte, the rest of the run block included
(each dataset's source, SHA-256, rows, grain and as-of), must be the same.
"""

from __future__ import annotations

import json
from typing import Any

from directive_dsl.report import Report

ASIDE = "(set aside)"


def engine_neutral(document: dict[str, Any], *, binding: bool = False) -> dict[str, Any]:
    """*document* with ``run.engine`` and ``run.generated_at`` set aside; ``binding`` also sets aside
    each dataset's ``source`` and ``sha256``, for comparing data bound as rows with the same data
    bound as a file or a table."""
    run = document.get("run")
    assert isinstance(run, dict), "a report from evaluate has a run block"
    run.update(engine=ASIDE, generated_at=ASIDE)
    if binding:
        for dataset in run["datasets"]:
            dataset.update(source=ASIDE, sha256=ASIDE)
    return document


def neutral_json(report: Report, *, binding: bool = False) -> str:
    """``report.to_json(include_passing=True)``, with :func:`engine_neutral`'s fields set aside."""
    document = engine_neutral(report.to_dict(include_passing=True), binding=binding)
    return json.dumps(document, indent=2, ensure_ascii=False)
