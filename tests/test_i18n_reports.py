"""Reports in Russian and Belarusian: every format, the bundled examples, numbers and plurals (SPEC §13.9)."""

from __future__ import annotations

import functools
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.cli import main
from directive_dsl.errors import DirectiveUsageError
from directive_dsl.formats import FORMATS, render
from directive_dsl.formats.combined import render_many
from directive_dsl.i18n import speaking
from directive_dsl.reasons import TEMPLATES, reason_words
from directive_dsl.report import Report

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BELARUS_CHINA = EXAMPLES / "belarus_china" / "belarus_china.directive"
NBSP = "\u00a0"


@functools.cache
def _belarus_china() -> Report:
    return directive_dsl.load(BELARUS_CHINA).evaluate(engine="python", as_of="2027")


@functools.cache
def _gapminder() -> Report:
    return directive_dsl.load(EXAMPLES / "gapminder" / "targets.directive").evaluate(engine="python")


# ---------------------------------------------------------------- text and markdown

@pytest.mark.parametrize("locale,expected", [
    ("ru", [
        "belarus_china.directive · период оценки 2026..2030 · по состоянию на 2027",
        "  источник: Directive No. 9, para 3",
        "группа", "период", "статус", "факт", "порог", "отклонение", "причина",
        "не выполнена   121 млн USD  >= 150 млн USD  29,1 млн USD",
        f"отставание от траектории  4,55{NBSP}%  >= 6,46{NBSP}% (траектория; цель 10{NBSP}% к 2030)   1,91 п.п.",
        "нет данных по region = Mogilev за 2027 (investments)",
        "FAIL  16 нарушений (15 ошибок, 1 предупреждение) в 5 из 6 правил; 22 результата: выполнено — 6, "
        "не выполнено — 14, нет данных — 1, отставание от траектории — 1",
    ]),
    ("be", [
        "belarus_china.directive · перыяд ацэнкі 2026..2030 · па стане на 2027",
        "  крыніца: Directive No. 9, para 3",
        "група", "перыяд", "статус", "факт", "парог", "адхіленне", "прычына",
        "не выканана   121 млн USD  >= 150 млн USD  29,1 млн USD",
        f"адставанне ад траекторыі  4,55{NBSP}%  >= 6,46{NBSP}% (траекторыя; мэта 10{NBSP}% да 2030)  1,91 п.п.",
        "няма даных па region = Mogilev за 2027 (investments)",
        "FAIL  16 парушэнняў (15 памылак, 1 папярэджанне) у 5 з 6 правіл; 22 вынікі: выканана — 6, "
        "не выканана — 14, няма даных — 1, адставанне ад траекторыі — 1",
    ]),
])
def test_text(locale: str, expected: list[str]) -> None:
    text = render(_belarus_china(), "text", locale=locale)
    for words in expected:
        assert words in text
    # titles and the rules as written stay as written; no English word of ours is left
    assert "At least $150 million of direct investment in each region and Minsk" in text
    assert ': require chinese_investment[kind = "direct", region] >= 150 million USD per year\n' in text
    ours = "\n".join(line for line in text.splitlines()[1:] if "]: " not in line and ": require " not in line)
    assert not re.search(r"\b(window|as of|source|period|threshold|not met|million|billion|violations?)\b", ours)


def test_the_text_columns_line_up_in_russian() -> None:
    lines = render(_belarus_china(), "text", locale="ru").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  2026    не выполнена  1,68"))
    header, row = lines[at - 1], lines[at]
    assert header.startswith("  период  статус")
    assert header.index("отклонение") + len("отклонение") == row.index("6,03") + len("6,03 млрд USD")


