"""Funnel-plot control limits and outlier labels (rutland_jsna.stats.funnel; methods.md §8).

Expected values come from PHEindicatormethods' own test files (copied to
tests/data/pheindicatormethods/funnel_*.csv; provenance in tests/data/README.md), from numbers
worked out by hand (written beside the case), and from the defining property of a funnel
limit — the observed value whose Wilson (or exact Poisson) interval just touches the baseline —
checked with the interval formulas written out here, not with our code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from rutland_jsna.stats.funnel import (
    FUNNEL_COLUMNS,
    FunnelSignificance,
    funnel_axis,
    funnel_baseline,
    funnel_limits,
    funnel_significance,
)

PIM = Path(__file__).parent / "data" / "pheindicatormethods"
Z95, Z998 = 1.959963984540054, 3.090232306167813  # methods.md §0
PIM_COLUMNS = {
    "Lower2s0025limit": "lower_95",
    "Upper2s0025limit": "upper_95",
    "Lower3s0001limit": "lower_99_8",
    "Upper3s0001limit": "upper_99_8",
}


# ---- proportions: PHEindicatormethods expected outputs --------------------------------------


def test_proportion_limits_match_pim_outputs():
    # testdata_funnel_prop_outputs.csv: phe_funnels on testdata_funnel_prop_inputs.csv, baseline
    # printed to 6 decimals (80.642448), limits to 6 decimals.
    pim = pd.read_csv(PIM / "funnel_prop_limits.csv")
    got = funnel_limits(pim["Population"], 80.642448)
    assert tuple(got.columns) == FUNNEL_COLUMNS
    assert got["denominator"].tolist() == pim["Population"].tolist()
    for theirs, ours in PIM_COLUMNS.items():
        np.testing.assert_allclose(got[ours], pim[theirs], rtol=0, atol=1e-6, err_msg=ours)


def test_proportion_limits_match_pim_outputs_with_axis_variation():
    # testdata_funnel_prop_outputs_with_axis_variation.csv: inputs with denominator < 31000;
    # baseline and limits printed to 8 decimals.
    pim = pd.read_csv(PIM / "funnel_prop_limits_axis_variation.csv")
    got = funnel_limits(pim["Population"], 82.18033788)
    for theirs, ours in PIM_COLUMNS.items():
        np.testing.assert_allclose(got[ours], pim[theirs], rtol=0, atol=2e-8, err_msg=ours)


def test_axis_matches_pim_population_column():
    # PIM's axis depends only on the smallest and largest denominators of its inputs:
    # 16,386 (Fylde PCT) and 102,950 (Sutton and Merton PCT) -> 1 ... 110,000 (max > 2 min,
    # so the axis starts at 0, i.e. 1).
    pim = pd.read_csv(PIM / "funnel_prop_limits.csv")
    assert funnel_axis([16386, 102950]).tolist() == pim["Population"].astype(float).tolist()


def test_axis_with_variation_matches_pim():
    # Inputs filtered to denominators < 31,000: smallest 16,386, largest below 31,000 (any
    # value in (30476, 31428] gives the same axis) -> 10,000 ... 33,000.
    pim = pd.read_csv(PIM / "funnel_prop_limits_axis_variation.csv")
    assert funnel_axis([30929, np.nan, 16386]).tolist() == pim["Population"].astype(float).tolist()


def test_limits_on_an_axis_with_n_points():
    pim = pd.read_csv(PIM / "funnel_prop_limits_axis_variation.csv")
    got = funnel_limits([16386, 30929], 82.18033788, n_points=100)
    assert len(got) == 100 and isinstance(got.index, pd.RangeIndex)
    np.testing.assert_allclose(got["lower_95"], pim["Lower2s0025limit"], atol=2e-8)
    assert len(funnel_limits([16386, 30929], 82.0, n_points=5)) == 5


def test_proportion_significance_matches_pim():
    # 27 rows of testdata_funnel_prop_inputs.csv covering every label; baseline = PIM's
    # average over all the input rows (printed 80.642448 in the outputs file).
    pim = pd.read_csv(PIM / "funnel_prop_significance.csv")
    value = pim["numerator"] / pim["denominator"] * 100
    got = funnel_significance(value, pim["denominator"], 80.642448)
    assert got.name == "significance"
    assert got.tolist() == pim["significance"].tolist()
    assert set(got) == {s.value for s in FunnelSignificance}


def test_proportion_limits_by_hand():
    # n = 100, baseline 80%: z * sqrt(0.8 * 0.2 / 100) = 0.04 z -> 80 -/+ 7.839856 (95%),
    # 80 -/+ 12.360929 (99.8%).
    got = funnel_limits([100], 80.0).iloc[0]
    assert got["lower_95"] == pytest.approx(80 - 4 * Z95, abs=1e-9)
    assert got["upper_95"] == pytest.approx(80 + 4 * Z95, abs=1e-9)
    assert got["lower_99_8"] == pytest.approx(80 - 4 * Z998, abs=1e-9)
    assert got["upper_99_8"] == pytest.approx(80 + 4 * Z998, abs=1e-9)
    # Multiplier 1 (proportions as fractions) and clipping at 0 and at the multiplier.
    frac = funnel_limits([100, 1], 0.8, multiplier=1).to_numpy()
    assert frac[0, 1] == pytest.approx(0.8 - 0.04 * Z95, abs=1e-12)
    assert frac[1, 2] == 1.0 and frac[1, 4] == 1.0 and frac[1, 3] == 0.0


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval (methods.md §1), written out independently of the package."""
    p = x / n
    centre = 2 * x + z**2
    spread = z * np.sqrt(z**2 + 4 * x * (1 - p))
    return (centre - spread) / (2 * (n + z**2)), (centre + spread) / (2 * (n + z**2))


