"""Schema of the tidy long table, and :func:`validate_tidy`.

The processed store holds one long table in the vocabulary of the Fingertips bulk CSV
(docs/fingertips_api.md §5): the 27 bulk-CSV columns renamed to snake_case
(:data:`rutland_jsna.data.columns.TIDY_COLUMNS`). This module says what a valid row is, as a
pandera schema (:func:`tidy_schema`), and validates a frame against it with every failure
reported at once (:func:`validate_tidy`, pandera ``lazy=True``).

Rules
-----
Types
    ``indicator_id`` and ``time_period_sortable`` are whole numbers (int64); ``value``, the four
    confidence limits, ``count`` and ``denominator`` are numbers (float64; blank = missing);
    every other column is text (pandas ``str``; blank = missing).
Required (never blank)
    ``indicator_id``, ``indicator_name``, ``area_code``, ``area_name``, ``area_type``, ``sex``,
    ``age``, ``time_period``, ``time_period_sortable``.
Vocabularies
    ``sex`` is one of :data:`SEXES`; ``area_type`` one of :data:`AREA_TYPES` (the Short names of
    England — "England", or "Country" in older website downloads — regions and the upper-tier
    vintages, docs/fingertips_api.md §3); ``age`` matches
    :data:`AGE_PATTERN` (see :func:`is_fingertips_age`); the two "Compared to …" columns are in
    :data:`BENCHMARK_LABELS`, ``compared_to_goal`` in :data:`GOAL_LABELS`, ``recent_trend`` in
    :data:`TREND_LABELS`, ``new_data`` in :data:`NEW_DATA_LABELS` — or blank.
Codes
    ``area_code`` and ``parent_code`` match :data:`AREA_CODE_PATTERN` (England E92000001,
    regions E12xxxxxx, unitary/metropolitan/London/county E06/E08/E09/E10xxxxxx), and the
    code agrees with ``area_type`` (England ↔ E92000001, Region ↔ E12, county types ↔
    E06/E08/E09/E10).
Time
    ``time_period_sortable`` is ``YYYYQQMM`` (year 1900–2100, quarter 0–4, month 0–12;
    docs/fingertips_api.md §5.2).
Numbers
    ``count >= 0``; ``denominator >= 0``; at each level (95%, 99.8%) ``lower <= upper``
    wherever both are present. A value outside its own interval, or a 99.8% interval that does
    not contain the 95% one, is *not* a broken rule: Fingertips publishes such rows (93124,
    93701), so they are kept as published and flagged (:data:`FLAG_RULES`,
    :func:`interval_flags`, the data report). A relative tolerance of :data:`CI_TOLERANCE`
    absorbs floating-point noise. Whether
    ``count <= denominator`` cannot be known from the table alone (it depends on the value
    type), so it is not checked.
Categories
    ``category_type`` and ``category`` are both blank (the whole population) or both filled
    (an inequality breakdown).
Key
    :data:`~rutland_jsna.data.columns.KEY_COLUMNS` is unique; each duplicated key is reported
    with its values and rows.

Row numbers in messages are those of a spreadsheet (header = row 1, first data row = row 2):
the rows of the file for :func:`rutland_jsna.data.store.read_bulk_csv`, or of the CSV the frame
would be written to for a frame in memory.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..stats.labels import Comparison, GoalComparison, TrendLabel
from . import columns as C
from .errors import DataValidationError, ValidationFailure

__all__ = [
    "AGE_NAMES",
    "AGE_PATTERN",
    "AREA_CODE_PATTERN",
    "AREA_TYPES",
    "BENCHMARK_LABELS",
    "CI_TOLERANCE",
    "GOAL_LABELS",
    "INT_COLUMNS",
    "NEW_DATA_LABELS",
    "QUINTILE_LABELS",
    "REQUIRED_COLUMNS",
    "SEXES",
    "STRING_COLUMNS",
    "TREND_LABELS",
    "UTLA_AREA_TYPES",
    "is_fingertips_age",
    "tidy_schema",
    "validate_tidy",
]

# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------

#: "Not applicable" is Fingertips' sex for household-level indicators (e.g. fuel poverty).
SEXES: tuple[str, ...] = ("Persons", "Male", "Female", "Not applicable")

#: Short names of the upper-tier ("Counties & UAs") area-type vintages (docs/fingertips_api.md §3):
#: 102 pre Apr 2019, 202 2019/20, 302 2020/21, 402 from Apr 2021, 502 from Apr 2023. The Short
#: name of 302 is inferred from public scripts; "County & UA" is the label older files carry.
UTLA_AREA_TYPES: tuple[str, ...] = (
    "Counties & UAs (pre Apr 2019)",
    "Counties & UAs (2019/20)",
    "Counties & UAs (2020/21)",
    "Counties & UAs (from Apr 2021)",
    "Counties & UAs (from Apr 2023)",
    "County & UA",
)
#: England's area type: "England" in bulk downloads, "Country" in older website downloads.
ENGLAND_AREA_TYPES: tuple[str, ...] = ("England", "Country")
#: Every ``area_type`` the store accepts: England (15), Region (6) and the upper-tier vintages.
AREA_TYPES: tuple[str, ...] = (*ENGLAND_AREA_TYPES, "Region", *UTLA_AREA_TYPES)

#: England, a region (E12), or an upper-tier authority: unitary (E06), metropolitan district
#: (E08), London borough (E09) or county (E10).
AREA_CODE_PATTERN = r"^(?:E92000001|E12\d{6}|E0[689]\d{6}|E10\d{6})$"
_AREA_CODE_RE = re.compile(AREA_CODE_PATTERN)

#: Named Fingertips ages that are not a span of years (as published; e.g. 91871 uses
#: "Primary school age", PHOF 1.03 "School age", 20101 ">=37 weeks gestational age at birth").
AGE_NAMES: tuple[str, ...] = (
    "All ages",
    "Not applicable",
    "Newborn",
    "School age",
    "Primary school age",
    "Secondary school age",
    "Reception",
    "Year 6",
    ">=37 weeks gestational age at birth",
)
#: A Fingertips age: a named age (:data:`AGE_NAMES`) or an age band written as Fingertips
#: writes it — ``<N unit`` (under N), ``>=N unit`` (N and over), ``N+ unit`` (N and over),
#: ``N-M unit`` (N to M) or ``N unit`` (exactly N), where N and M are whole or decimal numbers
#: and the unit is ``yr``/``yrs``, ``days``, ``weeks`` or ``months``, optionally followed by
#: a qualifier in words ("16+ yrs registered"). Examples: "15-24 yrs", "65+ yrs", "<18 yrs",
#: "<75 yrs", "0-4 yrs", "18+ yrs", "5 yrs", "<1 yr", "2-2.5 yrs", "6-8 weeks".
AGE_PATTERN = (
    r"^(?:" + "|".join(re.escape(a) for a in AGE_NAMES) + r"|(?:(?:<|>=)\d+(?:\.\d+)?"
    r"|\d+(?:\.\d+)?(?:\+|-\d+(?:\.\d+)?)?) (?:yrs?|days|weeks|months)(?: [A-Za-z][\w ]*)?)$"
)
_AGE_RE = re.compile(AGE_PATTERN)

#: Quintile labels of Fingertips comparator method 15 (docs/fingertips_api.md §5.3).
QUINTILE_LABELS: tuple[str, ...] = (
    "Lowest quintile",
    "2nd lowest quintile",
    "Middle quintile",
    "2nd highest quintile",
    "Highest quintile",
)
#: Words allowed in "Compared to England …" and "Compared to <parent> …" (blank also allowed).
BENCHMARK_LABELS: tuple[str, ...] = (*(c.value for c in Comparison), *QUINTILE_LABELS)
#: Words allowed in "Compared to goal" (blank also allowed: the indicator has no goal).
GOAL_LABELS: tuple[str, ...] = tuple(g.value for g in GoalComparison)
#: Words allowed in "Recent Trend" (blank except on the latest period).
TREND_LABELS: tuple[str, ...] = tuple(t.value for t in TrendLabel)
#: Words allowed in "New data".
NEW_DATA_LABELS: tuple[str, ...] = ("New data",)

#: Relative tolerance of the interval rules (floating-point noise only).
CI_TOLERANCE = 1e-9

INT_COLUMNS: tuple[str, ...] = (C.INDICATOR_ID, C.TIME_PERIOD_SORTABLE)
STRING_COLUMNS: tuple[str, ...] = tuple(
    c for c in C.TIDY_COLUMNS if c not in INT_COLUMNS and c not in C.NUMERIC_COLUMNS
)
REQUIRED_COLUMNS: tuple[str, ...] = (
    C.INDICATOR_ID,
    C.INDICATOR_NAME,
    C.AREA_CODE,
    C.AREA_NAME,
    C.AREA_TYPE,
    C.SEX,
    C.AGE,
    C.TIME_PERIOD,
    C.TIME_PERIOD_SORTABLE,
)

_DTYPES: dict[str, str] = {
    **{c: "int64" for c in INT_COLUMNS},
    **{c: "float64" for c in C.NUMERIC_COLUMNS},
    **{c: "str" for c in STRING_COLUMNS},
}

_DUPLICATE_CHECK = "multiple_fields_uniqueness"
_NOT_NULL_CHECK = "not_nullable"
#: How many duplicated keys are listed one by one before the rest are summarised.
MAX_DUPLICATE_KEYS_SHOWN = 10


def is_fingertips_age(age: str) -> bool:
    """Whether ``age`` is written as a Fingertips age (see :data:`AGE_PATTERN`).

    Examples
    --------
    >>> [is_fingertips_age(a) for a in ("15-24 yrs", "65+ yrs", "<18 yrs", "School age", "15-24")]
    [True, True, True, True, False]
    """
    return bool(_AGE_RE.match(age))


# --------------------------------------------------------------------------------------------
# Row rules spanning several columns
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RowRule:
    """A rule on several columns of one row; rows where it is False break it."""

    name: str
    columns: tuple[str, ...]
    rule: str

    def label(self) -> str:
        return ", ".join(self.columns)


def _le(a: pd.Series, b: pd.Series) -> pd.Series:
    """``a <= b`` within :data:`CI_TOLERANCE`; True where either is missing."""
    tol = CI_TOLERANCE * np.maximum(1.0, np.maximum(a.abs(), b.abs()))
    return ~(a > b + tol)


def _ci_order(lower: str, upper: str):
    def check(df: pd.DataFrame) -> pd.Series:
        return _le(df[lower], df[upper])

    return check


def _value_inside(lower: str, upper: str):
    def check(df: pd.DataFrame) -> pd.Series:
        v, lo, up = df[C.VALUE], df[lower], df[upper]
        return _le(lo, v) & _le(v, up)

    return check


def _ci_nesting(df: pd.DataFrame) -> pd.Series:
    return _le(df[C.LOWER_CI_99_8], df[C.LOWER_CI_95]) & _le(df[C.UPPER_CI_95], df[C.UPPER_CI_99_8])


def _code_matches_type(df: pd.DataFrame) -> pd.Series:
    code, kind = df[C.AREA_CODE], df[C.AREA_TYPE]
    england = kind.isin(ENGLAND_AREA_TYPES)
    region = kind.eq("Region")
    utla = kind.isin(UTLA_AREA_TYPES)
    known = code.str.match(AREA_CODE_PATTERN).fillna(False).astype(bool)
    ok_england = ~england | code.eq("E92000001")
    ok_region = ~region | code.str.startswith("E12").fillna(False).astype(bool)
    ok_utla = ~utla | code.str.match(r"^E(?:0[689]|10)").fillna(False).astype(bool)
    # Rows with a missing or malformed code or type are reported by the column rules alone.
    relevant = known & (england | region | utla)
    return (~relevant | (ok_england & ok_region & ok_utla)).fillna(True).astype(bool)


def _category_pair(df: pd.DataFrame) -> pd.Series:
    return df[C.CATEGORY_TYPE].isna() == df[C.CATEGORY].isna()


def _sortable_parts(df: pd.DataFrame) -> pd.Series:
    s = df[C.TIME_PERIOD_SORTABLE]
    year, quarter, month = s // 10_000, (s // 100) % 100, s % 100
    ok = year.between(1900, 2100) & quarter.between(0, 4) & month.between(0, 12)
    return ok | s.isna()


_ROW_RULES: tuple[tuple[_RowRule, object], ...] = (
    (
        _RowRule(
            "ci_95_order",
            (C.LOWER_CI_95, C.UPPER_CI_95),
            "95% interval must satisfy lower_ci_95 <= upper_ci_95 (where present)",
        ),
        _ci_order(C.LOWER_CI_95, C.UPPER_CI_95),
    ),
    (
        _RowRule(
            "ci_99_8_order",
            (C.LOWER_CI_99_8, C.UPPER_CI_99_8),
            "99.8% interval must satisfy lower_ci_99_8 <= upper_ci_99_8 (where present)",
        ),
        _ci_order(C.LOWER_CI_99_8, C.UPPER_CI_99_8),
    ),
    (
        _RowRule(
            "code_matches_type",
            (C.AREA_CODE, C.AREA_TYPE),
            "area_code must agree with area_type: England = E92000001, Region = E12…, "
            "Counties & UAs = E06/E08/E09/E10…",
        ),
        _code_matches_type,
    ),
    (
        _RowRule(
            "category_pair",
            (C.CATEGORY_TYPE, C.CATEGORY),
            "category_type and category must be both blank or both filled",
        ),
        _category_pair,
    ),
    (
        _RowRule(
            "sortable_parts",
            (C.TIME_PERIOD_SORTABLE,),
            "time_period_sortable must be YYYYQQMM (year 1900-2100, quarter 00-04, month 00-12)",
        ),
        _sortable_parts,
    ),
)
_ROW_RULES_BY_NAME = {r.name: r for r, _ in _ROW_RULES}

#: Rules a published row may break and still be kept as published: the row is stored and
#: flagged in the data report (real Fingertips rows do: 93124 and 93701 publish values outside
#: their own 95% interval). :func:`interval_flags` checks them.
FLAG_RULES: tuple[tuple[_RowRule, object], ...] = (
    (
        _RowRule(
            "value_outside_ci_95",
            (C.LOWER_CI_95, C.VALUE, C.UPPER_CI_95),
            "the published value lies outside its own 95% interval (lower_ci_95 <= value <= "
            "upper_ci_95 does not hold); kept as published",
        ),
        _value_inside(C.LOWER_CI_95, C.UPPER_CI_95),
    ),
    (
        _RowRule(
            "value_outside_ci_99_8",
            (C.LOWER_CI_99_8, C.VALUE, C.UPPER_CI_99_8),
            "the published value lies outside its own 99.8% interval (lower_ci_99_8 <= value "
            "<= upper_ci_99_8 does not hold); kept as published",
        ),
        _value_inside(C.LOWER_CI_99_8, C.UPPER_CI_99_8),
    ),
    (
        _RowRule(
            "ci_nesting",
            (C.LOWER_CI_99_8, C.LOWER_CI_95, C.UPPER_CI_95, C.UPPER_CI_99_8),
            "the 99.8% interval does not contain the 95% interval (lower_ci_99_8 <= "
            "lower_ci_95 and upper_ci_95 <= upper_ci_99_8 does not hold); kept as published",
        ),
        _ci_nesting,
    ),
)


def interval_flags(
    df: pd.DataFrame, source: str | None = None, *, row_numbers: Sequence[int] | None = None
) -> list[ValidationFailure]:
    """The :data:`FLAG_RULES` a validated tidy frame breaks, one failure per rule with rows.

    These rows are valid (they are stored as published); the failures go to the data report.
    """
    numbers = np.arange(len(df)) + 2 if row_numbers is None else np.asarray(row_numbers)
    out = []
    for rule, fn in FLAG_RULES:
        ok = fn(df).to_numpy(dtype=bool)
        if ok.all():
            continue
        pos = np.flatnonzero(~ok)
        out.append(ValidationFailure(
            column=rule.label(), rule=rule.rule, rows=tuple(int(numbers[p]) for p in pos),
            file=source,
            examples=tuple(_example(df, int(p), rule.columns, int(numbers[p])) for p in pos[:3]),
        ))
    return out


# --------------------------------------------------------------------------------------------
# The pandera schema
# --------------------------------------------------------------------------------------------


def _isin(values: Sequence[str], what: str) -> pa.Check:
    shown = ", ".join(repr(v) for v in values)
    return pa.Check.isin(list(values), error=f"{what} must be one of {shown}")


def _column_checks() -> dict[str, list[pa.Check]]:
    return {
        C.INDICATOR_ID: [pa.Check.gt(0, error="indicator_id must be a positive whole number")],
        C.AREA_CODE: [
            pa.Check.str_matches(
                AREA_CODE_PATTERN,
                error="area_code must be E92000001 (England), E12xxxxxx (region) or "
                "E06/E08/E09/E10xxxxxx (upper-tier authority)",
            )
        ],
        C.PARENT_CODE: [
            pa.Check.str_matches(
                AREA_CODE_PATTERN,
                error="parent_code must be blank, E92000001 (England), E12xxxxxx (region) or "
                "E06/E08/E09/E10xxxxxx",
            )
        ],
        C.AREA_TYPE: [_isin(AREA_TYPES, "area_type")],
        C.SEX: [_isin(SEXES, "sex")],
        C.AGE: [
            pa.Check.str_matches(
                AGE_PATTERN,
                error="age must be a Fingertips age: 'All ages', 'Newborn', 'School age', "
                "'Not applicable', or a band such as '15-24 yrs', '65+ yrs', '<18 yrs', '5 yrs'",
            )
        ],
        C.COUNT: [pa.Check.ge(0, error="count must be >= 0")],
        C.DENOMINATOR: [pa.Check.ge(0, error="denominator must be >= 0")],
        C.RECENT_TREND: [_isin(TREND_LABELS, "recent_trend")],
        C.COMPARED_TO_ENGLAND: [_isin(BENCHMARK_LABELS, "compared_to_england")],
        C.COMPARED_TO_PARENT: [_isin(BENCHMARK_LABELS, "compared_to_parent")],
        C.COMPARED_TO_GOAL: [_isin(GOAL_LABELS, "compared_to_goal")],
        C.NEW_DATA: [_isin(NEW_DATA_LABELS, "new_data")],
    }


def tidy_schema(
    *, columns: Sequence[str] | None = None, check_dtypes: bool = True
) -> pa.DataFrameSchema:
    """The pandera schema of the tidy long table.

    Parameters
    ----------
    columns : sequence of str, optional
        Restrict the schema to these tidy columns (row rules needing an absent column are left
        out). Default: all of :data:`~rutland_jsna.data.columns.TIDY_COLUMNS`, ``strict``.
    check_dtypes : bool, default True
        Whether the schema checks dtypes (int64 / float64 / str). :func:`validate_tidy` converts
        types itself, with row-level messages, and then checks values with ``False``.

    Returns
    -------
    pandera.pandas.DataFrameSchema
        Column checks, row rules and ``unique=KEY_COLUMNS``; see the module docstring.
    """
    wanted = tuple(C.TIDY_COLUMNS if columns is None else columns)
    checks = _column_checks()
    cols = {
        c: pa.Column(
            _DTYPES[c] if check_dtypes else None,
            checks=checks.get(c, []),
            nullable=c not in REQUIRED_COLUMNS,
            required=True,
        )
        for c in C.TIDY_COLUMNS
        if c in wanted
    }
    row_checks = [
        pa.Check(fn, name=rule.name, error=rule.name)
        for rule, fn in _ROW_RULES
        if all(c in wanted for c in rule.columns)
    ]
    key = [c for c in C.KEY_COLUMNS if c in wanted]
    return pa.DataFrameSchema(
        cols,
        checks=row_checks,
        unique=key if len(key) == len(C.KEY_COLUMNS) else None,
        strict=columns is None,
        name="tidy Fingertips long table",
    )


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def _rows(positions, row_numbers: np.ndarray) -> tuple[int, ...]:
    pos = sorted({int(p) for p in positions if p is not None and not pd.isna(p)})
    return tuple(int(row_numbers[p]) for p in pos)


def _coerce(
    df: pd.DataFrame, row_numbers: np.ndarray, source: str | None
) -> tuple[pd.DataFrame, list[ValidationFailure], dict[str, set[int]]]:
    """Convert every present column to its tidy type; unconvertible cells become missing.

    Returns the converted frame, one failure per column with bad cells, and the positions of
    those cells (so that the "must not be blank" rule does not report them a second time).
    """
    out = pd.DataFrame(index=df.index)
    failures: list[ValidationFailure] = []
    bad_cells: dict[str, set[int]] = {}
    for col in df.columns:
        s = df[col]
        if col in STRING_COLUMNS:
            if not pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
                s = s.map(lambda x: np.nan if pd.isna(x) else str(x))
            s = s.astype("str")
            s = s.mask(s.str.strip().eq("").fillna(False).astype(bool))
            out[col] = s
            continue
        if pd.api.types.is_bool_dtype(s.dtype):
            num = pd.Series(np.nan, index=s.index)
            bad = s.notna()
        elif pd.api.types.is_numeric_dtype(s.dtype):
            num = s.astype("float64")
            bad = pd.Series(False, index=s.index)
        else:
            text = s.astype("str").str.strip()
            text = text.mask(text.eq("").fillna(False).astype(bool))
            num = pd.to_numeric(text, errors="coerce").astype("float64")
            bad = text.notna() & num.isna()
        finite = num.isna() | np.isfinite(num)
        kind = "a number"
        if col in INT_COLUMNS:
            whole = num.isna() | (np.floor(num) == num)
            bad = bad | ~whole
            kind = "a whole number"
        bad = bad | ~finite
        if bad.any():
            positions = np.flatnonzero(bad.to_numpy())
            bad_cells[col] = set(positions.tolist())
            failures.append(
                ValidationFailure(
                    column=col,
                    rule=f"must be {kind}",
                    rows=tuple(int(row_numbers[p]) for p in positions),
                    file=source,
                    examples=tuple(repr(df[col].iloc[p]) for p in positions[:3]),
                )
            )
            num = num.mask(bad)
        out[col] = num
    return out, failures, bad_cells


def _show(v: object) -> str:
    """A cell value for a message: whole floats without ".0", missing as "blank"."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "blank"
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, float | np.floating):
        return repr(float(v))
    return repr(str(v)) if isinstance(v, str) else repr(v)


