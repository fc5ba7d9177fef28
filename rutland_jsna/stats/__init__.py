"""Fingertips statistical methods, vectorised over numpy/pandas columns.

One module per statistical family (docs/architecture.md convention 2); the public functions of
docs/architecture.md are re-exported here and listed in ``__all__``. ``stats`` knows nothing of
files, HTTP or HTML.
"""

# --- public functions, one import per family (keep alphabetical by module) ---
from ._common import CONFIDENCE_LEVELS, check_confidence
from .compare import compare_to_benchmark, compare_to_benchmark_two_levels, compare_to_goal
from .disclosure import DISCLOSURE_MAX_COUNT, SMALL_NUMBER_EVENTS, suppress_small_counts
from .dsr import ESP2013, dsr_ci
from .funnel import (
    FunnelSignificance,
    funnel_axis,
    funnel_baseline,
    funnel_limits,
    funnel_significance,
)
from .labels import (
    GETTING_BETTER,
    GETTING_WORSE,
    Comparison,
    GoalComparison,
    Polarity,
    Trend,
    TrendLabel,
    is_getting_better,
    is_getting_worse,
    trend_label,
)
from .proportions import proportion_ci
from .quantiles import QuintileReason, quintile_bounds, quintiles, spine_percentiles
from .ranking import rank_areas, rank_summary
from .rates import rate_ci
from .ratios import observed_expected_ci, rate_ratio_ci
from .trend import TrendReason, recent_trend

__all__ = [
    "CONFIDENCE_LEVELS",
    "check_confidence",
    "Comparison",
    "GoalComparison",
    "Polarity",
    "Trend",
    "TrendLabel",
    "trend_label",
    "GETTING_WORSE",
    "GETTING_BETTER",
    "is_getting_worse",
    "is_getting_better",
    "proportion_ci",
    "rate_ci",
    "dsr_ci",
    "ESP2013",
    "rate_ratio_ci",
    "observed_expected_ci",
    "recent_trend",
    "TrendReason",
    "compare_to_benchmark",
    "compare_to_benchmark_two_levels",
    "compare_to_goal",
    "quintiles",
    "quintile_bounds",
    "spine_percentiles",
    "QuintileReason",
    "rank_areas",
    "rank_summary",
    "funnel_limits",
    "funnel_significance",
    "funnel_axis",
    "funnel_baseline",
    "FunnelSignificance",
    "suppress_small_counts",
    "DISCLOSURE_MAX_COUNT",
    "SMALL_NUMBER_EVENTS",
]