@given(st.floats(20, 1e6), st.floats(0.05, 0.95))
def test_property_wilson_interval_of_a_limit_touches_the_baseline(n, a):
    limits = funnel_limits([n], a * 100).iloc[0] / 100
    for z, lo, up in ((Z95, "lower_95", "upper_95"), (Z998, "lower_99_8", "upper_99_8")):
        assume(0 < limits[lo] and limits[up] < 1)
        _, upper_of_lower = _wilson(np.array(limits[lo] * n), np.array(n), z)
        lower_of_upper, _ = _wilson(np.array(limits[up] * n), np.array(n), z)
        assert upper_of_lower == pytest.approx(a, rel=1e-9)
        assert lower_of_upper == pytest.approx(a, rel=1e-9)


# ---- rates: PHEindicatormethods expected outputs -------------------------------------------


def test_rate_limits_match_pim_outputs():
    # testdata_funnel_rate_outputs.csv (DSR) and _2.csv (crude), years_of_data = 3: PIM gives
    # each line as (population per year, limit) pairs found by bisection (step 1e-7), so the
    # denominator for our function is 3 x the per-year population. Agreement is to PIM's
    # bisection precision (worst at 1 event).
    pim = pd.read_csv(PIM / "funnel_rate_limits.csv")
    pairs = {
        "lower_2s": "lower_95",
        "upper_2s": "upper_95",
        "lower_3s": "lower_99_8",
        "upper_3s": "upper_99_8",
    }
    for theirs, ours in pairs.items():
        got = funnel_limits(pim[f"{theirs}_population_1_year"] * 3, pim["baseline"], kind="rate")[
            ours
        ]
        np.testing.assert_allclose(got, pim[f"{theirs}_limit"], rtol=1e-5, err_msg=ours)
        big = pim["Events"] >= 10
        np.testing.assert_allclose(got[big], pim.loc[big, f"{theirs}_limit"], rtol=2e-6)


@pytest.mark.parametrize("kind", ["proportion", "rate"])
def test_limits_nest_and_narrow_with_denominator(kind):
    d = np.geomspace(5, 5e6, 60)
    got = funnel_limits(d, 12.5, kind=kind)
    assert (got["lower_99_8"] <= got["lower_95"]).all()
    assert (got["lower_95"] <= 12.5).all() and (got["upper_95"] >= 12.5).all()
    assert (got["upper_95"] <= got["upper_99_8"]).all()
    for col in ("lower_95", "lower_99_8"):
        assert (np.diff(got[col]) >= -1e-12).all()
    for col in ("upper_95", "upper_99_8"):
        assert (np.diff(got[col]) <= 1e-12).all()
    width = got["upper_95"] - got["lower_95"]
    assert width.iloc[-1] < width.iloc[0] / 100  # six decades of denominator


@given(st.floats(50, 1e7), st.floats(1, 5000))
def test_property_poisson_interval_of_a_limit_touches_the_expected_count(n, rate):
    # Exact Poisson limits of O (methods.md §2): chi2(alpha/2, 2O)/2 and chi2(1-alpha/2, 2O+2)/2.
    limits = funnel_limits([n], rate, kind="rate").iloc[0]
    expected = n * rate / 100_000
    for conf, lo, up in ((0.95, "lower_95", "upper_95"), (0.998, "lower_99_8", "upper_99_8")):
        tail = (1 - conf) / 2
        o_low, o_up = limits[lo] * n / 100_000, limits[up] * n / 100_000
        assert stats.chi2.ppf(tail, 2 * o_up) / 2 == pytest.approx(expected, rel=1e-7)
        if o_low > 0:
            assert stats.chi2.ppf(1 - tail, 2 * o_low + 2) / 2 == pytest.approx(expected, rel=1e-7)
        else:  # no count is low enough: even O = 0 has an upper limit above E
            assert stats.chi2.ppf(1 - tail, 2) / 2 >= expected


