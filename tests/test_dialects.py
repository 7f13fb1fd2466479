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
