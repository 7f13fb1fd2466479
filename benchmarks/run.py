"""Speed and memory of the engines, side by side, from one run.

    python benchmarks/run.py                 # 10M rows (about 10 minutes on 2 cores)
    python benchmarks/run.py --rows 1000000  # a quicker look
    python benchmarks/run.py --only front    # just the parser and command-line rows
    python benchmarks/run.py --only monthly  # monthly data, yearly rules, a partial year
    python benchmarks/run.py --only first    # first evaluation in a fresh process, beside polars, DuckDB, Soda

Generates the data under benchmarks/.data/ (kept between runs), then prints
one table: each row a measurement (median of --repeat runs), and the ratios
the targets are stated in. Nothing here is a test: the figures depend on the
machine; docs/performance.md records them with the machine they came from.
"""

from __future__ import annotations

import argparse
import compileall
import csv
import gc
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # benchmarks.spark_rows, when run as a script

REGIONS = ["Brest", "Gomel", "Grodno", "Minsk", "Minsk Region", "Mogilev", "Vitebsk"]
PARTNERS = ["CN", "RU", "DE", "PL", "NL", "FR", "IT", "US", "TR", "KZ", "AT", "BE"]
EU = ["AT", "BE", "DE", "FR", "IT", "NL", "PL"]
HEADER = """\
directive "Benchmark"
  period 2018 to 2027

dataset trade
  time year
  dimensions region, partner, product, kind
  measure amount USD
  measure quantity kg

let EU = ["AT", "BE", "DE", "FR", "IT", "NL", "PL"]
"""

# Ten rules of the kinds directives hold: filters, groups, shares, growth, units, counts.
TEN_RULES = [
    'require trade.amount[partner = "CN"] >= 500 million USD per year',
    'require trade.amount[partner = "CN", kind = "direct", region] >= 150 million USD per year',
    'require trade.quantity[partner = "CN", product = "P007"] >= 50 kt per year',
    'require share(trade.amount[partner = "CN"], trade.amount) >= 10% per year',
    'require trade.amount[partner = "CN"] > trade.amount[partner in EU] per year',
    'require growth(trade.amount[partner = "CN"]) >= 10% per year',
    'require mean(trade.amount[region]) >= 1000 USD per year',
    'require count(trade[kind = "portfolio"]) >= 1000 per year',
    'require trade.amount[partner = "RU", region] >= 1 billion USD in total',
    'require max(trade.quantity[product]) <= 100 t per year',
]


def fifty_rules() -> list[str]:
    """Fifty rules over a handful of groupings: the cost should follow the groupings."""
    rules = list(TEN_RULES)
    i = 0
    while len(rules) < 50:
        partner = PARTNERS[i % len(PARTNERS)]
        region = REGIONS[i % len(REGIONS)]
        rules.append(f'require trade.amount[partner = "{partner}", region = "{region}"] >= {i + 1} million USD per year')
        rules.append(f'require trade.quantity[partner = "{partner}", region] >= {i + 1} t per year')
        i += 1
    return rules[:50]


def directive_text(rules: list[str]) -> str:
    return HEADER + "\n".join(rules) + "\n"


# ---------------------------------------------------------------- data



def _rows_query(time: str, rows: int) -> str:
    """The synthetic trade rows in DuckDB SQL, with *time* as the time column's expression."""
    regions = "[" + ", ".join(f"'{r}'" for r in REGIONS) + "]"
    partners = "[" + ", ".join(f"'{p}'" for p in PARTNERS) + "]"
    return f"""
        SELECT {time},
               {regions}[1 + CAST(hash(i, 1) % {len(REGIONS)} AS BIGINT)] AS region,
               {partners}[1 + CAST(hash(i, 2) % {len(PARTNERS)} AS BIGINT)] AS partner,
               'P' || lpad(CAST(hash(i, 3) % 50 AS VARCHAR), 3, '0') AS product,
               CASE WHEN hash(i, 4) % 3 = 0 THEN 'portfolio' ELSE 'direct' END AS kind,
               CAST(hash(i, 5) % 1000000 AS DOUBLE) / 10 AS amount,
               CAST(hash(i, 6) % 100000 AS DOUBLE) / 10 AS quantity
        FROM range({rows}) t(i)
    """

