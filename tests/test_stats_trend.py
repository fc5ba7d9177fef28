"""Tests for rutland_jsna.stats.trend.recent_trend (Fingertips recent-trend markers).

Expected values come from outside this package:

* ``tests/data/pheindicatormethods/trend_*.csv``: PHEindicatormethods ``assign_trend_markers``
  (add_trend_markers branch, commit be27443) on 2 × 250 random series (tests/data/README.md);
* methods.md §6.7 test vectors (PHEindicatormethods test workbook, Fingertips unit test);
* methods.md §6.6 label table and §6.5 / §10 rules, with hand-worked arithmetic where noted.
"""

from __future__ import annotations

import doctest
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rutland_jsna import stats
from rutland_jsna.stats import trend as trend_module
from rutland_jsna.stats.labels import Polarity
from rutland_jsna.stats.trend import TREND_COLUMNS, recent_trend

DATA = Path(__file__).parent / "data" / "pheindicatormethods"
Z975 = 1.959963984540054  # methods.md §0

PROP = {"numerator": "r", "denominator": "n"}
CI = {"value": "v", "lower_ci": "lo", "upper_ci": "hi", "method": "ci"}

# methods.md §6.6 label table, typed in (not produced by labels.trend_label).
LABELS = {
    ("Increasing", "High is good"): "Increasing and getting better",
    ("Increasing", "Low is good"): "Increasing and getting worse",
    ("Increasing", "No judgement"): "Increasing",
    ("Increasing", "Not applicable"): "Increasing",
    ("Decreasing", "High is good"): "Decreasing and getting worse",
    ("Decreasing", "Low is good"): "Decreasing and getting better",
    ("Decreasing", "No judgement"): "Decreasing",
    ("Decreasing", "Not applicable"): "Decreasing",
}


def prop_frame(r, n, start=2001, **extra) -> pd.DataFrame:
    years = np.arange(start, start + len(r))
    return pd.DataFrame({"year": years, "r": r, "n": n, **extra})


def ci_frame(v, lo, hi, start=2001, **extra) -> pd.DataFrame:
    years = np.arange(start, start + len(v))
    return pd.DataFrame({"year": years, "v": v, "lo": lo, "hi": hi, **extra})


def one(out: pd.DataFrame) -> pd.Series:
    assert len(out) == 1
    return out.iloc[0]


# Series used in several tests (methods.md §6.7).
FT_PROP = prop_frame([994, 1023, 1199, 1332, 1367], [40299, 41527, 42811, 44064, 44701], 2014)
PIM_OTHER = ci_frame(
    [30.6, 30.2, 28, 24.6, 24.67],
    [28.98, 28.63, 26.44, 23.15, 23.16],
    [32.25, 31.9, 29.64, 26.19, 26.25],
)


# --------------------------------------------------------------------------------------------
# Conformance with the R reference implementation
# --------------------------------------------------------------------------------------------

REFERENCE = {
    "trend_proportion.csv": {"numerator": "numerator", "denominator": "denominator"},
    "trend_rate.csv": {
        "value": "value", "lower_ci": "lower_ci", "upper_ci": "upper_ci", "method": "ci",
    },
}