@pytest.mark.parametrize("locale,headline,meta", [
    ("ru", "### ❌ Belarus–China cooperation 2026–2030: 14 целей не выполнено, 1 без данных, "
           "1 отстаёт от траектории, 6 выполнено",
     "ошибка · `{file}:35` · источник: Directive No. 9, para 3 · 11 нарушений"),
    ("be", "### ❌ Belarus–China cooperation 2026–2030: 14 мэт не выканана, 1 без даных, "
           "1 адстае ад траекторыі, 6 выканана",
     "памылка · `{file}:35` · крыніца: Directive No. 9, para 3 · 11 парушэнняў"),
])
def test_markdown(locale: str, headline: str, meta: str) -> None:
    lines = render(_belarus_china(), "markdown", locale=locale).splitlines()
    assert lines[0] == headline
    assert meta.format(file=_belarus_china().file) in lines
    header = {"ru": "| Группа | Период | Статус | Факт | Порог | Отклонение | Причина |",
              "be": "| Група | Перыяд | Статус | Факт | Парог | Адхіленне | Прычына |"}[locale]
    assert header in lines


# ---------------------------------------------------------------- plurals and numbers

def _failing(targets: int) -> Report:
    """A report with *targets* outcomes, every one not met."""
    directive = directive_dsl.loads("dataset t\n  time year\n  dimensions region\n  measure v t\n"
                                    "rule r: require t.v[region] >= 5 t per year")
    rows = [{"year": 2026, "region": f"R{i:02}", "v": 1} for i in range(targets)]
    return directive.evaluate({"t": rows}, engine="python", window="2026..2026")


@pytest.mark.parametrize("targets,ru,be", [
    (1, "1 цель не выполнена", "1 мэта не выканана"),
    (2, "2 цели не выполнены", "2 мэты не выкананы"),
    (5, "5 целей не выполнено", "5 мэт не выканана"),
    (21, "21 цель не выполнена", "21 мэта не выканана"),
])
def test_plural_forms_of_the_headline(targets: int, ru: str, be: str) -> None:
    report = _failing(targets)
    assert render(report, "markdown", locale="ru").splitlines()[0].endswith(f": {ru}")
    assert render(report, "markdown", locale="be").splitlines()[0].endswith(f": {be}")
    english = "target not met" if targets == 1 else "targets not met"
    assert render(report, "markdown").splitlines()[0].endswith(f": {targets} {english}")


@pytest.mark.parametrize("targets,ru", [
    (1, "1 нарушение (1 ошибка) в 1 из 1 правила; 1 результат"),
    (2, "2 нарушения (2 ошибки) в 1 из 1 правила; 2 результата"),
    (5, "5 нарушений (5 ошибок) в 1 из 1 правила; 5 результатов"),
    (21, "21 нарушение (21 ошибка) в 1 из 1 правила; 21 результат"),
])
def test_plural_forms_of_the_summary(targets: int, ru: str) -> None:
    assert f"FAIL  {ru}: не выполнено — {targets}\n" in render(_failing(targets), "text", locale="ru")


def test_numbers_follow_the_locale_in_every_place() -> None:
    directive = directive_dsl.loads('rule big "Big": require v >= 1234567.8 t per year')
    report = directive.evaluate({"v": [{"year": 2026, "v": 2_500_000_000}]}, engine="python", include_passing=True)
    page = render(report, "html", locale="ru")
    assert f'title="&gt;= 1{NBSP}234{NBSP}567,8 t"' in page  # the exact figure, as Babel writes it
    assert f'title="2{NBSP}500{NBSP}000{NBSP}000 t"' in page
    assert ">2,5 млрд t<" in page  # the figure as read, with its magnitude word
    assert ">2,5 млрд<" in page  # the chart's axis label
    english = render(report, "html")
    assert 'title="&gt;= 1,234,567.8 t"' in english and ">2.5 billion t<" in english and ">2.5B<" in english
    assert "2,5 млрд t" in render(report, "text", locale="be", include_passing=True)


# ---------------------------------------------------------------- html

