"""The indicator summary table: one row per catalogue indicator for the subject area.

:func:`indicator_summary` joins the tidy store, the catalogue and the statistical methods into
the table every chapter prints (columns :data:`~rutland_jsna.analysis.columns.SUMMARY_COLUMNS`):

* the latest period of each indicator (its sex and age, no inequality category), chosen over all
  areas that have a value, so an area without a value there shows "no data for this period";
* the area's value, interval (at the indicator's comparison level), count and denominator;
* rank among the area and its comparators with a value (:func:`~rutland_jsna.stats.ranking.rank_areas`:
  1 = best by polarity, lowest when there is none; ties share the lowest rank; missing values
  are not ranked; no rank when no comparator has a value), the number ranked, best and worst
  (:func:`~rutland_jsna.stats.ranking.rank_summary`);
* England's value and the comparison: with England (:func:`~rutland_jsna.stats.compare.compare_to_benchmark`),
  with a goal (:func:`~rutland_jsna.stats.compare.compare_to_goal`) or by national quintile
  (:func:`~rutland_jsna.stats.quantiles.quintiles` over all upper-tier authorities);
* direction of travel (:func:`~rutland_jsna.stats.trend.recent_trend` on the area's annual
  series: chi-square test on counts for proportions, weighted regression on CIs otherwise);
* the previous period, value and comparison, and the first period of the current unbroken run
  of the same comparison;
* suppression, small numbers (fewer than 10 events), counts of 1 to 4 withheld on display
  (:func:`~rutland_jsna.stats.disclosure.suppress_small_counts`, primary suppression: the
  summary is one row per indicator, so there is no total to protect) and the reason a value
  is missing.

Every statistic comes from :mod:`rutland_jsna.stats`; this module only selects and joins, with
grouped pandas operations over all indicators at once (no loop per indicator).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from ..config import ENGLAND_CODE
from ..data import columns as T
from ..data.catalogue_model import ComparisonMethod, Indicator, ValueType
from ..stats.compare import compare_to_benchmark, compare_to_goal
from ..stats.disclosure import DISCLOSURE_MAX_COUNT, SMALL_NUMBER_EVENTS, suppress_small_counts
from ..stats.labels import Comparison, GoalComparison, Polarity, TrendLabel
from ..stats.quantiles import quintiles
from ..stats.ranking import rank_areas, rank_summary
from ..stats.trend import recent_trend
from . import columns as C
from .limits import LIMITS_NOTE
from .select import ROW_LOWER, ROW_UPPER, catalogue_frame, indicator_rows

__all__ = [
    "AREA",
    "MISSING_REASONS",
    "area_summaries",
    "comparator_groups",
    "indicator_summary",
    "national_codes_in",
    "prepare_rows",
    "empty_summary",
]


NO_ID = "no verified Fingertips indicator id"
NOT_IN_STORE = "indicator not in the data store"
NO_DATA_PERIOD = "no data for this period"
SUPPRESSED_REASON = "value suppressed for disclosure control"
NOT_PUBLISHED = "value not published for this period"

#: Every ``missing_reason`` this module writes (besides "" and "not published: <note>").
MISSING_REASONS: tuple[str, ...] = (NO_ID, NOT_IN_STORE, NO_DATA_PERIOD, SUPPRESSED_REASON,
                                    NOT_PUBLISHED)

_NOT_ANNUAL = "Time periods are not annual"
#: Value types Fingertips publishes no recent trend for (its "Recent Trend" column is "Cannot
#: be calculated" on every indirectly standardised ratio or proportion, e.g. 91344, 41101).
NO_TREND_VALUE_TYPES: tuple[str, ...] = (ValueType.ISR.value,)
_NO_TREND_ISR = "Fingertips publishes no recent trend for indirectly standardised ratios"
_NO_LATEST = "No value for the latest period"
_NO_SERIES = "No data"
_UPPER_TIER = re.compile(r"^E(06|08|09|10)\d{6}$")
_ANNUAL_TEXT = re.compile(r"^\d{4}(/\d{2})?$")
_SUPPRESSION_NOTE = re.compile(r"suppress|disclos", re.IGNORECASE)

_SORT = T.TIME_PERIOD_SORTABLE
_RANGE = T.TIME_PERIOD_RANGE


def empty_summary() -> pd.DataFrame:
    """A summary table with no rows and the contract's columns."""
    return pd.DataFrame({c: pd.Series([], dtype=_DTYPES.get(c, "object")) for c in C.SUMMARY_COLUMNS})


