"""The report's run block (SPEC §13.9): when, by which engine, from which directive and data.

Every engine reads the same data into the same block: each dataset's source,
SHA-256, rows, grain and as-of; only ``engine`` and ``generated_at`` differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import directive_dsl
from directive_dsl.cli import main
from directive_dsl.errors import DirectiveUsageError
from engine_neutral import neutral_json

DIRECTIVE = """\
directive "Monthly exports"
  period 2026 to 2026

dataset exports from "data/exports.csv"
  time month
  dimensions partner
  measure value USD

dataset plan
  time year
  measure goal USD

rule cn "Exports to China":
  require exports.value[partner = "CN"] >= 100 USD per month
rule goal "The yearly goal":
  require exports.value >= plan.goal per year
"""

EXPORTS = "month,partner,value\n" + "".join(
    f"2026-{m:02d},CN,{90 + m}\n2026-{m:02d},DE,{m}\n" for m in range(1, 7)
)
PLAN = pd.DataFrame({"year": [2025, 2026, 2027], "goal": [500.0, 600.0, 700.0]})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "targets.directive").write_text(DIRECTIVE, encoding="utf-8")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "exports.csv").write_text(EXPORTS, encoding="utf-8")
    return tmp_path


def _engine_name(engine: Any) -> str:
    return engine if isinstance(engine, str) else str(engine.name)


def test_the_run_block_names_the_directive_and_each_dataset(folder: Path, engine: Any) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    report = directive_dsl.load(folder / "targets.directive").evaluate({"plan": PLAN}, engine=engine)
    run = report.to_dict()["run"]
    moment = dt.datetime.strptime(run["generated_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    assert before <= moment <= dt.datetime.now(dt.UTC)
    assert run["engine"] == _engine_name(engine)
    assert run["version"] == directive_dsl.__version__
    assert run["locale"] == "en"
    assert run["directive"] == {"file": report.file, "sha256": _sha256(folder / "targets.directive")}
    assert run["datasets"] == [
        {"name": "exports", "source": "data/exports.csv", "sha256": _sha256(folder / "data" / "exports.csv"),
         "rows": 12, "grain": "month", "as_of": "2026-06"},
        {"name": "plan", "source": "DataFrame", "sha256": None, "rows": 3, "grain": "year", "as_of": "2027"},
    ]


def test_the_caller_as_of_caps_each_dataset_as_of(folder: Path, engine: Any) -> None:
    report = directive_dsl.load(folder / "targets.directive").evaluate(
        {"plan": PLAN}, engine=engine, as_of="2026-03")
    datasets = report.to_dict()["run"]["datasets"]
    assert [(d["name"], d["rows"], d["as_of"]) for d in datasets] == [("exports", 12, "2026-03"),
                                                                       ("plan", 3, "2026-03")]
    # one dataset's own as-of (SPEC §13.2) is the one the block gives
    report = directive_dsl.load(folder / "targets.directive").evaluate(
        {"plan": PLAN}, engine=engine, as_of={"plan": "2026"})
    datasets = report.to_dict()["run"]["datasets"]
    assert [(d["name"], d["as_of"]) for d in datasets] == [("exports", "2026-06"), ("plan", "2026")]


def test_rows_bound_in_memory_and_a_file_bound_by_the_caller(folder: Path, engine: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(folder / "data")
    rows = [{"year": 2026, "goal": 600.0}]
    report = directive_dsl.load(folder / "targets.directive").evaluate(
        {"plan": rows, "exports": "exports.csv"}, engine=engine)
    datasets = {d["name"]: d for d in report.to_dict()["run"]["datasets"]}
    # A path the caller binds is read from the working folder, and shown from the directive's.
    assert datasets["exports"]["source"] == "data/exports.csv"
    assert datasets["exports"]["sha256"] == _sha256(folder / "data" / "exports.csv")
    assert (datasets["plan"]["source"], datasets["plan"]["sha256"], datasets["plan"]["rows"]) == (
        "list of dicts", None, 1)


def test_every_engine_writes_the_same_run_block_but_engine_and_time(folder: Path, engine: Any) -> None:
    directive = directive_dsl.load(folder / "targets.directive")
    reference = neutral_json(directive.evaluate({"plan": PLAN}, engine="python"))
    assert neutral_json(directive.evaluate({"plan": PLAN}, engine=engine)) == reference


def test_source_date_epoch_fixes_the_time_and_the_bytes(folder: Path, engine: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    directive = directive_dsl.load(folder / "targets.directive")
    first = directive.evaluate({"plan": PLAN}, engine=engine).to_json(include_passing=True)
    second = directive.evaluate({"plan": PLAN}, engine=engine).to_json(include_passing=True)
    assert first == second
    assert json.loads(first)["run"]["generated_at"] == "2026-05-28T20:26:40Z"


def test_a_source_date_epoch_that_is_not_seconds_is_a_usage_error(
        folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(DirectiveUsageError, match="SOURCE_DATE_EPOCH `yesterday`") as caught:
        directive_dsl.load(folder / "targets.directive").evaluate({"plan": PLAN}, engine="python")
    assert caught.value.code == "E700"


def test_a_directive_given_as_text_has_no_hash() -> None:
    report = directive_dsl.loads("rule r: require trade >= 5 per year").evaluate(
        {"trade": [{"year": 2026, "trade": 7}]}, engine="python")
    run = report.to_dict()["run"]
    assert run["directive"] == {"file": "<string>", "sha256": None}
    assert run["datasets"] == [{"name": "trade", "source": "list of dicts", "sha256": None, "rows": 1,
                                "grain": "year", "as_of": "2026"}]


def test_the_command_line_output_is_reproducible(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(folder)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    (folder / "plan.csv").write_text("year,goal\n2026,600\n", encoding="utf-8")
    outputs = []
    for _ in range(2):
        main(["check", "targets.directive", "--engine", "python", "--format", "json",
              "--data", "plan=plan.csv"])
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert re.search(r'"generated_at": "2026-05-28T20:26:40Z"', outputs[0])
