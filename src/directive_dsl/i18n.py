"""The report's language: message catalogues and numbers, dates and plurals by locale (SPEC §13.9).

Every human string of a report is looked up in a gettext catalogue
(``locales/LANG/LC_MESSAGES/directive_dsl.po``, compiled to ``.mo`` when the
wheel is built); a string without a translation stays English. Numbers,
dates and plural forms follow the locale through Babel (``1 234 567,8`` in
Russian, with a no-break space). English needs no extra; Russian and
Belarusian need the ``i18n`` extra (Babel).

A report is written in one language at a time: :func:`speaking` makes a
locale the current one, and the module's :func:`_`, :func:`ngettext` and
:func:`pgettext` look their strings up in it (English outside ``speaking``).
Mark a string for translation with them, or with :func:`N_` where it is only
named and looked up later; ``tests/test_i18n.py`` fails when the code uses a
string that a catalogue lacks.

>>> en = language("en")
>>> en.ngettext("{n} target", "{n} targets", 2).format(n=en.integer(2))
'2 targets'
>>> en.decimal(1234567.8)
'1,234,567.8'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gettext
import importlib.util
import io
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from importlib import resources
from typing import Any

from .errors import DirectiveUsageError, listing, suggest

LOCALES: tuple[str, ...] = ("en", "ru", "be")
DOMAIN = "directive_dsl"


class Language:
    """A locale's catalogue and formats."""

    def __init__(self, code: str, translations: gettext.NullTranslations,
                 babel: Callable[[], Any] | None) -> None:
        self.code = code
        self._translations = translations
        # How to make the babel.Locale, or None for English without Babel. It is made when first
        # needed: English reports rarely need it, and loading Babel costs about 15 ms a process.
        self._make_babel = babel

    @functools.cached_property
    def _babel(self) -> Any:
        return self._make_babel() if self._make_babel is not None else None

    def gettext(self, message: str) -> str:
        """*message* in this language (English when the catalogue lacks it)."""
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The plural form for *n* (Russian and Belarusian have three)."""
        return self._translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        """*message* in *context*, for words that translate differently by use."""
        return self._translations.pgettext(context, message)

    def figure(self, text: str) -> str:
        """An English-written number (``-1,234.5``) with this locale's group, decimal and minus signs.

        The digits stay as they are: only the signs change, to what Babel writes
        for the locale (``-1\u00a0234,5`` in Russian).
        """
        if self._make_babel is None or self.code == "en":
            return text
        return text.translate(self._signs)

    def count(self, n: int) -> str:
        """A count in a sentence: ``1234`` in English (as the reports always wrote it), ``1\u00a0234`` in Russian."""
        return str(n) if self._make_babel is None or self.code == "en" else self.figure(f"{n:,}")

    def percent(self, text: str) -> str:
        """A number already written for this locale, as a percentage (``4,5\u00a0%`` in Russian)."""
        if self._make_babel is None or self.code == "en":
            return f"{text}%"
        pattern = self._babel.percent_formats[None].pattern
        return f"{text}\u00a0%" if "\u00a0%" in pattern else f"{text}%"

    @functools.cached_property
    def _signs(self) -> dict[int, str]:
        from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

        return str.maketrans({",": get_group_symbol(self._babel), ".": get_decimal_symbol(self._babel),
                              "-": get_minus_sign_symbol(self._babel)})

    def decimal(self, value: float, *, digits: int | None = None) -> str:
        """*value* with the locale's separators; *digits* fixes the decimals shown."""
        if self._make_babel is None:
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
        if self._make_babel is None:
            return f"{value.day} {value:%b %Y}"
        from babel.dates import format_date

        return str(format_date(value, format="medium", locale=self._babel))

    def datetime(self, value: dt.datetime) -> str:
        """A moment in the locale's long format, with its zone (``4 декабря 2026 г., 05:12:05 UTC``)."""
        if self._make_babel is None:
            return f"{value.day} {value:%b %Y %H:%M:%S} UTC"
        from babel.dates import format_datetime

        return str(format_datetime(value, format="long", locale=self._babel, tzinfo=value.tzinfo))


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
    if importlib.util.find_spec("babel") is None:
        if code != "en":
            raise DirectiveUsageError(
                f"the locale `{code}` needs Babel",
                hint="pip install 'directive_dsl[i18n]'",
            )
        return Language(code, gettext.NullTranslations(), None)
    return Language(code, _catalogue(code), functools.partial(_babel_locale, code))


def _babel_locale(code: str) -> Any:
    from babel import Locale

    return Locale.parse(code)


def _catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue shipped in the wheel, else the source catalogue compiled now."""
    if code == "en":  # the messages are written in English: it has no catalogue
        return gettext.NullTranslations()
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


_CURRENT: ContextVar[Language | None] = ContextVar("directive_dsl_language", default=None)


def current() -> Language:
    """The language reports are being written in now (English unless :func:`speaking` says)."""
    return _CURRENT.get() or language("en")


@contextlib.contextmanager
def speaking(code: str) -> Iterator[Language]:
    """Write reports in locale *code* inside the ``with`` block.

    >>> with speaking("ru"):
    ...     ngettext("{n} target", "{n} targets", 5).format(n=5)
    '5 целей'
    >>> _("Directive report")
    'Directive report'
    """
    token = _CURRENT.set(language(code))
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


def _(message: str) -> str:
    """*message* in the current language."""
    return current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The current language's form of *singular*/*plural* for *n*."""
    return current().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """*message* in *context*, in the current language."""
    return current().pgettext(context, message)


def N_(message: str) -> str:
    """*message* itself, marked for the catalogues: it is looked up with :func:`_` where it is shown."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """A plural message, marked for the catalogues and looked up later with :func:`ngettext`."""
    return (singular, plural)
