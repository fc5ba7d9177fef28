"""Sentences generated from the indicator summary table, in the outcomes report's style.

The input is the indicator summary table of :mod:`rutland_jsna.analysis.columns` (one row per
indicator, numbers and labels already computed). Nothing here computes a statistic: the
functions choose words for labels, ranks and values that arrive ready-made, and return
:class:`Narrative` objects holding HTML-safe markup and the same words as plain text.

Families (docs/chapters.md §0, §1.3–§1.5, §2.6, §3.2):

* performance-summary bullets of a section, in order, empty ones omitted —
  :func:`counts_bullet`, :func:`significantly_worse_bullet`, :func:`significantly_higher_bullet`,
  :func:`significantly_lower_bullet`, :func:`rank1_green_bullet`, :func:`bottom_three_bullet`,
  :func:`single_indicator_bullets`, all put together by :func:`performance_summary`;
* the row selections behind those lists (:func:`significantly_worse_rows`, …), so a chapter or a
  test can see *which* indicators a sentence names;
* the chapter-level board summary (:func:`board_summary`), with the "(No change from previous
  HWB report)" check against the previous release's table;
* small numbers, suppression and missing values (:func:`small_numbers_sentence`,
  :func:`missing_value_sentence`, :func:`data_notes`);
* single-indicator sentences for the sexual-health and oral-health chapters
  (:func:`england_comparison_sentence`, :func:`plain_comparison_sentence`,
  :func:`relative_change_sentence`).

Rules applied the same way in every section (the source report breaks some of them; see
``tests/test_report_narrative.py`` for each documented deviation):

* one term, **Not compared**, for every indicator without a comparison;
* the category counts always add up to the number of rows; a row whose value is missing or
  suppressed counts as Not compared, and is never ranked, listed or described by value;
* "ranked 1st" lists rows that are green **and** ranked 1;
* "bottom three" lists indicators with polarity whose rank is greater than ``n - 3`` (and
  greater than 1, so that the best of three or fewer areas is never called bottom three);
* a comparison resting on small numbers carries the small-numbers sentence;
* the bold indicator name and the sentence are separated by `` - `` (a spaced hyphen);
* generated wording says "armed forces" for that population (docs/chapters.md §0); data strings
  are reproduced as given.

Every data string (area, indicator, period, measure descriptions, reasons) is escaped with
:func:`html.escape`; the only unescaped markup is this module's own ``<p>``, ``<ul>``,
``<li>``, ``<strong>`` and ``<sup>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd
import pandera.pandas as pa

from ..analysis import columns as C
from ..stats.disclosure import DISCLOSURE_MAX_COUNT, SMALL_NUMBER_EVENTS
from ..stats.labels import (
    QUINTILE_LABELS_NO_JUDGEMENT,
    QUINTILE_LABELS_RAG,
    Comparison,
    GoalComparison,
    Polarity,
    is_getting_worse,
)
from ._words import (
    capitalise_first,
    count_phrase,
    format_count,
    format_number,
    format_threshold,
    format_value,
    is_missing,
    join_words,
    number_word,
    ordinal_html,
    pluralise,
)

__all__ = [
    "BASIS_ENGLAND",
    "BASIS_GOAL",
    "BASIS_QUINTILES",
    "Category",
    "Narrative",
    "board_summary",
    "bottom_three_bullet",
    "bottom_three_rows",
    "categorise",
    "count_categories",
    "counts_bullet",
    "data_notes",
    "england_comparison_sentence",
    "highest_ranked_rows",
    "indicator_labels",
    "indicator_paragraph",
    "missing_value_sentence",
    "performance_summary",
    "plain_comparison_sentence",
    "rank1_green_bullet",
    "rank1_green_rows",
    "relative_change_sentence",
    "significantly_higher_bullet",
    "significantly_higher_rows",
    "significantly_lower_bullet",
    "significantly_lower_rows",
    "significantly_worse_bullet",
    "significantly_worse_rows",
    "single_indicator_bullets",
    "small_numbers_sentence",
    "suppression_sentence",
    "worsening_rows",
]

#: ``comparison_basis`` values (analysis/columns.py).
BASIS_ENGLAND, BASIS_GOAL, BASIS_QUINTILES = C.BASIS_ENGLAND, C.BASIS_GOAL, C.BASIS_QUINTILES
_BASES = (BASIS_ENGLAND, BASIS_GOAL, BASIS_QUINTILES)

#: "Bottom three" (docs/chapters.md §1.4).
_BOTTOM = 3

_REQUIRED: tuple[str, ...] = (
    C.INDICATOR,
    C.PERIOD,
    C.VALUE,
    C.UNIT,
    C.POLARITY,
    C.RANK,
    C.N_RANKED,
    C.ENGLAND,
    C.COMPARISON,
    C.COMPARISON_BASIS,
)
_MAX_POSITIONS = 5
_SEX_WORDS = {"P": "Persons", "F": "Females", "M": "Males"}


# ------------------------------------------------------------------------------------------
# Output type
# ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Narrative:
    """Generated words: HTML-safe markup, with the same words as plain text.

    Attributes
    ----------
    html : str
        Markup whose data strings are escaped; ``str(n)`` and ``n._repr_html_()`` return it.
    text : str
        (property) The words without markup: ordinals as "16th", list items on their own lines
        starting with "- ", entities unescaped.
    """

    html: str

    @property
    def text(self) -> str:
        return _to_text(self.html)

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


def _to_text(markup: str) -> str:
    s = re.sub(r"<li(?:\s[^>]*)?>", "\n- ", markup)
    s = re.sub(r"</?(?:p|ul)(?:\s[^>]*)?>|</li>", "\n", s)
    s = re.sub(r"<[^>]*>", "", s)  # data never contains a raw "<": it is escaped
    lines = (line.strip() for line in s.split("\n"))
    return html.unescape("\n".join(line for line in lines if line))


def _e(value: Any) -> str:
    return html.escape(str(value))


def _bullets(items: Sequence[Narrative | None], css: str) -> Narrative:
    lis = "".join(f"<li>{item.html}</li>" for item in items if item is not None)
    return Narrative(f'<ul class="{css}">{lis}</ul>')


# ------------------------------------------------------------------------------------------
# Rows: validation and typed access
# ------------------------------------------------------------------------------------------


class Category(StrEnum):
    """How the counts bullet names a row's comparison (docs/chapters.md §1.3)."""

    GREEN = "green"  # Better, or goal Green
    AMBER = "amber"  # Similar, or goal Amber
    RED = "red"  # Worse, or goal Red
    HIGHER = "higher"  # Higher (no polarity)
    LOWER = "lower"  # Lower (no polarity)
    QUINTILE = "quintile"  # placed in a national quintile
    NOT_COMPARED = "not compared"  # no comparison, no value, or a suppressed value


_LABEL_CATEGORY = {
    Comparison.BETTER.value: Category.GREEN,
    GoalComparison.GREEN.value: Category.GREEN,
    Comparison.SIMILAR.value: Category.AMBER,
    GoalComparison.AMBER.value: Category.AMBER,
    Comparison.WORSE.value: Category.RED,
    GoalComparison.RED.value: Category.RED,
    Comparison.HIGHER.value: Category.HIGHER,
    Comparison.LOWER.value: Category.LOWER,
}


@dataclass(frozen=True)
class _Row:
    key: str | None
    section: str | None
    indicator: str
    sex: str | None
    age: str | None
    period: str | None
    value: float | None
    unit: str | None
    polarity: Polarity
    rank: int | None
    n_ranked: int | None
    england: float | None
    comparison: str | None
    basis: str | None
    goal_lower: float | None
    goal_upper: float | None
    trend: str | None
    previous_period: str | None
    previous_value: float | None
    previous_comparison: str | None
    since: str | None
    suppressed: bool
    small_numbers: bool
    count: float | None
    count_suppressed: bool
    missing_reason: str | None
    value_note: str | None
    comparison_note: str | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not None and not self.suppressed

    @property
    def compared(self) -> str | None:
        """The comparison label, or None when there is none to describe."""
        if not self.has_value or self.comparison in (None, Comparison.NOT_COMPARED.value):
            return None
        return self.comparison