def _example(df: pd.DataFrame, pos: int, cols: Sequence[str], row: int) -> str:
    vals = ", ".join(f"{c}={_show(df[c].iloc[pos])}" for c in cols)
    return f"row {row}: {vals}"


def _duplicate_failures(
    df: pd.DataFrame, positions: set[int], row_numbers: np.ndarray, source: str | None
) -> list[ValidationFailure]:
    key = list(C.KEY_COLUMNS)
    sub = df.iloc[sorted(positions)][key]
    groups: dict[tuple, list[int]] = {}
    for pos, values in zip(sorted(positions), sub.itertuples(index=False, name=None), strict=True):
        norm = tuple(None if pd.isna(v) else v for v in values)
        groups.setdefault(norm, []).append(pos)
    out = []
    items = sorted(groups.items(), key=lambda kv: kv[1][0])
    for values, pos in items[:MAX_DUPLICATE_KEYS_SHOWN]:
        shown = ", ".join(
            f"{c}={_show(v)}" for c, v in zip(key, values, strict=True) if v is not None
        )
        out.append(
            ValidationFailure(
                column=", ".join(key),
                rule=f"duplicate key ({shown}) appears {len(pos)} times; each key must be unique",
                rows=_rows(pos, row_numbers),
                file=source,
            )
        )
    if len(items) > MAX_DUPLICATE_KEYS_SHOWN:
        rest = [p for _, pos in items[MAX_DUPLICATE_KEYS_SHOWN:] for p in pos]
        out.append(
            ValidationFailure(
                column=", ".join(key),
                rule=f"{len(items) - MAX_DUPLICATE_KEYS_SHOWN} more duplicated keys; "
                "each key must be unique",
                rows=_rows(rest, row_numbers),
                file=source,
            )
        )
    return out


