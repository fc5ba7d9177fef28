"""Exceptions of the data layer.

Every error names what a user needs to fix the problem: the file, the row numbers, the column
and the rule (validation), the endpoint and the field (API schema drift), the URL and the number
of attempts (network), the file and both checksums (cache corruption).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class DataError(Exception):
    """Base class of every data-layer error."""


@dataclass(frozen=True)
class ValidationFailure:
    """One broken rule: where (file, 1-based data row numbers, column) and which rule.

    ``rows`` are the 1-based row numbers of the data as a spreadsheet user would count them
    (header = row 1, first data row = row 2) when the source is a file; positions otherwise.
    """

    column: str
    rule: str
    rows: tuple[int, ...] = ()
    file: str | None = None
    examples: tuple[str, ...] = ()

    def describe(self, max_rows: int = 10) -> str:
        where = f"{self.file}: " if self.file else ""
        rows = ""
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:max_rows])
            more = f" (and {len(self.rows) - max_rows} more)" if len(self.rows) > max_rows else ""
            rows = f" rows {shown}{more}"
        ex = f" e.g. {', '.join(self.examples[:3])}" if self.examples else ""
        return f"{where}column '{self.column}'{rows}: {self.rule}{ex}"


class DataValidationError(DataError, ValueError):
    """Input data broke one or more rules. Nothing was written."""

    def __init__(self, failures: Sequence[ValidationFailure], source: str | None = None):
        self.failures = tuple(failures)
        self.source = source
        head = f"{source}: " if source else ""
        n = len(self.failures)
        lines = [f"{head}{n} validation {'rule' if n == 1 else 'rules'} broken; nothing was written"]
        lines += [f"  - {f.describe()}" for f in self.failures]
        super().__init__("\n".join(lines))


class ChecksumMismatchError(DataError):
    """A cached raw file no longer matches the checksum recorded in its manifest."""

    def __init__(self, path: str, expected: str, actual: str):
        self.path, self.expected, self.actual = path, expected, actual
        super().__init__(
            f"{path}: checksum mismatch (manifest sha256 {expected[:12]}…, file {actual[:12]}…); "
            "the cached file was changed after download and will not be used — delete it and fetch again"
        )


class UnknownAreaError(DataError, ValueError):
    """An area code or name that is not an English upper-tier authority, region or England."""


class FingertipsError(DataError):
    """Base class of Fingertips API errors."""


class FingertipsUnavailableError(FingertipsError):
    """The API could not be reached (after retries), timed out, or returned server errors."""


class FingertipsSchemaError(FingertipsError):
    """The API answered, but not in the expected shape (HTML page, missing column/key, bad JSON)."""


class FingertipsNoDataError(FingertipsError):
    """A valid request returned no rows (e.g. an indicator has no data for that area type)."""