def _get(row: Any, column: str) -> Any:
    try:
        value = row.get(column, None)
    except AttributeError:
        raise TypeError(
            f"row: expected a pandas Series or a mapping of column names, got {type(row).__name__}"
        ) from None
    return None if is_missing(value) else value


def _opt_str(row: Any, column: str) -> str | None:
    value = _get(row, column)
    return None if value is None else str(value).strip()


def _opt_float(row: Any, column: str) -> float | None:
    value = _get(row, column)
    return None if value is None else float(value)


def _opt_int(row: Any, column: str) -> int | None:
    value = _get(row, column)
    return None if value is None else int(value)


def _flag(row: Any, column: str) -> bool:
    value = _get(row, column)
    return bool(value) if value is not None else False


def _row(row: Any) -> _Row:
    """Typed view of one summary-table row (a Series or a mapping)."""
    if isinstance(row, _Row):
        return row
    polarity = _get(row, C.POLARITY)
    if polarity is None:
        raise ValueError("polarity: missing (rule: every row needs a Polarity value)")
    indicator = _opt_str(row, C.INDICATOR)
    if indicator is None:
        raise ValueError("indicator: missing (rule: every row needs an indicator name)")
    return _Row(
        key=_opt_str(row, C.KEY),
        section=_opt_str(row, C.SECTION),
        indicator=indicator,
        sex=_opt_str(row, C.SEX),
        age=_opt_str(row, C.AGE),
        period=_opt_str(row, C.PERIOD),
        value=_opt_float(row, C.VALUE),
        unit=_opt_str(row, C.UNIT),
        polarity=Polarity(str(polarity)),
        rank=_opt_int(row, C.RANK),
        n_ranked=_opt_int(row, C.N_RANKED),
        england=_opt_float(row, C.ENGLAND),
        comparison=_opt_str(row, C.COMPARISON),
        basis=_opt_str(row, C.COMPARISON_BASIS),
        goal_lower=_opt_float(row, C.GOAL_LOWER),
        goal_upper=_opt_float(row, C.GOAL_UPPER),
        trend=_opt_str(row, C.TREND),
        previous_period=_opt_str(row, C.PREVIOUS_PERIOD),
        previous_value=_opt_float(row, C.PREVIOUS_VALUE),
        previous_comparison=_opt_str(row, C.PREVIOUS_COMPARISON),
        since=_opt_str(row, C.SAME_COMPARISON_SINCE),
        suppressed=_flag(row, C.SUPPRESSED),
        small_numbers=_flag(row, C.SMALL_NUMBERS),
        count=_opt_float(row, C.COUNT),
        count_suppressed=_flag(row, C.COUNT_SUPPRESSED),
        missing_reason=_opt_str(row, C.MISSING_REASON),
        value_note=_opt_str(row, C.VALUE_NOTE),
        comparison_note=_opt_str(row, C.COMPARISON_NOTE) or None,
    )


def _allowed_labels(basis: str | None, polarity: Polarity) -> frozenset[str] | None:
    """Comparison labels allowed for a basis and polarity; None for an unknown basis."""
    nc = Comparison.NOT_COMPARED.value
    rag = polarity.is_rag
    if basis is None:
        return frozenset({nc})
    if basis == BASIS_ENGLAND:
        labels = {nc, Comparison.SIMILAR.value, Comparison.HIGHER.value, Comparison.LOWER.value}
        if rag:
            labels |= {Comparison.BETTER.value, Comparison.WORSE.value}
        return frozenset(labels)
    if basis == BASIS_GOAL:
        labels = {nc, Comparison.SIMILAR.value}
        if rag:
            labels |= {Comparison.BETTER.value, Comparison.WORSE.value}
            labels |= {
                GoalComparison.GREEN.value,
                GoalComparison.AMBER.value,
                GoalComparison.RED.value,
            }
        return frozenset(labels)
    if basis == BASIS_QUINTILES:
        return frozenset({nc, *(QUINTILE_LABELS_RAG if rag else QUINTILE_LABELS_NO_JUDGEMENT)})
    return None


def _column(df: pd.DataFrame, column: str) -> pd.Series:
    """A column as plain values (None where missing or absent), aligned with ``df``."""
    if column not in df.columns:
        return pd.Series([None] * len(df), index=df.index, dtype=object)
    values = [None if is_missing(v) else v for v in df[column].tolist()]
    return pd.Series(values, index=df.index, dtype=object)


def _polarity_ok(df: pd.DataFrame) -> pd.Series:
    ok = [p is not None and str(p) in _POLARITIES for p in _column(df, C.POLARITY)]
    return pd.Series(ok, index=df.index, dtype=bool)


def _basis_ok(df: pd.DataFrame) -> pd.Series:
    ok = [b is None or str(b).strip() in _BASES for b in _column(df, C.COMPARISON_BASIS)]
    return pd.Series(ok, index=df.index, dtype=bool)


def _labels_ok(column: str):
    def check(df: pd.DataFrame) -> pd.Series:
        ok = []
        for label, basis, pol in zip(_column(df, column), _column(df, C.COMPARISON_BASIS),
                                     _column(df, C.POLARITY), strict=True):
            if label is None or pol is None or str(pol) not in _POLARITIES:
                ok.append(True)
                continue
            allowed = _allowed_labels(None if basis is None else str(basis).strip(),
                                      Polarity(str(pol)))
            ok.append(allowed is None or str(label).strip() in allowed)
        return pd.Series(ok, index=df.index, dtype=bool)

    return check