def _schema_failures(
    err: pa.errors.SchemaErrors,
    df: pd.DataFrame,
    row_numbers: np.ndarray,
    source: str | None,
    skip: dict[str, set[int]],
) -> list[ValidationFailure]:
    fc = err.failure_cases
    failures: list[ValidationFailure] = []
    dup_positions: set[int] = set()
    order = {c: i for i, c in enumerate(C.TIDY_COLUMNS)}
    for (check, column), grp in fc.groupby(["check", "column"], sort=False, dropna=False):
        check = str(check)
        idx = [i for i in grp["index"].tolist() if i is not None and not pd.isna(i)]
        if check == _DUPLICATE_CHECK:
            dup_positions.update(int(i) for i in idx)
            continue
        if check in _ROW_RULES_BY_NAME:
            continue  # handled below, once per rule rather than once per column
        column = str(column)
        if check == _NOT_NULL_CHECK:
            idx = [i for i in idx if int(i) not in skip.get(column, set())]
            if not idx:
                continue
            rule = "must not be blank (required column)"
        else:
            rule = check
        examples = (
            tuple(_show(v) for v in grp["failure_case"].tolist()[:3])
            if check != _NOT_NULL_CHECK
            else ()
        )
        failures.append(
            ValidationFailure(
                column=column,
                rule=rule,
                rows=_rows(idx, row_numbers),
                file=source,
                examples=examples,
            )
        )
    for check, grp in fc[fc["check"].isin(list(_ROW_RULES_BY_NAME))].groupby("check", sort=False):
        rule = _ROW_RULES_BY_NAME[str(check)]
        idx = sorted({int(i) for i in grp["index"].tolist() if i is not None and not pd.isna(i)})
        rows = _rows(idx, row_numbers)
        examples = tuple(_example(df, p, rule.columns, int(row_numbers[p])) for p in idx[:3])
        failures.append(
            ValidationFailure(
                column=rule.label(), rule=rule.rule, rows=rows, file=source, examples=examples
            )
        )
    failures.sort(key=lambda f: (order.get(f.column.split(", ")[0], 99), f.rows[:1]))
    if dup_positions:
        failures += _duplicate_failures(df, dup_positions, row_numbers, source)
    return failures


