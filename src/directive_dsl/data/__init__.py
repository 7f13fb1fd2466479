"""Data for datasets: reading what the caller binds, and checking it against declarations.

:func:`read_table` turns a path, a list of dicts or a DataFrame into a
:class:`RawTable`; :func:`bind_table` checks it against a
:class:`DatasetSchema` and returns a typed :class:`BoundTable`.
"""

from .binding import TIME_NAMES as TIME_NAMES
from .binding import BoundTable as BoundTable
from .binding import DatasetSchema as DatasetSchema
from .binding import bind_table as bind_table
from .options import DataFile as DataFile
from .options import FileOptions as FileOptions
from .readers import DIR_EXTENSIONS as DIR_EXTENSIONS
from .readers import FORMATS as FORMATS
from .readers import RawTable as RawTable
from .readers import find_in_dir as find_in_dir
from .readers import read_table as read_table
from .readers import resolve_path as resolve_path
from .values import UNKNOWN_TEXTS as UNKNOWN_TEXTS

__all__ = [
    "DIR_EXTENSIONS",
    "FORMATS",
    "TIME_NAMES",
    "UNKNOWN_TEXTS",
    "BoundTable",
    "DataFile",
    "DatasetSchema",
    "FileOptions",
    "RawTable",
    "bind_table",
    "find_in_dir",
    "read_table",
    "resolve_path",
]
