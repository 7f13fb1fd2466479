"""Units: built-ins, conversions, compound and user-defined units, and mismatch messages."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from directive_dsl.units import (
    DIMENSIONLESS,
    MAGNITUDES,
    PERCENT,
    Unit,
    UnitRegistry,
    UnknownUnit,
    incompatibility,
    is_currency_clash,
)


@pytest.fixture
def units() -> UnitRegistry:
    return UnitRegistry()


# conversions within a dimension


def test_kt_to_kg_is_exact(units: UnitRegistry) -> None:
    assert units.parse("kt").convert(1, units.parse("kg")) == 1e6


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (1, "t", "kg", 1000.0),
        (2500, "kg", "t", 2.5),
        (50, "kt", "t", 50_000.0),
        (3, "Mt", "kt", 3000.0),
        (1500, "g", "kg", 1.5),
        (1000, "kWh", "GJ", 3.6),
        (1, "TWh", "PJ", 3.6),
        (250, "l", "m3", 0.25),
        (2, "m3", "l", 2000.0),
    ],
)
def test_convert(
    units: UnitRegistry, value: float, source: str, target: str, expected: float
) -> None:
    assert units.parse(source).convert(value, units.parse(target)) == pytest.approx(
        expected, rel=1e-15
    )


def test_percent_is_a_hundredth_of_a_plain_number() -> None:
    assert PERCENT.convert(10, DIMENSIONLESS) == pytest.approx(0.1)
    assert DIMENSIONLESS.convert(0.25, PERCENT) == pytest.approx(25.0)
    assert PERCENT.same_dimension(DIMENSIONLESS)
    assert PERCENT.is_dimensionless and DIMENSIONLESS.is_dimensionless
    assert UnitRegistry().lookup("%") == PERCENT


def test_magnitudes() -> None:
    assert MAGNITUDES == {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


# compound units


def test_parse_compound(units: UnitRegistry) -> None:
    price = units.parse("USD/t")
    assert price == Unit("USD/t", 0.001, (("currency:USD", 1), ("mass", -1)))
    assert price.describe() == "USD/t (currency USD per mass)"
    assert not price.is_currency


def test_price_times_quantity_is_money(units: UnitRegistry) -> None:
    money = units.parse("USD/t") * units.parse("kt")
    assert money.same_dimension(units.parse("USD"))
    assert money.is_currency
    assert money.name == "USD*kt/t"
    assert money.convert(1, units.parse("USD")) == pytest.approx(1000.0)
    assert units.parse("USD/t") * units.parse("t") == Unit("USD", 1.0, (("currency:USD", 1),))


def test_names_of_products_and_quotients(units: UnitRegistry) -> None:
    usd, t, mwh = units.parse("USD"), units.parse("t"), units.parse("MWh")
    assert (usd * t).name == "USD*t"
    assert (usd / t).name == "USD/t"
    assert (usd * DIMENSIONLESS).name == "USD"
    assert (usd / DIMENSIONLESS).name == "USD"
    assert (DIMENSIONLESS / t).name == "1/t"
    assert (usd / (t * mwh)).name == "USD/t/MWh"
    assert (t / t) == Unit("", 1.0, ())


def test_parse_reads_left_to_right(units: UnitRegistry) -> None:
    per = units.parse("USD/t/MWh")
    assert per.dims == (("currency:USD", 1), ("energy", -1), ("mass", -1))
    assert per.factor == pytest.approx(1 / 3.6e12)
    assert units.parse("kWh*t/kg").same_dimension(units.parse("J"))
    assert units.parse("1/t").describe() == "1/t (per mass)"
    assert units.parse("t*kg").describe() == "t*kg (mass^2)"


@pytest.mark.parametrize(("text", "name"), [("USD/foo", "foo"), ("foo", "foo"), ("usd", "usd")])
def test_unknown_unit(units: UnitRegistry, text: str, name: str) -> None:
    with pytest.raises(UnknownUnit) as caught:
        units.parse(text)
    assert caught.value.name == name
    assert str(caught.value) == f"unknown unit `{name}`"


@pytest.mark.parametrize("text", ["", "USD/", "/t", "USD//t"])
def test_malformed_compound_names_the_whole_text(units: UnitRegistry, text: str) -> None:
    with pytest.raises(UnknownUnit) as caught:
        units.parse(text)
    assert caught.value.name == text


# currencies


def test_every_three_capital_letters_is_a_currency(units: UnitRegistry) -> None:
    byn = units.lookup("BYN")
    assert byn == Unit("BYN", 1.0, (("currency:BYN", 1),))
    assert byn.is_currency
    assert byn.describe() == "BYN (currency BYN)"
    assert units.lookup("XYZ") is not None
    assert units.lookup("USDT") is None
    assert units.lookup("Usd") is None


def test_currencies_never_convert(units: UnitRegistry) -> None:
    usd, eur = units.parse("USD"), units.parse("EUR")
    assert not usd.same_dimension(eur)
    assert is_currency_clash(usd, eur)
    assert incompatibility(usd, eur) == "currencies do not convert: `USD` and `EUR`"
    assert incompatibility(units.parse("USD/t"), units.parse("CNY/t")) == (
        "currencies do not convert: `USD/t` and `CNY/t`"
    )
    assert incompatibility(usd, units.parse("USD")) is None


def test_mixing_dimensions_names_both_units(units: UnitRegistry) -> None:
    kg, usd = units.parse("kg"), units.parse("USD")
    assert not is_currency_clash(kg, usd)
    assert incompatibility(kg, usd) == "`kg` (mass) cannot be compared with `USD` (currency USD)"
    assert incompatibility(units.parse("USD/t"), usd) == (
        "`USD/t` (currency USD per mass) cannot be compared with `USD` (currency USD)"
    )
    assert incompatibility(PERCENT, kg) == (
        "`%` (a plain number) cannot be compared with `kg` (mass)"
    )
    assert incompatibility(DIMENSIONLESS, units.parse("MWh")) == (
        "a plain number cannot be compared with `MWh` (energy)"
    )
    assert not is_currency_clash(units.parse("USD"), units.parse("EUR/t"))


# the directive's own units


def test_derived_units(units: UnitRegistry) -> None:
    bag60 = units.define_derived("bag60", 60, units.parse("kg"))
    assert bag60 == Unit("bag60", 60.0, (("mass", 1),))
    assert units.parse("bag60") == bag60
    assert bag60.convert(1000, units.parse("t")) == pytest.approx(60.0)
    toe = units.define_derived("toe", 41.868, units.parse("GJ"))
    assert toe.factor == 41_868_000_000.0
    assert toe.describe() == "toe (energy)"
    assert toe.convert(1, units.parse("MWh")) == pytest.approx(11.63)
    assert units.parse("USD/toe").same_dimension(units.parse("USD/kWh"))


def test_derived_unit_needs_a_positive_amount(units: UnitRegistry) -> None:
    for amount in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="positive amount"):
            units.define_derived("nothing", amount, units.parse("kg"))


def test_counted_units_are_dimensions_of_their_own(units: UnitRegistry) -> None:
    tourists = units.define_counted("tourists")
    visitors = units.define_counted("visitors")
    assert tourists == Unit("tourists", 1.0, (("count:tourists", 1),))
    assert tourists.describe() == "tourists (count of tourists)"
    assert not tourists.same_dimension(visitors)
    assert not is_currency_clash(tourists, visitors)
    assert not is_currency_clash(units.parse("USD/tourists"), units.parse("EUR/visitors"))
    assert incompatibility(tourists, visitors) == (
        "`tourists` (count of tourists) cannot be compared with `visitors` (count of visitors)"
    )
    assert units.parse("USD/tourists").describe() == (
        "USD/tourists (currency USD per count of tourists)"
    )


def test_a_definition_wins_over_a_builtin(units: UnitRegistry) -> None:
    kt = units.define_derived("kt", 1000, units.parse("t"))
    assert kt == Unit("kt", 1e6, (("mass", 1),))
    assert units.parse("kt") is kt
    assert units.parse("kt").convert(1, units.parse("kg")) == 1e6
    assert units.is_builtin("kt")
    odd = units.define_derived("t", 2, units.parse("kg"))
    assert units.parse("t") is odd
    assert units.parse("TEU").is_currency
    units.define_counted("TEU")
    assert units.parse("TEU").describe() == "TEU (count of TEU)"


def test_registry_names(units: UnitRegistry) -> None:
    units.define_counted("tourists")
    names = units.names()
    assert {"kg", "kt", "MWh", "m3", "%", "USD", "BYN", "CNY", "tourists"} <= set(names)
    assert names == sorted(set(names))
    assert units.is_builtin("GJ") and units.is_builtin("EUR") and units.is_builtin("%")
    assert not units.is_builtin("tourists")


def test_copy_is_independent(units: UnitRegistry) -> None:
    units.define_counted("tourists")
    copied = units.copy()
    copied.define_derived("toe", 41.868, copied.parse("GJ"))
    units.define_counted("beds")
    assert units.lookup("toe") is None
    assert copied.lookup("beds") is None
    assert copied.lookup("tourists") == units.lookup("tourists")
    assert UnitRegistry().lookup("tourists") is None


# properties

_BUILTIN = UnitRegistry()
_NAMES = ["g", "kg", "t", "kt", "Mt", "Wh", "kWh", "MWh", "GWh", "TWh", "J", "kJ", "MJ", "GJ"]
_NAMES += ["TJ", "PJ", "l", "m3", "%", "USD", "EUR"]
_BY_DIMENSION: dict[tuple[tuple[str, int], ...], list[str]] = {}
for _name in _NAMES:
    _BY_DIMENSION.setdefault(_BUILTIN.parse(_name).dims, []).append(_name)

same_dimension_pairs = st.sampled_from(list(_BY_DIMENSION.values())).flatmap(
    lambda names: st.tuples(st.sampled_from(names), st.sampled_from(names))
)
values = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).filter(
    lambda x: x == 0 or abs(x) > 1e-12
)
compounds = st.lists(
    st.tuples(st.sampled_from("*/"), st.sampled_from(_NAMES)), min_size=1, max_size=4
).map(lambda terms: "".join(op + name for op, name in terms)[1:])


@given(same_dimension_pairs, values)
def test_convert_there_and_back(pair: tuple[str, str], value: float) -> None:
    a, b = (_BUILTIN.parse(name) for name in pair)
    assert a.same_dimension(b)
    back = b.convert(a.convert(value, b), a)
    assert back == pytest.approx(value, rel=1e-12, abs=0)


@given(compounds)
def test_compound_names_parse_back(text: str) -> None:
    parsed = _BUILTIN.parse(text)
    again = _BUILTIN.parse(parsed.name) if parsed.name else DIMENSIONLESS
    assert again.dims == parsed.dims
    assert again.factor == pytest.approx(parsed.factor, rel=1e-12)


@given(compounds, compounds)
def test_product_and_quotient_dimensions(left: str, right: str) -> None:
    a, b = _BUILTIN.parse(left), _BUILTIN.parse(right)
    assert ((a * b) / b).same_dimension(a)
    assert ((a / b) * b).factor == pytest.approx(a.factor, rel=1e-12)
    assert (incompatibility(a, b) is None) == a.same_dimension(b)
