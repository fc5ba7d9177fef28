"""Fingertips statistical methods, vectorised over numpy/pandas columns.

One module per statistical family (docs/architecture.md convention 2); the public functions of
docs/architecture.md are re-exported here and listed in ``__all__``, each imported on first use
(so that importing one family, or the label enums, does not import SciPy and every other
family; issue 18). ``stats`` knows nothing of files, HTTP or HTML.
"""

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

#: public name -> the family module defining it (imported on first use, PEP 562: importing
#: ``rutland_jsna.stats.labels`` — the label enums every layer uses — or any one family does
#: not import SciPy and every other family; issue 18)
_FAMILIES = {
    "CONFIDENCE_LEVELS": "_common", "check_confidence": "_common",
    "compare_to_benchmark": "compare", "compare_to_benchmark_two_levels": "compare",
    "compare_to_goal": "compare",
    "DISCLOSURE_MAX_COUNT": "thresholds", "SMALL_NUMBER_EVENTS": "thresholds",
    "suppress_small_counts": "disclosure",
    "ESP2013": "dsr", "dsr_ci": "dsr",
    "FunnelSignificance": "funnel", "funnel_axis": "funnel", "funnel_baseline": "funnel",
    "funnel_limits": "funnel", "funnel_significance": "funnel",
    "Comparison": "labels", "GoalComparison": "labels", "Polarity": "labels", "Trend": "labels",
    "TrendLabel": "labels", "trend_label": "labels", "GETTING_BETTER": "labels",
    "GETTING_WORSE": "labels", "is_getting_better": "labels", "is_getting_worse": "labels",
    "proportion_ci": "proportions",
    "QuintileReason": "quantiles", "quintile_bounds": "quantiles", "quintiles": "quantiles",
    "spine_percentiles": "quantiles",
    "rank_areas": "ranking", "rank_summary": "ranking",
    "rate_ci": "rates",
    "observed_expected_ci": "ratios", "rate_ratio_ci": "ratios",
    "TrendReason": "trend", "recent_trend": "trend",
}


if TYPE_CHECKING:  # for type checkers and editors: the names as plain imports
    from ._common import CONFIDENCE_LEVELS, check_confidence
    from .compare import compare_to_benchmark, compare_to_benchmark_two_levels, compare_to_goal
    from .disclosure import suppress_small_counts
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
    from .thresholds import DISCLOSURE_MAX_COUNT, SMALL_NUMBER_EVENTS
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

__getattr__, __dir__ = lazy_exports(__name__, _FAMILIES, __all__)
