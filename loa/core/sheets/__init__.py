"""Read monthly-report tables users upload (.xlsx, .csv) against a declarative column spec.

Pure Python (no Django) so any feature can use it::

    result = read_table(data, "bao-cao.xlsx", COLUMNS)
    if not result.ok:
        show(result.file_errors)
    for row in result:  # streamed; row.errors carry Vietnamese messages
        ...
"""

from .model import (
    Bound,
    CellError,
    Column,
    FileError,
    HeaderMap,
    IgnoredColumn,
    Kind,
    MappedColumn,
    Row,
    SkippedRow,
    column_letter,
)
from .reader import TableResult, read_table
from .stream import fingerprint

__all__ = [
    "Bound",
    "CellError",
    "Column",
    "FileError",
    "HeaderMap",
    "IgnoredColumn",
    "Kind",
    "MappedColumn",
    "Row",
    "SkippedRow",
    "TableResult",
    "column_letter",
    "fingerprint",
    "read_table",
]