def generate(rows: int) -> tuple[Path, Path]:
    """The trade table as Parquet and CSV, made by DuckDB (deterministic)."""
    import duckdb

    DATA.mkdir(exist_ok=True)
    parquet, csv_path = DATA / f"trade_{rows}.parquet", DATA / f"trade_{rows}.csv"
    if parquet.exists() and csv_path.exists():
        return parquet, csv_path
    query = _rows_query("2018 + (i % 10) AS year", rows)
    con = duckdb.connect()
    con.execute(f"COPY ({query}) TO '{parquet}' (FORMAT parquet)")
    con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv_path}' (HEADER, DELIMITER ',')")
    return parquet, csv_path


MONTHLY_HEADER = HEADER.replace('"Benchmark"', '"Monthly benchmark"').replace("time year", "time month")

# Yearly rules on monthly data through June of the last year: that year is judged on
# January-June, its growth against January-June of the year before, its sums against half
# of the yearly thresholds; every year's months are checked for gaps.
MONTHLY_RULES = [
    'require trade.amount[partner = "CN"] >= 500 million USD per year',
    'require trade.amount[partner = "CN", region] >= 50 million USD per year',
    'require share(trade.amount[partner = "CN"], trade.amount) >= 10% per year',
    'require growth(trade.amount[partner = "CN"]) >= 5% per year',
    'require count(trade[kind = "portfolio"]) >= 1000 per year',
]
MONTHLY_LAST = (2027, 6)


def monthly_text(rules: list[str]) -> str:
    return MONTHLY_HEADER + "\n".join(rules) + "\n"


def generate_monthly(rows: int) -> Path:
    """The trade table by month, 2018-01 to 2027-06, as Parquet made by DuckDB (deterministic)."""
    import duckdb

    DATA.mkdir(exist_ok=True)
    parquet = DATA / f"trade_monthly_{rows}.parquet"
    if parquet.exists():
        return parquet
    months = (MONTHLY_LAST[0] - 2018) * 12 + MONTHLY_LAST[1]
    month = f"strftime(DATE '2018-01-01' + to_months(CAST(i % {months} AS INTEGER)), '%Y-%m') AS month"
    query = _rows_query(month, rows)
    duckdb.connect().execute(f"COPY ({query}) TO '{parquet}' (FORMAT parquet)")
    return parquet


# The same year-to-date figures by hand, the fastest way we found: group the rows by month and
# the columns the rules read, then from those few thousand groups each year's sums and counts,
# the CN sum by region, the CN sum of January-June (the growth of the partial year against the
# same months of the year before) and the months with data per year and region (the gap check).
MONTHLY_QUERY = """
WITH fine AS (
  SELECT month, region, partner, kind, count(*) AS n, sum(amount) AS amount
  FROM read_parquet('{path}')
  WHERE month <= '{last}'
  GROUP BY month, region, partner, kind
), m AS (
  SELECT CAST(substr(month, 1, 4) AS INTEGER) AS year, CAST(substr(month, 6, 2) AS INTEGER) AS mon, *
  FROM fine
)
SELECT year, region, GROUPING(region) AS g_region,
       sum(amount) FILTER (WHERE partner = 'CN') AS cn,
       sum(amount) FILTER (WHERE partner = 'CN' AND mon <= {last_month}) AS cn_ytd,
       sum(amount) AS total,
       sum(n) FILTER (WHERE kind = 'portfolio') AS portfolio,
       count(DISTINCT month) AS months
FROM m
GROUP BY GROUPING SETS ((year), (year, region))
"""


def monthly_run(rules: list[str], path: Path, engine: str) -> Callable[[], object]:
    import directive_dsl

    directive = directive_dsl.loads(monthly_text(rules), "monthly.directive")
    return lambda: directive.evaluate({"trade": str(path)}, engine=engine)


def monthly_query(path: Path) -> str:
    last = f"{MONTHLY_LAST[0]}-{MONTHLY_LAST[1]:02d}"
    return MONTHLY_QUERY.replace("{last}", last).replace("{last_month}", str(MONTHLY_LAST[1])).replace(
        "{path}", str(path))


# ---------------------------------------------------------------- measurements


