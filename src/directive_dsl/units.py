"""Units of measure: what a quantity is counted in, and how units convert.

A :class:`Unit` is a display name, a factor to the base units of its dimension
and the dimension itself, written as sorted ``(base, exponent)`` pairs. Mass
counts in kg, energy in J, volume in m3; each currency code (``USD``) and each
counted unit (``unit tourists``) is a base dimension of its own, so currencies
never convert into each other. A :class:`UnitRegistry` knows the built-in
units (SPEC §8) and the ones a directive defines.
"""

from __future__ import annotations

import decimal
import math
import re
from collections import Counter

import attrs

Dims = tuple[tuple[str, int], ...]

_CURRENCY = "currency:"
_COUNT = "count:"
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_OPERATOR = re.compile(r"([*/])")
_EXACT = decimal.Context(prec=60)


def _exact(x: float, y: float, *, divide: bool = False) -> float:
    """``x * y`` (or ``x / y``) of the decimal literals, so 41.868 * 1e9 is 41868000000.0."""
    dx, dy = decimal.Decimal(repr(x)), decimal.Decimal(repr(y))
    return float(_EXACT.divide(dx, dy) if divide else _EXACT.multiply(dx, dy))


def _merge(a: Dims, b: Dims, sign: int) -> Dims:
    """The dimensions of a product (sign 1) or a quotient (sign -1)."""
    total: Counter[str] = Counter(dict(a))
    for base, exponent in b:
        total[base] += sign * exponent
    return tuple(sorted((base, n) for base, n in total.items() if n != 0))


def _terms(name: str) -> list[tuple[str, str]]:
    """The ``(operator, part)`` chain of a display name, plain-number parts dropped."""
    pieces = _OPERATOR.split(name)
    terms = [("*", pieces[0]), *zip(pieces[1::2], pieces[2::2], strict=True)]
    return [(op, part) for op, part in terms if part not in ("", "1")]


def _combine(a: str, b: str, *, divide: bool) -> str:
    """The display name of ``a*b`` or ``a/b``: a flat chain that :meth:`UnitRegistry.parse` reads.

    A part multiplied and divided by cancels (``USD/t`` times ``t`` is ``USD``), and
    dividing by a compound flips its operators (``a`` over ``b*c`` is ``a/b/c``).
    """
    terms = _terms(a)
    for op, part in _terms(b):
        if divide:
            op = "/" if op == "*" else "*"
        opposite = ("/" if op == "*" else "*", part)
        if opposite in terms:
            terms.remove(opposite)
        else:
            terms.append((op, part))
    terms.sort(key=lambda term: term[0] == "/")
    text = "".join(op + part for op, part in terms)
    return "1" + text if text.startswith("/") else text[1:]


def _word(base: str, exponent: int) -> str:
    """``mass``, ``currency USD``, ``count of tourists``, ``mass^2``."""
    if base.startswith(_CURRENCY):
        word = "currency " + base.removeprefix(_CURRENCY)
    elif base.startswith(_COUNT):
        word = "count of " + base.removeprefix(_COUNT)
    else:
        word = base
    return word if exponent == 1 else f"{word}^{exponent}"


def _dimension_words(dims: Dims) -> str:
    """``currency USD per mass``, ``mass × energy``, ``a plain number``."""
    over = " × ".join(_word(base, n) for base, n in dims if n > 0)
    under = " ".join(f"per {_word(base, -n)}" for base, n in dims if n < 0)
    return " ".join(part for part in (over, under) if part) or "a plain number"


@attrs.frozen
class Unit:
    """A unit: a display name, a factor to the base units of its dimension, and the dimension."""

    name: str
    factor: float
    dims: Dims

    @property
    def is_dimensionless(self) -> bool:
        """Whether this is a plain number (``""`` or ``%``)."""
        return not self.dims

    @property
    def is_currency(self) -> bool:
        """Whether the dimension is exactly one currency to the first power."""
        return len(self.dims) == 1 and self.dims[0][1] == 1 and bool(_currencies(self))

    def __mul__(self, other: Unit) -> Unit:
        """The product unit: ``USD/t`` times ``t`` is ``USD``."""
        return Unit(
            _combine(self.name, other.name, divide=False),
            _exact(self.factor, other.factor),
            _merge(self.dims, other.dims, 1),
        )

    def __truediv__(self, other: Unit) -> Unit:
        """The quotient unit: ``USD`` over ``t`` is ``USD/t``."""
        return Unit(
            _combine(self.name, other.name, divide=True),
            _exact(self.factor, other.factor, divide=True),
            _merge(self.dims, other.dims, -1),
        )

    def same_dimension(self, other: Unit) -> bool:
        """Whether values in the two units convert into each other."""
        return self.dims == other.dims

    def convert(self, value: float, to: Unit) -> float:
        """*value* in this unit expressed in *to*, which must have the same dimension.

        >>> UnitRegistry().parse("kWh").convert(1000, UnitRegistry().parse("MJ"))
        3600.0
        """
        if self.factor == to.factor:
            return value
        return value * self.factor / to.factor

    def describe(self) -> str:
        """Human words for messages: ``kt (mass)``, ``% (a plain number)``, ``a plain number``."""
        words = _dimension_words(self.dims)
        return f"{self.name} ({words})" if self.name else words


DIMENSIONLESS = Unit("", 1.0, ())
PERCENT = Unit("%", 0.01, ())
#: Percentage points: what a change of a percentage is measured in (SPEC §13.1).
POINTS = Unit("pp", 0.01, ())

