"""`directive compile` prints per rule the SQL that decides it: run in DuckDB, it gives `check`'s verdicts.

The printed DuckDB statements run on the example data (loaded as tables, as
``compile`` assumes: dimensions and time as text, measures as numbers); each
outcome that ``check`` judges pass, fail or missing has the same status in
the statement's rows, and nothing else is judged there. Outcomes ``check``
judges against a path (on/off track) or leaves pending are pending in SQL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from directive_dsl.cli import main

duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ("pass", "fail", "missing")

SYNTHETIC_DATA = """year,region,kind,amount,price
2019,North,direct,10,2
2020,North,direct,40,2
2020,North,other,30,
2020,South,direct,25,3
2020,South,other,5,12
2021,North,direct,45,4
2021,North,other,35,5
2021,South,other,50,
2022,North,direct,60,6
2022,North,other,10,7
2023,North,other,80,8
2023,South,direct,70,0.5
2023,South,direct,,1
"""

SYNTHETIC_RULES = """
dataset sales from "sales.csv"
  time year
  dimensions region, kind
  measure amount USD
  measure price USD aggregate mean
  measure turnover = amount * 2 - amount / 4

domain region = ["North", "South", "West"]

rule totals: require sales.amount >= 100 USD per year
rule regions: require sales.amount[region] >= 50 USD per year
rule direct: require sales.amount[kind = "direct", region] > 20 USD per year
rule growing: require growth(sales.amount) >= 5% per year from 2021 to 2023
rule band: require sales.price[region] between 1 USD and 10 USD in 2021
rule base: require sales.amount >= sales.amount at 2020 in 2023
rule grand: require sales.amount >= 300 USD in total
rule deadline: require sales.amount >= 200 USD by 2022 from 2020
rule counted: require count(sales[kind = "direct"]) >= 2 per year
rule changes: require change(sales.amount[region]) >= 0 USD per year
rule lasts: require last(sales.price) <= 7 USD per year
rule firsts: require first(sales.amount[region]) != 40 USD per year
rule parts: require sales.amount[region] / sales.amount <= 80% per year
rule equal: require sales.amount[kind = "other"] = 65 USD in 2020
rule derived: require sales.turnover[kind in ["direct", "other"]] >= 100 USD per year
rule pairs: require sales.amount[region, kind] >= 20 USD per year
rule sub_total: require sales.amount >= 100 USD in total from 2021 to 2022
rule sub_later: require sales.amount >= 100 USD in total from 2022 to 2024
rule constants: require 0 >= 0 per year
rule constant_total: require 1 >= 0 in total
rule constant_deadline: require 0 >= 1 by 2022
"""


def _load_tables(con: Any, folder: Path, datasets: dict[str, Any]) -> None:
    for name, info in datasets.items():
        path = folder / info.path
        con.execute(f"CREATE TABLE \"{name}\" AS SELECT * FROM read_csv('{path}', all_varchar = true)")
        numeric = {c for measure in info.measures.values() for c in _row_columns(measure.expr)}
        for column in numeric:
            con.execute(f'ALTER TABLE "{name}" ALTER "{column}" TYPE DOUBLE')


def _row_columns(expr: Any) -> list[str]:
    from directive_dsl.model import row_columns

    return list(row_columns(expr))


def _statements(out: str) -> list[str]:
    """The printed statements after their `--` headings, in the order of the rules."""
    blocks = [b for b in out.strip().split("\n\n") if b.strip()]
    return [
        "\n".join(line for line in block.splitlines() if not line.startswith("-- "))
        for block in blocks
    ]


def _compare(directive_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    import directive_dsl

    directive = directive_dsl.load(directive_path)
    assert main(["compile", str(directive_path)]) == 0
    statements = _statements(capsys.readouterr().out)
    assert len(statements) == len(directive.rules)
    main(["check", str(directive_path), "--format", "json", "--all", "--engine", "duckdb"])
    outcomes = json.loads(capsys.readouterr().out)["outcomes"]
    con = duckdb.connect()
    _load_tables(con, directive_path.parent, dict(directive.datasets))
    counts = dict.fromkeys([*JUDGED, "pending"], 0)
    for rule, sql in zip(directive.rules, statements, strict=True):
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        by_key = {(tuple((d, r[d]) for d in rule.dimensions), r["period"]): r["status"] for r in rows}
        assert len(by_key) == len(rows), rule.id
        mine = [o for o in outcomes if o["rule"] == rule.id]
        judged = {(tuple(o["group"].items()), o["period"]): o["status"] for o in mine
                  if o["status"] in JUDGED}
        sql_judged = {k: s for k, s in by_key.items() if s in JUDGED}
        assert sql_judged == judged, rule.id
        waiting = {tuple(o["group"].items()) for o in mine if o["status"] not in JUDGED}
        assert {k[0] for k, s in by_key.items() if s == "pending"} == waiting, rule.id
        for status in by_key.values():
            counts[status] += 1
    return counts


@pytest.mark.parametrize("example", ["gapminder/targets.directive",
                                     "belarus_china/belarus_china.directive"])
def test_the_printed_sql_gives_the_verdicts_of_check(
        example: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = (ROOT / "examples" / example).parent
    shutil.copytree(source, tmp_path / "example")
    counts = _compare(tmp_path / "example" / Path(example).name, capsys)
    assert counts["pass"] and counts["fail"]


@pytest.mark.parametrize("period", ["2020 to 2023", "2020 to 2024", None])
def test_every_kind_of_rule_gives_the_same_verdicts(
        period: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sales.csv").write_text(SYNTHETIC_DATA)
    header = f'directive "Synthetic"\n  period {period}\n' if period else ""
    path = tmp_path / "synthetic.directive"
    path.write_text(header + SYNTHETIC_RULES)
    counts = _compare(path, capsys)
    assert all(counts[s] for s in JUDGED)
    if period == "2020 to 2024":  # the window has not ended: the total is pending here
        assert counts["pending"]


def test_the_heading_says_what_the_statement_leaves_to_the_engine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.directive"
    path.write_text('directive "T"\n  period 2020 to 2030\n'
                    'dataset t\n  time year\n  measure v USD\n'
                    'rule r "Reach 5": require t.v >= 5 USD by 2030 from 2020\n')
    assert main(["compile", str(path)]) == 0
    headings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("-- ")]
    assert headings[:2] == ["-- rule r: Reach 5",
                            "-- by 2030: actual, threshold in USD and status (pass, fail, missing or pending)"]
    assert "straight path from 2020" in headings[2]


def test_scans_prints_the_aggregate_queries(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = ROOT / "examples" / "gapminder" / "targets.directive"
    assert main(["compile", str(path), "--scans"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("-- dataset gapminder (rules ") and "GROUPING SETS" in out


@pytest.mark.parametrize("time", ["per year", "in total", "in 2021", "by 2030"])
def test_a_rule_of_constants_without_a_window_is_pending(
        time: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "constants.directive"
    path.write_text(f"rule c: require 2 >= 1 {time}\n")
    assert _compare(path, capsys)["pending"] == 1


MONITORING = """
dataset sales from "sales.csv"
  time year
  dimensions region, kind
  measure amount USD
  fill 0
