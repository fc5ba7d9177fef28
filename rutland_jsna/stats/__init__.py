"""Fingertips statistical methods, vectorised over numpy/pandas columns.

One module per statistical family (style.md convention 2); the public functions of
design.md are re-exported here and listed in ``__all__``. ``stats`` knows nothing of
files, HTTP or HTML.
"""

from .labels import (
    Comparison,
    GoalComparison,
    Polarity,
    Trend,
    TrendLabel,
    trend_label,
)

# --- public functions, one import per family (keep alphabetical by module) ---

__all__ = [
    "Comparison",
    "GoalComparison",
    "Polarity",
    "Trend",
    "TrendLabel",
    "trend_label",
]
