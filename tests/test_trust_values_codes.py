"""Codes left out of `dimensions` (SPEC §6, §13.1): a column the rules group by or compare
with text is a dimension, whatever its cells look like.

Without a `dimensions` clause, a column of digits such as the product codes of
the Belarus–China example looks numeric and used to be inferred as a measure:
"0402" became 402, `[product = "0402"]` silently matched nothing and the
groups read `402`. Every test runs on every engine.
"""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

import directive_dsl
from directive_dsl.errors import DirectiveDataError
from semantics_support import expect, table

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "belarus_china"

# The example's exports, with the dimensions left to the data.
EXPORTS = """
dataset exports from "exports.csv"
  time year
  measure value USD
rule dairy: require exports.value[partner = "CN", product = "0402"] >= 1 USD per year
rule codes: require exports.value[product in ["0402", "4403"], product] >= 1 USD per year
rule lone: require exports.value >= 1 USD per year
"""


def _sums(path: Path, keep: Any, key: Any) -> dict[tuple[str, ...], float]:
    """The file's values added up per key, for the rows *keep* accepts, read with the csv module."""
    found: dict[tuple[str, ...], float] = defaultdict(float)
    with path.open(newline="") as stream:
        for row in csv.DictReader(stream):
            if keep(row):
                found[key(row)] += float(row["value"])
    return dict(found)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLE / "exports.csv", tmp_path / "exports.csv")
    (tmp_path / "t.directive").write_text(EXPORTS)
    return tmp_path


def test_codes_left_out_of_dimensions_keep_their_text(exports: Path, engine: Any) -> None:
    directive = directive_dsl.load(exports / "t.directive")
    doc = directive.evaluate(engine=engine).to_dict(include_passing=True)
    data = exports / "exports.csv"

    dairy = _sums(data, lambda r: (r["partner"], r["product"]) == ("CN", "0402"), lambda r: (r["year"],))
    assert dairy and table(doc, "dairy").keys() == dairy.keys()
    for key, total in dairy.items():
        expect(table(doc, "dairy")[key], "pass", actual=total)

    codes = _sums(data, lambda r: r["product"] in ("0402", "4403"), lambda r: (r["product"], r["year"]))
    assert {product for product, _ in codes} == {"0402", "4403"}
    assert table(doc, "codes").keys() == codes.keys()  # groups read "0402", never "402"
    for key, total in codes.items():
        expect(table(doc, "codes")[key], "pass", actual=total)

    # `product` is a dimension, so the dataset's only measure is `value`.
    every = _sums(data, lambda r: True, lambda r: (r["year"],))
    for key, total in every.items():
        expect(table(doc, "lone")[key], "pass", actual=total)


def test_a_code_against_numbers_left_out_of_dimensions_is_a_data_error(engine: Any) -> None:
    rows = [{"year": 2026, "partner": "CN", "product": 402, "value": 45.5},
            {"year": 2026, "partner": "CN", "product": 4403, "value": 12.0}]
    directive = directive_dsl.loads(EXPORTS.replace(' from "exports.csv"', ""), filename="t.directive")
    with pytest.raises(DirectiveDataError) as caught:
        directive.evaluate({"exports": rows}, engine=engine)
    assert (caught.value.code, caught.value.line) == ("E510", 5)
    assert "`product`" in caught.value.message and "leading zeros" in (caught.value.hint or "")


def test_a_column_compared_with_numbers_may_stay_a_measure(tmp_path: Path, engine: Any) -> None:
    (tmp_path / "t.csv").write_text("year,code,v\n2026,0402,5\n2026,17,7\n")
    text = ('dataset t from "t.csv"\n  time year\n'
            "rule small: require t.v[code < 100] >= 1 per year\n"
            "rule sum: require t.code >= 1 per year\n")
    doc = directive_dsl.loads(text, filename=str(tmp_path / "t.directive")).evaluate(
        engine=engine).to_dict(include_passing=True)
    expect(table(doc, "small")["2026",], "pass", actual=7)
    expect(table(doc, "sum")["2026",], "pass", actual=402 + 17)
