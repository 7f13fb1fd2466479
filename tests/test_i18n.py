"""Catalogues, numbers, dates and plurals by locale (SPEC §13.9)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from directive_dsl.errors import DirectiveUsageError
from directive_dsl.i18n import LOCALES, language

SRC = Path(__file__).resolve().parents[1] / "src" / "directive_dsl"
#: The names the code calls to mark a string for translation.
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "_": None, "N_": None}


def _used() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SRC), method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.mark.parametrize("code", [c for c in LOCALES if c != "en"])
def test_every_string_the_code_uses_is_translated(code: str) -> None:
    with (SRC / "locales" / code / "LC_MESSAGES" / "directive_dsl.po").open("rb") as f:
        catalog = read_po(f, locale=code)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string
                  and all(m.string if isinstance(m.string, tuple) else (m.string,))}
    missing = sorted(_used() - translated)
    assert not missing, f"{code} lacks translations of {missing}"


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
        ("be", ["1 мэта", "2 мэты", "5 мэтаў", "11 мэтаў", "21 мэта", "104 мэты"]),
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
