"""The HTML report in a real browser: headless Chromium, at a desktop and a phone width.

For each width the page is opened from a file, screenshotted, and read through
the DOM: the violation rows shown must be the report's violations, the charts
must be drawn, nothing may be fetched from anywhere but the file itself, the
page may not be wider than the window, and the browser must log no error.

Needs Debian's ``chromium`` (or the binary named by ``DIRECTIVE_CHROMIUM``) and
the ``playwright`` Python package, whose own browser downloads are not used.
Skipped when either is missing, except where the environment variable ``CI`` is
``true``: there it fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from directive_dsl.formats import render
from report_samples import REPORTS

pytestmark = pytest.mark.browser

WIDTHS = (1280, 420)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["example", "synthetic"])
def test_the_report_page_in_chromium(chromium: Any, tmp_path: Path, name: str, width: int) -> None:
    report = REPORTS[name]()
    page_file = tmp_path / "report.html"
    page_file.write_text(render(report, "html"), encoding="utf-8")
    page = chromium.new_page()
    problems: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("request", lambda request: fetched.append(request.url))
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(page_file.as_uri(), wait_until="load")
        shot = tmp_path / f"report-{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000

        shown = page.evaluate("""() => [...document.querySelectorAll('tr.violation')]
            .filter(row => row.checkVisibility()).length""")
        assert shown == len(report.violations)
        per_rule = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('section.rule')]
            .map(s => [s.dataset.rule, s.querySelectorAll('tr.violation').length]))""")
        assert per_rule == {r.id: sum(1 for v in report.violations if v.rule == r.id) for r in report.rules}

        charts = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].map(svg => {
            const box = svg.getBoundingClientRect();
            return {w: box.width, h: box.height, label: svg.getAttribute('aria-label'),
                    title: svg.querySelector(':scope > title')?.textContent ?? ''};
        })""")
        assert len(charts) >= sum(1 for r in report.rules if r.counts)
        for chart in charts:
            assert chart["w"] > 150 and chart["h"] > 50, chart
            assert chart["label"] and chart["title"], chart

        wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, f"the page is {wide}px wider than a {width}px window"
        assert all(url.startswith(("file:", "data:")) for url in fetched), fetched
        assert not problems, problems
    finally:
        page.close()


@pytest.mark.parametrize("locale", ["en", "ru", "be"])
def test_axis_labels_stay_inside_their_chart_in_every_language(chromium: Any, tmp_path: Path, locale: str) -> None:
    # "12,5 млрд" is longer than "12.5B": the margin left of the plot grows to hold it.
    import directive_dsl

    directive = directive_dsl.loads("dataset t\n  time year\n  dimensions region\n  measure v USD\n"
                                    "rule big: require t.v[region] >= 11.5 billion USD per year")
    rows = [{"year": y, "region": r, "v": v * 1e9} for y in (2026, 2027) for r, v in (("A", 12.5), ("B", 9.75))]
    single = [row for row in rows if row["region"] == "A"]
    for name, data in (("many", rows), ("one", single)):
        report = directive.evaluate({"t": data}, engine="python", window="2026..2028")
        page_file = tmp_path / f"{name}.html"
        page_file.write_text(render(report, "html", locale=locale), encoding="utf-8")
        page = chromium.new_page()
        try:
            page.goto(page_file.as_uri(), wait_until="load")
            lefts = page.evaluate("""() => [...document.querySelectorAll('svg.chart text.ax')]
                .map(t => [t.textContent, t.getBBox().x])""")
        finally:
            page.close()
        assert any("12" in text or "10" in text for text, _ in lefts), lefts
        outside = [(text, x) for text, x in lefts if x < 0]
        assert not outside, outside
