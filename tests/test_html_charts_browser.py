"""The charts of the HTML report measured in headless Chromium, at a desktop and a phone width.

Each chart is read back from the drawn page (bounding boxes of its texts,
markers and lines, in screen pixels) and checked against the defects a reader
saw: labels cut off on the left, the threshold's label over a marker, a caption
naming a line that is not drawn, an axis that stops below the threshold, a
threshold drawn over periods the rule does not judge, a path drawn before its
baseline, small groups flattened on a shared scale, and table columns out of
reach on a phone.

With ``DIRECTIVE_SCREENSHOTS=<folder>`` set, a screenshot of each example's
report in each language is saved there (CI uploads it as an artifact).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.formats import render
from directive_dsl.report import Report

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {"gapminder": ROOT / "examples" / "gapminder" / "targets.directive",
            "belarus_china": ROOT / "examples" / "belarus_china" / "belarus_china.directive",
            "ministry": ROOT / "examples" / "ministry" / "ministry.directive"}
DESKTOP, PHONE = 1280, 390

#: Everything the checks need from each chart, in screen pixels.
MEASURE = """() => [...document.querySelectorAll('figure.figure')].map(figure => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const panels = [...figure.querySelectorAll('svg.chart')].map(svg => {
    const all = sel => [...svg.querySelectorAll(sel)];
    const points = p => p.getAttribute('points').trim().split(/\\s+/).map(xy => xy.split(',').map(Number));
    const ctm = svg.getScreenCTM();
    const screen = ([x, y]) => [ctm.a * x + ctm.e, ctm.d * y + ctm.f];
    return {
      svg: box(svg),
      kind: svg.classList.contains('bars') ? 'bars' : svg.classList.contains('path') ? 'path' : 'series',
      texts: all('text').map(t => ({cls: t.getAttribute('class') || '', text: t.textContent, box: box(t)})),
      markers: all('path.mk').map(m => ({cls: m.getAttribute('class'), box: box(m)})),
      grid: all('line.grid').map(l => box(l)[1]),
      zero: all('line.grid.zero').map(l => box(l)[1]),
      thr: all('.thr:not(.tick)').map(box),
      actual: all('polyline.act').map(p => points(p).length),
      path: all('polyline.path').map(p => points(p).map(screen)),
      values: all('path.mk-pass, path.mk-fail, path.mk-on_track, path.mk-off_track').map(m => box(m)),
    };
  });
  return {rule: figure.closest('section.rule').dataset.rule, caption: figure.querySelector('figcaption').textContent,
          many: !!figure.querySelector('.panels-many'), panels};
})"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5


@pytest.fixture(scope="module")
def examples() -> dict[str, Report]:
    return {name: directive_dsl.load(path).evaluate(engine="python") for name, path in EXAMPLES.items()}


def _open(chromium: Any, tmp_path: Path, report: Report, width: int, locale: str = "en") -> Any:
    page_file = tmp_path / f"report-{locale}-{width}.html"
    page_file.write_text(render(report, "html", locale=locale), encoding="utf-8")
    page = chromium.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page_file.as_uri(), wait_until="load")
    return page


def _charts(chromium: Any, tmp_path: Path, report: Report, width: int, locale: str = "en") -> list[dict[str, Any]]:
    page = _open(chromium, tmp_path, report, width, locale)
    try:
        return page.evaluate(MEASURE)
    finally:
        page.close()


