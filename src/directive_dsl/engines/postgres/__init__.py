"""The PostgreSQL engine: the DB-API engine with an adapter for PostgreSQL and psycopg 3.

``PostgresEngine(dsn=…)`` or ``PostgresEngine(connection=…)``: datasets are
tables or views (``--data trade=sales.trade``, names read the way PostgreSQL
reads them: unquoted, so folded to lower case) checked in SQL where they
are, or files and in-memory tables, read by the reference reader and copied
into a temporary table (``COPY … FROM STDIN``). Statements are the shared
SQL rendered for PostgreSQL, with two temporary helper functions (see
:data:`.dialects.POSTGRES_FUNCTIONS`) where PostgreSQL has no ``TRY_CAST``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from ...errors import DirectiveEngineError, DirectiveUsageError
from ..sql.dbapi import DbApiEngine
from ..sql.dialects import POSTGRES_FUNCTIONS
from ..sql.remote import ColumnTypes, reason_of
from ..sql.remote_binding import Family

#: Column type (OID) to family; every other type reads as text, and is no number.
_FAMILIES: dict[int, Family] = {
    16: "bool", 20: "int", 21: "int", 23: "int", 26: "int", 700: "float", 701: "float",
    1700: "decimal", 25: "text", 1043: "text", 1042: "text", 19: "text", 18: "text", 705: "text",
    1082: "date", 1114: "timestamp", 1184: "timestamp",
}
_TYPES = {"text": "text", "double": "double precision", "int": "bigint"}
_FIND = ("SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
         " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
         " WHERE c.oid = pg_catalog.to_regclass(%s)")


class PostgresAdapter:
    """PostgreSQL through psycopg 3."""

    name = "postgres"
    dialect = "postgres"

    def connect(self, dsn: str | None, **options: Any) -> Any:
        try:
            import psycopg
        except ImportError as error:
            raise DirectiveUsageError("the postgres engine needs psycopg 3",
                                      hint="pip install 'directive_dsl[postgres]'") from error
        try:
            return psycopg.connect(dsn or "", autocommit=True, **options)
        except psycopg.Error as error:
            raise DirectiveEngineError(
                f"cannot connect to PostgreSQL: {reason_of(error)}",
                hint="pass --dsn 'host=… dbname=… user=…' (or set PGHOST, PGDATABASE, PGUSER)") from error

    def prepare(self, connection: Any) -> None:
        with connection.cursor() as cursor:
            # Doubles as text (sums add them as NUMERIC through text, results come back as
            # text) in their shortest exact digits, which PostgreSQL gives for any setting
            # above 0; 0 or below rounds them to 15 digits or fewer.
            cursor.execute("SELECT current_setting('extra_float_digits')::int")
            if int(cursor.fetchone()[0]) <= 0:
                cursor.execute("SET extra_float_digits = 1")
            for statement in POSTGRES_FUNCTIONS:
                cursor.execute(statement)

    def describe(self, connection: Any, name: str) -> tuple[exp.Table, list[tuple[str, Family]]] | None:
        parts = name.split(".")
        with connection.cursor() as cursor:
            if len(parts) == 3:
                cursor.execute("SELECT current_database()")
                if parts[0].lower() != str(cursor.fetchone()[0]).lower():
                    return None
                name = ".".join(parts[1:])
            cursor.execute(_FIND, [name])
            found = cursor.fetchone()
            if found is None:
                return None
            table = exp.Table(this=exp.to_identifier(found[1], quoted=True),
                              db=exp.to_identifier(found[0], quoted=True))
            cursor.execute(exp.select("*").from_(table.copy()).limit(0).sql("postgres"))
            columns = [(str(d.name), _FAMILIES.get(int(d.type_code), "other")) for d in cursor.description or ()]
        return table, columns

    def load(self, connection: Any, table: str, columns: dict[str, Sequence[object]], types: ColumnTypes) -> None:
        from psycopg import sql

        names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        definition = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_TYPES[types[c]]))
                                        for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE TEMPORARY TABLE {} ({})").format(sql.Identifier(table), definition))
            with cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), names)) as copy:
                for row in zip(*columns.values(), strict=True):
                    copy.write_row(row)
            cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))

    def drop(self, connection: Any, table: str) -> None:
        from psycopg import sql

        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))


class PostgresEngine(DbApiEngine):
    """Evaluates plans in PostgreSQL, on the caller's psycopg connection or one opened from ``dsn``."""

    def __init__(self, dsn: str | None = None, connection: Any = None, **options: Any) -> None:
        super().__init__(PostgresAdapter(), dsn=dsn, connection=connection, **options)
