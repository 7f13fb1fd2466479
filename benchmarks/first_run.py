"""The first evaluation in a fresh process, side by side with its peers.

What a command-line user pays: each measurement is a new Python process, timed
inside it from just before the first library import to the answer in hand
(the interpreter's own start, the same for all, is left out). The peers
compute the same aggregates as the rules:

- directive_dsl with the duckdb engine (import, parse and check, evaluate);
- one hand-written DuckDB query (import duckdb, connect, run, fetch);
- the same query after importing lark, attrs and sqlglot, the libraries the
  package is built on: the least any program on this stack pays;
- polars lazy (``scan_parquet`` … ``collect``; the ten rules' aggregates as one
  ``collect_all``, which shares the scan);
- Soda Core's ``group by`` checks, one per rule, in a venv of its own named by
  ``SODA_PYTHON`` (soda-core-duckdb pins an older DuckDB), its usage
  statistics off (``send_anonymous_usage_stats: false`` in its config file).

Each program runs once unmeasured (the file in the page cache, the package's
SQL cache and the file's digest kept), then the median of ``repeat`` runs is
taken, the programs in turns.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

EU_SQL = "('AT','BE','DE','FR','IT','NL','PL')"

# The grouped rule (the second of TEN_RULES) by hand.
ONE_RULE_QUERY = """
SELECT year, region, sum(amount) AS cn_direct
FROM read_parquet('{path}')
WHERE partner = 'CN' AND kind = 'direct'
GROUP BY year, region
"""

POLARS_ONE_RULE = """
lf = pl.scan_parquet(PATH)
answer = (lf.filter((pl.col("partner") == "CN") & (pl.col("kind") == "direct"))
          .group_by("year", "region").agg(pl.col("amount").sum()).collect())
"""

# The aggregates the ten rules read (growth and the comparison reuse the CN and EU sums).
POLARS_TEN_RULES = """
lf = pl.scan_parquet(PATH)
cn = lf.filter(pl.col("partner") == "CN")
answer = pl.collect_all([
    cn.group_by("year").agg(pl.col("amount").sum()),
    cn.filter(pl.col("kind") == "direct").group_by("year", "region").agg(pl.col("amount").sum()),
    cn.filter(pl.col("product") == "P007").group_by("year").agg(pl.col("quantity").sum()),
    lf.group_by("year").agg(pl.col("amount").sum()),
    lf.filter(pl.col("partner").is_in(EU)).group_by("year").agg(pl.col("amount").sum()),
    lf.group_by("year", "region").agg(pl.col("amount").mean()),
    lf.filter(pl.col("kind") == "portfolio").group_by("year").agg(pl.len()),
    lf.filter(pl.col("partner") == "RU").group_by("region").agg(pl.col("amount").sum()),
    lf.group_by("year", "product").agg(pl.col("quantity").max()),
])
"""

# One Soda `group by` check per rule: (query, group fields, check), amounts in USD, quantities in kg.
SODA_CHECKS: list[tuple[str, list[str], str]] = [
    ("SELECT year, sum(amount) AS v FROM trade WHERE partner = 'CN' GROUP BY year", ["year"],
     "v >= 500000000"),
    ("SELECT year, region, sum(amount) AS v FROM trade WHERE partner = 'CN' AND kind = 'direct' "
     "GROUP BY year, region", ["year", "region"], "v >= 150000000"),
    ("SELECT year, sum(quantity) AS v FROM trade WHERE partner = 'CN' AND product = 'P007' GROUP BY year",
     ["year"], "v >= 50000000"),
    ("SELECT year, sum(CASE WHEN partner = 'CN' THEN amount END) / sum(amount) AS v FROM trade GROUP BY year",
     ["year"], "v >= 0.1"),
    ("SELECT year, sum(CASE WHEN partner = 'CN' THEN amount END) - "
     f"sum(CASE WHEN partner IN {EU_SQL} THEN amount END) AS v FROM trade GROUP BY year", ["year"], "v > 0"),
    ("SELECT year, v / lag(v) OVER (ORDER BY year) - 1 AS v FROM (SELECT year, sum(amount) AS v FROM trade "
     "WHERE partner = 'CN' GROUP BY year)", ["year"], "v >= 0.1"),
    ("SELECT year, region, avg(amount) AS v FROM trade GROUP BY year, region", ["year", "region"], "v >= 1000"),
    ("SELECT year, count(*) AS v FROM trade WHERE kind = 'portfolio' GROUP BY year", ["year"], "v >= 1000"),
    ("SELECT region, sum(amount) AS v FROM trade WHERE partner = 'RU' GROUP BY region", ["region"],
     "v >= 1000000000"),
    ("SELECT year, product, max(quantity) AS v FROM trade GROUP BY year, product", ["year", "product"],
     "v <= 100000"),
]

SODA_MISSING = "soda-core not installed; pip install soda-core-duckdb in its own venv and set SODA_PYTHON"


def soda_yaml(checks: list[tuple[str, list[str], str]]) -> str:
    """SodaCL for *checks*: one `group by` check each."""
    lines = ["checks for trade:"]
    for i, (query, fields, check) in enumerate(checks):
        lines += ["  - group by:", f"      name: rule {i + 1}", "      group_limit: 1000",
                  "      query: |", f"        {query}", "      fields:",
                  *(f"        - {f}" for f in fields), "      checks:", f"        - {check}:",
                  f"            name: rule {i + 1}"]
    return "\n".join(lines) + "\n"


def _timed(body: str, prelude: str = "") -> str:
    """A child program: *body* timed from its first import, the seconds printed as JSON;
    *prelude* runs before the clock starts."""
    return (textwrap.dedent(prelude) + "\nimport time, json\nSTART = time.perf_counter()\n" + textwrap.dedent(body)
            + "\nprint(json.dumps({'total': time.perf_counter() - START, **EXTRA}))\n")


# A cache folder holding only the package's SQL caches: the data file is new to it (its checks,
# statistics and digest not kept), as when the data has just arrived.
NEW_FILE = """
import os, shutil, tempfile
from pathlib import Path
kept = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "directive_dsl"
fresh = Path(tempfile.mkdtemp()) / "directive_dsl"
fresh.mkdir()
for sql in kept.glob("sql-*.pickle"):
    shutil.copy(sql, fresh)