MAGNITUDES: dict[str, float] = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def _family(base: str, factors: dict[str, float]) -> dict[str, Unit]:
    return {name: Unit(name, factor, ((base, 1),)) for name, factor in factors.items()}


_BUILTINS: dict[str, Unit] = {
    **_family("mass", {"g": 0.001, "kg": 1.0, "t": 1e3, "kt": 1e6, "Mt": 1e9}),
    **_family("energy", {"Wh": 3600.0, "kWh": 3.6e6, "MWh": 3.6e9, "GWh": 3.6e12, "TWh": 3.6e15}),
    **_family("energy", {"J": 1.0, "kJ": 1e3, "MJ": 1e6, "GJ": 1e9, "TJ": 1e12, "PJ": 1e15}),
    **_family("volume", {"l": 0.001, "m3": 1.0}),
    "%": PERCENT,
    "pp": POINTS,
}

_COMMON_CURRENCIES = ("USD", "EUR", "CNY", "BYN", "GBP", "JPY", "RUB")


class UnknownUnit(Exception):
    """A unit name that is neither built in nor defined; the checker locates and reports it."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown unit `{name}`")


@attrs.define
class UnitRegistry:
    """Built-in units plus the directive's own; a definition wins over a built-in of that name."""

    _user: dict[str, Unit] = attrs.field(factory=dict, init=False)

    def lookup(self, name: str) -> Unit | None:
        """The unit called *name* (one part, not a compound), or None."""
        if name in self._user:
            return self._user[name]
        if name in _BUILTINS:
            return _BUILTINS[name]
        if _CURRENCY_CODE.fullmatch(name):
            return Unit(name, 1.0, ((_CURRENCY + name, 1),))
        return None

    def parse(self, text: str) -> Unit:
        """A unit as written in source: names joined by ``*`` and ``/``, read left to right.

        ``1`` stands for a plain number (``1/t``). Raises :class:`UnknownUnit`.

        >>> UnitRegistry().parse("USD/t/MWh").describe()
        'USD/t/MWh (currency USD per energy per mass)'
        """
        pieces = _OPERATOR.split(text)
        unit = self._part(pieces[0], text)
        for op, part in zip(pieces[1::2], pieces[2::2], strict=True):
            other = self._part(part, text)
            unit = unit * other if op == "*" else unit / other
        return unit

    def _part(self, part: str, text: str) -> Unit:
        if part == "1":
            return DIMENSIONLESS
        found = self.lookup(part) if part else None
        if found is None:
            raise UnknownUnit(part or text)
        return found

    def define_counted(self, name: str) -> Unit:
        """``unit tourists``: a new base dimension of its own, factor 1."""
        unit = Unit(name, 1.0, ((_COUNT + name, 1),))
        self._user[name] = unit
        return unit

    def define_derived(self, name: str, amount: float, of: Unit) -> Unit:
        """``unit toe = 41.868 GJ``: *amount* of *of*, under the display name *name*.

        Raises ValueError unless *amount* is finite and positive.
        """
        if not (math.isfinite(amount) and amount > 0):
            raise ValueError(f"unit `{name}` must be a positive amount, not {amount!r}")
        unit = Unit(name, _exact(amount, of.factor), of.dims)
        self._user[name] = unit
        return unit

    def is_builtin(self, name: str) -> bool:
        """Whether *name* is a built-in unit (any three-capital-letter code counts)."""
        return name in _BUILTINS or bool(_CURRENCY_CODE.fullmatch(name))

    def names(self) -> list[str]:
        """Every known unit name, for suggestions; of the currencies only common ones."""
        return sorted({*self._user, *_BUILTINS, *_COMMON_CURRENCIES})

    def copy(self) -> UnitRegistry:
        """An independent registry with the same definitions."""
        other = UnitRegistry()
        other._user = dict(self._user)
        return other


def _currencies(unit: Unit) -> set[str]:
    return {base for base, _ in unit.dims if base.startswith(_CURRENCY)}


def _without_codes(dims: Dims) -> Dims:
    """The dimensions with every currency taken as one: USD/t and EUR/t agree."""
    generic = tuple(("currency" if base.startswith(_CURRENCY) else base, n) for base, n in dims)
    return _merge((), generic, 1)


def is_currency_clash(a: Unit, b: Unit) -> bool:
    """Whether *a* and *b* differ only in currencies: ``USD``/``EUR``, ``USD/t``/``EUR/t``."""
    return (
        not a.same_dimension(b)
        and bool(_currencies(a))
        and bool(_currencies(b))
        and _without_codes(a.dims) == _without_codes(b.dims)
    )


def _quoted(unit: Unit) -> str:
    words = _dimension_words(unit.dims)
    return f"`{unit.name}` ({words})" if unit.name else words


def incompatibility(a: Unit, b: Unit) -> str | None:
    """None when *a* and *b* convert into each other, else why not (E302 when a currency clash).

    >>> r = UnitRegistry()
    >>> incompatibility(r.parse("kg"), r.parse("USD"))
    '`kg` (mass) cannot be compared with `USD` (currency USD)'
    """
    if a.same_dimension(b):
        return None
    if is_currency_clash(a, b):
        return f"currencies do not convert: `{a.name}` and `{b.name}`"
    return f"{_quoted(a)} cannot be compared with {_quoted(b)}"