_DTYPES = {
    C.ORDER: "int64", C.FINGERTIPS_ID: "Int64", C.RANK: "Int64", C.N_RANKED: "Int64",
    C.VALUE: "float64", C.LOWER_CI: "float64", C.UPPER_CI: "float64", C.COUNT: "float64",
    C.DENOMINATOR: "float64", C.BEST: "float64", C.WORST: "float64", C.ENGLAND: "float64",
    C.GOAL_LOWER: "float64", C.GOAL_UPPER: "float64", C.PREVIOUS_VALUE: "float64",
    C.CI_LEVEL: "float64", C.SUPPRESSED: "bool", C.SMALL_NUMBERS: "bool",
    C.COUNT_SUPPRESSED: "bool",
}


def national_codes_in(data: pd.DataFrame) -> list[str]:
    """The upper-tier authority codes present in ``data`` (E06, E08, E09, E10)."""
    codes = pd.Series(data[T.AREA_CODE].unique()).astype("str")
    return sorted(codes[codes.str.match(_UPPER_TIER)].tolist())


def _range_key(frame: pd.DataFrame) -> pd.Series:
    """Time period range with blanks as "" (so it can be a merge key)."""
    return frame[_RANGE].astype("object").where(frame[_RANGE].notna(), "").astype("str")


def _latest_periods(rows: pd.DataFrame) -> pd.DataFrame:
    """Per key: the latest period with a value anywhere, its range and its printed label."""
    valued = rows[rows[T.VALUE].notna()]
    if valued.empty:
        return pd.DataFrame(columns=[C.KEY, _SORT, "range", C.PERIOD])
    latest = valued.groupby(C.KEY, sort=False)[_SORT].transform("max")
    at = valued[valued[_SORT] == latest]
    counts = (
        at.groupby([C.KEY, "range", _SORT], sort=True)
        .agg(n=(T.AREA_CODE, "size"), period=(T.TIME_PERIOD, "first"))
        .reset_index()
        .sort_values([C.KEY, "n", "range"], ascending=[True, False, True], kind="stable")
        .drop_duplicates(C.KEY)
    )
    return counts.rename(columns={"period": C.PERIOD})[[C.KEY, _SORT, "range", C.PERIOD]]


