"""Column names of the tidy store, in one place (docs/architecture.md convention 3).

The processed store is one long table in the vocabulary of the Fingertips bulk CSV
(``all_data/csv/by_indicator_id``; docs/fingertips_api.md §5.1). Its columns are the 27 bulk-CSV
columns renamed to snake_case, in the same order. :data:`BULK_CSV_TO_TIDY` is the mapping;
the sub-national comparison column, whose header varies with the parent area type
("Compared to Region value or percentiles", "Compared to percentiles", …), is matched by
pattern and stored as ``compared_to_parent``.
"""

from __future__ import annotations

import re

#: The 27 columns of the current Fingertips bulk CSV, in order (docs/fingertips_api.md §5.1).
#: ``{parent}`` stands for the parent area type's Short name.
BULK_CSV_HEADER: tuple[str, ...] = (
    "Indicator ID",
    "Indicator Name",
    "Parent Code",
    "Parent Name",
    "Area Code",
    "Area Name",
    "Area Type",
    "Sex",
    "Age",
    "Category Type",
    "Category",
    "Time period",
    "Value",
    "Lower CI 95.0 limit",
    "Upper CI 95.0 limit",
    "Lower CI 99.8 limit",
    "Upper CI 99.8 limit",
    "Count",
    "Denominator",
    "Value note",
    "Recent Trend",
    "Compared to England value or percentiles",
    "Compared to {parent} value or percentiles",
    "Time period Sortable",
    "New data",
    "Compared to goal",
    "Time period range",
)

INDICATOR_ID = "indicator_id"
INDICATOR_NAME = "indicator_name"
PARENT_CODE = "parent_code"
PARENT_NAME = "parent_name"
AREA_CODE = "area_code"
AREA_NAME = "area_name"
AREA_TYPE = "area_type"
SEX = "sex"
AGE = "age"
CATEGORY_TYPE = "category_type"
CATEGORY = "category"
TIME_PERIOD = "time_period"
VALUE = "value"
LOWER_CI_95 = "lower_ci_95"
UPPER_CI_95 = "upper_ci_95"
LOWER_CI_99_8 = "lower_ci_99_8"
UPPER_CI_99_8 = "upper_ci_99_8"
COUNT = "count"
DENOMINATOR = "denominator"
VALUE_NOTE = "value_note"
RECENT_TREND = "recent_trend"
COMPARED_TO_ENGLAND = "compared_to_england"
COMPARED_TO_PARENT = "compared_to_parent"
TIME_PERIOD_SORTABLE = "time_period_sortable"
NEW_DATA = "new_data"
COMPARED_TO_GOAL = "compared_to_goal"
TIME_PERIOD_RANGE = "time_period_range"

#: Tidy column names, in bulk-CSV order.
TIDY_COLUMNS: tuple[str, ...] = (
    INDICATOR_ID,
    INDICATOR_NAME,
    PARENT_CODE,
    PARENT_NAME,
    AREA_CODE,
    AREA_NAME,
    AREA_TYPE,
    SEX,
    AGE,
    CATEGORY_TYPE,
    CATEGORY,
    TIME_PERIOD,
    VALUE,
    LOWER_CI_95,
    UPPER_CI_95,
    LOWER_CI_99_8,
    UPPER_CI_99_8,
    COUNT,
    DENOMINATOR,
    VALUE_NOTE,
    RECENT_TREND,
    COMPARED_TO_ENGLAND,
    COMPARED_TO_PARENT,
    TIME_PERIOD_SORTABLE,
    NEW_DATA,
    COMPARED_TO_GOAL,
    TIME_PERIOD_RANGE,
)

#: Bulk-CSV header → tidy name (the sub-national column is matched by :func:`tidy_name`).
BULK_CSV_TO_TIDY: dict[str, str] = {
    h: t for h, t in zip(BULK_CSV_HEADER, TIDY_COLUMNS, strict=True) if "{parent}" not in h
}
#: Older files call "Compared to goal" "Target data" (fingertipsR renames it the same way).
BULK_CSV_TO_TIDY["Target data"] = COMPARED_TO_GOAL

_PARENT_COLUMN = re.compile(r"^Compared to (?!England\b)(?!goal$).*(value or percentiles|percentiles)$")

#: The unique key of the store: one row per indicator × area × sex × age × category × period.
KEY_COLUMNS: tuple[str, ...] = (
    INDICATOR_ID,
    AREA_CODE,
    SEX,
    AGE,
    CATEGORY_TYPE,
    CATEGORY,
    TIME_PERIOD_SORTABLE,
    TIME_PERIOD_RANGE,
)

NUMERIC_COLUMNS: tuple[str, ...] = (
    VALUE,
    LOWER_CI_95,
    UPPER_CI_95,
    LOWER_CI_99_8,
    UPPER_CI_99_8,
    COUNT,
    DENOMINATOR,
)


def tidy_name(bulk_header: str) -> str | None:
    """Tidy column name for a bulk-CSV header, or None if the header is not one we know."""
    if bulk_header in BULK_CSV_TO_TIDY:
        return BULK_CSV_TO_TIDY[bulk_header]
    if _PARENT_COLUMN.match(bulk_header):
        return COMPARED_TO_PARENT
    return None


def bulk_header(parent_short_name: str | None) -> list[str]:
    """The bulk-CSV header for a parent area type ("Region"), or ``None`` for England (15)."""
    parent = (
        "Compared to percentiles"
        if parent_short_name is None
        else f"Compared to {parent_short_name} value or percentiles"
    )
    return [parent if "{parent}" in h else h for h in BULK_CSV_HEADER]
