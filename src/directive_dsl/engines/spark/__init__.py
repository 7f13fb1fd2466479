"""The Spark engine: the shared SQL, generated for Spark, run where the data is.

``SparkEngine(session)`` works in the caller's ``SparkSession`` (a cluster on
YARN or Kubernetes, Databricks, …); without one it uses the active session,
or starts one and stops it on close: the one ``spark-submit`` configured
when it launched this process, else a local one (:func:`local_session`). Data
stays in Spark: DataFrames, catalog tables and files Spark reads (see
:mod:`.sources`) are checked against their declarations in SQL, and
each dataset is answered by one statement whose result (one row per group,
period and grouping set) is all that comes back to the driver. Lists of
dicts and pandas, polars or Arrow tables are read and checked by the
reference reader first, then handed to Spark typed.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlglot import exp

from ...data import DatasetSchema
from ...errors import DirectiveDataError, DirectiveEngineError, DirectiveError, DirectiveUsageError
from ...plan import DataValue, TableInfo
from ..sql.remote import ColumnTypes, RemoteEngine, reason_of
from .sources import NotNative, Sources, is_spark_error

_ENGINES = itertools.count()
_QUIET = ("SQLQueryContextLogger", "DataFrameQueryContextLogger", "py4j")
# Spark's own log: errors only, on stderr (its default speaks at WARN and INFO at start-up).
_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
logger.quiet.name = org.apache.spark
logger.quiet.level = fatal
"""


def local_session(*, master: str = "local[*]", shuffle_partitions: int = 4, app_name: str = "directive",
                  config: Mapping[str, str] | None = None) -> Any:
    """A local ``SparkSession`` for one machine: no web UI, bound to 127.0.0.1, few partitions, quiet.

    *config* adds or overrides Spark settings (``{"spark.driver.memory": "4g"}``).
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise DirectiveUsageError("the spark engine needs pyspark",
                                  hint="pip install 'directive_dsl[spark]' (and Java 17 or later)") from error
    settings = {
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={_log_settings()}",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.sql.adaptive.enabled": "true",
        "spark.sql.session.timeZone": "UTC",
        **(config or {}),
    }
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the JVM's address, before it starts
    try:
        with warnings.catch_warnings():
            # pyspark warns that pandas 3 is untested with it; the engine hands Spark no pandas data.
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
            with contextlib.suppress(ImportError):
                import pyspark.testing.utils  # noqa: F401  (where the warning is raised, once)
            session = builder.getOrCreate()
    except Exception as error:
        raise DirectiveEngineError(f"cannot start Spark: {reason_of(error)}",
                                   hint="Spark needs Java 17 or later (set JAVA_HOME)") from error
    session.sparkContext.setLogLevel("FATAL")
    for name in _QUIET:  # failed reads the engine recovers from need not be shouted
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return session


class SparkEngine(RemoteEngine):
    """Evaluates plans in Spark, in the caller's session or a local one.

    ``session``: a ``SparkSession`` to work in (left running on close). The
    other options (``master``, ``shuffle_partitions``, ``app_name``,
    ``config``) go to :func:`local_session` when the engine starts one.
    """

    name = "spark"
    dialect = "spark"

    def __init__(self, session: Any = None, **options: Any) -> None:
        super().__init__()
        self._owned = False
        if session is None:
            session = _active_session()
        if session is None:
            session = _submitted_session() if _under_spark_submit() else local_session(**options)
            self._owned = True
        self.session = session
        self.sources = Sources(session, f"__directive_{next(_ENGINES)}")

    def bind(self, name: str, value: DataValue, schema: DatasetSchema, *, base_dir: Path | None,
             allow_outside: bool) -> TableInfo:
        folder = base_dir
        try:
            opened = self.sources.open(name, value, base_dir=folder, allow_outside=allow_outside)
        except NotNative:
            return self.bind_reference(name, value, schema, base_dir=folder, allow_outside=allow_outside)
        except Exception as error:  # a URI Spark cannot reach, say
            if not is_spark_error(error):
                raise
            raise DirectiveDataError(
                f"cannot read `{value}`: {reason_of(error)}", file=str(value),
                hint="check the path, and that Spark has the connector for its scheme (hadoop-aws for s3a://, …)",
            ) from error
        try:
            return self.bind_relation(opened.relation, schema)
        except DirectiveError as error:
            if opened.reworded and opened.local is not None and error.code in ("E502", "E503"):
                return self.bind_reference(name, str(opened.local), schema, base_dir=None, allow_outside=True)
            raise
        except Exception as error:
            if not is_spark_error(error):
                raise
            if opened.local is not None:  # the reference reader says why Spark could not read it
                return self.bind_reference(name, str(opened.local), schema, base_dir=None, allow_outside=True)
            origin = opened.relation.origin
            raise DirectiveDataError(f"cannot read `{origin}`: {reason_of(error)}", file=origin) from error

    def fetch_sql(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def load_columns(self, columns: dict[str, Sequence[object]], types: ColumnTypes) -> exp.Expr:
        from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

        kinds = {"text": StringType(), "double": DoubleType(), "int": LongType()}
        schema = StructType([StructField(c, kinds[types[c]]) for c in columns])
        frame = self.session.createDataFrame(list(zip(*columns.values(), strict=True)), schema=schema)
        return self.sources.new_view(frame)

    def close(self) -> None:
        try:
            self.sources.close()
        finally:
            self.datasets.clear()
            if self._owned:
                self.session.stop()
                self._owned = False


def _log_settings() -> str:
    """A log4j2 settings file for Spark's own log (errors only), written once per process."""
    folder = Path(tempfile.gettempdir()) / f"directive-spark-{os.getuid() if hasattr(os, 'getuid') else 0}"
    folder.mkdir(exist_ok=True)
    path = folder / "log4j2.properties"
    if not path.is_file() or path.read_text(encoding="utf-8") != _LOG4J:
        path.write_text(_LOG4J, encoding="utf-8")
    return path.as_uri()


def _active_session() -> Any:
    """The process's active ``SparkSession``, if pyspark is installed and one runs."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        return None
    return SparkSession.getActiveSession()


def _under_spark_submit() -> bool:
    """Whether ``spark-submit`` launched this process (its master and settings then apply)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def _submitted_session() -> Any:
    """The session ``spark-submit`` configured (master, executors, …)."""
    from pyspark.sql import SparkSession

    return SparkSession.builder.appName("directive").getOrCreate()
