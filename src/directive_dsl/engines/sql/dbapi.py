"""An engine for any database with a DB-API driver and a sqlglot dialect.

The engine is generic; what differs between databases is an :class:`Adapter`:
the dialect's name, how to connect, how to find a table's columns and their
families, and how to load typed columns into a temporary table. See
:mod:`.postgres` for PostgreSQL, and docs/scaling.md for what others need.

Tables and views the caller names (``--data trade=sales.trade``) are checked
and read where they are; files, lists of dicts and DataFrames are read and
checked by the reference reader, then loaded into a temporary table.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlglot import exp

from ...data import DatasetSchema
from ...data.raw import data_error
from ...errors import DirectiveEngineError, DirectiveError
from ...plan import DataValue, TableInfo
from .remote import ColumnTypes, RemoteEngine, reason_of, table_name
from .remote_binding import Family, Relation

_ENGINES = itertools.count()


class Adapter(Protocol):
    """What the DB-API engine needs to know about one database."""

    #: The engine's name in messages and reports ("postgres").
    name: str
    #: The sqlglot dialect statements are rendered in ("postgres", "trino", …).
    dialect: str

    def connect(self, dsn: str | None, **options: Any) -> Any:
        """A new DB-API connection (the engine closes it)."""

    def prepare(self, connection: Any) -> None:
        """Get a connection ready: temporary helper functions, session settings."""

    def describe(self, connection: Any, name: str) -> tuple[exp.Table, list[tuple[str, Family]]] | None:
        """The table or view called *name* (as quoted identifiers) and its columns; None if none."""

    def load(self, connection: Any, table: str, columns: dict[str, Sequence[object]], types: ColumnTypes) -> None:
        """Create the temporary table *table* holding *columns* (see :data:`.remote.ColumnTypes`)."""

    def drop(self, connection: Any, table: str) -> None:
        """Drop the temporary table *table*."""


class DbApiEngine(RemoteEngine):
    """Evaluates plans in a database reached through a DB-API connection and an :class:`Adapter`.

    ``connection``: an open connection to work in (left open on close, its
    transaction left to the caller); else one is opened with ``dsn`` and
    the other options, and closed with the engine.
    """

    def __init__(self, adapter: Adapter, *, dsn: str | None = None, connection: Any = None,
                 **options: Any) -> None:
        super().__init__()
        self.adapter = adapter
        self.name = adapter.name
        self.dialect = adapter.dialect
        self._owned = connection is None
        self.connection = adapter.connect(dsn, **options) if connection is None else connection
        self._prefix = f"__directive_{next(_ENGINES)}"
        self._tables: list[str] = []
        adapter.prepare(self.connection)

    def bind(self, name: str, value: DataValue, schema: DatasetSchema, *, base_dir: Path | None,
             allow_outside: bool) -> TableInfo:
        folder = base_dir
        table = table_name(value, base_dir=folder, allow_outside=allow_outside)
        if table is None:
            return self.bind_reference(name, value, schema, base_dir=folder, allow_outside=allow_outside)
        try:
            found = self.adapter.describe(self.connection, table)
            if found is None:
                raise data_error("E500", f"`{table}` is neither a table or view of the database nor a file",
                                 file=table, hint="name a table or view as schema.table, or a file with its extension")
            relation, columns = found
            names = [column for column, _ in columns]
            return self.bind_relation(Relation(
                name=name, origin=table, table=relation, columns=dict(zip(names, names, strict=True)),
                families=dict(columns)), schema)
        except DirectiveError:
            raise
        except Exception as error:  # the database refused: no right to read it, say
            raise DirectiveEngineError(f"{self.name} could not read `{table}`: {reason_of(error)}") from error

    def fetch_sql(self, sql: str) -> list[tuple[Any, ...]]:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def load_columns(self, columns: dict[str, Sequence[object]], types: ColumnTypes) -> exp.Expr:
        table = f"{self._prefix}_{len(self._tables)}"
        self._tables.append(table)  # before loading: a load that fails half way is dropped too
        self.adapter.load(self.connection, table, columns, types)
        return exp.Table(this=exp.to_identifier(table, quoted=True))

    def close(self) -> None:
        try:
            for table in reversed(self._tables):
                self.adapter.drop(self.connection, table)
        finally:
            self._tables.clear()
            self.datasets.clear()
            if self._owned:
                self.connection.close()