@pytest.mark.parametrize("locale,words", [
    ("ru", ["Отчёт о выполнении директивы", "Сводка по целям", "Период оценки", "Последние данные",
            "Уровень важности", "Место в директиве", "Выполнена", "Не выполнена", "Нет данных",
            "Отставание от траектории", "Пунктирная линия — равномерная траектория достижения цели.",
            "Подготовлено directive_dsl", "Фактические значения и порог по периодам"]),
    ("be", ["Справаздача аб выкананні дырэктывы", "Зводка па мэтах", "Перыяд ацэнкі", "Апошнія даныя",
            "Узровень важнасці", "Месца ў дырэктыве", "Выканана", "Не выканана", "Няма даных",
            "Адставанне ад траекторыі", "Пункцірная лінія — раўнамерная траекторыя дасягнення мэты.",
            "Падрыхтавана directive_dsl", "Фактычныя значэнні і парог па перыядах"]),
])
def test_html(locale: str, words: list[str]) -> None:
    page = render(_belarus_china(), "html", locale=locale)
    assert f'<html lang="{locale}">' in page
    for word in words:
        assert word in page
    tally = re.search(r'<ul class="tally".*?</ul>', page, re.S)
    assert tally is not None
    counted = re.sub(r"<[^>]+>", "", tally.group(0))
    assert {"ru": "14 Не выполнено", "be": "14 Не выканана"}[locale] in " ".join(counted.split())
    # the rules as written stay as written, as titles do
    text = re.sub(r'<style>.*?</style>|<p class="formula">.*?</p>|<[^>]+>', " ", page, flags=re.S)
    for english in ("Targets at a glance", "Latest data", "Violations", "Threshold", "no data", "million USD"):
        assert english not in text


def test_html_of_several_reports_and_in_english() -> None:
    page = render_many([_belarus_china(), _gapminder()], "html", locale="be")
    assert '<html lang="be">' in page and "Справаздачы аб выкананні дырэктыў" in page
    assert '<html lang="en">' in render(_belarus_china(), "html")


# ---------------------------------------------------------------- messages of the data formats

def _messages(document: Any) -> list[str]:
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "message" and isinstance(value, str):
                found.append(value)
            elif key == "message" and isinstance(value, dict):  # SARIF: {"text": …}
                found.append(value["text"])
            else:
                found += _messages(value)
    elif isinstance(document, list):
        for value in document:
            found += _messages(value)
    return found


def _without_messages(document: Any) -> Any:
    if isinstance(document, dict):
        return {k: None if k in ("message", "fullDescription", "locale") else _without_messages(v)
                for k, v in document.items()}
    if isinstance(document, list):
        return [_without_messages(v) for v in document]
    return document


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_and_sarif_translate_only_the_messages(fmt: str) -> None:
    english = json.loads(render(_belarus_china(), fmt, include_passing=True))
    russian = json.loads(render(_belarus_china(), fmt, include_passing=True, locale="ru"))
    assert _without_messages(russian) == _without_messages(english)  # keys, statuses, codes, numbers
    run = russian["run"] if fmt == "json" else russian["runs"][0]["properties"]["run"]
    assert run["locale"] == "ru"
    messages = _messages(russian)
    assert "region = Brest, 2026: 116 млн USD ниже порога 150 млн USD на 34 млн USD" in messages
    assert (f"2027: 4,55{NBSP}% — отставание от траектории на 1,91 п.п. (сейчас по траектории 6,46{NBSP}%, "
            f"цель 10{NBSP}% к 2030)") in messages
    assert "region = Mogilev, 2027: значение отсутствует (нет данных по region = Mogilev за 2027 (investments))" \
        in messages
    assert "region = Minsk, 2026: 165 млн USD соответствует условию >= 150 млн USD" in messages


def test_junit_messages_in_belarusian() -> None:
    root = ET.fromstring(render(_belarus_china(), "junit", locale="be"))
    failures = [f.get("message") for f in root.iter("failure")]
    assert "region = Gomel, 2026: 71,3 млн USD ніжэй за парог 150 млн USD на 78,7 млн USD" in failures
    assert [f.get("type") for f in root.iter("failure")].count("fail") == 14  # statuses stay codes


@pytest.mark.parametrize("fmt", ["github", "tap"])
def test_the_ci_formats_carry_translated_messages(fmt: str) -> None:
    assert "ніжэй за парог 150 млн USD" in render(_belarus_china(), fmt, locale="be")


def test_tap_skips_with_the_reason_in_words() -> None:
    directive = directive_dsl.loads("rule r: require v >= 5 in 2030")
    report = directive.evaluate({"v": [{"year": 2026, "v": 1}]}, engine="python")
    assert "ok 1 - r # SKIP няма даных за 2030 (v)" in render(report, "tap", locale="be")
    assert "ok 1 - r # SKIP no data in 2030 (v)" in render(report, "tap")