os.environ["XDG_CACHE_HOME"] = str(fresh.parent)
"""


def directive_program(text: str, path: Path, *, new_file: bool = False) -> str:
    return _timed(prelude=NEW_FILE if new_file else "", body=f"""
        EXTRA = {{}}
        import directive_dsl
        directive = directive_dsl.loads({text!r}, "bench.directive")
        before = time.perf_counter()
        answer = directive.evaluate({{"trade": {str(path)!r}}}, engine="duckdb")
        EXTRA["evaluate"] = time.perf_counter() - before
    """)


def duckdb_program(query: str, path: Path, *, also_import: str = "") -> str:
    return _timed(f"""
        EXTRA = {{}}
        import {also_import}duckdb
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        answer = con.execute({query.format(path=path)!r}).fetchall()
    """)


def stack_floor_program(query: str, path: Path) -> str:
    """The hand-written query after importing the libraries the package is built on (lark,
    attrs, sqlglot): what any program on this stack pays before its own code runs."""
    return duckdb_program(query, path, also_import="attrs, lark, sqlglot, ")


def polars_program(body: str, path: Path, eu: list[str]) -> str:
    return _timed(f"EXTRA = {{}}\nPATH, EU = {str(path)!r}, {eu!r}\nimport polars as pl\n" + body)


def soda_program(checks: list[tuple[str, list[str], str]], path: Path) -> str:
    return _timed(f"""
        EXTRA = {{}}
        import duckdb
        from soda.scan import Scan
        con = duckdb.connect()
        con.execute("CREATE VIEW trade AS SELECT * FROM read_parquet({str(path)!r})")
        scan = Scan()
        scan.set_data_source_name("bench")
        scan.add_duckdb_connection(con, data_source_name="bench")
        scan.add_sodacl_yaml_str({soda_yaml(checks)!r})
        scan.execute()
        EXTRA["checks"] = len(scan.get_scan_results()["checks"])
        EXTRA["errors"] = scan.has_error_logs()
    """)


def soda_environment(folder: Path) -> dict[str, str]:
    """Soda's environment: a home of its own whose config turns its usage statistics off."""
    home = folder / "soda-home"
    (home / ".soda").mkdir(parents=True, exist_ok=True)
    (home / ".soda" / "config.yml").write_text("send_anonymous_usage_stats: false\n")
    return {**os.environ, "HOME": str(home), "SODA_CORE_TELEMETRY_DISABLED": "1"}