def prepare_rows(
    data: pd.DataFrame, indicators: Sequence[Indicator] | pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """The rows the summary and the chart series use: each indicator's latest period range.

    :func:`~rutland_jsna.analysis.select.indicator_rows` plus the catalogue fields the methods
    need (``polarity``, ``value_type``, ``comparison_method``, goals), ``range`` (the time
    period range, blank as "") and ``latest_sortable`` (the indicator's latest period with a
    value in any area). Rows of other period ranges than the latest one's are dropped, so a
    series never mixes annual and 3-year periods.
    """
    cat = (
        indicators
        if isinstance(indicators, pd.DataFrame)
        else catalogue_frame(list(indicators), confidence)
    )
    meta_cols = [C.KEY, C.POLARITY, C.VALUE_TYPE, "comparison_method", C.GOAL_LOWER,
                 C.GOAL_UPPER, "goal_uses_ci"]
    rows = indicator_rows(data, cat)
    rows["range"] = _range_key(rows)
    rows = rows.merge(cat[meta_cols], on=C.KEY, how="left")
    latest = _latest_periods(rows).rename(columns={_SORT: "latest_sortable"})
    return rows.merge(latest[[C.KEY, "range", "latest_sortable"]], on=[C.KEY, "range"],
                      how="inner")


def _comparisons(frame: pd.DataFrame, national: pd.DataFrame) -> pd.Series:
    """Comparison label of each row of ``frame`` by its indicator's method (vectorised)."""
    out = pd.Series(Comparison.NOT_COMPARED.value, index=frame.index, dtype="object")
    method = frame["comparison_method"]
    eng = method == ComparisonMethod.ENGLAND.value
    if eng.any():
        f = frame[eng]
        out[eng] = compare_to_benchmark(
            f[T.VALUE], f[ROW_LOWER], f[ROW_UPPER], f["england_value"], f[C.POLARITY]
        ).to_numpy()
    goal = method == ComparisonMethod.GOAL.value
    for uses_ci in (False, True):
        m = goal & (frame["goal_uses_ci"] == uses_ci)
        if not m.any():
            continue
        f = frame[m]
        kwargs = {"lower_ci": f[ROW_LOWER], "upper_ci": f[ROW_UPPER]} if uses_ci else {}
        out[m] = compare_to_goal(
            f[T.VALUE], f[C.GOAL_LOWER], f[C.GOAL_UPPER], f[C.POLARITY], **kwargs
        ).to_numpy()
    quint = method == ComparisonMethod.QUINTILES.value
    if quint.any() and not national.empty:
        q = quintiles(national[T.VALUE], national[C.POLARITY], by=national[[C.KEY, _SORT]])
        labels = national[[C.KEY, _SORT, T.AREA_CODE]].assign(q=q["label"].to_numpy())
        f = frame.loc[quint, [C.KEY, _SORT, T.AREA_CODE]].reset_index()
        got = f.merge(labels, on=[C.KEY, _SORT, T.AREA_CODE], how="left").set_index("index")["q"]
        out[quint] = got.where(got.notna(), Comparison.NOT_COMPARED.value).to_numpy()
    return out.astype("str")


#: Column naming the subject area of each row of a multi-area summary.
AREA = "area_code"
_SUBJECT = "_subject"
_MEMBER = "_member"


def _same_since(history: pd.DataFrame) -> pd.Series:
    """Per (area, key): first period of the current unbroken run of the latest comparison."""
    groups = [AREA, C.KEY]
    h = history.sort_values([*groups, _SORT], kind="stable")
    previous = h.groupby(groups, sort=False)[C.COMPARISON].shift()
    run = (h[C.COMPARISON] != previous).cumsum()
    last = run.groupby([h[AREA], h[C.KEY]]).transform("last")
    return h[run == last].groupby(groups, sort=False)[T.TIME_PERIOD].first()


def _trend_one_method(series: pd.DataFrame, method: str) -> pd.DataFrame:
    kwargs = (
        {"numerator": T.COUNT, "denominator": T.DENOMINATOR}
        if method == "proportion"
        else {"value": T.VALUE, "lower_ci": T.LOWER_CI_95, "upper_ci": T.UPPER_CI_95}
    )
    groups = [AREA, C.KEY]
    cols = [*groups, _SORT, C.POLARITY, *kwargs.values()]
    frame = series[cols]
    try:
        return recent_trend(frame, _SORT, by=groups, method=method, polarity=C.POLARITY, **kwargs)
    except ValueError:
        # One indicator's bad data must not stop the chapter: isolate it (rare path).
        parts = []
        for (area, key), group in frame.groupby(groups, sort=True):
            try:
                parts.append(recent_trend(group, _SORT, by=groups, method=method,
                                          polarity=C.POLARITY, **kwargs))
            except ValueError as exc:
                parts.append(pd.DataFrame({AREA: [area], C.KEY: [key], "label": [
                    TrendLabel.CANNOT_BE_CALCULATED.value], "reason": [f"Invalid data: {exc}"]}))
        return pd.concat(parts, ignore_index=True)


def _trends(history: pd.DataFrame, latest: pd.DataFrame) -> pd.DataFrame:
    """Direction of travel per (area, key) on the area's annual series up to the latest period.

    ``latest`` has one row per (area, key) with ``range`` and ``has_latest``.
    """
    groups = [AREA, C.KEY]
    h = history[history[_SORT] <= history["latest_sortable"]]
    annual = (h["range"] == "1y") | ((h["range"] == "") & h[T.TIME_PERIOD].astype("str").str.match(_ANNUAL_TEXT))
    h = h[annual]
    parts = []
    no_trend = h[C.VALUE_TYPE].isin(NO_TREND_VALUE_TYPES)
    h = h[~no_trend]
    proportion = h[C.VALUE_TYPE] == ValueType.PROPORTION.value
    if proportion.any():
        parts.append(_trend_one_method(h[proportion], "proportion"))
    if (~proportion).any():
        parts.append(_trend_one_method(h[~proportion], "ci"))
    result = (
        pd.concat(parts, ignore_index=True)[[*groups, "label", "reason"]]
        if parts
        else pd.DataFrame(columns=[*groups, "label", "reason"])
    )
    result[C.KEY] = result[C.KEY].astype("str")
    result[AREA] = result[AREA].astype("str")
    result = latest[[*groups, "range", "has_latest"]].merge(result, on=groups, how="left")
    cannot = TrendLabel.CANNOT_BE_CALCULATED.value
    not_annual = (result["range"] != "1y") & result["label"].isna() & (result["range"] != "")
    result.loc[not_annual, "reason"] = _NOT_ANNUAL
    no_latest = ~result["has_latest"].astype(bool)
    result.loc[no_latest, "reason"] = _NO_LATEST
    result.loc[no_latest, "label"] = cannot
    isr = result[C.KEY].isin(set(history.loc[history[C.VALUE_TYPE].isin(NO_TREND_VALUE_TYPES),
                                             C.KEY]))
    result.loc[isr, "reason"] = _NO_TREND_ISR
    result.loc[isr, "label"] = cannot
    result["label"] = result["label"].fillna(cannot)
    result["reason"] = result["reason"].fillna(_NO_SERIES)
    return result[[*groups, "label", "reason"]]


def comparator_groups(
    areas: Mapping[str, Iterable[str]],
) -> pd.DataFrame:
    """The ranked group of each subject area: ``_subject, _member`` (the area first).

    The area is added to its own group and removed from its comparators; repeated comparators
    count once (as :func:`indicator_summary` always did).
    """
    subjects: list[str] = []
    members: list[str] = []
    for area, comparators in areas.items():
        group = [area, *(c for c in dict.fromkeys(comparators) if c != area)]
        subjects += [area] * len(group)
        members += group
    return pd.DataFrame({_SUBJECT: subjects, _MEMBER: members}, dtype="object")


def area_summaries(
    data: pd.DataFrame,
    indicators: Sequence[Indicator] | pd.DataFrame,
    comparators: Mapping[str, Iterable[str]],
    confidence: float = 0.95,
    *,
    england_code: str = ENGLAND_CODE,
    national_codes: Iterable[str] | None = None,
    prepared: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`indicator_summary` for many areas at once, vectorised over areas and indicators.

    Parameters
    ----------
    data, confidence, england_code, national_codes, prepared
        As :func:`indicator_summary`.
    indicators : sequence of Indicator, or the output of
        :func:`~rutland_jsna.analysis.select.catalogue_frame`
    comparators : mapping of str to iterable of str
        Subject area → its comparator areas (the group it is ranked in), in output order.

    Returns
    -------
    pandas.DataFrame
        ``area_code`` then :data:`~rutland_jsna.analysis.columns.SUMMARY_COLUMNS`: the rows of
        each area in catalogue order, areas in the order of ``comparators``. The rows of one
        area are exactly :func:`indicator_summary` for that area and its comparators: every
        step is the same grouped operation with the area as one more grouping column —
        comparisons with England or a goal row by row, national quintiles by indicator and
        period, ranks and best/worst by (area, indicator) over each area's own group, the
        recent trend by (area, indicator), previous values and unbroken runs by (area,
        indicator). No statistic loops over areas.
    """
    cat = (
        indicators
        if isinstance(indicators, pd.DataFrame)
        else catalogue_frame(list(indicators), confidence)
    )
    subjects = list(dict.fromkeys(comparators))
    if cat.empty or not subjects:
        return empty_summary().assign(**{AREA: pd.Series([], dtype="object")})[
            [AREA, *C.SUMMARY_COLUMNS]]
    national = list(national_codes) if national_codes is not None else national_codes_in(data)
    rows = prepare_rows(data, cat) if prepared is None else prepared
    latest = _latest_periods(rows).rename(columns={_SORT: "latest_sortable"})

    # England's value at every period, joined to the subject areas' rows.
    england = rows.loc[rows[T.AREA_CODE] == england_code, [C.KEY, _SORT, T.VALUE]].rename(
        columns={T.VALUE: "england_value"}
    )
    history = rows[rows[T.AREA_CODE].isin(subjects)].merge(england, on=[C.KEY, _SORT], how="left")
    history[AREA] = history[T.AREA_CODE].astype("str")
    nat = rows[rows[T.AREA_CODE].isin(national) & (rows["comparison_method"] == ComparisonMethod.QUINTILES.value)]
    history[C.COMPARISON] = _comparisons(history, nat)

    # Latest and previous period of each indicator (the same for every area).
    periods = rows[[C.KEY, _SORT, T.TIME_PERIOD, "latest_sortable"]].drop_duplicates([C.KEY, _SORT])
    before = periods[periods[_SORT] < periods["latest_sortable"]]
    previous = before.sort_values(_SORT).drop_duplicates(C.KEY, keep="last")[
        [C.KEY, _SORT, T.TIME_PERIOD]
    ].rename(columns={_SORT: "previous_sortable", T.TIME_PERIOD: C.PREVIOUS_PERIOD})
    at_latest = history[history[_SORT] == history["latest_sortable"]].drop_duplicates([AREA, C.KEY])
    prev_rows = history.merge(previous, left_on=[C.KEY, _SORT],
                              right_on=[C.KEY, "previous_sortable"], how="inner")
    prev_rows = prev_rows[[AREA, C.KEY, T.VALUE, C.COMPARISON]].drop_duplicates(
        [AREA, C.KEY]).rename(
        columns={T.VALUE: C.PREVIOUS_VALUE, C.COMPARISON: C.PREVIOUS_COMPARISON}
    )
    hist_valued = history[history[T.VALUE].notna() & (history[_SORT] <= history["latest_sortable"])]
    since = _same_since(hist_valued).rename(C.SAME_COMPARISON_SINCE).reset_index()

    # Ranks of each area among its own group at the latest period.
    members = comparator_groups({a: comparators[a] for a in subjects})
    at_latest_all = rows[rows[_SORT] == rows["latest_sortable"]]
    group = members.merge(at_latest_all, left_on=_MEMBER, right_on=T.AREA_CODE, how="inner")
    if group.empty:
        ranks = pd.DataFrame(columns=[AREA, C.KEY, C.RANK])
        rsum = pd.DataFrame(columns=[AREA, C.KEY, C.N_RANKED, C.BEST, C.WORST])
    else:
        # One integer label per (area, indicator) group (cheaper to group by than two text
        # columns for the ~16 × 108 × 153 rows of the whole country); polarity as categories
        # (mapped once per category, not once per row).
        pair = pd.MultiIndex.from_arrays([group[_SUBJECT], group[C.KEY]])
        codes, pairs = pair.factorize()
        by = pd.Series(codes, name="_group")
        polarity = group[C.POLARITY].astype("category").reset_index(drop=True)
        values = group[T.VALUE].reset_index(drop=True)
        r = rank_areas(values, polarity, by=by)
        ranks = group.assign(**{C.RANK: r.to_numpy()})
        ranks = ranks.loc[ranks[_MEMBER] == ranks[_SUBJECT], [_SUBJECT, C.KEY, C.RANK]]
        ranks = ranks.drop_duplicates([_SUBJECT, C.KEY]).rename(columns={_SUBJECT: AREA})
        rsum = rank_summary(values, polarity, by=by)
        labels = pairs[rsum.index.to_numpy(dtype=np.int64)]
        rsum = pd.DataFrame({
            AREA: labels.get_level_values(0).astype("str"),
            C.KEY: labels.get_level_values(1).astype("str"),
            C.N_RANKED: rsum["n_ranked"].to_numpy(), C.BEST: rsum["best"].to_numpy(),
            C.WORST: rsum["worst"].to_numpy(),
        })

    # One row per (area, indicator with a latest period).
    grid = pd.DataFrame({AREA: np.repeat(np.array(subjects, dtype=object), len(latest))})
    grid = pd.concat([grid, pd.concat([latest] * len(subjects), ignore_index=True)], axis=1)
    flags = at_latest[[AREA, C.KEY]].assign(has_latest=True)
    grid = grid.merge(flags, on=[AREA, C.KEY], how="left")
    grid["has_latest"] = grid["has_latest"].fillna(False).astype(bool)
    history = history.merge(grid[[AREA, C.KEY, "has_latest"]], on=[AREA, C.KEY], how="left")
    trends = _trends(history, grid)

    england_latest = rows.loc[
        (rows[T.AREA_CODE] == england_code) & (rows[_SORT] == rows["latest_sortable"]),
        [C.KEY, T.VALUE],
    ].drop_duplicates(C.KEY).rename(columns={T.VALUE: C.ENGLAND})
    area_latest = at_latest[
        [AREA, C.KEY, T.VALUE, ROW_LOWER, ROW_UPPER, T.COUNT, T.DENOMINATOR, T.VALUE_NOTE,
         C.COMPARISON, *([LIMITS_NOTE] if LIMITS_NOTE in at_latest else [])]
    ].rename(columns={ROW_LOWER: C.LOWER_CI, ROW_UPPER: C.UPPER_CI, T.VALUE_NOTE: C.VALUE_NOTE,
                      LIMITS_NOTE: C.COMPARISON_NOTE})
    in_store = pd.Series(True, index=pd.Index(rows[C.KEY].unique(), name=C.KEY), name="in_store")

    out = pd.DataFrame({AREA: np.repeat(np.array(subjects, dtype=object), len(cat)),
                        "_area_position": np.repeat(np.arange(len(subjects)), len(cat))})
    out = pd.concat([out, pd.concat([cat] * len(subjects), ignore_index=True)], axis=1)
    out = out.merge(grid[[AREA, C.KEY, C.PERIOD, "has_latest"]], on=[AREA, C.KEY], how="left")
    for part, on in ((area_latest, [AREA, C.KEY]), (england_latest, [C.KEY]),
                     (ranks, [AREA, C.KEY]), (rsum, [AREA, C.KEY]),
                     (previous[[C.KEY, C.PREVIOUS_PERIOD]], [C.KEY]),
                     (prev_rows, [AREA, C.KEY]), (trends, [AREA, C.KEY]),
                     (since, [AREA, C.KEY])):
        out = out.merge(part, on=on, how="left")
    out = out.merge(in_store, left_on=C.KEY, right_index=True, how="left")
    out["other_series"] = _other_series(data, out)
    out = out.sort_values(["_area_position", "position"], kind="stable").reset_index(drop=True)
    areas = out[AREA].astype("str").to_numpy()
    finished = _finish(out)
    finished.insert(0, AREA, areas)
    return finished


def _other_series(data: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """For catalogue rows not in the store: the sex/age series the store holds for the same
    indicator id ("Persons, Primary school age"), or "" (the id is not in the store at all)."""
    result = pd.Series("", index=out.index, dtype="object")
    wanted = out["lookup_id"].notna() & ~out["in_store"].fillna(False).astype(bool)
    if not wanted.any():
        return result
    ids = out.loc[wanted, "lookup_id"].astype("int64")
    whole = data[T.CATEGORY_TYPE].isna() & data[T.INDICATOR_ID].isin(ids.unique())
    series = (data.loc[whole, [T.INDICATOR_ID, T.SEX, T.AGE]].drop_duplicates()
              .sort_values([T.INDICATOR_ID, T.SEX, T.AGE]))
    listed: dict[int, list[str]] = {}
    for i, sex, age in series.itertuples(index=False, name=None):
        listed.setdefault(int(i), []).append(f"{sex}, {age}")
    result.loc[wanted] = ["; ".join(listed.get(int(i), [])) for i in ids]
    return result


def indicator_summary(
    data: pd.DataFrame,
    indicators: Sequence[Indicator],
    area_code: str,
    comparators: Iterable[str],
    confidence: float = 0.95,
    *,
    england_code: str = ENGLAND_CODE,
    national_codes: Iterable[str] | None = None,
    prepared: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per catalogue indicator for ``area_code`` at the indicator's latest period.

    Parameters
    ----------
    data : pandas.DataFrame
        The tidy store (:data:`rutland_jsna.data.columns.TIDY_COLUMNS`), holding the area, its
        comparators, England and (for quintile indicators) every upper-tier authority.
    indicators : sequence of Indicator
        Catalogue rows, in display order (the output keeps it).
    area_code : str
        The subject area.
    comparators : iterable of str
        Comparator area codes (e.g. the CIPFA nearest neighbours). The area is added to the
        ranked set if absent.
    confidence : {0.95, 0.998}
        Chapter confidence level; an indicator configured at 99.8% always uses 99.8%
        (:func:`rutland_jsna.analysis.select.ci_level`).
    england_code : str
        The benchmark area.
    national_codes : iterable of str, optional
        The areas among which national quintiles are computed; default every upper-tier
        authority code in ``data`` (:func:`national_codes_in`).
    prepared : pandas.DataFrame, optional
        The output of :func:`prepare_rows` for the same data and indicators, when the caller
        already has it (a chapter computes it once for the summary and the charts).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~rutland_jsna.analysis.columns.SUMMARY_COLUMNS`, one row per indicator
        in the order given. Missing numbers are NaN (``<NA>`` for ``rank``/``n_ranked``) and
        ``missing_reason`` says why a value is missing.

    Raises
    ------
    ValueError
        If ``confidence`` is not 0.95 or 0.998 or two indicators share a key.

    Notes
    -----
    * The latest period is the most recent one in which any area has a value. An area with no
      row there gets "no data for this period"; a row with a blank value and a disclosure note
      "value suppressed for disclosure control"; an indicator without a usable id "no verified
      Fingertips indicator id".
    * The previous period is the one before the latest in the same period range, in any area.
    * The direction of travel is "Cannot be calculated" unless the area's series is annual and
      has a value for the latest period (then :func:`~rutland_jsna.stats.trend.recent_trend`
      decides).
    * ``small_numbers`` is set when the count is below 10; ``count_suppressed`` when it is 1 to
      4 (it is still kept in ``count``; the report prints ``*``).
    * This is :func:`area_summaries` for one area: the whole country's table
      (:func:`rutland_jsna.analysis.national.national_statistics`) holds the same rows.
    """
    cat = catalogue_frame(list(indicators), confidence)
    if cat.empty:
        return empty_summary()
    out = area_summaries(data, cat, {area_code: list(comparators)}, confidence,
                         england_code=england_code, national_codes=national_codes,
                         prepared=prepared)
    return out.drop(columns=[AREA])


def _not_in_store(out: pd.DataFrame) -> np.ndarray:
    """"indicator not in the data store", naming the series the store has for the same id
    when it has other ages or sexes (e.g. "Primary school age" where the catalogue asks for
    "School age")."""
    other = out["other_series"].fillna("").astype("str") if "other_series" in out else None
    if other is None:
        return np.full(len(out), NOT_IN_STORE, dtype=object)
    wanted = out["ft_sex"].astype("str") + ", " + out["ft_age"].astype("str")
    text = (NOT_IN_STORE + " for " + wanted + " (the store has this indicator for " + other
            + " only)")
    return np.where(other != "", text, NOT_IN_STORE).astype(object)


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    """Missing reasons, flags, labels for missing rows and the contract's dtypes."""
    value = pd.to_numeric(out[C.VALUE], errors="coerce").astype("float64")
    note = out[C.VALUE_NOTE].astype("object").where(out[C.VALUE_NOTE].notna(), "").astype("str")
    has_id = out["lookup_id"].notna()
    in_store = out["in_store"].fillna(False).astype(bool)
    has_latest = out["has_latest"].fillna(False).astype(bool)
    suppressed = value.isna() & has_latest & note.str.contains(_SUPPRESSION_NOTE)
    reason = np.select(
        [
            ~has_id,
            ~in_store,
            ~has_latest,
            suppressed,
            value.isna() & (note != ""),
            value.isna(),
        ],
        [NO_ID, _not_in_store(out), NO_DATA_PERIOD, SUPPRESSED_REASON,
         "not published: " + note, NOT_PUBLISHED],
        default="",
    )
    out[C.MISSING_REASON] = pd.Series(reason, index=out.index).str.replace(
        r"^not published: (.*)$", lambda m: f"not published ({m.group(1)})", regex=True
    )
    out[C.VALUE] = value
    count = pd.to_numeric(out[T.COUNT], errors="coerce").astype("float64")
    out[C.COUNT] = count
    out[C.SUPPRESSED] = suppressed.to_numpy()
    out[C.SMALL_NUMBERS] = (value.notna() & count.notna() & (count < SMALL_NUMBER_EVENTS)).to_numpy()
    out[C.COUNT_SUPPRESSED] = suppress_small_counts(
        count.to_numpy(), lower=1, upper=DISCLOSURE_MAX_COUNT
    )["suppressed"].to_numpy(dtype=bool)
    method = out["comparison_method"]
    out[C.COMPARISON_BASIS] = np.select(
        [method == ComparisonMethod.GOAL.value, method == ComparisonMethod.QUINTILES.value],
        [C.BASIS_GOAL, C.BASIS_QUINTILES],
        default=C.BASIS_ENGLAND,
    )
    not_compared = np.where(
        method == ComparisonMethod.GOAL.value, GoalComparison.NOT_COMPARED.value,
        Comparison.NOT_COMPARED.value,
    )
    comp = out[C.COMPARISON].astype("object")
    out[C.COMPARISON] = comp.where(comp.notna() & value.notna(), not_compared).astype("str")
    polar = out[C.POLARITY] == Polarity.NOT_APPLICABLE.value
    out.loc[polar & (method == ComparisonMethod.ENGLAND.value), C.COMPARISON] = (
        Comparison.NOT_COMPARED.value
    )
    if C.COMPARISON_NOTE not in out:
        out[C.COMPARISON_NOTE] = ""
    out[C.COMPARISON_NOTE] = (out[C.COMPARISON_NOTE].astype("object")
                              .where(out[C.COMPARISON_NOTE].notna() & value.notna(), "")
                              .astype("str"))
    out[C.TREND] = out["label"].fillna(TrendLabel.CANNOT_BE_CALCULATED.value).astype("str")
    out[C.TREND_REASON] = out["reason"].fillna(_NO_SERIES).astype("str")
    out.loc[~value.notna(), C.SAME_COMPARISON_SINCE] = pd.NA
    for col in (C.PERIOD, C.PREVIOUS_PERIOD, C.SAME_COMPARISON_SINCE, C.PREVIOUS_COMPARISON):
        out[col] = out[col].astype("object").where(out[col].notna(), pd.NA)
    out[C.VALUE_NOTE] = note
    # A rank among one area says nothing: when no comparator has a value, the area is not
    # ranked (n_ranked stays 1, which the data notes explain).
    alone = pd.to_numeric(out[C.N_RANKED], errors="coerce") < 2
    out.loc[alone, C.RANK] = np.nan
    for col, dtype in _DTYPES.items():
        out[col] = out[col].astype(dtype) if dtype != "Int64" else pd.array(
            pd.to_numeric(out[col], errors="coerce"), dtype="Int64"
        )
    for col in (C.PERIOD, C.PREVIOUS_PERIOD, C.SAME_COMPARISON_SINCE, C.PREVIOUS_COMPARISON):
        out[col] = out[col].astype("str").where(out[col].notna(), None)
    return out[list(C.SUMMARY_COLUMNS)]
