"""Catalogues, numbers, dates and plurals by locale (SPEC §13.9)."""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from directive_dsl.errors import DirectiveUsageError
from directive_dsl.i18n import LOCALES, compile_po, language

SRC = Path(__file__).resolve().parents[1] / "src" / "directive_dsl"
#: The names the code calls to mark a string for translation.
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "_": None, "N_": None,
            "NN_": (1, 2)}


Key = tuple[str | None, str]  # (context, message)


def _used() -> dict[Key, str | None]:
    """Every message the code marks, in its context, with its plural (None for a message without one)."""
    found: dict[Key, str | None] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        if isinstance(message, str):
            found.setdefault((context, message), None)
        else:
            found[(context, message[0])] = message[1]
    return found


def _catalogue(code: str) -> Catalog:
    with (SRC / "locales" / code / "LC_MESSAGES" / "directive_dsl.po").open("rb") as f:
        return read_po(f, locale=code)


def _key(message: Message) -> Key:
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


@pytest.mark.parametrize("code", [c for c in LOCALES if c != "en"])
def test_every_string_the_code_uses_is_translated(code: str) -> None:
    catalog = _catalogue(code)
    translated = {_key(m) for m in catalog if m.id and m.string
                  and all(m.string if isinstance(m.string, tuple) else (m.string,))}
    missing = sorted(set(_used()) - translated, key=str)
    assert not missing, f"{code} lacks translations of {missing}"


@pytest.mark.parametrize("code", [c for c in LOCALES if c != "en"])
def test_plurals_have_every_form_and_translations_keep_their_fields(code: str) -> None:
    catalog = _catalogue(code)
    used = _used()
    for message in catalog:
        if not message.id:
            continue
        key = _key(message)
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if used.get(key) is not None:
            assert isinstance(message.id, tuple) and len(forms) == catalog.num_plurals, key
        fields = set(re.findall(r"\{(\w*)\}", key[1]))
        for form in forms:
            assert set(re.findall(r"\{(\w*)\}", form)) == fields, (key, form)


def test_the_source_catalogues_are_read_when_there_is_no_compiled_one() -> None:
    # An editable install (and this source tree) has no .mo files: the .po is compiled when read,
    # so an edited catalogue is what the reports use.
    assert not list((SRC / "locales").glob("*/LC_MESSAGES/*.mo"))
    for code, words in (("ru", "Отчёт о выполнении директивы"), ("be", "Справаздача аб выкананні дырэктывы")):
        po = (SRC / "locales" / code / "LC_MESSAGES" / "directive_dsl.po").read_bytes()
        compiled = gettext.GNUTranslations(io.BytesIO(compile_po(po, code)))
        assert compiled.gettext("Directive report") == words
        assert language(code).gettext("Directive report") == words


@pytest.mark.parametrize("code", LOCALES)
def test_numbers_follow_the_locale(code: str) -> None:
    lang = language(code)
    for value in (1234567.8, 0.25, -1500.0, 3.0, 1e-7, 12345678901234.5):
        assert lang.decimal(value) == format_decimal(value, locale=code, decimal_quantization=False)
    assert lang.decimal(1234.5, digits=2) == format_decimal(1234.5, format="#,##0.00", locale=code)


def test_russian_and_belarusian_separators() -> None:
    assert language("ru").decimal(1234567.8) == "1\u00a0234\u00a0567,8"
    assert language("be").decimal(1234567.8) == "1\u00a0234\u00a0567,8"
    assert language("en").decimal(1234567.8) == "1,234,567.8"


@pytest.mark.parametrize(
    "code,forms",
    [
        ("ru", ["1 цель", "2 цели", "5 целей", "11 целей", "21 цель", "104 цели"]),
        ("be", ["1 мэта", "2 мэты", "5 мэт", "11 мэт", "21 мэта", "104 мэты"]),
        ("en", ["1 target", "2 targets", "5 targets", "11 targets", "21 targets", "104 targets"]),
    ],
)
def test_plural_forms(code: str, forms: list[str]) -> None:
    lang = language(code)
    got = [lang.ngettext("{n} target", "{n} targets", n).format(n=n) for n in (1, 2, 5, 11, 21, 104)]
    assert got == forms


def test_dates() -> None:
    day = dt.date(2026, 12, 4)
    assert language("en").date(day) == "Dec 4, 2026"
    assert language("ru").date(day) == "4 дек. 2026\u202fг."  # a narrow no-break space, as CLDR has it


def test_an_unknown_locale_names_the_known_ones() -> None:
    with pytest.raises(DirectiveUsageError, match="unknown locale `uk`") as caught:
        language("uk")
    assert "ru" in (caught.value.hint or "")


def test_a_string_without_a_translation_stays_english() -> None:
    assert language("ru").gettext("a sentence no catalogue has") == "a sentence no catalogue has"
    assert language("be").ngettext("{n} thing", "{n} things", 5) == "{n} things"
