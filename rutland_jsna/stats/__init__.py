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
from .dsr import ESP2013, dsr_ci
from .proportions import proportion_ci
from .rates import rate_ci

__all__ = [
    "Comparison",
    "GoalComparison",
    "Polarity",
    "Trend",
    "TrendLabel",
    "trend_label",
    "proportion_ci",
    "rate_ci",
    "dsr_ci",
    "ESP2013",
]
