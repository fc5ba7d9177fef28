"""Columns of the indicator summary table, the contract between ``analysis`` and ``report``.

One row per catalogue :class:`~rutland_jsna.data.catalogue_model.Indicator` of a chapter, for
the subject area, at the latest period with data for that indicator.
"""

from __future__ import annotations

KEY = "key"  # Indicator.key
SECTION = "section"  # Indicator.section (e.g. "P1")
ORDER = "order"  # Indicator.order
INDICATOR = "indicator"  # display name, e.g. "C04 - Low birth weight of term babies"
FINGERTIPS_ID = "fingertips_id"  # Int64 or <NA>
SEX = "sex"  # as printed: "P", "F", "M", "N/A"
AGE = "age"  # as printed: "4-5 yrs"
PERIOD = "period"  # Fingertips time period text of the latest period, e.g. "2021/22"
VALUE = "value"  # float; NaN when missing or suppressed
LOWER_CI = "lower_ci"  # 95% (or the indicator's comparison level) lower limit
UPPER_CI = "upper_ci"
COUNT = "count"  # float; NaN when suppressed/unknown
DENOMINATOR = "denominator"
UNIT = "unit"  # "%", "per 100,000", "years", ...
VALUE_TYPE = "value_type"  # ValueType value
POLARITY = "polarity"  # Polarity value ("High is good", ...)
RANK = "rank"  # Int64: rank among the area + comparators with a value (1 = best / lowest)
N_RANKED = "n_ranked"  # Int64: number of those areas with a value
BEST = "best"  # best (or lowest when no polarity) comparator-group value
WORST = "worst"  # worst (or highest when no polarity) comparator-group value
ENGLAND = "england"  # England's value for the same period (NaN when none)
COMPARISON = "comparison"  # Comparison/GoalComparison/quintile label used for the RAG column
COMPARISON_BASIS = "comparison_basis"  # one of the BASIS_* values below
GOAL_LOWER = "goal_lower"
GOAL_UPPER = "goal_upper"
TREND = "trend"  # TrendLabel value (direction of travel)
PREVIOUS_PERIOD = "previous_period"  # the period before PERIOD, or <NA>
PREVIOUS_VALUE = "previous_value"
PREVIOUS_COMPARISON = "previous_comparison"
SAME_COMPARISON_SINCE = "same_comparison_since"  # first period of the current unbroken run of COMPARISON
SUPPRESSED = "suppressed"  # bool: value/count withheld for disclosure control
SMALL_NUMBERS = "small_numbers"  # bool: the value rests on fewer than 10 events
MISSING_REASON = "missing_reason"  # "" or why VALUE is missing ("no data for this period", ...)
VALUE_NOTE = "value_note"  # the publisher's value note, if any
# --- extensions (appended; existing names unchanged) ---
CI_LEVEL = "ci_level"  # float: level of LOWER_CI/UPPER_CI and of the comparison (0.95 or 0.998)
COUNT_SUPPRESSED = "count_suppressed"  # bool: COUNT withheld on display (1 to 4, disclosure)
TREND_REASON = "trend_reason"  # why the direction of travel is what it is (TrendReason value)
#: how the interval at CI_LEVEL was obtained when Fingertips publishes none (99.8% limits
#: computed from count and denominator), or why the value is not compared; "" otherwise
COMPARISON_NOTE = "comparison_note"

SUMMARY_COLUMNS: tuple[str, ...] = (
    KEY, SECTION, ORDER, INDICATOR, FINGERTIPS_ID, SEX, AGE, PERIOD, VALUE, LOWER_CI, UPPER_CI,
    COUNT, DENOMINATOR, UNIT, VALUE_TYPE, POLARITY, RANK, N_RANKED, BEST, WORST, ENGLAND,
    COMPARISON, COMPARISON_BASIS, GOAL_LOWER, GOAL_UPPER, TREND, PREVIOUS_PERIOD, PREVIOUS_VALUE,
    PREVIOUS_COMPARISON, SAME_COMPARISON_SINCE, SUPPRESSED, SMALL_NUMBERS, MISSING_REASON,
    VALUE_NOTE, CI_LEVEL, COUNT_SUPPRESSED, TREND_REASON, COMPARISON_NOTE,
)

#: Values of COMPARISON_BASIS: what the RAG column compares the value with.
BASIS_ENGLAND = "England"
BASIS_GOAL = "goal"
BASIS_QUINTILES = "national quintiles"