def test_rate_lower_limit_zero_for_small_expected_counts():
    # E = 3 < 3.689 = chi2(0.975, 2)/2: nothing is significantly low at 95%.
    got = funnel_limits([1000], 300.0, kind="rate").iloc[0]
    assert got["lower_95"] == 0.0 and got["lower_99_8"] == 0.0
    # E = 4 > 3.689: a positive 95% lower limit, still 0 at 99.8% (4 < 6.908).
    got = funnel_limits([1000], 400.0, kind="rate").iloc[0]
    assert got["lower_95"] > 0 and got["lower_99_8"] == 0.0


def test_rate_significance_matches_pim():
    # testdata_funnel_rate_dsr_inputs.csv and the expectations of PIM's testFunnels.R. The
    # baseline is PIM's weighted average: sum(count) / sum(derived denominator), the derived
    # denominator being count * multiplier / rate (the population where count = 0, crude only).
    t = pd.read_csv(PIM / "funnel_rate_significance.csv")
    nonzero = t[t["count"] != 0]
    for m, col, label in ((1e5, "rate_crude_per_100000", "crude_per_100000"),
                          (100, "rate_crude_per_100", "crude_per_100")):  # fmt: skip
        derived = np.where(t["count"] == 0, t["pop"], t["count"] / t[col] * m)
        base = t["count"].sum() / derived.sum() * m
        got = funnel_significance(t[col], t["pop"], base, kind="rate", multiplier=m)
        assert got.tolist() == t[f"{label}_with_0"].tolist(), label
        derived = nonzero["count"] / nonzero[col] * m
        base = nonzero["count"].sum() / derived.sum() * m
        got = funnel_significance(nonzero[col], nonzero["pop"], base, kind="rate", multiplier=m)
        assert got.tolist() == nonzero[f"{label}_without_0"].tolist(), label
    for m, label in ((1e5, "dsr_per_100000"), (100, "dsr_per_100")):
        derived = t["count"] / t["rate_dsr"] * m  # NaN for the 0-event row (DSR missing)
        base = funnel_baseline(t["count"], derived, multiplier=m, kind="rate")
        got = funnel_significance(t["rate_dsr"], derived, base, kind="rate", multiplier=m)
        ok = t["count"] != 0
        assert got[ok].tolist() == t.loc[ok, f"{label}_with_0"].tolist(), label
        # PIM: "Not applicable for events less than 10 for dsrs"; ours: no label.
        assert got[~ok].isna().all()


@given(st.integers(0, 9), st.floats(200, 1e6), st.floats(1, 2000))
def test_property_rate_significance_agrees_with_limits_below_10_events(count, n, baseline):
    # Below 10 events both use the exact Poisson interval, so a point is outside a drawn line
    # exactly when it is labelled so (points within 1e-9 of a line are skipped).
    value = count / n * 100_000
    limits = funnel_limits([n], baseline, kind="rate").iloc[0]
    assume(all(abs(value - limits[c]) > 1e-9 * max(value, 1e-12) for c in FUNNEL_COLUMNS[1:]))
    label = funnel_significance([value], [n], baseline, kind="rate").iloc[0]
    assert label == _label_from_limits(value, limits)


@given(st.floats(1, 1e6), st.floats(0.01, 0.99), st.floats(0, 1))
def test_property_proportion_significance_agrees_with_limits(n, a, p):
    limits = funnel_limits([n], a * 100).iloc[0]
    value = p * 100
    assume(all(abs(value - limits[c]) > 1e-9 for c in FUNNEL_COLUMNS[1:]))
    label = funnel_significance([value], [n], a * 100).iloc[0]
    assert label == _label_from_limits(value, limits)


def _label_from_limits(value: float, limits: pd.Series) -> str:
    if value < limits["lower_99_8"]:
        return "Low (0.001)"
    if value < limits["lower_95"]:
        return "Low (0.025)"
    if value > limits["upper_99_8"]:
        return "High (0.001)"
    if value > limits["upper_95"]:
        return "High (0.025)"
    return "Not significant"


# ---- shapes, missing values, containers --------------------------------------------------


def test_missing_values_and_index():
    idx = pd.Index(["E06000017", "E06000016", "E10000018"])
    got = funnel_limits(pd.Series([100.0, np.nan, 400.0], index=idx), 50.0)
    assert got.index.equals(idx)
    assert got.loc["E06000016"].drop("denominator").isna().all()
    sig = funnel_significance(pd.Series([np.nan, 50.0, 10.0], index=idx), [100, 100, 100], 50.0)
    assert sig.index.equals(idx)
    assert pd.isna(sig.iloc[0]) and sig.tolist()[1:] == ["Not significant", "Low (0.001)"]


