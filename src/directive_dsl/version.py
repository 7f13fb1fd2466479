"""The package's version and its report schema, in a module of their own so that any module may read them."""

__version__ = "0.1.0"

#: The schema of the JSON report document (SPEC §10).
REPORT_SCHEMA = "directive-report/2"