def interleaved_times(first: Callable[[], object], second: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Medians of two measurements taken in turns, so a busy moment of the machine hits both."""
    found = times_in_turns([first, second], repeat)
    return found[0], found[1]


def times_in_turns(fns: list[Callable[[], object]], repeat: int) -> list[float]:
    """Medians of measurements taken in turns, so a busy moment of the machine hits them all."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, found in zip(fns, times, strict=True):
            gc.collect()
            start = time.perf_counter()
            fn()
            found.append(time.perf_counter() - start)
    return [statistics.median(found) for found in times]


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def engine_run(rules: list[str], path: Path, engine: str) -> Callable[[], object]:
    import directive_dsl

    directive = directive_dsl.loads(directive_text(rules), "bench.directive")
    return lambda: directive.evaluate({"trade": str(path)}, engine=engine)


# The flat way: one scan, a FILTERed aggregate per rule, GROUPING SETS for the rules' groupings.
FLAT_QUERY = """
SELECT year, region, product,
       GROUPING(region) AS g_region, GROUPING(product) AS g_product,
       sum(amount) FILTER (WHERE partner = 'CN') AS cn,
       sum(amount) FILTER (WHERE partner = 'CN' AND kind = 'direct') AS cn_direct,
       sum(quantity) FILTER (WHERE partner = 'CN' AND product = 'P007') AS dairy,
       sum(amount) AS total,
       sum(amount) FILTER (WHERE partner IN ('AT','BE','DE','FR','IT','NL','PL')) AS eu,
       avg(amount) AS mean_amount,
       count(*) FILTER (WHERE kind = 'portfolio') AS portfolio,
       sum(amount) FILTER (WHERE partner = 'RU') AS ru,
       max(quantity) AS max_quantity,
       count(*) AS n
FROM read_parquet('{path}')
GROUP BY GROUPING SETS ((year), (year, region), (year, product))
"""

# The best we could write by hand: group the rows first by the columns the conditions read
# (two groupings in one scan), then aggregate the few thousand groups per rule.
TWO_STAGE_QUERY = """
WITH fine AS (
  SELECT year, region, partner, kind, product, GROUPING(region, kind, product) AS fine_set,
         count(*) AS n, sum(amount) AS amount, sum(quantity) AS quantity, max(quantity) AS max_q
  FROM read_parquet('{path}')
  GROUP BY GROUPING SETS ((year, region, partner, kind), (year, partner, product))
), a AS (SELECT * FROM fine WHERE fine_set = 1), b AS (SELECT * FROM fine WHERE fine_set = 6)
SELECT 'year' AS by, year, NULL AS key,
       sum(CASE WHEN partner = 'CN' THEN amount END) AS cn, sum(amount) AS total,
       sum(CASE WHEN partner IN ('AT','BE','DE','FR','IT','NL','PL') THEN amount END) AS eu,
       sum(CASE WHEN kind = 'portfolio' THEN n END) AS portfolio, NULL AS dairy
FROM a GROUP BY year
UNION ALL
SELECT 'year, region', year, region, sum(CASE WHEN partner = 'CN' AND kind = 'direct' THEN amount END),
       sum(amount) / sum(n), NULL, NULL, NULL
FROM a GROUP BY year, region
UNION ALL
SELECT 'region', NULL, region, sum(CASE WHEN partner = 'RU' THEN amount END), NULL, NULL, NULL, NULL
FROM a GROUP BY region
UNION ALL
SELECT 'year, product', year, product, max(max_q), NULL, NULL, NULL,
       sum(CASE WHEN partner = 'CN' AND product = 'P007' THEN quantity END)
FROM b GROUP BY year, product
"""


# The same two stages for the first five rules, which read no grouping by product: one
# grouping by the columns their conditions read, product = 'P007' as a FILTERed partial.
# Any evaluation of the fifty rules computes at least the ten rules' aggregates, so
# (two-stage, 10 rules) / (this) is about the lowest "50 rules / 5 rules" DuckDB allows.
FIVE_RULE_QUERY = """
WITH a AS (
  SELECT year, region, partner, kind, sum(amount) AS amount,
         sum(quantity) FILTER (WHERE product = 'P007') AS dairy
  FROM read_parquet('{path}')
  GROUP BY year, region, partner, kind
)
SELECT 'year' AS by, year, NULL AS key,
       sum(CASE WHEN partner = 'CN' THEN amount END) AS cn, sum(amount) AS total,
       sum(CASE WHEN partner IN ('AT','BE','DE','FR','IT','NL','PL') THEN amount END) AS eu,
       sum(CASE WHEN partner = 'CN' THEN dairy END) AS dairy
FROM a GROUP BY year
UNION ALL
SELECT 'year, region', year, region, sum(CASE WHEN partner = 'CN' AND kind = 'direct' THEN amount END),
       NULL, NULL, NULL
FROM a GROUP BY year, region
"""


def hand_written_query(path: Path, query: str) -> Callable[[], object]:
    """One hand-written fused DuckDB query for the ten rules' aggregates."""
    import duckdb

    def run() -> object:
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        return con.execute(query.format(path=path)).fetchall()

    return run


def pandas_groupby(path: Path) -> Callable[[], object]:
    """The same aggregates with pandas, load included."""

    def run() -> object:
        import pandas as pd

        df = pd.read_parquet(path)
        cn = df[df.partner == "CN"]
        out = [
            cn.groupby("year").amount.sum(),
            cn[cn.kind == "direct"].groupby(["year", "region"]).amount.sum(),
            cn[cn["product"] == "P007"].groupby("year").quantity.sum(),
            df.groupby("year").amount.sum(),
            df[df.partner.isin(EU)].groupby("year").amount.sum(),
            df.groupby(["year", "region"]).amount.mean(),
            df[df.kind == "portfolio"].groupby("year").size(),
            df[df.partner == "RU"].groupby("region").amount.sum(),
            df.groupby(["year", "product"]).quantity.max(),
        ]
        return out

    return run


def hand_written_loop(path: Path) -> Callable[[], object]:
    """The ten rules' aggregates in one pure-Python pass over the CSV."""

    def run() -> object:
        eu = set(EU)
        acc: dict[tuple[object, ...], float] = {}
        with open(path, newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            for year, region, partner, product, kind, amount_text, quantity_text in reader:
                amount, quantity = float(amount_text), float(quantity_text)
                key = (year,)
                acc[("total", *key)] = acc.get(("total", *key), 0.0) + amount
                if partner == "CN":
                    acc[("cn", *key)] = acc.get(("cn", *key), 0.0) + amount
                    if kind == "direct":
                        k = ("cn_direct", year, region)
                        acc[k] = acc.get(k, 0.0) + amount
                    if product == "P007":
                        acc[("dairy", *key)] = acc.get(("dairy", *key), 0.0) + quantity
                elif partner in eu:
                    acc[("eu", *key)] = acc.get(("eu", *key), 0.0) + amount
                elif partner == "RU":
                    acc[("ru", region)] = acc.get(("ru", region), 0.0) + amount
                k = ("mean", year, region)
                acc[k] = acc.get(k, 0.0) + amount
                k = ("n", year, region)
                acc[k] = acc.get(k, 0.0) + 1
                if kind == "portfolio":
                    acc[("portfolio", *key)] = acc.get(("portfolio", *key), 0.0) + 1
                k = ("max", year, product)
                acc[k] = max(acc.get(k, 0.0), quantity)
        return acc

    return run


def peak_memory(snippet: str) -> float:
    """Peak resident memory (MiB) of a fresh Python running *snippet*."""
    code = textwrap.dedent(snippet) + "\nimport resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    return int(out.stdout.split()[-1]) / 1024


def compile_package() -> None:
    """The package's bytecode, as installing a wheel compiles it: a source checkout run with
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module in every new process."""
    compileall.compile_dir(ROOT / "src" / "directive_dsl", quiet=1)


def stack_floor_wall_time(repeat: int) -> float:
    """Wall time of a new Python that imports the package's libraries and asks DuckDB one thing."""
    command = [sys.executable, "-c",
               "import attrs, lark, sqlglot, duckdb; duckdb.connect().execute('SELECT 1').fetchall()"]
    subprocess.run(command, capture_output=True)
    return median_time(lambda: subprocess.run(command, capture_output=True), repeat)


def cli_wall_time(repeat: int) -> float:
    """`directive check` on a 1,000-row CSV with 5 rules, as a new process each time."""
    folder = DATA / "cli"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "trade.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["year", "region", "partner", "product", "kind", "amount", "quantity"])
        for i in range(1000):
            writer.writerow([2018 + i % 10, REGIONS[i % 7], PARTNERS[i % 12], f"P{i % 50:03d}",
                             "direct" if i % 3 else "portfolio", i * 10.5, i * 2.5])
    (folder / "five.directive").write_text(directive_text(TEN_RULES[:5]).replace(
        "dataset trade\n", 'dataset trade from "trade.csv"\n'))
    command = [sys.executable, "-m", "directive_dsl", "check", str(folder / "five.directive"), "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    compile_package()
    subprocess.run(command, capture_output=True, env=env)  # warm the file cache and the grammar cache
    return median_time(lambda: subprocess.run(command, capture_output=True, env=env), repeat)


def parse_ratio() -> tuple[float, float]:
    """Parse + check of a 10,000-rule file, against lark's own LALR parse of it."""
    import lark

    from directive_dsl import loads
    from directive_dsl.parser import grammar_text

    rules = [f'rule r{i} "Target {i}":\n  require trade.amount[partner in EU, kind = "direct", region] '
             f'>= {i} million USD per year' for i in range(10000)]
    text = directive_text(rules)
    bare = lark.Lark(grammar_text(), parser="lalr", lexer="contextual")
    ours_times, theirs_times = [], []
    for _ in range(3):  # interleaved, each after a full collection, so neither pays for the other's garbage
        for fn, times in ((lambda: loads(text, "big.directive"), ours_times), (lambda: bare.parse(text), theirs_times)):
            gc.collect()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(ours_times), statistics.median(theirs_times)


# ---------------------------------------------------------------- the table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--python-rows", type=int, default=1_000_000)
    parser.add_argument("--python-memory-rows", type=int, default=5_000_000,
                        help="rows of the CSV the python engine's peak memory is measured on")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["all", "front", "duckdb", "monthly", "python", "spark", "first"],
                        default="all")
    parser.add_argument("--first-repeat", type=int, default=5, help="fresh processes per first-evaluation median")
    parser.add_argument("--json", metavar="PATH", help="also write the figures here")
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []
    figures: dict[str, float] = {}

    def add(label: str, value: float, unit: str = "s", note: str = "") -> None:
        figures[label] = value
        digits = {"s": 3, "x": 2}.get(unit, 0)
        shown = f"{value:,.{digits}f} {unit}"
        rows.append((label, shown, note))

    if args.only in ("all", "front"):
        ours, theirs = parse_ratio()
        add("parse + check, 10,000 rules", ours, note=f"{ours / theirs:.2f}x lark's own parse ({theirs:.2f} s); target <= 1.3x")
        wall = cli_wall_time(args.repeat)
        add("directive check, 1,000-row CSV, 5 rules", wall, note="wall time of the command; target <= 0.6 s")
        floor = stack_floor_wall_time(args.repeat)
        add("a new Python importing attrs, lark, sqlglot and duckdb, running SELECT 1", floor,
            note="the least any command on this stack pays")

    if args.only in ("all", "duckdb"):
        parquet, csv_path = generate(args.rows)
        label = f"{args.rows:,} rows"
        counts = (1, 5, 10, 50)
        runs = [engine_run(fifty_rules()[:n] if n == 50 else TEN_RULES[:n], parquet, "duckdb") for n in counts]
        runs.append(hand_written_query(parquet, TWO_STAGE_QUERY))
        runs.append(hand_written_query(parquet, FIVE_RULE_QUERY))
        for run in runs:  # the file's checks and the page cache, before any is timed
            run()
        *found, hand, hand_five = times_in_turns(runs, args.repeat)  # the ratios' sides meet the same load
        times = dict(zip(counts, found, strict=True))
        for n in counts:
            add(f"(a) duckdb engine, {n} rules, Parquet {label}", times[n])
        add("(b) hand-written fused DuckDB query, two stages, 10 rules", hand,
            note=f"(a,10)/(b) = {times[10] / hand:.2f}; target <= 1.0")
        flat = median_time(hand_written_query(parquet, FLAT_QUERY), args.repeat)
        add("(b) hand-written fused DuckDB query, flat FILTERs, 10 rules", flat,
            note=f"(a,10)/(b flat) = {times[10] / flat:.2f}")
        add("(b) hand-written fused DuckDB query, two stages, the first 5 rules", hand_five)
        add("(a) 50 rules / 5 rules", times[50] / times[5], unit="x",
            note=f"target <= 1.3; hand-written 10 rules / 5 rules = {hand / hand_five:.2f}")
        csv_time = median_time(engine_run(TEN_RULES, csv_path, "duckdb"), args.repeat)
        add(f"(a) duckdb engine, 10 rules, CSV {label}", csv_time)
        pandas_time = median_time(pandas_groupby(parquet), args.repeat)
        add("(c) pandas groupby, 10 rules, load included", pandas_time,
            note=f"(c)/(a,10) = {pandas_time / times[10]:.1f}x; target >= 5x")
        engine_mem = peak_memory(f"""
            import directive_dsl
            from benchmarks.run import TEN_RULES, directive_text
            d = directive_dsl.loads(directive_text(TEN_RULES), "bench.directive")
            d.evaluate({{"trade": "{parquet}"}}, engine="duckdb")
        """.replace("from benchmarks.run", f"import sys; sys.path.insert(0, '{ROOT}'); from benchmarks.run"))
        hand_mem = {name: peak_memory(f"""
            import duckdb
            con = duckdb.connect()
            con.execute("SET enable_progress_bar = false")
            con.execute({query.format(path=parquet)!r}).fetchall()
        """) for name, query in (("two stages", TWO_STAGE_QUERY), ("flat", FLAT_QUERY))}
        add("(e) peak memory, duckdb engine, 10 rules", engine_mem, unit="MiB",
            note="; ".join(f"{engine_mem / mem:.2f}x the {name} hand-written query ({mem:,.0f} MiB)"
                           for name, mem in hand_mem.items()) + "; target <= 1.5x")

    if args.only in ("all", "monthly"):
        monthly = generate_monthly(args.rows)
        ours_monthly, hand_monthly = interleaved_times(
            monthly_run(MONTHLY_RULES, monthly, "duckdb"), hand_written_query(monthly, monthly_query(monthly)),
            args.repeat)
        add(f"(f) duckdb engine, {len(MONTHLY_RULES)} yearly rules, monthly Parquet {args.rows:,} rows, "
            "partial year", ours_monthly)
        add("(f) hand-written DuckDB query, same year-to-date figures", hand_monthly,
            note=f"engine / query = {ours_monthly / hand_monthly:.2f}; target <= 1.5")

    if args.only in ("all", "first"):
        from benchmarks.first_run import first_run_rows

        parquet, _ = generate(args.rows)
        compile_package()
        for label, value, note in first_run_rows(parquet, TEN_RULES, directive_text, TWO_STAGE_QUERY, EU,
                                                 args.first_repeat, DATA):
            add(f"{label}, Parquet {args.rows:,} rows", value, note=note)

    if args.only in ("all", "python"):
        _, small_csv = generate(args.python_rows)
        label = f"{args.python_rows:,} rows"
        ours_py, loop = interleaved_times(engine_run(TEN_RULES, small_csv, "python"),
                                          hand_written_loop(small_csv), args.repeat)
        add(f"(d) python engine, 10 rules, CSV {label}", ours_py)
        add("(d) hand-written fused Python loop, same CSV", loop,
            note=f"engine / loop = {ours_py / loop:.2f}; target <= 1.5")
        _, big_csv = generate(args.python_memory_rows)
        python_mem = peak_memory(f"""
            import directive_dsl
            from benchmarks.run import TEN_RULES, directive_text
            d = directive_dsl.loads(directive_text(TEN_RULES), "bench.directive")
            d.evaluate({{"trade": "{big_csv}"}}, engine="python")
        """.replace("from benchmarks.run", f"import sys; sys.path.insert(0, '{ROOT}'); from benchmarks.run"))
        add(f"(h) peak memory, python engine, 10 rules, CSV {args.python_memory_rows:,} rows", python_mem,
            unit="MiB", note="target <= 1,024 MiB")

    if args.only in ("all", "spark"):
        try:
            from benchmarks.spark_rows import spark_rows
        except ImportError:
            pass
        else:
            for label, value, note in spark_rows(generate(args.rows)[0], TEN_RULES, directive_text):
                add(label, value, note=note)

    width = max(len(r[0]) for r in rows)
    print(f"{'measurement'.ljust(width)}  {'median':>14}  notes")
    for label, shown, note in rows:
        print(f"{label.ljust(width)}  {shown:>14}  {note}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