dataset late from "late.csv"
  time year
  dimensions region
  measure amount USD
dataset plan from "plan.csv"
  time year
  dimensions region, kind
  measure target USD
dataset capped from "sales.csv"
  time year
  dimensions region, kind
  measure amount USD
  as of 2021

rule filled: require sales.amount[region] >= 20 USD per year
rule counted: require count(sales[region, kind = "direct"]) >= 1 per year
rule lagging: require sales.amount[region] >= late.amount[region] per year
rule stopped: require capped.amount[region] >= 20 USD per year
rule stopped_total: require capped.amount >= 100 USD in total from 2020 to 2021
rule lagging_total: require sales.amount + late.amount >= 100 USD in total from 2020 to 2022
rule planned: require sales.amount[region, kind] >= plan.target[region, kind] per year
"""


@pytest.mark.parametrize("period", ["2019 to 2023", None])
def test_fill_as_of_and_lagging_sources_give_the_same_verdicts(
        period: str | None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sales.csv").write_text(SYNTHETIC_DATA)
    (tmp_path / "late.csv").write_text("year,region,amount\n2019,North,5\n2020,North,30\n2020,South,10\n"
                                       "2021,South,40\n")
    (tmp_path / "plan.csv").write_text("year,region,kind,target\n2020,North,direct,30\n2020,South,direct,10\n"
                                       "2021,North,other,30\n2022,West,other,5\n2023,South,other,1\n")
    header = f'directive "Monitoring"\n  period {period}\n' if period else ""
    path = tmp_path / "monitoring.directive"
    path.write_text(header + MONITORING)
    counts = _compare(path, capsys)
    assert counts["pass"] and counts["fail"] and counts["missing"]