def _number(df: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(_column(df, column).astype(object), errors="coerce").astype("float64")


def _rank_at_least_one(df: pd.DataFrame) -> pd.Series:
    rank = _number(df, C.RANK)
    return rank.isna() | (rank >= 1)


def _rank_within_n(df: pd.DataFrame) -> pd.Series:
    rank, n = _number(df, C.RANK), _number(df, C.N_RANKED)
    return rank.isna() | n.isna() | (rank <= n)


_POLARITIES = frozenset(p.value for p in Polarity)
_LABEL_RULE = (
    "England: Better/Similar/Worse (polarity) or Lower/Similar/Higher; goal: "
    "Green/Amber/Red or Better/Similar/Worse (polarity only); national quintiles: "
    "the quintile legend words; no basis: Not compared"
)
#: The rules of a summary table, in the order they are reported: check name -> (column,
#: what the failing rows have, the rule). Checked with one pandera schema (:data:`_SCHEMA`).
_RULES: dict[str, tuple[str, str, str]] = {
    "polarity": (C.POLARITY, "have a missing or unknown polarity",
                 f"one of {sorted(_POLARITIES)}"),
    "basis": (C.COMPARISON_BASIS, "have an unknown basis", f"one of {list(_BASES)} or missing"),
    "comparison": (C.COMPARISON,
                   "have a label not allowed for their comparison_basis and polarity", _LABEL_RULE),
    "previous_comparison": (C.PREVIOUS_COMPARISON,
                            "have a label not allowed for their comparison_basis and polarity",
                            _LABEL_RULE),
    "rank_min": (C.RANK, "have a rank below 1", "rank >= 1"),
    "rank_max": (C.RANK, "have a rank above n_ranked", "rank <= n_ranked"),
}
_SCHEMA = pa.DataFrameSchema(
    checks=[
        pa.Check(_polarity_ok, name="polarity", error="polarity"),
        pa.Check(_basis_ok, name="basis", error="basis"),
        pa.Check(_labels_ok(C.COMPARISON), name="comparison", error="comparison"),
        pa.Check(_labels_ok(C.PREVIOUS_COMPARISON), name="previous_comparison",
                 error="previous_comparison"),
        pa.Check(_rank_at_least_one, name="rank_min", error="rank_min"),
        pa.Check(_rank_within_n, name="rank_max", error="rank_max"),
    ]
)


#: Tables already checked (by the content of the columns the rules read): a chapter checks the
#: same section table for each of its sentences, and one schema run costs milliseconds.
_CHECKED: dict[int, None] = {}
_CHECKED_SIZE = 256
_RULE_COLUMNS = (C.POLARITY, C.COMPARISON_BASIS, C.COMPARISON, C.PREVIOUS_COMPARISON, C.RANK,
                 C.N_RANKED)


def _check_rules(table: pd.DataFrame) -> None:
    """Raise ValueError for the first broken rule of :data:`_RULES`, naming the column, the
    number of rows, the rule and the first index labels."""
    cols = [c for c in _RULE_COLUMNS if c in table.columns]
    key = hash((tuple(cols), tuple(pd.util.hash_pandas_object(table[cols].astype(str),
                                                              index=True).tolist())))
    if key in _CHECKED:
        return
    try:
        _SCHEMA.validate(table, lazy=True)
    except pa.errors.SchemaErrors as err:
        fc = err.failure_cases
        for name, (column, problem, rule) in _RULES.items():
            failed = {i for i in fc.loc[fc["check"].astype(str) == name, "index"].tolist()
                      if i is not None and not (isinstance(i, float) and i != i)}
            bad = [i for i in table.index if i in failed]  # one per row, in display order
            if bad:
                shown = ", ".join(repr(b) for b in bad[:_MAX_POSITIONS])
                more = (f" (first {_MAX_POSITIONS} of {len(bad)})"
                        if len(bad) > _MAX_POSITIONS else "")
                raise ValueError(
                    f"{column}: {len(bad)} {pluralise(len(bad), 'row')} {problem} "
                    f"(rule: {rule}) at index labels [{shown}]{more}"
                ) from None
        raise  # a check that could not run: pandera's own report
    while len(_CHECKED) >= _CHECKED_SIZE:
        _CHECKED.pop(next(iter(_CHECKED)))
    _CHECKED[key] = None


def _prepare(table: pd.DataFrame, name: str = "table") -> tuple[pd.DataFrame, list[_Row]]:
    """Validate a summary table; return it in display order with its typed rows."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{name}: expected a pandas DataFrame, got {type(table).__name__}")
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(
            f"{name}: missing required columns {missing} "
            "(rule: the indicator summary table of rutland_jsna.analysis.columns)"
        )
    if C.ORDER in table.columns:
        table = table.sort_values(C.ORDER, kind="stable", na_position="last")
    _check_rules(table)
    records = table.to_dict("records")
    return table, [_row(r) for r in records]


# ------------------------------------------------------------------------------------------
# Labels and categories
# ------------------------------------------------------------------------------------------


def _labels(rows: Sequence[_Row]) -> list[str]:
    """Indicator names, with sex/age qualifiers where the same name occurs more than once."""
    groups: dict[str, list[_Row]] = {}
    for r in rows:
        groups.setdefault(r.indicator, []).append(r)
    out = []
    for r in rows:
        same = groups[r.indicator]
        parts = []
        if len({s.sex for s in same}) > 1 and r.sex is not None:
            parts.append(_SEX_WORDS.get(r.sex, r.sex))
        if len({s.age for s in same}) > 1 and r.age is not None:
            parts.append(r.age)
        out.append(f"{r.indicator} ({', '.join(parts)})" if parts else r.indicator)
    return out


def indicator_labels(table: pd.DataFrame) -> pd.Series:
    """Display labels for the rows of a summary table, in display order.

    Parameters
    ----------
    table : pandas.DataFrame
        Indicator summary table (``rutland_jsna.analysis.columns``).

    Returns
    -------
    pandas.Series
        Plain (unescaped) labels indexed like ``table``. A name that occurs on more than one
        row gets the sex ("Persons", "Females", "Males") and/or age that tell the rows apart:
        "Emergency Hospital Admissions for Intentional Self-Harm (Females)".
    """
    ordered, rows = _prepare(table)
    return pd.Series(_labels(rows), index=ordered.index, name="label", dtype=object)


def _category(r: _Row) -> Category:
    label = r.compared
    if label is None:
        return Category.NOT_COMPARED
    if r.basis == BASIS_QUINTILES:
        return Category.QUINTILE
    return _LABEL_CATEGORY[label]


def categorise(table: pd.DataFrame) -> pd.Series:
    """The counts-bullet category of every row (:class:`Category` values).

    A row without a value, with a suppressed value, without a comparison or marked
    "Not compared" is ``"not compared"``; a row placed in national quintiles is
    ``"quintile"``; otherwise Better/Green → green, Similar/Amber → amber, Worse/Red → red,
    Higher → higher, Lower → lower.

    Returns
    -------
    pandas.Series
        Indexed like ``table``, in display order.
    """
    ordered, rows = _prepare(table)
    return pd.Series(
        [_category(r).value for r in rows], index=ordered.index, name="category", dtype=object
    )


def count_categories(table: pd.DataFrame) -> dict[Category, int]:
    """Rows per :class:`Category`; every category is present and the counts add up to ``len(table)``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator": ["a", "b"], "period": "2021", "value": [1.0, None],
    ...     "unit": "%", "polarity": "High is good", "rank": pd.NA, "n_ranked": pd.NA,
    ...     "england": 1.0, "comparison": ["Better", "Better"], "comparison_basis": "England"})
    >>> {k.value: v for k, v in count_categories(t).items() if v}
    {'green': 1, 'not compared': 1}
    """
    _, rows = _prepare(table)
    counts = dict.fromkeys(Category, 0)
    for r in rows:
        counts[_category(r)] += 1
    return counts


# ------------------------------------------------------------------------------------------
# Row selections behind the lists
# ------------------------------------------------------------------------------------------


def _select(table: pd.DataFrame, keep) -> pd.DataFrame:
    ordered, rows = _prepare(table)
    positions = [i for i, r in enumerate(rows) if keep(r)]
    return ordered.iloc[positions]


def _is_worse(r: _Row) -> bool:
    return _category(r) is Category.RED


def _is_rank1_green(r: _Row) -> bool:
    return _category(r) is Category.GREEN and r.rank == 1


def _is_bottom_three(r: _Row) -> bool:
    if not (r.has_value and r.polarity.is_rag and r.rank is not None and r.n_ranked is not None):
        return False
    return r.rank > max(r.n_ranked - _BOTTOM, 1)


def _is_highest(r: _Row) -> bool:
    return (
        r.has_value and r.polarity.is_rag and r.rank == 1 and (r.n_ranked is None or r.n_ranked > 1)
    )


def _is_last(r: _Row) -> bool:
    return (
        r.has_value
        and r.polarity.is_rag
        and r.rank is not None
        and r.n_ranked is not None
        and r.n_ranked > 1
        and r.rank == r.n_ranked
    )


def _is_worsening(r: _Row) -> bool:
    return r.has_value and (is_getting_worse(r.trend) or _is_last(r))


def significantly_worse_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows significantly worse than England or the benchmark, or red against a goal.

    Rows whose value is missing or suppressed are never selected. Returned in display order
    (``order`` column if present), with the input's index and columns.
    """
    return _select(table, _is_worse)


def significantly_higher_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows labelled ``Higher`` (indicators without polarity), in display order."""
    return _select(table, lambda r: _category(r) is Category.HIGHER)


def significantly_lower_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows labelled ``Lower`` (indicators without polarity), in display order."""
    return _select(table, lambda r: _category(r) is Category.LOWER)


def rank1_green_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows that are green (Better, or goal Green) **and** ranked 1 (ties share rank 1)."""
    return _select(table, _is_rank1_green)


def bottom_three_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows with polarity whose rank is in the bottom three of the ranked areas.

    The rule is ``rank > n_ranked - 3`` (docs/chapters.md §1.4), and ``rank > 1`` so that the best
    of three or fewer ranked areas is not called "bottom three". Indicators without polarity
    and rows without a value, rank or ``n_ranked`` are never selected.
    """
    return _select(table, _is_bottom_three)


def highest_ranked_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows with polarity ranked 1st among more than one area (board summary, §1.5 item 7)."""
    return _select(table, _is_highest)


def worsening_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows whose direction of travel is "… and getting worse", or ranked last (n/n, polarity)."""
    return _select(table, _is_worsening)


# ------------------------------------------------------------------------------------------
# Phrases
# ------------------------------------------------------------------------------------------


def _in(period: str | None) -> str:
    return f" in {_e(period)}" if period is not None else ""


def _v(r: _Row, value: float | None) -> str:
    return _e(format_value(value, r.unit))