def test_every_format_in_english_is_the_default() -> None:
    for fmt in FORMATS:
        assert render(_gapminder(), fmt, locale="en") == render(_gapminder(), fmt)


# ---------------------------------------------------------------- where the figures came from

@pytest.mark.parametrize("locale,lines", [
    ("ru", ["Данные: investments — investments.csv, 162 строки, ежегодно, по 2027 включительно, sha256 ",
            "Данные: exports — exports.csv, 96 строк, ежегодно, по 2027 включительно, sha256 ",
            "Подготовлено 28 мая 2026\u202fг., 20:26:40 UTC программой directive_dsl "]),
    ("be", ["Даныя: investments — investments.csv, 162 радкі, штогод, па 2027 уключна, sha256 ",
            "Даныя: exports — exports.csv, 96 радкоў, штогод, па 2027 уключна, sha256 ",
            "Падрыхтавана 28 мая 2026\u202fг., 20:26:40 UTC праграмай directive_dsl "]),
])
def test_the_source_of_the_figures(locale: str, lines: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    report = directive_dsl.load(BELARUS_CHINA).evaluate(engine="python", as_of="2027")
    text = render(report, "text", locale=locale)
    for line in lines:
        assert line in text
    assert "(рухавік python)" in text if locale == "be" else "(движок python)" in text
    page = render(report, "html", locale=locale)
    assert {"ru": "Источники данных", "be": "Крыніцы даных"}[locale] in page
    assert {"ru": "<th scope=\"col\" class=\"num\">Строк</th>",
            "be": "<th scope=\"col\" class=\"num\">Радкоў</th>"}[locale] in page
    markdown = render(report, "markdown", locale=locale)
    assert {"ru": "| Набор данных | Источник | Строк | Периодичность | Данные по | SHA-256 |",
            "be": "| Набор даных | Крыніца | Радкоў | Перыядычнасць | Даныя па | SHA-256 |"}[locale] in markdown
    assert "Made 2026-05-28 20:26:40 UTC by directive_dsl" in render(report, "text")


# ---------------------------------------------------------------- xlsx

@pytest.mark.parametrize("locale,sheets,columns,words", [
    ("ru", ["Сводка", "Правила", "Нарушения", "Результаты", "Сведения о расчёте"],
     ["файл", "правило", "region", "уровень важности", "статус", "период", "факт", "порог", "отклонение",
      "причина", "сообщение"],
     ["region = Brest, 2026: 116 млн USD ниже порога 150 млн USD на 34 млн USD",
      "нет данных по region = Mogilev за 2027 (investments)"]),
    ("be", ["Зводка", "Правілы", "Парушэнні", "Вынікі", "Звесткі пра разлік"],
     ["файл", "правіла", "region", "узровень важнасці", "статус", "перыяд", "факт", "парог", "адхіленне",
      "прычына", "паведамленне"],
     ["region = Brest, 2026: 116 млн USD ніжэй за парог 150 млн USD на 34 млн USD",
      "няма даных па region = Mogilev за 2027 (investments)"]),
])
def test_xlsx(locale: str, sheets: list[str], columns: list[str], words: list[str], tmp_path: Path) -> None:
    calamine = pytest.importorskip("python_calamine")
    from directive_dsl.formats.xlsx import render_bytes

    path = tmp_path / "report.xlsx"
    path.write_bytes(render_bytes([_belarus_china()], include_passing=True, locale=locale))
    book = calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == sheets
    outcomes = book.get_sheet_by_name(sheets[3]).to_python()
    header, rows = outcomes[0], outcomes[1:]
    assert columns == [c for c in header if c in columns]
    cells = {cell for row in rows for cell in row}
    for word in words:
        assert word in cells
    status = header.index(columns[4])
    assert {row[status] for row in rows} == {"pass", "fail", "missing", "off_track"}  # statuses stay codes
    actual = header.index(columns[6])
    assert 50_600_000.0 in {row[actual] for row in rows}  # numbers stay numbers


@pytest.mark.parametrize("locale", ["ru", "be"])
def test_no_column_of_the_workbook_is_left_in_english(locale: str) -> None:
    calamine = pytest.importorskip("python_calamine")
    from directive_dsl.formats.xlsx import render_bytes

    report = _belarus_china()
    book = calamine.CalamineWorkbook.from_filelike(io.BytesIO(render_bytes([report], include_passing=True,
                                                                           locale=locale)))
    dimensions = {name for outcome in report.outcomes for name in outcome.group}  # named as written
    for sheet in book.sheet_names:
        header = book.get_sheet_by_name(sheet).to_python()[0]
        english = [c for c in header if c not in dimensions and re.search("[A-Za-z]", str(c))]
        assert english == [], sheet


@pytest.mark.parametrize("locale,word", [("ru", "исключено"), ("be", "выключана"), ("en", "waived")])
def test_a_waived_annotation_says_so_in_the_report_s_language(locale: str, word: str) -> None:
    report = directive_dsl.load(EXAMPLES / "ministry" / "ministry.directive").evaluate(engine="python")
    notices = [line for line in render(report, "github", locale=locale).splitlines() if line.startswith("::notice")]
    assert len(notices) == 3
    assert all(f" ({word})::" in line for line in notices)


# ---------------------------------------------------------------- reasons

@pytest.mark.parametrize("locale", ["ru", "be"])
def test_every_reason_template_is_recognised_and_translated(locale: str) -> None:
    for template in TEMPLATES:
        fields = re.findall(r"\{(\w+)\}", template)
        values = {name: f"<{name}>" for name in fields}
        if "reason" in values:
            values["reason"] = "a value is missing"
        reason = template.format(**values)
        with speaking(locale):
            words = reason_words(reason)
        assert words != reason
        for name in fields:
            if name != "reason":
                assert f"<{name}>" in words


def test_the_reasons_of_the_examples_are_translated() -> None:
    reasons = {o.reason for report in (_belarus_china(), _gapminder()) for o in report.outcomes if o.reason}
    assert reasons
    with speaking("ru"):
        assert all(reason_words(r) != r for r in reasons), reasons


# ---------------------------------------------------------------- the command line and its configuration

def test_the_command_line_and_the_configuration_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "t.csv").write_text("year,v\n2026,1\n2027,2\n")
    (tmp_path / "d.directive").write_text('dataset t from "t.csv"\n  time year\n  measure v t\n'
                                          "rule r: require t.v >= 5 t per year\n")
    monkeypatch.chdir(tmp_path)
    assert main(["check", "d.directive", "--engine", "python", "--locale", "be", "--format", "markdown"]) == 1
    assert ": 2 мэты не выкананы" in capsys.readouterr().out.splitlines()[0]
    (tmp_path / "directive.toml").write_text('engine = "python"\nlocale = "ru"\n')
    assert main(["check", "d.directive"]) == 1
    assert "2 нарушения (2 ошибки) в 1 из 1 правила" in capsys.readouterr().out
    assert main(["check", "d.directive", "--locale", "en"]) == 1  # the command line wins
    assert "2 violations (2 errors) in 1 of 1 rule" in capsys.readouterr().out
    assert main(["check", "d.directive", "--show-config"]) == 0
    assert f"--locale = 'ru'  ({tmp_path / 'directive.toml'}:2)" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stopped:
        main(["check", "d.directive", "--locale", "uk"])
    assert stopped.value.code == 2
    assert "invalid choice: 'uk'" in capsys.readouterr().err
    (tmp_path / "directive.toml").write_text('locale = "de"\n')
    assert main(["check", "d.directive"]) == 2


def test_an_unknown_locale_in_the_api() -> None:
    with pytest.raises(DirectiveUsageError, match="unknown locale `de`"):
        render(_gapminder(), "text", locale="de")


# ---------------------------------------------------------------- every engine

def test_the_russian_text_report_is_the_same_on_every_engine(engine: Any) -> None:
    report = directive_dsl.load(BELARUS_CHINA).evaluate(engine=engine, as_of="2027")
    mine, reference = (render(r, "text", include_passing=True, locale="ru").splitlines()
                       for r in (report, _belarus_china()))
    # every line but the last, which says when and on which engine the report was made
    assert "directive_dsl" in mine[-1] and mine[:-1] == reference[:-1]
