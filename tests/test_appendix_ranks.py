"""Reproduce the ranks printed in the Rutland Sexual Health Needs Assessment, Appendix 1.

The appendix (PHE sexual-health profile data as of November 2015) ranks Rutland among 11
comparator authorities for 16 indicators, with the polarity printed beside each (H / L).
``tests/data/published/`` holds copies of the transcriptions in
``shared/reference/published/`` (provenance in tests/data/README.md); the expected ranks are
the printed ones (``rutland_rank_printed``), not a recomputation.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from rutland_jsna.stats.labels import Polarity
from rutland_jsna.stats.ranking import rank_areas, rank_summary

DATA = Path(__file__).parent / "data" / "published"
RUTLAND = "E06000017"
POLARITY = {"H": Polarity.HIGH_IS_GOOD, "L": Polarity.LOW_IS_GOOD}

# Rows the data cannot support. In both, Rutland's value is blank because it was suppressed
# for small numbers, and a suppressed value must not be ranked:
# * HIV late diagnosis: rank 1 is printed, but West Berkshire prints 0.00 under "low is good",
#   so Rutland could only share rank 1 by also being 0.00; the needs assessment's narrative
#   gives Rutland 67% (which would rank 10 of 11). The printed 1 cannot be reproduced.
# * Under-18 conceptions leading to abortion: no value and no rank printed ("not published
#   due to small numbers").
UNSUPPORTED = {
    "HIV late diagnosis (%) (PHOF indicator 3.04)",
    "Under 18s conceptions leading to abortion (%)",
}


@pytest.fixture(scope="module")
def appendix() -> pd.DataFrame:
    long = pd.read_csv(DATA / "sexual_health_appendix1.csv")
    long["rank"] = rank_areas(long["value"], long["polarity"].map(POLARITY), by=long["indicator"])
    return long


@pytest.fixture(scope="module")
def printed() -> pd.DataFrame:
    return pd.read_csv(DATA / "sexual_health_appendix1_ranks.csv").set_index("indicator")


def test_appendix_shape(appendix, printed):
    assert appendix["indicator"].nunique() == 16 == len(printed)
    assert (appendix.groupby("indicator").size() == 11).all()
    assert set(printed.index) == set(appendix["indicator"])


def test_rutland_rank_matches_printed_rank_for_every_supported_row(appendix, printed):
    rutland = appendix[appendix["area_code"] == RUTLAND].set_index("indicator")["rank"]
    supported = printed.index.difference(sorted(UNSUPPORTED))
    assert len(supported) == 14
    got = rutland.loc[supported].astype(int)
    expected = printed.loc[supported, "rutland_rank_printed"].astype(int)
    mismatches = got[got != expected]
    assert mismatches.empty, f"ranks differ from the printed appendix: {mismatches.to_dict()}"


@pytest.mark.parametrize("indicator", sorted(UNSUPPORTED))
def test_rutland_unranked_where_its_value_was_suppressed(appendix, printed, indicator):
    row = appendix[(appendix["area_code"] == RUTLAND) & (appendix["indicator"] == indicator)]
    assert row["value"].isna().all()
    assert row["rank"].isna().all()


def test_number_ranked_is_number_of_areas_with_a_value(appendix, printed):
    summary = rank_summary(
        appendix["value"], appendix["polarity"].map(POLARITY), by=appendix["indicator"]
    )
    assert summary["n_ranked"].astype(int).to_dict() == printed["n_areas_with_value"].to_dict()


def test_best_and_worst_follow_printed_polarity(appendix):
    summary = rank_summary(
        appendix["value"], appendix["polarity"].map(POLARITY), by=appendix["indicator"]
    )
    # Hand-checked against the appendix values: screening (H) best 24.94 (Cambridgeshire),
    # worst 10.86 (West Berkshire); syphilis (L) best 1.46 (Wiltshire), worst 5.37 (Cheshire East).
    assert summary.loc["Chlamydia proportion aged 15-24 screened", ["best", "worst"]].tolist() == [
        24.94,
        10.86,
    ]
    assert summary.loc["Syphilis diagnosis rate / 100,000", ["best", "worst"]].tolist() == [
        1.46,
        5.37,
    ]
