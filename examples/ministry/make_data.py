"""Writes the example's data: synthetic, shaped like a ministry's monitoring tables.

- exports.csv: monthly exports by enterprise and HS product as the customs
  register has them (one row per enterprise, product, month and unit of
  quantity; some enterprises report tonnes, others kilograms), January 2024
  to June 2026: the current year is half over.
- plan.csv: the export plan by enterprise and product, yearly to 2030, with
  targets for some pairs only.
- investments.csv: an investment register, one row per project tranche; quiet
  months have no row. It is published two months after the customs data
  (through April 2026).

Run `python make_data.py` to write them again; the seed keeps them fixed.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 2026

ENTERPRISES = {  # enterprise: (products with their monthly tonnes, unit it reports)
    "Molochny Mir": ({"0401": 900, "0402": 1400}, "t"),
    "Savushkin Produkt": ({"0402": 2100, "0406": 650}, "kg"),
    "Slutsk Cheese": ({"0406": 800}, "t"),
}
PRICE = {"0401": 700, "0402": 2900, "0406": 4600}  # USD per tonne
PLAN = {  # (enterprise, product): yearly target in million USD, 2024, growing 6% a year
    ("Molochny Mir", "0402"): 46,
    ("Savushkin Produkt", "0402"): 70,
    ("Savushkin Produkt", "0406"): 34,
    ("Slutsk Cheese", "0406"): 45,
    ("Slutsk Cheese", "0401"): 3,  # a target for a pair with no exports yet
}
REGIONS = ["Brest", "Gomel", "Grodno", "Minsk", "Mogilev", "Vitebsk"]


def months(last: tuple[int, int]) -> list[str]:
    return [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13) if (y, m) <= last]


def exports(rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for month in months((2026, 6)):
        year = int(month[:4])
        for enterprise, (products, uom) in ENTERPRISES.items():
            for product, tonnes in products.items():
                season = 1.15 if month[5:] in ("10", "11", "12") else 1.0
                quantity = tonnes * season * (1.04 ** (year - 2024)) * rng.uniform(0.8, 1.2)
                value = quantity * PRICE[product] * rng.uniform(0.95, 1.05)
                shown = round(quantity * 1000) if uom == "kg" else round(quantity, 1)
                rows.append([month, enterprise, product, uom, shown, round(value)])
    return rows


def plan() -> list[list[object]]:
    return [[year, enterprise, product, round(base * 1e6 * 1.06 ** (year - 2024))]
            for (enterprise, product), base in PLAN.items() for year in range(2024, 2031)]


def investments(rng: random.Random) -> list[list[object]]:
    rows: list[list[object]] = []
    for month in months((2026, 4)):
        for region in REGIONS:
            if rng.random() < 0.45:  # most months bring no tranche to a region
                continue
            rows.append([month, region, rng.choice(["CN", "RU", "AE", "TR"]), round(rng.uniform(2, 14), 2)])
    return rows


def write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with (HERE / name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)
    write("exports.csv", ["month", "enterprise", "product", "uom", "quantity", "value"], exports(rng))
    write("plan.csv", ["year", "enterprise", "product", "target"], plan())
    write("investments.csv", ["month", "region", "investor", "amount"], investments(rng))


if __name__ == "__main__":
    main()
