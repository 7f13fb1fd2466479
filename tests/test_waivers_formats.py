"""Waived outcomes in every report format, and the same waived report on every engine (SPEC §13.7).

Mogilev misses the floor every year and is waived; Minsk misses it in 2027 and
is not: every format shows one violation and three waived outcomes with their reason.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import directive_dsl
from directive_dsl.formats import render, report_schema
from directive_dsl.formats.xlsx import render_bytes
from directive_dsl.report import Report
from engine_neutral import neutral_json
from test_waivers import FDI, ROWS

REASON = "Flood recovery, Council decision 12/2026"
TEXT = FDI + f'\nwaive fdi_regions[region = "Mogilev"] because "{REASON}"\n'
DATA = Path(__file__).parent / "data"


def _evaluate(engine: Any = "python") -> Report:
    return directive_dsl.loads(TEXT, filename="t.directive").evaluate({"fdi": ROWS}, engine=engine)


@pytest.fixture(scope="module")
def report() -> Report:
    return _evaluate()


def test_the_report_counts_waived_outcomes_apart_from_violations(report: Report) -> None:
    assert [(o.group["region"], o.period) for o in report.violations] == [("Minsk", "2027")]
    assert [(o.group["region"], o.period) for o in report.waived] == [
        ("Mogilev", "2026"), ("Mogilev", "2027"), ("Mogilev", "2028")]
    assert report.to_dict()["summary"]["waived"] == 3


def test_text(report: Report) -> None:
    lines = render(report, "text").splitlines()
    assert "FAIL  1 violation (1 error) in 1 of 1 rule; 6 outcomes: 2 pass, 4 fail; 3 waived" in lines
    waived = [line for line in lines if "Mogilev" in line]
    assert len(waived) == 3
    assert all("fail (waived)" in line and line.endswith(f"waived: {REASON}") for line in waived)
    minsk = next(line for line in lines if "Minsk" in line)
    assert "waived" not in minsk


def test_markdown(report: Report) -> None:
    out = render(report, "markdown")
    assert "; 3 waived**" in out
    rows = [line for line in out.splitlines() if "Mogilev" in line]
    assert len(rows) == 3
    assert all("❌ fail (waived)" in row and "waived: Flood recovery, Council decision 12/2026 |" in row
               for row in rows)


def test_html(report: Report) -> None:
    page = render(report, "html")
    assert page.count('class="outcome s-fail waived"') == 3
    assert page.count('class="outcome s-fail violation"') == 1
    assert page.count(f'data-waiver="{REASON}"') == 3
    assert "3 waived" in page


def test_json_validates_and_lists_the_waived(report: Report) -> None:
    validator = jsonschema.Draft202012Validator(report_schema())
    for passing in (False, True):
        doc = json.loads(render(report, "json", include_passing=passing))
        assert not sorted(validator.iter_errors(doc), key=str)
    doc = json.loads(render(report, "json", include_passing=True))
    assert [w["period"] for w in doc["waived"]] == ["2026", "2027", "2028"]
    assert {json.dumps(w["waiver"]) for w in doc["waived"]} == {json.dumps(
        {"reason": REASON, "until": None, "location": {"file": "t.directive", "line": 9, "column": 1}})}
    assert [o["waiver"] for o in doc["outcomes"] if o["group"]["region"] == "Minsk"] == [None] * 3
    broken = {**doc, "violations": [{**doc["violations"][0], "waiver": doc["waived"][0]["waiver"]}]}
    assert not validator.is_valid(broken)  # a violation is never waived


def test_junit_waived_is_no_failure(report: Report) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("2", "1", "1")
    cases = {case.get("name"): case for case in root.iter("testcase")}
    mogilev, minsk = cases["region = Mogilev"], cases["region = Minsk"]
    assert mogilev.find("failure") is None
    skipped = mogilev.find("skipped")
    assert skipped is not None and skipped.get("type") == "waived"
    assert skipped.get("message") == f"waived: {REASON}"
    out = mogilev.find("system-out")
    assert out is not None and out.text is not None
    assert out.text.splitlines()[0].startswith(f"fail (waived: {REASON}): ")
    assert minsk.find("failure") is not None and minsk.find("skipped") is None


def test_sarif_waived_results_are_suppressed(report: Report) -> None:
    log = json.loads(render(report, "sarif"))
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(log))
    results = log["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["properties"]["period"] for r in suppressed] == ["2026", "2027", "2028"]
    for result in suppressed:
        assert (result["kind"], result["level"]) == ("fail", "error")
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "inSource" and suppression["status"] == "accepted"
        assert suppression["justification"] == REASON
        region = suppression["location"]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (9, 1)
    (open_result,) = [r for r in results if "suppressions" not in r]
    assert open_result["properties"]["group"] == {"region": "Minsk"}


def test_github_has_no_error_for_the_waived(report: Report) -> None:
    lines = render(report, "github").splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(errors) == 1 and "Minsk" in errors[0]
    assert len(notices) == 3
    assert all("title=fdi_regions [region = Mogilev] 20" in n and "(waived)::waived: Flood recovery" in n
               for n in notices)
    assert lines[-1].endswith("; 3 waived")


def test_tap_marks_the_waived_as_a_known_failure(report: Report) -> None:
    lines = render(report, "tap").splitlines()
    assert lines[:2] == ["TAP version 14", "1..2"]
    heads = [line for line in lines if line.startswith(("ok", "not ok"))]
    assert heads == ["not ok 1 - fdi_regions [region = Minsk]",
                     f"not ok 2 - fdi_regions [region = Mogilev] # TODO waived: {REASON}"]
    waivers = [line.strip() for line in lines if line.strip().startswith("waiver: ")]
    assert len(waivers) == 3
    assert json.loads(waivers[0].removeprefix("waiver: "))["reason"] == REASON


def test_xlsx_has_a_waived_sheet(report: Report, tmp_path: Path) -> None:
    calamine = pytest.importorskip("python_calamine")
    path = tmp_path / "r.xlsx"
    path.write_bytes(render_bytes([report]))
    book = calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["Summary", "Rules", "Violations", "Waived", "Run"]
    summary = book.get_sheet_by_name("Summary").to_python()
    assert summary[1][summary[0].index("waived")] == 3
    waived = book.get_sheet_by_name("Waived").to_python()
    header = waived[0]
    assert [row[header.index("region")] for row in waived[1:]] == ["Mogilev"] * 3
    assert {row[header.index("waiver.reason")] for row in waived[1:]} == {REASON}


# ---------------------------------------------------------------- every engine


def _without_run(text: str) -> str:
    """A text report without its Made line, which names the engine and the time."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("Made "))


def test_the_waived_report_is_the_same_on_every_engine(engine: Any) -> None:
    got, want = _evaluate(engine), _evaluate("python")
    assert neutral_json(got) == neutral_json(want)
    assert _without_run(render(got, "text")) == _without_run(render(want, "text"))
    for fmt in ("tap", "github"):
        assert render(got, fmt) == render(want, fmt)
    assert len(got.waived) == 3


def test_the_arrow_table_types_the_waiver(report: Report) -> None:
    pa = pytest.importorskip("pyarrow")
    table = report.to_arrow()
    assert table.schema.field("waiver").type == pa.struct([
        ("reason", pa.string()), ("until", pa.string()),
        ("location", pa.struct([("file", pa.string()), ("line", pa.int64()), ("column", pa.int64())]))])
    reasons = [w["reason"] if w else None for w in table.column("waiver").to_pylist()]
    assert reasons == [None, None, None, REASON, REASON, REASON]
    plain = directive_dsl.loads(TEXT.split("waive")[0], filename="t.directive").evaluate({"fdi": ROWS},
                                                                                           engine="python")
    assert plain.to_arrow().schema.field("waiver").type == table.schema.field("waiver").type