def _quintile_phrase(label: str) -> str:
    """ "the 2<sup>nd</sup> best quintile", "the middle quintile", "the lowest quintile"."""
    words = {
        "Best": "best",
        "Better": f"{ordinal_html(2)} best",
        "Middle": "middle",
        "Worse": f"{ordinal_html(2)} worst",
        "Worst": "worst",
        "Lowest": "lowest",
        "Low": f"{ordinal_html(2)} lowest",
        "High": f"{ordinal_html(2)} highest",
        "Highest": "highest",
    }
    return f"the {words[label]} quintile"


def _goal_numbers(r: _Row, label: str) -> str:
    """The goal value(s) a comparison refers to, formatted, or "" when unknown."""
    lower, upper = r.goal_lower, r.goal_upper
    high_good = r.polarity is Polarity.HIGH_IS_GOOD
    if label == GoalComparison.AMBER.value:
        if lower is not None and upper is not None and lower != upper:
            return (
                f"{_e(format_threshold(lower, r.unit))} and {_e(format_threshold(upper, r.unit))}"
            )
        value = lower if lower is not None else upper
    elif label == GoalComparison.RED.value:
        value = lower if high_good else upper
    elif label == GoalComparison.GREEN.value:
        value = upper if high_good else lower
    else:  # a significance test against one benchmark value
        value = lower if lower is not None else upper
    return "" if value is None else _e(format_threshold(value, r.unit))


def _status(r: _Row, label: str, benchmark: str) -> str:
    """Words for a comparison label, without numbers: "significantly worse than England"."""
    high_good = r.polarity is Polarity.HIGH_IS_GOOD
    if r.basis == BASIS_QUINTILES:
        return f"in {_quintile_phrase(label)} nationally"
    if label == GoalComparison.RED.value:
        return f"{'below' if high_good else 'above'} the benchmarking goal"
    if label == GoalComparison.GREEN.value:
        return f"at or {'above' if high_good else 'below'} the benchmarking goal"
    if label == GoalComparison.AMBER.value:
        return "between the benchmarking goal thresholds"
    if label == Comparison.SIMILAR.value:
        return f"statistically similar to {benchmark}"
    return f"significantly {label.lower()} than {benchmark}"


def _benchmark(r: _Row, national: str) -> str:
    return "the benchmark" if r.basis == BASIS_GOAL else national


def _comparison_clause(r: _Row) -> str:
    """What follows "which is": "significantly worse than the national average of 44.8%"."""
    label = r.compared
    if label is None:
        return "not compared with England or a benchmark"
    words = _status(r, label, _benchmark(r, "the national average"))
    if r.basis == BASIS_QUINTILES:
        return words
    if r.basis == BASIS_GOAL:
        numbers = _goal_numbers(r, label)
    else:
        numbers = _v(r, r.england) if r.england is not None else ""
    return f"{words} of {numbers}" if numbers else words


def _subject(area: str, measure: str | None) -> str:
    """ "the proportion of children …" or "the value for Rutland" (lower case)."""
    return f"the {measure}" if measure else f"the value for {area}"


def _subject_in(area: str, measure: str | None) -> str:
    return f"the {measure} in {area}" if measure else f"the value for {area}"


def _rank_sentence(r: _Row, area: str) -> str:
    if r.rank is None:
        return f"{area} is not ranked against its similar areas{_in(r.period)}."
    out_of = f" out of {r.n_ranked}" if r.n_ranked is not None else ""
    return f"{area} is ranked {ordinal_html(r.rank)}{out_of}{_in(r.period)}."


def _rank_neighbours_sentence(r: _Row, area: str) -> str | None:
    if r.rank is None:
        return None
    out_of = f" out of {r.n_ranked}" if r.n_ranked is not None else ""
    return (
        f"{area} is ranked {ordinal_html(r.rank)}{out_of} when compared to its nearest neighbours."
    )


def _change_clause(r: _Row, area: str, measure: str | None, where: str = "") -> str | None:
    """ "The X has decreased from 37.0% in 2020/21 to 29.7% in 2021/22" (no full stop)."""
    if r.previous_value is None or r.previous_period is None or not r.has_value:
        return None
    subject = capitalise_first(_subject(area, measure))
    before, now = _v(r, r.previous_value), _v(r, r.value)
    if before == now:
        return (
            f"{subject} was unchanged at {now} between {_e(r.previous_period)}{where} "
            f"and {_e(r.period) if r.period else 'the latest period'}"
        )
    verb = "increased" if r.value > r.previous_value else "decreased"
    return f"{subject} has {verb} from {before} in {_e(r.previous_period)}{where} to {now}{_in(r.period)}"


def _latest_sentence(r: _Row, area: str) -> str:
    return f"The latest value for {area} is {_v(r, r.value)}, which is {_comparison_clause(r)}."


def _since_sentence(r: _Row, area: str, for_this: bool = False) -> str | None:
    label = r.compared
    if label is None or r.since is None or r.since == r.period:
        return None
    words = _status(r, label, _benchmark(r, "England"))
    tail = " for this indicator" if for_this else ""
    if r.basis == BASIS_QUINTILES or label in (g.value for g in GoalComparison):
        return f"{area} has been {words}{tail} since {_e(r.since)}."
    return f"{area} has performed {words}{tail} since {_e(r.since)}."


def _previous_differs(r: _Row) -> bool:
    prev = r.previous_comparison
    return (
        r.compared is not None
        and prev is not None
        and prev != Comparison.NOT_COMPARED.value
        and prev != r.comparison
    )


def _previously_sentence(r: _Row, area: str, measure: str | None) -> str | None:
    if not _previous_differs(r):
        return None
    when = f", in {_e(r.previous_period)}" if r.previous_period else ""
    words = _status(r, r.previous_comparison, _benchmark(r, "the national average"))
    return f"Previously{when}, {_subject_in(area, measure)} was {words}."


def _events_phrase(r: _Row, events: str) -> str:
    if r.count_suppressed or (r.count is not None and 1 <= r.count <= DISCLOSURE_MAX_COUNT):
        return f"fewer than {number_word(DISCLOSURE_MAX_COUNT + 1)} {events}"
    if r.count is None:
        return f"fewer than {SMALL_NUMBER_EVENTS} {events}"
    if r.count == 0:
        return f"no {events}"
    words = number_word(r.count) if float(r.count).is_integer() else format_count(r.count)
    return f"{_e(words)} {events}"


def _small_numbers(r: _Row, area: str, events: str) -> str | None:
    if not (r.small_numbers and r.has_value):
        return None
    what = "this value" if r.compared is None else "this comparison"
    return (
        f"{area}'s value is based on {_events_phrase(r, events)}; small numbers make "
        f"{what} and its trend unreliable."
    )


def _join_sentences(parts: Sequence[str | None]) -> str:
    return " ".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------
# Sentences about one row (public)
# ------------------------------------------------------------------------------------------


def _lookup(mapping: Mapping[str, str] | None, r: _Row) -> str | None:
    if mapping is None or r.key is None:
        return None
    value = mapping.get(r.key)
    return None if value is None or is_missing(value) else _e(value)


def _events(mapping: Mapping[str, str] | None, r: _Row) -> str:
    return _lookup(mapping, r) or "events"


def small_numbers_sentence(row: Any, area: str, *, events: str = "events") -> Narrative | None:
    """The small-numbers caveat for a row flagged ``small_numbers`` (docs/chapters.md §0).

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of the indicator summary table.
    area : str
        Area name, e.g. ``"Rutland"``.
    events : str
        Plural noun for what is counted ("deaths", "diagnoses").

    Returns
    -------
    Narrative or None
        "Rutland's value is based on seven deaths; small numbers make this comparison and its
        trend unreliable." ("this value" when the row is not compared). ``None`` when the row
        is not flagged, or has no value to describe. Counts of 1 to 4 are never printed
        ("fewer than five"); an unknown count reads "fewer than 10" (SMALL_NUMBER_EVENTS).
    """
    r = _row(row)
    sentence = _small_numbers(r, _e(area), _e(events))
    return None if sentence is None else Narrative(sentence)


def suppression_sentence(area: str, measure: str | None = None) -> Narrative:
    """ "The {measure} is not published due to small numbers." (docs/chapters.md §0).

    Parameters
    ----------
    area : str
        Used in the default subject, "The value for {area}".
    measure : str, optional
        What was withheld, without an article: "proportion of under 18 conceptions leading
        to abortion".
    """
    return Narrative(
        f"{capitalise_first(_subject(_e(area), _e(measure) if measure else None))} "
        "is not published due to small numbers."
    )