def _panels(figures: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for figure in figures:
        for panel in figure["panels"]:
            yield figure["rule"], panel


SPREAD = """\
dataset t
  time year
  dimensions region
  measure v USD
rule small_big "Each region above a tenth of its size":
  require t.v[region] >= 5 USD per year
"""


def _spread_report() -> Report:
    """Groups a thousand times apart: a shared scale would flatten the small one onto its axis."""
    rows = [{"year": y, "region": r, "v": v * f} for y, f in ((2026, 1.0), (2027, 1.2), (2028, 1.1))
            for r, v in (("Big", 9000.0), ("Small", 9.0))]
    return directive_dsl.loads(SPREAD, "spread.directive").evaluate({"t": rows}, engine="python", window="2026..2028")


@pytest.mark.parametrize("locale", ["en", "ru", "be"])
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_chart_label_lies_inside_its_chart(chromium: Any, tmp_path: Path, examples: dict[str, Report],
                                                 name: str, width: int, locale: str) -> None:
    outside = []
    for rule, panel in _panels(_charts(chromium, tmp_path, examples[name], width, locale)):
        left, _top, right, _bottom = panel["svg"]
        outside += [(rule, t["text"], round(t["box"][0] - left), round(t["box"][2] - right))
                    for t in panel["texts"] if t["box"][0] < left - 0.5 or t["box"][2] > right + 0.5]
    assert not outside, outside


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_period_labels_do_not_run_into_each_other(chromium: Any, tmp_path: Path,
                                                      examples: dict[str, Report], name: str, width: int) -> None:
    clashes = []
    for rule, panel in _panels(_charts(chromium, tmp_path, examples[name], width)):
        periods = [t for t in panel["texts"] if "x" in t["cls"].split()]
        clashes += [(rule, a["text"], b["text"]) for i, a in enumerate(periods) for b in periods[i + 1:]
                    if _overlap(a["box"], b["box"])]
    assert not clashes, clashes


@pytest.mark.parametrize("locale", ["en", "ru", "be"])
@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_threshold_label_covers_no_marker_and_no_value(chromium: Any, tmp_path: Path,
                                                          examples: dict[str, Report], name: str,
                                                          width: int, locale: str) -> None:
    found, clashes = 0, []
    for rule, panel in _panels(_charts(chromium, tmp_path, examples[name], width, locale)):
        for label in (t for t in panel["texts"] if "thr-label" in t["cls"]):
            found += 1
            clashes += [(rule, label["text"], m["cls"]) for m in panel["markers"] if _overlap(label["box"], m["box"])]
            clashes += [(rule, label["text"], t["text"]) for t in panel["texts"]
                        if t is not label and "val" in t["cls"].split() and _overlap(label["box"], t["box"])]
    assert found or name == "ministry"  # its charts are all paths to a target: no threshold line to label
    assert not clashes, clashes


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_caption_names_a_line_only_where_one_is_drawn(chromium: Any, tmp_path: Path,
                                                          examples: dict[str, Report], name: str) -> None:
    wrong = [figure["rule"] for figure in _charts(chromium, tmp_path, examples[name], DESKTOP)
             if "solid line" in figure["caption"]
             and not any(n >= 2 for panel in figure["panels"] for n in panel["actual"])]
    assert not wrong, wrong


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_the_value_axis_reaches_past_the_threshold(chromium: Any, tmp_path: Path, examples: dict[str, Report],
                                                   name: str, width: int) -> None:
    short = []
    for rule, panel in _panels(_charts(chromium, tmp_path, examples[name], width)):
        if panel["kind"] == "bars" or not panel["grid"] or not panel["thr"]:
            continue
        top, bottom = min(panel["grid"]), max(panel["grid"])
        highest, lowest = min(b[1] for b in panel["thr"]), max(b[3] for b in panel["thr"])
        if highest < top - 1 or lowest > bottom + 1:
            short.append((rule, round(top), round(highest), round(bottom), round(lowest)))
    assert not short, short


LATER = """\
dataset t
  time year
  measure v USD
rule later "From 2027 only":
  require t.v >= 50 USD per year from 2027 to 2030
rule reach "Reach 300 by 2030 from 2026":
  require t.v >= 300 USD by 2030 from 2026
"""


def _later_report() -> Report:
    """A rule judged from 2027 in a window from 2024, and a path from a 2026 baseline, both on low values."""
    rows = [{"year": y, "v": v} for y, v in ((2024, 8.0), (2025, 9.0), (2026, 10.0), (2027, 60.0), (2028, 70.0))]
    return directive_dsl.loads(LATER, "later.directive").evaluate({"t": rows}, engine="python", window="2024..2030")


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_threshold_is_drawn_only_over_the_periods_judged(chromium: Any, tmp_path: Path, width: int) -> None:
    figures = {f["rule"]: f for f in _charts(chromium, tmp_path, _later_report(), width)}
    panel = figures["later"]["panels"][0]
    years = {t["text"]: (t["box"][0] + t["box"][2]) / 2 for t in panel["texts"] if "x" in t["cls"].split()}
    assert panel["thr"] and panel["values"]
    start = min(b[0] for b in panel["thr"])
    assert years["2026"] < start < years["2027"], (years, panel["thr"])
    assert min(b[0] for b in panel["values"]) > start


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_path_starts_at_its_marked_baseline_and_stays_above_zero(chromium: Any, tmp_path: Path,
                                                                   width: int) -> None:
    figures = {f["rule"]: f for f in _charts(chromium, tmp_path, _later_report(), width)}
    panel = figures["reach"]["panels"][0]
    assert panel["kind"] == "path" and panel["path"]
    baseline = [m["box"] for m in panel["markers"] if "mk-baseline" in m["cls"]]
    assert len(baseline) == 1, panel["markers"]
    centre = ((baseline[0][0] + baseline[0][2]) / 2, (baseline[0][1] + baseline[0][3]) / 2)
    start = min(panel["path"][0], key=lambda point: point[0])
    assert abs(start[0] - centre[0]) < 1.5 and abs(start[1] - centre[1]) < 1.5, (start, centre)
    zero = max(panel["zero"])
    assert all(y <= zero + 0.5 for line in panel["path"] for _x, y in line), (zero, panel["path"])
    assert any(t["text"].startswith("baseline 10 in 2026") for t in panel["texts"]), panel["texts"]
    assert "hollow square is the baseline" in figures["reach"]["caption"]


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_groups_of_very_different_size_each_fill_their_own_panel(chromium: Any, tmp_path: Path, width: int) -> None:
    figure = _charts(chromium, tmp_path, _spread_report(), width)[0]
    assert figure["many"] and len(figure["panels"]) == 2
    for panel in figure["panels"]:
        top, bottom = min(panel["grid"]), max(panel["grid"])
        highest = min(b[1] for b in panel["values"])
        assert (bottom - highest) / (bottom - top) > 0.5, (panel["svg"], top, bottom, highest)
    assert "own scale" in figure["caption"], figure["caption"]


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_on_a_phone_every_column_of_every_row_is_on_screen(chromium: Any, tmp_path: Path,
                                                           examples: dict[str, Report], name: str) -> None:
    page = _open(chromium, tmp_path, examples[name], PHONE)
    try:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        cells = page.evaluate("""() => [...document.querySelectorAll('table.outcomes tbody tr')].slice(0, 60)
            .flatMap(row => [...row.children].map(cell => {
              const r = cell.getBoundingClientRect();
              return {label: cell.dataset.label || '', text: cell.textContent, left: r.left, right: r.right,
                      shown: cell.checkVisibility() && r.width > 0};
            }))""")
        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    finally:
        page.close()
    assert cells
    hidden = [c for c in cells if c["text"].strip() and (not c["shown"] or c["left"] < 0 or c["right"] > PHONE)]
    assert not hidden, hidden[:5]
    labels = {c["label"] for c in cells}
    assert {"Threshold", "Gap"} <= labels, labels
    assert wide <= 0


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_failures_come_first_and_those_met_are_folded_behind_their_count(
        chromium: Any, tmp_path: Path, examples: dict[str, Report], name: str) -> None:
    report = examples[name]
    page = _open(chromium, tmp_path, report, DESKTOP)
    try:
        sections = page.evaluate("""() => [...document.querySelectorAll('section.rule')].map(s => ({
            rule: s.dataset.rule,
            rows: [...s.querySelectorAll('tr.outcome')].map(r => [r.classList.contains('violation'),
                                                                  r.dataset.status, r.checkVisibility()]),
            summary: s.querySelector('details.met > summary')?.textContent.trim() ?? null}))""")
        page.click("details.met > summary")
        opened = page.evaluate("() => [...document.querySelector('details.met').querySelectorAll('tr.outcome')]"
                               ".every(r => r.checkVisibility())")
    finally:
        page.close()
    folded = 0
    for section in sections:
        outcomes = [o for o in report.outcomes if o.rule == section["rule"]]
        met = [o for o in outcomes if o.status == "pass" and not o.is_violation]
        flags = [violation for violation, _status, _shown in section["rows"]]
        assert flags == sorted(flags, reverse=True), section["rule"]  # every violation before any other row
        assert [shown for _v, status, shown in section["rows"] if status == "pass" and not _v] == [False] * len(met)
        assert len(section["rows"]) == len(outcomes)
        if met:
            folded += 1
            assert section["summary"] == f"{len(met)} outcome{'s' * (len(met) != 1)} met", section
        else:
            assert section["summary"] is None
    assert folded and opened


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_printed_on_a4_no_table_or_chart_is_cut(chromium: Any, tmp_path: Path, examples: dict[str, Report],
                                                 name: str) -> None:
    page = _open(chromium, tmp_path, examples[name], DESKTOP)
    try:
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 703, "height": 1000})  # A4's 210 mm less 2 x 12 mm margins, at 96 dpi
        cut = page.evaluate("""() => {
            const edge = document.body.getBoundingClientRect().right + 0.5;
            const wide = [...document.querySelectorAll('table, svg.chart, figure, pre, .table-wrap')]
                .filter(e => e.checkVisibility() && e.getBoundingClientRect().right > edge)
                .map(e => e.tagName + '.' + e.getAttribute('class'));
            const scrolled = [...document.querySelectorAll('.table-wrap')]
                .filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.getAttribute('aria-label'));
            const hidden = [...document.querySelectorAll('tr.outcome')].filter(r => !r.checkVisibility()).length;
            return {wide, scrolled, hidden, page: document.documentElement.scrollWidth - window.innerWidth};
        }""")
    finally:
        page.close()
    sizes = {tuple(round(float(v)) for v in box.split()) for box in
             re.findall(rb"/MediaBox \[([\d. ]+)\]", pdf)}
    assert sizes == {(0, 0, 595, 842)}, sizes  # A4 in points (595.28 x 841.89)
    assert cut == {"wide": [], "scrolled": [], "hidden": 0, "page": 0}, cut  # printed, the rows met show too


