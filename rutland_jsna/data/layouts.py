"""The layouts of Fingertips downloads, and how each maps onto the tidy columns.

Fingertips has written its indicator data in two column layouts (docs/fingertips_api.md §5.1):

* the **27-column bulk layout** of today's API (``all_data/csv/by_indicator_id``) and website
  downloads, ending in ``Time period range`` (``1y``, ``3y``, ``5y``, ``1q``, ``1m`` …);
* the **26-column layout** of website downloads and the API before 2022 (e.g.
  ``indicators-CountyUA.data.csv``), identical but without ``Time period range``. Its range is
  derived from the period text (:func:`time_period_range`): "2015" and "2015/16" are one year,
  "2013 - 17" five, "2012/13 - 14/15" three; "2019/20 Q1" a quarter; "Jan 2020" a month.

Headers are matched by name, not position (:func:`rutland_jsna.data.columns.tidy_name`): the
sub-national comparison column may carry any parent name ("Compared to Region value or
percentiles", "Compared to percentiles"), and older files call "Compared to goal" "Target data".
Unknown extra columns are ignored. Text cells keep their content; only the whitespace around
names is stripped (a real download's indicator name ends in a line break inside its quotes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from . import columns as C

__all__ = [
    "DERIVABLE",
    "HeaderMap",
    "map_header",
    "time_period_range",
    "to_tidy_text",
]

#: Tidy columns a download may lack, because they are derived from other columns.
DERIVABLE: tuple[str, ...] = (C.TIME_PERIOD_RANGE,)
#: Text columns stripped of surrounding whitespace (names; never codes or labels).
_STRIPPED = (C.INDICATOR_NAME, C.AREA_NAME, C.PARENT_NAME)

_YEAR = r"(\d{4})(?:/(\d{2}))?"
_POOLED = re.compile(rf"^{_YEAR}\s*-\s*(\d{{2}}|\d{{4}})(?:/(\d{{2}}))?$")
_SINGLE = re.compile(rf"^{_YEAR}$")
_QUARTER = re.compile(rf"^{_YEAR}\s+Q[1-4]$")
_MONTH = re.compile(
    r"^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+\d{4}$", re.IGNORECASE
)


def time_period_range(periods: pd.Series) -> pd.Series:
    """Fingertips' ``Time period range`` from the ``Time period`` text.

    Examples
    --------
    >>> time_period_range(pd.Series(["2015", "2016/17", "2013 - 17", "2012/13 - 14/15",
    ...                              "2019/20 Q2", "Mar 2021", "2020 to 2022"])).tolist()
    ['1y', '1y', '5y', '3y', '1q', '1m', nan]
    """

    def one(text: object) -> str | None:
        if not isinstance(text, str):
            return None
        t = text.strip()
        if _SINGLE.match(t):
            return "1y"
        if _QUARTER.match(t):
            return "1q"
        if _MONTH.match(t):
            return "1m"
        m = _POOLED.match(t)
        if m:
            start, end = int(m.group(1)), int(m.group(3))
            if end < 100:
                end += start // 100 * 100 + (100 if end < start % 100 else 0)
            if end > start:
                return f"{end - start + 1}y"
        return None

    return periods.map(one).astype("object").where(lambda s: s.notna(), float("nan"))


@dataclass(frozen=True)
class HeaderMap:
    """How a download's header maps onto the tidy columns.

    Attributes
    ----------
    rename : dict
        File header → tidy name, for every recognised column.
    missing : tuple of str
        Tidy columns neither present nor derivable.
    derived : tuple of str
        Tidy columns absent from the file and derived (``time_period_range``).
    unknown : tuple of str
        Headers that are not Fingertips columns (ignored).
    conflicts : tuple of (str, str, str)
        ``(header, tidy name, earlier header)`` for two columns mapping to one name.
    """

    rename: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    derived: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    conflicts: tuple[tuple[str, str, str], ...] = ()

    @property
    def layout(self) -> str:
        """``"27-column bulk"`` or ``"26-column (pre-2022)"``, as the file's header says."""
        return "26-column (pre-2022)" if C.TIME_PERIOD_RANGE in self.derived else "27-column bulk"


def map_header(headers: Iterable[object]) -> HeaderMap:
    """Match a download's header against the tidy columns (see the module docstring)."""
    rename: dict[str, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    conflicts: list[tuple[str, str, str]] = []
    for raw in headers:
        header = str(raw)
        tidy = C.tidy_name(header.strip())
        if tidy is None:
            unknown.append(header)
            continue
        if tidy in seen:
            conflicts.append((header, tidy, seen[tidy]))
            continue
        seen[tidy] = header
        rename[header] = tidy
    absent = [t for t in C.TIDY_COLUMNS if t not in seen]
    derived = tuple(t for t in absent if t in DERIVABLE)
    missing = tuple(t for t in absent if t not in DERIVABLE)
    return HeaderMap(rename, missing, derived, tuple(unknown), tuple(conflicts))


def to_tidy_text(raw: pd.DataFrame, header: HeaderMap) -> pd.DataFrame:
    """The text frame renamed to tidy names, derived columns added, in tidy column order.

    ``raw`` is the download read as text (blank = missing); ``header`` must have no missing
    columns or conflicts.
    """
    frame = raw[list(header.rename)].rename(columns=header.rename)
    if C.TIME_PERIOD_RANGE in header.derived:
        frame[C.TIME_PERIOD_RANGE] = time_period_range(frame[C.TIME_PERIOD])
    for col in _STRIPPED:
        text = frame[col]
        frame[col] = text.where(text.isna(), text.astype("str").str.strip())
    return frame[list(C.TIDY_COLUMNS)]
