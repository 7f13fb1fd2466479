"""The report's language: message catalogues and numbers, dates and plurals by locale (SPEC §13.9).

Every human string of a report is looked up in a gettext catalogue
(``locales/LANG/LC_MESSAGES/directive_dsl.po``, compiled to ``.mo`` when the
wheel is built); a string without a translation stays English. Numbers,
dates and plural forms follow the locale through Babel (``1 234 567,8`` in
Russian, with a no-break space). English needs no extra; Russian and
Belarusian need the ``i18n`` extra (Babel).

Mark a string for translation with :meth:`Language.gettext` (``_``) or
:meth:`Language.ngettext`; ``tests/test_i18n.py`` fails when the code uses a
string that a catalogue lacks.

>>> en = language("en")
>>> en.ngettext("{n} target", "{n} targets", 2).format(n=en.integer(2))
'2 targets'
>>> en.decimal(1234567.8)
'1,234,567.8'
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from importlib import resources
from typing import Any

from .errors import DirectiveUsageError, listing, suggest

LOCALES: tuple[str, ...] = ("en", "ru", "be")
DOMAIN = "directive_dsl"


class Language:
    """A locale's catalogue and formats."""

    def __init__(self, code: str, translations: gettext.NullTranslations, babel: Any | None) -> None:
        self.code = code
        self._translations = translations
        self._babel = babel  # a babel.Locale, or None for English without Babel

    def gettext(self, message: str) -> str:
        """*message* in this language (English when the catalogue lacks it)."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form for *n* (Russian and Belarusian have three)."""
        return self._translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """*message* in *context*, for words that translate differently by use."""
        return self._translations.pgettext(context, message)

    def decimal(self, value: float, *, digits: int | None = None) -> str:
        """*value* with the locale's separators; *digits* fixes the decimals shown."""
        if self._babel is None:
            return f"{value:,.{digits}f}" if digits is not None else _plain(value)
        from babel.numbers import format_decimal

        if digits is not None:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            return str(format_decimal(value, format=pattern, locale=self._babel))
        return str(format_decimal(value, locale=self._babel, decimal_quantization=False))

    def integer(self, value: int) -> str:
        """A count with the locale's group separator."""
        return self.decimal(value, digits=0)

    def date(self, value: dt.date) -> str:
        """A date in the locale's medium format (``4 Dec 2026``, ``4 дек. 2026 г.``)."""
        if self._babel is None:
            return f"{value.day} {value:%b %Y}"
        from babel.dates import format_date

        return str(format_date(value, format="medium", locale=self._babel))

    def datetime(self, value: dt.datetime) -> str:
        """A moment in the locale's medium format, in the zone it carries."""
        if self._babel is None:
            return f"{value.day} {value:%b %Y %H:%M} UTC"
        from babel.dates import format_datetime

        return str(format_datetime(value, format="medium", locale=self._babel, tzinfo=value.tzinfo))


def _plain(value: float) -> str:
    """English grouping with the shortest digits that read back the same (as Babel's)."""
    if float(value).is_integer() and abs(value) < 1e21:
        return f"{int(value):,}"
    return f"{value:,}"


@functools.cache
def language(code: str = "en") -> Language:
    """The language for locale *code*, one of :data:`LOCALES`."""
    if code not in LOCALES:
        raise DirectiveUsageError(
            f"unknown locale `{code}`",
            hint=suggest(code, LOCALES) or f"the locales are {listing(LOCALES)}",
        )
    try:
        from babel import Locale
    except ImportError:
        if code != "en":
            raise DirectiveUsageError(
                f"the locale `{code}` needs Babel",
                hint="pip install 'directive_dsl[i18n]'",
            ) from None
        return Language(code, gettext.NullTranslations(), None)
    babel = Locale.parse(code)
    return Language(code, _catalogue(code), babel)


def _catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue shipped in the wheel, else the source catalogue compiled now."""
    folder = resources.files("directive_dsl").joinpath("locales", code, "LC_MESSAGES")
    compiled = folder.joinpath(f"{DOMAIN}.mo")
    if compiled.is_file():
        return gettext.GNUTranslations(io.BytesIO(compiled.read_bytes()))
    source = folder.joinpath(f"{DOMAIN}.po")
    if not source.is_file():
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compile_po(source.read_bytes(), code)))


def compile_po(text: bytes, code: str) -> bytes:
    """A ``.po`` catalogue compiled to ``.mo`` bytes (Babel's reader and writer)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(text), locale=code, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()