def missing_value_sentence(row: Any, area: str, *, measure: str | None = None) -> Narrative | None:
    """Why a row has no value, in words; ``None`` when it has one.

    Returns
    -------
    Narrative or None
        The suppression sentence for a suppressed row; otherwise "No value is available for
        {area} in {period}: {missing_reason}." (or "…; the reason is not recorded.").
    """
    r = _row(row)
    if r.suppressed:
        return suppression_sentence(area, measure)
    if r.value is not None:
        return None
    a = _e(area)
    if r.missing_reason:
        return Narrative(f"No value is available for {a}{_in(r.period)}: {_e(r.missing_reason)}.")
    return Narrative(f"No value is available for {a}{_in(r.period)}; the reason is not recorded.")


def indicator_paragraph(
    row: Any, area: str, *, measure: str | None = None, events: str = "events"
) -> Narrative:
    """One "significantly worse"-style paragraph (docs/chapters.md §1.5 item 2).

    Sentences, each only when its numbers exist: the bold name and rank ("**X** - Rutland is
    ranked 16<sup>th</sup> out of 16 in 2021/22."); the change since the previous period ("The
    {measure} has decreased from 37.0% in 2020/21 to 29.7% in 2021/22."); the latest value
    against England or the goal ("The latest value for Rutland is 61.2%, which is below the
    benchmarking goal of 80%."); how long the status has lasted ("Rutland has performed
    significantly worse than England since 2019."); a change of status ("Previously, in
    2018/19, the {measure} in Rutland was statistically similar to the national average.");
    the small-numbers caveat.

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of the indicator summary table. Its label is its ``indicator`` name; use
        the bullet functions to get sex/age qualifiers for repeated names.
    area : str
    measure : str, optional
        Description of the measure without an article ("proportion of children receiving a
        12-month review"); default "the value for {area}".
    events : str
        Plural noun for the small-numbers sentence.

    Notes
    -----
    A suppressed or missing value gives the suppression / missing-value sentence instead:
    a withheld value is never ranked or described.
    """
    r = _row(row)
    return Narrative(
        _worse_paragraph(r, _e(r.indicator), _e(area), _e(measure) if measure else None, _e(events))
    )


def _missing_body(r: _Row, area: str, measure: str | None) -> str:
    """Why a row has no value to describe (escaped ``area`` and ``measure`` in)."""
    if r.suppressed:
        return f"{capitalise_first(_subject(area, measure))} is not published due to small numbers."
    if r.missing_reason:
        return f"No value is available for {area}{_in(r.period)}: {_e(r.missing_reason)}."
    return f"No value is available for {area}{_in(r.period)}; the reason is not recorded."


def _worse_paragraph(r: _Row, label: str, area: str, measure: str | None, events: str) -> str:
    if not r.has_value:
        return f"<strong>{label}</strong> - {_missing_body(r, area, measure)}"
    change = _change_clause(r, area, measure)
    return _join_sentences(
        [
            f"<strong>{label}</strong> - {_rank_sentence(r, area)}",
            f"{change}." if change else None,
            _latest_sentence(r, area),
            _since_sentence(r, area),
            _previously_sentence(r, area, measure),
            _small_numbers(r, area, events),
        ]
    )


def _higher_lower_paragraph(
    r: _Row, label: str, area: str, measure: str | None, events: str
) -> str:
    where = ""
    if _previous_differs(r):
        where = (
            f" (where it performed {_status(r, r.previous_comparison, _benchmark(r, 'England'))})"
        )
    change = _change_clause(r, area, measure, where)
    if change:
        body = f"{change}, which is {_comparison_clause(r)}."
        previously = None
    else:
        body = _latest_sentence(r, area)
        previously = _previously_sentence(r, area, measure)
    return _join_sentences(
        [
            f"<strong>{label}</strong> - {_rank_sentence(r, area)}",
            body,
            previously,
            _since_sentence(r, area, for_this=True),
            _small_numbers(r, area, events),
        ]
    )


# ------------------------------------------------------------------------------------------
# Performance-summary bullets
# ------------------------------------------------------------------------------------------


def _tail_clause(
    n: int, predicate_one: str, predicate_many: str, where: str = "", capitalise: bool = False
) -> str:
    noun = count_phrase(n, "indicator", capitalise=capitalise)
    return f"{noun}{where} {predicate_one if n == 1 else predicate_many}"


def _counts_html(rows: Sequence[_Row], topic: str) -> str | None:
    if not rows:
        return None
    counts = dict.fromkeys(Category, 0)
    for r in rows:
        counts[_category(r)] += 1
    compared_rag = any(
        _category(r) in (Category.GREEN, Category.AMBER, Category.RED)
        and (r.polarity.is_rag or r.basis == BASIS_GOAL)
        for r in rows
    )
    if compared_rag or counts[Category.GREEN] or counts[Category.RED]:
        main_cats = (Category.GREEN, Category.AMBER, Category.RED)
        tail_cats = (Category.NOT_COMPARED, Category.HIGHER, Category.LOWER, Category.QUINTILE)
    else:  # a section without polarity: amber, higher and lower are the main counts
        main_cats = (Category.AMBER, Category.HIGHER, Category.LOWER)
        tail_cats = (Category.NOT_COMPARED, Category.QUINTILE)
    words = {
        Category.GREEN: "green",
        Category.AMBER: "amber",
        Category.RED: "red",
        Category.HIGHER: "higher",
        Category.LOWER: "lower",
    }
    main = [
        f"{number_word(counts[c])} {pluralise(counts[c], 'is', 'are')} {words[c]}"
        for c in main_cats
        if counts[c]
    ]
    predicates = {
        Category.NOT_COMPARED: ("is not compared", "are not compared"),
        Category.HIGHER: ("is higher than national", "are higher than national"),
        Category.LOWER: ("is lower than national", "are lower than national"),
        Category.QUINTILE: (
            "is compared with national quintiles",
            "are compared with national quintiles",
        ),
    }
    tails = [(c, counts[c]) for c in tail_cats if counts[c]]
    sentences = []
    if main:
        sentences.append(
            f"Out of all the comparable indicators presented for {topic}, {join_words(main)}."
        )
    clauses = []
    for i, (c, n) in enumerate(tails):
        where = f" presented for {topic}" if (i == 0 and not main) else ""
        clauses.append(_tail_clause(n, *predicates[c], where=where, capitalise=(i == 0)))
    if clauses:
        joined = (
            clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + ", and " + clauses[-1]
        )
        sentences.append(f"{joined}.")
    return " ".join(sentences)


def counts_bullet(table: pd.DataFrame, topic: str) -> Narrative | None:
    """Bullet 1: how many rows are green, amber, red, higher, lower or not compared.

    Parameters
    ----------
    table : pandas.DataFrame
        The section's rows of the indicator summary table.
    topic : str
        What the indicators are presented for, as it follows "presented for":
        ``"the enabling the best start in life priority"`` or ``"supporting mental health"``.

    Returns
    -------
    Narrative or None
        "Out of all the comparable indicators presented for {topic}, seven are green, 13 are
        amber and four are red. Two indicators are not compared, and two indicators are lower
        than national." In a section without polarity the main clause is amber, higher and
        lower ("one is amber, two are higher and one is lower"). The counts add up to the
        number of rows. ``None`` for an empty table.
    """
    _, rows = _prepare(table)
    markup = _counts_html(rows, _e(topic))
    return None if markup is None else Narrative(markup)


def _against(rows: Sequence[_Row]) -> str:
    bases = {r.basis for r in rows}
    if bases == {BASIS_ENGLAND}:
        return "England"
    if bases == {BASIS_GOAL}:
        return "the benchmark"
    return "England/benchmark"


def _list_intro(area: str, word: str, rows: Sequence[_Row]) -> str:
    n = len(rows)
    which = "the following indicator:" if n == 1 else f"the following {number_word(n)} indicators:"
    return f"{area} performed significantly {word} than {_against(rows)} for {which}"


