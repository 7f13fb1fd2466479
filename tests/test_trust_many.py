"""Several directive files in one run give one valid document per format (SPEC §13.9)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from directive_dsl.cli import main

ROOT = Path(__file__).parent.parent
FILES = [str(p) for p in sorted((ROOT / "examples").glob("*/*.directive"))]
SARIF = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"


def _run(fmt: str, capsys: pytest.CaptureFixture[str], *more: str) -> str:
    assert main(["check", *FILES, "--engine", "python", "--format", fmt, *more]) == 1
    return capsys.readouterr().out


def test_json_is_one_object_with_every_report(capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(_run("json", capsys, "--all"))
    assert doc["schema"] == "directive-reports/1" and doc["status"] == "fail"
    assert len(doc["reports"]) == len(FILES)
    for report, file in zip(doc["reports"], FILES, strict=True):
        assert file.endswith(report["directive"]["file"])
    assert all(r["schema"] == "directive-report/2" for r in doc["reports"])


def test_sarif_is_one_log_with_a_run_per_file(capsys: pytest.CaptureFixture[str]) -> None:
    log = json.loads(_run("sarif", capsys))
    assert len(log["runs"]) == len(FILES)
    validator = jsonschema.Draft4Validator(json.loads(SARIF.read_text(encoding="utf-8")))
    assert not list(validator.iter_errors(log))


def test_junit_is_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    text = _run("junit", capsys)
    assert text.count("<?xml") == 1
    root = ET.fromstring(text.split("\n", 1)[1])
    suites = root.findall("testsuite")
    assert int(root.get("tests", "0")) == sum(int(s.get("tests", "0")) for s in suites)
    files = {s.get("name", "").split(": ")[0] for s in suites}
    assert len(files) == len(FILES) and all(any(f.endswith(g) for f in FILES) for g in files)


def test_html_is_one_page_with_unique_ids(capsys: pytest.CaptureFixture[str]) -> None:
    text = _run("html", capsys)
    assert text.count("<!DOCTYPE html>") == 1 and text.count("<html") == 1
    ids = Counter(re.findall(r'\sid="([^"]+)"', text))
    assert ids and max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    for target in re.findall(r'href="#([^"]+)"', text):
        assert target in ids
    assert "Belarus–China cooperation" in text and "Development targets on Gapminder data" in text


def test_tap_has_one_plan(capsys: pytest.CaptureFixture[str]) -> None:
    text = _run("tap", capsys)
    assert text.count("TAP version 14") == 1
    plan = re.search(r"^1\.\.(\d+)$", text, re.M)
    assert plan is not None
    assert len(re.findall(r"^(?:not )?ok \d+ - ", text, re.M)) == int(plan.group(1))