Program = tuple[str, str, "dict[str, str] | None", "Path | None"]  # python, code, environment, folder


def fresh_process_times(programs: list[Program], repeat: int) -> list[dict[str, float]]:
    """Per program, the medians over *repeat* new processes of what it prints, after one
    unmeasured run each; the programs run in turns, so a busy moment of the machine hits all."""
    found: list[list[dict[str, float]]] = [[] for _ in programs]
    for i in range(repeat + 1):
        for (python, program, env, cwd), runs in zip(programs, found, strict=True):
            out = subprocess.run([python, "-c", program], capture_output=True, text=True, env=env, cwd=cwd)
            if out.returncode != 0:
                raise RuntimeError(f"benchmark process failed:\n{out.stderr[-2000:]}")
            if i:
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return [{key: statistics.median(float(r[key]) for r in runs) for key in runs[0]} for runs in found]


def first_run_rows(path: Path, ten_rules: list[str], directive_text: Callable[[list[str]], str],
                   two_stage_query: str, eu: list[str], repeat: int, data: Path) -> list[tuple[str, float, str]]:
    """(label, seconds, note) rows: directive against its peers, 1 grouped rule and 10 rules."""
    rows: list[tuple[str, float, str]] = []
    src = str(Path(__file__).resolve().parent.parent / "src")
    ours_env = {**os.environ, "PYTHONPATH": src}
    soda_python = os.environ.get("SODA_PYTHON")
    if not soda_python:
        print(f"Soda Core row skipped: {SODA_MISSING}", file=sys.stderr)
    cases = (("1 grouped rule", ten_rules[1:2], ONE_RULE_QUERY, POLARS_ONE_RULE, SODA_CHECKS[1:2]),
             ("10 rules", ten_rules, two_stage_query, POLARS_TEN_RULES, SODA_CHECKS))
    for label, rules, query, polars_body, soda_checks in cases:
        programs: list[Program] = [
            (sys.executable, directive_program(directive_text(rules), path), ours_env, None),
            (sys.executable, directive_program(directive_text(rules), path, new_file=True), ours_env, None),
            (sys.executable, duckdb_program(query, path), None, None),
            (sys.executable, polars_program(polars_body, path, eu), None, None),
            (sys.executable, stack_floor_program(query, path), None, None),
        ]
        if soda_python:
            programs.append((soda_python, soda_program(soda_checks, path), soda_environment(data / "soda"),
                             data / "soda" / "soda-home"))
        ours, new_file, hand, polars, floor, *soda = fresh_process_times(programs, repeat)
        rows.append((f"(g) first evaluation, fresh process, directive (duckdb), {label}", ours["total"],
                     f"evaluate alone {ours['evaluate']:.3f} s; / hand-written = "
                     f"{ours['total'] / hand['total']:.2f} (target <= 1.2); / polars = "
                     f"{ours['total'] / polars['total']:.2f}"))
        rows.append((f"(g) first evaluation, fresh process, directive (duckdb), a data file new to it, {label}",
                     new_file["total"], f"evaluate alone {new_file['evaluate']:.3f} s; / hand-written = "
                     f"{new_file['total'] / hand['total']:.2f}"))
        rows.append((f"(g) first evaluation, fresh process, hand-written DuckDB query, {label}", hand["total"], ""))
        rows.append((f"(g) first evaluation, fresh process, polars lazy, {label}", polars["total"], ""))
        rows.append((f"(g) first evaluation, fresh process, hand-written query after importing lark, attrs "
                     f"and sqlglot, {label}", floor["total"],
                     f"/ hand-written = {floor['total'] / hand['total']:.2f}: the least a program on "
                     "this stack pays"))
        for found in soda:
            rows.append((f"(g) first evaluation, fresh process, Soda Core group-by checks, {label}", found["total"],
                         f"one query per rule, {int(found['checks'])} group results"
                         + ("; SODA LOGGED ERRORS" if found["errors"] else "")))
    return rows
