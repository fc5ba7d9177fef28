"""Disclosure control for the tables the formats publish: the one place they apply it.

The chapters already withhold small counts in what they publish (``*`` in the CSV downloads,
``[c]`` once downloads use the GSS mark). The formats re-read those files, so they check again
rather than trust them: every cell of a count column (:func:`is_count_column`) holding a count
from 1 to 4 — the policy of :func:`rutland_jsna.stats.disclosure.suppress_small_counts` — is
withheld, and so is every count (and denominator) of a row its table flags as suppressed.
A withheld cell is written as :data:`~.shorthand.CONFIDENTIAL`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ...stats.disclosure import SUPPRESSION_MARK, suppress_small_counts
from .shorthand import CONFIDENTIAL

__all__ = ["WITHHELD_MARKS", "is_count_column", "is_flag_column", "protect_counts"]

#: What a download may already hold in a withheld cell.
WITHHELD_MARKS = frozenset({SUPPRESSION_MARK, CONFIDENTIAL})
_COUNT = re.compile(r"^(count|counts|numerator|denominator|number|events|patients seen|"
                    r"deaths|diagnoses|admissions)\b", re.I)
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_FLAG = re.compile(r"(^|_|\s)(count_)?suppressed$", re.I)


def is_count_column(header: str) -> bool:
    """True for a column of counts (``Count``, ``count``, ``Numerator``, ``denominator`` …)."""
    return not is_flag_column(header) and bool(_COUNT.match(str(header).replace("_", " ").strip()))


def is_flag_column(header: str) -> bool:
    """True for a column that flags a row's count as withheld (``count_suppressed`` …)."""
    return bool(_FLAG.search(str(header).strip()))


def _truthy(values: pd.Series) -> np.ndarray:
    return values.astype(str).str.strip().str.lower().isin(["true", "1", "yes"]).to_numpy()


def protect_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (cells as read from a download, text) with every small or flagged count
    replaced by :data:`~.shorthand.CONFIDENTIAL`; other cells unchanged.

    A row whose count is withheld (flagged, marked, or 1 to 4) has every count-like cell
    withheld, its denominator included: value × denominator would give the count back.
    """
    out = frame.copy()
    rows = np.zeros(len(out), dtype=bool)
    for col in out.columns:
        if is_flag_column(col):
            rows |= _truthy(out[col])
    counts = [c for c in out.columns if is_count_column(c)]
    for col in counts:
        text = out[col].astype(str).str.strip()
        # every number in the cell: "9,043 / 40,999" (patients seen / population) holds two
        numbers = text.str.findall(_NUMBER).explode().str.replace(",", "")
        numbers = pd.to_numeric(numbers, errors="coerce").fillna(0)
        small = suppress_small_counts(numbers.to_numpy(dtype=float))["suppressed"].to_numpy()
        small_rows = pd.Series(small, index=numbers.index).groupby(level=0).any()
        rows |= small_rows.reindex(out.index, fill_value=False).to_numpy(dtype=bool)
        rows |= text.isin(WITHHELD_MARKS).to_numpy()
    for col in counts:
        present = out[col].astype(str).str.strip().ne("").to_numpy() & out[col].notna().to_numpy()
        out[col] = out[col].astype(object).where(~(rows & present), CONFIDENTIAL)
    return out