def reference(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    ref = pd.read_csv(DATA / name)
    last = ref.sort_values(["series", "year"]).groupby("series").tail(1)
    return ref, last.set_index("series")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_file_shape(name):
    ref, last = reference(name)
    assert len(last) == 250
    # the marker sits on the last row of each series only (R writes NA elsewhere)
    others = ref.drop(index=ref.sort_values(["series", "year"]).groupby("series").tail(1).index)
    assert others["recent_trend"].isna().all() and others["recent_trend_reason"].isna().all()
    assert last["recent_trend"].notna().all() and last["recent_trend_reason"].notna().all()


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reproduces_reference_trend_and_reason_for_every_series(name):
    ref, last = reference(name)
    out = recent_trend(ref, "year", "series", **REFERENCE[name]).set_index("series")
    assert out.index.equals(last.index)
    mismatch = out.index[
        (out["trend"] != last["recent_trend"]) | (out["reason"] != last["recent_trend_reason"])
    ]
    assert list(mismatch) == []
    assert (out["latest_period"] == last["year"]).all()
    assert set(out["trend"]) == {"Increasing", "Decreasing", "No significant change"}
    assert "Outlier found" in set(out["reason"])


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_labels_with_polarity(name):
    ref, last = reference(name)
    for pol in ("High is good", "Low is good"):
        out = recent_trend(ref, "year", "series", polarity=pol, **REFERENCE[name])
        expected = [LABELS.get((t, pol), t) for t in last["recent_trend"]]
        assert out["label"].tolist() == expected


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_with_time_period_sortable(name):
    ref, last = reference(name)
    sortable = ref.assign(year=ref["year"] * 10_000)
    out = recent_trend(sortable, "year", "series", **REFERENCE[name]).set_index("series")
    assert out["trend"].tolist() == last["recent_trend"].tolist()
    assert (out["latest_period"] == last["year"] * 10_000).all()


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_reference_reproduced_with_exact_chi_square_quantile(name, monkeypatch):
    # methods.md §0: PIM-TM hard-codes 9.5495, the exact χ²₁(0.998) is 9.549535706083237;
    # no reference series lies between the two, so both constants reproduce the files.
    monkeypatch.setattr(trend_module, "CHI_SQUARE_CRITICAL", 9.549535706083237)
    ref, last = reference(name)
    out = recent_trend(ref, "year", "series", **REFERENCE[name])
    assert out["trend"].tolist() == last["recent_trend"].tolist()


# --------------------------------------------------------------------------------------------
# methods.md §6.7 test vectors
# --------------------------------------------------------------------------------------------


def test_weighted_vector_decreasing():
    row = one(recent_trend(PIM_OTHER, "year", **CI))
    assert row["chi_square"] == pytest.approx(46.7636, abs=5e-5)
    assert row["slope"] == pytest.approx(-1.7516, abs=5e-5)
    assert (row["trend"], row["reason"]) == ("Decreasing", "No outliers and significant trend")


def test_weighted_vector_fingertips_year_order():
    # FT unit test: same (value, CI) pairs on 2014..2018 in the opposite order → slope +1.7516;
    # FT expects 46.77 with its 3.92 divisor, the exact 2·Φ⁻¹(0.975) gives 46.7636.
    rev = PIM_OTHER.iloc[::-1].assign(year=range(2014, 2019))
    row = one(recent_trend(rev, "year", **CI))
    assert row["chi_square"] == pytest.approx(46.7636, abs=5e-5)
    assert row["slope"] == pytest.approx(1.7516, abs=5e-5)
    assert row["trend"] == "Increasing"


def test_weighted_six_rows_uses_last_five():
    # testdata_other_6: the last five points t = 2..6; the first row must be ignored, so it is
    # given a wild value here.
    df = ci_frame(
        [500.0, 30.2, 28, 24.6, 24.67, 30.9],
        [1.0, 28.63, 26.44, 23.15, 23.16, 28.98],
        [999.0, 31.9, 29.64, 26.19, 26.25, 32.25],
    )
    row = one(recent_trend(df, "year", **CI))
    assert row["chi_square"] == pytest.approx(0.7433, abs=5e-5)
    assert row["slope"] == pytest.approx(-0.2256, abs=5e-5)
    assert (row["trend"], row["reason"]) == ("No significant change", "No significant trend")
    assert row["points_used"] == 5 and row["latest_period"] == 2006


def test_proportion_vector_pim():
    counts = np.array([318, 314, 318, 291, 292])
    values = np.array([67.9, 66.4, 63.5, 60.6, 58.5])
    df = prop_frame(counts, counts / values * 100, 2019)
    row = one(recent_trend(df, "year", **PROP))
    assert row["chi_square"] == pytest.approx(12.5688, abs=5e-5)
    assert row["slope"] == pytest.approx(-0.1062, abs=5e-5)
    assert row["trend"] == "Decreasing"


def test_proportion_vector_fingertips():
    row = one(recent_trend(FT_PROP, "year", **PROP))
    assert row["chi_square"] == pytest.approx(47.8967, abs=5e-5)
    assert row["slope"] == pytest.approx(0.0652, abs=5e-5)
    assert row["trend"] == "Increasing"


# --------------------------------------------------------------------------------------------
# Decision rule: threshold, robustness ("outlier") rule
# --------------------------------------------------------------------------------------------


def linear_ci(chi_square: float) -> pd.DataFrame:
    # y = β·t on t = −2..2 with σ = 1 everywhere: S1 = 5, Stt = 10, St = 0, so χ² = 10·β².
    beta = math.sqrt(chi_square / 10)
    v = beta * np.arange(-2, 3) + 50.0
    return ci_frame(v, v - Z975, v + Z975)


@pytest.mark.parametrize(
    ("chi_square", "expected"),
    [(9.54952, "Increasing"), (9.54948, "No significant change")],
)
def test_threshold_is_9_5495(chi_square, expected):
    # methods.md §6.6: significant iff χ² > 9.5495 (PIM-TM's constant, not the exact quantile
    # 9.5495357, which would call 9.54952 not significant).
    row = one(recent_trend(linear_ci(chi_square), "year", **CI))
    assert row["chi_square"] == pytest.approx(chi_square, rel=1e-9)
    assert row["trend"] == expected


def test_zero_leave_one_out_slope_counts_as_sign_change_ci():
    # y = [0, 0, 0, 0, 10], equal σ: full slope 2 (χ² = 10·4·w, large) but leaving out the last
    # point gives an exactly-zero slope → "Outlier found" (methods.md §6.5, §10).
    v = np.array([0.0, 0, 0, 0, 10])
    row = one(recent_trend(ci_frame(v, v - 1, v + 1), "year", **CI))
    assert row["slope"] == pytest.approx(2.0)
    assert row["chi_square"] > 100
    assert (row["trend"], row["reason"]) == ("No significant change", "Outlier found")


def test_zero_leave_one_out_slope_counts_as_sign_change_proportion():
    # p = 0.5 in the first four years (logit exactly 0), 0.9 in the last: leaving out the last
    # point gives a zero logit slope.
    row = one(recent_trend(prop_frame([500, 500, 500, 500, 900], [1000] * 5), "year", **PROP))
    assert row["slope"] > 0 and row["chi_square"] > 100
    assert (row["trend"], row["reason"]) == ("No significant change", "Outlier found")


def test_zero_leave_one_out_slope_with_rounding_noise():
    # Regression: four equal values with unequal CIs. Leaving out the last point, the slope is
    # 0 in exact arithmetic but +1.5e-15 in floating point; it must still count as zero
    # (methods.md §6.5/§10), not as a positive slope that would make the trend "Increasing".
    v = np.array([3.7, 3.7, 3.7, 3.7, 33.7])
    half = np.array([0.5, 0.9, 2.2, 1.1, 0.8])
    row = one(recent_trend(ci_frame(v, v - half, v + half), "year", **CI))
    assert row["slope"] > 0 and row["chi_square"] > 1000
    assert (row["trend"], row["reason"]) == ("No significant change", "Outlier found")


def test_single_point_reverses_direction():
    # rising on four points, the last one falls far below: χ² is large but dropping that point
    # reverses the slope.
    v = np.array([10.0, 11, 12, 13, -40])
    row = one(recent_trend(ci_frame(v, v - 0.5, v + 0.5), "year", **CI))
    assert row["slope"] < 0 and row["chi_square"] > 9.5495
    assert (row["trend"], row["reason"]) == ("No significant change", "Outlier found")


# --------------------------------------------------------------------------------------------
# Cannot be calculated
# --------------------------------------------------------------------------------------------


def assert_cannot(out: pd.DataFrame, reason: str, points_used: int = 5) -> None:
    row = one(out)
    assert row["trend"] == "Cannot be calculated"
    assert row["label"] == "Cannot be calculated"
    assert row["reason"] == reason
    assert math.isnan(row["chi_square"]) and math.isnan(row["slope"])
    assert row["points_used"] == points_used


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_fewer_than_five_points(k):
    df = FT_PROP.iloc[:k]
    assert_cannot(recent_trend(df, "year", **PROP), "Not enough data points", k)
    assert one(recent_trend(df, "year", **PROP))["latest_period"] == 2013 + k


@pytest.mark.parametrize("column", ["r", "n"])
def test_missing_count_in_last_five(column):
    df = FT_PROP.astype({"r": float, "n": float})
    df.loc[2, column] = np.nan
    assert_cannot(recent_trend(df, "year", **PROP), "Missing values")


def test_missing_value_outside_last_five_is_ignored():
    early = prop_frame([np.nan], [100.0], 2013)
    df = pd.concat([early, FT_PROP], ignore_index=True)
    row = one(recent_trend(df, "year", **PROP))
    assert row["chi_square"] == pytest.approx(47.8967, abs=5e-5)
    assert row["points_used"] == 5


def test_missing_value_ci():
    df = PIM_OTHER.copy()
    df.loc[4, "v"] = np.nan
    assert_cannot(recent_trend(df, "year", **CI), "Missing values")


@pytest.mark.parametrize("column", ["lo", "hi"])
def test_missing_confidence_limit(column):
    df = PIM_OTHER.copy()
    df.loc[0, column] = np.nan
    assert_cannot(recent_trend(df, "year", **CI), "Missing at least one confidence interval value")


def test_duplicate_period():
    df = pd.concat([FT_PROP, FT_PROP.iloc[[4]]], ignore_index=True)
    assert_cannot(recent_trend(df, "year", **PROP), "Duplicate years in group")


def test_duplicate_period_outside_last_five():
    older = prop_frame([10, 11, 12], [100, 100, 100], 2010).iloc[[0, 0, 1]]
    df = pd.concat([older, FT_PROP], ignore_index=True)
    assert_cannot(recent_trend(df, "year", **PROP), "Duplicate years in group")


def test_gap_in_last_five():
    df = FT_PROP.assign(year=[2012, 2014, 2015, 2016, 2017])
    assert_cannot(recent_trend(df, "year", **PROP), "Time periods not consecutive")


def test_gap_before_last_five_is_ignored():
    older = prop_frame([900], [40000], 2005)
    row = one(recent_trend(pd.concat([older, FT_PROP]), "year", **PROP))
    assert row["trend"] == "Increasing"
    assert row["chi_square"] == pytest.approx(47.8967, abs=5e-5)


@pytest.mark.parametrize(
    ("r", "n", "reason"),
    [
        ([0, 0, 0, 0, 0], [100] * 5, "Numerator is zero or equal to the denominator in every period"),
        ([100, 90, 80, 70, 60], [100, 90, 80, 70, 60],
         "Numerator is zero or equal to the denominator in every period"),
        ([10, 12, 15, 20, 0], [100, 100, 100, 100, 0], "Denominator is zero"),
    ],
)
def test_no_events_or_all_events_cannot_be_calculated(r, n, reason):
    assert_cannot(recent_trend(prop_frame(r, n), "year", **PROP), reason)


def _armitage_by_regression(r, n):
    """χ² for trend as R's prop.trend.test computes it: the regression sum of squares of the
    proportions on time, weighted by n / (p̄(1 − p̄)) — an independent route to the value."""
    r, n = np.asarray(r, float), np.asarray(n, float)
    t = np.arange(len(r), dtype=float)
    p, pbar = r / n, r.sum() / n.sum()
    w = n / pbar / (1 - pbar)
    tw = (w * t).sum() / w.sum()
    beta = (w * (t - tw) * p).sum() / (w * (t - tw) ** 2).sum()
    return float(beta**2 * (w * (t - tw) ** 2).sum()), beta


@pytest.mark.parametrize(
    ("r", "n", "trend"),
    [
        ([0, 10, 12, 15, 20], [100] * 5, "Increasing"),  # r = 0 in the first year
        ([10, 12, 15, 20, 100], [100] * 5, "Increasing"),  # r = n in the last year
        ([30, 22, 15, 9, 0], [1000] * 5, "Decreasing"),  # no events in the latest year
        ([0, 1, 0, 2, 1], [500, 510, 520, 515, 530], "No significant change"),
        ([3, 0, 3, 0, 3], [100] * 5, "No significant change"),
    ],
)
def test_a_zero_count_in_the_window_is_tested(r, n, trend):
    """A zero count does not make the trend "Cannot be calculated": χ² for trend is defined
    (Fingertips and the PHEindicatormethods trend branch give "No significant change" for
    such series); the direction of a significant trend comes from Armitage's U."""
    row = one(recent_trend(prop_frame(r, n), "year", **PROP))
    chi2, beta = _armitage_by_regression(r, n)
    assert row["chi_square"] == pytest.approx(chi2, rel=1e-10)
    assert row["trend"] == trend
    if trend != "No significant change":
        assert (beta > 0) == (trend == "Increasing")
        assert row["reason"] == "No outliers and significant trend"
    assert np.isnan(row["slope"])  # the logit slope is infinite: not reported


def test_zero_width_confidence_interval():
    df = PIM_OTHER.copy()
    df.loc[3, ["lo", "hi"]] = df.loc[3, "v"]
    assert_cannot(recent_trend(df, "year", **CI), "Zero-width confidence interval")


# --------------------------------------------------------------------------------------------
# Groups, order, output shape
# --------------------------------------------------------------------------------------------


def several_groups() -> pd.DataFrame:
    frames = [
        FT_PROP.assign(area="E1", sex="Male"),
        FT_PROP.iloc[::-1].assign(year=FT_PROP["year"].to_numpy(), area="E1", sex="Female"),
        FT_PROP.iloc[:3].assign(area="E2", sex="Male"),
        prop_frame([40, 41, 39, 40, 42, 41], [100] * 6, 2010).assign(area="E0", sex="Male"),
    ]
    return pd.concat(frames, ignore_index=True)


def test_many_groups_output():
    out = recent_trend(several_groups(), "year", ["area", "sex"], **PROP)
    assert list(out.columns) == ["area", "sex", *TREND_COLUMNS]
    assert out[["area", "sex"]].values.tolist() == [
        ["E0", "Male"], ["E1", "Female"], ["E1", "Male"], ["E2", "Male"]
    ]
    assert out["trend"].tolist() == [
        "No significant change", "Decreasing", "Increasing", "Cannot be calculated"
    ]
    assert out["points_used"].tolist() == [5, 5, 5, 3]
    assert out["latest_period"].tolist() == [2015, 2018, 2018, 2016]


def test_one_group_equals_same_group_among_many():
    alone = recent_trend(FT_PROP, "year", **PROP)
    many = recent_trend(several_groups(), "year", ["area", "sex"], **PROP)
    picked = many[(many["area"] == "E1") & (many["sex"] == "Male")]
    pd.testing.assert_frame_equal(
        picked.drop(columns=["area", "sex"]).reset_index(drop=True), alone
    )


def test_shuffled_rows_give_identical_result():
    df = several_groups()
    expected = recent_trend(df, "year", ["area", "sex"], **PROP)
    for seed in range(5):
        shuffled = df.sample(frac=1, random_state=seed)
        pd.testing.assert_frame_equal(
            recent_trend(shuffled, "year", ["area", "sex"], **PROP), expected
        )


def test_by_as_string_and_list_agree():
    df = several_groups()
    pd.testing.assert_frame_equal(
        recent_trend(df[df.sex == "Male"], "year", "area", **PROP),
        recent_trend(df[df.sex == "Male"], "year", ["area"], **PROP),
    )


def test_missing_group_key_is_its_own_group_last():
    df = pd.concat([FT_PROP.assign(area="E1"), FT_PROP.assign(area=None)], ignore_index=True)
    out = recent_trend(df, "year", "area", **PROP)
    assert len(out) == 2
    assert out["area"].iloc[0] == "E1" and pd.isna(out["area"].iloc[1])
    assert out["trend"].tolist() == ["Increasing", "Increasing"]


def test_no_by_gives_fixed_columns_only():
    out = recent_trend(FT_PROP, "year", **PROP)
    assert list(out.columns) == list(TREND_COLUMNS)
    assert out["points_used"].dtype == np.int64 and out["latest_period"].dtype == np.int64


def test_empty_frame():
    out = recent_trend(FT_PROP.iloc[:0], "year", "r", denominator="n", numerator="r")
    assert list(out.columns) == ["r", *TREND_COLUMNS] and len(out) == 0


def test_float_years_and_non_default_index():
    df = FT_PROP.astype({"year": float}).set_axis(list("abcde"))
    row = one(recent_trend(df, "year", **PROP))
    assert row["trend"] == "Increasing" and row["latest_period"] == 2018


def test_column_names_are_free():
    df = FT_PROP.rename(columns={"r": "Count", "n": "Denominator", "year": "Time period Sortable"})
    df["Time period Sortable"] *= 10_000
    row = one(recent_trend(df, "Time period Sortable", numerator="Count", denominator="Denominator"))
    assert row["trend"] == "Increasing" and row["latest_period"] == 20180000


# --------------------------------------------------------------------------------------------
# Polarity labels
# --------------------------------------------------------------------------------------------

UP = FT_PROP
DOWN = FT_PROP.assign(year=FT_PROP["year"].to_numpy()[::-1])


@pytest.mark.parametrize("polarity", [p.value for p in Polarity])
@pytest.mark.parametrize(("df", "direction"), [(UP, "Increasing"), (DOWN, "Decreasing")])
def test_labels_for_every_polarity(df, direction, polarity):
    for pol in (polarity, Polarity(polarity)):
        row = one(recent_trend(df, "year", **PROP, polarity=pol))
        assert row["trend"] == direction
        assert row["label"] == LABELS[(direction, polarity)]


def test_label_without_polarity_is_plain_trend():
    assert one(recent_trend(DOWN, "year", **PROP))["label"] == "Decreasing"


@pytest.mark.parametrize("polarity", [p.value for p in Polarity])
def test_no_change_and_cannot_labels_ignore_polarity(polarity):
    flat = prop_frame([40, 41, 39, 40, 42], [100] * 5)
    assert one(recent_trend(flat, "year", **PROP, polarity=polarity))["label"] == (
        "No significant change"
    )
    short = FT_PROP.iloc[:2]
    assert one(recent_trend(short, "year", **PROP, polarity=polarity))["label"] == (
        "Cannot be calculated"
    )


def test_polarity_column():
    df = pd.concat(
        [
            UP.assign(ind="a", pol="Low is good"),
            DOWN.assign(ind="b", pol="High is good"),
            DOWN.assign(ind="c", pol="No judgement"),
        ],
        ignore_index=True,
    )
    out = recent_trend(df, "year", "ind", **PROP, polarity="pol")
    assert out["label"].tolist() == [
        "Increasing and getting worse", "Decreasing and getting worse", "Decreasing"
    ]


# --------------------------------------------------------------------------------------------
# Validation messages (one test each)
# --------------------------------------------------------------------------------------------


def test_error_data_not_frame():
    with pytest.raises(ValueError, match=r"data: expected a pandas DataFrame, got dict"):
        recent_trend({"year": [2001]}, "year", **PROP)


def test_error_unknown_method():
    with pytest.raises(ValueError, match=r"method: expected one of \['proportion', 'ci'\], got 'chi'"):
        recent_trend(FT_PROP, "year", **PROP | {"method": "chi"})


def test_error_missing_period_column():
    with pytest.raises(ValueError, match=r"period: column 'time' not found in data \(columns: \["):
        recent_trend(FT_PROP, "time", **PROP)


def test_error_missing_by_column():
    with pytest.raises(ValueError, match=r"by: column 'area' not found in data"):
        recent_trend(FT_PROP, "year", "area", **PROP)


def test_error_by_not_names():
    with pytest.raises(ValueError, match=r"by: expected a column name or a list of column names"):
        recent_trend(FT_PROP, "year", 3, **PROP)


def test_error_by_repeated():
    with pytest.raises(ValueError, match=r"by: column names repeated in \['r', 'r'\]"):
        recent_trend(FT_PROP, "year", ["r", "r"], **PROP)


def test_error_by_contains_period():
    with pytest.raises(ValueError, match=r"by: the period column 'year' cannot also be a group"):
        recent_trend(FT_PROP, "year", "year", **PROP)


def test_error_by_clashes_with_output():
    with pytest.raises(ValueError, match=r"by: \['trend'\] would clash with the output columns"):
        recent_trend(FT_PROP.assign(trend=1), "year", "trend", **PROP)


def test_error_missing_numerator_column():
    with pytest.raises(ValueError, match=r"numerator: column 'count' not found in data"):
        recent_trend(FT_PROP, "year", numerator="count", denominator="n")


def test_error_column_argument_not_string():
    with pytest.raises(ValueError, match=r"denominator: expected a column name \(str\), got 5"):
        recent_trend(FT_PROP, "year", numerator="r", denominator=5)


def test_error_proportion_needs_denominator():
    with pytest.raises(
        ValueError, match=r"method='proportion' needs the column argument\(s\) \['denominator'\]"
    ):
        recent_trend(FT_PROP, "year", numerator="r")


def test_error_ci_needs_limits():
    with pytest.raises(
        ValueError, match=r"method='ci' needs the column argument\(s\) \['lower_ci', 'upper_ci'\]"
    ):
        recent_trend(PIM_OTHER, "year", value="v", method="ci")


def test_error_cis_given_for_proportion():
    with pytest.raises(
        ValueError, match=r"\['lower_ci', 'upper_ci'\]: not used by method='proportion'"
    ):
        recent_trend(FT_PROP.assign(lo=1, hi=2), "year", **PROP, lower_ci="lo", upper_ci="hi")


def test_error_value_given_for_proportion():
    with pytest.raises(ValueError, match=r"\['value'\]: not used by method='proportion'"):
        recent_trend(FT_PROP.assign(v=1.0), "year", **PROP, value="v")


def test_error_counts_given_for_ci():
    with pytest.raises(ValueError, match=r"\['numerator'\]: not used by method='ci'"):
        recent_trend(PIM_OTHER.assign(r=1), "year", **CI, numerator="r")


def test_error_numerator_greater_than_denominator():
    df = FT_PROP.copy()
    df.loc[[1, 3], "r"] = 50_000
    with pytest.raises(
        ValueError,
        match=r"numerator: 2 values are greater than the denominator "
        r"\(rule: numerator <= denominator\) at positions \[1, 3\]",
    ):
        recent_trend(df, "year", **PROP)


def test_error_negative_numerator():
    df = FT_PROP.copy()
    df.loc[2, "r"] = -1
    with pytest.raises(
        ValueError, match=r"numerator: 1 value is negative \(rule: counts >= 0\) at positions \[2\]"
    ):
        recent_trend(df, "year", **PROP)


def test_error_negative_denominator():
    df = FT_PROP.copy()
    df.loc[0, ["r", "n"]] = [-5, -1]
    with pytest.raises(ValueError, match=r"denominator: 1 value is negative \(rule: denominators"):
        recent_trend(df.assign(r=0), "year", **PROP)


def test_error_lower_above_upper():
    df = PIM_OTHER.copy()
    df.loc[4, "lo"] = 99.0
    with pytest.raises(
        ValueError,
        match=r"lower_ci: 1 value is greater than upper_ci \(rule: lower_ci <= upper_ci\) "
        r"at positions \[4\]",
    ):
        recent_trend(df, "year", **CI)


def test_error_infinite_value():
    df = PIM_OTHER.copy()
    df.loc[1, "v"] = np.inf
    with pytest.raises(ValueError, match=r"value: 1 value is infinite \(rule: finite numbers"):
        recent_trend(df, "year", **CI)


def test_error_non_numeric_count():
    df = FT_PROP.astype({"r": object})
    df.loc[0, "r"] = "many"
    with pytest.raises(ValueError, match=r"numerator: 1 value is not numeric \(e.g. \['many'\]\)"):
        recent_trend(df, "year", **PROP)


def test_error_period_missing():
    df = FT_PROP.astype({"year": float})
    df.loc[3, "year"] = np.nan
    with pytest.raises(
        ValueError, match=r"period: 1 value is missing \(rule: every row needs a period\)"
    ):
        recent_trend(df, "year", **PROP)


def test_error_period_not_whole():
    df = FT_PROP.astype({"year": float})
    df.loc[0, "year"] = 2013.5
    with pytest.raises(ValueError, match=r"period: 1 value is not whole numbers"):
        recent_trend(df, "year", **PROP)


def test_error_period_neither_year_nor_sortable():
    df = FT_PROP.assign(year=[14, 15, 16, 17, 18])
    with pytest.raises(
        ValueError,
        match=r"period: 5 values are neither a year nor a Time period Sortable "
        r"\(rule: a year 1000-9999 or an 8-digit",
    ):
        recent_trend(df, "year", **PROP)


def test_error_period_mixed_formats():
    df = FT_PROP.assign(year=[2014, 2015, 20160000, 20170000, 20180000])
    with pytest.raises(ValueError, match=r"period: mixes years and Time period Sortable values"):
        recent_trend(df, "year", **PROP)


def test_error_period_quarterly_sortable():
    df = FT_PROP.assign(year=[20140000, 20150000, 20160000, 20170000, 20180300])
    with pytest.raises(
        ValueError,
        match=r"period: 1 value is quarterly or monthly Time period Sortable values "
        r"\(rule: annual periods only, YYYY0000\) at positions \[4\]",
    ):
        recent_trend(df, "year", **PROP)


def test_error_unknown_polarity_scalar():
    with pytest.raises(ValueError, match=r"polarity: unknown polarity 'High'; expected one of"):
        recent_trend(FT_PROP, "year", **PROP, polarity="High")


def test_error_polarity_wrong_type():
    with pytest.raises(ValueError, match=r"polarity: expected a column name \(str\), got 1"):
        recent_trend(FT_PROP, "year", **PROP, polarity=1)


def test_error_unknown_polarity_in_column():
    df = FT_PROP.assign(pol=["RAG - High is good"] + ["High is good"] * 4)
    with pytest.raises(
        ValueError,
        match=r"polarity: 1 value is not a known polarity \(e.g. \['RAG - High is good'\]\)",
    ):
        recent_trend(df, "year", **PROP, polarity="pol")


def test_error_polarity_not_constant_in_group():
    df = FT_PROP.assign(pol=["High is good"] * 4 + ["Low is good"])
    with pytest.raises(
        ValueError,
        match=r"polarity: 5 values are in groups with more than one polarity "
        r"\(rule: polarity must be constant within each group\)",
    ):
        recent_trend(df, "year", **PROP, polarity="pol")


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@st.composite
def proportion_panels(draw, min_len=5, max_len=8, max_groups=4):
    n_groups = draw(st.integers(1, max_groups))
    frames = []
    for g in range(n_groups):
        k = draw(st.integers(min_len, max_len))
        n = draw(st.lists(st.integers(1, 5000), min_size=k, max_size=k))
        frac = draw(st.lists(st.floats(0, 1), min_size=k, max_size=k))
        r = [int(f * m) for f, m in zip(frac, n, strict=True)]
        frames.append(prop_frame(r, n, 2001).assign(g=g))
    return pd.concat(frames, ignore_index=True)


@settings(max_examples=60, deadline=None)
@given(df=proportion_panels(min_len=3), seed=st.integers(0, 2**31 - 1))
def test_property_row_order_does_not_matter(df, seed):
    expected = recent_trend(df, "year", "g", **PROP)
    shuffled = df.sample(frac=1, random_state=seed)
    pd.testing.assert_frame_equal(recent_trend(shuffled, "year", "g", **PROP), expected)


FLIP = {"Increasing": "Decreasing", "Decreasing": "Increasing"}


@settings(max_examples=100, deadline=None)
@given(df=proportion_panels(max_len=5))
def test_property_reversing_time_flips_direction_proportion(df):
    out = recent_trend(df, "year", "g", **PROP)
    assume(not np.any(np.abs(out["chi_square"] - 9.5495) < 1e-9 * out["chi_square"]))
    rev = recent_trend(df.assign(year=4002 - df["year"]), "year", "g", **PROP)
    assert rev["trend"].tolist() == [FLIP.get(t, t) for t in out["trend"]]
    assert rev["reason"].tolist() == out["reason"].tolist()
    np.testing.assert_allclose(rev["chi_square"], out["chi_square"], rtol=1e-9)
    np.testing.assert_allclose(rev["slope"], -out["slope"], rtol=1e-7, atol=1e-10)


@settings(max_examples=100, deadline=None)
@given(
    v=st.lists(st.floats(-100, 100), min_size=5, max_size=5),
    half=st.lists(st.floats(0.01, 10), min_size=5, max_size=5),
)
def test_property_reversing_time_flips_direction_ci(v, half):
    v, half = np.array(v), np.array(half)
    df = ci_frame(v, v - half, v + half)
    out = one(recent_trend(df, "year", **CI))
    assume(not abs(out["chi_square"] - 9.5495) < 1e-9 * out["chi_square"])
    rev = one(recent_trend(df.assign(year=df["year"].to_numpy()[::-1]), "year", **CI))
    assert rev["trend"] == FLIP.get(out["trend"], out["trend"])
    assert rev["reason"] == out["reason"]
    assert rev["slope"] == pytest.approx(-out["slope"], rel=1e-7, abs=1e-9 * np.abs(v).max())


# --------------------------------------------------------------------------------------------
# Package surface and docs
# --------------------------------------------------------------------------------------------


def test_exported_from_stats():
    assert stats.recent_trend is recent_trend
    assert "recent_trend" in stats.__all__


def test_docstring_example_runs():
    result = doctest.testmod(trend_module, raise_on_error=False)
    assert result.attempted >= 3 and result.failed == 0