def _paragraph_bullet(table, area, measures, events, keep, word, paragraph) -> Narrative | None:
    ordered, rows = _prepare(table)
    labels = _labels(rows)
    chosen = [(r, lab) for r, lab in zip(rows, labels, strict=True) if keep(r)]
    if not chosen:
        return None
    a = _e(area)
    paras = "".join(
        f"<p>{paragraph(r, _e(lab), a, _lookup(measures, r), _events(events, r))}</p>"
        for r, lab in chosen
    )
    return Narrative(f"{_list_intro(a, word, [r for r, _ in chosen])}{paras}")


def significantly_worse_bullet(
    table: pd.DataFrame,
    area: str,
    *,
    measures: Mapping[str, str] | None = None,
    events: Mapping[str, str] | None = None,
) -> Narrative | None:
    """Bullet 2: "{area} performed significantly worse than England for the following …".

    One paragraph per row of :func:`significantly_worse_rows` (see
    :func:`indicator_paragraph`). "than England", "than the benchmark" or, when the rows mix
    the two, "than England/benchmark".

    Parameters
    ----------
    table : pandas.DataFrame
        The section's rows.
    area : str
    measures : mapping, optional
        ``key`` → measure description without an article, for the change sentences.
    events : mapping, optional
        ``key`` → plural noun for the small-numbers sentence (default "events").

    Returns
    -------
    Narrative or None
        ``None`` when no row is significantly worse.
    """
    return _paragraph_bullet(table, area, measures, events, _is_worse, "worse", _worse_paragraph)


def significantly_higher_bullet(
    table: pd.DataFrame,
    area: str,
    *,
    measures: Mapping[str, str] | None = None,
    events: Mapping[str, str] | None = None,
) -> Narrative | None:
    """Bullet 3 (no polarity): "{area} performed significantly higher than England for …".

    Paragraph: "**X** - Rutland is ranked 15<sup>th</sup> out of 16 in 2021. The {measure} has
    increased from 27.5% in 2020 (where it performed statistically similar to England) to
    28.0% in 2021, which is significantly higher than the national average of 20.2%."
    followed, when the status has lasted, by "Rutland has performed significantly higher than
    England for this indicator since {year}." ``None`` when no row is Higher.
    """
    return _paragraph_bullet(
        table,
        area,
        measures,
        events,
        lambda r: _category(r) is Category.HIGHER,
        "higher",
        _higher_lower_paragraph,
    )


def significantly_lower_bullet(
    table: pd.DataFrame,
    area: str,
    *,
    measures: Mapping[str, str] | None = None,
    events: Mapping[str, str] | None = None,
) -> Narrative | None:
    """Bullet 3 (no polarity): as :func:`significantly_higher_bullet`, for ``Lower`` rows."""
    return _paragraph_bullet(
        table,
        area,
        measures,
        events,
        lambda r: _category(r) is Category.LOWER,
        "lower",
        _higher_lower_paragraph,
    )


def _list_items(chosen, area: str, events, bold: bool) -> str:
    items = []
    for r, lab in chosen:
        name = f"<strong>{_e(lab)}</strong>" if bold else _e(lab)
        caveat = _small_numbers(r, area, _events(events, r))
        items.append(f"<li>{name}{' - ' + caveat if caveat else ''}</li>")
    return f"<ul>{''.join(items)}</ul>"


def rank1_green_bullet(
    table: pd.DataFrame, area: str, *, events: Mapping[str, str] | None = None
) -> Narrative | None:
    """Bullet 4: green rows ranked 1st among the similar areas.

    "Of the seven green indicators, Rutland ranks 1<sup>st</sup> (best performing) when
    compared to its similar neighbours for the following indicator:" then a bold list.
    ``None`` when no green row is ranked 1.
    """
    _, rows = _prepare(table)
    labels = _labels(rows)
    chosen = [(r, lab) for r, lab in zip(rows, labels, strict=True) if _is_rank1_green(r)]
    if not chosen:
        return None
    a = _e(area)
    n_green = sum(_category(r) is Category.GREEN for r in rows)
    intro = (
        f"Of the {number_word(n_green)} green {pluralise(n_green, 'indicator')}, {a} ranks "
        f"{ordinal_html(1)} (best performing) when compared to its similar neighbours for "
        f"the following {pluralise(len(chosen), 'indicator')}:"
    )
    return Narrative(intro + _list_items(chosen, a, events, bold=True))


def bottom_three_bullet(
    table: pd.DataFrame, area: str, *, events: Mapping[str, str] | None = None
) -> Narrative | None:
    """Bullet 5: indicators in the bottom three of the similar areas (:func:`bottom_three_rows`).

    "There are currently five indicators where, when compared to similar areas, Rutland
    performs in the bottom three (worse performing):" then a plain list. ``None`` when empty.
    """
    _, rows = _prepare(table)
    labels = _labels(rows)
    chosen = [(r, lab) for r, lab in zip(rows, labels, strict=True) if _is_bottom_three(r)]
    if not chosen:
        return None
    a = _e(area)
    n = len(chosen)
    verb = "is" if n == 1 else "are"
    intro = (
        f"There {verb} currently {count_phrase(n, 'indicator')} where, when compared to "
        f"similar areas, {a} performs in the bottom three (worse performing):"
    )
    return Narrative(intro + _list_items(chosen, a, events, bold=False))


def _quintile_paragraph(r: _Row, area: str, measure: str | None, events: str) -> str:
    label = r.compared
    now = _quintile_phrase(label)
    where = ""
    if r.previous_comparison not in (None, Comparison.NOT_COMPARED.value):
        where = f" (where {area} performed in {_quintile_phrase(r.previous_comparison)} nationally)"
    change = _change_clause(r, area, measure, where)
    if change:
        body = f"{change}, where {area} now performs in {now}."
    else:
        body = f"The latest value for {area} is {_v(r, r.value)}{_in(r.period)}, where {area} performs in {now} nationally."
    return _join_sentences(
        [body, _rank_neighbours_sentence(r, area), _small_numbers(r, area, events)]
    )


def _single_paragraph(r: _Row, area: str, measure: str | None, events: str) -> str:
    if not r.has_value:
        return _missing_body(r, area, measure)
    if r.basis == BASIS_QUINTILES and r.compared is not None:
        return _quintile_paragraph(r, area, measure, events)
    change = _change_clause(r, area, measure)
    return _join_sentences(
        [
            f"{change}." if change else None,
            _latest_sentence(r, area),
            _since_sentence(r, area),
            _previously_sentence(r, area, measure),
            _rank_neighbours_sentence(r, area),
            _small_numbers(r, area, events),
        ]
    )


def single_indicator_bullets(
    table: pd.DataFrame,
    area: str,
    topic: str,
    *,
    measures: Mapping[str, str] | None = None,
    events: Mapping[str, str] | None = None,
) -> list[Narrative]:
    """Bullets for a section with exactly one indicator (docs/chapters.md §1.5 item 6, P4).

    Returns two bullets: "The one indicator presented below for {topic} is the {indicator}
    indicator." and its description. With national quintiles: "The {measure} has decreased
    from 94.6% in 2019/20 (where Rutland performed in the 2<sup>nd</sup> best quintile
    nationally) to 77.7% in 2020/21, where Rutland now performs in the middle quintile.
    Rutland is ranked 8<sup>th</sup> out of 16 when compared to its nearest neighbours."
    Otherwise the change, the comparison with England or the goal, and the rank.

    Raises
    ------
    ValueError
        If ``table`` does not have exactly one row.
    """
    _, rows = _prepare(table)
    if len(rows) != 1:
        raise ValueError(
            f"table: expected exactly one row for a single-indicator section, got {len(rows)}"
        )
    r = rows[0]
    a = _e(area)
    intro = Narrative(
        f"The one indicator presented below for {_e(topic)} is the {_e(r.indicator)} indicator."
    )
    body = Narrative(_single_paragraph(r, a, _lookup(measures, r), _events(events, r)))
    return [intro, body]


