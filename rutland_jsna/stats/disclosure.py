"""Small-number disclosure control for counts we publish (docs/methods.md §9).

Fingertips blanks values it suppresses and says so in the value note ("Value suppressed for
disclosure control due to small count"); a JSNA must carry that through and never
back-calculate a suppressed number. Counts this package derives or shows itself (local extracts,
sex breakdowns, sums over periods) get the same protection here:

* **primary suppression** — counts from ``lower`` to ``upper`` (default 1 to 4; use 7 for the
  NHS England/HES rule or 9 for "fewer than 10" on sensitive topics such as sexual health)
  are withheld; zero is shown as zero unless ``show_zero=False``;
* **secondary suppression** — within a group of cells whose total is published (e.g. male and
  female for one area and period), a single suppressed cell could be recovered as total minus
  the others, so the smallest other non-zero cell is withheld too.

Suppressed cells are printed as :data:`SUPPRESSION_MARK` ("*", as in NHS and Fingertips
tables) with a text note such as "fewer than 5" (never colour alone). Rates and confidence
intervals computed from a suppressed count must be suppressed by the caller as well.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._common import as_float_array, fail_if
from .ranking import _group_codes
from .thresholds import DISCLOSURE_MAX_COUNT, SMALL_NUMBER_EVENTS

__all__ = [
    "DISCLOSURE_COLUMNS",
    "DISCLOSURE_MAX_COUNT",
    "SMALL_NUMBER_EVENTS",
    "SECONDARY_REASON",
    "SUPPRESSION_MARK",
    "ZERO_REASON",
    "primary_reason",
    "suppress_small_counts",
]


#: What a suppressed cell shows in a published table.
SUPPRESSION_MARK = "*"

#: Output columns of :func:`suppress_small_counts` (docs/architecture.md convention 3).
DISCLOSURE_COLUMNS: tuple[str, str, str] = ("count", "suppressed", "reason")

#: ``reason`` of a cell withheld so that a group total cannot reveal another suppressed cell.
SECONDARY_REASON = "secondary: protects the one other suppressed count in its group"

#: ``reason`` of a zero withheld because ``show_zero=False``.
ZERO_REASON = "primary: zero count (show_zero=False)"


def primary_reason(lower: float, upper: float) -> str:
    """The ``reason`` text of a primary-suppressed count, e.g. "primary: count between 1 and 4"."""
    return f"primary: count between {lower:g} and {upper:g}"


def _check_bound(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    value = float(value)
    if not value > 0 or not np.isfinite(value):
        raise ValueError(
            f"{name}: expected a finite number > 0 (zero counts are controlled by show_zero), "
            f"got {value:g}"
        )
    return value


def suppress_small_counts(
    counts: Any,
    *,
    lower: float = 1,
    upper: float = DISCLOSURE_MAX_COUNT,
    groups: Any = None,
    show_zero: bool = True,
) -> pd.DataFrame:
    """Withhold small counts (primary) and the cells that would reveal them (secondary).

    Parameters
    ----------
    counts : array-like of float
        Counts (numerators) as they would be published; NaN = not available (left as is,
        neither suppressed nor used to protect another cell).
    lower, upper : float, keyword-only
        Primary suppression range, ends included: ``lower <= count <= upper``. Default 1 to 4
        (ONS-style "fewer than 5"); ``upper=7`` for NHS England/HES outputs, ``upper=9`` for
        "fewer than 10" on sensitive topics.
    groups : array-like or DataFrame, optional
        Group labels of cells that add up to a published total (e.g. one label per area and
        period for a sex breakdown). Without groups only primary suppression is applied.
    show_zero : bool, keyword-only
        Keep zero counts visible (default). ``False`` suppresses zeros as well (primary).

    Returns
    -------
    pandas.DataFrame
        Columns, in order: ``count`` (float; NaN where suppressed), ``suppressed`` (bool) and
        ``reason`` (``primary_reason(lower, upper)``, :data:`ZERO_REASON`,
        :data:`SECONDARY_REASON`, or ``""``). The index of ``counts`` if it is a Series.

    Raises
    ------
    ValueError
        If counts are not numeric or negative, ``lower``/``upper`` are not positive numbers
        or ``upper < lower``, ``show_zero`` is not a bool, or ``groups`` has the wrong length
        or a missing label.

    Notes
    -----
    Secondary rule, applied once to every group at the same time: a group with **exactly one**
    primary-suppressed cell also loses its smallest other non-zero, non-missing cell (ties:
    the first in input order). If every other cell is zero, the smallest zero is withheld, since
    a visible zero would let the total reveal the suppressed cell. Groups with two or more
    primary-suppressed cells need no secondary suppression: the total only reveals their sum.
    A group with a single cell cannot be protected by its other cells; withhold its published
    total instead.

    References
    ----------
    docs/methods.md §9 (Fingertips value notes; ONS-derived guidance summarised by Cambridgeshire
    County Council public health intelligence, 2013; NHS England/HES suppression of 1–7 with
    "*"; stricter "< 10" norms with secondary suppression for sensitive topics).

    Examples
    --------
    >>> out = suppress_small_counts([3, 10, 12, 0, 25], groups=["a", "a", "a", "b", "b"])
    >>> out["count"].tolist()
    [nan, nan, 12.0, 0.0, 25.0]
    >>> out["reason"].tolist()[:2]
    ['primary: count between 1 and 4', 'secondary: protects the one other suppressed count in its group']
    """
    c, index = as_float_array(counts, "counts")
    n = len(c)
    lo, hi = _check_bound(lower, "lower"), _check_bound(upper, "upper")
    if hi < lo:
        raise ValueError(f"upper: expected upper >= lower, got lower={lo:g}, upper={hi:g}")
    if not isinstance(show_zero, bool | np.bool_):
        raise ValueError(f"show_zero: expected True or False, got {show_zero!r}")
    with np.errstate(invalid="ignore"):
        fail_if(c < 0, "counts", "are negative", "counts >= 0", index)
        small = (c >= lo) & (c <= hi)
        zero = (c == 0) & (not show_zero)
    primary = small | zero
    secondary = np.zeros(n, dtype=bool)
    if groups is not None:
        codes, labels = _group_codes(groups, n, "groups")
        n_primary = np.bincount(codes, weights=primary, minlength=len(labels))[codes]
        candidate = ~primary & ~np.isnan(c) & (n_primary == 1)
        cand = np.flatnonzero(candidate)
        if cand.size:
            # Per group: non-zero cells first, then the smallest, then the first position.
            order = np.lexsort((cand, c[cand], c[cand] == 0, codes[cand]))
            ranked = cand[order]
            first = np.r_[True, codes[ranked][1:] != codes[ranked][:-1]]
            secondary[ranked[first]] = True
    suppressed = primary | secondary
    reason = np.select(
        [small, zero, secondary],
        [primary_reason(lo, hi), ZERO_REASON, SECONDARY_REASON],
        default="",
    )
    return pd.DataFrame(
        {
            "count": np.where(suppressed, np.nan, c),
            "suppressed": suppressed,
            "reason": pd.array(reason, dtype="str"),
        },
        index=index,
        columns=list(DISCLOSURE_COLUMNS),
    )