@pytest.mark.parametrize("locale", ["en", "ru", "be"])
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_a_screenshot_of_each_example_in_each_language(chromium: Any, tmp_path: Path, examples: dict[str, Report],
                                                       name: str, locale: str) -> None:
    folder = Path(os.environ.get("DIRECTIVE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for width, device in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = _open(chromium, tmp_path, examples[name], width, locale)
        try:
            shot = folder / f"{name}-{locale}-{device}.png"
            page.screenshot(path=str(shot), full_page=True)
            lang = page.evaluate("() => document.documentElement.lang")
        finally:
            page.close()
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
        assert lang == locale


HISTORY = """
directive "History"
  period 2025 to 2030
dataset h
  time year
  dimensions region
  measure amount USD
rule each: require h.amount[region] >= 100 USD per year
"""


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_years_before_the_window_are_drawn_grey_before_the_first_judged(chromium: Any, tmp_path: Path,
                                                                            width: int) -> None:
    rows = [{"year": y, "region": r, "amount": v} for y, r, v in (
        (2021, "A", 50.0), (2022, "A", 70.0), (2023, "A", 90.0), (2024, "A", 120.0), (2025, "A", 80.0),
        (2026, "A", 160.0), (2024, "B", 300.0), (2025, "B", 200.0))]
    report = directive_dsl.loads(HISTORY, "history.directive").evaluate({"h": rows}, engine="python")
    page = _open(chromium, tmp_path, report, width)
    try:
        found = page.evaluate("""() => [...document.querySelectorAll('figure svg')].map(svg => {
            const box = svg.getBoundingClientRect();
            const edges = el => { const b = el.getBoundingClientRect(); return [b.left, b.right]; };
            return {svg: [box.left, box.right],
                    history: [...svg.querySelectorAll('.mk-hist')].map(edges),
                    judged: [...svg.querySelectorAll('path.mk')].map(edges)};
        })""")
    finally:
        page.close()
    found = [p for p in found if p["svg"][1] - p["svg"][0] > 60]  # the charts, not the legend's icons
    panels = {len(p["history"]): p for p in found}
    assert set(panels) == {4, 1}, found  # A: 2021–2024; B: 2024 only
    for panel in found:
        assert panel["judged"] and all(panel["svg"][0] <= h[0] and h[1] <= panel["svg"][1] for h in panel["history"])
        assert max(h[1] for h in panel["history"]) < min(j[0] for j in panel["judged"])


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_deadline_reached_marks_its_baseline_on_the_bar(chromium: Any, tmp_path: Path,
                                                         examples: dict[str, Report], width: int) -> None:
    report = examples["gapminder"]
    with_baseline = {o.rule for o in report.outcomes if o.baseline is not None}
    assert with_baseline
    page = _open(chromium, tmp_path, report, width)
    try:
        found = page.evaluate("""() => [...document.querySelectorAll('svg')]
            .filter(svg => svg.querySelector('.mk-baseline'))
            .map(svg => { const box = svg.getBoundingClientRect();
                          const mark = svg.querySelector('.mk-baseline').getBoundingClientRect();
                          return {bars: svg.getAttribute('class') || '', svg: [box.left, box.top, box.right, box.bottom],
                                  mark: [mark.left, mark.top, mark.right, mark.bottom]}; })""")
    finally:
        page.close()
    bars = [f for f in found if "bars" in f["bars"]]
    assert bars, found
    for f in bars:
        (x0, y0, x1, y1), (a, b, c, d) = f["svg"], f["mark"]
        assert x0 <= a and c <= x1 and y0 <= b and d <= y1, f