def performance_summary(
    table: pd.DataFrame,
    area: str,
    topic: str,
    *,
    measures: Mapping[str, str] | None = None,
    events: Mapping[str, str] | None = None,
) -> Narrative:
    """A section's Performance Summary: the bullets of docs/chapters.md §1.5, empty ones omitted.

    Order: counts; significantly worse; significantly higher; significantly lower; ranked
    1st (green); bottom three. A one-row section opens with the single-indicator bullets
    instead of the counts and paragraph lists; the ranked-1st and bottom-three bullets follow
    in every section alike.

    Parameters
    ----------
    table : pandas.DataFrame
        The section's rows of the indicator summary table (``analysis.columns``).
    area : str
        Area name ("Rutland"); any upper-tier authority.
    topic : str
        Follows "presented for": "the enabling the best start in life priority".
    measures, events : mapping, optional
        ``key`` → measure description / plural event noun (see :func:`indicator_paragraph`).

    Returns
    -------
    Narrative
        ``<ul class="performance-summary">`` with one ``<li>`` per bullet; for an empty table,
        one bullet "No indicators are presented for {topic}."

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"indicator": ["A", "B"], "period": "2021", "value": [1.0, 2.0],
    ...     "unit": "%", "polarity": "High is good", "rank": [1, 16], "n_ranked": 16,
    ...     "england": 1.5, "comparison": ["Better", "Similar"], "comparison_basis": "England"})
    >>> print(performance_summary(t, "Rutland", "the example priority").text)
    - Out of all the comparable indicators presented for the example priority, one is green and one is amber.
    - Of the one green indicator, Rutland ranks 1st (best performing) when compared to its similar neighbours for the following indicator:
    - A
    - There is currently one indicator where, when compared to similar areas, Rutland performs in the bottom three (worse performing):
    - B
    """
    _, rows = _prepare(table)
    css = "performance-summary"
    if not rows:
        return _bullets([Narrative(f"No indicators are presented for {_e(topic)}.")], css)
    kw = {"measures": measures, "events": events}
    if len(rows) == 1:
        first = single_indicator_bullets(table, area, topic, **kw)
    else:
        first = [
            counts_bullet(table, topic),
            significantly_worse_bullet(table, area, **kw),
            significantly_higher_bullet(table, area, **kw),
            significantly_lower_bullet(table, area, **kw),
        ]
    rest = [
        rank1_green_bullet(table, area, events=events),
        bottom_three_bullet(table, area, events=events),
    ]
    return _bullets([*first, *rest], css)


# ------------------------------------------------------------------------------------------
# Board summary (docs/chapters.md §1.5 item 7)
# ------------------------------------------------------------------------------------------


def _change_note(current: Sequence[tuple[str, str]], previous: Sequence[tuple[str, str]]) -> str:
    now = dict(current)
    before = dict(previous)
    if set(now) == set(before):
        return "(No change from previous HWB report)"
    added = [now[k] for k in now if k not in before]
    dropped = [before[k] for k in before if k not in now]
    parts = []
    if added:
        parts.append(f"newly listed: {join_words(added)}")
    if dropped:
        parts.append(f"no longer listed: {join_words(dropped)}")
    return f"(Changes from previous HWB report: {'; '.join(parts)})"


def _keyed(rows: Sequence[_Row], labels: Sequence[str], keep) -> list[tuple[str, str]]:
    return [(r.key, _e(lab)) for r, lab in zip(rows, labels, strict=True) if keep(r)]


def board_summary(
    table: pd.DataFrame,
    area: str,
    *,
    section_labels: Mapping[str, str] | None = None,
    previous: pd.DataFrame | None = None,
) -> Narrative:
    """The chapter-level summary for the board's cover report (docs/chapters.md §1.5 item 7).

    Two bullets: the highest ranked indicators (:func:`highest_ranked_rows`) grouped by
    section, "Highest ranked areas within Priority 1 include A and B."; and the worsening
    indicators (:func:`worsening_rows`: direction of travel "… and getting worse", or ranked
    last of n with polarity), each with its section, rank and trend.

    Parameters
    ----------
    table : pandas.DataFrame
        The whole chapter's summary table (with a ``section`` column).
    area : str
    section_labels : mapping, optional
        ``section`` code → label ("P1" → "Priority 1"); default the code itself.
    previous : pandas.DataFrame, optional
        The previous release's summary table. When given, each bullet ends with "(No change
        from previous HWB report)" if its list of indicators (by ``key``) is unchanged, or
        names the indicators newly listed and no longer listed.

    Raises
    ------
    ValueError
        If ``previous`` is given and either table lacks a ``key`` for some row.
    """
    _, rows = _prepare(table)
    labels = _labels(rows)
    a = _e(area)
    names = section_labels or {}

    def section_label(r: _Row) -> str:
        return _e(names.get(r.section, r.section) if r.section is not None else "this chapter")

    # highest ranked, grouped by section in display order
    by_section: dict[str, list[str]] = {}
    for r, lab in zip(rows, labels, strict=True):
        if _is_highest(r):
            by_section.setdefault(section_label(r), []).append(_e(lab))
    if by_section:
        sentences = " ".join(
            f"Highest ranked areas within {s} include {join_words(labs)}."
            for s, labs in by_section.items()
        )
        top = (
            f"The report highlights areas where {a} performs well in comparison to other "
            f"similar areas: {sentences}"
        )
    else:
        top = f"{a} is not ranked {ordinal_html(1)} among its similar areas for any indicator."

    items = []
    for r, lab in zip(rows, labels, strict=True):
        if not _is_worsening(r):
            continue
        reasons = []
        if _is_last(r):
            reasons.append(
                f"{a} is ranked {ordinal_html(r.rank)} out of {r.n_ranked}{_in(r.period)}"
            )
        if is_getting_worse(r.trend):
            reasons.append(f"the recent trend is {_e(r.trend.lower())}")
        items.append(
            f"<li><strong>{_e(lab)}</strong> ({section_label(r)}) - "
            f"{capitalise_first('; '.join(reasons))}.</li>"
        )
    if items:
        worse = (
            f"There are also areas where {a} is performing comparatively poorly. The "
            f"following are areas where there are worsening indicators:<ul>{''.join(items)}</ul>"
        )
    else:
        worse = f"No indicators for {a} are getting worse or ranked last among its similar areas."

    if previous is not None:
        _, prev_rows = _prepare(previous, "previous")
        for name, rs in (("table", rows), ("previous", prev_rows)):
            if any(r.key is None for r in rs):
                raise ValueError(
                    f"{name}: every row needs a key to compare with the previous report "
                    "(rule: key column present and filled)"
                )
        prev_labels = _labels(prev_rows)
        top += " " + _change_note(
            _keyed(rows, labels, _is_highest), _keyed(prev_rows, prev_labels, _is_highest)
        )
        worse += " " + _change_note(
            _keyed(rows, labels, _is_worsening), _keyed(prev_rows, prev_labels, _is_worsening)
        )
    return _bullets([Narrative(top), Narrative(worse)], "board-summary")


# ------------------------------------------------------------------------------------------
# Data notes
# ------------------------------------------------------------------------------------------


def data_notes(
    table: pd.DataFrame,
    area: str,
    *,
    measures: Mapping[str, str] | None = None,
    events: Mapping[str, str] | None = None,
) -> Narrative | None:
    """Missing values, suppression and small numbers, one list item per affected row.

    Items: "**X** - The value for Rutland is not published due to small numbers."; "**X** -
    No value is available for Rutland in 2020/21: {missing_reason}."; "**X** - Rutland's
    value is based on seven events; small numbers make this comparison and its trend
    unreliable."; "**X** - No England value is available for comparison." (England basis);
    "**X** - Note: {value_note}"; "**X** - {comparison_note}" (how a 99.8% interval was
    computed where Fingertips publishes none, or why the value is not compared).

    Returns
    -------
    Narrative or None
        ``<ul class="data-notes">``; ``None`` when there is nothing to note.
    """
    _, rows = _prepare(table)
    labels = _labels(rows)
    a = _e(area)
    items = []
    for r, lab in zip(rows, labels, strict=True):
        name = f"<strong>{_e(lab)}</strong>"
        measure = _lookup(measures, r)
        notes = []
        if not r.has_value:
            notes.append(_missing_body(r, a, measure))
        else:
            notes.append(_small_numbers(r, a, _events(events, r)))
            if r.england is None and r.basis == BASIS_ENGLAND:
                notes.append("No England value is available for comparison.")
            if r.rank is None and r.n_ranked == 1:
                notes.append(f"Not ranked: none of {a}'s comparator areas has a value"
                             f"{_in(r.period)}.")
        if r.value_note:
            notes.append(f"Note: {_e(r.value_note)}")
        if r.has_value and r.comparison_note:
            notes.append(_e(r.comparison_note))
        notes = [n for n in notes if n]
        if notes:
            items.append(f"<li>{name} - {' '.join(notes)}</li>")
    if not items:
        return None
    return Narrative(f'<ul class="data-notes">{"".join(items)}</ul>')