#: Failures of the header (no row to quarantine): the whole file is refused.
HEADER_RULES: tuple[str, ...] = (
    "column appears more than once",
    "required column is missing",
)


def _collect(
    df: pd.DataFrame, source: str | None, row_numbers: np.ndarray | None = None
) -> tuple[pd.DataFrame, np.ndarray, list[ValidationFailure]]:
    """Type ``df`` and check every rule: ``(typed frame, row numbers, failures)``.

    The typed frame holds the tidy columns present (unconvertible cells missing); nothing is
    raised for broken rules, except a repeated column (the frame cannot be typed).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"validate_tidy: expected a pandas DataFrame, got {type(df).__name__}")
    df = df.reset_index(drop=True)
    if row_numbers is None:
        row_numbers = np.arange(len(df)) + 2
    row_numbers = np.asarray(row_numbers, dtype=np.int64)
    if len(row_numbers) != len(df):
        raise ValueError("row_numbers must have one entry per row of df")

    failures: list[ValidationFailure] = []
    names = [str(c) for c in df.columns]
    for dup in sorted({c for c in names if names.count(c) > 1}):
        failures.append(
            ValidationFailure(column=dup, rule="column appears more than once", file=source)
        )
    for col in C.TIDY_COLUMNS:
        if col not in names:
            failures.append(
                ValidationFailure(column=col, rule="required column is missing", file=source)
            )
    for col in names:
        if col not in C.TIDY_COLUMNS:
            failures.append(
                ValidationFailure(
                    column=col,
                    rule="unexpected column (the tidy table has exactly the 27 columns of "
                    "rutland_jsna.data.columns.TIDY_COLUMNS)",
                    file=source,
                )
            )
    if any(f.rule == "column appears more than once" for f in failures):
        raise DataValidationError(failures, source)
    present = [c for c in C.TIDY_COLUMNS if c in names]
    typed, type_failures, bad_cells = _coerce(df[present], row_numbers, source)
    failures += type_failures

    schema = tidy_schema(columns=present, check_dtypes=False)
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as err:
        failures += _schema_failures(err, typed, row_numbers, source, bad_cells)
    if len(present) == len(C.TIDY_COLUMNS):
        failures += _duplicates_with_missing(typed, row_numbers, source, failures)
    return typed, row_numbers, failures


def _finish(typed: pd.DataFrame) -> pd.DataFrame:
    """A frame that passed every rule, with the canonical columns, order and dtypes."""
    out = typed[list(C.TIDY_COLUMNS)].copy()
    for col in C.TIDY_COLUMNS:
        out[col] = out[col].astype(_DTYPES[col])
    return tidy_schema().validate(out)


def _validate(
    df: pd.DataFrame, source: str | None, row_numbers: np.ndarray | None = None
) -> pd.DataFrame:
    """Validate and type ``df``; ``row_numbers[i]`` is the file row of positional row ``i``."""
    typed, _, failures = _collect(df, source, row_numbers)
    if failures:
        raise DataValidationError(failures, source)
    return _finish(typed)


def _duplicates_with_missing(
    typed: pd.DataFrame,
    row_numbers: np.ndarray,
    source: str | None,
    already: list[ValidationFailure],
) -> list[ValidationFailure]:
    """Duplicate keys, counting blank key parts as equal, if pandera has not reported them."""
    if any(f.rule.startswith("duplicate key") for f in already):
        return []
    dup = typed.duplicated(list(C.KEY_COLUMNS), keep=False).to_numpy()
    if not dup.any():
        return []
    return _duplicate_failures(typed, set(np.flatnonzero(dup).tolist()), row_numbers, source)


def validate_tidy(
    df: pd.DataFrame, source: str | None = None, *, row_numbers: Sequence[int] | None = None
) -> pd.DataFrame:
    """Validate a tidy long table and return it with the canonical column order and dtypes.

    Every rule of the module docstring is checked at once (pandera ``lazy=True``); nothing is
    changed in ``df`` itself.

    Parameters
    ----------
    df : pandas.DataFrame
        The 27 tidy columns (:data:`~rutland_jsna.data.columns.TIDY_COLUMNS`), in any order.
        Numbers may be given as text (as read from a CSV); blank text counts as missing.
    source : str, optional
        Name of the file the rows came from (or will be written to), used in messages.
    row_numbers : sequence of int, optional
        The spreadsheet row number of each row of ``df`` (e.g. when blank lines were dropped
        while reading). Default: ``2, 3, …`` (header = row 1).

    Returns
    -------
    pandas.DataFrame
        A new frame: columns in ``TIDY_COLUMNS`` order, a fresh RangeIndex, int64 for
        ``indicator_id`` and ``time_period_sortable``, float64 for the numeric columns, ``str``
        elsewhere (missing = NaN).

    Raises
    ------
    DataValidationError
        Listing, per broken rule, the file, the 1-based spreadsheet rows (header = row 1, so the
        frame's first row is row 2), the column(s) and the rule. Each duplicated key is named
        with its values and rows.
    TypeError
        If ``df`` is not a DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from rutland_jsna.data.columns import TIDY_COLUMNS
    >>> row = dict.fromkeys(TIDY_COLUMNS, "")
    >>> row.update(indicator_id="90776", indicator_name="Chlamydia", area_code="E06000017",
    ...            area_name="Rutland", area_type="Counties & UAs (from Apr 2023)", sex="Female",
    ...            age="15-24 yrs", time_period="2023", value="16.0", lower_ci_95="14.4",
    ...            upper_ci_95="17.7", time_period_sortable="20230000", time_period_range="1y")
    >>> validate_tidy(pd.DataFrame([row]))[["indicator_id", "value"]]
       indicator_id  value
    0         90776   16.0
    >>> row["lower_ci_95"] = "16.5"
    >>> validate_tidy(pd.DataFrame([row]), source="bad.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rutland_jsna.data.errors.DataValidationError: bad.csv: 1 validation rule broken; ...
      - bad.csv: column 'lower_ci_95, value, upper_ci_95' rows 2: 95% interval must satisfy ...
    """
    return _validate(df, source, None if row_numbers is None else np.asarray(row_numbers))
