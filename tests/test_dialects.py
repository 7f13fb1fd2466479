"""The per-dialect rewrites of the shared SQL trees reach every node, however deeply nested."""

from __future__ import annotations

import sqlglot

from directive_dsl.engines.sql.dialects import adapt


def test_postgres_rewrites_nodes_inside_rewritten_ones() -> None:
    tree = sqlglot.parse_one("SELECT TRY_CAST(CASE WHEN ISNAN(x) THEN NULL ELSE x END AS DOUBLE) FROM t",
                             read="duckdb")
    sql = adapt(tree, "postgres").sql("postgres")
    assert "IS_NAN" not in sql.upper() and "ISNAN" not in sql.upper()
    assert sql.count("'NaN'") == 1 and "directive_try_double" in sql.lower()


def test_spark_rewrites_nodes_inside_rewritten_ones() -> None:
    tree = sqlglot.parse_one("SELECT CAST(CAST(FLOOR(x) AS DOUBLE) AS INT) FROM t", read="duckdb")
    sql = adapt(tree, "spark").sql("spark")
    assert sql.count("TRY_CAST") == 2 and " CAST(" not in sql.replace("TRY_CAST(", "")
    assert "CASE WHEN ABS(" in sql  # FLOOR kept away from values too large for it


def test_the_tree_passed_in_is_kept() -> None:
    tree = sqlglot.parse_one("SELECT ISNAN(x) FROM t", read="duckdb")
    before = tree.sql("duckdb")
    adapt(tree, "postgres")
    assert tree.sql("duckdb") == before


def test_bigquery_and_snowflake_replace_every_match_without_the_g_flag() -> None:
    tree = sqlglot.parse_one("SELECT REGEXP_REPLACE(x, '^\\s+', '', 'g') FROM t", read="duckdb")
    assert adapt(tree, "bigquery").sql("bigquery") == "SELECT REGEXP_REPLACE(x, '^\\\\s+', '') FROM t"
    assert adapt(tree, "snowflake").sql("snowflake") == "SELECT REGEXP_REPLACE(x, '^\\\\s+', '') FROM t"


def test_bigquery_groups_one_column_at_a_time() -> None:
    tree = sqlglot.parse_one("SELECT GROUPING(a, b) FROM t GROUP BY GROUPING SETS ((a), (a, b))")
    sql = adapt(tree, "bigquery").sql("bigquery")
    assert "GROUPING(a) AS INT64) * 2 + CAST(GROUPING(b) AS INT64)" in sql


def test_bigquery_computes_a_grouped_quantile_over_a_window_with_the_same_answers() -> None:
    import duckdb

    grouped = ("SELECT t.k, EXTRACT(YEAR FROM t.d) AS y, COUNT(*) AS n, QUANTILE_CONT(t.v, 0.9) AS q, "
               "CASE WHEN COUNT(t.v) > 1 THEN QUANTILE_CONT(t.v, 0.5) END AS m FROM t WHERE t.v IS NULL OR t.v <> 7 "
               "GROUP BY t.k, EXTRACT(YEAR FROM t.d) ORDER BY 1, 2")
    tree = sqlglot.parse_one(grouped, read="duckdb")
    rewritten = adapt(tree, "bigquery")
    bigquery = rewritten.sql("bigquery")
    assert bigquery.count("PERCENTILE_CONT") == 2 and bigquery.count(") OVER (PARTITION BY") == 2
    sqlglot.parse_one(bigquery, read="bigquery")
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('a', DATE '2026-01-05', 1.0), "
                "('a', DATE '2026-07-01', 4.0), ('a', DATE '2026-09-01', NULL), ('a', DATE '2027-01-01', 7.0), "
                "('a', DATE '2027-02-01', 2.5), ('b', DATE '2026-03-01', 10.0), ('b', DATE '2026-04-01', 20.0), "
                "('b', DATE '2026-05-01', 40.0), ('c', DATE '2026-01-01', NULL)) AS rows(k, d, v)")
    con.execute("ALTER TABLE t ALTER v TYPE DOUBLE")
    expected = con.execute(grouped).fetchall()
    assert con.execute(rewritten.sql("duckdb")).fetchall() == expected
    assert expected == [("a", 2026, 3, 3.7, 2.5), ("a", 2027, 1, 2.5, None), ("b", 2026, 3, 36.0, 20.0),
                        ("c", 2026, 1, None, None)]