def test_lists_arrays_series_agree():
    d = [50.0, 500.0, 5000.0]
    a = funnel_limits(d, 20.0, kind="rate")
    b = funnel_limits(np.array(d), 20.0, kind="rate")
    c = funnel_limits(pd.Series(d), 20.0, kind="rate")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_per_row_baseline():
    got = funnel_limits([100, 100], [80.0, 50.0])
    assert got["upper_95"].tolist() == pytest.approx([80 + 4 * Z95, 50 + 5 * Z95])


def test_funnel_baseline_by_hand():
    assert funnel_baseline([30, 50, np.nan], [100, 100, 100]) == 40.0
    assert funnel_baseline([3, 5], [1000, 1000], kind="rate") == 400.0
    assert funnel_baseline([3, 5], [1000, 1000], multiplier=1000, kind="rate") == 4.0


# ---- errors --------------------------------------------------------------------------------


def test_error_kind():
    with pytest.raises(ValueError, match="kind: expected 'proportion' or 'rate', got 'ratio'"):
        funnel_limits([100], 50.0, kind="ratio")
    with pytest.raises(ValueError, match="kind: expected 'proportion' or 'rate', got 'Rate'"):
        funnel_significance([1.0], [100], 50.0, kind="Rate")


def test_error_multiplier():
    with pytest.raises(ValueError, match="multiplier: expected a number > 0, got 0"):
        funnel_limits([100], 50.0, multiplier=0)
    with pytest.raises(ValueError, match="multiplier: expected a number > 0, got '100'"):
        funnel_limits([100], 50.0, multiplier="100")


def test_error_denominator_not_positive():
    with pytest.raises(
        ValueError,
        match=r"denominator: 1 value is not positive \(rule: denominator > 0\) at positions \[1\]",
    ):
        funnel_limits([100, 0, 50], 50.0)


def test_error_proportion_baseline_out_of_range():
    with pytest.raises(
        ValueError,
        match=r"baseline: 1 value is outside 0 to the multiplier \(rule: 0 <= baseline <= 100",
    ):
        funnel_limits([100], 120.0)


def test_error_rate_baseline_not_positive():
    with pytest.raises(
        ValueError, match=r"baseline: 1 value is not positive \(rule: baseline > 0\)"
    ):
        funnel_limits([100], 0.0, kind="rate")


def test_error_lengths():
    with pytest.raises(
        ValueError, match="inputs must have the same length: denominator has 3, baseline has 2"
    ):
        funnel_limits([1, 2, 3], [50.0, 60.0])
    with pytest.raises(
        ValueError, match="inputs must have the same length: value has 2, denominator has 3"
    ):
        funnel_significance([1.0, 2.0], [1, 2, 3], 50.0)
    with pytest.raises(
        ValueError, match="inputs must have the same length: numerator has 2, denominator has 1"
    ):
        funnel_baseline([1, 2], [3])


def test_error_non_numeric():
    with pytest.raises(ValueError, match="denominator: 1 value is not numeric"):
        funnel_limits([100, "many"], 50.0)
    with pytest.raises(ValueError, match="value: 1 value is not numeric"):
        funnel_significance(["*"], [100], 50.0)


def test_error_significance_values():
    with pytest.raises(ValueError, match=r"value: 1 value is negative \(rule: value >= 0\)"):
        funnel_significance([-1.0], [100], 50.0)
    with pytest.raises(
        ValueError,
        match=r"value: 1 value is above the multiplier \(rule: value <= 100 for a proportion\)",
    ):
        funnel_significance([101.0], [100], 50.0)


def test_error_n_points():
    with pytest.raises(ValueError, match="n_points: expected an integer >= 2, got 1"):
        funnel_limits([100, 200], 50.0, n_points=1)
    with pytest.raises(ValueError, match=r"n_points: expected an integer >= 2, got 10.0"):
        funnel_axis([100, 200], n_points=10.0)


def test_error_axis_without_denominators():
    with pytest.raises(
        ValueError, match="denominator: no non-missing denominators to build an axis from"
    ):
        funnel_axis([np.nan])


def test_error_baseline_helper():
    with pytest.raises(
        ValueError, match=r"numerator: 1 value is negative \(rule: numerator >= 0\)"
    ):
        funnel_baseline([-1, 2], [3, 4])
    with pytest.raises(ValueError, match="numerator, denominator: no row has both"):
        funnel_baseline([np.nan], [3])


def test_docstring_examples_run():
    import doctest

    import rutland_jsna.stats.funnel as module

    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
