"""How numbers, missing values and suppressed counts are printed (docs/chapters.md §0).

* Values to one decimal place with thousands separators: ``4,602.8``.
* Counts as whole numbers with thousands separators: ``1,262``; counts of 1 to 4 as ``*``
  (disclosure control), explained in the chapter's data notes.
* A missing value is the visible word ``Null`` — never 0, never blank, never "nan" — with the
  reason beside it where one is known.

This module holds the one implementation of :func:`is_missing`, :func:`format_number` and the
count format; the sentence helpers of ``report._words`` import them from here.
"""

from __future__ import annotations

import math
from typing import Any

from ..stats.thresholds import DISCLOSURE_MAX_COUNT
from .html import Html, esc, is_pandas_missing

__all__ = [
    "MISSING",
    "SUPPRESSED_MARK",
    "SUPPRESSED_NOTE",
    "is_missing",
    "format_number",
    "format_count",
    "format_count_plain",
    "format_ci",
    "format_rank",
    "missing_html",
    "value_html",
]

#: The word shown for a missing value (as printed in the outcomes report).
MISSING = "Null"
#: The mark shown for a count suppressed for disclosure control.
SUPPRESSED_MARK = "*"
SUPPRESSED_NOTE = (
    f"* Count of 1 to {DISCLOSURE_MAX_COUNT} not shown (disclosure control, following the "
    "Fingertips convention)."
)


def is_missing(value: Any) -> bool:
    """True for ``None``, NaN, ``pd.NA``, ``pd.NaT`` and blank strings.

    The one test of a missing value in the report layer (``report._words`` imports it).

    Examples
    --------
    >>> import pandas as pd
    >>> is_missing(float("nan")), is_missing(pd.NA), is_missing(" "), is_missing(0)
    (True, True, True, False)
    """
    if value is None or is_pandas_missing(value):
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(math.isnan(float(value)))
    except (TypeError, ValueError):
        return False


def format_number(value: Any, decimals: int = 1) -> str:
    """One decimal place (by default) with thousands separators; missing → ``"Null"``.

    Examples
    --------
    >>> format_number(4602.78)
    '4,602.8'
    >>> format_number(float("nan"))
    'Null'
    >>> format_number(-0.04)
    '0.0'
    """
    if is_missing(value):
        return MISSING
    x = round(float(value), decimals)
    if x == 0:
        x = 0.0  # no "-0.0"
    return f"{x:,.{decimals}f}"


def format_count(value: Any, suppressed: bool = False) -> str:
    """A count with thousands separators; ``*`` when suppressed or 1 to 4; missing → ``Null``.

    The table form of a count (disclosure control applied). Sentences use
    :func:`format_count_plain` (``report._words.format_count``), which prints every count.

    Examples
    --------
    >>> format_count(1262)
    '1,262'
    >>> format_count(3)
    '*'
    >>> format_count(0)
    '0'
    """
    if suppressed:
        return SUPPRESSED_MARK
    if not is_missing(value) and 0 < float(value) <= DISCLOSURE_MAX_COUNT:
        return SUPPRESSED_MARK
    return format_count_plain(value)


def format_count_plain(value: Any) -> str:
    """A count with thousands separators ("1,262"), no disclosure control; missing → "Null".

    Whole-valued counts print without decimals; a non-whole count (an estimate) keeps one
    decimal place rather than being rounded to a whole number it is not.

    Examples
    --------
    >>> format_count_plain(1262), format_count_plain(7.0), format_count_plain(12.5)
    ('1,262', '7', '12.5')
    >>> format_count_plain(3), format_count_plain(float("nan"))
    ('3', 'Null')
    """
    if is_missing(value):
        return MISSING
    x = float(value)
    return f"{int(x):,}" if x.is_integer() else format_number(x, 1)


def format_ci(lower: Any, upper: Any, decimals: int = 1) -> str:
    """``"27.4 to 32.1"``; ``"Null"`` when either limit is missing."""
    if is_missing(lower) or is_missing(upper):
        return MISSING
    return f"{format_number(lower, decimals)} to {format_number(upper, decimals)}"


def ci_percent(level: Any) -> str:
    """A confidence level as printed: ``"95%"`` or ``"99.8%"`` (missing → ``"95%"``).

    Examples
    --------
    >>> ci_percent(0.998), ci_percent(0.95)
    ('99.8%', '95%')
    """
    return "95%" if is_missing(level) else f"{float(level) * 100:g}%"


def format_rank(rank: Any, n: Any) -> str:
    """``"10/16"``; ``"Null"`` when the area is not ranked."""
    if is_missing(rank) or is_missing(n):
        return MISSING
    return f"{int(rank)}/{int(n)}"


def missing_html(reason: str | None = None) -> Html:
    """The visible missing marker, with its reason in smaller text when known."""
    word = f'<span class="missing">{MISSING}</span>'
    if reason and not is_missing(reason):
        return Html(f'{word} <span class="reason">({esc(reason)})</span>')
    return Html(word)


def value_html(value: Any, reason: str | None = None, decimals: int = 1) -> Html:
    """A formatted value, or the missing marker with its reason."""
    if is_missing(value):
        return missing_html(reason)
    return Html(esc(format_number(value, decimals)))