# ------------------------------------------------------------------------------------------
# Single-indicator sentences for the sexual-health and oral-health chapters
# ------------------------------------------------------------------------------------------


def _direction(r: _Row, label: str) -> str:
    """ "higher" or "lower" for a significant label (Better/Worse follow polarity)."""
    if label in (Comparison.HIGHER.value, Comparison.LOWER.value):
        return label.lower()
    better = label == Comparison.BETTER.value
    high_good = r.polarity is Polarity.HIGH_IS_GOOD
    return "higher" if better == high_good else "lower"


def england_comparison_sentence(
    row: Any,
    area: str,
    *,
    verb: str = "had",
    measure: str = "value",
    comparators: str | None = None,
    events: str = "events",
) -> Narrative:
    """One indicator against England (or a benchmark), in the SHNA's style.

    "In 2014 Rutland screened a significantly lower percentage of 15-24 year olds for
    chlamydia (18.9%) than England (23.9%), so Rutland performs worse than England on this
    indicator. Rutland is ranked 9<sup>th</sup> of 11 comparator authorities, where 1 is the
    best."

    Parameters
    ----------
    row : pandas.Series or mapping
        One row of the indicator summary table.
    area : str
    verb : str
        Past-tense verb before the measure ("screened", "had").
    measure : str
        Noun phrase without an article ("percentage of 15-24 year olds for chlamydia").
    comparators : str, optional
        Plural noun for the ranked set ("comparator authorities"). When given and the row has
        a rank, adds "{area} is ranked 3<sup>rd</sup> of 11 {comparators}, where 1 is the best"
        ("the lowest" without polarity).
    events : str
        Plural noun for the small-numbers sentence.

    Returns
    -------
    Narrative
        Significant: "a significantly higher|lower {measure} ({value}) than England
        ({england})", plus ", so {area} performs better|worse than England on this
        indicator" for indicators with polarity; Similar: "a {measure} ({value}) statistically
        similar to England ({england})"; a goal colour: "a {measure} of {value}, which is
        below the benchmarking goal of 80%"; quintiles: "a {measure} of {value}, in the
        middle quintile nationally"; Not compared: "a {measure} of {value} (England:
        {england}); this value is not compared with England". A suppressed or missing value
        gives the suppression or missing-value sentence and nothing else.
    """
    r = _row(row)
    a, v, m = _e(area), _e(verb), _e(measure)
    if not r.has_value:
        return missing_value_sentence(row, area, measure=f"{measure} for {area}")
    start = f"In {_e(r.period)} {a}" if r.period else a
    value = _v(r, r.value)
    label = r.compared
    if label is None:
        england = f" (England: {_v(r, r.england)})" if r.england is not None else ""
        first = f"{start} {v} a {m} of {value}{england}; this value is not compared with England."
    elif r.basis == BASIS_QUINTILES:
        first = f"{start} {v} a {m} of {value}, {_comparison_clause(r)}."
    elif label in (g.value for g in GoalComparison):
        first = f"{start} {v} a {m} of {value}, which is {_comparison_clause(r)}."
    else:
        bench = "the benchmark" if r.basis == BASIS_GOAL else "England"
        number = (
            _goal_numbers(r, label)
            if r.basis == BASIS_GOAL
            else (_v(r, r.england) if r.england is not None else "")
        )
        bench_n = f"{bench} ({number})" if number else bench
        if label == Comparison.SIMILAR.value:
            first = f"{start} {v} a {m} ({value}) statistically similar to {bench_n}."
        else:
            first = (
                f"{start} {v} a significantly {_direction(r, label)} {m} ({value}) than {bench_n}"
            )
            if label in (Comparison.BETTER.value, Comparison.WORSE.value):
                first += f", so {a} performs {label.lower()} than {bench} on this indicator"
            first += "."
    rank = None
    if comparators and r.rank is not None:
        of = f" of {r.n_ranked}" if r.n_ranked is not None else ""
        best = "the best" if r.polarity.is_rag else "the lowest"
        rank = f"{a} is ranked {ordinal_html(r.rank)}{of} {_e(comparators)}, where 1 is {best}."
    return Narrative(_join_sentences([first, rank, _small_numbers(r, a, _e(events))]))


def _plain_number(value: Any, unit: str, decimals: int) -> str:
    return _e(format_value(value, unit, decimals))


def plain_comparison_sentence(
    value: float,
    national: float,
    *,
    period: str,
    measure: str = "dental access rate",
    population: str | None = None,
    unit: str = "%",
    decimals: int = 2,
) -> Narrative:
    """A value against the national rate without a significance test (docs/chapters.md §3.2).

    "The dental access rate from January to June 2022 was **42.49%** for 0-17 year olds,
    which was **higher than** the national rate of **33.62%**." The comparison is of the
    values as printed (``decimals`` places): equal printed values read "the same as".

    Parameters
    ----------
    value, national : float
        The area's and the national value (already computed).
    period : str
        The window, named as the source names it ("January to June 2022").
    measure : str
        Singular noun phrase without an article.
    population : str, optional
        Who the rate covers ("0-17 year olds"), placed after the value.
    unit : str
    decimals : int
        Decimal places as published (the slide prints two).
    """
    m, p = _e(measure), _e(period)
    who = f" for {_e(population)}" if population else ""
    if is_missing(value):
        return Narrative(f"The {m}{who} from {p} is not available.")
    shown = _plain_number(value, unit, decimals)
    if is_missing(national):
        return Narrative(
            f"The {m} from {p} was <strong>{shown}</strong>{who}; "
            "no national rate is available for comparison."
        )
    nat = _plain_number(national, unit, decimals)
    if shown == nat:
        words = "the same as"
    else:
        words = "higher than" if float(value) > float(national) else "lower than"
    return Narrative(
        f"The {m} from {p} was <strong>{shown}</strong>{who}, which was "
        f"<strong>{words}</strong> the national rate of <strong>{nat}</strong>."
    )


def relative_change_sentence(
    change: float,
    national_change: float | None,
    *,
    periods: str,
    measure: str = "dental access rates",
    population: str | None = None,
    decimals: int = 2,
) -> Narrative:
    """A relative change, with the national change beside it (docs/chapters.md §3.2).

    "The relative **decrease** in dental access rates from 2019 to 2022 (January to June) was
    **-16.49%** (national rates decreased by **-22.86%**)." The signed percentages are
    printed as the slide prints them; the changes arrive already computed.

    Parameters
    ----------
    change, national_change : float
        Relative changes in percent (negative for a decrease); ``national_change`` may be
        missing, which drops the bracket.
    periods : str
        "2019 to 2022 (January to June)".
    measure : str
        Plural noun phrase ("dental access rates").
    population : str, optional
        "0-17 year olds", placed after the value as on the slide.
    decimals : int
    """
    m, p = _e(measure), _e(periods)
    who = f" for {_e(population)}" if population else ""
    if is_missing(change):
        return Narrative(f"The relative change in {m}{who} from {p} is not available.")
    shown = _e(format_number(change, decimals))
    if is_missing(national_change):
        national = ""
    else:
        nat = _e(format_number(national_change, decimals))
        if float(nat.replace(",", "")) == 0:
            national = " (national rates did not change)"
        else:
            verb = "decreased" if float(national_change) < 0 else "increased"
            national = f" (national rates {verb} by <strong>{nat}%</strong>)"
    if float(shown.replace(",", "")) == 0:
        return Narrative(f"There was no relative change in {m} from {p}{who}{national}.")
    kind = "decrease" if float(change) < 0 else "increase"
    return Narrative(
        f"The relative <strong>{kind}</strong> in {m} from {p} was "
        f"<strong>{shown}%</strong>{who}{national}."
    )
