"""Fingertips statistical methods, vectorised over numpy/pandas columns.

One module per statistical family (style.md convention 2); the public functions of
design.md are re-exported here and listed in ``__all__``. ``stats`` knows nothing of
files, HTTP or HTML.
"""

# --- public functions, one import per family (keep alphabetical by module) ---
from .dsr import ESP2013, dsr_ci
from .labels import (
    Comparison,
    GoalComparison,
    Polarity,
    Trend,
    TrendLabel,
    trend_label,
)
from .proportions import proportion_ci
from .rates import rate_ci
from .ratios import observed_expected_ci, rate_ratio_ci
from .trend import TrendReason, recent_trend

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
    "rate_ratio_ci",
    "observed_expected_ci",
    "recent_trend",
    "TrendReason",
]
